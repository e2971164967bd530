//! What a reader can find in a document, as segments of plain text with
//! the anchor that leads to each: the metadata (title, speakers, place,
//! date, …) and the body, walked with the same pulldown-cmark options as
//! `crate::markdown`, so paragraph `p-N` and heading `s-N` numbers agree
//! with the rendered page.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::model::Document;
use crate::render::views::format_date;

/// A run of text that a match may not cross, and where it is on the page:
/// `p-3`, `s-2`, or empty for the top of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub anchor: String,
    pub text: String,
}

/// Title and metadata fields, one segment each (a match never runs from
/// one field into the next).
pub fn head_segments(doc: &Document) -> Vec<Segment> {
    let mut fields: Vec<String> = vec![doc.title.clone()];
    fields.extend(doc.speakers.iter().cloned());
    fields.extend(doc.speaker_title.iter().cloned());
    fields.extend(crate::index::province_of(doc).filter(|p| *p != doc.city));
    fields.push(doc.city.clone());
    fields.extend(doc.county.iter().cloned());
    fields.extend(doc.occasion.iter().cloned());
    fields.extend(doc.themes.iter().cloned());
    fields.push(doc.date.to_string());
    fields.push(format_date(&doc.date, "zh-CN"));
    fields.extend(doc.summary.iter().cloned());
    if let Some(source) = &doc.source {
        fields.extend([&source.title, &source.issue, &source.publisher].into_iter().flatten().cloned());
    }
    fields
        .into_iter()
        .map(|text| Segment { anchor: String::new(), text: one_line(&text) })
        .filter(|s| !s.text.is_empty())
        .collect()
}

/// The body's text: one segment per paragraph (`p-N`) and heading (`s-N`);
/// text outside both (tight list items, table cells, code) is a segment of
/// its own that leads to the nearest anchor before it.
pub fn body_segments(markdown: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut current = Segment { anchor: String::new(), text: String::new() };
    let (mut paragraphs, mut sections) = (0, 0);
    let mut last_anchor = String::new();
    let start = |out: &mut Vec<Segment>, current: &mut Segment, anchor: String| {
        let done = std::mem::replace(current, Segment { anchor, text: String::new() });
        let text = one_line(&done.text);
        if !text.is_empty() {
            out.push(Segment { anchor: done.anchor, text });
        }
    };
    for event in Parser::new_ext(markdown, crate::markdown::options()) {
        match event {
            Event::Start(Tag::Paragraph) => {
                paragraphs += 1;
                last_anchor = format!("p-{paragraphs}");
                start(&mut out, &mut current, last_anchor.clone());
            }
            Event::Start(Tag::Heading { .. }) => {
                sections += 1;
                last_anchor = format!("s-{sections}");
                start(&mut out, &mut current, last_anchor.clone());
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_))
            | Event::Start(Tag::Item | Tag::TableCell | Tag::CodeBlock(_))
            | Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => {
                start(&mut out, &mut current, last_anchor.clone());
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => current.text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.text.push(' '),
            _ => {}
        }
    }
    start(&mut out, &mut current, String::new());
    out
}

/// Line breaks and tabs become spaces: the published text files keep one
/// segment a line.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
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
