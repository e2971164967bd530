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

use crate::cli::ImportArgs;
use crate::diagnostics::{line_col, Diagnostic, Diagnostics};
use draft::{import_file, ImportedFile};

/// Runs `archive import`.
pub fn run(args: &ImportArgs, quiet: bool) -> Result<(), Diagnostics> {
    let out = args.out.clone().unwrap_or_else(|| args.root.join("content/speeches"));
    let mut known = archive::read_archive(&args.root);
    let progress = progress_bar(args.files.len(), quiet);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in &args.files {
        progress.set_message(path.display().to_string());
        match read_and_import(path, &mut known) {
            Ok(file) => files.push(file),
            Err(d) => problems.push(d),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if !problems.is_empty() {
        return Err(Diagnostics::sorted(problems));
    }
    let plans =
        output::plan_writes(&files, &args.files, args.out.is_none().then_some(args.root.as_path()), &out, args.force)
            .map_err(Diagnostics::sorted)?;
    if !args.dry_run {
        for planned in plans.iter().flatten() {
            output::write_atomically(planned).map_err(|e| one(&planned.path, format!("cannot write: {e}")))?;
        }
    }
    let paths = |i: usize| plans[i].iter().map(|p| p.path.clone()).collect::<Vec<PathBuf>>();
    let files = files.iter().enumerate().map(|(i, f)| report::report_file(f, &paths(i), !args.dry_run)).collect();
    let report = report::Report { files, dry_run: args.dry_run };
    if !quiet {
        print!("{}", report::render_text(&report));
    }
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).expect("the report serialises");
        std::fs::write(path, json).map_err(|e| one(path, format!("cannot write the report: {e}")))?;
    }
    Ok(())
}

fn read_and_import(path: &Path, known: &mut Vec<archive::Known>) -> Result<ImportedFile, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::new(path, 1, 1, format!("cannot read: {e}")))?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().to_string());
    import_file(&name, &bytes, known).map_err(|e| {
        let (line, col) = line_col(&String::from_utf8_lossy(&bytes[..e.offset.min(bytes.len())]), usize::MAX);
        Diagnostic::new(path, line, col, e.message)
    })
}

fn one(path: &Path, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::new(path, 1, 1, message)])
}

fn progress_bar(len: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || len < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod run_test;
#[cfg(test)]
mod seeds_test;
