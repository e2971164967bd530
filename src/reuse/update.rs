//! A build after an edit: the last build's [`State`] brought up to date,
//! reading and comparing only what the edited documents touch (the result
//! is the one a clean [`super::find::matches`] gives).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::find::{doc_of, hand_over, hash_of, held, paired, shared_of, Entry, Held, Keep, Match, Shared, State};
use super::prints::DocPrint;
use super::verify::{pairs, Loaded};
use super::Prints;
use crate::error::Result;

/// The last build's state brought up to date: the edited, added and
/// removed documents' fingerprints replace theirs, and only the pairs
/// whose seeds that changes are compared again (a pair of unchanged
/// documents is when a hash they share gains or loses documents that
/// decide whom it pairs). `None` when too much changed to gain anything,
/// or when unchanged documents changed order or families, or when its
/// hashes were kept apart and are not with it. The new hashes
/// go to `keep` once the documents that hold the newly shared are known.
pub(super) fn update(
    prints: &dyn Prints,
    family: &[u32],
    keys: &[u64],
    last: State,
    keep: Option<&dyn Keep>,
) -> Result<Option<State>> {
    if last.hashes_kept.is_some() {
        // Its hashes were kept apart and not read back with it.
        return Ok(None);
    }
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
    let shared = Shared::new(shared_of(&hashes));
    let was_shared = |h: u64| {
        let i = last.table.partition_point(|e| e.0 < h);
        last.table.get(i).is_some_and(|e| e.0 == h)
    };
    let newly: Vec<u64> = affected.iter().copied().filter(|&h| shared.contains(h) && !was_shared(h)).collect();
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
    let (hashes, hashes_kept) = hand_over(hashes, keep);
    let holders: Vec<(u32, DocPrint)> =
        holders.par_iter().map(|&d| Ok((d, prints.doc(d as usize)?))).collect::<Result<_>>()?;
    let mut table: Vec<Entry> =
        last.table.iter().filter(|e| shared.contains(e.0)).filter_map(|&(h, o, at)| Some((h, map(o)?, at))).collect();
    for (d, p) in &fresh {
        table.extend(p.prints.iter().filter(|e| shared.contains(e.0)).map(|&(h, at)| (h, *d, at)));
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
    let (mut matches, table) = pairs(table, family, &texts, compare);
    matches.extend(last.matches.iter().filter_map(|m| {
        let (src, dst) = (map(m.src.0)?, map(m.dst.0)?);
        (!again.contains(&(dst, src)))
            .then_some(Match { src: (src, m.src.1, m.src.2, m.src.3), dst: (dst, m.dst.1, m.dst.2, m.dst.3) })
    }));
    matches.par_sort_unstable();
    matches.dedup();
    Ok(Some(State { keys: keys.to_vec(), family: family.to_vec(), hashes, hashes_kept, table, matches, read }))
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
