//! The documents already in the archive, as the importer needs them: slug,
//! a MinHash signature of the body for the reprint check (the body itself is
//! read again only for the few candidates that verification needs), the raw
//! file's hash (a re-import is not a reprint) and the metadata a reprint may
//! inherit. Drafts that still need a human count too. Unreadable files are
//! skipped: `archive check` reports them, not the importer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::similar::{best_match, shingles, LshIndex, Signature};
use crate::model::{Document, Kind, PartialDate};

/// One document of the archive, or one imported earlier in the same run.
#[derive(Debug, Clone)]
pub struct Known {
    pub slug: String,
    pub raw_sha256: Option<String>,
    /// Its `added` day, which a re-import keeps.
    pub added: Option<PartialDate>,
    /// Metadata a reprint may take over.
    pub meta: KnownMeta,
    /// The archive file it was loaded from, relative to the root.
    pub path: Option<PathBuf>,
    /// The body of a document imported in this run (an archive document's
    /// is read from its file when needed).
    pub body: Option<String>,
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
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        KnownMeta {
            date: (d.date.year != 0).then_some(d.date),
            speaker: (!d.speakers.is_empty()).then(|| d.speakers.join("、")),
            city: text(&d.city),
            province: d.province.clone(),
            county: d.county.clone(),
            occasion: d.occasion.clone(),
            kind: Some(d.kind),
        }
    }
}

/// Every known document and the index that finds reprint candidates.
#[derive(Debug, Default)]
pub struct KnownDocuments {
    root: PathBuf,
    pub docs: Vec<Known>,
    index: LshIndex,
    /// Each document's signature, by its index in `docs`.
    signatures: Vec<Signature>,
    slugs: HashSet<String>,
}

impl KnownDocuments {
    /// Reads every document under `<root>/content/speeches`, in parallel.
    pub fn read(root: &Path) -> KnownDocuments {
        let dir = root.join(crate::config::CONTENT_DIR).join(crate::config::SPEECHES_DIR);
        let paths: Vec<PathBuf> = WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| e.into_path())
            .collect();
        let read: Vec<(Known, Signature)> = paths
            .par_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(path).ok()?;
                let rel = path.strip_prefix(root).unwrap_or(path);
                let doc = crate::load::parse_document(rel, &text, &[]).ok()?;
                let known = Known {
                    slug: doc.slug.clone(),
                    raw_sha256: doc.source.as_ref().and_then(|s| s.raw_sha256.clone()),
                    added: doc.curation.added,
                    path: Some(rel.to_path_buf()),
                    meta: KnownMeta::of_document(&doc),
                    body: None,
                };
                Some((known, Signature::of(doc.body.text()?)))
            })
            .collect();
        let mut known = KnownDocuments { root: root.to_path_buf(), ..KnownDocuments::default() };
        for (doc, signature) in read {
            known.add(doc, &signature);
        }
        known
    }

    pub fn add(&mut self, doc: Known, signature: &Signature) {
        self.index.insert(self.docs.len(), signature);
        self.signatures.push(signature.clone());
        self.slugs.insert(doc.slug.clone());
        self.docs.push(doc);
    }

    /// The known document this text reprints, verified by exact Jaccard
    /// similarity: its index and score. Only candidates of the index whose
    /// signatures come near the threshold are read and verified.
    pub fn find_original(&self, text: &str, signature: &Signature) -> Option<(usize, f64)> {
        let mut candidates = self.index.candidates(signature);
        candidates.retain(|&i| self.signatures[i].may_reach_threshold(signature));
        if candidates.is_empty() {
            return None;
        }
        best_match(&shingles(text), &candidates, |i| {
            let doc = &self.docs[i];
            match (&doc.body, &doc.path) {
                (Some(body), _) => Some(shingles(body)),
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(self.root.join(path)).ok()?;
                    let doc = crate::load::parse_document(path, &text, &[]).ok()?;
                    Some(shingles(doc.body.text()?))
                }
                (None, None) => None,
            }
        })
    }

    pub fn slug_taken(&self, slug: &str) -> bool {
        self.slugs.contains(slug)
    }
}
