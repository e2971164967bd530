//! Write stage: finished files go to the output folder so that a failed
//! build leaves the previous site byte-identical, and — with the build
//! cache — so that a rebuild touches only the files whose inputs changed.
//! Refuses any path that would leave the output folder.

mod cache;
mod claim;
mod fresh;
mod publish;
mod staging;
mod tree;

use std::io;
use std::path::{Component, Path, PathBuf};

pub use cache::Manifest;
pub use claim::MARKER;

/// Refuses, before anything is written anywhere, an output folder the
/// build may not write (see `claim`).
pub fn check_output(config: &crate::config::Config) -> Result<()> {
    let output = cache::canonical(&config.output);
    let legacy = Manifest::load(&Manifest::legacy_path(&config.root, &output)).is_some();
    claim::claim(&output, config.force, legacy).map(|_| ())
}
pub use fresh::{Freshness, InputStamp};
pub use publish::wait_for_removals;
pub use staging::{Output, Staging, WriteReport};

use crate::error::Result;

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
