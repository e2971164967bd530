//! The one place pulldown-cmark options live. Turns a Markdown body into
//! HTML with a numbered anchor on every paragraph, ids on outline headings
//! and a table of contents. Raw HTML in content is shown as text, never
//! interpreted, and a link or image whose URL has a scheme other than
//! http, https or mailto (`javascript:`, `data:`, `vbscript:`, `file:` …)
//! is shown as its text and returned for a warning: scraped texts must not
//! be able to inject markup or script.

mod highlight;
pub mod segments;

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A body ready for a template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedBody {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub paragraphs: usize,
    /// Han characters of the text, for reading-length figures.
    pub characters: usize,
    /// Links and images shown as text because of their URL's scheme.
    pub rejected: Vec<RejectedLink>,
}

/// A link or image left out: where it starts (a byte offset in the
/// Markdown) and its URL.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedLink {
    pub offset: usize,
    pub url: String,
    pub image: bool,
}

impl RejectedLink {
    /// What a warning says of it.
    pub fn message(&self) -> String {
        let what = if self.image { "image" } else { "link" };
        format!(
            "{what} to `{}` is shown as text: only http, https and mailto URLs and relative links are allowed",
            self.url
        )
    }
}

/// True for a URL a page may link to: http, https or mailto, or one with
/// no scheme (relative, fragment, protocol-relative). Judged as a browser
/// reads it: tabs and line breaks anywhere and leading or trailing spaces
/// and control characters are dropped first, and the scheme's case is
/// ignored; anything else that looks like a scheme is refused, even where
/// a browser might read it as a path.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String =
        url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].split_once(':') {
        None => true,
        Some((scheme, _)) => ["http", "https", "mailto"].iter().any(|s| scheme.eq_ignore_ascii_case(s)),
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// The entry opens a nested list for the level-3 entries after it.
    pub opens: bool,
    /// The entry is the last of a nested list, which closes after it.
    pub closes: bool,
}

/// Sets `opens` and `closes` so that the table of contents nests well: a
/// level-3 heading with no level-2 heading before it stands at the top
/// level, and so does a level-3 heading after such a one.
fn nest(toc: &mut [TocEntry]) {
    let mut seen_two = false;
    let depths: Vec<u8> = toc
        .iter()
        .map(|h| {
            seen_two |= h.level == 2;
            if h.level == 3 && seen_two {
                3
            } else {
                2
            }
        })
        .collect();
    for i in 0..toc.len() {
        let next = toc.get(i + 1).map(|n| if n.level == 3 && (toc[i].level == 2 || depths[i] == 3) { 3 } else { 2 });
        toc[i].opens = depths[i] == 2 && next == Some(3);
        toc[i].closes = depths[i] == 3 && next != Some(3);
    }
}

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Renders `markdown`. Paragraph ids are `p-1`, `p-2`, … in document order
/// and heading ids `s-1`, `s-2`, …, so an anchor stays the same from one
/// build to the next as long as the text before it does. Events stream from
/// the parser to the HTML writer, changed on the way; nothing is buffered
/// but a code block's text.
pub fn render_markdown(markdown: &str) -> RenderedBody {
    render(markdown, None)
}

