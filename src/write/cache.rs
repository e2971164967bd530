//! The build cache: for every file of the last build, the fingerprint of
//! its inputs, the hash of its bytes, and its size and modification time on
//! disk. A cache that does not parse, was made by another program or
//! settings, or describes files that changed since, is not trusted.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// A 64-bit digest (XXH3) of a page's inputs or a file's bytes. Collisions
/// are 2⁻⁶⁴-rare; a wrong hit would keep one stale page, which `--clean` fixes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    pub fn of_bytes(bytes: &[u8]) -> Fingerprint {
        Fingerprint(xxh3_64(bytes))
    }

    /// The digest of `value` serialized as JSON, without building the text.
    pub fn of_json<T: Serialize + ?Sized>(seed: Fingerprint, value: &T) -> Fingerprint {
        let mut w = HashWriter(Xxh3::new());
        w.0.update(&seed.0.to_le_bytes());
        // Serializing into a hasher cannot fail for our view types.
        let _ = serde_json::to_writer(&mut w, value);
        Fingerprint(w.0.digest())
    }
}

struct HashWriter(Xxh3);

impl io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub inputs: Fingerprint,
    pub bytes: Fingerprint,
    pub size: u64,
    pub mtime_ns: u128,
}

/// What the last build wrote, and under which program and settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Digest of the program, settings, templates and translations.
    pub global: Fingerprint,
    pub files: BTreeMap<String, Entry>,
}

const FORMAT: u32 = 2;

impl Manifest {
    pub fn new(global: Fingerprint) -> Manifest {
        Manifest { format: FORMAT, global, files: BTreeMap::new() }
    }

    /// The cache file for an output folder: one per output, under the root.
    pub fn path(root: &Path, output: &Path) -> PathBuf {
        let id = Fingerprint::of_bytes(output.to_string_lossy().as_bytes());
        super::cache_dir(root).join(format!("{:016x}.json", id.0))
    }

    /// The manifest at `path` if it is whole and made under `global`.
    pub fn load(path: &Path, global: Fingerprint) -> Option<Manifest> {
        let text = std::fs::read(path).ok()?;
        let m: Manifest = serde_json::from_slice(&text).ok()?;
        (m.format == FORMAT && m.global == global).then_some(m)
    }

    pub fn save(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).map_err(io::Error::other)?)?;
        std::fs::rename(tmp, path)
    }
}

/// Size and modification time of a file, as the cache records them.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), mtime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_from_other_settings_or_a_corrupt_file_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        let mut m = Manifest::new(Fingerprint(7));
        m.files
            .insert("index.html".into(), Entry { inputs: Fingerprint(1), bytes: Fingerprint(2), size: 3, mtime_ns: 4 });
        m.save(&path).unwrap();
        assert_eq!(Manifest::load(&path, Fingerprint(7)), Some(m));
        assert_eq!(Manifest::load(&path, Fingerprint(8)), None);
        std::fs::write(&path, b"{\"format\":1,\"global\":7,\"files\":{\"x\":").unwrap();
        assert_eq!(Manifest::load(&path, Fingerprint(7)), None);
    }

    #[test]
    fn fingerprints_follow_the_value() {
        let a = Fingerprint::of_json(Fingerprint(1), &("x", 1));
        assert_eq!(a, Fingerprint::of_json(Fingerprint(1), &("x", 1)));
        assert_ne!(a, Fingerprint::of_json(Fingerprint(1), &("x", 2)));
        assert_ne!(a, Fingerprint::of_json(Fingerprint(2), &("x", 1)));
    }
}
