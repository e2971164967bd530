//! One document's part of the shared-passage finder, made where its text
//! is walked (the search stage's indexer) and kept with its run of
//! documents in `.archive-cache/`, so an edit fingerprints only its run
//! again: its Han characters (normal form, one `u16` each), segment by
//! segment with their anchors, and the fingerprints that winnowing picks
//! from their k-grams.

use crate::markdown::segments::BodyText;
use crate::script::rolling_hashes;

/// A passage is reported when it has at least this many Han characters in
/// common (punctuation, digits and spaces aside): about two sentences of a
/// speech; shorter runs are the set phrases every speech shares.
pub const THRESHOLD: usize = 30;

/// Characters of a k-gram, and the winnowing window: any run of
/// [`THRESHOLD`] characters holds `WINDOW` k-grams, so two texts that
/// share one share at least one fingerprint.
pub const K: usize = 12;
pub const WINDOW: usize = THRESHOLD - K + 1;

/// A Han character the finder compares: the CJK Unified Ideographs, their
/// extension A and the compatibility block (all in the Basic Multilingual
/// Plane, one `u16`), in its normal form (traditional as simplified).
pub fn han(c: char) -> Option<u16> {
    let f = crate::script::fold(c);
    matches!(f, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}').then_some(f as u16)
}

/// A document's Han text and fingerprints.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocPrint {
    /// Per segment (a paragraph, heading, list item, cell): its Han
    /// characters' count and its anchor code ([`BodyText`]). Segments
    /// shorter than [`THRESHOLD`] are left out: no passage fits in them.
    pub segments: Vec<(u32, u32)>,
    /// The segments' Han characters, one after the other.
    pub han: Vec<u16>,
    /// (hash, position in `han`) of each k-gram winnowing picks, by position.
    pub prints: Vec<(u64, u32)>,
}

impl DocPrint {
    /// The part of `text` the finder needs.
    pub fn of(text: &BodyText) -> DocPrint {
        let mut out = DocPrint::default();
        let mut start = 0;
        for (i, &c) in text.chars.iter().enumerate() {
            if c == '\0' {
                out.close_segment(start, text);
                start = i + 1;
                continue;
            }
            if let Some(h) = han(c) {
                out.han.push(h);
            }
        }
        out.close_segment(start, text);
        out
    }

    /// Ends the segment that began at body position `start`: kept with its
    /// fingerprints when long enough, else its characters are dropped.
    fn close_segment(&mut self, start: usize, text: &BodyText) {
        let kept: usize = self.segments.iter().map(|s| s.0 as usize).sum();
        let len = self.han.len() - kept;
        if len < THRESHOLD {
            self.han.truncate(kept);
            return;
        }
        self.segments.push((len as u32, text.anchor_at(start as u32)));
        winnow(&self.han[kept..], kept as u32, &mut self.prints);
    }

    /// Appends the encoded print to `out`: little-endian `u32`s — segments,
    /// then each's count and anchor; fingerprints, then each's hash (low
    /// word, high word) and position — then the Han characters as `u16`s.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut put = |n: u32| out.extend(n.to_le_bytes());
        put(self.segments.len() as u32);
        self.segments.iter().for_each(|&(n, a)| {
            put(n);
            put(a);
        });
        put(self.prints.len() as u32);
        self.prints.iter().for_each(|&(h, p)| {
            put(h as u32);
            put((h >> 32) as u32);
            put(p);
        });
        out.extend(self.han.iter().flat_map(|h| h.to_le_bytes()));
    }

    /// Reads an encoded print; `None` when cut short. Without `text`, its
    /// Han characters are left out (`han` stays empty).
    pub fn decode(bytes: &[u8], text: bool) -> Option<DocPrint> {
        let mut at = 0;
        let mut word = || -> Option<u32> {
            let w = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
            at += 4;
            Some(w)
        };
        let n = word()? as usize;
        let segments = (0..n).map(|_| Some((word()?, word()?))).collect::<Option<Vec<_>>>()?;
        let n = word()? as usize;
        let prints =
            (0..n).map(|_| Some((word()? as u64 | (word()? as u64) << 32, word()?))).collect::<Option<Vec<_>>>()?;
        let chars: usize = segments.iter().map(|s| s.0 as usize).sum();
        let rest = bytes.get(at..at + 2 * chars)?;
        let han =
            if text { rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect() } else { Vec::new() };
        Some(DocPrint { segments, han, prints })
    }
}

/// Hashes of every k-gram of `text`: the rolling polynomial hash
/// ([`rolling_hashes`]), mixed, its low [`DOC_BITS`] bits cleared.
fn kgram_hashes(text: &[u16]) -> Vec<u64> {
    rolling_hashes(text, K).into_iter().map(mix).collect()
}

