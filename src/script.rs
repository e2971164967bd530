//! Chinese script: traditional characters to simplified, one character to
//! one (the character table of the `fast2s` crate, asked one character at a
//! time, without its phrase rules), so that a simplified copy of a text has
//! the same characters at the same byte offsets as the text: every
//! character it converts, and every one it converts to, is three bytes of
//! UTF-8. The search index and the importer's detection both read texts
//! through it; it prints nothing and knows nothing of either.

use std::sync::OnceLock;

/// A dense table over U+0800–U+FFFF (the only characters fast2s converts).
fn t2s() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0x0800u32..=0xFFFF)
            .map(|n| {
                let Some(c) = char::from_u32(n) else { return '\0' };
                let mut s = fast2s::convert(c.encode_utf8(&mut [0; 4]));
                match s.pop() {
                    Some(out) if s.is_empty() && out.len_utf8() == 3 => out,
                    _ => c,
                }
            })
            .collect()
    })
}

/// The simplified form of one character (itself when it has none).
pub fn simplified(c: char) -> char {
    match c {
        '\u{0800}'..='\u{FFFF}' => match t2s()[c as usize - 0x0800] {
            '\0' => c,
            to => to,
        },
        c => c,
    }
}

/// A text with every character simplified: as many characters and bytes
/// as the input, each at the same offset.
pub fn simplify(text: &str) -> String {
    text.chars().map(simplified).collect()
}

/// Whether a text is printed in traditional characters: at least a few of
/// its characters change, and they are not a stray one or two.
pub fn is_traditional(text: &str) -> bool {
    let (mut han, mut changed) = (0usize, 0usize);
    for c in text.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)) {
        han += 1;
        changed += usize::from(simplified(c) != c);
    }
    changed >= 3 && changed * 50 >= han
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_character_to_one_at_the_same_offsets() {
        let text = "脫貧攻堅，習近平（2020年）發展";
        let simple = simplify(text);
        assert_eq!(simple, "脱贫攻坚，习近平（2020年）发展");
        assert_eq!(simple.len(), text.len());
        assert!(text.char_indices().zip(simple.char_indices()).all(|((a, _), (b, _))| a == b));
    }

    #[test]
    fn traditional_texts_are_told_apart() {
        assert!(is_traditional("全國易地扶貧搬遷工作現場會在河南省南陽市召開"));
        assert!(!is_traditional("全国易地扶贫搬迁工作现场会在河南省南阳市召开"));
        assert!(!is_traditional("一个后来的乾字"));
    }
}
