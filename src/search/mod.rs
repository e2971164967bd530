//! Search stage: an exact full-text index of the archive for the browser,
//! as static files under `search/`. Owns what is searchable (`text`; its
//! normal form, shared with the client, is `script::fold`), the index — per gram
//! the documents that hold it and per bigram where (`grams`, `packs`,
//! `codec`), with the small files beside it (`publish`) — and the query the
//! client runs (`query`). The search page itself is `render`'s.

mod codec;
mod concordance;
mod grams;
mod packs;
mod publish;
mod query;
mod runs;
mod text;

use crate::error::Result;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

pub use codec::{pack, slot_of, unpack, Gram};
pub use concordance::{concordance, Line, Order};
pub use publish::{RECORDS_PER_FILE, VERSION};
pub use query::{
    phrases, query, search, terms, trend, Filters, Hit, IndexFiles, OutputIndex, Trend, TrendYear, MAX_PHRASES,
};
pub use runs::RunStore;
pub use text::{body_segments, head_segments, Segment};

use crate::identity::Fingerprint;
use crate::index::{document_url, FacetKey, Index};
use crate::model::Archive;
use crate::sink::Sink;
use crate::words::{format_date, Words};
use grams::DOCS_PER_RUN;
use runs::Stored;

/// Facets the search page filters by, in its order.
pub const FACETS: [FacetKey; 6] =
    [FacetKey::Province, FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind];

/// Characters of text per bucket (a pair of packs) the bucket count aims
/// at: packs of a few hundred kilobytes, which a host that ignores byte
/// ranges sends whole.
const CHARS_PER_BUCKET: usize = 128 * 1024;

/// Most buckets.
const MAX_BUCKETS: usize = 1024;

/// What a result shows of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub url: String,
    pub title: String,
    pub speakers: Vec<String>,
    pub place: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchFacet {
    pub key: &'static str,
    pub name: String,
    pub terms: Vec<SearchTerm>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchTerm {
    pub slug: String,
    pub name: String,
    pub docs: Vec<usize>,
}

/// The index, as the files it publishes.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    pub facets: Vec<SearchFacet>,
    /// Every file, by path under the output (`search/meta.json`, …), sorted.
    pub files: Vec<(String, Vec<u8>)>,
    /// Digest of the index's inputs ([`inputs`]); every file is written
    /// with it, so that a build whose inputs match can keep them all.
    pub fingerprint: Fingerprint,
}

/// What the index is made from: the documents as a result shows them,
/// and the facets.
pub struct SearchInputs<'a> {
    archive: &'a Archive,
    docs: Vec<SearchDoc>,
    facets: Vec<SearchFacet>,
    /// Per document, the digest of what is searchable in it.
    per_doc: Vec<u64>,
    pub fingerprint: Fingerprint,
}

/// Gathers the index's inputs and their digest: cheap (no text is
/// normalised), so a build can compare the digest with the last one and
/// keep the previous `search/` files ([`Sink::keep_all`]).
pub fn inputs<'a>(archive: &'a Archive, index: &Index, words: &Words) -> SearchInputs<'a> {
    let docs: Vec<SearchDoc> = archive
        .documents
        .par_iter()
        .map(|doc| SearchDoc {
            url: document_url(doc),
            title: doc.title.clone(),
            speakers: doc.speakers.clone(),
            place: crate::index::place_path(doc),
            date: format_date(&doc.date, words.language),
        })
        .collect();
    let facets: Vec<SearchFacet> = FACETS
        .iter()
        .map(|&key| SearchFacet {
            key: key.key(),
            name: words.facet(key),
            terms: index
                .facet(key)
                .terms
                .iter()
                .map(|t| SearchTerm {
                    slug: t.slug.clone(),
                    name: if key == FacetKey::Kind { words.get(&format!("kind_{}", t.name)) } else { t.name.clone() },
                    docs: t.docs.clone(),
                })
                .collect(),
        })
        .collect();
    let per_doc: Vec<u64> = archive
        .documents
        .par_iter()
        .zip(&docs)
        .map(|(doc, shown)| {
            let mut h = Xxh3::new();
            head_segments(doc).iter().for_each(|s| s.text.hash(&mut h));
            (doc.digest, &doc.body).hash(&mut h);
            (&shown.url, &shown.title, &shown.speakers, &shown.place, &shown.date).hash(&mut h);
            h.finish()
        })
        .collect();
    let fingerprint = publish::fingerprint(per_doc.iter().copied(), &facets, words.language);
    SearchInputs { archive, docs, facets, per_doc, fingerprint }
}

