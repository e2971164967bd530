//! Finding the passages: every fingerprint that two or more documents
//! hold in one table (a first pass over the hashes alone finds which),
//! grouped by hash; a hash held by several documents pairs each of them
//! with an earlier one that holds it (every earlier one when a few do, the
//! earliest when many do: a set phrase in a thousand speeches costs a
//! thousand pairs, not half a million); each pair's characters are then
//! compared outward from the shared k-gram, once per diagonal, and a run
//! of at least [`THRESHOLD`] equal characters within a segment is a match.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::prints::{DocPrint, DOC_BITS, K, THRESHOLD};
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
pub type Entry = (u64, u32, u32);

/// A hash and a document that holds it in one word: the hash's 40 bits
/// above the document's number ([`DOC_BITS`]), so that sorting these sorts
/// by hash, then document.
pub type Held = u64;

fn held(hash: u64, doc: u32) -> Held {
    hash | doc as u64
}

fn hash_of(h: Held) -> u64 {
    h >> DOC_BITS << DOC_BITS
}

fn doc_of(h: Held) -> u32 {
    (h & ((1 << DOC_BITS) - 1)) as u32
}

/// What a hash's group pairs a document with.
enum Group {
    /// The earliest document holding it, and where.
    Earliest(u32, u32),
    /// Its entries (document, position), in `members[range]`.
    All(std::ops::Range<u32>),
}

/// What one build's matching leaves for the next, kept in
/// `.archive-cache/` ([`super::Kept`]): with it, an edit reads and
/// compares only what the edited documents touch.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct State {
    /// Per document, newest first: its path and file digest, hashed.
    pub keys: Vec<u64>,
    pub family: Vec<u32>,
    /// Each document's distinct fingerprint hashes, with it ([`Held`]),
    /// sorted.
    pub hashes: Vec<Held>,
    /// Every fingerprint two or more documents hold, sorted.
    pub table: Vec<Entry>,
    pub matches: Vec<Match>,
    /// Documents whose prints this build read (not kept).
    pub read: usize,
}

/// Every match between documents of different `family` (a document and
/// its reprints are one family). Documents are numbered newest first: a
/// larger number is earlier. `keys` identify the documents' texts (see
/// [`State::keys`]); from the `last` build's state, only pairs an edit
/// can change are compared again, and the result is the same.
pub fn matches(prints: &dyn Prints, family: &[u32], keys: &[u64], last: Option<State>) -> Result<State> {
    if let Some(state) = last.map(|last| update(prints, family, keys, last)).transpose()?.flatten() {
        return Ok(state);
    }
    let hashes = all_hashes(prints)?;
    let shared = shared_of(&hashes);
    // (hash, document, position) of every fingerprint another document
    // shares, and the segments that hold them, read once: each is
    // compared with many others.
    let read: Vec<(Vec<Entry>, Vec<Option<Loaded>>)> = (0..prints.runs())
        .into_par_iter()
        .map(|run| -> Result<(Vec<Entry>, Vec<Option<Loaded>>)> {
            let docs = prints.run(run, true)?;
            let first = run * prints.docs_per_run();
            let (mut table, mut texts) = (Vec::new(), Vec::with_capacity(docs.len()));
            for (i, p) in docs.into_iter().enumerate() {
                let from = table.len();
                let held = p.prints.iter().filter(|e| shared.binary_search(&e.0).is_ok());
                table.extend(held.map(|&(h, at)| (h, (first + i) as u32, at)));
                texts.push(Some(Loaded::new(p, &table[from..])));
            }
            Ok((table, texts))
        })
        .collect::<Result<_>>()?;
    drop(shared);
    let mut table: Vec<Entry> = Vec::with_capacity(read.iter().map(|r| r.0.len()).sum());
    let mut texts: Vec<Option<Loaded>> = Vec::new();
    for (t, l) in read {
        table.extend(t);
        texts.extend(l);
    }
    table.par_sort_unstable();
    let matches = pairs(&table, family, &texts, |_, _| true);
    let read = texts.len();
    Ok(State { keys: keys.to_vec(), family: family.to_vec(), hashes, table, matches, read })
}

