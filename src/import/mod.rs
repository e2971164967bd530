//! Import stage: raw speech texts → clean content files with metadata.
//! `run` reads the pipeline: read → import each file in memory (decode,
//! clean, split, detect, find reprints) → plan and validate every write →
//! write atomically → report. Nothing is written if any input fails.

mod archive;
mod clean;
mod decode;
mod draft;
mod emit;
mod lines;
mod meta;
mod outline;
mod output;
mod places_in_text;
mod provenance;
mod repeats;
mod report;
mod similar;
mod split;

use std::path::{Path, PathBuf};

use crate::diagnostics::{line_col, Diagnostic, Diagnostics};
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
}

/// Told of each input file as its import starts (the binary draws a
/// progress bar); `()` is told nothing.
pub trait Progress {
    fn file(&self, _done: usize, _total: usize, _path: &Path) {}
}

impl Progress for () {}

/// Runs `archive import`: returns the report (written as JSON to
/// `options.report` too, when asked) for the caller to show.
pub fn run(args: &ImportOptions, progress: &dyn Progress) -> Result<Report> {
    let out = args.out.clone().unwrap_or_else(|| args.root.join("content/speeches"));
    let mut known = archive::read_archive(&args.root);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (done, path) in args.files.iter().enumerate() {
        progress.file(done, args.files.len(), path);
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        match import_bytes(path, &bytes, &mut known) {
            Ok(file) => files.push(file),
            Err(d) => problems.push(d),
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics::sorted(problems).into());
    }
    let plans =
        output::plan_writes(&files, &args.files, args.out.is_none().then_some(args.root.as_path()), &out, args.force)
            .map_err(Diagnostics::sorted)?;
    if !args.dry_run {
        for planned in plans.iter().flatten() {
            output::write_atomically(planned).map_err(|e| Error::io("write", &planned.path, e))?;
        }
    }
    let paths = |i: usize| plans[i].iter().map(|p| p.path.clone()).collect::<Vec<PathBuf>>();
    let files = files.iter().enumerate().map(|(i, f)| report::report_file(f, &paths(i), !args.dry_run)).collect();
    let report = report::Report { files, dry_run: args.dry_run };
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).map_err(|e| Error::io("write", path, e.into()))?;
        std::fs::write(path, json).map_err(|e| Error::io("write", path, e))?;
    }
    Ok(report)
}

fn import_bytes(path: &Path, bytes: &[u8], known: &mut Vec<archive::Known>) -> Result<ImportedFile, Diagnostic> {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().to_string());
    import_file(&name, bytes, known).map_err(|e| {
        let (line, col) = line_col(&String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]), usize::MAX);
        Diagnostic::new(path, line, col, e.message)
    })
}

#[cfg(test)]
mod run_test;
#[cfg(test)]
mod seeds_test;
