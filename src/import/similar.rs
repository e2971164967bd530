//! Reprints: a document whose text is mostly that of another (numbers or
//! names redacted, small edits) is found by the Jaccard similarity of the
//! sets of Han-character shingles of the two bodies. Candidates come from
//! MinHash signatures (one-permutation hashing: one pass over the shingles)
//! banded for locality-sensitive hashing, so an import into an archive of
//! 10,000 documents compares each text with a handful of others, not all of
//! them; every candidate is then verified by the exact Jaccard similarity.
//! Owns the measure, the threshold and the index; reading the archive's
//! documents is `archive`'s business.

use std::collections::HashMap;

/// Shingle length in Han characters: long enough that unrelated speeches on
/// the same topic share few shingles, short enough to survive redactions.
const SHINGLE: usize = 5;

/// Jaccard similarity above which a text is a reprint of another.
const REPRINT_THRESHOLD: f64 = 0.5;

/// A candidate whose signatures estimate a Jaccard similarity below this is
/// not verified: with 128 buckets the estimate's standard deviation is
/// about 0.045 at 0.5, so a pair at the threshold falls below 0.3 with odds
/// under 1 in 100,000, while texts on the same topic (0.1-0.3, which the
/// bands let through often) are dropped without reading them.
const ESTIMATE_FLOOR: f64 = 0.3;

/// Signature length (buckets of the one-permutation MinHash) and its bands:
/// 42 bands of 3 make a pair with Jaccard 0.5 a candidate with probability
/// 0.996 and one with 0.1 (two speeches on the same topic) with 0.04.
const BUCKETS: usize = 128;
const ROWS: usize = 3;
const BANDS: usize = 42;
const EMPTY: u64 = u64::MAX;

/// The hash of each Han-character shingle of a text, in order (a shingle
/// that repeats comes again).
fn shingle_hashes(text: &str) -> impl Iterator<Item = u64> {
    let han: Vec<char> = super::clean::han_chars(text).collect();
    (0..han.len().saturating_sub(SHINGLE - 1)).map(move |i| {
        let mut h: u64 = 0xcbf29ce484222325;
        for c in &han[i..i + SHINGLE] {
            h = (h ^ *c as u64).wrapping_mul(0x100000001b3);
        }
        h
    })
}

/// The set of Han-character shingles of a text, hashed: sorted, each once
/// (a sorted vector, not a hash set: built and intersected without hashing
/// the hashes again). Only candidates that pass the signatures need it.
pub fn shingles(text: &str) -> Vec<u64> {
    let mut set: Vec<u64> = shingle_hashes(text).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// Jaccard similarity of two shingle sets (sorted, each once), 0 when both
/// are empty.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
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
    /// The signature of a text's shingles (a shingle that repeats does not
    /// change a minimum, so no set is built).
    pub fn of(text: &str) -> Signature {
        let mut mins = [EMPTY; BUCKETS];
        for s in shingle_hashes(text) {
            let h = mix(s);
            let bucket = (h >> 57) as usize;
            let value = h & ((1 << 57) - 1);
            if value < mins[bucket] {
                mins[bucket] = value;
            }
        }
        Signature(mins)
    }

    /// The Jaccard similarity the two signatures estimate: of the buckets
    /// either text fills, the share where both hold the same least hash.
    pub fn estimate(&self, other: &Signature) -> f64 {
        let (mut same, mut filled) = (0, 0);
        for (a, b) in self.0.iter().zip(&other.0) {
            if *a != EMPTY || *b != EMPTY {
                filled += 1;
                same += usize::from(a == b);
            }
        }
        if filled == 0 {
            0.0
        } else {
            same as f64 / filled as f64
        }
    }

    /// Whether the estimate leaves `other` worth verifying.
    pub fn may_reach_threshold(&self, other: &Signature) -> bool {
        self.estimate(other) >= ESTIMATE_FLOOR
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
    text: &[u64],
    candidates: &[usize],
    mut shingles_of: impl FnMut(usize) -> Option<Vec<u64>>,
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
            index.insert(i, &Signature::of(t));
        }
        // A copy of text 123 with a tenth of it changed.
        let mut copy: Vec<char> = texts[123].chars().collect();
        for c in copy.iter_mut().step_by(40) {
            *c = '某';
        }
        let copy: String = copy.into_iter().collect();
        let candidates = index.candidates(&Signature::of(&copy));
        assert!(candidates.contains(&123), "{candidates:?}");
        assert!(candidates.len() <= 5, "{} candidates", candidates.len());
        let found = best_match(&shingles(&copy), &candidates, |i| Some(shingles(&texts[i])));
        assert_eq!(found.map(|(i, _)| i), Some(123));
        // A text unlike all of them has no candidate that passes.
        let stranger_text = speech(9999, 2000);
        let stranger = shingles(&stranger_text);
        let candidates = index.candidates(&Signature::of(&stranger_text));
        assert_eq!(best_match(&stranger, &candidates, |i| Some(shingles(&texts[i]))), None);
    }

    #[test]
    fn signatures_estimate_the_exact_similarity_and_drop_strangers_before_verification() {
        let text = speech(7, 3000);
        let mut copy: Vec<char> = text.chars().collect();
        for c in copy.iter_mut().step_by(25) {
            *c = '某';
        }
        let copy: String = copy.into_iter().collect();
        let exact = jaccard(&shingles(&text), &shingles(&copy));
        let estimate = Signature::of(&text).estimate(&Signature::of(&copy));
        assert!((exact - estimate).abs() < 0.15, "exact {exact:.2}, estimate {estimate:.2}");
        assert!(Signature::of(&text).may_reach_threshold(&Signature::of(&copy)));
        assert!(!Signature::of(&text).may_reach_threshold(&Signature::of(&speech(8, 3000))));
    }

    #[test]
    fn a_short_text_has_no_band_and_no_candidates() {
        let short = Signature::of("同志们今天开会");
        assert_eq!(short.band_keys().count(), 0);
        let mut index = LshIndex::default();
        index.insert(0, &short);
        assert!(index.candidates(&short).is_empty());
    }
}
