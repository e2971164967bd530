//! Import stage: raw speech texts → clean content files with metadata.
//! `run` reads the pipeline: read and import each file in memory, in
//! parallel (decode, clean, split, detect) → link each document, in input
//! order, to what it reprints (in the archive or earlier in the run) →
//! plan and validate each file's writes → write atomically → report. A file
//! that cannot be read or imported is reported and the others are written.
//! The library prints nothing: the caller gets the report and the problems.

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

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cli::ImportArgs;
use crate::diagnostics::{line_col, Diagnostic, Diagnostics};
use draft::{import_file, ImportedFile};
pub use report::{render_text, Report};

/// What an import did: the report of the files imported, and a problem for
/// each file that was not (with its path, line and column).
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub problems: Diagnostics,
}

/// Runs `archive import`. `on_file` is called once per input file as it is
/// read (for a progress bar). `Err` only when the report cannot be written.
pub fn run(args: &ImportArgs, on_file: &(dyn Fn() + Sync)) -> Result<Outcome, Diagnostics> {
    let out = args.out.clone().unwrap_or_else(|| args.root.join("content/speeches"));
    let results: Vec<Result<ImportedFile, Diagnostic>> = args
        .files
        .par_iter()
        .map(|path| {
            let result = read_and_import(path);
            on_file();
            result
        })
        .collect();
    let mut known = archive::KnownDocuments::read(&args.root);
    let root = args.out.is_none().then_some(args.root.as_path());
    let mut problems = Vec::new();
    let mut taken = BTreeSet::new();
    let mut reports = Vec::new();
    for (result, raw) in results.into_iter().zip(&args.files) {
        let mut file = match result {
            Ok(file) => file,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        for d in &mut file.drafts {
            draft::link(d, &mut known);
        }
        let planned = match output::plan_file(&file, raw, root, &out, args.force, &mut taken) {
            Ok(planned) => planned,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        let mut written = !args.dry_run;
        if !args.dry_run {
            for p in &planned {
                if let Err(e) = output::write_atomically(p) {
                    problems.push(Diagnostic::new(raw, 1, 1, format!("cannot write {}: {e}", p.path.display())));
                    written = false;
                }
            }
        }
        let paths: Vec<PathBuf> = planned.into_iter().map(|p| p.path).collect();
        reports.push(report::report_file(&file, &paths, written));
    }
    let report = Report { files: reports, dry_run: args.dry_run };
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).expect("the report serialises");
        std::fs::write(path, json)
            .map_err(|e| Diagnostics(vec![Diagnostic::new(path, 1, 1, format!("cannot write the report: {e}"))]))?;
    }
    Ok(Outcome { report, problems: Diagnostics::sorted(problems) })
}

fn read_and_import(path: &Path) -> Result<ImportedFile, Diagnostic> {
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