/// Phase one's output: every run of documents' blocks, text file and
/// prints, in the cache folder (or in memory).
pub struct Runs {
    stored: Vec<Stored>,
    buckets: usize,
}

impl SearchInputs<'_> {
    /// Phase one: every run of documents indexed in parallel, kept in
    /// `store`, or taken from it when the run is unchanged.
    pub fn runs(&self, store: &RunStore) -> Result<Runs> {
        // Bytes of Markdown ≈ 3 × characters.
        let chars: usize = self.archive.documents.iter().map(|d| d.body_len / 3).sum();
        let buckets = (chars / CHARS_PER_BUCKET).clamp(1, MAX_BUCKETS).next_power_of_two();
        let settings = run_settings(buckets);
        let chunks: Vec<_> =
            self.archive.documents.chunks(DOCS_PER_RUN).zip(self.per_doc.chunks(DOCS_PER_RUN)).collect();
        // One indexer a thread, reused: rayon makes more jobs than threads.
        let indexers = Mutex::new(Vec::new());
        let stored: Vec<Stored> = chunks
            .par_iter()
            .enumerate()
            .map(|(n, (chunk, digests))| {
                let mut h = Xxh3::new();
                (settings, n, digests).hash(&mut h);
                let key = h.finish();
                if let Some(stored) = store.reuse(n, key, buckets) {
                    return Ok(stored);
                }
                let mut indexer: grams::Indexer = lock(&indexers).pop().unwrap_or_default();
                // Emptied first: a run that failed halfway leaves its part.
                indexer.clear();
                for (i, doc) in chunk.iter().enumerate() {
                    let number = n * DOCS_PER_RUN + i;
                    let body = self.archive.body(number)?;
                    indexer.add(number as u32, doc, &body);
                }
                let run = indexer.run(buckets);
                lock(&indexers).push(indexer);
                store.keep(n, key, run)
            })
            .collect::<Result<_>>()?;
        store.forget_from(stored.len());
        Ok(Runs { stored, buckets })
    }

    /// Phase two: the runs' blocks joined per bucket of grams in parallel,
    /// and every file of the index written through `sink` (each recorded
    /// with the inputs' fingerprint). Returns how many files.
    pub fn write(self, runs: Runs, sink: &dyn Sink) -> Result<usize> {
        let files = AtomicUsize::new(0);
        let put = |rel: String, bytes: Vec<u8>| {
            files.fetch_add(1, Ordering::Relaxed);
            sink.write_page(&format!("search/{rel}"), self.fingerprint, &bytes)
        };
        let directories = packs::pack(&runs.stored, runs.buckets, &put)?;
        runs.stored
            .par_iter()
            .enumerate()
            .try_for_each(|(n, run)| put(format!("t/{n}.bin"), run.text()?.into_owned()))?;
        let buckets = runs.buckets;
        drop(runs);
        publish::small_files(&self.docs, &self.facets, buckets, directories)
            .into_par_iter()
            .try_for_each(|(rel, bytes)| put(rel, bytes))?;
        Ok(files.into_inner())
    }

    /// The index in memory, every file kept (tests and queries read it).
    /// Fails only when a body cannot be read again ([`Archive::body`]).
    pub fn build(self) -> Result<SearchIndex> {
        let (docs, facets, fingerprint) = (self.docs.clone(), self.facets.clone(), self.fingerprint);
        let files = publish::Files::default();
        let runs = self.runs(&RunStore::in_memory())?;
        self.write(runs, &files)?;
        Ok(SearchIndex { docs, facets, files: files.sorted(), fingerprint })
    }
}

/// The runs hold what the shared-passage finder reads: each document's
/// prints (the runs' last section) and its text (the text file).
impl crate::reuse::Prints for Runs {
    fn runs(&self) -> usize {
        self.stored.len()
    }

