//! One document's part of the shared-passage finder, made where its text
//! is walked (the search stage's indexer) and kept with its run of
//! documents in `.archive-cache/`, so an edit fingerprints only its run
//! again: its Han characters (normal form, one `u16` each), segment by
//! segment with their anchors, and the fingerprints that winnowing picks
//! from their k-grams.

use crate::markdown::segments::BodyText;
// The k-grams' polynomial hash is `rolling_hashes`' (the tests check it).
use crate::script::BASE;

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
        let mut out = DocPrint { han: Vec::with_capacity(text.chars.len()), ..DocPrint::default() };
        let (mut start, mut kept) = (0, 0);
        for (i, &c) in text.chars.iter().enumerate() {
            if c == '\0' {
                kept = out.close_segment(start, kept, text);
                start = i + 1;
            } else if let Some(h) = han(c) {
                out.han.push(h);
            }
        }
        out.close_segment(start, kept, text);
        out.han.shrink_to_fit();
        out
    }

    /// Ends the segment that began at body position `start`, its Han
    /// characters those after the `kept` ones: kept with its fingerprints
    /// when long enough, else its characters are dropped. Returns the Han
    /// characters kept now.
    fn close_segment(&mut self, start: usize, kept: usize, text: &BodyText) -> usize {
        let len = self.han.len() - kept;
        if len < THRESHOLD {
            self.han.truncate(kept);
            return kept;
        }
        self.segments.push((len as u32, text.anchor_at(start as u32)));
        winnow(&self.han[kept..], kept as u32, &mut self.prints);
        self.han.len()
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
/// equals) is a fingerprint, taken once. A k-gram's hash is its rolling
/// polynomial hash, mixed ([`mix`]). Positions are offset by `base`.
///
/// One pass, nothing allocated: the window's hashes in a ring, the
/// minimum kept until a smaller or equal hash comes or it leaves the
/// window, and only then is the window searched again.
fn winnow(text: &[u16], base: u32, out: &mut Vec<(u64, u32)>) {
    if text.len() < K + WINDOW - 1 {
        return;
    }
    let top = (1..K).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut rolled = text[..K - 1].iter().fold(0u64, |h, &c| h.wrapping_mul(BASE).wrapping_add(u64::from(c)));
    // A power of two at least WINDOW long, so that a k-gram's slot is a mask.
    const RING: usize = WINDOW.next_power_of_two();
    let mut ring = [0u64; RING];
    // The window's minimum: its k-gram and hash; the last one taken.
    let (mut at, mut min, mut last) = (0usize, u64::MAX, usize::MAX);
    for i in 0..=text.len() - K {
        rolled = rolled.wrapping_mul(BASE).wrapping_add(u64::from(text[i + K - 1]));
        let h = mix(rolled);
        rolled = rolled.wrapping_sub(u64::from(text[i]).wrapping_mul(top));
        ring[i % RING] = h;
        if h <= min {
            (at, min) = (i, h);
        } else if at + WINDOW <= i {
            // The minimum left: the window's new one, the rightmost of equals.
            (at, min) = (i + 1 - WINDOW, u64::MAX);
            for j in i + 1 - WINDOW..=i {
                if ring[j % RING] <= min {
                    (at, min) = (j, ring[j % RING]);
                }
            }
        }
        if i + 1 >= WINDOW && at != last {
            out.push((min, base + at as u32));
            last = at;
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

    /// Winnowing as written down: every k-gram hashed by itself, each
    /// window searched for its rightmost smallest hash.
    fn winnow_by_the_book(han: &[u16], base: u32) -> Vec<(u64, u32)> {
        let hashes: Vec<u64> = han.windows(K).map(|w| mix(crate::script::rolling_hashes(w, K)[0])).collect();
        let mut out: Vec<(u64, u32)> = Vec::new();
        for window in (0..hashes.len()).collect::<Vec<_>>().windows(WINDOW) {
            let at = window.iter().copied().rev().min_by_key(|&j| hashes[j]).unwrap_or(0);
            if out.last().map(|p| p.1) != Some(base + at as u32) {
                out.push((hashes[at], base + at as u32));
            }
        }
        out
    }

    #[test]
    fn fingerprints_are_those_of_winnowing_done_by_the_book() {
        let mut seed = 11u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for trial in 0..300 {
            // Few distinct characters at times, so that k-grams and their
            // hashes repeat and ties between equal hashes are broken.
            let alphabet = [2, 3, 50, 5000][trial % 4];
            let chars: String = (0..next() % 400)
                .map(|_| match next() % 40 {
                    0 => '|',
                    1 => '，',
                    2 => 'a',
                    _ => char::from_u32(0x4E00 + (next() % alphabet) as u32).unwrap(),
                })
                .collect();
            let p = DocPrint::of(&text(&chars));
            let mut expected = Vec::new();
            let mut kept = 0;
            for &(n, _) in &p.segments {
                expected.extend(winnow_by_the_book(&p.han[kept..kept + n as usize], kept as u32));
                kept += n as usize;
            }
            assert_eq!(kept, p.han.len());
            assert_eq!(p.prints, expected, "trial {trial}: {chars}");
        }
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
