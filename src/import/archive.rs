//! The documents already in the archive, as the importer needs them: slug,
//! body shingles for the reprint check, the raw file's hash (a re-import is
//! not a reprint) and the metadata a reprint may inherit. Unreadable files
//! are skipped: `archive check` reports them, not the importer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::model::{Document, Kind, PartialDate};

/// One document of the archive, or one imported earlier in the same run.
#[derive(Debug, Clone)]
pub struct Known {
    pub slug: String,
    pub shingles: HashSet<u64>,
    pub raw_sha256: Option<String>,
    /// Metadata a reprint may take over.
    pub meta: KnownMeta,
    /// The archive file it was loaded from, relative to the root.
    pub path: Option<PathBuf>,
}

/// What a reprint may take over from its original.
#[derive(Debug, Clone, Default)]
pub struct KnownMeta {
    pub date: Option<PartialDate>,
    pub speaker: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub county: Option<String>,
    pub occasion: Option<String>,
    pub kind: Option<Kind>,
}

impl KnownMeta {
    fn of_document(d: &Document) -> KnownMeta {
        KnownMeta {
            date: Some(d.date),
            speaker: (!d.speakers.is_empty()).then(|| d.speakers.join("、")),
            city: Some(d.city.clone()),
            province: d.province.clone(),
            county: d.county.clone(),
            occasion: d.occasion.clone(),
            kind: Some(d.kind),
        }
    }
}

/// Reads every document under `<root>/content/speeches`.
pub fn read_archive(root: &Path) -> Vec<Known> {
    let dir = root.join(crate::load::CONTENT_DIR).join("speeches");
    let mut known = Vec::new();
    for entry in WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let rel = path.strip_prefix(root).unwrap_or(path);
        if let Ok(doc) = crate::load::parse_document(rel, &text, &[]) {
            known.push(Known {
                slug: doc.slug.clone(),
                shingles: super::similar::shingles(&doc.body),
                raw_sha256: doc.source.as_ref().and_then(|s| s.raw_sha256.clone()),
                path: Some(rel.to_path_buf()),
                meta: KnownMeta::of_document(&doc),
            });
        }
    }
    known
}
