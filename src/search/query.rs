//! The query algorithm over the published files, the same steps as the
//! browser client (`themes/default/static/search.js`), so library tests check
//! what readers get. A term of one or two characters is its own gram: its
//! documents list is the answer. A longer term occurs at p exactly when each
//! covering bigram (offsets 0, 2, 4, …, and the last) occurs at p + its
//! offset, which the bigrams' positions lists tell — no text is read.
//! A query is up to four comma-separated phrases of space-separated terms:
//! a document matches a phrase when it holds all its terms, and the query
//! when it matches one of its phrases; [`trend`] counts each phrase's
//! documents and occurrences per year, as the page's chart does.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;

use super::codec::{locate, pack, read_documents, read_positions, slot_of, Gram, Posting};
use super::{grams_of_term, SearchIndex};
use crate::script::fold;

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

/// Most phrases one query compares (`精准扶贫, 乡村振兴`): the trend chart
/// draws one series each; more are left out.
pub const MAX_PHRASES: usize = 4;

/// Quotation marks taken off either end of a term: `"两不愁三保障"` is
/// 两不愁三保障, since every term is already matched exactly.
const QUOTES: [char; 10] = ['"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』'];

/// The query's phrases, each a list of terms, normalised. Commas (`,`,
/// and `，`, which normalises to it) separate phrases, except inside
/// double quotation marks (`"…"`, `“…”`, `「…」`, `『…』`); whitespace
/// separates a phrase's terms; quotation marks around a term are dropped.
/// A phrase or term given twice counts once; phrases past
/// [`MAX_PHRASES`] are left out.
pub fn phrases(q: &str) -> Vec<Vec<Vec<char>>> {
    let mut phrases: Vec<Vec<Vec<char>>> = Vec::new();
    let (mut phrase, mut word): (Vec<Vec<char>>, Vec<char>) = (Vec::new(), Vec::new());
    let mut quoted = false;
    let end_word = |phrase: &mut Vec<Vec<char>>, word: &mut Vec<char>| {
        let term: Vec<char> = {
            let w = std::mem::take(word);
            let start = w.iter().position(|c| !QUOTES.contains(c)).unwrap_or(w.len());
            let end = w.iter().rposition(|c| !QUOTES.contains(c)).map_or(start, |e| e + 1);
            w[start..end.max(start)].to_vec()
        };
        if !term.is_empty() && !phrase.contains(&term) {
            phrase.push(term);
        }
    };
    for c in q.chars().map(fold) {
        match c {
            '"' => quoted = !quoted,
            '“' | '「' | '『' => quoted = true,
            '”' | '」' | '』' => quoted = false,
            _ => {}
        }
        if c.is_whitespace() || c.is_control() {
            end_word(&mut phrase, &mut word);
        } else if c == ',' && !quoted {
            end_word(&mut phrase, &mut word);
            let done = std::mem::take(&mut phrase);
            if !done.is_empty() && !phrases.contains(&done) {
                phrases.push(done);
            }
        } else {
            word.push(c);
        }
    }
    end_word(&mut phrase, &mut word);
    if !phrase.is_empty() && !phrases.contains(&phrase) {
        phrases.push(phrase);
    }
    phrases.truncate(MAX_PHRASES);
    phrases
}

