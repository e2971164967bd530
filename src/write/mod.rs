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
use std::os::unix::ffi::OsStrExt;
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

/// `path` relative to `base`, with `/` between its parts. A path found
/// under `base` (joined to it) starts with its bytes and a `/`: that is cut
/// off without walking both paths' components, which cost more than the
/// rest of listing a tree; any other path takes the walk.
fn relative(base: &Path, path: &Path) -> Option<String> {
    let (base, bytes) = (base.as_os_str().as_bytes(), path.as_os_str().as_bytes());
    let rest = bytes.strip_prefix(base).and_then(|r| if base.ends_with(b"/") { Some(r) } else { r.strip_prefix(b"/") });
    match rest {
        Some(rest) if rest.split(|&b| b == b'/').all(|part| !matches!(part, b"" | b"." | b"..")) => {
            Some(String::from_utf8_lossy(rest).replace('\\', "/"))
        }
        _ => Some(path.strip_prefix(base_path(base)).ok()?.to_string_lossy().replace('\\', "/")),
    }
}

fn base_path(bytes: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(bytes))
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
    fn a_path_relative_to_its_folder_is_the_one_the_component_walk_gives() {
        let walk = |base: &str, path: &str| {
            Some(Path::new(path).strip_prefix(base).ok()?.to_string_lossy().replace('\\', "/"))
        };
        let cases = [
            ("/out", "/out/speeches/a/index.html"),
            ("/out/", "/out/speeches/a/index.html"),
            ("/out", "/outer/a.html"),
            ("/out", "/out"),
            ("/out", "/out/"),
            ("/out", "/out//a"),
            ("/out", "/out/./a"),
            ("/out", "/out/a/../b"),
            ("/out/.", "/out/a"),
            ("out", "out/a\\b.txt"),
            ("/out", "/elsewhere/a"),
            ("/out", "/out/讲话/a.md"),
        ];
        for (base, path) in cases {
            assert_eq!(relative(Path::new(base), Path::new(path)), walk(base, path), "{base} {path}");
        }
    }

    #[test]
    fn paths_cannot_escape() {
        let base = Path::new("/out");
        assert!(safe_join(base, "speeches/a/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "./a"] {
            assert!(safe_join(base, bad).is_err(), "{bad}");
        }
    }
}
