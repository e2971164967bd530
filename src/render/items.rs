//! A document's list entry (`item.html`), rendered at most once per
//! document and heading level, and then pasted into every home, list and
//! term page that shows the document. A document sits on a dozen index
//! pages; rendering its entry once is what keeps those pages cheap.
//!
//! Pages sit at different depths, so an entry is rendered with a stand-in
//! for `root` that each page replaces with its own. The contract asks
//! `item.html` to use `root` only as a URL prefix, which makes the two the
//! same; a document whose own text holds the stand-in is rendered per page.

use std::borrow::Cow;
use std::sync::OnceLock;

use tera::Context;

use super::views::DocumentSummary;
use super::Renderer;
use crate::diagnostics::Diagnostic;

/// Stands for `root` in a cached entry: a private-use character, which no
/// escaping changes.
const ROOT: char = '\u{F8FF}';
/// Heading levels of an entry's title: 2 and 3.
const LEVELS: usize = 2;

pub(super) struct ItemCache {
    slots: Vec<OnceLock<String>>,
}

impl ItemCache {
    pub fn new(documents: usize) -> ItemCache {
        ItemCache { slots: (0..documents * LEVELS).map(|_| OnceLock::new()).collect() }
    }

    /// Document `i`'s entry on a page whose root is `root`, its title a
    /// heading of level `hl` (2 or 3). `scratch` holds what every page
    /// shares and is left as it was found.
    pub fn get(
        &self,
        renderer: &Renderer,
        scratch: &mut Context,
        summary: &DocumentSummary,
        i: usize,
        root: &str,
        hl: u8,
    ) -> Result<Cow<'_, str>, Diagnostic> {
        let Some(slot) = self.slots.get(i * LEVELS + (hl as usize).wrapping_sub(2)).filter(|_| (2..=3).contains(&hl))
        else {
            return render(renderer, scratch, summary, root, hl).map(Cow::Owned);
        };
        let cached = match slot.get() {
            Some(html) => html,
            None => {
                let html = if holds_stand_in(summary) {
                    String::new()
                } else {
                    render(renderer, scratch, summary, ROOT.encode_utf8(&mut [0; 4]), hl)?
                };
                slot.get_or_init(|| html)
            }
        };
        if cached.is_empty() {
            return render(renderer, scratch, summary, root, hl).map(Cow::Owned);
        }
        // A char pattern is found by memchr; a &str one sets up a
        // two-way searcher every call.
        Ok(Cow::Owned(cached.replace(ROOT, root)))
    }
}

fn render(
    renderer: &Renderer,
    scratch: &mut Context,
    summary: &DocumentSummary,
    root: &str,
    hl: u8,
) -> Result<String, Diagnostic> {
    scratch.insert("doc", summary);
    scratch.insert("root", root);
    scratch.insert("hl", &hl);
    let rendered = renderer.render("item.html", scratch);
    for key in ["doc", "root", "hl"] {
        scratch.remove(key);
    }
    let mut html = rendered?;
    html.truncate(html.trim_end().len());
    Ok(html)
}

/// True when the document's own text holds the stand-in for `root`.
fn holds_stand_in(summary: &DocumentSummary) -> bool {
    serde_json::to_string(summary).map_or(true, |json| json.contains(ROOT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_that_holds_the_stand_in_is_noticed() {
        let view = |title: &str| DocumentSummary {
            title: title.into(),
            url: "speeches/a/".into(),
            date: crate::render::views::DateView {
                iso: "2020".into(),
                display: "2020年".into(),
                year: 2020,
                precision: "year",
            },
            speakers: Vec::new(),
            speaker_title: None,
            place: crate::render::views::PlaceView { province: None, city: None, county: None, display: String::new() },
            kind: crate::render::views::Link { name: "讲话".into(), url: "kinds/speech/".into(), key: None },
            themes: Vec::new(),
            summary: None,
            placeholders: false,
            compare_url: None,
        };
        assert!(!holds_stand_in(&view("讲话")));
        assert!(holds_stand_in(&view("讲\u{F8FF}话")));
    }
}
