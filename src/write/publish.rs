//! Publishing a finished tree in one step, and the folders beside the
//! output that it takes. A build makes the new tree beside the output and
//! exchanges the two names with one `renameat2(RENAME_EXCHANGE)`: at every
//! instant the output path is the whole previous site or the whole new one,
//! also when the process is killed. The tree it replaced is kept as
//! `.public.previous`, which the next build turns into its new tree by
//! changing only what differs (removing a whole tree of hard links costs
//! far more than the build). Where the system cannot exchange (not Linux,
//! or a file system without it) the old tree is renamed aside and the new
//! one into place, and a build that finds the output missing puts the aside
//! tree back. Folders left by builds that were stopped are removed by the
//! next one: renamed aside at once (`set_aside`), and removed only after
//! the new tree is published, on a thread of their own (`remove_later`),
//! since removing a big tree can take minutes on a disk mounted with
//! `discard`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::JoinHandle;

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

/// This process's tree being made from the previous one.
pub fn tree_path(output: &Path) -> PathBuf {
    sibling(output, "tree", std::process::id())
}

/// Where the fallback swap puts the old tree aside.
fn aside_path(output: &Path) -> PathBuf {
    sibling(output, "old", std::process::id())
}

/// A fresh name beside `output` for a tree waiting to be removed.
fn trash_path(output: &Path) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let aside = sibling(output, "trash", std::process::id());
    aside.with_file_name(format!("{}.{n}", aside.file_name().unwrap_or_default().to_string_lossy()))
}

/// Renames `path` (a folder beside `output`) aside under a trash name,
/// for `remove_later`. A trash folder whose process stopped before it
/// was removed is a leftover like the others.
pub fn set_aside(path: &Path, output: &Path) -> io::Result<PathBuf> {
    let trash = trash_path(output);
    std::fs::rename(path, &trash)?;
    Ok(trash)
}

/// The removals started by `remove_later` and not yet waited for.
static REMOVING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Removes the folders `set_aside` put aside, on a thread of its own: the
/// build does not wait for it, the process does (`wait_for_removals`).
pub fn remove_later(paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let handle = std::thread::spawn(move || {
        for path in paths {
            let _ = remove_tree(&path);
        }
    });
    REMOVING.lock().unwrap_or_else(|e| e.into_inner()).push(handle);
}

/// Waits until every folder set aside so far is removed.
pub fn wait_for_removals() {
    let handles = std::mem::take(&mut *REMOVING.lock().unwrap_or_else(|e| e.into_inner()));
    for handle in handles {
        let _ = handle.join();
    }
}

/// The tree the output held before the last build.
pub fn previous_path(output: &Path) -> PathBuf {
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().into_owned());
    parent.join(format!(".{name}.previous"))
}

/// The folders of `output` left by processes that are no longer running:
/// (path, is an aside folder).
fn leftovers(output: &Path) -> Vec<(PathBuf, bool)> {
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().into_owned());
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = file.strip_prefix(&format!(".{name}.")).and_then(|rest| rest.split_once('-')) else {
            continue;
        };
        // A trash folder's name ends in `-<pid>.<n>`.
        let pid = if kind == "trash" { pid.split('.').next().unwrap_or_default() } else { pid };
        if ["staging", "tree", "old", "trash"].contains(&kind)
            && pid.parse::<u32>().is_ok_and(|pid| !process_alive(pid))
        {
            found.push((entry.path(), kind == "old"));
        }
    }
    found.sort();
    found
}

/// Undoes what stopped builds left: an output the fallback swap had moved
/// aside is put back, and every other staging, aside or trash folder (a
/// new tree half made, or an old one half removed) is set aside for
/// `remove_later`. Returns the folders set aside.
pub fn clean_leftovers(output: &Path) -> io::Result<Vec<PathBuf>> {
    let mut trash = Vec::new();
    for (path, is_aside) in leftovers(output) {
        if is_aside && std::fs::symlink_metadata(output).is_err() {
            // The swap stopped between its two renames: this is the whole
            // previous site.
            std::fs::rename(&path, output)?;
            continue;
        }
        trash.push(set_aside(&path, output)?);
    }
    Ok(trash)
}

fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes the finished tree `staged` the output in one step. Returns where
/// the tree it replaced now is, if there was one.
pub fn publish(staged: &Path, output: &Path) -> io::Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(output).is_err() {
        return std::fs::rename(staged, output).map(|()| None);
    }
    match exchange(staged, output) {
        // The old tree is now under the staged tree's name.
        Ok(()) => Ok(Some(staged.to_path_buf())),
        Err(e) if exchange_unsupported(&e) => {
            let aside = aside_path(output);
            std::fs::rename(output, &aside)?;
            hold_the_gap_open();
            if let Err(e) = std::fs::rename(staged, output) {
                let _ = std::fs::rename(&aside, output);
                return Err(e);
            }
            Ok(Some(aside))
        }
        Err(e) => Err(e),
    }
}

/// For tests: `ARCHIVE_SWAP_GAP_MS` holds the fallback swap's gap (no
/// output at all) open that long, so that a test requesting pages during
/// rebuilds lands in it every time there is one. With the exchange there
/// is no gap, and this is never reached.
fn hold_the_gap_open() {
    let ms = std::env::var("ARCHIVE_SWAP_GAP_MS").ok().and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = ms {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(10_000)));
    }
}

/// Keeps the tree the output held before as `.public.previous`, for the
/// next build to start from; where that name is taken by something else,
/// sets the tree aside and returns where, for `remove_later`.
pub fn keep_previous(old: &Path, output: &Path) -> io::Result<Option<PathBuf>> {
    let previous = previous_path(output);
    if std::fs::symlink_metadata(&previous).is_ok() {
        // Not a tree of this program's (the build would have taken it):
        // left alone.
        return set_aside(old, output).map(Some);
    }
    std::fs::rename(old, previous).map(|()| None)
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
    fn publishing_exchanges_the_trees_and_keeps_the_old_one_as_previous() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staged = staging_path(&out);
        std::fs::create_dir_all(staged.join("a")).unwrap();
        std::fs::write(staged.join("a/x.html"), "1").unwrap();
        assert_eq!(publish(&staged, &out).unwrap(), None);
        assert_eq!(tree(&out), ["a/x.html=1"]);
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join("y.html"), "2").unwrap();
        let old = publish(&staged, &out).unwrap().unwrap();
        keep_previous(&old, &out).unwrap();
        assert_eq!(tree(&out), ["y.html=2"]);
        assert_eq!(tree(&previous_path(&out)), ["a/x.html=1"]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "the output and the previous tree");
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
        // A folder set aside by a build that stopped before removing it.
        std::fs::create_dir_all(dir.path().join(format!(".public.trash-{dead}.0"))).unwrap();
        // A running build's staging folder is not touched.
        std::fs::create_dir_all(staging_path(&out)).unwrap();
        let trash = clean_leftovers(&out).unwrap();
        assert_eq!(trash.len(), 2, "{trash:?}");
        assert_eq!(tree(&out), ["x.html=old"], "the output the swap had set aside is back");
        remove_later(trash);
        wait_for_removals();
        let left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(staging_path(&out).is_dir());
    }
}
