//! Publishing a finished tree in one step. A build fills a staging folder
//! beside the output (`.public.staging-<pid>`), then exchanges the two
//! names with one `renameat2(RENAME_EXCHANGE)`: at every instant the output
//! path is the whole previous site or the whole new one, also when the
//! process is killed. The old tree, now under the staging name, is then
//! removed. Where the system cannot exchange (not Linux, or a file system
//! without it) the old tree is renamed aside and the new one into place,
//! and a build that finds the output missing puts the aside tree back.
//! Folders left by builds that were stopped are removed by the next one.

use std::io;
use std::path::{Path, PathBuf};

use crate::identity::process_alive;

/// `.<name>.<kind>-<pid>` beside `output`.
fn sibling(output: &Path, kind: &str, pid: u32) -> PathBuf {
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().into_owned());
    parent.join(format!(".{name}.{kind}-{pid}"))
}

/// This process's staging folder for `output`.
pub fn staging_path(output: &Path) -> PathBuf {
    sibling(output, "staging", std::process::id())
}

/// Where the fallback swap puts the old tree aside.
fn aside_path(output: &Path) -> PathBuf {
    sibling(output, "old", std::process::id())
}

/// The staging and aside folders of `output` left by processes that are no
/// longer running: (path, is an aside folder).
fn leftovers(output: &Path) -> Vec<(PathBuf, bool)> {
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().into_owned());
    let (staging, aside) = (format!(".{name}.staging-"), format!(".{name}.old-"));
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let (is_aside, pid) = match (file.strip_prefix(&staging), file.strip_prefix(&aside)) {
            (Some(pid), _) => (false, pid.parse::<u32>()),
            (_, Some(pid)) => (true, pid.parse::<u32>()),
            _ => continue,
        };
        if pid.is_ok_and(|pid| !process_alive(pid)) {
            found.push((entry.path(), is_aside));
        }
    }
    found.sort();
    found
}

/// Undoes what stopped builds left: an output the fallback swap had moved
/// aside is put back, and every other staging or aside folder (a new tree
/// half made, or an old one half removed) is removed. Returns how many
/// folders were removed.
pub fn clean_leftovers(output: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for (path, is_aside) in leftovers(output) {
        if is_aside && std::fs::symlink_metadata(output).is_err() {
            // The swap stopped between its two renames: this is the whole
            // previous site.
            std::fs::rename(&path, output)?;
            continue;
        }
        remove_tree(&path)?;
        removed += 1;
    }
    Ok(removed)
}

fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes the finished tree `staged` the output in one step, and removes
/// the tree it replaced.
pub fn publish(staged: &Path, output: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(output).is_err() {
        return std::fs::rename(staged, output);
    }
    match exchange(staged, output) {
        // The old tree is now under the staging name.
        Ok(()) => remove_tree(staged),
        Err(e) if exchange_unsupported(&e) => {
            let aside = aside_path(output);
            std::fs::rename(output, &aside)?;
            if let Err(e) = std::fs::rename(staged, output) {
                let _ = std::fs::rename(&aside, output);
                return Err(e);
            }
            remove_tree(&aside)
        }
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The errors of a system or file system that has no exchange.
fn exchange_unsupported(e: &io::Error) -> bool {
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    const EOPNOTSUPP: i32 = 95;
    e.kind() == io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(EINVAL | ENOSYS | EOPNOTSUPP))
}

/// Flushes the file system that holds `dir` to disk, so that a power loss
/// after the exchange cannot leave it pointing at files not yet written.
#[cfg(target_os = "linux")]
pub fn sync(dir: &Path) -> io::Result<()> {
    let dir = std::fs::File::open(dir)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub fn sync(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                format!("{rel}={}", std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn publishing_exchanges_the_trees_and_removes_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staged = staging_path(&out);
        std::fs::create_dir_all(staged.join("a")).unwrap();
        std::fs::write(staged.join("a/x.html"), "1").unwrap();
        publish(&staged, &out).unwrap();
        assert_eq!(tree(&out), ["a/x.html=1"]);
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join("y.html"), "2").unwrap();
        publish(&staged, &out).unwrap();
        assert_eq!(tree(&out), ["y.html=2"]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing left beside the output");
    }

    #[test]
    fn leftovers_of_stopped_builds_are_removed_and_a_tree_set_aside_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No process has pid 4194305 (above Linux's pid_max).
        let dead = 4_194_305;
        std::fs::create_dir_all(sibling(&out, "staging", dead).join("a")).unwrap();
        std::fs::write(sibling(&out, "staging", dead).join("a/x.html"), "new").unwrap();
        std::fs::create_dir_all(sibling(&out, "old", dead)).unwrap();
        std::fs::write(sibling(&out, "old", dead).join("x.html"), "old").unwrap();
        // A running build's staging folder is not touched.
        std::fs::create_dir_all(staging_path(&out)).unwrap();
        assert_eq!(clean_leftovers(&out).unwrap(), 1);
        assert_eq!(tree(&out), ["x.html=old"], "the output the swap had set aside is back");
        let left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(staging_path(&out).is_dir());
    }
}
