//! The query algorithm, over the in-memory index: the same steps as the
//! browser client (`themes/default/static/search.js`), so that library
//! tests check what readers get. Gram postings give every chunk that may
//! hold a term (recall); reading the candidates' text keeps only those
//! that do (precision).

use std::collections::{BTreeMap, HashMap};

use super::{fold, grams_of_term, shard_of, Gram, Postings, SearchIndex};

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
    let terms = terms(q);
    let allowed = allowed(index, filters);
    if terms.is_empty() {
        return match allowed {
            Some(docs) => docs.into_iter().map(|doc| Hit { doc, in_head: false, count: 0 }).collect(),
            None => Vec::new(),
        };
    }
    let mut found: Option<HashMap<usize, Hit>> = None;
    for term in &terms {
        let mut per_doc: HashMap<usize, Hit> = HashMap::new();
        for (chunk, count) in chunks_with(index, term) {
            let doc = index.chunks[chunk].doc;
            let hit = per_doc.entry(doc).or_insert(Hit { doc, in_head: false, count: 0 });
            hit.count += count;
            hit.in_head |= index.docs[doc].chunks.start == chunk;
        }
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

/// The postings of a gram, read from its published shard as the client
/// reads them.
pub fn postings(index: &SearchIndex, gram: &Gram) -> Postings {
    let shard = &index.shards[shard_of(gram, index.shard_count()) as usize];
    let mut grams: HashMap<String, Vec<i64>> = serde_json::from_str(shard).unwrap_or_default();
    let key: String = gram.iter().filter(|&&c| c != '\0').collect();
    let mut out: Postings = Vec::new();
    let mut prev = 0;
    for v in grams.remove(&key).unwrap_or_default() {
        match (v < 0, out.last_mut()) {
            (true, Some(last)) => last.1 = -v as u32,
            _ => {
                prev += v as u32;
                out.push((prev, 1));
            }
        }
    }
    out
}

/// Chunks that contain `term`, with its occurrences in each.
fn chunks_with(index: &SearchIndex, term: &[char]) -> Vec<(usize, usize)> {
    let mut lists = Vec::new();
    for gram in grams_of_term(term) {
        let list = postings(index, &gram);
        if list.is_empty() {
            return Vec::new();
        }
        lists.push(list);
    }
    lists.sort_by_key(|l| l.len());
    let mut candidates: Vec<(usize, usize)> = lists[0].iter().map(|&(c, n)| (c as usize, n as usize)).collect();
    for list in &lists[1..] {
        candidates.retain(|&(c, _)| list.binary_search_by_key(&(c as u32), |p| p.0).is_ok());
    }
    // A one- or two-character term is its own gram: the postings are exact.
    if term.len() <= 2 {
        return candidates;
    }
    candidates
        .into_iter()
        .filter_map(|(c, _)| {
            let n: usize = index.chunks[c]
                .segments
                .iter()
                .map(|s| occurrences(&s.text.chars().map(fold).collect::<Vec<_>>(), term))
                .sum();
            (n > 0).then_some((c, n))
        })
        .collect()
}

/// Occurrences of `term` in `text`, overlapping ones included (as gram
/// counts are).
pub fn occurrences(text: &[char], term: &[char]) -> usize {
    if term.len() > text.len() {
        return 0;
    }
    text.windows(term.len()).filter(|w| *w == term).count()
}

/// Documents the filters let through, ascending; `None` when nothing is
/// selected.
fn allowed(index: &SearchIndex, filters: &Filters) -> Option<Vec<usize>> {
    let mut allowed: Option<Vec<usize>> = None;
    for (key, slugs) in filters.0.iter().filter(|(_, s)| !s.is_empty()) {
        let facet = index.facets.iter().find(|f| f.key == key);
        let mut docs: Vec<usize> = facet
            .into_iter()
            .flat_map(|f| f.terms.iter().filter(|t| slugs.contains(&t.slug)))
            .flat_map(|t| t.docs.iter().copied())
            .collect();
        docs.sort_unstable();
        docs.dedup();
        allowed = Some(match allowed {
            None => docs,
            Some(before) => before.into_iter().filter(|d| docs.binary_search(d).is_ok()).collect(),
        });
    }
    allowed
}