    fn docs_per_run(&self) -> usize {
        DOCS_PER_RUN
    }

    fn run(&self, n: usize, text: bool) -> Result<Vec<crate::reuse::DocPrint>> {
        let section = self.stored[n].prints()?;
        let word = |i: usize| section.get(4 * i..4 * i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        (0..word(0) as usize)
            .map(|k| {
                let bytes = section.get(word(1 + k) as usize..word(2 + k) as usize).unwrap_or_default();
                crate::reuse::DocPrint::decode(bytes, text).ok_or_else(|| damaged(n))
            })
            .collect()
    }

    fn doc(&self, doc: usize) -> Result<crate::reuse::DocPrint> {
        let (n, k) = (doc / DOCS_PER_RUN, doc % DOCS_PER_RUN);
        let run = &self.stored[n];
        let at = run.prints_range(4 * (1 + k)..4 * (3 + k))?;
        let (from, to) = (u32_at(&at, 0) as usize, u32_at(&at, 4) as usize);
        crate::reuse::DocPrint::decode(&run.prints_range(from..to)?, true).ok_or_else(|| damaged(n))
    }

    fn text(&self, doc: usize) -> Result<crate::markdown::segments::BodyText> {
        let (n, k) = (doc / DOCS_PER_RUN, doc % DOCS_PER_RUN);
        let run = &self.stored[n];
        let at = run.text_range(8 * k..8 * k + 12)?;
        let (anchors, text, end) = (u32_at(&at, 0) as usize, u32_at(&at, 4) as usize, u32_at(&at, 8) as usize);
        let head = run.text_range(anchors..text)?;
        let mut r = codec::Reader::new(&head);
        let _head_length = r.varint();
        let mut position = 0u32;
        let anchors = (0..r.varint())
            .map(|_| {
                position += r.varint() as u32;
                (position, r.varint() as u32)
            })
            .collect();
        let units = run.text_range(text..end)?;
        let chars = units
            .chunks_exact(2)
            .map(|u| char::from_u32(u16::from_le_bytes([u[0], u[1]]) as u32).unwrap_or('\u{FFFD}'))
            .collect();
        Ok(crate::markdown::segments::BodyText { chars, anchors })
    }
}

fn u32_at(bytes: &[u8], i: usize) -> u32 {
    bytes.get(i..i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// A run file that does not read back as written.
fn damaged(run: usize) -> crate::error::Error {
    crate::error::Error::io("read", format!("search run {run}"), std::io::Error::other("cut short or damaged"))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a run's blocks depend on besides its documents: this program (a
/// new one may index differently) and the bucket count.
fn run_settings(buckets: usize) -> u64 {
    let mut h = Xxh3::new();
    (VERSION, buckets, crate::identity::program()).hash(&mut h);
    h.finish()
}

/// Indexes every document of the archive.
pub fn build_search(archive: &Archive, index: &Index, words: &Words) -> Result<SearchIndex> {
    inputs(archive, index, words).build()
}

/// The grams a query term is found by: its unigram, its bigram, or (three
/// characters or more) bigrams at offsets 0, 2, 4, … and the last, which
/// cover every character — with their offsets.
pub fn grams_of_term(term: &[char]) -> Vec<(usize, Gram)> {
    match term.len() {
        0 => Vec::new(),
        1 => vec![(0, [term[0], '\0'])],
        n => {
            let mut offsets: Vec<usize> = (0..n - 1).step_by(2).collect();
            if offsets.last() != Some(&(n - 2)) {
                offsets.push(n - 2);
            }
            offsets.into_iter().map(|k| (k, [term[k], term[k + 1]])).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_covered_by_bigrams_at_even_offsets_and_the_last() {
        let t = |s: &str| grams_of_term(&s.chars().collect::<Vec<_>>()).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(t("扶"), [0]);
        assert_eq!(t("扶贫"), [0]);
        assert_eq!(t("易地搬"), [0, 1]);
        assert_eq!(t("易地搬迁"), [0, 2]);
        assert_eq!(t("两不愁三保障"), [0, 2, 4]);
        assert_eq!(t("两不愁三保障。"), [0, 2, 4, 5]);
    }
}
