//! Chinese script: traditional characters to simplified, one character to
//! one (the character table of the `fast2s` crate, asked one character at a
//! time, without its phrase rules), so that a simplified copy of a text has
//! the same characters at the same byte offsets as the text: every
//! character it converts, and every one it converts to, is three bytes of
//! UTF-8. Also what a Han character is ([`is_han`]) and search's normal
//! form of a character ([`fold`]). The search index, the reuse stage, the
//! pages and the importer read texts through it; it prints nothing and
//! knows nothing of any of them.

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

/// A Han (CJK ideograph) character: the characters a speech is made of.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Search's normal form of a text, shared by the index and the browser
/// client: one character in, one character out, so offsets in normalised
/// text are offsets in the original (snippets highlight the text as
/// printed). Folds full-width ASCII to half-width, the ideographic space
/// to a space, ASCII capitals to small letters, and traditional characters
/// to simplified ones. The client gets the same table as a string of pairs
/// ([`fold_pairs`]), so the two sides cannot disagree.
/// The normal form of one character.
pub fn fold(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            let half = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            half.to_ascii_lowercase()
        }
        c => simplified(c),
    }
}

/// The normal form of a text; as many characters as the input.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// Every traditional → simplified pair as one string `繁简繁简…`, sorted,
/// for the client.
pub fn fold_pairs() -> String {
    (0x0800u32..=0xFFFF)
        .filter_map(char::from_u32)
        .map(|c| (c, fold(c)))
        .filter(|(a, b)| a != b)
        .flat_map(|(a, b)| [a, b])
        .collect()
}

/// The base of [`rolling_hashes`]' polynomial hash (mod 2^64).
pub const BASE: u64 = 0x0000_0100_0000_01B3;

/// The polynomial hash ([`BASE`], mod 2^64) of each window of
/// `k` consecutive characters of `text`, in order, rolled: one
/// multiplication per character, not one per character and window. Near
/// windows have near hashes: a caller that needs them spread mixes each
/// (the importer's repeats and the reuse stage's k-grams each their own way).
pub fn rolling_hashes<T: Copy + Into<u32>>(text: &[T], k: usize) -> Vec<u64> {
    if k == 0 || text.len() < k {
        return Vec::new();
    }
    let code = |c: T| u64::from(c.into());
    let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut h = text[..k].iter().fold(0u64, |h, &c| h.wrapping_mul(BASE).wrapping_add(code(c)));
    let mut out = Vec::with_capacity(text.len() - k + 1);
    out.push(h);
    for i in k..text.len() {
        h = h.wrapping_sub(code(text[i - k]).wrapping_mul(top)).wrapping_mul(BASE).wrapping_add(code(text[i]));
        out.push(h);
    }
    out
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

    #[test]
    fn traditional_and_simplified_fold_to_one_form() {
        assert_eq!(normalize("兩不愁三保障"), "两不愁三保障");
        assert_eq!(normalize("易地搬遷"), normalize("易地搬迁"));
        assert_eq!(normalize("第一書記"), "第一书记");
    }

    #[test]
    fn width_and_case_fold() {
        assert_eq!(normalize("５８．１７％　ＧＤＰ Abc"), "58.17% gdp abc");
    }

    #[test]
    fn one_character_in_one_out() {
        let text = "乾隆的乾兒子，計畫、企畫；藉口";
        assert_eq!(normalize(text).chars().count(), text.chars().count());
    }

    #[test]
    fn the_client_table_is_pairs() {
        let pairs: Vec<char> = fold_pairs().chars().collect();
        assert_eq!(pairs.len() % 2, 0);
        assert!(pairs.len() > 4000, "{}", pairs.len());
        assert!(pairs.chunks(2).any(|p| p == ['書', '书']));
    }

    #[test]
    fn rolling_hashes_equal_those_worked_out_one_window_at_a_time() {
        let chars: Vec<char> = "我们一定要瞄准全面脱贫同步小康目标遵循扶贫内在规律".chars().collect();
        let units: Vec<u16> = chars.iter().map(|&c| c as u16).collect();
        for k in [1, 12, 20] {
            let rolled = rolling_hashes(&chars, k);
            assert_eq!(rolled.len(), chars.len() - k + 1);
            for (i, w) in chars.windows(k).enumerate() {
                assert_eq!(rolled[i], rolling_hashes(w, k)[0]);
            }
            assert_eq!(rolling_hashes(&units, k), rolled, "a character hashes the same as a u16 as as a char");
            assert!(rolling_hashes(&chars[..k - 1], k).is_empty());
        }
        assert_ne!(rolling_hashes(&chars, 2)[0], rolling_hashes(&chars, 2)[1]);
    }
}
