//! Whose folder the output is. A build writes only into a folder it made:
//! one that does not exist yet, an empty one, or one holding the marker
//! file ([`MARKER`]) an earlier build left in it. Anything else — a file, a
//! folder of someone's files, another generator's site — is refused with a
//! usage error that says why and how to go on, unless the user asks with
//! `--force` to build into it while keeping every file already there.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The file every build leaves at the top of its output: it says that the
/// folder is this program's. Its bytes are the same in every build (a
/// build equals a clean build byte for byte); the file itself tells the
/// builds apart (see [`Marker::read`]).
pub const MARKER: &str = ".archive-build.json";
const GENERATOR: &str = "speech-archive";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// Which build made the tree: a digest of the marker file's inode and
    /// modification time, which a rename or an exchange keeps and no other
    /// build's marker has. The build's manifest is named by it.
    pub build: u64,
}

impl Marker {
    /// The marker's bytes.
    pub fn bytes() -> Vec<u8> {
        format!("{{\"generator\":\"{GENERATOR}\"}}\n").into_bytes()
    }

    /// The marker of the tree in `dir`, if it is this program's.
    pub fn read(dir: &Path) -> Option<Marker> {
        #[derive(Deserialize)]
        struct Read {
            generator: String,
        }
        let path = dir.join(MARKER);
        let read: Read = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        (read.generator == GENERATOR).then_some(())?;
        Marker::of_file(&path)
    }

    /// The marker of the tree whose marker file is `path`.
    pub fn of_file(path: &Path) -> Option<Marker> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        let id = format!(
            "{} {} {}",
            meta.dev(),
            meta.ino(),
            meta.mtime_nsec() as i128 + meta.mtime() as i128 * 1_000_000_000
        );
        Some(Marker { build: xxhash_rust::xxh3::xxh3_64(id.as_bytes()) })
    }
}

/// What the output folder is, as far as a build may write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nothing there yet, or an empty folder.
    Free,
    /// An earlier build's output, by its marker.
    Ours(Marker),
    /// Made by a build from before the marker: its `sitemap.xml`, and a
    /// manifest of it in the build cache, say so.
    Legacy,
    /// Someone else's files, built into with `--force`: every one is kept.
    Adopted,
}

/// Decides whether a build may write `output` (`legacy`: the build cache
/// holds an old-style manifest of it), or says why not.
pub fn claim(output: &Path, force: bool, legacy: bool) -> Result<Claim> {
    let meta = match std::fs::metadata(output) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Claim::Free),
        Err(e) => return Err(Error::io("read", output, e)),
    };
    let shown = output.display();
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "--output: {shown} is a file, not a folder: a build writes a folder of pages; \
             choose another --output (nothing was written)"
        )));
    }
    if let Some(marker) = Marker::read(output) {
        return Ok(Claim::Ours(marker));
    }
    let mut entries = std::fs::read_dir(output).map_err(|e| Error::io("read", output, e))?;
    if entries.next().is_none() {
        return Ok(Claim::Free);
    }
    if legacy && output.join("sitemap.xml").is_file() {
        return Ok(Claim::Legacy);
    }
    if force {
        return Ok(Claim::Adopted);
    }
    let other = ["sitemap.xml", "index.html", "index.xml", "feed.xml", "CNAME", "_config.yml"]
        .into_iter()
        .find(|name| output.join(name).exists())
        .map(|name| format!(" (its {name} looks like another generator's site)"))
        .unwrap_or_default();
    Err(Error::Usage(format!(
        "--output: {shown} holds files that no build of this archive wrote{other}, and a build \
         replaces its output folder: nothing was written. Choose a new or empty folder, or add \
         --force to build into it keeping every file already there (the build stops before \
         replacing any of them)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_equal_bytes_still_tell_two_trees_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for d in [&a, &b] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join(MARKER), Marker::bytes()).unwrap();
        }
        let (ma, mb) = (Marker::read(&a).unwrap(), Marker::read(&b).unwrap());
        assert_ne!(ma, mb);
        assert_eq!(claim(&a, false, false).unwrap(), Claim::Ours(ma));
        // A rename keeps the tree's identity.
        std::fs::rename(&a, dir.path().join("c")).unwrap();
        assert_eq!(Marker::read(&dir.path().join("c")), Some(ma));
        std::fs::write(b.join(MARKER), r#"{"generator":"other"}"#).unwrap();
        assert_eq!(Marker::read(&b), None);
    }

    #[test]
    fn only_new_empty_or_marked_folders_are_claimed_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert_eq!(claim(&out, false, false).unwrap(), Claim::Free);
        std::fs::create_dir(&out).unwrap();
        assert_eq!(claim(&out, false, false).unwrap(), Claim::Free);
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(matches!(claim(&out, false, false), Err(Error::Usage(_))));
        assert_eq!(claim(&out, true, false).unwrap(), Claim::Adopted);
        std::fs::write(out.join("sitemap.xml"), "<urlset/>").unwrap();
        let Err(Error::Usage(m)) = claim(&out, false, false) else { panic!("refused") };
        assert!(m.contains("its sitemap.xml looks like another generator's site"), "{m}");
        assert_eq!(claim(&out, false, true).unwrap(), Claim::Legacy);
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(claim(&file, true, true), Err(Error::Usage(m)) if m.contains("is a file")));
    }
}
