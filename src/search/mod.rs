//! Search stage: a full-text index of the archive for the browser, written
//! as static files beside the site. Owns the normalisation shared with the
//! client (`normalize`), what is searchable (`text`), the index itself
//! (character bigrams and unigrams over chunks of text, sharded by gram
//! hash: `publish`), and the query algorithm the client runs (`query`).
//! It does not render pages; the search page is `render`'s.

mod normalize;
mod publish;
mod query;
mod text;

use rayon::prelude::*;

pub use normalize::{fold, fold_pairs, normalize};
pub use query::{query, search, Filters, Hit};
pub use text::{body_segments, head_segments, Segment};

use crate::index::{FacetKey, Index};
use crate::model::Archive;
use crate::render::views::{document_url, format_date, Words};

/// Body text is cut into chunks of about this many characters (at segment
/// boundaries): verification and snippets fetch chunks, not whole texts.
pub const CHUNK_CHARS: usize = 1500;

/// Facets the search page filters by, in its order.
pub const FACETS: [FacetKey; 6] =
    [FacetKey::Province, FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind];

/// A character bigram, or a unigram with `'\0'` second.
pub type Gram = [char; 2];

/// (chunk, occurrences) of one gram, chunks ascending.
pub type Postings = Vec<(u32, u32)>;

/// What a result shows of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub url: String,
    pub title: String,
    pub speakers: Vec<String>,
    pub place: String,
    pub date: String,
    /// Its chunks: the first is the head (title and metadata).
    pub chunks: std::ops::Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub doc: usize,
    pub segments: Vec<Segment>,
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

/// The whole index in memory; [`SearchIndex::files`] publishes it.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    pub chunks: Vec<Chunk>,
    /// The published postings: shard k's JSON (`search/shards/<k>.json`).
    pub shards: Vec<String>,
    pub facets: Vec<SearchFacet>,
}

/// Indexes every document of the archive.
pub fn build_search(archive: &Archive, index: &Index, words: &Words) -> SearchIndex {
    let mut docs = Vec::with_capacity(archive.documents.len());
    let mut chunks: Vec<Chunk> = Vec::new();
    let split: Vec<Vec<Vec<Segment>>> =
        archive.documents.par_iter().map(|d| chunk_segments(head_segments(d), body_segments(&d.body))).collect();
    for (i, (doc, parts)) in archive.documents.iter().zip(split).enumerate() {
        let first = chunks.len();
        chunks.extend(parts.into_iter().map(|segments| Chunk { doc: i, segments }));
        docs.push(SearchDoc {
            url: document_url(doc),
            title: doc.title.clone(),
            speakers: doc.speakers.clone(),
            place: crate::index::place_path(doc),
            date: format_date(&doc.date, words.language),
            chunks: first..chunks.len(),
        });
    }
    let shards = publish::shard_postings(&chunks);
    let facets = FACETS
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
    SearchIndex { docs, chunks, shards, facets }
}

/// The head is a chunk of its own; body segments fill chunks of about
/// [`CHUNK_CHARS`] characters.
fn chunk_segments(head: Vec<Segment>, body: Vec<Segment>) -> Vec<Vec<Segment>> {
    let mut out = vec![head];
    let mut current: Vec<Segment> = Vec::new();
    let mut size = 0;
    for s in body {
        size += s.text.chars().count();
        current.push(s);
        if size >= CHUNK_CHARS {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Every gram of the normalised text, packed ([`pack`]), once per
/// occurrence: bigrams of adjacent characters and unigrams, never across
/// whitespace or a segment's end (a query term holds neither).
pub fn grams_of(segments: &[Segment]) -> Vec<u64> {
    let mut keys = Vec::new();
    for s in segments {
        let chars: Vec<char> = s.text.chars().map(fold).collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            keys.push(pack(&[c, '\0']));
            if let Some(&next) = chars.get(i + 1).filter(|n| !n.is_whitespace()) {
                keys.push(pack(&[c, next]));
            }
        }
    }
    keys
}

/// A gram as 42 bits: 21 per code point.
pub fn pack(gram: &Gram) -> u64 {
    (gram[0] as u64) << 21 | gram[1] as u64
}

pub fn unpack(key: u64) -> Gram {
    let c = |n: u64| char::from_u32((n & 0x1F_FFFF) as u32).unwrap_or('\0');
    [c(key >> 21), c(key)]
}

/// The grams a query term needs: its distinct bigrams, or its unigram.
pub fn grams_of_term(term: &[char]) -> Vec<Gram> {
    let mut grams: Vec<Gram> =
        if term.len() == 1 { vec![[term[0], '\0']] } else { term.windows(2).map(|w| [w[0], w[1]]).collect() };
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// The shard a gram's postings are in: FNV-1a over its code points (the
/// client computes the same with `Math.imul`).
pub fn shard_of(gram: &Gram, shards: u32) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &c in gram.iter().filter(|&&c| c != '\0') {
        h ^= c as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h & (shards - 1)
}
