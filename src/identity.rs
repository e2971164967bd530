//! The build's identity, shared by every stage from the bottom of the
//! module graph: fingerprints of inputs, the stamp (size and modification
//! time) of a file, the digest of this program, where the build caches
//! live, and how a cache file is written so that no reader sees half of it.
//! It knows nothing of documents, pages or the output folder.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
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

/// Size and modification time (ns) of a file, as the caches record them.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), mtime))
}

/// This program: its version and its executable's stamp, digested once.
/// Every cache is keyed by it, so a new build of the program trusts none
/// of an older one's.
pub fn program() -> Fingerprint {
    static PROGRAM: OnceLock<Fingerprint> = OnceLock::new();
    *PROGRAM.get_or_init(|| {
        let exe = std::env::current_exe().ok().and_then(|p| stamp(&p));
        Fingerprint::of_json(Fingerprint(0), &(env!("CARGO_PKG_VERSION"), exe))
    })
}

/// Where a site's build caches live (`.archive-cache/` under its root):
/// safe to delete at any time.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".archive-cache")
}

/// Writes `bytes` to `path` through a file of this process beside it and
/// a rename, creating the folder: a reader sees the old file or the new
/// one, never part of one, and two processes never write the same file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    atomic_write_with(path, |out| out.write_all(bytes))
}

/// `atomic_write` for a file written in pieces (a search run of many
/// megabytes, never whole in memory): `fill` writes into a buffered file
/// of this process beside `path` (`.<name>.part-<pid>`), which becomes
/// `path` by one rename when `fill` succeeds and is removed when it fails.
pub fn atomic_write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    let part = dir.join(format!(".{name}{PART}{}", std::process::id()));
    let written = std::fs::File::create(&part)
        .and_then(|file| {
            let mut out = io::BufWriter::with_capacity(1 << 20, file);
            fill(&mut out)?;
            out.into_inner().map_err(|e| e.into_error()).map(drop)
        })
        .and_then(|()| std::fs::rename(&part, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written
}

const PART: &str = ".part-";

/// For the name of a part file that `atomic_write` left (`.<name>.part-<pid>`),
/// the name it was to become and the writing process; `None` for any
/// other name. A part whose process is gone is safe to delete.
pub fn part_of(file_name: &str) -> Option<(&str, u32)> {
    let (name, pid) = file_name.strip_prefix('.')?.rsplit_once(PART)?;
    Some((name, pid.parse().ok()?))
}

/// Whether process `pid` is running (where the system tells: Linux;
/// elsewhere it is assumed to run, so that its files are left alone).
pub fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_the_value() {
        let a = Fingerprint::of_json(Fingerprint(1), &("x", 1));
        assert_eq!(a, Fingerprint::of_json(Fingerprint(1), &("x", 1)));
        assert_ne!(a, Fingerprint::of_json(Fingerprint(1), &("x", 2)));
        assert_ne!(a, Fingerprint::of_json(Fingerprint(2), &("x", 1)));
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        atomic_write(&path, b"one").unwrap();
        atomic_write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[test]
    fn a_streamed_write_that_fails_leaves_the_old_file_and_no_part() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("7.run");
        atomic_write_with(&path, |out| out.write_all(b"one")).unwrap();
        let failed = atomic_write_with(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("stopped"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn part_names_say_whose_they_are() {
        assert_eq!(part_of(".7.run.part-42"), Some(("7.run", 42)));
        assert_eq!(part_of(".a.part-b.json.part-9"), Some(("a.part-b.json", 9)));
        assert_eq!(part_of("7.run"), None);
        assert_eq!(part_of(".7.run.part-x"), None);
        assert_eq!(part_of("7.run.part-42"), None);
    }
}
