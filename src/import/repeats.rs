//! Pasted duplicates in compilations: a long passage that repeats, word for
//! word, text printed earlier in the same input is set aside, and what
//! follows it starts a new (untitled) fragment, since such a paste marks the
//! seam between two documents.

use std::collections::HashSet;

use super::lines::{Removed, Unit};
use super::split::Part;
use crate::script::is_han;

/// Han characters per window: long enough that stock phrases never repeat.
const WINDOW: usize = 20;
/// Shortest repeat, in Han characters, that is set aside.
const MIN_REPEAT: usize = 100;

/// Sets aside repeated passages and cuts a new part after each.
pub fn cut_repeats(parts: Vec<Part>, removed: &mut Vec<Removed>) -> Vec<Part> {
    let mut seen: HashSet<&[char]> = HashSet::new();
    let all: Vec<Vec<char>> =
        parts.iter().flat_map(|p| p.units.iter().map(|u| u.text.chars().filter(|c| is_han(*c)).collect())).collect();
    let mut out = Vec::new();
    let mut k = 0;
    for part in parts {
        let mut current = Part { header: part.header, units: Vec::new(), line: part.line };
        for unit in part.units {
            let han = &all[k];
            k += 1;
            match find_repeat(han, &seen) {
                Some((start, end)) => {
                    let (before, repeat, after) = cut_at_han(&unit.text, start, end);
                    if !before.is_empty() {
                        current.units.push(Unit { text: before, line: unit.line });
                    }
                    removed.push(Removed { reason: "repeated passage", text: repeat, line: unit.line });
                    out.push(std::mem::replace(
                        &mut current,
                        Part { header: None, units: Vec::new(), line: unit.line },
                    ));
                    if !after.is_empty() {
                        current.units.push(Unit { text: after, line: unit.line });
                    }
                }
                None => current.units.push(unit),
            }
            seen.extend(han.windows(WINDOW));
        }
        out.push(current);
    }
    out.retain(|p| p.header.is_some() || !p.units.is_empty());
    out
}

/// The first run of at least `MIN_REPEAT` Han characters all covered by
/// windows seen before, as a range of Han-character indices.
fn find_repeat(han: &[char], seen: &HashSet<&[char]>) -> Option<(usize, usize)> {
    let mut covered = vec![false; han.len()];
    for (i, w) in han.windows(WINDOW).enumerate() {
        if seen.contains(w) {
            covered[i..i + WINDOW].iter_mut().for_each(|c| *c = true);
        }
    }
    let mut i = 0;
    while i < han.len() {
        if covered[i] {
            let end = (i..han.len()).find(|&j| !covered[j]).unwrap_or(han.len());
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

    #[test]
    fn a_pasted_repeat_is_set_aside_and_starts_a_fragment() {
        let passage =
            "我们一定要瞄准全面脱贫同步小康目标遵循扶贫内在规律正确处理脱贫攻坚节奏与质量之间的关系稳扎稳打步步为营"
                .repeat(3);
        let first = Unit { text: format!("开头的话。{passage}。"), line: 1 };
        let second =
            Unit { text: format!("绝不姑息迁就。{passage}。会议强调，要抓实抓细。"), line: 2 };
        let parts = vec![Part { header: None, units: vec![first, second], line: 1 }];
        let mut removed = Vec::new();
        let parts = cut_repeats(parts, &mut removed);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].units[1].text, "绝不姑息迁就。");
        assert_eq!(parts[1].units[0].text, "会议强调，要抓实抓细。");
        assert_eq!(removed[0].text, format!("{passage}。"));
    }
}
