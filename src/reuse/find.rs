//! Finding the passages: every document's fingerprints in one table,
//! grouped by hash; a hash held by several documents pairs each of them
//! with an earlier one that holds it (every earlier one when a few do, the
//! earliest when many do: a set phrase in a thousand speeches costs a
//! thousand pairs, not half a million); each pair's characters are then
//! compared outward from the shared k-gram, once per diagonal, and a run
//! of at least [`THRESHOLD`] equal characters within a segment is a match.

use std::collections::HashMap;

use rayon::prelude::*;

use super::prints::{DocPrint, K, THRESHOLD};
use super::Prints;
use crate::error::Result;

/// Groups held by at most this many documents pair all of them.
const ALL_PAIRS: usize = 16;

/// A verified run of equal characters: in a later document (`dst`) and an
/// earlier one (`src`), each as (document, segment, Han range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    pub src: (u32, u32, u32, u32),
    pub dst: (u32, u32, u32, u32),
}

/// A fingerprint: (hash, document, position).
type Entry = (u32, u32, u32);

/// What a hash's group pairs a document with.
enum Group {
    /// The earliest document holding it, and where.
    Earliest(u32, u32),
    /// Its entries (document, position), in `members[range]`.
    All(std::ops::Range<u32>),
}

/// Every match between documents of different `family` (a document and
/// its reprints are one family). Documents are numbered newest first: a
/// larger number is earlier.
pub fn matches(prints: &dyn Prints, family: &[u32]) -> Result<Vec<Match>> {
    // (hash, document, position) of every fingerprint, and every
    // document's text, read once: each is compared with many others.
    let read: Vec<(Vec<Entry>, Vec<Loaded>)> = (0..prints.runs())
        .into_par_iter()
        .map(|run| -> Result<(Vec<Entry>, Vec<Loaded>)> {
            let docs = prints.run(run)?;
            let first = run * prints.docs_per_run();
            let table = docs
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.prints.iter().map(move |&(h, at)| (h, (first + i) as u32, at)))
                .collect();
            Ok((table, docs.into_iter().map(Loaded::new).collect()))
        })
        .collect::<Result<_>>()?;
    let mut table: Vec<Entry> = Vec::with_capacity(read.iter().map(|r| r.0.len()).sum());
    let mut texts: Vec<Loaded> = Vec::new();
    for (t, l) in read {
        table.extend(t);
        texts.extend(l);
    }
    table.par_sort_unstable();
    // Each entry's hash becomes its group's number; entries of hashes only
    // one document holds are dropped.
    let mut groups: Vec<Group> = Vec::new();
    let mut members: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    while start < table.len() {
        let hash = table[start].0;
        let end = start + table[start..].partition_point(|e| e.0 == hash);
        let entries = &mut table[start..end];
        let mut docs = 0;
        for i in 0..entries.len() {
            docs += (i == 0 || entries[i].1 != entries[i - 1].1) as usize;
        }
        let number = if docs < 2 {
            u32::MAX
        } else if docs <= ALL_PAIRS {
            // Of each family, its earliest document (a reprint and its
            // original hold the same text; the original stands for both).
            let from = members.len() as u32;
            let mut earliest: Vec<(u32, u32)> = Vec::new();
            for e in entries.iter().rev() {
                if !earliest.iter().any(|&(d, _)| family[d as usize] == family[e.1 as usize] && d != e.1) {
                    earliest.push((e.1, e.2));
                }
            }
            members.extend(earliest.into_iter().rev());
            groups.push(Group::All(from..members.len() as u32));
            groups.len() as u32 - 1
        } else {
            // Sorted by document: the last is the earliest; its first
            // occurrence of the k-gram.
            let last = entries[entries.len() - 1].1;
            let at = entries.iter().find(|e| e.1 == last).map_or(0, |e| e.2);
            groups.push(Group::Earliest(last, at));
            groups.len() as u32 - 1
        };
        entries.iter_mut().for_each(|e| e.0 = number);
        start = end;
    }
    table.retain(|e| e.0 != u32::MAX);
    // By document and position: each document's shared fingerprints in
    // reading order.
    table.par_sort_unstable_by_key(|e| (e.1, e.2, e.0));
    let mut spans: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
    for (i, e) in table.iter().enumerate() {
        match spans.last_mut() {
            Some((doc, range)) if *doc == e.1 => range.end = i + 1,
            _ => spans.push((e.1, i..i + 1)),
        }
    }
    let per_doc: Vec<Vec<Match>> = spans
        .par_iter()
        .map(|(doc, range)| {
            let doc = *doc;
            let mine = &texts[doc as usize];
            let mut covered: HashMap<(u32, i64), u32> = HashMap::new();
            let mut out = Vec::new();
            for &(group, _, at) in &table[range.clone()] {
                let partners: &[(u32, u32)] = match &groups[group as usize] {
                    Group::Earliest(d, p) => &[(*d, *p)][..],
                    Group::All(r) => &members[r.start as usize..r.end as usize],
                };
                for &(other, their) in partners {
                    // Each pair once, from its later document; a document
                    // and its reprints are not each other's reuse.
                    if other <= doc || family[other as usize] == family[doc as usize] {
                        continue;
                    }
                    let key = (other, at as i64 - their as i64);
                    if covered.get(&key).is_some_and(|&end| end > at) {
                        continue;
                    }
                    let (end, found) = extend(mine, at as usize, &texts[other as usize], their as usize);
                    covered.insert(key, end as u32);
                    if let Some((a, b)) = found {
                        out.push(Match { src: (other, b.0, b.1, b.2), dst: (doc, a.0, a.1, a.2) });
                    }
                }
            }
            out
        })
        .collect();
    // The texts and the table go before the matches are gathered.
    drop((texts, table, groups, members));
    let mut all: Vec<Match> = per_doc.into_iter().flatten().collect();
    all.par_sort_unstable();
    all.dedup();
    Ok(all)
}