/// The last build's state brought up to date: the edited, added and
/// removed documents' fingerprints replace theirs, and only the pairs
/// whose seeds that changes are compared again (a pair of unchanged
/// documents is when a hash they share gains or loses documents that
/// decide whom it pairs). `None` when too much changed to gain anything,
/// or when unchanged documents changed order or families.
fn update(prints: &dyn Prints, family: &[u32], keys: &[u64], last: State) -> Result<Option<State>> {
    let n = keys.len();
    let mut new_of_old = vec![u32::MAX; last.keys.len()];
    let index: HashMap<u64, u32> = keys.iter().enumerate().map(|(d, &k)| (k, d as u32)).collect();
    if index.len() != n || last.family.len() != last.keys.len() {
        return Ok(None);
    }
    let mut same = vec![false; n];
    for (o, k) in last.keys.iter().enumerate() {
        if let Some(&d) = index.get(k) {
            if same[d as usize] {
                return Ok(None);
            }
            (new_of_old[o], same[d as usize]) = (d, true);
        }
    }
    let kept: Vec<u32> = new_of_old.iter().copied().filter(|&d| d != u32::MAX).collect();
    let changed: Vec<u32> = (0..n as u32).filter(|&d| !same[d as usize]).collect();
    let removed = last.keys.len() - kept.len();
    if !kept.windows(2).all(|w| w[0] < w[1]) || (changed.len() + removed) * 8 > n + 64 {
        return Ok(None);
    }
    // Unchanged documents must be of one family exactly when they were.
    let mut fam: HashMap<u32, u32> = HashMap::new();
    let mut back: HashMap<u32, u32> = HashMap::new();
    for (o, &d) in new_of_old.iter().enumerate().filter(|(_, &d)| d != u32::MAX) {
        let (a, b) = (last.family[o], family[d as usize]);
        if *fam.entry(a).or_insert(b) != b || *back.entry(b).or_insert(a) != a {
            return Ok(None);
        }
    }
    let map = |o: u32| new_of_old.get(o as usize).copied().filter(|&d| d != u32::MAX);
    // The changed documents' prints, read now.
    let fresh: Vec<(u32, DocPrint)> =
        changed.par_iter().map(|&d| Ok((d, prints.doc(d as usize)?))).collect::<Result<_>>()?;
    let mut added: Vec<Held> = Vec::new();
    for (d, p) in &fresh {
        let mut mine: Vec<u64> = p.prints.iter().map(|e| e.0).collect();
        mine.sort_unstable();
        mine.dedup();
        added.extend(mine.into_iter().map(|h| held(h, *d)));
    }
    added.sort_unstable();
    // Hashes whose documents changed: only their groups can pair differently.
    let mut affected: Vec<u64> = added.iter().map(|&e| hash_of(e)).collect();
    affected.extend(last.hashes.iter().filter(|&&e| map(doc_of(e)).is_none()).map(|&e| hash_of(e)));
    affected.sort_unstable();
    affected.dedup();
    let mut hashes = last.hashes;
    hashes.retain_mut(|e| map(doc_of(*e)).map(|d| *e = held(hash_of(*e), d)).is_some());
    merge_into(&mut hashes, &added);
    let shared = shared_of(&hashes);
    let was_shared = |h: u64| {
        let i = last.table.partition_point(|e| e.0 < h);
        last.table.get(i).is_some_and(|e| e.0 == h)
    };
    let newly: Vec<u64> =
        affected.iter().copied().filter(|&h| shared.binary_search(&h).is_ok() && !was_shared(h)).collect();
    // Unchanged documents that now share a hash they held alone: their
    // fingerprints of it are read.
    let mut holders: Vec<u32> = Vec::new();
    for &h in &newly {
        let from = hashes.partition_point(|&e| hash_of(e) < h);
        let holding = hashes[from..].iter().take_while(|&&e| hash_of(e) == h).map(|&e| doc_of(e));
        holders.extend(holding.filter(|&d| same[d as usize]));
    }
    holders.sort_unstable();
    holders.dedup();
    let holders: Vec<(u32, DocPrint)> =
        holders.par_iter().map(|&d| Ok((d, prints.doc(d as usize)?))).collect::<Result<_>>()?;
    let mut table: Vec<Entry> = last
        .table
        .iter()
        .filter(|e| shared.binary_search(&e.0).is_ok())
        .filter_map(|&(h, o, at)| Some((h, map(o)?, at)))
        .collect();
    for (d, p) in &fresh {
        table.extend(p.prints.iter().filter(|e| shared.binary_search(&e.0).is_ok()).map(|&(h, at)| (h, *d, at)));
    }
    for (d, p) in &holders {
        table.extend(p.prints.iter().filter(|e| newly.binary_search(&e.0).is_ok()).map(|&(h, at)| (h, *d, at)));
    }
    table.par_sort_unstable();
    // Pairs of unchanged documents whose seeds differ: those one affected
    // hash pairs in one build and not in the other.
    let range = |t: &[Entry], h: u64| {
        let from = t.partition_point(|e| e.0 < h);
        from..from + t[from..].partition_point(|e| e.0 == h)
    };
    let mut again: HashSet<(u32, u32)> = HashSet::new();
    let mut touched = vec![false; n];
    for &h in &affected {
        let before: HashSet<(u32, u32)> = paired(&last.table[range(&last.table, h)], &last.family)
            .into_iter()
            .filter_map(|(a, b)| Some((map(a)?, map(b)?)))
            .collect();
        let mut after: HashSet<(u32, u32)> = HashSet::new();
        for (a, b) in paired(&table[range(&table, h)], family) {
            if same[a as usize] && same[b as usize] {
                after.insert((a, b));
            } else {
                // A pair with a changed document is compared.
                (touched[a as usize], touched[b as usize]) = (true, true);
            }
        }
        again.extend(before.symmetric_difference(&after));
    }
    for &(a, b) in &again {
        (touched[a as usize], touched[b as usize]) = (true, true);
    }
    // The texts of the documents compared, by their fingerprints' segments.
    let mut by_doc = table.clone();
    by_doc.par_sort_unstable_by_key(|e| (e.1, e.2, e.0));
    let fresh: HashMap<u32, DocPrint> = fresh.into_iter().chain(holders).collect();
    let wanted: Vec<u32> = (0..n as u32).filter(|&d| touched[d as usize]).collect();
    let loaded: Vec<(u32, Loaded)> = wanted
        .par_iter()
        .map(|&d| {
            let print = match fresh.get(&d) {
                Some(p) => p.clone(),
                None => prints.doc(d as usize)?,
            };
            let from = by_doc.partition_point(|e| e.1 < d);
            let to = from + by_doc[from..].partition_point(|e| e.1 == d);
            Ok((d, Loaded::new(print, &by_doc[from..to])))
        })
        .collect::<Result<_>>()?;
    let mut read: HashSet<u32> = fresh.keys().copied().collect();
    read.extend(loaded.iter().map(|(d, _)| *d));
    let read = read.len();
    let mut texts: Vec<Option<Loaded>> = (0..n).map(|_| None).collect();
    for (d, l) in loaded {
        texts[d as usize] = Some(l);
    }
    let compare = |doc: u32, other: u32| !same[doc as usize] || !same[other as usize] || again.contains(&(doc, other));
    let mut matches = pairs(&table, family, &texts, compare);
    matches.extend(last.matches.iter().filter_map(|m| {
        let (src, dst) = (map(m.src.0)?, map(m.dst.0)?);
        (!again.contains(&(dst, src)))
            .then_some(Match { src: (src, m.src.1, m.src.2, m.src.3), dst: (dst, m.dst.1, m.dst.2, m.dst.3) })
    }));
    matches.par_sort_unstable();
    matches.dedup();
    Ok(Some(State { keys: keys.to_vec(), family: family.to_vec(), hashes, table, matches, read }))
}

