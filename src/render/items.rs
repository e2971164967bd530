//! A document's list entry (`item.html`), rendered at most once per
//! document, page depth and heading level, and then pasted into every home,
//! list and term page that shows the document. A document sits on a dozen
//! index pages; rendering its entry once is what keeps those pages cheap.

use std::borrow::Cow;
use std::sync::OnceLock;

use tera::Context;

use super::views::DocumentSummary;
use super::Renderer;
use crate::diagnostics::Diagnostic;

/// Depths of the pages that list documents (others are rendered uncached): the home page (0), `speeches/`
/// (1), a term (2), `speeches/page/N/` (3), a term's `page/N/` (4).
const DEPTHS: usize = 5;
/// Heading levels of an entry's title: 2 and 3.
const LEVELS: usize = 2;

pub(super) struct ItemCache {
    slots: Vec<OnceLock<String>>,
}

impl ItemCache {
    pub fn new(documents: usize) -> ItemCache {
        ItemCache { slots: (0..documents * DEPTHS * LEVELS).map(|_| OnceLock::new()).collect() }
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
        let depth = root.len() / 3;
        let slot = (root == "../".repeat(depth) && depth < DEPTHS && (2..=3).contains(&hl))
            .then(|| &self.slots[(i * DEPTHS + depth) * LEVELS + (hl as usize - 2)]);
        if let Some(html) = slot.and_then(OnceLock::get) {
            return Ok(Cow::Borrowed(html));
        }
        scratch.insert("doc", summary);
        scratch.insert("root", root);
        scratch.insert("hl", &hl);
        let rendered = renderer.render("item.html", scratch);
        for key in ["doc", "root", "hl"] {
            scratch.remove(key);
        }
        let mut html = rendered?;
        html.truncate(html.trim_end().len());
        Ok(match slot {
            Some(slot) => Cow::Borrowed(slot.get_or_init(|| html)),
            None => Cow::Owned(html),
        })
    }
}
