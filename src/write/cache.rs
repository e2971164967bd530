//! The build cache: for every file of the last build, the fingerprint of
//! its inputs, the hash of its bytes, and its size and modification time on
//! disk. A cache that does not parse, was made by another program or
//! settings, or describes files that changed since, is not trusted.
//!
//! Kept in a checksummed binary form: a rebuild reads the last build's
//! manifest and the previous tree's, and writes its own, one entry per file
//! of the site, where JSON cost as much as rendering the changed pages.
//! Manifests in JSON (formats 2 and 3, before it) are still read, to tell
//! which files their build wrote, but not trusted.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::identity::Fingerprint;
use crate::identity::{atomic_write, cache_dir, part_of, process_alive};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub inputs: Fingerprint,
    pub bytes: Fingerprint,
    pub size: u64,
    pub mtime_ns: u128,
}

/// What one build wrote into its output, and under which program and
/// settings; the output's marker names the build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Digest of the program, settings, templates and translations.
    pub global: Fingerprint,
    /// The build's id (0 in manifests from before the marker).
    #[serde(default)]
    pub build: u64,
    /// Every file the build wrote.
    pub files: BTreeMap<String, Entry>,
    /// Files of the output that no build wrote (a folder built into with
    /// `--force`), kept in it: path → size, modification time.
    #[serde(default)]
    pub foreign: BTreeMap<String, (u64, u128)>,
}

const FORMAT: u32 = 4;
/// Manifests in JSON, from before the marker (one per output, no build
/// id) and from before the binary form, still tell which files their
/// build wrote.
const JSON_FORMATS: [u32; 2] = [2, 3];
/// First bytes of a manifest in the binary form, then the XXH3 of the rest.
const MAGIC: &[u8; 8] = b"ARCHMAN4";

impl Manifest {
    pub fn new(global: Fingerprint, build: u64) -> Manifest {
        Manifest { format: FORMAT, global, build, ..Manifest::default() }
    }

    /// The manifest of build `build` of `output`, under the root's cache.
    pub fn path(root: &Path, output: &Path, build: u64) -> PathBuf {
        cache_dir(root).join(format!("{}-{build:016x}.json", output_key(output)))
    }

    /// Where a manifest from before the marker was kept.
    pub fn legacy_path(root: &Path, output: &Path) -> PathBuf {
        cache_dir(root).join(format!("{}.json", output_key(output)))
    }

    /// The manifest at `path` if it is whole; whether its fingerprints
    /// can be trusted is [`Manifest::made_under`]'s question.
    pub fn load(path: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(path).ok()?;
        if bytes.starts_with(b"{") {
            let m: Manifest = serde_json::from_slice(&bytes).ok()?;
            return JSON_FORMATS.contains(&m.format).then_some(m);
        }
        Manifest::decode(&bytes)
    }

    /// True when the manifest was made by this program under `global`.
    pub fn made_under(&self, global: Fingerprint) -> bool {
        self.format == FORMAT && self.global == global
    }

    pub fn save(&self, path: &Path) -> io::Result<()> {
        atomic_write(path, &self.encode())
    }

    /// The binary form: [`MAGIC`], the XXH3 of the body, and the body:
    /// format, global, build, then the files and the foreign files, each
    /// list its length and per file its path (length, UTF-8) and numbers,
    /// little-endian.
    fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(64 + self.files.len() * 96);
        body.extend_from_slice(&self.format.to_le_bytes());
        body.extend_from_slice(&self.global.0.to_le_bytes());
        body.extend_from_slice(&self.build.to_le_bytes());
        body.extend_from_slice(&(self.files.len() as u64).to_le_bytes());
        for (rel, e) in &self.files {
            put_path(&mut body, rel);
            for n in [e.inputs.0, e.bytes.0, e.size] {
                body.extend_from_slice(&n.to_le_bytes());
            }
            body.extend_from_slice(&e.mtime_ns.to_le_bytes());
        }
        body.extend_from_slice(&(self.foreign.len() as u64).to_le_bytes());
        for (rel, (size, mtime_ns)) in &self.foreign {
            put_path(&mut body, rel);
            body.extend_from_slice(&size.to_le_bytes());
            body.extend_from_slice(&mtime_ns.to_le_bytes());
        }
        let mut out = Vec::with_capacity(body.len() + 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// A manifest in the binary form, if it is whole (its digest matches)
    /// and of this format.
    fn decode(bytes: &[u8]) -> Option<Manifest> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let (digest, body) = rest.split_at_checked(8)?;
        if u64::from_le_bytes(digest.try_into().ok()?) != xxhash_rust::xxh3::xxh3_64(body) {
            return None;
        }
        let mut r = Reader(body);
        let format = u32::from_le_bytes(r.take()?);
        if format != FORMAT {
            return None;
        }
        let mut m = Manifest::new(Fingerprint(r.u64()?), r.u64()?);
        let files = r.u64()?;
        m.files = (0..files)
            .map(|_| {
                let rel = r.path()?;
                let (inputs, bytes, size) = (Fingerprint(r.u64()?), Fingerprint(r.u64()?), r.u64()?);
                Some((rel, Entry { inputs, bytes, size, mtime_ns: r.u128()? }))
            })
            .collect::<Option<_>>()?;
        let foreign = r.u64()?;
        m.foreign = (0..foreign).map(|_| Some((r.path()?, (r.u64()?, r.u128()?)))).collect::<Option<_>>()?;
        r.0.is_empty().then_some(m)
    }

