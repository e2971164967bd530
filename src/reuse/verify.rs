//! Finding the passages, the verify pass: each candidate pair's
//! characters compared outward from the shared k-gram, once per diagonal;
//! a run of at least [`THRESHOLD`] equal characters within a segment is a
//! [`Match`]. Only the segments that hold a shared fingerprint are loaded
//! ([`Loaded`]).

use std::collections::HashMap;

use rayon::prelude::*;

use super::find::{Entry, Match, ALL_PAIRS};
use super::prints::{DocPrint, K, THRESHOLD};

/// The matches of the pairs `compare` names, from the table of shared
/// fingerprints (sorted) and the texts of the documents compared; the
/// table is given back as it came. It is worked on in place, not copied
/// (it is the largest thing the match holds): each entry's hash is
/// replaced by its group's number while the documents are gone through in
/// reading order, then put back and the table sorted again.
pub(super) fn pairs(
    mut table: Vec<Entry>,
    family: &[u32],
    texts: &[Option<Loaded>],
    compare: impl Fn(u32, u32) -> bool + Sync,
) -> (Vec<Match>, Vec<Entry>) {
    // Each entry's hash becomes its group's number; groups are numbered in
    // hash order and `hashes` gives each its hash back. What a group pairs
    // a document with, `members[groups[g]..groups[g + 1]]` as (document,
    // position): every earlier document that holds the hash when a few do,
    // the earliest when many do, none when one does.
    let mut groups: Vec<u32> = vec![0];
    let mut hashes: Vec<u64> = Vec::new();
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
        if docs > ALL_PAIRS {
            // Sorted by document: the last is the earliest; its first
            // occurrence of the k-gram.
            let last = entries[entries.len() - 1].1;
            let at = entries.iter().find(|e| e.1 == last).map_or(0, |e| e.2);
            members.push((last, at));
        } else if docs >= 2 {
            // Of each family, its earliest document (a reprint and its
            // original hold the same text; the original stands for both).
            let mut earliest: Vec<(u32, u32)> = Vec::new();
            for e in entries.iter().rev() {
                if !earliest.iter().any(|&(d, _)| family[d as usize] == family[e.1 as usize] && d != e.1) {
                    earliest.push((e.1, e.2));
                }
            }
            members.extend(earliest.into_iter().rev());
        }
        let number = hashes.len() as u64;
        groups.push(members.len() as u32);
        hashes.push(hash);
        entries.iter_mut().for_each(|e| e.0 = number);
        start = end;
    }
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
            let mut covered: HashMap<(u32, i64), u32> = HashMap::new();
            let mut out = Vec::new();
            for &(group, _, at) in &table[range.clone()] {
                let g = group as usize;
                let partners = &members[groups[g] as usize..groups[g + 1] as usize];
                for &(other, their) in partners {
                    // Each pair once, from its later document; a document
                    // and its reprints are not each other's reuse.
                    if other <= doc || family[other as usize] == family[doc as usize] || !compare(doc, other) {
                        continue;
                    }
                    let (Some(mine), Some(theirs)) = (&texts[doc as usize], &texts[other as usize]) else {
                        continue;
                    };
                    let key = (other, at as i64 - their as i64);
                    if covered.get(&key).is_some_and(|&end| end > at) {
                        continue;
                    }
                    let (end, found) = extend(mine, at as usize, theirs, their as usize);
                    covered.insert(key, end as u32);
                    if let Some((a, b)) = found {
                        out.push(Match { src: (other, b.0, b.1, b.2), dst: (doc, a.0, a.1, a.2) });
                    }
                }
            }
            out
        })
        .collect();
    drop((groups, members));
    table.par_iter_mut().for_each(|e| e.0 = hashes[e.0 as usize]);
    drop(hashes);
    table.par_sort_unstable();
    let mut all: Vec<Match> = per_doc.into_iter().flatten().collect();
    all.par_sort_unstable();
    all.dedup();
    (all, table)
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

/// Where a document's segments start in its Han text (then where the last
/// ends), and the characters of those segments that hold a fingerprint
/// another document shares (no passage is anywhere else).
pub(super) struct Loaded {
    starts: Box<[u32]>,
    /// (segment, where its characters begin in `han`), by segment.
    kept: Box<[(u32, u32)]>,
    han: Box<[u16]>,
}

impl Loaded {
    /// `shared`: the document's fingerprints that are kept, by position.
    pub(super) fn new(print: DocPrint, shared: &[Entry]) -> Loaded {
        let mut at = 0;
        let starts: Box<[u32]> = std::iter::once(0)
            .chain(print.segments.iter().map(|s| {
                at += s.0;
                at
            }))
            .collect();
        let (mut kept, mut han) = (Vec::<(u32, u32)>::new(), Vec::new());
        for &(_, _, at) in shared {
            let s = starts[..starts.len() - 1].partition_point(|&s| s <= at).saturating_sub(1);
            if kept.last().is_none_or(|k| k.0 != s as u32) {
                kept.push((s as u32, han.len() as u32));
                han.extend_from_slice(print.han.get(starts[s] as usize..starts[s + 1] as usize).unwrap_or_default());
            }
        }
        Loaded { starts, kept: kept.into_boxed_slice(), han: han.into_boxed_slice() }
    }

    /// A kept segment's characters.
    fn segment(&self, s: u32) -> Option<&[u16]> {
        let i = self.kept.binary_search_by_key(&s, |k| k.0).ok()?;
        let from = self.kept[i].1 as usize;
        let len = (self.starts[s as usize + 1] - self.starts[s as usize]) as usize;
        self.han.get(from..from + len)
    }
}

/// Compares two texts outward from a k-gram both hold at `a` and `b`,
/// within their segments: where the run ends in the first text, and, when
/// it is long enough, both runs as (segment, start, end).
#[allow(clippy::type_complexity)]
fn extend(x: &Loaded, a: usize, y: &Loaded, b: usize) -> (usize, Option<((u32, u32, u32), (u32, u32, u32))>) {
    let (sx, x0, x1) = segment_of(x, a);
    let (sy, y0, y1) = segment_of(y, b);
    let (Some(xs), Some(ys)) = (x.segment(sx), y.segment(sy)) else { return (a + 1, None) };
    // Positions within the two segments.
    let (a, b) = (a - x0, b - y0);
    if x0 + a + K > x1 || y0 + b + K > y1 || xs[a..a + K] != ys[b..b + K] {
        // A hash shared by different k-grams.
        return (x0 + a + 1, None);
    }
    let (mut i, mut j) = (a, b);
    while i > 0 && j > 0 && xs[i - 1] == ys[j - 1] {
        i -= 1;
        j -= 1;
    }
    let (mut e, mut f) = (a + K, b + K);
    while e < xs.len() && f < ys.len() && xs[e] == ys[f] {
        e += 1;
        f += 1;
    }
    let at = |start: usize, n: usize| (start + n) as u32;
    let found = (e - i >= THRESHOLD).then_some(((sx, at(x0, i), at(x0, e)), (sy, at(y0, j), at(y0, f))));
    (x0 + e, found)
}
