//! Finding the passages, the candidate pass: every fingerprint that two
//! or more documents hold in one table (a first pass over the hashes alone
//! finds which), grouped by hash; a hash held by several documents pairs
//! each of them with an earlier one that holds it (every earlier one when
//! a few do, the earliest when many do: a set phrase in a thousand
//! speeches costs a thousand pairs, not half a million). The pairs are
//! verified in `verify`; a build after an edit brings the last build's
//! [`State`] up to date in `update` instead.

use std::path::Path;

use rayon::prelude::*;

use super::hashes::all_hashes;
use super::prints::DOC_BITS;
use super::update::update;
use super::verify::{pairs, Loaded};
use super::Prints;
use crate::error::{Error, Result};

/// Groups held by at most this many documents pair all of them.
pub(super) const ALL_PAIRS: usize = 16;

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

pub(super) fn held(hash: u64, doc: u32) -> Held {
    debug_assert!(doc < 1 << DOC_BITS);
    hash | doc as u64
}

/// Fails when `docs` documents are more than a [`Held`] word numbers
/// (2^[`DOC_BITS`]): their numbers would mix with the hash. Checked before
/// any is packed.
pub(super) fn numbered(docs: usize) -> Result<()> {
    if docs > 1 << DOC_BITS {
        return Err(Error::Usage(format!(
            "the shared-passage finder numbers at most {} documents in {DOC_BITS} bits; this archive has {docs}",
            1usize << DOC_BITS
        )));
    }
    Ok(())
}

pub(super) fn hash_of(h: Held) -> u64 {
    h >> DOC_BITS << DOC_BITS
}

pub(super) fn doc_of(h: Held) -> u32 {
    (h & ((1 << DOC_BITS) - 1)) as u32
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
    /// sorted: most of the state (8 bytes one in ten characters). Empty
    /// when a [`Keep`] took them.
    pub hashes: Vec<Held>,
    /// The checksum [`Keep`] gave for the hashes it took: the state is read
    /// with those only.
    pub hashes_kept: Option<u64>,
    /// Every fingerprint two or more documents hold, sorted.
    pub table: Vec<Entry>,
    pub matches: Vec<Match>,
    /// Documents whose prints this build read (not kept).
    pub read: usize,
}

/// Where a build keeps a match's [`State::hashes`] (on disk, see
/// [`super::Kept`]): written as soon as they are known, they are not held
/// while the match compares, nor in the state it returns.
pub trait Keep {
    /// A folder the first pass may spill the hashes to (`hashes`).
    fn spill(&self) -> &Path;
    /// Writes `count` hashes, which `fill` hands over in order, and gives
    /// their checksum (the state names it); `None` when they could not be
    /// written (the state then holds them).
    fn hashes(&self, count: u64, fill: &mut Fill) -> Option<u64>;
}

/// Hands every hash, in order, to the function it is given.
pub type Fill<'a> = dyn FnMut(&mut dyn FnMut(&[Held]) -> std::io::Result<()>) -> std::io::Result<()> + 'a;

/// `hashes` for a [`State`]: handed to `keep` if it takes them.
pub(super) fn hand_over(hashes: Vec<Held>, keep: Option<&dyn Keep>) -> (Vec<Held>, Option<u64>) {
    match keep.and_then(|keep| keep.hashes(hashes.len() as u64, &mut |put| put(&hashes))) {
        Some(sum) => (Vec::new(), Some(sum)),
        None => (hashes, None),
    }
}

/// Every match between documents of different `family` (a document and
/// its reprints are one family). Documents are numbered newest first: a
/// larger number is earlier. `keys` identify the documents' texts (see
/// [`State::keys`]); from the `last` build's state, only pairs an edit
/// can change are compared again, and the result is the same. The
/// hashes go to `keep` before the texts are read.
pub fn matches(
    prints: &dyn Prints,
    family: &[u32],
    keys: &[u64],
    last: Option<State>,
    keep: Option<&dyn Keep>,
) -> Result<State> {
    numbered(keys.len().max(family.len()))?;
    if let Some(state) = last.map(|last| update(prints, family, keys, last, keep)).transpose()?.flatten() {
        return Ok(state);
    }
    let all = all_hashes(prints, keep.map(|k| k.spill()))?;
    // The shared hashes, a bucket at a time as the hashes are written.
    let mut shared: Vec<u64> = Vec::new();
    let hashes_kept = match keep {
        Some(keep) => keep.hashes(all.len()?, &mut |put| {
            shared.clear();
            all.each(&mut |bucket| {
                shared.extend(shared_of(bucket));
                put(bucket).map_err(|e| Error::io("write", keep.spill(), e))
            })
            .map_err(|e| std::io::Error::other(e.to_string()))
        }),
        None => None,
    };
    let hashes = match hashes_kept {
        Some(_) => Vec::new(),
        None => {
            // Not kept, or not written: the state holds them.
            let hashes = all.into_vec()?;
            shared = shared_of(&hashes);
            hashes
        }
    };
    let shared = Shared::new(shared);
    // (hash, document, position) of every fingerprint another document
    // shares, and the segments that hold them, read once: each is
    // compared with many others.
    let (mut table, mut texts): (Vec<Entry>, Vec<Option<Loaded>>) = (Vec::new(), Vec::new());
    in_batches(
        prints.runs(),
        |run| -> Result<(Vec<Entry>, Vec<Option<Loaded>>)> {
            let docs = prints.run(run, true)?;
            let first = run * prints.docs_per_run();
            let (mut table, mut texts) = (Vec::new(), Vec::with_capacity(docs.len()));
            for (i, p) in docs.into_iter().enumerate() {
                let from = table.len();
                let held = p.prints.iter().filter(|e| shared.contains(e.0));
                table.extend(held.map(|&(h, at)| (h, (first + i) as u32, at)));
                // One that shares nothing is compared with none.
                texts.push((table.len() > from).then(|| Loaded::new(p, &table[from..])));
            }
            Ok((table, texts))
        },
        |(t, l)| {
            table.extend(t);
            texts.extend(l);
            Ok(())
        },
    )?;
    drop(shared);
    table.par_sort_unstable();
    let read = texts.len();
    let (matches, table) = pairs(table, family, &texts, |_, _| true);
    Ok(State { keys: keys.to_vec(), family: family.to_vec(), hashes, hashes_kept, table, matches, read })
}