/// Merges the sorted `b` into the sorted `a`, in place (from the back).
fn merge_into<T: Ord + Copy + Default>(a: &mut Vec<T>, b: &[T]) {
    let (mut i, mut j) = (a.len(), b.len());
    a.resize(i + j, T::default());
    while j > 0 {
        if i > 0 && a[i - 1] > b[j - 1] {
            a[i + j - 1] = a[i - 1];
            i -= 1;
        } else {
            a[i + j - 1] = b[j - 1];
            j -= 1;
        }
    }
}

/// The (document, earlier document) pairs one hash's group compares, by
/// the rule [`pairs`] follows: `entries` are the hash's, sorted.
fn paired(entries: &[Entry], family: &[u32]) -> Vec<(u32, u32)> {
    let mut docs: Vec<u32> = entries.iter().map(|e| e.1).collect();
    docs.dedup();
    if docs.len() < 2 {
        return Vec::new();
    }
    let fam = |d: u32| family.get(d as usize).copied().unwrap_or(u32::MAX);
    let partners: Vec<u32> = if docs.len() <= ALL_PAIRS {
        let mut earliest: Vec<u32> = Vec::new();
        for &d in docs.iter().rev() {
            if !earliest.iter().any(|&e| fam(e) == fam(d)) {
                earliest.push(d);
            }
        }
        earliest
    } else {
        vec![docs[docs.len() - 1]]
    };
    let mut out = Vec::new();
    for &d in &docs {
        for &o in &partners {
            if o > d && fam(o) != fam(d) {
                out.push((d, o));
            }
        }
    }
    out
}