/// Every term of the query's phrases, without repeats.
pub fn terms(q: &str) -> Vec<Vec<char>> {
    let mut terms: Vec<Vec<char>> = Vec::new();
    for term in phrases(q).into_iter().flatten() {
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// Documents that contain every term of a phrase of `q`, best first.
pub fn query(index: &dyn IndexFiles, q: &str) -> Vec<usize> {
    search(index, q, &Filters::default()).into_iter().map(|h| h.doc).collect()
}

/// Documents that contain every term of one of the phrases of `q` and pass
/// the filters: title and metadata matches first, then by occurrences
/// (of every term of every phrase it matches), then newest first. With no
/// terms, every document that passes non-empty filters.
pub fn search(index: &dyn IndexFiles, q: &str, filters: &Filters) -> Vec<Hit> {
    let published = Published::read(index);
    let phrases = phrases(q);
    let allowed = published.allowed(filters);
    if phrases.is_empty() {
        return match allowed {
            Some(docs) => docs.into_iter().map(|doc| Hit { doc, in_head: false, count: 0 }).collect(),
            None => Vec::new(),
        };
    }
    let mut found: BTreeMap<usize, Hit> = BTreeMap::new();
    for phrase in &phrases {
        for hit in published.matching(phrase) {
            let entry = found.entry(hit.doc).or_insert(Hit { doc: hit.doc, in_head: false, count: 0 });
            entry.in_head |= hit.in_head;
            entry.count += hit.count;
        }
    }
    let mut hits: Vec<Hit> =
        found.into_values().filter(|h| allowed.as_ref().is_none_or(|a| a.binary_search(&h.doc).is_ok())).collect();
    hits.sort_by(|a, b| b.in_head.cmp(&a.in_head).then(b.count.cmp(&a.count)).then(a.doc.cmp(&b.doc)));
    hits
}

/// A query's phrases through time: per year, the documents that pass the
/// filters other than the year's, and of those, per phrase, how many hold
/// it and how often (the search page's chart and table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// The phrases as the chart names them: terms joined by a space.
    pub phrases: Vec<String>,
    /// Every year from the archive's first to its last (only those with
    /// documents when they span more than [`TREND_MAX_SPAN`] years),
    /// oldest first.
    pub years: Vec<TrendYear>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendYear {
    pub year: i32,
    /// Documents of the year that pass the filters other than the year's.
    pub documents: usize,
    /// Per phrase: documents of those that hold it, and its occurrences in them.
    pub counts: Vec<(usize, usize)>,
}

/// Years a trend spans without leaving out the years that have no documents.
pub const TREND_MAX_SPAN: i32 = 60;

/// [`Trend`] of `q` under `filters` (the year's filter is not applied: the
/// chart shows every year, and a click on one filters the results).
pub fn trend(index: &dyn IndexFiles, q: &str, filters: &Filters) -> Trend {
    let published = Published::read(index);
    let mut others = filters.clone();
    others.0.remove("year");
    let allowed = published.allowed(&others);
    let passes = |doc: usize| allowed.as_ref().is_none_or(|a| a.binary_search(&doc).is_ok());
    let year_of = published.years();
    let mut known: Vec<i32> = year_of.iter().flatten().copied().collect();
    known.sort_unstable();
    known.dedup();
    let years: Vec<i32> = match (known.first(), known.last()) {
        (Some(&a), Some(&b)) if b - a <= TREND_MAX_SPAN => (a..=b).collect(),
        _ => known,
    };
    let row = |year: i32| years.binary_search(&year).ok();
    let phrases = phrases(q);
    let mut rows: Vec<TrendYear> =
        years.iter().map(|&year| TrendYear { year, documents: 0, counts: vec![(0, 0); phrases.len()] }).collect();
    for (doc, year) in year_of.iter().enumerate() {
        if let Some(r) = year.and_then(row).filter(|_| passes(doc)) {
            rows[r].documents += 1;
        }
    }
    for (p, phrase) in phrases.iter().enumerate() {
        for hit in published.matching(phrase).into_iter().filter(|h| passes(h.doc)) {
            if let Some(r) = year_of[hit.doc].and_then(row) {
                rows[r].counts[p].0 += 1;
                rows[r].counts[p].1 += hit.count;
            }
        }
    }
    let names = phrases.iter().map(|p| p.iter().map(|t| t.iter().collect::<String>()).collect::<Vec<_>>().join(" "));
    Trend { phrases: names.collect(), years: rows }
}

/// Where the published index's files are read from: an index built in
/// memory, or a build's output folder ([`OutputIndex`]).
pub trait IndexFiles: Sync {
    /// A whole file, by its path under the output (`search/meta.json`).
    fn file(&self, rel: &str) -> Option<Cow<'_, [u8]>>;

    /// Bytes `range` of a file, as a range request fetches them.
    fn range(&self, rel: &str, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        match self.file(rel)? {
            Cow::Borrowed(bytes) => bytes.get(range).map(Cow::Borrowed),
            Cow::Owned(bytes) => bytes.get(range).map(|b| Cow::Owned(b.to_vec())),
        }
    }
}

impl IndexFiles for SearchIndex {
    fn file(&self, rel: &str) -> Option<Cow<'_, [u8]>> {
        SearchIndex::file(self, rel).map(Cow::Borrowed)
    }
}

/// The index a build wrote, read from its output folder: whole small files,
/// byte ranges of the packs.
pub struct OutputIndex(pub PathBuf);

impl IndexFiles for OutputIndex {
    fn file(&self, rel: &str) -> Option<Cow<'_, [u8]>> {
        std::fs::read(self.0.join(rel)).ok().map(Cow::Owned)
    }

    fn range(&self, rel: &str, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(self.0.join(rel)).ok()?;
        let mut bytes = vec![0; range.len()];
        file.read_exact_at(&mut bytes, range.start as u64).ok()?;
        Some(Cow::Owned(bytes))
    }
}

/// The index as the client sees it: `meta.json`, `facets.bin`,
/// `g/hot.bin`, the directories and byte ranges of the packs, fetched by
/// path.
pub(super) struct Published<'a> {
    files: &'a dyn IndexFiles,
    hot: Cow<'a, [u8]>,
    buckets: u32,
    directories: u32,
    /// Per facet: key, slugs, and per document its term numbers.
    facets: Vec<(String, Vec<String>, Vec<Vec<usize>>)>,
}

impl<'a> Published<'a> {
    pub(super) fn read(files: &'a dyn IndexFiles) -> Self {
        let meta = files.file("search/meta.json").unwrap_or(Cow::Borrowed(b"{}"));
        let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap_or_default();
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
        let facets_bin = files.file("search/facets.bin").unwrap_or_default();
        let of = super::publish::read_facets(&facets_bin, &counts, docs);
        let facets = listed
            .iter()
            .zip(slugs)
            .zip(of)
            .map(|((f, slugs), of)| (f["key"].as_str().unwrap_or("").to_string(), slugs, of))
            .collect();
        let hot = files.file("search/g/hot.bin").unwrap_or_default();
        Published { files, hot, buckets: count("buckets"), directories: count("directories"), facets }
    }

