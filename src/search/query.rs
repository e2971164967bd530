//! The query algorithm over the published files, the same steps as the
//! browser client (`themes/default/static/search.js`), so library tests check
//! what readers get. A term of one or two characters is its own gram: its
//! documents list is the answer. A longer term occurs at p exactly when each
//! covering bigram (offsets 0, 2, 4, …, and the last) occurs at p + its
//! offset, which the bigrams' positions lists tell — no text is read.

use std::collections::{BTreeMap, HashMap};

use super::codec::{locate, pack, read_documents, read_positions, slot_of, Gram, Posting};
use super::{fold, grams_of_term, SearchIndex};

/// Selected terms (by slug) per facet key: OR within a facet, AND across.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters(pub BTreeMap<String, Vec<String>>);

/// One matching document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub doc: usize,
    /// A term occurs in the title or metadata.
    pub in_head: bool,
    /// Occurrences of all terms.
    pub count: usize,
}

/// The query's terms: normalised, split at whitespace, without repeats.
pub fn terms(q: &str) -> Vec<Vec<char>> {
    let mut terms: Vec<Vec<char>> = Vec::new();
    for word in q.split_whitespace() {
        let term: Vec<char> = word.chars().map(fold).filter(|c| !c.is_whitespace()).collect();
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// Documents that contain every term of `q`, best first.
pub fn query(index: &SearchIndex, q: &str) -> Vec<usize> {
    search(index, q, &Filters::default()).into_iter().map(|h| h.doc).collect()
}

/// Documents that contain every term of `q` and pass the filters: title
/// and metadata matches first, then by occurrences, then newest first.
/// With no terms, every document that passes non-empty filters.
pub fn search(index: &SearchIndex, q: &str, filters: &Filters) -> Vec<Hit> {
    let published = Published::read(index);
    let terms = terms(q);
    let allowed = published.allowed(filters);
    if terms.is_empty() {
        return match allowed {
            Some(docs) => docs.into_iter().map(|doc| Hit { doc, in_head: false, count: 0 }).collect(),
            None => Vec::new(),
        };
    }
    let mut found: Option<HashMap<usize, Hit>> = None;
    for term in &terms {
        let per_doc: HashMap<usize, Hit> = published
            .documents_with(term)
            .into_iter()
            .map(|p| (p.doc as usize, Hit { doc: p.doc as usize, in_head: p.head > 0, count: p.count as usize }))
            .collect();
        found = Some(match found {
            None => per_doc,
            Some(before) => before
                .into_iter()
                .filter_map(|(doc, a)| {
                    per_doc
                        .get(&doc)
                        .map(|b| (doc, Hit { doc, in_head: a.in_head || b.in_head, count: a.count + b.count }))
                })
                .collect(),
        });
    }
    let mut hits: Vec<Hit> = found
        .unwrap_or_default()
        .into_values()
        .filter(|h| allowed.as_ref().is_none_or(|a| a.binary_search(&h.doc).is_ok()))
        .collect();
    hits.sort_by(|a, b| b.in_head.cmp(&a.in_head).then(b.count.cmp(&a.count)).then(a.doc.cmp(&b.doc)));
    hits
}

/// The index as the client sees it: `meta.json`, `facets.bin`,
/// `g/hot.bin`, the directories and byte ranges of the packs, fetched by
/// path.
struct Published<'a> {
    index: &'a SearchIndex,
    buckets: u32,
    directories: u32,
    /// Per facet: key, slugs, and per document its term numbers.
    facets: Vec<(String, Vec<String>, Vec<Vec<usize>>)>,
}

impl<'a> Published<'a> {
    fn read(index: &'a SearchIndex) -> Self {
        let meta: serde_json::Value =
            serde_json::from_slice(index.file("search/meta.json").unwrap_or(b"{}")).unwrap_or_default();
        let count = |k: &str| meta[k].as_u64().unwrap_or(1) as u32;
        let docs = meta["documents"].as_u64().unwrap_or(0) as usize;
        let listed = meta["facets"].as_array().cloned().unwrap_or_default();
        let slugs: Vec<Vec<String>> = listed
            .iter()
            .map(|f| {
                let terms = f["terms"].as_array().cloned().unwrap_or_default();
                terms.iter().map(|t| t["slug"].as_str().unwrap_or("").to_string()).collect()
            })
            .collect();
        let counts: Vec<usize> = slugs.iter().map(Vec::len).collect();
        let of = super::publish::read_facets(index.file("search/facets.bin").unwrap_or(&[]), &counts, docs);
        let facets = listed
            .iter()
            .zip(slugs)
            .zip(of)
            .map(|((f, slugs), of)| (f["key"].as_str().unwrap_or("").to_string(), slugs, of))
            .collect();
        Published { index, buckets: count("buckets"), directories: count("directories"), facets }
    }

    /// The documents list of `gram` and, when `positions` (a bigram of a
    /// longer term; as the client, which fetches no more), its positions
    /// list, else empty: `g/hot.bin`, which the client reads with the page,
    /// or else its directory says where in which packs.
    fn lists(&self, gram: &Gram, positions: bool) -> Option<[&'a [u8]; 2]> {
        let key = pack(gram);
        let hot = self.index.file("search/g/hot.bin").and_then(|hot| locate(hot, key));
        let [d, p] = match hot {
            Some(at) => at,
            None => locate(self.index.file(&format!("search/g/{}.bin", slot_of(gram, self.directories)))?, key)?,
        };
        let pack = |kind: &str| self.index.file(&format!("search/{kind}/{}.bin", slot_of(gram, self.buckets)));
        Some([pack("d")?.get(d)?, if positions && !p.is_empty() { pack("p")?.get(p)? } else { &[] }])
    }

    /// Documents holding `term`, with its occurrences (in the head: `head`
    /// is their number for short terms, 1 or 0 for long ones).
    fn documents_with(&self, term: &[char]) -> Vec<Posting> {
        let grams = grams_of_term(term);
        if term.len() <= 2 {
            return self.lists(&grams[0].1, false).map(|[d, _]| read_documents(d)).unwrap_or_default();
        }
        let mut lists = Vec::new();
        for (offset, gram) in &grams {
            let Some([documents, positions]) = self.lists(gram, true) else { return Vec::new() };
            let by_doc: HashMap<u32, (Posting, Vec<u32>)> =
                read_positions(documents, positions).into_iter().map(|(p, pos)| (p.doc, (p, pos))).collect();
            lists.push((*offset as u32, by_doc));
        }
        let (_, first) = &lists[0];
        let mut out: Vec<Posting> = first
            .iter()
            .filter_map(|(&doc, (posting, starts))| {
                let others: Option<Vec<(u32, &[u32])>> =
                    lists[1..].iter().map(|(k, l)| l.get(&doc).map(|(_, p)| (*k, &p[..]))).collect();
                let others = others?;
                let (mut count, mut head) = (0, 0);
                for (i, &p) in starts.iter().enumerate() {
                    if others.iter().all(|(k, pos)| pos.binary_search(&(p + k)).is_ok()) {
                        count += 1;
                        head += (i < posting.head as usize) as u32;
                    }
                }
                (count > 0).then_some(Posting { doc, count, head })
            })
            .collect();
        out.sort_unstable_by_key(|p| p.doc);
        out
    }

    /// Documents the filters let through, ascending; `None` when nothing
    /// is selected.
    fn allowed(&self, filters: &Filters) -> Option<Vec<usize>> {
        let mut allowed: Option<Vec<usize>> = None;
        for (key, slugs) in filters.0.iter().filter(|(_, s)| !s.is_empty()) {
            let docs: Vec<usize> = match self.facets.iter().find(|f| &f.0 == key) {
                Some((_, names, of)) => {
                    (0..of.len()).filter(|&d| of[d].iter().any(|&k| slugs.contains(&names[k]))).collect()
                }
                None => Vec::new(),
            };
            allowed = Some(match allowed {
                None => docs,
                Some(before) => before.into_iter().filter(|d| docs.binary_search(d).is_ok()).collect(),
            });
        }
        allowed
    }
}
