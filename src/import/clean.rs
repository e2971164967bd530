//! Character-level cleanup of one line of a raw text, without changing the
//! author's words: OCR spaces between CJK characters, punctuation width,
//! pinyin annotations such as 習(xí), and escaping of what Markdown would
//! misread. Line structure (chrome, rejoining) is `lines`' business.

use crate::script::is_han;
use regex::Regex;
use std::sync::OnceLock;

/// Han characters and full-width punctuation.
fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\u{A0}'
}

/// Removes spaces that OCR or layout put between CJK characters, and between
/// CJK characters and digits (`人口 58.17 万人` → `人口58.17万人`).
/// Spaces between Latin words are kept.
pub fn remove_ocr_spaces(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_space(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&j| !is_space(chars[j])).unwrap_or(chars.len());
        let before = out.chars().next_back();
        let after = chars.get(end).copied();
        let keep = match (before, after) {
            (Some(b), Some(a)) => !(is_cjk(b) || is_cjk(a)),
            _ => false,
        };
        if keep {
            out.push(' ');
        }
        i = end;
    }
    out
}

/// ASCII `,;:!?()` become full-width next to CJK text, as the archive
/// prints them; `,` and `:` between digits (`1,000`, `10:19`) stay.
/// Full-width digits and Latin letters (`２０２０`, `ＸＸ`) become ASCII.
pub fn normalize_punctuation(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = chars
        .into_iter()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let ascii_around =
            prev.is_some_and(|p| p.is_ascii_alphanumeric()) && next.is_some_and(|n| n.is_ascii_alphanumeric());
        let digits_around = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let wide = match c {
            ',' if !digits_around => '，',
            ':' if !digits_around => '：',
            ';' if !ascii_around => '；',
            '?' if !ascii_around => '？',
            '!' if !ascii_around => '！',
            '(' if !ascii_around => '（',
            ')' if !ascii_around => '）',
            _ => c,
        };
        out.push(wide);
    }
    out
}

/// Removes pinyin readings after a Han character (`習(xí)` → `習`), keeping
/// real brackets such as `（2020年3月6日）`. Returns the line and the removed
/// annotations.
pub fn remove_pinyin_annotations(line: &str) -> (String, Vec<String>) {
    static PINYIN: OnceLock<Regex> = OnceLock::new();
    let re = PINYIN.get_or_init(|| {
        let syllable = "[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6}[1-5]?";
        Regex::new(&format!(r"(\p{{Han}})[（(]\s*({syllable}(?:\s+{syllable}){{0,3}})\s*[)）]")).expect("valid regex")
    });
    let mut removed = Vec::new();
    let out = re.replace_all(line, |c: &regex::Captures| {
        let reading = &c[2];
        let toned = reading.chars().any(|ch| !ch.is_ascii() || ch.is_ascii_digit());
        let lower = reading.chars().all(|ch| !ch.is_ascii_uppercase());
        if toned && lower {
            removed.push(c[0][c[1].len()..].to_string());
            c[1].to_string()
        } else {
            c[0].to_string()
        }
    });
    (out.into_owned(), removed)
}

/// Escapes what Markdown would read as markup: lone `*` and `_`
/// (placeholders), thematic breaks, stray HTML, and line-leading `#`, `>`,
/// `-`, `+`. Paired `**bold**` is the author's emphasis and is kept.
pub fn escape_markdown(paragraph: &str) -> String {
    let bold_pairs = paragraph.matches("**").count();
    let keep_bold = bold_pairs > 0 && bold_pairs.is_multiple_of(2);
    let mut out = String::with_capacity(paragraph.len() + 8);
    let mut rest = paragraph;
    while let Some(c) = rest.chars().next() {
        if keep_bold && rest.starts_with("**") {
            out.push_str("**");
            rest = &rest[2..];
            continue;
        }
        match c {
            '*' | '_' | '<' | '>' | '`' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    match out.chars().next() {
        Some('#' | '-' | '+' | '=' | '|') => format!("\\{out}"),
        Some(d) if d.is_ascii_digit() && leading_number_is_list(&out) => out.replacen('.', "\\.", 1),
        _ => out,
    }
}

/// `1. text` would start an ordered list; `1.党的` would not.
fn leading_number_is_list(text: &str) -> bool {
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    text[digits..].starts_with(". ") || text[digits..].starts_with(") ")
}

/// The Han characters of `text`, in order.
pub fn han_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| is_han(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_spaces_between_cjk_and_digits_go() {
        assert_eq!(remove_ocr_spaces("何 邦 军 同 志"), "何邦军同志");
        assert_eq!(
            remove_ocr_spaces("剩余贫困人口 58.17 万人，2016 到 2019 四年"),
            "剩余贫困人口58.17万人，2016到2019四年"
        );
        assert_eq!(remove_ocr_spaces(" 安 政 通 报"), "安政通报");
        assert_eq!(remove_ocr_spaces("Powered by 九力"), "Powered by九力");
        assert_eq!(remove_ocr_spaces("All Rights Reserved"), "All Rights Reserved");
    }

    #[test]
    fn punctuation_becomes_full_width() {
        assert_eq!(normalize_punctuation("(2020年4月3日,根据录音整理)"), "（2020年4月3日，根据录音整理）");
        assert_eq!(normalize_punctuation("时间:2017-04-30 10:19 ;1,000人"), "时间：2017-04-30 10:19 ；1,000人");
        assert_eq!(normalize_punctuation("问题?好!"), "问题？好！");
        assert_eq!(normalize_punctuation("２０２０年ＸＸ县"), "2020年XX县");
    }

    #[test]
    fn pinyin_annotations_go_and_real_brackets_stay() {
        let (line, removed) = remove_pinyin_annotations("習(xí)近平（2020年3月6日）讲话(jiǎng huà)");
        assert_eq!(line, "習近平（2020年3月6日）讲话");
        assert_eq!(removed, ["(xí)", "(jiǎng huà)"]);
        let (line, removed) = remove_pinyin_annotations("扶贫（一）和（GDP）及（x）");
        assert_eq!(line, "扶贫（一）和（GDP）及（x）");
        assert!(removed.is_empty());
    }

    #[test]
    fn markdown_is_escaped_but_bold_is_kept() {
        assert_eq!(escape_markdown("**我们注重调动各方力量**，社会各界"), "**我们注重调动各方力量**，社会各界");
        assert_eq!(escape_markdown("某*某和X_X"), "某\\*某和X\\_X");
        assert_eq!(escape_markdown("---"), "\\---");
        assert_eq!(escape_markdown("<div>文</div>"), "\\<div\\>文\\</div\\>");
        assert_eq!(escape_markdown("1. 第一"), "1\\. 第一");
        assert_eq!(escape_markdown("1.党的十八大"), "1.党的十八大");
    }
}
