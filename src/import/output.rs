//! Writing drafts: the documents of each raw file are rendered and
//! validated with the project's loader, and checked against existing files,
//! before any of them is written; then each is written to a temporary name,
//! the disk is flushed once for the batch, and each is renamed, so no
//! half-written file is left behind. The raw file goes
//! into the archive's `content/raw/` the same way, unless it is there.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::draft::ImportedFile;
use super::emit::{relative_path, render_file};
use crate::diagnostics::Diagnostic;

/// One file to write.
#[derive(Debug, Clone)]
pub struct Planned {
    pub path: PathBuf,
    pub text: String,
}

/// Renders and validates the drafts of one raw file (`raw`, named in
/// diagnostics). New documents go under `out`; with a `root` (no `--out`
/// given), a re-imported one goes where the archive keeps it. `taken` holds
/// the paths other files of the run will write.
pub fn plan_file(
    file: &ImportedFile,
    raw: &Path,
    root: Option<&Path>,
    out: &Path,
    force: bool,
    taken: &mut BTreeSet<PathBuf>,
) -> Result<Vec<Planned>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut planned = Vec::new();
    for draft in &file.drafts {
        let rel = relative_path(draft);
        // A re-imported document goes where the archive keeps it.
        let path = match (&draft.replaces, root) {
            (Some(existing), Some(root)) => root.join(existing),
            _ => out.join(&rel),
        };
        let text = render_file(draft);
        let at = |m: String| Diagnostic::new(raw, draft.line, 1, m);
        let content_path = Path::new("content/speeches").join(&rel);
        if let Err(errors) = crate::load::parse_document(&content_path, &text, &[]) {
            for e in errors {
                problems.push(at(format!("the file made for {} would not load: {}", rel.display(), e.message)));
            }
        }
        if taken.contains(&path) || planned.iter().any(|p: &Planned| p.path == path) {
            problems.push(at(format!("two documents would be written to {}", path.display())));
        } else if path.exists() && !force {
            problems.push(at(format!("{} exists; use --force to overwrite it", path.display())));
        }
        planned.push(Planned { path, text });
    }
    if problems.is_empty() {
        taken.extend(planned.iter().map(|p| p.path.clone()));
        Ok(planned)
    } else {
        Err(problems)
    }
}

/// Where the archive keeps the raw file `raw` (named `name` in the
/// documents' `source.raw`): `<root>/content/raw/<name>`, or `None` when
/// the same bytes are there already. Other bytes under that name are kept
/// (documents cite them by hash) unless `force`.
pub fn plan_raw(raw: &Path, name: &str, root: &Path, force: bool) -> Result<Option<PathBuf>, Diagnostic> {
    let dest = crate::config::raw_dir(root).join(name);
    let Ok(existing) = std::fs::read(&dest) else { return Ok(Some(dest)) };
    let bytes = std::fs::read(raw).map_err(|e| Diagnostic::new(raw, 1, 1, format!("cannot read: {e}")))?;
    if existing == bytes {
        Ok(None)
    } else if force {
        Ok(Some(dest))
    } else {
        let m = format!(
            "{} holds other bytes under this name; rename the raw file, or use --force to replace it",
            dest.display()
        );
        Err(Diagnostic::new(raw, 1, 1, m))
    }
}

/// `Some` problem when an earlier input of this run, listed in `seen`
/// (name → input), has the name `name` with other bytes than `raw`;
/// otherwise notes `raw` under its name.
pub fn same_name(raw: &Path, name: &str, seen: &mut BTreeMap<String, PathBuf>) -> Option<Diagnostic> {
    let Some(other) = seen.get(name) else {
        seen.insert(name.to_string(), raw.to_path_buf());
        return None;
    };
    let same = matches!((std::fs::read(raw), std::fs::read(other)), (Ok(a), Ok(b)) if a == b);
    let m = format!(
        "{} has the same file name with other bytes, and content/raw/ keeps one file per name; rename one of them",
        other.display()
    );
    (!same).then(|| Diagnostic::new(raw, 1, 1, m))
}

/// The files of one raw file, written under temporary names beside their
/// destinations, waiting to be renamed into place.
#[derive(Debug)]
pub struct Staged {
    raw: PathBuf,
    /// (temporary, destination) pairs.
    moves: Vec<(PathBuf, PathBuf)>,
}

/// Writes the planned files of `raw`, and the raw file itself to `kept_raw`
/// when given, under temporary names. On a failure the temporary files
/// already written are removed and nothing of this raw file is written.
pub fn stage(raw: &Path, planned: &[Planned], kept_raw: Option<&Path>) -> Result<Staged, Diagnostic> {
    let mut staged = Staged { raw: raw.to_path_buf(), moves: Vec::new() };
    let raw_bytes = kept_raw.map(|dest| (dest, std::fs::read(raw)));
    let files = raw_bytes
        .into_iter()
        .map(|(dest, bytes)| (dest, bytes.map(std::borrow::Cow::Owned)))
        .chain(planned.iter().map(|p| (p.path.as_path(), Ok(std::borrow::Cow::Borrowed(p.text.as_bytes())))));
    for (dest, bytes) in files {
        match bytes.and_then(|bytes| write_temporary(dest, &bytes)) {
            Ok(temp) => staged.moves.push((temp, dest.to_path_buf())),
            Err(e) => {
                staged.discard();
                return Err(Diagnostic::new(raw, 1, 1, format!("cannot write {}: {e}", dest.display())));
            }
        }
    }
    Ok(staged)
}

impl Staged {
    /// Renames each file into place.
    pub fn publish(self) -> Result<(), Diagnostic> {
        for (temp, dest) in &self.moves {
            if let Err(e) = std::fs::rename(temp, dest) {
                let _ = std::fs::remove_file(temp);
                return Err(Diagnostic::new(&self.raw, 1, 1, format!("cannot write {}: {e}", dest.display())));
            }
        }
        Ok(())
    }

    fn discard(&self) {
        for (temp, _) in &self.moves {
            let _ = std::fs::remove_file(temp);
        }
    }
}

fn write_temporary(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp).and_then(|mut f| f.write_all(bytes));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(temp)
}

/// Flushes the file systems that hold `folders` to disk, once for the whole
/// batch (not once per file), so that a power loss after the renames cannot
/// leave a document pointing at bytes never written. Best effort: a folder
/// that is not there yet holds nothing staged.
pub fn flush<'a>(folders: impl Iterator<Item = &'a Path>) {
    for dir in folders {
        let Ok(dir) = std::fs::File::open(dir) else { continue };
        #[cfg(target_os = "linux")]
        let _ = rustix::fs::syncfs(&dir);
        #[cfg(not(target_os = "linux"))]
        let _ = dir.sync_all();
    }
}
