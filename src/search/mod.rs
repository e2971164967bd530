//! Search stage: an exact full-text index of the archive for the browser,
//! as static files under `search/`. Owns the normalisation shared with the
//! client (`normalize`), what is searchable (`text`), the index — per gram
//! the documents that hold it and per bigram where (`grams`, `packs`,
//! `codec`), with the small files beside it (`publish`) — and the query the
//! client runs (`query`). The search page itself is `render`'s.

mod codec;
mod grams;
mod normalize;
mod packs;
mod publish;
mod query;
mod text;

use std::hash::{Hash, Hasher};

use rayon::prelude::*;

pub use codec::{pack, slot_of, unpack, Gram};
pub use normalize::{fold, fold_pairs, normalize};
pub use publish::{RECORDS_PER_FILE, VERSION};
pub use query::{query, search, terms, Filters, Hit};
pub use text::{body_segments, head_segments, Segment};

use crate::index::{FacetKey, Index};
use crate::model::Archive;
use crate::render::views::{document_url, format_date, Words};
use crate::write::Fingerprint;
use grams::DOCS_PER_RUN;

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
    pub fingerprint: Fingerprint,
}

/// Gathers the index's inputs and their digest: cheap (no text is
/// normalised), so a build can compare the digest with the last one and
/// keep the previous `search/` files ([`crate::write::Sink::keep_all`]).
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
            let mut h = FastHash::default();
            head_segments(doc).iter().for_each(|s| s.text.hash(&mut h));
            doc.body.hash(&mut h);
            (&shown.url, &shown.title, &shown.speakers, &shown.place, &shown.date).hash(&mut h);
            h.finish()
        })
        .collect();
    let fingerprint = publish::fingerprint(per_doc.into_iter(), &facets, words.language);
    SearchInputs { archive, docs, facets, fingerprint }
}

impl SearchInputs<'_> {
    /// Indexes every document: phase one per run of documents in
    /// parallel, phase two per bucket of grams in parallel.
    pub fn build(self) -> SearchIndex {
        // Bytes of Markdown ≈ 3 × characters; records take about 2.2 bytes
        // a byte of Markdown, which each run's buckets reserve (untouched
        // room costs nothing; regrowing would copy).
        let chars: usize = self.archive.documents.iter().map(|d| d.body.len() / 3).sum();
        let buckets = (chars / CHARS_PER_BUCKET).clamp(1, MAX_BUCKETS).next_power_of_two();
        let runs: Vec<grams::Run> = self
            .archive
            .documents
            .par_chunks(DOCS_PER_RUN)
            .enumerate()
            .map_init(grams::Scratch::default, |scratch, (n, chunk)| {
                let bytes: usize = chunk.iter().map(|d| d.body.len()).sum::<usize>() * 9 / 4 / buckets;
                let mut run = grams::Run::new(buckets, bytes);
                for (i, doc) in chunk.iter().enumerate() {
                    grams::index_document((n * DOCS_PER_RUN + i) as u32, doc, scratch, &mut run);
                }
                run
            })
            .collect();
        let packed = packs::pack(runs, buckets);
        let mut files = publish::small_files(&self.docs, &self.facets, buckets, packed.directories);
        files.extend(packed.files);
        let mut files: Vec<(String, Vec<u8>)> =
            files.into_iter().map(|(rel, bytes)| (format!("search/{rel}"), bytes)).collect();
        files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        SearchIndex { docs: self.docs, facets: self.facets, files, fingerprint: self.fingerprint }
    }
}

/// Indexes every document of the archive.
pub fn build_search(archive: &Archive, index: &Index, words: &Words) -> SearchIndex {
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

/// A fast, fixed (unseeded) 64-bit hash for fingerprints: a multiply and
/// rotate per 8 bytes, so digesting every text costs little.
#[derive(Default)]
pub struct FastHash(u64);

impl Hasher for FastHash {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(last) ^ (bytes.len() as u64) << 56);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
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