    /// The documents list of `gram` and, when `positions` (a bigram of a
    /// longer term; as the client, which fetches no more), its positions
    /// list, else empty: `g/hot.bin`, which the client reads with the page,
    /// or else its directory says where in which packs.
    fn lists(&self, gram: &Gram, positions: bool) -> Option<[Cow<'a, [u8]>; 2]> {
        let key = pack(gram);
        let [d, p] = match locate(&self.hot, key) {
            Some(at) => at,
            None => locate(&self.files.file(&format!("search/g/{}.bin", slot_of(gram, self.directories)))?, key)?,
        };
        let pack =
            |kind: &str, range| self.files.range(&format!("search/{kind}/{}.bin", slot_of(gram, self.buckets)), range);
        Some([pack("d", d)?, if positions && !p.is_empty() { pack("p", p)? } else { Cow::Borrowed(&[]) }])
    }

    /// Documents holding `term`, with its occurrences (in the head: `head`
    /// is their number for short terms, 1 or 0 for long ones).
    pub(super) fn documents_with(&self, term: &[char]) -> Vec<Posting> {
        let grams = grams_of_term(term);
        if term.len() <= 2 {
            return self.lists(&grams[0].1, false).map(|[d, _]| read_documents(&d)).unwrap_or_default();
        }
        let mut lists = Vec::new();
        for (offset, gram) in &grams {
            let Some([documents, positions]) = self.lists(gram, true) else { return Vec::new() };
            let by_doc: HashMap<u32, (Posting, Vec<u32>)> =
                read_positions(&documents, &positions).into_iter().map(|(p, pos)| (p.doc, (p, pos))).collect();
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

    /// Documents that hold every term of `phrase`, ascending, with their
    /// occurrences of all of them.
    pub(super) fn matching(&self, phrase: &[Vec<char>]) -> Vec<Hit> {
        let mut found: Option<Vec<Hit>> = None;
        for term in phrase {
            let with: Vec<Hit> = self
                .documents_with(term)
                .into_iter()
                .map(|p| Hit { doc: p.doc as usize, in_head: p.head > 0, count: p.count as usize })
                .collect();
            found = Some(match found {
                None => with,
                Some(before) => before
                    .into_iter()
                    .filter_map(|a| {
                        let b = &with[with.binary_search_by_key(&a.doc, |h| h.doc).ok()?];
                        Some(Hit { doc: a.doc, in_head: a.in_head || b.in_head, count: a.count + b.count })
                    })
                    .collect(),
            });
        }
        found.unwrap_or_default()
    }

    /// Per document, its year (the year facet's term, a number).
    fn years(&self) -> Vec<Option<i32>> {
        let Some((_, slugs, of)) = self.facets.iter().find(|f| f.0 == "year") else { return Vec::new() };
        of.iter().map(|terms| terms.first().and_then(|&k| slugs[k].parse().ok())).collect()
    }

    /// Documents the filters let through, ascending; `None` when nothing
    /// is selected.
    pub(super) fn allowed(&self, filters: &Filters) -> Option<Vec<usize>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str) -> Vec<Vec<String>> {
        phrases(q).into_iter().map(|p| p.into_iter().map(|t| t.into_iter().collect()).collect()).collect()
    }

    #[test]
    fn commas_separate_phrases_and_spaces_terms() {
        assert_eq!(parsed("精准扶贫, 乡村振兴"), [vec!["精准扶贫"], vec!["乡村振兴"]]);
        assert_eq!(parsed("精准扶贫，乡村振兴 产业"), [vec!["精准扶贫"], vec!["乡村振兴", "产业"]]);
        assert_eq!(parsed(" , 扶贫,,扶贫 , "), [vec!["扶贫"]], "empty and repeated phrases count once");
        assert_eq!(parsed("a,b,c,d,e,f").len(), MAX_PHRASES);
        assert!(parsed("  ").is_empty());
    }

    #[test]
    fn quotation_marks_around_a_term_are_dropped() {
        for q in ["\"两不愁三保障\"", "“两不愁三保障”", "＂两不愁三保障＂", "「两不愁三保障」", "'两不愁三保障'"]
        {
            assert_eq!(parsed(q), [vec!["两不愁三保障"]], "{q}");
        }
        assert_eq!(parsed("\"\""), Vec::<Vec<String>>::new());
        // Inside a term they stay: the text has them.
        assert_eq!(parsed("“三保障”要求"), [vec!["三保障”要求"]]);
    }

    #[test]
    fn a_comma_inside_double_quotes_is_part_of_the_term() {
        assert_eq!(parsed("\"脱贫，攻坚\""), [vec!["脱贫,攻坚"]]);
        assert_eq!(parsed("“脱贫，攻坚”，扶贫"), [vec!["脱贫,攻坚"], vec!["扶贫"]]);
    }
}
