//! Every occurrence of a query in its context (a concordance, KWIC): the
//! documents come from the published index as the search finds them,
//! filters and all; the occurrences and their context from each document's
//! own text, walked and normalised as the indexer walked it. So a line is
//! exactly what a scan of the text finds, the index spares reading the
//! documents that cannot hold the query, and a count that disagrees with
//! the index's says the index is older than the text. The search page's
//! concordance reads the same occurrences from the index's positions and
//! text files (`search.js`).

use rayon::prelude::*;

use super::query::{phrases, IndexFiles, Published};
use super::text::{anchor_id, normalized_stream, BodyText};
use super::Filters;
use crate::error::{Error, Result};
use crate::model::Archive;

/// One occurrence of a term in a document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The document's number (its place in the archive, newest first).
    pub doc: usize,
    /// Which term of the query (its terms in order, without repeats).
    pub term: usize,
    /// Where it starts, in characters from the body's start.
    pub position: usize,
    /// The paragraph (`p-N`) or heading (`s-N`) it is in; empty before both.
    pub anchor: String,
    /// Up to `context` characters before and after it, within its
    /// paragraph (or heading, list item, cell), as printed.
    pub left: String,
    pub matched: String,
    pub right: String,
}

/// How lines are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest document first, then by position.
    #[default]
    Date,
    /// By the left context read backwards from the match (its normal form),
    /// then by date.
    Left,
    /// By the right context (its normal form), then by date.
    Right,
}

/// Every occurrence in a body of the terms of `q`, in the documents that
/// match it and pass `filters`, with `context` characters either side. The
/// terms are those of the phrases each document matches.
pub fn concordance(
    index: &dyn IndexFiles,
    archive: &Archive,
    q: &str,
    filters: &Filters,
    context: usize,
    order: Order,
) -> Result<Vec<Line>> {
    let published = Published::read(index);
    let phrases = phrases(q);
    let mut terms: Vec<Vec<char>> = Vec::new();
    for term in phrases.iter().flatten() {
        if !terms.contains(term) {
            terms.push(term.clone());
        }
    }
    // Per document that matches, per term: the index's count (head and
    // body) if the term belongs to a phrase the document matches.
    let allowed = published.allowed(filters);
    let mut expected: std::collections::BTreeMap<usize, Vec<Option<u32>>> = Default::default();
    let postings: Vec<Vec<super::codec::Posting>> = terms.iter().map(|t| published.documents_with(t)).collect();
    for phrase in &phrases {
        for hit in published.matching(phrase) {
            if allowed.as_ref().is_some_and(|a| a.binary_search(&hit.doc).is_err()) {
                continue;
            }
            let row = expected.entry(hit.doc).or_insert_with(|| vec![None; terms.len()]);
            for term in phrase {
                let t = terms.iter().position(|x| x == term).unwrap_or(0);
                let list = &postings[t];
                if let Ok(i) = list.binary_search_by_key(&(hit.doc as u32), |p| p.doc) {
                    row[t] = Some(list[i].count);
                }
            }
        }
    }
    // Oldest first (the greatest number first), each document's lines by
    // position: the lines come out in date order, which `sort` then finds
    // sorted in one pass.
    let docs: Vec<(usize, Vec<Option<u32>>)> = expected.into_iter().rev().collect();
    let per_doc: Vec<Vec<Line>> = docs
        .par_iter()
        .map_init(
            || (Vec::new(), BodyText::default()),
            |(stream, text), (doc, wanted)| -> Result<Vec<Line>> {
                let body = archive.body(*doc)?;
                let head = normalized_stream(&archive.documents[*doc], &body, stream, Some(text));
                let mut lines = Vec::new();
                for (t, term) in terms.iter().enumerate() {
                    let Some(count) = wanted[t] else { continue };
                    let codes: Vec<u32> = term.iter().map(|&c| c as u32).collect();
                    // The first character picks the places to compare (a
                    // slice compare at every position costs a call each).
                    let at: Vec<usize> = stream
                        .windows(codes.len())
                        .enumerate()
                        .filter(|(_, w)| w[0] == codes[0] && *w == codes)
                        .map(|(i, _)| i)
                        .collect();
                    if at.len() != count as usize {
                        return Err(stale(archive, *doc));
                    }
                    for i in at.into_iter().filter(|&i| i >= head) {
                        lines.push(line(*doc, t, i - head, term.len(), text, context));
                    }
                }
                lines.sort_unstable_by_key(|l| (l.position, l.term));
                Ok(lines)
            },
        )
        .collect::<Result<_>>()?;
    let mut lines: Vec<Line> = per_doc.into_iter().flatten().collect();
    sort(&mut lines, order);
    Ok(lines)
}

/// The index disagrees with the text: it was built from another version.
fn stale(archive: &Archive, doc: usize) -> Error {
    Error::Usage(format!(
        "the search index does not match {}: build the site again (archive build) before asking for a concordance",
        archive.documents[doc].path.display()
    ))
}

/// The line of an occurrence at `p` (from the body's start) of `len`
/// characters.
fn line(doc: usize, term: usize, p: usize, len: usize, text: &BodyText, context: usize) -> Line {
    let chars = &text.chars;
    let mut from = p;
    while from > 0 && p - from < context && chars[from - 1] != '\0' {
        from -= 1;
    }
    let mut to = p + len;
    while to < chars.len() && to - (p + len) < context && chars[to] != '\0' {
        to += 1;
    }
    Line {
        doc,
        term,
        position: p,
        anchor: anchor_id(text.anchor_at(p as u32)),
        left: string_of(&chars[from..p]),
        matched: string_of(&chars[p..p + len]),
        right: string_of(&chars[p + len..to]),
    }
}

/// The characters as a string, allocated once at its length (collecting
/// reserves a byte a character, and a Han character takes three).
fn string_of(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    s.extend(chars);
    s
}

/// Orders lines: documents are numbered newest first, so the oldest first
/// is the greatest number first.
pub fn sort(lines: &mut [Line], order: Order) {
    let date = |l: &Line| (std::cmp::Reverse(l.doc), l.position, l.term);
    match order {
        Order::Date => lines.sort_by_key(date),
        Order::Left => {
            lines.sort_by_cached_key(|l| (l.left.chars().rev().map(crate::script::fold).collect::<String>(), date(l)))
        }
        Order::Right => {
            lines.sort_by_cached_key(|l| (l.right.chars().map(crate::script::fold).collect::<String>(), date(l)))
        }
    }
}