    /// Removes the manifests of `output` but those of builds `keep` (the
    /// ones of earlier builds, and of builds stopped before publishing),
    /// and any cache file a stopped build left half-written
    /// (`identity::part_of`, its process gone).
    pub fn forget_others(root: &Path, output: &Path, keep: &[u64]) {
        let prefix = format!("{}-", output_key(output));
        let kept: Vec<String> = keep.iter().map(|b| format!("{prefix}{b:016x}.json")).collect();
        let legacy = format!("{}.json", output_key(output));
        let Ok(entries) = std::fs::read_dir(cache_dir(root)) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let orphan = part_of(&name).is_some_and(|(_, pid)| !process_alive(pid));
            if (name.starts_with(&prefix) && name.ends_with(".json") && !kept.contains(&name))
                || name == legacy
                || orphan
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn put_path(out: &mut Vec<u8>, rel: &str) {
    out.extend_from_slice(&(rel.len() as u64).to_le_bytes());
    out.extend_from_slice(rel.as_bytes());
}

/// Reads a manifest's body front to back; `None` once it runs short.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn u128(&mut self) -> Option<u128> {
        self.take().map(u128::from_le_bytes)
    }

    fn path(&mut self) -> Option<String> {
        let len = usize::try_from(self.u64()?).ok()?;
        let (text, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }
}

/// The output folder's name in the cache: of its canonical path, so that
/// `./public` and `/site/public` are the same output, before it exists too.
pub fn output_key(output: &Path) -> String {
    let output = canonical(output);
    format!("{:016x}", Fingerprint::of_bytes(output.to_string_lossy().as_bytes()).0)
}

/// `path` with every link and `.`/`..` resolved, as far as it exists.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (path.parent().filter(|p| !p.as_os_str().is_empty()), path.file_name()) {
        (Some(parent), Some(name)) => canonical(parent).join(name),
        (None, Some(name)) => std::env::current_dir().unwrap_or_default().join(name),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_from_other_settings_or_a_corrupt_file_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        let mut m = Manifest::new(Fingerprint(7), 1);
        m.files
            .insert("index.html".into(), Entry { inputs: Fingerprint(1), bytes: Fingerprint(2), size: 3, mtime_ns: 4 });
        m.save(&path).unwrap();
        let loaded = Manifest::load(&path).unwrap();
        assert_eq!(loaded, m);
        assert!(loaded.made_under(Fingerprint(7)) && !loaded.made_under(Fingerprint(8)));
        std::fs::write(&path, b"{\"format\":3,\"global\":7,\"files\":{\"x\":").unwrap();
        assert_eq!(Manifest::load(&path), None);
    }

    #[test]
    fn a_manifest_reads_back_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        let mut m = Manifest::new(Fingerprint(u64::MAX), 9);
        for (n, rel) in ["a/index.html", "讲话/b.md", ".archive-build.json"].into_iter().enumerate() {
            let n = n as u64;
            m.files.insert(
                rel.into(),
                Entry { inputs: Fingerprint(n), bytes: Fingerprint(!n), size: n, mtime_ns: u128::MAX - 1 },
            );
        }
        m.foreign.insert("mine.txt".into(), (5, u128::MAX));
        m.save(&path).unwrap();
        assert_eq!(Manifest::load(&path).as_ref(), Some(&m));
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 8, 16, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert_eq!(Manifest::load(&path), None, "cut at {cut}");
        }
        // Every bit flipped anywhere is found (JSON took a changed digit).
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 1;
            std::fs::write(&path, &damaged).unwrap();
            assert_eq!(Manifest::load(&path), None, "bit flipped at {at}");
        }
        // The last JSON form still tells which files its build wrote.
        let json =
            br#"{"format":3,"global":7,"build":2,"files":{"a.html":{"inputs":1,"bytes":2,"size":3,"mtime_ns":4}}}"#;
        std::fs::write(&path, json).unwrap();
        let m = Manifest::load(&path).unwrap();
        assert!(m.files.contains_key("a.html") && !m.made_under(Fingerprint(7)));
    }

    #[test]
    fn a_manifest_from_before_the_marker_tells_ownership_but_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(
            &path,
            br#"{"format":2,"global":7,"files":{"a.html":{"inputs":1,"bytes":2,"size":3,"mtime_ns":4}}}"#,
        )
        .unwrap();
        let m = Manifest::load(&path).unwrap();
        assert!(m.files.contains_key("a.html") && !m.made_under(Fingerprint(7)));
    }

    #[test]
    fn cache_files_left_half_written_by_a_stopped_build_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let output = root.path().join("public");
        let cache = cache_dir(root.path());
        std::fs::create_dir_all(&cache).unwrap();
        let orphan = cache.join(format!(".load.json.part-{}", u32::MAX - 1));
        let mine = cache.join(format!(".reuse.bin.part-{}", std::process::id()));
        let other = cache.join("load.json");
        for path in [&orphan, &mine, &other] {
            std::fs::write(path, "x").unwrap();
        }
        Manifest::forget_others(root.path(), &output, &[]);
        assert!(!orphan.exists() && mine.exists() && other.exists());
    }
}