/// [`render_markdown`], each event also handed to `blocks` as parsed.
fn render(markdown: &str, mut blocks: Option<&mut BlockBuilder>) -> RenderedBody {
    let mut out = RenderedBody { html: String::with_capacity(markdown.len() * 9 / 8), ..Default::default() };
    let mut toc = Vec::new();
    let (mut paragraphs, mut characters, mut sections) = (0, 0, 0);
    let mut heading: Option<(u8, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut open_paragraphs: Vec<usize> = Vec::new();
    let mut rejected = Vec::new();
    // Per open link or image: whether it was dropped (images may sit in links).
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options()).into_offset_iter().filter_map(|(event, range)| {
        if let Some(blocks) = blocks.as_deref_mut() {
            blocks.push(&event);
        }
        if let Event::Text(t) = &event {
            characters += t.chars().filter(|c| crate::script::is_han(*c)).count();
        }
        Some(match event {
            Event::Start(Tag::Paragraph) => {
                paragraphs += 1;
                open_paragraphs.push(paragraphs);
                Event::Html(format!("<p id=\"p-{paragraphs}\">").into())
            }
            Event::End(TagEnd::Paragraph) => {
                let n = open_paragraphs.pop().unwrap_or(paragraphs);
                Event::Html(format!("<a href=\"#p-{n}\" aria-label=\"¶ {n}\">¶</a></p>\n").into())
            }
            Event::Start(Tag::Heading { level, .. }) => {
                sections += 1;
                let level = heading_number(level);
                heading = Some((level, String::new()));
                Event::Html(format!("<h{level} id=\"s-{sections}\">").into())
            }
            Event::End(TagEnd::Heading(_)) => {
                let (level, text) = heading.take()?;
                if level == 2 || level == 3 {
                    toc.push(TocEntry { level, id: format!("s-{sections}"), text, opens: false, closes: false });
                }
                Event::Html(format!("</h{level}>\n").into())
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(lang) => {
                        lang.split_whitespace().next().unwrap_or("").to_string()
                    }
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                return None;
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, text) = code.take()?;
                Event::Html(highlight::code_block(&text, &lang).into())
            }
            Event::Text(t) if code.is_some() => {
                code.as_mut()?.1.push_str(&t);
                return None;
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                heading.as_mut()?.1.push_str(&t);
                Event::Text(t)
            }
            // Raw HTML is escaped: it becomes visible text.
            Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let (Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &tag else { return None };
                let safe = is_safe_url(dest_url);
                links.push(safe);
                if safe {
                    return Some(Event::Start(tag));
                }
                let image = matches!(tag, Tag::Image { .. });
                rejected.push(RejectedLink { offset: range.start, url: dest_url.to_string(), image });
                return None;
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                return links.pop().unwrap_or(true).then_some(Event::End(end));
            }
            other => other,
        })
    });
    html::push_html(&mut out.html, events);
    nest(&mut toc);
    (out.toc, out.paragraphs, out.characters, out.rejected) = (toc, paragraphs, characters, rejected);
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

/// A block of a body as plain text: a paragraph (`p-N`, numbered as
/// `render_markdown` numbers them), a heading (`s-N`), or a list item or
/// table row, which has no anchor of its own.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Block {
    pub anchor: Option<String>,
    pub heading: bool,
    pub text: String,
}

/// The body's blocks in order, with the anchors the page gives them.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = BlockBuilder::default();
    for event in Parser::new_ext(markdown, options()) {
        blocks.push(&event);
    }
    blocks.finish()
}

/// [`render_markdown`] and [`blocks`] of one body from one parse: for a
/// caller that needs both (a document's page and its plain text).
pub fn render_markdown_and_blocks(markdown: &str) -> (RenderedBody, Vec<Block>) {
    let mut blocks = BlockBuilder::default();
    let body = render(markdown, Some(&mut blocks));
    (body, blocks.finish())
}

/// [`blocks`] made from the parser's events one at a time, so that the
/// events [`render_markdown`] turns into HTML can make them on the way.
#[derive(Default)]
struct BlockBuilder {
    blocks: Vec<Block>,
    /// The blocks still open, innermost last.
    open: Vec<usize>,
    paragraphs: usize,
    sections: usize,
}

impl BlockBuilder {
    fn start(&mut self, anchor: Option<String>, heading: bool) {
        self.blocks.push(Block { anchor, heading, text: String::new() });
        self.open.push(self.blocks.len() - 1);
    }

