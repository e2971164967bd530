//! Pasted duplicates: a long passage that repeats, word for word, text
//! printed earlier in the same input is set aside (and reported). Only a
//! block of `MIN_SEAM` Han characters or more (a pasted chunk of a document,
//! as in compilations) starts a new, untitled fragment after it: a speech
//! can print a sentence or two twice (a point made again, a page that
//! pasted it twice), and cutting there made its second half an untitled
//! document with nothing found.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use super::lines::{Removed, Unit};
use super::split::Part;
use crate::script::{is_han, rolling_hashes};

/// Han characters per window: long enough that stock phrases never repeat.
const WINDOW: usize = 20;
/// Shortest repeat, in Han characters, that is set aside.
const MIN_REPEAT: usize = 100;
/// Shortest repeat, in Han characters, that marks the seam between two
/// documents: a paragraph-sized block, not a sentence or two said again
/// (those run to about 100-160 characters).
const MIN_SEAM: usize = 400;

/// The windows seen so far, by their hashes (already mixed: not hashed again).
type Seen = HashSet<u64, BuildHasherDefault<Prehashed>>;

/// Sets aside repeated passages and cuts a new part after each that is a
/// seam (`MIN_SEAM`).
pub fn cut_repeats(parts: Vec<Part>, removed: &mut Vec<Removed>) -> Vec<Part> {
    let mut seen = Seen::default();
    let all: Vec<Vec<u64>> = parts
        .iter()
        .flat_map(|p| p.units.iter().map(|u| window_hashes(&u.text.chars().filter(|c| is_han(*c)).collect::<Vec<_>>())))
        .collect();
    let mut out = Vec::new();
    let mut k = 0;
    for part in parts {
        let mut current = Part { header: part.header, units: Vec::new(), line: part.line };
        for unit in part.units {
            let windows = &all[k];
            k += 1;
            match find_repeat(windows, &seen) {
                Some((start, end)) => {
                    let (before, repeat, after) = cut_at_han(&unit.text, start, end);
                    if !before.is_empty() {
                        current.units.push(Unit { text: before, line: unit.line });
                    }
                    removed.push(Removed { reason: "repeated passage", text: repeat, line: unit.line });
                    if end - start >= MIN_SEAM {
                        out.push(std::mem::replace(
                            &mut current,
                            Part { header: None, units: Vec::new(), line: unit.line },
                        ));
                    }
                    if !after.is_empty() {
                        current.units.push(Unit { text: after, line: unit.line });
                    }
                }
                None => current.units.push(unit),
            }
            seen.extend(windows);
        }
        out.push(current);
    }
    out.retain(|p| p.header.is_some() || !p.units.is_empty());
    out
}

/// The hash of each window of `WINDOW` Han characters, in order: the
/// rolling polynomial hash ([`rolling_hashes`]) spread by SplitMix64's
/// finaliser. Two different windows share a hash with odds of about 2^-64.
fn window_hashes(han: &[char]) -> Vec<u64> {
    rolling_hashes(han, WINDOW).into_iter().map(mix).collect()
}

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, &b| h.rotate_left(8) ^ u64::from(b));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The first run of at least `MIN_REPEAT` Han characters all covered by
/// windows seen before (given by their hashes, one per window), as a range
/// of Han-character indices.
fn find_repeat(windows: &[u64], seen: &Seen) -> Option<(usize, usize)> {
    let len = if windows.is_empty() { 0 } else { windows.len() + WINDOW - 1 };
    let mut covered = vec![false; len];
    for (i, w) in windows.iter().enumerate() {
        if seen.contains(w) {
            covered[i..i + WINDOW].iter_mut().for_each(|c| *c = true);
        }
    }
    let mut i = 0;
    while i < len {
        if covered[i] {
            let end = (i..len).find(|&j| !covered[j]).unwrap_or(len);
            if end - i >= MIN_REPEAT {
                return Some((i, end));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// Cuts `text` around its Han characters `start..end`; the repeat keeps
/// the punctuation that closes it.
fn cut_at_han(text: &str, start: usize, end: usize) -> (String, String, String) {
    let offsets: Vec<usize> = text.char_indices().filter(|(_, c)| is_han(*c)).map(|(i, _)| i).collect();
    let from = offsets[start];
    let mut to = offsets.get(end).copied().unwrap_or(text.len());
    if end < offsets.len() {
        let last = offsets[end - 1];
        let tail = &text[last..to];
        let closing: usize = tail.chars().skip(1).take_while(|c| !c.is_alphanumeric()).map(char::len_utf8).sum();
        to = last + tail.chars().next().map_or(0, char::len_utf8) + closing;
    }
    (text[..from].to_string(), text[from..to].to_string(), text[to..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSAGE: &str =
        "我们一定要瞄准全面脱贫同步小康目标遵循扶贫内在规律正确处理脱贫攻坚节奏与质量之间的关系稳扎稳打步步为营";

    /// One untitled part of two lines that both print `passage`, and what
    /// [`cut_repeats`] makes of it.
    fn cut_twice_printed(passage: &str) -> (Vec<Part>, Vec<Removed>) {
        let first = Unit { text: format!("开头的话。{passage}。"), line: 1 };
        let second =
            Unit { text: format!("绝不姑息迁就。{passage}。会议强调，要抓实抓细。"), line: 2 };
        let mut removed = Vec::new();
        let parts = cut_repeats(vec![Part { header: None, units: vec![first, second], line: 1 }], &mut removed);
        (parts, removed)
    }

    #[test]
    fn a_pasted_repeat_is_set_aside_and_starts_a_fragment() {
        let passage = PASSAGE.repeat(9);
        let (parts, removed) = cut_twice_printed(&passage);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].units[1].text, "绝不姑息迁就。");
        assert_eq!(parts[1].units[0].text, "会议强调，要抓实抓细。");
        assert_eq!(removed[0].text, format!("{passage}。"));
    }

    #[test]
    fn a_sentence_said_twice_is_set_aside_and_the_document_stays_whole() {
        let (parts, removed) = cut_twice_printed(&format!("{PASSAGE}，{PASSAGE}"));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].units[1].text, "绝不姑息迁就。");
        assert_eq!(parts[0].units[2].text, "会议强调，要抓实抓细。");
        assert_eq!(removed.len(), 1);
    }
}
