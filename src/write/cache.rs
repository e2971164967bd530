//! The build cache: for every file of the last build, the fingerprint of
//! its inputs, the hash of its bytes, and its size and modification time on
//! disk. A cache that does not parse, was made by another program or
//! settings, or describes files that changed since, is not trusted.

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

const FORMAT: u32 = 3;
/// Manifests from before the marker (one per output, no build id) still
/// tell which files their build wrote.
const LEGACY_FORMAT: u32 = 2;

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
        let text = std::fs::read(path).ok()?;
        let m: Manifest = serde_json::from_slice(&text).ok()?;
        [FORMAT, LEGACY_FORMAT].contains(&m.format).then_some(m)
    }

    /// True when the manifest was made by this program under `global`.
    pub fn made_under(&self, global: Fingerprint) -> bool {
        self.format == FORMAT && self.global == global
    }

    pub fn save(&self, path: &Path) -> io::Result<()> {
        atomic_write(path, &serde_json::to_vec(self).map_err(io::Error::other)?)
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
