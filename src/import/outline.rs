//! Chinese outline numbering → Markdown headings: `一、…` and `第一个问题，…`
//! are `##`, `（一）…` is `###`. Only short paragraphs that do not run on into
//! sentences are headings; `一是…` and `第一，…。` stay paragraphs.

use std::sync::OnceLock;

use regex::Regex;

/// Longest heading, in characters.
const MAX_HEADING: usize = 40;

/// The heading level (2 or 3) a paragraph stands for, if it is a heading.
pub fn heading_level(text: &str) -> Option<u8> {
    static LEVELS: OnceLock<[Regex; 2]> = OnceLock::new();
    let [two, three] = LEVELS.get_or_init(|| {
        let n = "[一二三四五六七八九十]{1,3}";
        [
            Regex::new(&format!(r"^({n}、|第{n}(个问题|部分|章|篇)?[，、：]|前言$|结束语$)")).expect("valid regex"),
            Regex::new(&format!(r"^（{n}）")).expect("valid regex"),
        ]
    });
    let len = text.chars().count();
    if !(2..=MAX_HEADING).contains(&len) || text.contains('。') || text.ends_with('：') {
        return None;
    }
    if two.is_match(text) {
        Some(2)
    } else if three.is_match(text) {
        Some(3)
    } else {
        None
    }
}

/// A paragraph as Markdown: a heading line or the (escaped) paragraph.
pub fn render_paragraph(text: &str) -> String {
    match heading_level(text) {
        Some(level) => format!("{} {}", "#".repeat(level as usize), super::clean::escape_markdown(text)),
        None => super::clean::escape_markdown(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_numbers_become_headings() {
        assert_eq!(heading_level("一、认清严峻形势"), Some(2));
        assert_eq!(heading_level("第一个问题，要对全市脱贫攻坚工作形势有客观把握"), Some(2));
        assert_eq!(heading_level("第一，要把握好脱贫标准，保质保量完成剩余脱贫任务"), Some(2));
        assert_eq!(heading_level("（一）精准识别"), Some(3));
        assert_eq!(heading_level("前言"), Some(2));
    }

    #[test]
    fn sentences_and_lists_are_not_headings() {
        assert_eq!(heading_level("第一，脱贫基础差。按照要求"), None);
        assert_eq!(heading_level("一是要严格坚持现行脱贫标准"), None);
        assert_eq!(heading_level("同志们："), None);
        assert_eq!(heading_level(&format!("一、{}", "很长".repeat(30))), None);
    }

    #[test]
    fn rendering_marks_the_level() {
        assert_eq!(render_paragraph("一、认清严峻形势"), "## 一、认清严峻形势");
        assert_eq!(render_paragraph("（二）抓落实"), "### （二）抓落实");
        assert_eq!(render_paragraph("同志们："), "同志们：");
    }
}
