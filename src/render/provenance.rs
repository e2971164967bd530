//! What the curator changed between a raw source file and the published
//! text: the two diffed character by character (Chinese has no spaces to
//! diff words by) with `similar`'s Myers diff, so that every removal —
//! page chrome, a masthead, a line break joined, a repeated paste — is
//! shown, and every insertion too. Pure: text in, `Changes` out.

use serde::Serialize;
use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

/// Han characters at each end of the published text that locate it in a
/// raw file holding several documents.
const ANCHOR: usize = 12;
/// How many lines before the located text the view starts, to show the
/// title and dateline that went into the metadata.
const LEAD_LINES: usize = 2;
/// At most this many characters either side, however long the lines (a
/// compilation pasted as one line).
const MARGIN: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Piece {
    pub change: Change,
    pub text: String,
    /// True when the piece is only whitespace (a line break joined, a
    /// space dropped): the theme shows such pieces with a visible mark.
    pub blank: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub pieces: Vec<Piece>,
    /// Characters of the raw file before and after the part shown (other
    /// documents of a compilation); 0 when the whole file is shown.
    pub before: usize,
    pub after: usize,
    /// Characters removed and added, and of those the Han characters.
    pub removed: usize,
    pub added: usize,
    pub removed_han: usize,
    pub added_han: usize,
}

/// A raw file's bytes as text: UTF-8 (a byte-order mark dropped), else
/// GB18030, as `archive import` reads them.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// The changes from `raw` to `published`. With `whole`, all of `raw` is
/// compared; otherwise (a raw file holding several documents) the part
/// that holds this text, found by its first and last Han characters.
pub fn changes(raw: &str, published: &str, whole: bool) -> Changes {
    let r: Vec<char> = raw.chars().collect();
    let p: Vec<char> = published.chars().collect();
    let (start, end) = if whole { (0, r.len()) } else { locate(&r, &p).unwrap_or((0, r.len())) };
    let part = &r[start..end];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, part, &p, Some(deadline));
    let mut out = Changes {
        pieces: Vec::new(),
        before: start,
        after: r.len() - end,
        removed: 0,
        added: 0,
        removed_han: 0,
        added_han: 0,
    };
    let mut push = |change: Change, chars: &[char]| {
        if chars.is_empty() {
            return;
        }
        let han = chars.iter().filter(|c| crate::script::is_han(**c)).count();
        match change {
            Change::Removed => (out.removed, out.removed_han) = (out.removed + chars.len(), out.removed_han + han),
            Change::Added => (out.added, out.added_han) = (out.added + chars.len(), out.added_han + han),
            Change::Same => {}
        }
        let text: String = chars.iter().collect();
        match out.pieces.last_mut() {
            Some(last) if last.change == change => {
                last.text.push_str(&text);
                last.blank = last.text.trim().is_empty();
            }
            _ => out.pieces.push(Piece { change, blank: text.trim().is_empty(), text }),
        }
    };
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push(Change::Same, &part[old]),
            DiffTag::Delete => push(Change::Removed, &part[old]),
            DiffTag::Insert => push(Change::Added, &p[new]),
            DiffTag::Replace => {
                push(Change::Removed, &part[old]);
                push(Change::Added, &p[new]);
            }
        }
    }
    out
}

/// Where in `raw` the text `published` came from: from a little before its
/// first Han characters to the end of the line holding its last ones.
fn locate(raw: &[char], published: &[char]) -> Option<(usize, usize)> {
    let han = |text: &[char]| -> Vec<usize> { (0..text.len()).filter(|&i| crate::script::is_han(text[i])).collect() };
    let (rh, ph) = (han(raw), han(published));
    if ph.len() < ANCHOR * 2 {
        return None;
    }
    let chars = |at: &[usize], text: &[char]| -> Vec<char> { at.iter().map(|&i| text[i]).collect() };
    let raw_han = chars(&rh, raw);
    let first = chars(&ph[..ANCHOR], published);
    let last = chars(&ph[ph.len() - ANCHOR..], published);
    let start = raw_han.windows(ANCHOR).position(|w| w == first.as_slice())?;
    let end = start + raw_han[start..].windows(ANCHOR).position(|w| w == last.as_slice())? + ANCHOR - 1;
    let line_start = |mut at: usize| {
        while at > 0 && raw[at - 1] != '\n' {
            at -= 1;
        }
        at
    };
    let mut from = line_start(rh[start]);
    for _ in 0..LEAD_LINES {
        // Past blank lines, to the start of the line before.
        let mut at = from;
        while at > 0 && raw[at - 1].is_whitespace() {
            at -= 1;
        }
        if at == 0 {
            break;
        }
        from = line_start(at - 1);
    }
    let mut to = rh[end] + 1;
    while to < raw.len() && raw[to] != '\n' && to < rh[end] + 1 + MARGIN {
        to += 1;
    }
    Some((from.max(rh[start].saturating_sub(MARGIN)), to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(c: &Changes) -> String {
        c.pieces
            .iter()
            .map(|p| match p.change {
                Change::Same => p.text.clone(),
                Change::Removed => format!("[-{}-]", p.text),
                Change::Added => format!("{{+{}+}}", p.text),
            })
            .collect()
    }

    #[test]
    fn every_removal_and_addition_is_shown() {
        let c = changes("安政通报\n第二十二期\n\n同志们:\n今天开\n会。\n", "同志们：\n\n今天开会。", true);
        assert_eq!(shown(&c), "[-安政通报\n第二十二期\n\n-]同志们[-:-]{+：\n+}\n今天开[-\n-]会。[-\n-]");
        assert_eq!((c.removed_han, c.added_han), (9, 0));
        assert!(c.pieces.iter().any(|p| p.blank && p.change == Change::Removed));
    }

    #[test]
    fn a_text_in_a_compilation_is_compared_with_its_own_part() {
        let other = "另一篇讲话的正文，与本文无关，共有二十多个汉字在这里。\n".repeat(20);
        let text = "关于驻村帮扶工作的讲话正文第一段，讲了很多内容。\n最后一段讲完了全部要求和安排部署。";
        let raw = format!("{other}标题\n（2017年5月5日）\n{text}\n{other}");
        let one_line = changes(&raw.replace('\n', ""), text, false);
        assert!(one_line.before > 400 && one_line.after > 400, "a compilation pasted as one line");
        let c = changes(&raw, text, false);
        assert!(c.before > 0 && c.after > 0, "{c:?}");
        assert_eq!(c.removed_han, "标题年月日".chars().count());
        assert_eq!(c.added, 0);
    }

    #[test]
    fn gb18030_raw_files_are_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("讲话");
        assert_eq!(decode(&bytes), "讲话");
        assert_eq!(decode("\u{feff}讲话".as_bytes()), "讲话");
    }
}
