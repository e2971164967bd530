//! The import report: per raw file, its encoding and what was removed; per
//! document, where it goes, what was detected with what confidence and how,
//! and what needs a human look. Printed as text and written as JSON.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::draft::ImportedFile;
use super::meta::Meta;
use crate::diagnostics::sanitize;

const HEADER: &str = super::draft::HEADER_REMOVED;

#[derive(Debug, Serialize)]
pub struct Report {
    pub files: Vec<FileReport>,
    pub dry_run: bool,
    /// One per input that was not imported (empty, truncated, undecodable,
    /// or a document that could not be written), sorted.
    #[serde(serialize_with = "serialize_problems")]
    pub problems: Vec<crate::diagnostics::Diagnostic>,
}

fn serialize_problems<S: serde::Serializer>(
    problems: &[crate::diagnostics::Diagnostic],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(problems.iter().map(ToString::to_string))
}

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub raw: String,
    pub encoding: String,
    pub encoding_confidence: f32,
    /// Reason → the pieces of text removed for it.
    pub removed: BTreeMap<String, Vec<String>>,
    pub documents: Vec<DocumentReport>,
    /// The archive's copy of the raw file, which the documents cite
    /// (`content/raw/<name>`); `None` with `--out`, which keeps none.
    pub raw_kept: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct DocumentReport {
    pub path: PathBuf,
    pub line: usize,
    /// The header as printed, read into the metadata.
    pub header: Option<String>,
    /// What was removed from this document's lines (reason, text); what
    /// cannot be told apart by line stays with the file.
    pub removed: Vec<(String, String)>,
    pub written: bool,
    pub meta: Meta,
    pub detected: Vec<Detection>,
    pub needs_human: Vec<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Detection {
    pub field: String,
    pub confidence: f32,
    pub how: String,
}

/// Builds the report of one file; `paths` are where its drafts go.
pub fn report_file(file: &ImportedFile, paths: &[PathBuf], written: bool, raw_kept: Option<PathBuf>) -> FileReport {
    let mut removed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &file.removed {
        removed.entry(r.reason.to_string()).or_default().push(r.text.clone());
    }
    let lines: Vec<usize> = file.drafts.iter().map(|d| d.line).collect();
    let removed_from = |i: usize| -> Vec<(String, String)> {
        let (start, next) = (lines[i], lines.get(i + 1).copied().unwrap_or(usize::MAX));
        let shared = lines.iter().filter(|&&l| l == start).count() > 1;
        let mine = |r: &&super::lines::Removed| !shared && r.line >= start && r.line < next && r.reason != HEADER;
        file.removed.iter().filter(mine).map(|r| (r.reason.to_string(), r.text.clone())).collect()
    };
    let documents = file
        .drafts
        .iter()
        .zip(paths)
        .enumerate()
        .map(|(i, (d, path))| DocumentReport {
            path: path.clone(),
            line: d.line,
            header: d.header.clone(),
            removed: removed_from(i),
            written,
            meta: d.meta.clone(),
            detected: d
                .meta
                .found
                .iter()
                .map(|(f, c, h)| Detection { field: f.to_string(), confidence: *c, how: h.clone() })
                .collect(),
            needs_human: d.needs_human.clone(),
            notes: d.notes.clone(),
        })
        .collect();
    FileReport {
        raw: file.name.clone(),
        encoding: file.encoding.to_string(),
        encoding_confidence: file.encoding_confidence,
        removed,
        documents,
        raw_kept,
    }
}

/// The report as text for a terminal (scraped text sanitised).
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.files {
        out.push_str(&format!("{} ({}, confidence {:.2})\n", f.raw, f.encoding, f.encoding_confidence));
        for (reason, pieces) in &f.removed {
            let chars: usize = pieces.iter().map(|p| p.chars().count()).sum();
            out.push_str(&format!("  removed {reason}: {} piece(s), {chars} characters\n", pieces.len()));
        }
        if let Some(kept) = &f.raw_kept {
            let verb = if report.dry_run { "would keep" } else { "kept" };
            out.push_str(&format!("  {verb} the raw file as {}\n", kept.display()));
        }
        for d in &f.documents {
            let verb = if report.dry_run {
                "would write"
            } else if d.written {
                "wrote"
            } else {
                "skipped"
            };
            out.push_str(&format!("  {verb} {} (from line {})\n", d.path.display(), d.line));
            if let Some(h) = &d.header {
                out.push_str(&format!("    header: {h}\n"));
            }
            for (reason, text) in &d.removed {
                let short: String = text.chars().take(40).collect();
                out.push_str(&format!("    removed {reason}: {short}\n"));
            }
            for x in &d.detected {
                out.push_str(&format!("    {:<14} {:.2}  {}\n", x.field, x.confidence, x.how));
            }
            for n in &d.notes {
                out.push_str(&format!("    note: {n}\n"));
            }
            for n in &d.needs_human {
                out.push_str(&format!("    needs a human: {n}\n"));
            }
        }
    }
    // Line by line: the report's own line breaks stay.
    out.split_inclusive('\n')
        .map(|l| sanitize(l.trim_end_matches('\n')) + if l.ends_with('\n') { "\n" } else { "" })
        .collect()
}