/// The matches of the pairs `compare` names, from the table of shared
/// fingerprints (sorted) and the texts of the documents compared.
fn pairs(
    table: &[Entry],
    family: &[u32],
    texts: &[Option<Loaded>],
    compare: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<Match> {
    let mut table = table.to_vec();
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
            u64::MAX
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
            groups.len() as u64 - 1
        } else {
            // Sorted by document: the last is the earliest; its first
            // occurrence of the k-gram.
            let last = entries[entries.len() - 1].1;
            let at = entries.iter().find(|e| e.1 == last).map_or(0, |e| e.2);
            groups.push(Group::Earliest(last, at));
            groups.len() as u64 - 1
        };
        entries.iter_mut().for_each(|e| e.0 = number);
        start = end;
    }
    table.retain(|e| e.0 != u64::MAX);
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
                let partners: &[(u32, u32)] = match &groups[group as usize] {
                    Group::Earliest(d, p) => &[(*d, *p)][..],
                    Group::All(r) => &members[r.start as usize..r.end as usize],
                };
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
    drop((table, groups, members));
    let mut all: Vec<Match> = per_doc.into_iter().flatten().collect();
    all.par_sort_unstable();
    all.dedup();
    all
}

/// Every document's distinct fingerprint hashes, with it ([`Held`]),
/// sorted: a first pass over the prints alone (8 bytes a fingerprint,
/// about one in ten characters), so that the texts and the table keep only
/// what some other document shares.
fn all_hashes(prints: &dyn Prints) -> Result<Vec<Held>> {
    let per_run: Vec<Vec<Held>> = (0..prints.runs())
        .into_par_iter()
        .map(|run| -> Result<Vec<Held>> {
            let first = run * prints.docs_per_run();
            let mut out = Vec::new();
            for (i, p) in prints.run(run, false)?.into_iter().enumerate() {
                let mut mine: Vec<u64> = p.prints.iter().map(|e| e.0).collect();
                mine.sort_unstable();
                mine.dedup();
                out.extend(mine.into_iter().map(|h| held(h, (first + i) as u32)));
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut all: Vec<Held> = Vec::with_capacity(per_run.iter().map(Vec::len).sum());
    for r in per_run {
        all.extend(r);
    }
    all.par_sort_unstable();
    Ok(all)
}

/// The hashes two or more documents hold, sorted.
fn shared_of(hashes: &[Held]) -> Vec<u64> {
    let mut shared: Vec<u64> =
        hashes.windows(2).filter(|w| hash_of(w[0]) == hash_of(w[1])).map(|w| hash_of(w[0])).collect();
    shared.dedup();
    shared
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
struct Loaded {
    starts: Box<[u32]>,
    /// (segment, where its characters begin in `han`), by segment.
    kept: Box<[(u32, u32)]>,
    han: Box<[u16]>,
}

impl Loaded {
    /// `shared`: the document's fingerprints that are kept, by position.
    fn new(print: DocPrint, shared: &[Entry]) -> Loaded {
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
