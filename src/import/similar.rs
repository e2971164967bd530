//! Reprints: a document whose text is mostly that of another (numbers or
//! names redacted, small edits) is found by the Jaccard similarity of the
//! sets of Han-character shingles of the two bodies. Candidates come from
//! MinHash signatures (one-permutation hashing: one pass over the shingles)
//! banded for locality-sensitive hashing, so an import into an archive of
//! 10,000 documents compares each text with a handful of others, not all of
//! them; every candidate is then verified by the exact Jaccard similarity.
//! Owns the measure, the threshold and the index; reading the archive's
//! documents is `archive`'s business.

use std::collections::{HashMap, HashSet};

/// Shingle length in Han characters: long enough that unrelated speeches on
/// the same topic share few shingles, short enough to survive redactions.
const SHINGLE: usize = 5;

/// Jaccard similarity above which a text is a reprint of another.
pub const REPRINT_THRESHOLD: f64 = 0.5;

/// Signature length (buckets of the one-permutation MinHash) and its bands:
/// 42 bands of 3 make a pair with Jaccard 0.5 a candidate with probability
/// 0.996 and one with 0.1 (two speeches on the same topic) with 0.04.
const BUCKETS: usize = 128;
const ROWS: usize = 3;
const BANDS: usize = 42;
const EMPTY: u64 = u64::MAX;

/// The set of Han-character shingles of a text, hashed.
pub fn shingles(text: &str) -> HashSet<u64> {
    let han: Vec<char> = super::clean::han_chars(text).collect();
    han.windows(SHINGLE)
        .map(|w| {
            let mut h: u64 = 0xcbf29ce484222325;
            for c in w {
                h = (h ^ *c as u64).wrapping_mul(0x100000001b3);
            }
            h
        })
        .collect()
}

/// Jaccard similarity of two shingle sets, 0 when both are empty.
pub fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// A one-permutation MinHash signature: per bucket of the (mixed) shingle
/// hashes, the least.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature([u64; BUCKETS]);

impl Signature {
    pub fn of(shingles: &HashSet<u64>) -> Signature {
        let mut mins = [EMPTY; BUCKETS];
        for &s in shingles {
            let h = mix(s);
            let bucket = (h >> 57) as usize;
            let value = h & ((1 << 57) - 1);
            if value < mins[bucket] {
                mins[bucket] = value;
            }
        }
        Signature(mins)
    }

    /// Each band's key; bands with an empty bucket (a very short text) give
    /// none, or every short text would collide with every other.
    fn band_keys(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        (0..BANDS).filter_map(|b| {
            let rows = &self.0[b * ROWS..(b + 1) * ROWS];
            (!rows.contains(&EMPTY)).then(|| (b, rows.iter().fold(b as u64, |h, &r| mix(h ^ r))))
        })
    }
}

/// SplitMix64's finaliser: spreads FNV hashes over all 64 bits.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// Documents by band key: who might be a reprint of whom.
#[derive(Debug, Default)]
pub struct LshIndex {
    bands: HashMap<(usize, u64), Vec<usize>>,
}

impl LshIndex {
    /// Adds document number `id`.
    pub fn insert(&mut self, id: usize, signature: &Signature) {
        for key in signature.band_keys() {
            self.bands.entry(key).or_default().push(id);
        }
    }

    /// The documents that share a band with `signature`, each once, in the
    /// order they were added.
    pub fn candidates(&self, signature: &Signature) -> Vec<usize> {
        let mut ids: Vec<usize> = signature.band_keys().filter_map(|k| self.bands.get(&k)).flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The most similar of `candidates` at or above the threshold, by exact
/// Jaccard similarity: its id and score. `shingles_of` yields a
/// candidate's shingles (`None` when its text is gone).
pub fn best_match(
    text: &HashSet<u64>,
    candidates: &[usize],
    mut shingles_of: impl FnMut(usize) -> Option<HashSet<u64>>,
) -> Option<(usize, f64)> {
    candidates
        .iter()
        .filter_map(|&id| shingles_of(id).map(|s| (id, jaccard(text, &s))))
        .filter(|(_, s)| *s >= REPRINT_THRESHOLD)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "几年来，我市一线扶贫干部特别是在座各位付出了艰辛努力，很多同志没有周末，加班加点，才有了今天脱贫攻坚成效。应该说在去年9个县区完成了脱贫摘帽和最后845个村退出之后，今年更多的是巩固提升和完善工作。";
    const OTHER: &str = "当前，我县脱贫攻坚工作已经到了啃硬骨头、攻坚过关的冲刺阶段。今天，我们在上午的三级干部大会之后，接着召开全县攻坚脱贫工作会。";

    #[test]
    fn a_redacted_copy_is_similar_and_another_text_is_not() {
        let redacted = ORIGINAL.replace('9', "X").replace("845", "X").replace("很多", "许多");
        let a = shingles(ORIGINAL);
        assert!(jaccard(&a, &shingles(&redacted)) > 0.8);
        assert!(jaccard(&a, &shingles(OTHER)) < 0.1);
        assert_eq!(jaccard(&a, &a), 1.0);
        let all = [shingles(OTHER), a];
        assert_eq!(best_match(&shingles(&redacted), &[0, 1], |i| Some(all[i].clone())).map(|(i, _)| i), Some(1));
    }

    #[test]
    fn empty_texts_are_not_similar() {
        assert_eq!(jaccard(&shingles(""), &shingles("")), 0.0);
    }

    /// A long text made of numbered sentences: `n` picks which.
    fn speech(n: u64, len: usize) -> String {
        let han: Vec<char> =
            "脱贫攻坚会议精神落实责任产业扶贫就业搬迁教育健康兜底保障资金项目考核督查作风干部群众".chars().collect();
        let mut seed = n.wrapping_mul(0x9e3779b97f4a7c15) | 1;
        (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                han[(seed >> 33) as usize % han.len()]
            })
            .collect()
    }

    #[test]
    fn the_index_finds_a_reprint_among_many_and_few_strangers() {
        let texts: Vec<String> = (0..300).map(|n| speech(n, 2000)).collect();
        let mut index = LshIndex::default();
        for (i, t) in texts.iter().enumerate() {
            index.insert(i, &Signature::of(&shingles(t)));
        }
        // A copy of text 123 with a tenth of it changed.
        let mut copy: Vec<char> = texts[123].chars().collect();
        for c in copy.iter_mut().step_by(40) {
            *c = '某';
        }
        let copy: String = copy.into_iter().collect();
        let candidates = index.candidates(&Signature::of(&shingles(&copy)));
        assert!(candidates.contains(&123), "{candidates:?}");
        assert!(candidates.len() <= 5, "{} candidates", candidates.len());
        let found = best_match(&shingles(&copy), &candidates, |i| Some(shingles(&texts[i])));
        assert_eq!(found.map(|(i, _)| i), Some(123));
        // A text unlike all of them has no candidate that passes.
        let stranger = shingles(&speech(9999, 2000));
        let candidates = index.candidates(&Signature::of(&stranger));
        assert_eq!(best_match(&stranger, &candidates, |i| Some(shingles(&texts[i]))), None);
    }

    #[test]
    fn a_short_text_has_no_band_and_no_candidates() {
        let short = Signature::of(&shingles("同志们今天开会"));
        assert_eq!(short.band_keys().count(), 0);
        let mut index = LshIndex::default();
        index.insert(0, &short);
        assert!(index.candidates(&short).is_empty());
    }
}
