//! Import stage: raw speech texts → clean content files with metadata.
//! `run` reads the pipeline: read and import each file in memory, in
//! parallel (decode, clean, split, detect) → link each document, in input
//! order, to what it reprints (in the archive or earlier in the run) →
//! plan and validate each file's writes → write every file (and the raw
//! file, kept in the archive's `content/raw/`) under a temporary name, in
//! parallel → flush the disk once → rename each into place → report. A file
//! that cannot be read or imported is reported and the others are written.
//! The library prints nothing: the caller gets the report, which lists the
//! problems too.

mod archive;
mod clean;
mod date;
mod decode;
mod draft;
mod emit;
mod head;
mod kind;
mod lines;
mod meta;
mod occasion;
mod outline;
mod output;
mod own_unit;
mod people;
mod places_in_text;
mod provenance;
mod repeats;
mod report;
mod similar;
mod speaker;
mod split;
mod title;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{line_col, Diagnostic};
use crate::error::{Error, Result};
use draft::{import_file, ImportedFile};
pub use report::{render_text, Report};

/// What `archive import` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Raw text files (UTF-8, GB18030/GBK or Big5).
    pub files: Vec<PathBuf>,
    /// The archive's folder: its content is compared to find reprints.
    pub root: PathBuf,
    /// Where to write content files; `<root>/content/speeches` when `None`.
    pub out: Option<PathBuf>,
    /// Report what would be written; write nothing.
    pub dry_run: bool,
    /// Overwrite existing content files.
    pub force: bool,
    /// Also write the report as JSON to this file.
    pub report: Option<PathBuf>,
    /// The day written as each new document's `added` (the binary gives
    /// today's, or `SOURCE_DATE_EPOCH`'s); `None` writes no `added`.
    pub added: Option<crate::model::PartialDate>,
}

/// Told of each input file as its import starts (the binary draws a
/// progress bar); `()` is told nothing. Files are imported in parallel.
pub trait Progress: Sync {
    fn file(&self, _done: usize, _total: usize, _path: &Path) {}
}

impl Progress for () {}

/// Runs `archive import`: returns the report (written as JSON to
/// `options.report` too, when asked) for the caller to show. A file that
/// cannot be imported is in the report's `problems` (path:line:col), and
/// the others are written; `Err` when the report cannot be written.
pub fn run(args: &ImportOptions, progress: &dyn Progress) -> Result<Report> {
    let out = args.out.clone().unwrap_or_else(|| args.root.join("content/speeches"));
    let started = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::result::Result<ImportedFile, Diagnostic>> = args
        .files
        .par_iter()
        .map(|path| {
            let done = started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            progress.file(done, args.files.len(), path);
            read_and_import(path)
        })
        .collect();
    let mut known = archive::KnownDocuments::read(&args.root);
    let root = args.out.is_none().then_some(args.root.as_path());
    let mut problems = Vec::new();
    let mut taken = BTreeSet::new();
    let mut raw_names = std::collections::BTreeMap::new();
    // Linked and planned in input order (what a text reprints, and which
    // file gets a path first, depend on the files before it).
    let mut accepted = Vec::new();
    for (result, raw) in results.into_iter().zip(&args.files) {
        let mut file = match result {
            Ok(file) => file,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        for d in &mut file.drafts {
            d.added = args.added;
            draft::link(d, &mut known);
        }
        let planned = match output::plan_file(&file, raw, root, &out, args.force, &mut taken) {
            Ok(planned) => planned,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        // content/raw/ keeps one file per name: two inputs of this run that
        // share a name but not their bytes would cite one another's file
        // (a dry run, which copies nothing, must say so as the real run does).
        if let Some(d) = root.and_then(|_| output::same_name(raw, &file.name, &mut raw_names)) {
            problems.push(d);
            continue;
        }
        // The raw file is kept in the archive, which cites and publishes it.
        let kept_raw = match root.map(|root| output::plan_raw(raw, &file.name, root, args.force)).transpose() {
            Ok(kept) => kept.flatten(),
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        accepted.push((file, raw, planned, kept_raw));
    }
    // Every file written under a temporary name (in parallel), the disks
    // flushed once, then each renamed into place: nothing half-written, and
    // one flush for the batch, not one per file.
    let staged: Vec<std::result::Result<output::Staged, Diagnostic>> = if args.dry_run {
        Vec::new()
    } else {
        accepted
            .par_iter()
            .map(|(_, raw, planned, kept_raw)| output::stage(raw, planned, kept_raw.as_deref()))
            .collect()
    };
    if !args.dry_run {
        let folders: BTreeSet<&Path> = std::iter::once(out.as_path()).chain(root).collect();
        output::flush(folders.into_iter());
    }
    let mut staged = staged.into_iter();
    let mut reports = Vec::new();
    for (file, _, planned, _) in accepted {
        let written = match staged.next() {
            None => false,
            Some(Err(d)) => {
                problems.push(d);
                false
            }
            Some(Ok(staged)) => match staged.publish() {
                Ok(()) => true,
                Err(d) => {
                    problems.push(d);
                    false
                }
            },
        };
        let paths: Vec<PathBuf> = planned.into_iter().map(|p| p.path).collect();
        let raw_kept = root.map(|root| crate::config::raw_dir(root).join(&file.name));
        reports.push(report::report_file(&file, &paths, written, raw_kept));
    }
    problems.sort();
    let report = Report { files: reports, dry_run: args.dry_run, problems };
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).map_err(|e| Error::io("write", path, e.into()))?;
        std::fs::write(path, json).map_err(|e| Error::io("write", path, e))?;
    }
    Ok(report)
}

fn read_and_import(path: &Path) -> std::result::Result<ImportedFile, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::new(path, 1, 1, format!("cannot read: {e}")))?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().to_string());
    import_file(&name, &bytes).map_err(|e| {
        let (line, col) = line_col(&String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]), usize::MAX);
        Diagnostic::new(path, line, col, e.message)
    })
}

#[cfg(test)]
mod run_test;
#[cfg(test)]
mod seeds_test;