/// A segment's Han range: (segment number, start, end), by a position in
/// the document's Han text.
fn segment_of(p: &Loaded, at: usize) -> (u32, usize, usize) {
    let segments = &p.starts[..p.starts.len() - 1];
    let i = segments.partition_point(|&s| s as usize <= at).saturating_sub(1);
    let start = segments.get(i).copied().unwrap_or(0) as usize;
    let end = p.starts.get(i + 1).map_or(start, |&s| s as usize);
    (i as u32, start, end)
}

/// A document's Han characters and where each of its segments starts,
/// then where the last ends (its fingerprints dropped).
struct Loaded {
    han: Box<[u16]>,
    starts: Box<[u32]>,
}

impl Loaded {
    fn new(print: DocPrint) -> Loaded {
        let mut at = 0;
        let starts = std::iter::once(0)
            .chain(print.segments.iter().map(|s| {
                at += s.0;
                at
            }))
            .collect();
        Loaded { han: print.han.into_boxed_slice(), starts }
    }
}

/// Compares two texts outward from a k-gram both hold at `a` and `b`,
/// within their segments: where the run ends in the first text, and, when
/// it is long enough, both runs as (segment, start, end).
#[allow(clippy::type_complexity)]
fn extend(x: &Loaded, a: usize, y: &Loaded, b: usize) -> (usize, Option<((u32, u32, u32), (u32, u32, u32))>) {
    let (sx, x0, x1) = segment_of(x, a);
    let (sy, y0, y1) = segment_of(y, b);
    let (xs, ys) = (&x.han, &y.han);
    if a + K > x1 || b + K > y1 || xs[a..a + K] != ys[b..b + K] {
        // A hash shared by different k-grams.
        return (a + 1, None);
    }
    let (mut i, mut j) = (a, b);
    while i > x0 && j > y0 && xs[i - 1] == ys[j - 1] {
        i -= 1;
        j -= 1;
    }
    let (mut e, mut f) = (a + K, b + K);
    while e < x1 && f < y1 && xs[e] == ys[f] {
        e += 1;
        f += 1;
    }
    let found = (e - i >= THRESHOLD).then_some(((sx, i as u32, e as u32), (sy, j as u32, f as u32)));
    (e, found)
}
