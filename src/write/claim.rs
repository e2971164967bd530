//! Whose folder the output is. A build writes only into a folder it made:
//! one that does not exist yet, an empty one, or one holding the marker
//! file ([`MARKER`]) an earlier build left in it. Anything else — a file, a
//! folder of someone's files, another generator's site — is refused with a
//! usage error that says why and how to go on, unless the user asks with
//! `--force` to build into it while keeping every file already there.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file every build leaves at the top of its output: it says that the
/// folder is this program's, and which build made it (the build cache's
/// manifest of that build lists the files it wrote).
pub const MARKER: &str = ".archive-build.json";
const GENERATOR: &str = "speech-archive";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    generator: &'static str,
    /// The build's id, as 16 hexadecimal digits.
    #[serde(with = "hex")]
    pub build: u64,
}

impl Marker {
    pub fn new(build: u64) -> Marker {
        Marker { generator: GENERATOR, build }
    }

    pub fn to_bytes(self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(&self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The marker in `dir`, if there is one of this program's.
    pub fn read(dir: &Path) -> Option<Marker> {
        #[derive(Deserialize)]
        struct Read {
            generator: String,
            #[serde(with = "hex")]
            build: u64,
        }
        let bytes = std::fs::read(dir.join(MARKER)).ok()?;
        let read: Read = serde_json::from_slice(&bytes).ok()?;
        (read.generator == GENERATOR).then_some(Marker::new(read.build))
    }
}

mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{n:016x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
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
    fn a_marker_reads_back_and_another_programs_is_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER), Marker::new(0xabc).to_bytes()).unwrap();
        assert_eq!(Marker::read(dir.path()), Some(Marker::new(0xabc)));
        assert_eq!(claim(dir.path(), false, false).unwrap(), Claim::Ours(Marker::new(0xabc)));
        std::fs::write(dir.path().join(MARKER), r#"{"generator":"other","build":"0000000000000abc"}"#).unwrap();
        assert_eq!(Marker::read(dir.path()), None);
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