/// Bits at the bottom of a fingerprint's hash left zero, so that the
/// finder's first pass keeps a hash and a document number in one `u64`
/// (up to 2^24 documents). The other 40 bits make chance collisions
/// rare: with 32-bit hashes, two different k-grams shared a hash about
/// n²/2^33 times for n fingerprints, 24,394 of 36,012 pairs compared at
/// 10,000 generated speeches (262 of 1,529 at 1,000).
pub const DOC_BITS: u32 = 24;

/// A finaliser (from MurmurHash3) so that near k-grams spread over the bits.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h >> DOC_BITS << DOC_BITS
}

/// Winnowing (Schleimer, Wilkerson and Aiken 2003): in each window of
/// [`WINDOW`] consecutive k-grams the smallest hash (the rightmost of
/// equals) is a fingerprint, taken once. Positions are offset by `base`.
fn winnow(text: &[u16], base: u32, out: &mut Vec<(u64, u32)>) {
    let hashes = kgram_hashes(text);
    if hashes.len() < WINDOW {
        return;
    }
    // Indices of the window's candidates, hashes rising from the front: a
    // new hash removes the greater or equal ones behind it (so of equals
    // the rightmost stays), and the front is the window's minimum.
    let mut queue = std::collections::VecDeque::with_capacity(WINDOW);
    let mut last = usize::MAX;
    for (i, &h) in hashes.iter().enumerate() {
        while queue.back().is_some_and(|&j: &usize| hashes[j] >= h) {
            queue.pop_back();
        }
        queue.push_back(i);
        if queue.front().is_some_and(|&j| j + WINDOW <= i) {
            queue.pop_front();
        }
        if i + 1 >= WINDOW {
            let at = queue[0];
            if at != last {
                out.push((hashes[at], base + at as u32));
                last = at;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> BodyText {
        let mut t = BodyText::default();
        for (i, para) in s.split('|').enumerate() {
            t.anchors.push((t.chars.len() as u32, ((i + 1) as u32) << 1));
            t.chars.push('\0');
            t.chars.extend(para.chars());
        }
        t.chars.push('\0');
        t
    }

    #[test]
    fn only_han_characters_of_long_enough_segments_are_kept_in_their_normal_form() {
        let long = "脱貧攻堅是一場硬仗，越到最後越要緊繃這根弦，不能停頓、不能大意、不能放鬆，2020年必須如期完成。";
        let p = DocPrint::of(&text(&format!("短段落。|{long}")));
        let expected: String = long.chars().filter_map(han).map(|h| char::from_u32(h as u32).unwrap()).collect();
        assert!(expected.starts_with("脱贫攻坚是一场硬仗越到最后"), "{expected}");
        assert_eq!(p.segments, [(expected.chars().count() as u32, 2 << 1)]);
        assert_eq!(String::from_utf16(&p.han).unwrap(), expected);
        assert!(!p.prints.is_empty());
        assert_eq!(
            DocPrint::decode(
                &{
                    let mut b = Vec::new();
                    p.encode(&mut b);
                    b
                },
                true
            ),
            Some(p)
        );
    }

    #[test]
    fn texts_that_share_a_threshold_long_run_share_a_fingerprint() {
        // Random characters around a shared run of exactly THRESHOLD.
        let mut seed = 7u64;
        let mut random = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    char::from_u32(0x4E00 + (seed % 5000) as u32).unwrap()
                })
                .collect()
        };
        for trial in 0..50 {
            let shared = random(THRESHOLD);
            let a = DocPrint::of(&text(&format!("{}{shared}{}", random(trial), random(40))));
            let b = DocPrint::of(&text(&format!("{}{shared}{}", random(3 * trial + 5), random(7))));
            let hashes: std::collections::HashSet<u64> = a.prints.iter().map(|p| p.0).collect();
            assert!(b.prints.iter().any(|p| hashes.contains(&p.0)), "trial {trial}");
        }
    }

    #[test]
    fn fingerprint_hashes_have_40_bits_and_leave_the_document_bits_zero() {
        let p = DocPrint::of(&text(
            &"我们一定要瞄准全面脱贫同步小康目标遵循扶贫内在规律正确处理脱贫攻坚节奏与质量之间的关系".repeat(4),
        ));
        assert!(p.prints.len() > 2);
        assert!(p.prints.iter().all(|&(h, _)| h.trailing_zeros() >= DOC_BITS), "{:?}", p.prints);
        assert!(p.prints.iter().any(|&(h, _)| h >> 32 != 0), "wider than 32 bits: {:?}", p.prints);
    }
}