/// The (document, earlier document) pairs one hash's group compares, by
/// the rule [`pairs`] follows: `entries` are the hash's, sorted.
pub(super) fn paired(entries: &[Entry], family: &[u32]) -> Vec<(u32, u32)> {
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

/// `read` of every run, in parallel a few runs at a time, each batch's
/// results handed to `keep` in run order: what is read is held once (the
/// list it goes into grows in place), not once per run and again joined.
pub(super) fn in_batches<T: Send>(
    runs: usize,
    read: impl Fn(usize) -> Result<T> + Sync,
    mut keep: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let batch = 2 * rayon::current_num_threads();
    for from in (0..runs).step_by(batch) {
        let read: Vec<T> = (from..runs.min(from + batch)).into_par_iter().map(&read).collect::<Result<_>>()?;
        read.into_iter().try_for_each(&mut keep)?;
    }
    Ok(())
}

/// The hashes two or more documents hold, sorted, with a bit for each
/// range of hashes that one falls in. Each fingerprint of every document
/// is looked up, and most are held by one document: one look at the bits
/// (16 a shared hash, 2 bytes; most ranges hold none) turns those away,
/// where a binary search of the list takes some twenty steps and, as the
/// list outgrows the processor's caches (520,000 hashes, 4 MB, at 30,000
/// generated speeches), a miss at most of them.
pub(super) struct Shared {
    hashes: Vec<u64>,
    bits: Vec<u64>,
    /// A hash's range: its top bits, `hash >> shift`.
    shift: u32,
}

impl Shared {
    pub fn new(hashes: Vec<u64>) -> Shared {
        let ranges = (16 * hashes.len()).next_power_of_two().max(64);
        let shift = 64 - ranges.trailing_zeros();
        let mut bits = vec![0u64; ranges / 64];
        for &h in &hashes {
            let r = (h >> shift) as usize;
            if let Some(word) = bits.get_mut(r / 64) {
                *word |= 1 << (r % 64);
            }
        }
        Shared { hashes, bits, shift }
    }

    pub fn contains(&self, h: u64) -> bool {
        let r = (h >> self.shift) as usize;
        self.bits.get(r / 64).is_some_and(|w| w >> (r % 64) & 1 == 1) && self.hashes.binary_search(&h).is_ok()
    }
}

/// The hashes two or more documents hold, sorted.
pub(super) fn shared_of(hashes: &[Held]) -> Vec<u64> {
    let mut shared: Vec<u64> =
        hashes.windows(2).filter(|w| hash_of(w[0]) == hash_of(w[1])).map(|w| hash_of(w[0])).collect();
    shared.dedup();
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_documents_than_the_document_bits_number_is_a_usage_error_and_the_last_that_fits_packs_apart() {
        assert!(numbered(1 << DOC_BITS).is_ok());
        let err = numbered((1 << DOC_BITS) + 1).unwrap_err();
        assert!(matches!(&err, Error::Usage(m) if m.contains("16777216")), "{err}");
        // The last number that fits leaves the hash whole.
        let (hash, doc) = (u64::MAX >> DOC_BITS << DOC_BITS, (1u32 << DOC_BITS) - 1);
        let h = held(hash, doc);
        assert_eq!((hash_of(h), doc_of(h)), (hash, doc));
    }

    #[test]
    fn the_shared_set_holds_exactly_its_hashes_whatever_its_size() {
        let hash = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> DOC_BITS << DOC_BITS;
        for n in [0u64, 1, 3, 1000, 40_000] {
            let mut hashes: Vec<u64> = (0..n).map(|i| hash(2 * i)).collect();
            hashes.sort_unstable();
            let shared = Shared::new(hashes);
            assert!((0..n).all(|i| shared.contains(hash(2 * i))), "{n}: one left out");
            assert!((0..n.max(100)).all(|i| !shared.contains(hash(2 * i + 1))), "{n}: one let in");
        }
    }
}
