//! The one place pulldown-cmark options live. Turns a Markdown body into
//! HTML with a numbered anchor on every paragraph, ids on outline headings
//! and a table of contents. Raw HTML in content is shown as text, never
//! interpreted: scraped texts must not be able to inject markup or script.

mod highlight;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A body ready for a template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedBody {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub paragraphs: usize,
    /// Han characters of the text, for reading-length figures.
    pub characters: usize,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Renders `markdown`. Paragraph ids are `p-1`, `p-2`, … in document order
/// and heading ids `s-1`, `s-2`, …, so an anchor stays the same from one
/// build to the next as long as the text before it does.
pub fn render_markdown(markdown: &str) -> RenderedBody {
    let mut out = RenderedBody::default();
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut code_lang: Option<String> = None;
    let mut code_text = String::new();
    let mut sections = 0;
    let mut open_paragraphs: Vec<usize> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        if let Event::Text(t) = &event {
            out.characters += t.chars().filter(|c| is_han(*c)).count();
        }
        match event {
            Event::Start(Tag::Paragraph) => {
                out.paragraphs += 1;
                open_paragraphs.push(out.paragraphs);
                events.push(Event::Html(format!("<p id=\"p-{}\">", out.paragraphs).into()));
            }
            Event::End(TagEnd::Paragraph) => {
                let n = open_paragraphs.pop().unwrap_or(out.paragraphs);
                events.push(Event::Html(
                    format!("<a href=\"#p-{n}\" aria-label=\"¶ {n}\">¶</a></p>\n").into(),
                ));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                sections += 1;
                heading = Some((heading_number(level), events.len(), String::new()));
                events.push(Event::Html(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((lvl, at, text)) = heading.take() {
                    let id = format!("s-{sections}");
                    events[at] = Event::Html(format!("<h{lvl} id=\"{id}\">").into());
                    events.push(Event::Html(format!("</h{lvl}>\n").into()));
                    if lvl == 2 || lvl == 3 {
                        out.toc.push(TocEntry { level: lvl, id, text });
                    }
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                code_lang = Some(match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(lang) => {
                        lang.split_whitespace().next().unwrap_or("").to_string()
                    }
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                });
                code_text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                let lang = code_lang.take().unwrap_or_default();
                events.push(Event::Html(highlight::code_block(&code_text, &lang).into()));
            }
            Event::Text(t) if code_lang.is_some() => code_text.push_str(&t),
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
                events.push(Event::Text(t));
            }
            // Raw HTML is escaped: it becomes visible text.
            Event::Html(t) | Event::InlineHtml(t) => events.push(Event::Text(t)),
            other => events.push(other),
        }
    }
    html::push_html(&mut out.html, events.into_iter());
    out
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Plain text of a Markdown snippet (for feeds' summaries and titles).
pub fn render_inline(markdown: &str) -> String {
    let mut html_out = String::new();
    let events = Parser::new_ext(markdown, options()).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    html::push_html(&mut html_out, events);
    html_out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_get_numbered_anchors() {
        let r = render_markdown("同志们：\n\n今天开会。\n");
        assert_eq!(r.paragraphs, 2);
        assert!(r.html.contains("<p id=\"p-2\">今天开会。<a href=\"#p-2\" aria-label=\"¶ 2\">¶</a></p>"), "{}", r.html);
        assert_eq!(r.characters, 7);
    }

    #[test]
    fn outline_headings_make_the_toc() {
        let r = render_markdown("## 一、认清形势\n\n正文\n\n### （一）成绩\n\n正文\n");
        assert_eq!(
            r.toc,
            [
                TocEntry { level: 2, id: "s-1".into(), text: "一、认清形势".into() },
                TocEntry { level: 3, id: "s-2".into(), text: "（一）成绩".into() },
            ]
        );
        assert!(r.html.contains("<h2 id=\"s-1\">一、认清形势</h2>"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let r = render_markdown("<script>alert(1)</script>\n\n文字<b onclick=x>粗</b>\n");
        assert!(!r.html.contains("<script"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<b onclick"));
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes() {
        let r = render_markdown("```rust\nfn main() {}\n```\n");
        assert!(r.html.contains("<pre class=\"code\""), "{}", r.html);
        assert!(r.html.contains("class=\""));
        assert!(!r.html.contains("style="));
    }
}
