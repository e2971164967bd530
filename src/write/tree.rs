//! Many files at once between two trees beside the output, each by its
//! path relative to both: hard-linked (or copied where links are not
//! supported), moved, or removed with the folders that leaves empty; the
//! folders they go in made once. Which files, and why, is `staging`'s.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::safe_join;

/// Makes the folders that `files` (relative paths) go in under `to`.
fn make_folders(to: &Path, files: &[&str]) -> io::Result<()> {
    let folders: BTreeSet<&Path> =
        files.iter().filter_map(|rel| Path::new(rel).parent()).filter(|p| !p.as_os_str().is_empty()).collect();
    // Sorted, a folder comes before the folders in it.
    for folder in folders {
        match std::fs::create_dir(to.join(folder)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(to.join(folder))?,
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Hard-links each of `files` of `from` into `to` (same relative path,
/// replacing what is there); in parallel.
pub fn link_all(from: &Path, to: &Path, files: &[&str]) -> io::Result<()> {
    make_folders(to, files)?;
    files.par_iter().try_for_each(|rel| {
        let (src, dst) = (safe_join(from, rel)?, safe_join(to, rel)?);
        match std::fs::hard_link(&src, &dst) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&dst)?;
                std::fs::hard_link(&src, &dst)
            }
            // A file system without links: copied.
            Err(e) if e.kind() == io::ErrorKind::Unsupported => std::fs::copy(&src, &dst).map(|_| ()),
            other => other,
        }
    })
}

/// Moves each of `files` of `from` to the same place under `to`.
pub fn move_all(from: &Path, to: &Path, files: &[&str]) -> io::Result<()> {
    make_folders(to, files)?;
    files.par_iter().try_for_each(|rel| std::fs::rename(safe_join(from, rel)?, safe_join(to, rel)?))
}

/// Removes each of `files` under `dir`, and the folders that leaves empty.
pub fn remove_files(dir: &Path, files: &[&str]) -> io::Result<()> {
    let mut folders = BTreeSet::new();
    for rel in files {
        let path = safe_join(dir, rel)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        folders.extend(path.ancestors().skip(1).take_while(|p| *p != dir).map(Path::to_path_buf));
    }
    // Deepest first; fails, as it should, unless empty.
    for folder in folders.iter().rev() {
        let _ = std::fs::remove_dir(folder);
    }
    Ok(())
}
