//! Reprints: a document whose text is mostly that of another (numbers or
//! names redacted, small edits) is found by the Jaccard similarity of the
//! sets of Han-character shingles of the two bodies. Owns the measure and
//! the threshold; reading the archive's documents is `archive`'s business.

use std::collections::HashSet;

/// Shingle length in Han characters: long enough that unrelated speeches on
/// the same topic share few shingles, short enough to survive redactions.
const SHINGLE: usize = 5;

/// Jaccard similarity above which a text is a reprint of another.
pub const REPRINT_THRESHOLD: f64 = 0.5;

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

/// The most similar candidate above the threshold: its index and score.
pub fn find_original<'a>(
    text: &HashSet<u64>,
    candidates: impl Iterator<Item = &'a HashSet<u64>>,
) -> Option<(usize, f64)> {
    candidates
        .enumerate()
        .map(|(i, c)| (i, jaccard(text, c)))
        .filter(|(_, s)| *s >= REPRINT_THRESHOLD)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "几年来，我市一线扶贫干部特别是在座各位付出了艰辛努力，很多同志没有周末，加班加点，才有了今天脱贫攻坚成效。应该说在去年9个县区完成了脱贫摘帽和最后845个村退出之后，今年更多的是巩固提升和完善工作。";

    #[test]
    fn a_redacted_copy_is_similar_and_another_text_is_not() {
        let redacted = ORIGINAL.replace('9', "X").replace("845", "X").replace("很多", "许多");
        let other = "当前，我县脱贫攻坚工作已经到了啃硬骨头、攻坚过关的冲刺阶段。今天，我们在上午的三级干部大会之后，接着召开全县攻坚脱贫工作会。";
        let a = shingles(ORIGINAL);
        assert!(jaccard(&a, &shingles(&redacted)) > 0.8);
        assert!(jaccard(&a, &shingles(other)) < 0.1);
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(find_original(&shingles(&redacted), [shingles(other), a].iter()).map(|(i, _)| i), Some(1));
    }

    #[test]
    fn empty_texts_are_not_similar() {
        assert_eq!(jaccard(&shingles(""), &shingles("")), 0.0);
    }
}
