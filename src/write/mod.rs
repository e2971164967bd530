//! Write stage: finished files go to the output folder so that a failed
//! build leaves the previous site byte-identical, and — with the build
//! cache — so that a rebuild touches only the files whose inputs changed.
//! Refuses any path that would leave the output folder.

mod cache;
mod claim;
mod fresh;
mod publish;
mod staging;

use std::io;
use std::path::{Component, Path, PathBuf};

pub use cache::{stamp, Fingerprint, Manifest};
pub use claim::MARKER;

/// Refuses, before anything is written anywhere, an output folder the
/// build may not write (see `claim`).
pub fn check_output(config: &crate::config::Config) -> Result<()> {
    let output = cache::canonical(&config.output);
    let legacy = Manifest::load(&Manifest::legacy_path(&config.root, &output)).is_some();
    claim::claim(&output, config.force, legacy).map(|_| ())
}
pub use fresh::{Freshness, InputStamp};
pub use staging::{Output, Staging, WriteReport};

use crate::error::Result;

/// Where finished files go. Implementations accept writes from many threads.
pub trait Sink: Sync {
    /// Writes a file whose bytes depend on nothing but themselves (static
    /// files, search shards).
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_page(rel, Fingerprint::of_bytes(bytes), bytes)
    }

    /// Writes a rendered page whose inputs hash to `fingerprint`.
    fn write_page(&self, rel: &str, fingerprint: Fingerprint, bytes: &[u8]) -> Result<()>;

    /// True when the previous build wrote `rel` from the same inputs and the
    /// file is still as it left it: the page need not be rendered again.
    fn keep(&self, _rel: &str, _fingerprint: Fingerprint) -> bool {
        false
    }

    /// False when `keep` is false for every page (no earlier build to
    /// keep from), so that callers need not work out fingerprints twice.
    fn may_keep(&self) -> bool {
        false
    }

    /// Keeps every file under `prefix` that the previous build wrote from
    /// `fingerprint`, when there is one and all are still as it left them
    /// (a stage's files, all made from the same inputs): returns how many.
    /// `None`: nothing kept, the caller writes them.
    fn keep_all(&self, _prefix: &str, _fingerprint: Fingerprint) -> Option<usize> {
        None
    }
}

pub use crate::identity::cache_dir;

/// `path` relative to `base`, with `/` between its parts.
fn relative(base: &Path, path: &Path) -> Option<String> {
    Some(path.strip_prefix(base).ok()?.to_string_lossy().replace('\\', "/"))
}

/// `rel` joined to `base`, if it stays inside `base`.
pub fn safe_join(base: &Path, rel: &str) -> io::Result<PathBuf> {
    let path = Path::new(rel);
    let ok = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(base.join(path))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: `{rel}`"),
        ))
    }
}

/// A sink that keeps nothing (for `archive check`).
pub struct Discard;

impl Sink for Discard {
    fn write_page(&self, _: &str, _: Fingerprint, _: &[u8]) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        let base = Path::new("/out");
        assert!(safe_join(base, "speeches/a/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "./a"] {
            assert!(safe_join(base, bad).is_err(), "{bad}");
        }
    }
}
