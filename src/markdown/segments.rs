//! A body as segments of plain text, each with the anchor it is under on
//! the page (`p-N` a paragraph, `s-N` a heading): walked with the same
//! options as [`super::render_markdown`], so the numbers agree with the
//! rendered page. Search indexes these segments, the reprint comparison
//! and the shared-passage finder read them.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A run of text that a match may not cross, and where it is on the page:
/// `p-3`, `s-2`, or empty for the top of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub anchor: String,
    pub text: String,
}

/// Where a body segment leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Top,
    Paragraph(usize),
    Section(usize),
}

/// Walks the body: `segment` when a new segment starts (with its anchor),
/// `text` for its text. Text outside paragraphs and headings (tight list
/// items, table cells, code) is a segment of its own that leads to the
/// nearest anchor before it; line breaks are spaces.
pub fn walk_body(markdown: &str, mut segment: impl FnMut(Anchor), mut text: impl FnMut(&str)) {
    let (mut paragraphs, mut sections) = (0, 0);
    let mut last = Anchor::Top;
    for event in Parser::new_ext(markdown, super::options()) {
        match event {
            Event::Start(Tag::Paragraph) => {
                paragraphs += 1;
                last = Anchor::Paragraph(paragraphs);
                segment(last);
            }
            Event::Start(Tag::Heading { .. }) => {
                sections += 1;
                last = Anchor::Section(sections);
                segment(last);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_))
            | Event::Start(Tag::Item | Tag::TableCell | Tag::CodeBlock(_))
            | Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => segment(last),
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => text(&t),
            Event::SoftBreak | Event::HardBreak => text(" "),
            _ => {}
        }
    }
}

/// The body's text: one segment per paragraph (`p-N`) and heading (`s-N`),
/// and per run of text outside them.
pub fn body_segments(markdown: &str) -> Vec<Segment> {
    let out = std::cell::RefCell::new(Vec::new());
    let current = std::cell::RefCell::new(Segment { anchor: String::new(), text: String::new() });
    let start = |anchor: String| {
        let done = current.replace(Segment { anchor, text: String::new() });
        let text = one_line(&done.text);
        if !text.is_empty() {
            out.borrow_mut().push(Segment { anchor: done.anchor, text });
        }
    };
    walk_body(
        markdown,
        |anchor| {
            start(match anchor {
                Anchor::Top => String::new(),
                Anchor::Paragraph(n) => format!("p-{n}"),
                Anchor::Section(n) => format!("s-{n}"),
            })
        },
        |t| current.borrow_mut().text.push_str(t),
    );
    start(String::new());
    out.into_inner()
}

/// Line breaks, tabs and other control characters become spaces.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A document's body position for position with the body's part of the
/// stream: each character as printed (a whitespace or control character a
/// space, a separator `\0`), and where each anchor begins: (position from
/// the body's start, code), the code `n << 1` for `p-n`, `n << 1 | 1` for
/// `s-n`, 0 for the top. The search stage writes it beside its index (`search/t/`, in UTF-16, a
/// unit a position: [`BodyText::unit`]); the shared-passage finder reads it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BodyText {
    pub chars: Vec<char>,
    pub anchors: Vec<(u32, u32)>,
}

impl BodyText {
    /// A character as the text store holds it: one UTF-16 unit, U+FFFD for
    /// a character beyond the Basic Multilingual Plane.
    pub fn unit(c: char) -> u16 {
        u16::try_from(c as u32).unwrap_or(0xFFFD)
    }

    /// The anchor code of position `p`.
    pub fn anchor_at(&self, p: u32) -> u32 {
        let i = self.anchors.partition_point(|&(at, _)| at <= p);
        if i == 0 {
            0
        } else {
            self.anchors[i - 1].1
        }
    }
}

/// An anchor code as the page's id: `p-3`, `s-2`, or empty.
pub fn anchor_id(code: u32) -> String {
    match (code >> 1, code & 1) {
        (0, _) => String::new(),
        (n, 0) => format!("p-{n}"),
        (n, _) => format!("s-{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render_markdown;

    #[test]
    fn paragraph_anchors_match_the_rendered_page() {
        let md =
            "## 一、形势\n\n同志们：\n\n> 引文**易地**搬迁\n\n- 甲\n- 乙\n\n今天[开会](x)。脚注[^1]\n\n[^1]: 注文\n";
        let segments = body_segments(md);
        let html = render_markdown(md).html;
        let mut seen = std::collections::HashSet::new();
        for s in segments.iter().filter(|s| s.anchor.starts_with("p-") && seen.insert(s.anchor.clone())) {
            let at = html.find(&format!("id=\"{}\"", s.anchor)).unwrap_or_else(|| panic!("{} missing", s.anchor));
            let first: String = s.text.chars().take(2).collect();
            assert_eq!(html[at..].find(&first).map(|i| i < 40), Some(true), "{s:?} in {html}");
        }
        let texts: Vec<(&str, &str)> = segments.iter().map(|s| (s.anchor.as_str(), s.text.as_str())).collect();
        assert!(texts.contains(&("s-1", "一、形势")));
        assert!(texts.contains(&("p-2", "引文易地搬迁")));
        assert!(texts.contains(&("p-2", "甲")), "{texts:?}");
        assert!(texts.contains(&("p-3", "今天开会。脚注")));
        assert!(texts.contains(&("p-4", "注文")));
    }
}