    fn push(&mut self, event: &Event) {
        match event {
            Event::Start(Tag::Paragraph) => {
                self.paragraphs += 1;
                self.start(Some(format!("p-{}", self.paragraphs)), false);
            }
            Event::Start(Tag::Heading { .. }) => {
                self.sections += 1;
                self.start(Some(format!("s-{}", self.sections)), true);
            }
            Event::Start(Tag::Item | Tag::TableRow | Tag::TableHead | Tag::CodeBlock(_)) => self.start(None, false),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) => {
                self.open.pop();
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(&b) = self.open.last() {
                    self.blocks[b].text.push_str(" | ");
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if self.open.is_empty() {
                    self.start(None, false);
                }
                let b = *self.open.last().unwrap_or(&0);
                self.blocks[b].text.push_str(t);
            }
            // A line break inside a paragraph: nothing between Chinese
            // characters, a space between words of other scripts.
            Event::SoftBreak | Event::HardBreak => {
                if let Some(&b) = self.open.last() {
                    let text = &mut self.blocks[b].text;
                    if text.chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == ',') {
                        text.push(' ');
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(self) -> Vec<Block> {
        let mut blocks = self.blocks;
        for b in &mut blocks {
            b.text = b.text.trim_end_matches(" | ").trim().to_string();
        }
        blocks.retain(|b| !b.text.is_empty() || b.anchor.is_some());
        blocks
    }
}

/// The body as plain text: its blocks, a blank line between them.
pub fn plain_text(markdown: &str) -> String {
    joined(&blocks(markdown))
}

/// Blocks as plain text, a blank line between them.
pub fn joined(blocks: &[Block]) -> String {
    blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n\n")
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
                TocEntry { level: 2, id: "s-1".into(), text: "一、认清形势".into(), opens: true, closes: false },
                TocEntry { level: 3, id: "s-2".into(), text: "（一）成绩".into(), opens: false, closes: true },
            ]
        );
        assert!(r.html.contains("<h2 id=\"s-1\">一、认清形势</h2>"));
    }

    #[test]
    fn the_toc_nests_only_under_a_level_two_heading() {
        let shape = |md: &str| -> Vec<(u8, bool, bool)> {
            render_markdown(md).toc.iter().map(|h| (h.level, h.opens, h.closes)).collect()
        };
        // A level-3 heading before any level-2 one stands at the top level.
        assert_eq!(
            shape("### a\n\n### b\n\n## c\n\n### d\n\n### e\n\n## f\n"),
            [
                (3, false, false),
                (3, false, false),
                (2, true, false),
                (3, false, false),
                (3, false, true),
                (2, false, false),
            ]
        );
        assert_eq!(shape("## a\n\n### b\n"), [(2, true, false), (3, false, true)]);
    }

    #[test]
    fn blocks_carry_the_anchors_the_page_gives_them() {
        let md = "同志们：\n\n## 一、形势\n\n第一段\n接着。\n\n- 甲\n- 乙\n\n> 引文\n";
        let page = render_markdown(md);
        let b = blocks(md);
        let anchors: Vec<Option<&str>> = b.iter().map(|b| b.anchor.as_deref()).collect();
        assert_eq!(anchors, [Some("p-1"), Some("s-1"), Some("p-2"), None, None, Some("p-3")]);
        assert_eq!(b[2].text, "第一段接着。");
        for a in anchors.into_iter().flatten() {
            assert!(page.html.contains(&format!("id=\"{a}\"")), "{a}");
        }
        assert_eq!(plain_text("甲\n\n## 乙\n"), "甲\n\n乙");
    }

    #[test]
    fn one_parse_gives_the_page_and_the_blocks_that_two_would() {
        let md = "同志们：\n\n## 一、形势\n\n第一段\nline two\n\n- 甲\n- 乙\n\n> 引文[^1]\n\n\
                  | a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn x() {}\n```\n\n<b>粗</b> `代码` \
                  [a](javascript:x) ![b](https://a.cn/b.png) ~~删~~\n\n### （一）\n\n[^1]: 注释\n";
        for text in [md, "", "文字", "## 只有标题\n", "- 甲\n  - 乙\n"] {
            let (body, blocks) = render_markdown_and_blocks(text);
            assert_eq!(body, render_markdown(text), "{text}");
            assert_eq!(blocks, super::blocks(text), "{text}");
            assert_eq!(joined(&blocks), plain_text(text), "{text}");
        }
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let r = render_markdown("<script>alert(1)</script>\n\n文字<b onclick=x>粗</b>\n");
        assert!(!r.html.contains("<script"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<b onclick"));
    }

    #[test]
    fn only_http_https_mailto_and_relative_urls_are_safe() {
        for safe in [
            "https://a.cn/x",
            "HTTP://a.cn",
            "mailto:a@b.cn",
            "../x/",
            "#p-1",
            "/static/a.png",
            "//a.cn/x",
            "x.html?a=b:c",
            "",
        ] {
            assert!(is_safe_url(safe), "{safe}");
        }
        for bad in [
            "javascript:x",
            " JaVaScRiPt:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
            "%6Aavascript:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
        let r = render_markdown("[a](javascript:x) ![b](data:image/png,x) [c](https://a.cn)\n");
        assert_eq!(r.rejected.iter().map(|l| (l.offset, l.image)).collect::<Vec<_>>(), [(0, false), (18, true)]);
        assert!(!r.html.contains("javascript") && !r.html.contains("data:"), "{}", r.html);
        assert!(r.html.contains("<a href=\"https://a.cn\">c</a>"), "{}", r.html);
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes() {
        let r = render_markdown("```rust\nfn main() {}\n```\n");
        assert!(r.html.contains("<pre class=\"code\""), "{}", r.html);
        assert!(r.html.contains("class=\""));
        assert!(!r.html.contains("style="));
    }
}
