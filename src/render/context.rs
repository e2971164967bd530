//! A page's template context and the fingerprint of its inputs. What pages
//! share (site, words, term views and facts, document summaries, their
//! digests and their rendered list entries) is built once per build in
//! `Shared`; a page adds only its own part. Fingerprints are composed from
//! per-document and per-term digests, so deciding that a page is unchanged
//! never serialises its documents again.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::items::ItemCache;
use super::pages::{PageKind, PagePlan};
use super::views::{
    self, DocumentSummary, DocumentView, FacetLink, FacetView, Feed, FeedEntry, FreePage, PageLink, Pager, SiteView,
    TermFacts, TermView, Totals, Views,
};
use super::Renderer;
use crate::config::Config;
use crate::error::Error;
use crate::identity::Fingerprint;
use crate::index::{FacetKey, Paginator};
use crate::markdown::{render_markdown, render_markdown_and_blocks, RejectedLink, RenderedBody};

/// How many documents the home page and each feed show.
const LATEST: usize = 20;

/// Passages shown on a document page at most, documents listed for each,
/// and passages on the passages page.
const PANEL_PASSAGES: usize = 12;
const PANEL_DOCS: usize = 5;
const LISTED_PASSAGES: usize = 100;

/// The facets of the site's menu and home page, in order.
const MENU: [FacetKey; 5] = [FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind];

/// A worker's last document file: its number and its bytes.
type LastFile = Mutex<Option<(usize, Arc<Vec<u8>>)>>;

/// A worker's last document body rendered for a page that has not yet
/// taken it: the document's number and the body.
type LastBody = Mutex<Option<(usize, RenderedBody)>>;

/// What every page's context draws on, built once per build.
pub(super) struct Shared<'a> {
    pub config: &'a Config,
    pub views: Views<'a>,
    renderer: &'a Renderer,
    /// Per document, made when first asked for (a build that renders one
    /// page needs a handful): its summary (what a list shows of it) and the
    /// summary's digest.
    summaries: Vec<OnceLock<(DocumentSummary, Fingerprint)>>,
    /// Per document, its row of the CSV downloads, made once.
    csv_rows: Vec<OnceLock<String>>,
    /// Per document: the document its `variant_of` names, and the
    /// documents that name it.
    original: Vec<Option<usize>>,
    variants: Vec<Vec<usize>>,
    /// Document numbers by when they were added, newest first.
    by_added: Vec<usize>,
    /// How many documents name each raw file.
    raw_users: std::collections::HashMap<&'a str, usize>,
    /// Per facet, per term: its view, facts, and their digest; empty when
    /// the plan has no page that needs them.
    terms: Vec<Vec<(TermView, TermFacts, Fingerprint)>>,
    items: ItemCache,
    /// The context every page shares: `site` and `t`.
    pub base: Context,
    /// Digest of everything every page depends on.
    pub seed: Fingerprint,
    plan: &'a [PagePlan],
    /// Problems met while rendering that do not stop the build.
    warnings: std::sync::Mutex<Vec<crate::diagnostics::Diagnostic>>,
    /// Passages documents share (the reuse stage's), and each document's
    /// family (it with its reprints), whose members are not listed as
    /// sharing its text.
    passages: &'a crate::reuse::Passages,
    family: Vec<u32>,
    /// Per worker thread, the document file it read last, checked: a
    /// document's downloads and pages sit together in the plan, and one
    /// worker renders them in a row, reading the file once, not once each.
    last_file: Vec<LastFile>,
    /// Per worker thread, the body its plain-text download parsed, rendered
    /// for the document's page in the same parse: the page comes after
    /// the download in the plan, on the same worker.
    last_body: Vec<LastBody>,
}

impl<'a> Shared<'a> {
    pub fn new(
        renderer: &'a Renderer,
        config: &'a Config,
        views: Views<'a>,
        passages: &'a crate::reuse::Passages,
        plan: &'a [PagePlan],
    ) -> Shared<'a> {
        let archive = views.archive;
        let summaries = (0..archive.documents.len()).map(|_| OnceLock::new()).collect();
        let csv_rows = (0..archive.documents.len()).map(|_| OnceLock::new()).collect();
        // By slug in one map: a linear search per variant would make an
        // archive of many reposts quadratic.
        let by_slug: std::collections::HashMap<&str, usize> =
            archive.documents.iter().enumerate().map(|(i, d)| (d.slug.as_str(), i)).collect();
        let original: Vec<Option<usize>> =
            archive.documents.iter().map(|d| d.variant_of.as_deref().and_then(|v| by_slug.get(v).copied())).collect();
        let mut variants = vec![Vec::new(); archive.documents.len()];
        for (j, o) in original.iter().enumerate() {
            if let Some(o) = *o {
                variants[o].push(j);
            }
        }
        let needs_terms = plan.iter().any(|p| !matches!(p.kind, PageKind::Document(_) | PageKind::Page(_)));
        let terms = FacetKey::ALL
            .iter()
            .filter(|_| needs_terms)
            .map(|&key| {
                (0..views.index.facet(key).terms.len())
                    .into_par_iter()
                    .map(|t| {
                        let (view, facts) = (views.term(key, t), views.term_facts(key, t));
                        let fp = Fingerprint::of_json(Fingerprint(0), &(&view, &facts));
                        (view, facts, fp)
                    })
                    .collect()
            })
            .collect();
        let site = site_view(config, &views);
        let mut base = Context::new();
        base.insert("site", &site);
        base.insert("t", &renderer.theme.words);
        let seed = Fingerprint::of_json(renderer.fingerprint(config), &site);
        let items = ItemCache::new(archive.documents.len());
        let warnings = Default::default();
        let by_added = archive.by_added();
        let mut raw_users = std::collections::HashMap::new();
        for d in &archive.documents {
            if let Some(raw) = d.source.as_ref().and_then(|s| s.raw.as_deref()) {
                *raw_users.entry(raw).or_insert(0) += 1;
            }
        }
        Shared {
            config,
            views,
            renderer,
            summaries,
            csv_rows,
            original,
            variants,
            by_added,
            raw_users,
            terms,
            items,
            base,
            seed,
            plan,
            warnings,
            passages,
            family: crate::reuse::families(archive),
            last_file: (0..rayon::current_num_threads()).map(|_| Mutex::new(None)).collect(),
            last_body: (0..rayon::current_num_threads()).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Document `i`'s whole file, which must still be the file loaded
    /// ([`crate::model::Archive::file`]), read again only when this worker
    /// did not read it last.
    pub(super) fn file(&self, i: usize) -> Result<Arc<Vec<u8>>, Error> {
        let slot = rayon::current_thread_index().and_then(|t| self.last_file.get(t));
        if let Some(slot) = slot {
            if let Some((last, bytes)) = &*slot.lock().unwrap_or_else(|e| e.into_inner()) {
                if *last == i {
                    return Ok(Arc::clone(bytes));
                }
            }
        }
        let bytes = Arc::new(self.views.archive.file(i)?);
        if let Some(slot) = slot {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((i, Arc::clone(&bytes)));
        }
        Ok(bytes)
    }

    /// Document `i`'s Markdown body: from memory, or from its file as
    /// [`Shared::file`] reads it.
    pub(super) fn body(&self, i: usize) -> Result<Cow<'a, str>, Error> {
        let archive = self.views.archive;
        if archive.documents[i].body.text().is_some() {
            return archive.body(i);
        }
        let file = self.file(i)?;
        Ok(Cow::Owned(archive.body_in(i, &file)?.to_string()))
    }

    /// Document `i`'s body as plain text (its blocks, a blank line between
    /// them), from a parse that also renders the body for its page, kept
    /// for [`Shared::rendered_body`] on this worker.
    pub(super) fn plain_text(&self, i: usize) -> Result<String, Error> {
        let (body, blocks) = self.views.archive.with_body(i, || self.file(i), render_markdown_and_blocks)?;
        if let Some(slot) = rayon::current_thread_index().and_then(|t| self.last_body.get(t)) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((i, body));
        }
        Ok(crate::markdown::joined(&blocks))
    }

    /// Document `i`'s body rendered: the one [`Shared::plain_text`] left on
    /// this worker, or rendered now.
    fn rendered_body(&self, i: usize) -> Result<RenderedBody, Error> {
        if let Some(slot) = rayon::current_thread_index().and_then(|t| self.last_body.get(t)) {
            let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
            if slot.as_ref().is_some_and(|(last, _)| *last == i) {
                if let Some((_, body)) = slot.take() {
                    return Ok(body);
                }
            }
        }
        Ok(render_markdown(&self.body(i)?))
    }

    /// Reports a problem that does not stop the build (printed as
    /// `path:line:col: warning: …`, exit 0). Only pages rendered in this
    /// build report theirs: a page kept from the last build is not rendered.
    pub fn warn(&self, warning: crate::diagnostics::Diagnostic) {
        self.warnings.lock().unwrap_or_else(|e| e.into_inner()).push(warning);
    }

    /// A warning for each link or image of a Markdown body (from line
    /// `body_line` of `path`) that was shown as text for its URL.
    fn warn_links(&self, path: &std::path::Path, body: &str, body_line: usize, rejected: &[RejectedLink]) {
        for link in rejected {
            let (line, col) = crate::diagnostics::line_col(body, link.offset);
            self.warn(crate::diagnostics::Diagnostic::new(path, body_line + line - 1, col, link.message()));
        }
    }

    /// The warnings reported, sorted.
    pub fn take_warnings(&self) -> Vec<crate::diagnostics::Diagnostic> {
        let mut list = std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        list.sort();
        list.dedup();
        list
    }

    fn summary_and_fp(&self, i: usize) -> &(DocumentSummary, Fingerprint) {
        self.summaries[i].get_or_init(|| {
            let mut summary = self.views.summary(i);
            summary.compare_url = self.original[i].map(|_| views::compare_url(&self.views.archive.documents[i]));
            let fp = Fingerprint::of_json(Fingerprint(0), &summary);
            (summary, fp)
        })
    }

    /// Document `i`'s row of the CSV downloads.
    pub(super) fn csv_row(&self, i: usize) -> &str {
        self.csv_rows[i].get_or_init(|| {
            let doc = &self.views.archive.documents[i];
            let url = format!("{}{}", self.config.site.base_url, crate::index::document_url(doc));
            super::table::csv_row(doc, &url)
        })
    }

    fn summary(&self, i: usize) -> &DocumentSummary {
        &self.summary_and_fp(i).0
    }

    fn summary_fp(&self, i: usize) -> Fingerprint {
        self.summary_and_fp(i).1
    }

    /// Passage `p` as a panel or the passages page shows it from document
    /// `from` (left out of its list, with its family), `listed` documents
    /// at most, its text cut to `chars`.
    fn shared(&self, p: usize, from: Option<usize>, listed: usize, chars: usize) -> views::SharedPassage {
        let passage = &self.passages.passages[p];
        let others: Vec<&(u32, u32)> = passage
            .docs
            .iter()
            .filter(|(d, _)| from.is_none_or(|i| self.family[*d as usize] != self.family[i]))
            .collect();
        let text: String = passage.text.chars().take(chars).collect();
        let cut = passage.text.chars().count() > chars;
        views::SharedPassage {
            text: if cut { format!("{text}…") } else { text },
            phrase: passage.phrase.clone(),
            search_url: passage.phrase.as_ref().map(|q| {
                format!("search/?q={}", percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC))
            }),
            length: passage.length,
            documents: passage.docs.len(),
            families: passage.families,
            docs: others
                .iter()
                .take(listed)
                .map(|&&(d, a)| views::SharedDoc {
                    summary: self.summary(d as usize).clone(),
                    anchor: crate::markdown::segments::anchor_id(a),
                })
                .collect(),
            more: others.len().saturating_sub(listed),
            others: others.len(),
        }
    }

    /// Document `i`'s paragraphs that share passages with other documents,
    /// in reading order, each with those passages: the rarest first, at
    /// most [`PANEL_PASSAGES`] in the document, [`PANEL_DOCS`] documents
    /// listed for each (a set phrase found in a thousand speeches would
    /// otherwise fill the page).
    fn panels(&self, i: usize) -> Vec<views::SharedPanel> {
        let Some(entries) = self.passages.of_doc.get(i) else { return Vec::new() };
        let mut chosen: Vec<(u32, u32)> = entries
            .iter()
            .copied()
            .filter(|&(_, p)| {
                let passage = &self.passages.passages[p as usize];
                passage.docs.iter().any(|(d, _)| self.family[*d as usize] != self.family[i])
            })
            .collect();
        chosen.sort_by_key(|&(a, p)| (self.passages.passages[p as usize].families, a, p));
        chosen.truncate(PANEL_PASSAGES);
        chosen.sort_by_key(|&(a, p)| (a >> 1, a & 1, p));
        let mut panels: Vec<views::SharedPanel> = Vec::new();
        for (a, p) in chosen {
            let anchor = crate::markdown::segments::anchor_id(a);
            let passage = self.shared(p as usize, Some(i), PANEL_DOCS, 60);
            match panels.last_mut() {
                Some(panel) if panel.anchor == anchor => panel.passages.push(passage),
                _ => panels.push(views::SharedPanel { anchor, passages: vec![passage] }),
            }
        }
        panels
    }

    /// The most shared passages, for `passages/`: those first found in
    /// their earliest document, by the families that hold them.
    fn listed_passages(&self) -> Vec<views::SharedPassage> {
        let mut order: Vec<usize> =
            (0..self.passages.passages.len()).filter(|&p| !self.passages.passages[p].derived).collect();
        order.sort_by_key(|&p| {
            let x = &self.passages.passages[p];
            (std::cmp::Reverse(x.families), std::cmp::Reverse(x.length), std::cmp::Reverse(x.docs[0].0), p)
        });
        order.truncate(LISTED_PASSAGES);
        order.into_iter().map(|p| self.shared(p, None, 10, 200)).collect()
    }

    /// The documents before and after `i` in time, passing over its own
    /// variants, its original and the original's other variants: the
    /// neighbour of a text is another text, not a copy of itself.
    fn neighbours(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let family = |j: usize| self.original[j].unwrap_or(j);
        let other = |j: &usize| family(*j) != family(i);
        let n = self.views.archive.documents.len();
        // Documents are newest first: the one before in time is a later index.
        ((i + 1..n).find(other), (0..i).rev().find(other))
    }

    /// True when document `i` is the only one its raw file holds: the whole
    /// file is compared with its text.
    fn raw_whole(&self, i: usize) -> bool {
        let raw = self.views.archive.documents[i].source.as_ref().and_then(|s| s.raw.as_deref());
        raw.is_some_and(|r| self.raw_users.get(r) == Some(&1))
    }

    /// The newest `LATEST` of `ids` by added date, those without one left out.
    fn newest_added(&self, ids: impl Iterator<Item = usize>) -> Vec<usize> {
        let docs = &self.views.archive.documents;
        let mut dated: Vec<usize> = ids.filter(|&i| docs[i].added_day().is_some()).collect();
        dated.sort_by_key(|&i| std::cmp::Reverse(docs[i].added_day()));
        dated.truncate(LATEST);
        dated
    }

    fn term(&self, key: FacetKey, t: usize) -> &(TermView, TermFacts, Fingerprint) {
        &self.terms[key as usize][t]
    }

    /// The facet's view, from the term views already built.
    fn facet(&self, key: FacetKey) -> FacetView {
        let terms: Vec<TermView> = self.terms[key as usize].iter().map(|t| t.0.clone()).collect();
        FacetView {
            groups: (key == FacetKey::City).then(|| self.views.city_groups()),
            ..self.views.facet_of(key, terms)
        }
    }
}

/// A page's own part of its template context, and the digest of all it
/// holds. Built without the context when only the digest is wanted (to find
/// out whether the page can be kept). What every page shares is not copied
/// into it: `render` lends it to a scratch context holding the shared part.
///
/// A value reaches the template only through a method that counts it in
/// the same call: [`insert`](Self::insert) (the value itself),
/// [`insert_term`](Self::insert_term) (the digest made from the term's
/// values when they were built), [`insert_made_of`](Self::insert_made_of)
/// and [`later`](Self::later) (what a value is made of, for values that
/// cost more to build than a kept page may spend: the value is built only
/// when the page is rendered). `tests/it/incremental.rs` checks that what
/// they count is enough: incremental builds equal clean ones after random
/// edits to content, settings and templates.
pub(super) struct PageContext {
    context: Option<Context>,
    keys: Vec<&'static str>,
    pub fingerprint: Fingerprint,
    /// What `render` still adds, counted already.
    later: Vec<Later>,
}

/// What `render` adds to a page's context once it is rendered.
enum Later {
    /// Rendered list entries of documents, their titles headings of a level.
    Items(Vec<usize>, u8),
    /// A document page's view with its body and shared passages: the
    /// panels made once, for the fingerprint and then for the page.
    Doc(usize, Vec<views::SharedPanel>),
    Compare(usize),
    Changes(usize),
}

impl PageContext {
    /// Hands `value` to the template, counted as it is.
    fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, &(key, value));
        self.give(key, value);
    }

    /// Hands a term's view and facts to the template, counted by the digest
    /// made from them when they were built (once per build, not per page).
    fn insert_term(&mut self, (view, facts, digest): &(TermView, TermFacts, Fingerprint)) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, &("term", digest));
        self.give("term", view);
        self.give("facts", facts);
    }

    /// Hands the value `make` builds to the template, counted by what it is
    /// made of (`made_of`); built only when the page is rendered.
    fn insert_made_of<T: Serialize>(&mut self, key: &'static str, made_of: &impl Serialize, make: impl FnOnce() -> T) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, &(key, made_of));
        if self.context.is_some() {
            self.give(key, &make());
        }
    }

    /// Counts what `what` is made of (`made_of`) now; `render` adds it.
    fn later(&mut self, what: Later, made_of: &impl Serialize) {
        let key = match what {
            Later::Items(..) => "items",
            Later::Doc(..) => "doc",
            Later::Compare(_) => "compare",
            Later::Changes(_) => "changes",
        };
        self.count(key, made_of);
        self.later.push(what);
    }

    /// Counts what `key`'s value is made of without adding it.
    fn count(&mut self, key: &'static str, made_of: &impl Serialize) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, &(key, made_of));
    }

    fn give<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(context) = &mut self.context {
            context.insert(key, value);
            self.keys.push(key);
        }
    }

    /// A feed of the newest of documents `ids`, counted by their summaries'
    /// digests (a summary holds the date that dates its entry).
    fn feed(&mut self, s: &Shared, title: String, url: &str, page_url: &str, ids: &[usize]) {
        let docs = &s.views.archive.documents;
        let digests: Vec<(u64, u64)> = ids.iter().map(|&i| (s.summary_fp(i).0, docs[i].digest)).collect();
        let made_of = (&title, url, page_url, digests, &s.config.build_date);
        self.insert_made_of("feed", &made_of, || feed(s, title.clone(), url, page_url, ids));
    }

    /// Lists documents `ids` on the page, their titles headings of level `hl`.
    fn list(&mut self, s: &Shared, ids: Vec<usize>, hl: u8) {
        let digests: Vec<u64> = ids.iter().map(|&i| s.summary_fp(i).0).collect();
        self.later(Later::Items(ids, hl), &(hl, digests));
    }

    /// Renders a page made by `context_for` with `full` into `out`, after
    /// adding its list entries or a document page's view with its body.
    /// `scratch` holds what every page shares (a copy of `Shared::base`)
    /// and is left as it was found.
    pub fn render(
        mut self,
        s: &Shared,
        page: &PagePlan,
        template: &str,
        scratch: &mut Context,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        for later in std::mem::take(&mut self.later) {
            match later {
                Later::Items(ids, hl) => {
                    let root = page.root(&s.config.base_path());
                    let items = ids
                        .iter()
                        .map(|&i| s.items.get(s.renderer, scratch, s.summary(i), i, &root, hl))
                        .collect::<Result<Vec<_>, _>>()?;
                    self.give("items", &items);
                }
                Later::Doc(i, panels) => self.give_document(s, page, i, panels, scratch)?,
                Later::Compare(i) => self.give("compare", &compare_view(s, i)?),
                Later::Changes(i) => self.give("changes", &changes_view(s, i)?),
            }
        }
        scratch.extend(self.context.unwrap_or_default());
        let result = s.renderer.render_to(template, scratch, out).map_err(Error::from);
        for key in self.keys {
            scratch.remove(key);
        }
        result
    }

    /// A document page's view, its body rendered and each paragraph's
    /// shared passages after it.
    fn give_document(
        &mut self,
        s: &Shared,
        page: &PagePlan,
        i: usize,
        shared: Vec<views::SharedPanel>,
        scratch: &mut Context,
    ) -> Result<(), Error> {
        let mut view = document_view(s, i);
        let body = s.rendered_body(i)?;
        if !body.rejected.is_empty() {
            let doc = &s.views.archive.documents[i];
            s.warn_links(&doc.path, &s.body(i)?, doc.body_line, &body.rejected);
        }
        (view.body_html, view.toc, view.paragraphs, view.characters) =
            (body.html, body.toc, body.paragraphs, body.characters);
        // Each paragraph's shared passages, after it.
        let mut panels = Vec::new();
        for panel in shared {
            scratch.insert("panel", &panel);
            scratch.insert("root", &page.root(&s.config.base_path()));
            let mut html = Vec::new();
            let result = s.renderer.render_to("passage.html", scratch, &mut html);
            scratch.remove("panel");
            scratch.remove("root");
            result?;
            panels.push((panel.anchor, String::from_utf8_lossy(&html).into_owned()));
        }
        view.body_html = with_panels(&view.body_html, &panels);
        self.give("doc", &view);
        Ok(())
    }
}

/// The page's template and fingerprint, and with `full` its context (less
/// what `render` adds: [`Later`]).
pub(super) fn context_for(s: &Shared, page: &PagePlan, full: bool) -> (&'static str, PageContext) {
    let context = full.then(Context::new);
    let fingerprint = Fingerprint::of_json(s.seed, &page.url);
    let mut c = PageContext { context, keys: Vec::new(), fingerprint, later: Vec::new() };
    c.insert("root", &page.root(&s.config.base_path()));
    c.insert("page_url", &page.url);
    let archive = s.views.archive;
    let per_page = s.config.site.paginate_by;
    let template = match page.kind {
        PageKind::Home => {
            let ids: Vec<usize> = s.by_added.iter().copied().take(LATEST).collect();
            let latest: Vec<&DocumentSummary> = ids.iter().map(|&i| s.summary(i)).collect();
            c.insert("latest", &latest);
            c.list(s, ids, 3);
            c.insert("facets", &MENU.map(|k| s.facet(k)));
            "home.html"
        }
        PageKind::Document(i) => {
            // What the view is made of, hashed without building it: the
            // document's own file, and the summaries of the documents it
            // links to (whose terms give its links their names and URLs).
            let doc = &archive.documents[i];
            let (prev, next) = s.neighbours(i);
            let linked: Vec<u64> = [Some(i), prev, next]
                .into_iter()
                .flatten()
                .chain(s.original[i])
                .chain(s.variants[i].iter().copied())
                .map(|j| s.summary_fp(j).0)
                .collect();
            // The citations give the build's day as the access date; the
            // raw source is linked when the archive has it.
            let raw = archive.raw_file(i).map(|r| &r.name);
            let panels = s.panels(i);
            c.count("doc", &(doc.digest, linked, &s.config.build_date, raw, &panels));
            c.later.push(Later::Doc(i, panels));
            "document.html"
        }
        PageKind::Changes(i) => {
            let raw = archive.raw_file(i);
            c.later(Later::Changes(i), &(archive.documents[i].digest, s.summary_fp(i).0, raw, s.raw_whole(i)));
            "changes.html"
        }
        PageKind::Compare(i) => {
            let o = s.original[i].unwrap_or(i);
            let docs = &archive.documents;
            c.later(Later::Compare(i), &(docs[i].digest, docs[o].digest, s.summary_fp(i).0, s.summary_fp(o).0));
            "compare.html"
        }
        PageKind::List(n) => {
            let p = Paginator::new("speeches/", per_page, archive.documents.len());
            c.list(s, p.range(n).collect(), 2);
            c.insert("pager", &pager(&p, n));
            "list.html"
        }
        PageKind::Facet(key) => {
            c.insert("facet", &s.facet(key));
            "facet.html"
        }
        PageKind::Term(key, t, n) => {
            let term = &s.views.index.facet(key).terms[t];
            let entry = s.term(key, t);
            let view = &entry.0;
            let p = Paginator::new(term.url(key), per_page, term.docs.len());
            c.insert_term(entry);
            // Under a section heading of their own when the term has children.
            let hl = if n == 1 && !view.children.is_empty() { 3 } else { 2 };
            c.list(s, term.docs[p.range(n)].to_vec(), hl);
            c.insert("pager", &pager(&p, n));
            "term.html"
        }
        PageKind::TermFeed(key, t) => {
            let term = &s.views.index.facet(key).terms[t];
            let view = &s.term(key, t).0;
            let title = format!("{} · {}", view.name, s.config.site.title);
            c.feed(s, title, &page.url, &view.url, &s.newest_added(term.docs.iter().copied()));
            "atom.xml"
        }
        PageKind::SiteFeed => {
            let ids = s.newest_added(s.by_added.iter().copied());
            c.feed(s, s.config.site.title.clone(), &page.url, "", &ids);
            "atom.xml"
        }
        PageKind::Page(i) => {
            let p = &archive.pages[i];
            let body = render_markdown(&p.body);
            s.warn_links(&p.path, &p.body, p.body_line, &body.rejected);
            c.insert("page", &FreePage { title: p.title.clone(), body_html: body.html, url: page.url.clone() });
            "page.html"
        }
        PageKind::DataPage => {
            c.insert("data", &data_view(s.config));
            "data.html"
        }
        // Made by `downloads`, never from a template.
        PageKind::DocumentFile(..) | PageKind::TermCsv(..) | PageKind::Data(_) | PageKind::Raw(_) => "404.html",
        PageKind::Search => "search.html",
        PageKind::Passages => {
            c.insert("passages", &s.listed_passages());
            "passages.html"
        }
        PageKind::NotFound => "404.html",
        PageKind::Sitemap => {
            // Pages a crawler may index: not the search page (noindex).
            let urls: Vec<&str> = s
                .plan
                .iter()
                .filter(|p| p.is_html_page() && p.kind != PageKind::Search)
                .map(|p| p.url.as_str())
                .collect();
            c.insert("urls", &urls);
            "sitemap.xml"
        }
        PageKind::Robots => {
            let base_path = s.config.base_path();
            let host = s.config.site.base_url.strip_suffix(&base_path[1..]).unwrap_or(&s.config.site.base_url);
            c.insert("base_path", &base_path);
            c.insert("host_robots", &format!("{host}robots.txt"));
            "robots.txt"
        }
    };
    (template, c)
}

fn site_view(config: &Config, views: &Views) -> SiteView {
    let (archive, index) = (views.archive, views.index);
    let count = |k: FacetKey| index.facet(k).terms.len();
    SiteView {
        title: config.site.title.clone(),
        description: config.site.description.clone(),
        base_url: config.site.base_url.clone(),
        language: config.site.language.clone(),
        facets: MENU
            .into_iter()
            .map(|k| FacetLink { key: k.key(), name: views.words.facet(k), url: k.url(), count: count(k) })
            .collect(),
        pages: archive
            .pages
            .iter()
            .map(|p| views::Link { name: p.title.clone(), url: format!("{}/", p.slug), key: None })
            .collect(),
        totals: Totals {
            documents: archive.documents.len(),
            cities: count(FacetKey::City),
            years: count(FacetKey::Year),
            themes: count(FacetKey::Theme),
            speakers: count(FacetKey::Speaker),
        },
        generated: format!("{}T00:00:00Z", config.build_date),
    }
}

/// A day as an RFC 3339 time. Only days: a partial date has no time.
fn timestamp(d: &crate::model::PartialDate) -> Option<String> {
    Some(format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month?, d.day?))
}

/// What the data page documents: the downloads, every column of the table
/// with its meaning in the site's language, the licence and sources.
fn data_view(config: &Config) -> views::DataView {
    let zh = config.site.language.starts_with("zh");
    let columns = super::table::COLUMNS
        .iter()
        .map(|c| views::ColumnView {
            name: c.name,
            kind: c.kind,
            list: c.list,
            description: if zh { c.zh } else { c.en },
        })
        .collect();
    let files = super::pages::DataFile::ALL
        .iter()
        .map(|f| views::Link {
            name: f.url().rsplit('/').next().unwrap_or_default().into(),
            url: f.url().into(),
            key: Some(format!("{f:?}").to_lowercase()),
        })
        .collect();
    views::DataView {
        files,
        columns,
        separator: super::table::LIST_SEPARATOR,
        license: config.site.data.license.clone(),
        rights: config.site.data.rights.clone(),
        sources: config.site.data.sources.clone(),
    }
}

/// What the curator changed between document `i`'s raw file and its
/// published text, with the document's summary.
fn changes_view(s: &Shared, i: usize) -> Result<views::ChangesView, Error> {
    let archive = s.views.archive;
    let raw = archive.raw_file(i).ok_or_else(|| Error::Usage("no raw file".into()))?;
    let path = crate::config::raw_dir(&archive.root).join(&raw.name);
    let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
    let published = crate::markdown::plain_text(&s.body(i)?);
    let changes = super::provenance::changes(&super::provenance::decode(&bytes), &published, s.raw_whole(i));
    Ok(views::ChangesView {
        doc: s.summary(i).clone(),
        raw_name: raw.name.clone(),
        raw_url: views::raw_url(&raw.name),
        changes,
    })
}

/// The pager of page `current`: the first page, the last, and two either
/// side of the current one, with a gap where the next page left out sits.
fn pager(p: &Paginator, current: usize) -> Pager {
    let total = p.pages();
    let link = |n: usize| PageLink { number: n, url: p.url(n), gap: false };
    let mut pages = Vec::new();
    let window = current.saturating_sub(3).max(1)..=(current + 3).min(total);
    for n in std::iter::once(1).chain(window).chain(std::iter::once(total)) {
        if pages.last().is_some_and(|l: &PageLink| l.number >= n) {
            continue;
        }
        if n == 1 || n == total || n.abs_diff(current) <= 2 {
            pages.push(link(n));
        } else if n.abs_diff(current) == 3 {
            pages.push(PageLink { number: n, url: String::new(), gap: true });
        }
    }
    Pager {
        current,
        total,
        prev: (current > 1).then(|| p.url(current - 1)),
        next: (current < total).then(|| p.url(current + 1)),
        pages,
        count: p.count,
    }
}

/// A feed of documents `ids` (each with an added day), dated by when they
/// were added; a feed without entries is as new as the build.
fn feed<'a>(s: &'a Shared, title: String, url: &str, page_url: &str, ids: &[usize]) -> Feed<'a> {
    let docs = &s.views.archive.documents;
    let entries: Vec<FeedEntry> = ids
        .iter()
        .filter_map(|&i| {
            let updated = timestamp(&docs[i].added_day()?)?;
            Some(FeedEntry { summary: s.summary(i), updated, content_html: None })
        })
        .collect();
    let updated = entries.first().map_or_else(|| format!("{}T00:00:00Z", s.config.build_date), |e| e.updated.clone());
    Feed { title, url: url.to_string(), page_url: page_url.to_string(), updated, entries }
}

/// A body's HTML with each panel after the element whose `id` is its
/// anchor (a paragraph or heading; before everything when empty or not
/// found).
fn with_panels(html: &str, panels: &[(String, String)]) -> String {
    let mut at: Vec<(usize, &str)> = panels
        .iter()
        .map(|(anchor, panel)| {
            let end = (!anchor.is_empty())
                .then(|| {
                    let id = html.find(&format!(" id=\"{anchor}\""))?;
                    let open = html[..id].rfind('<')?;
                    let tag: String = html[open + 1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                    let close = format!("</{tag}>");
                    Some(id + html[id..].find(&close)? + close.len())
                })
                .flatten()
                .unwrap_or(0);
            (end, panel.as_str())
        })
        .collect();
    at.sort_by_key(|a| a.0);
    let mut out = String::with_capacity(html.len() + panels.iter().map(|p| p.1.len()).sum::<usize>());
    let mut from = 0;
    for (end, panel) in at {
        out.push_str(&html[from..end]);
        out.push_str(panel);
        from = end;
    }
    out.push_str(&html[from..]);
    out
}

/// Reprint `i` beside its original: their bodies diffed.
fn compare_view(s: &Shared, i: usize) -> Result<views::CompareView, Error> {
    let o = s.original[i].unwrap_or(i);
    let archive = s.views.archive;
    let (original, reprint) = (s.body(o)?, s.body(i)?);
    let comparison =
        crate::compare::compare((&archive.documents[o].title, &original), (&archive.documents[i].title, &reprint));
    let summary = &comparison.summary;
    let same_percent = (summary.same * 100).checked_div(summary.original_length).unwrap_or(100);
    Ok(views::CompareView { original: s.summary(o).clone(), reprint: s.summary(i).clone(), comparison, same_percent })
}

/// A document page's view, with the body fields left empty.
fn document_view(s: &Shared, i: usize) -> DocumentView {
    let archive = s.views.archive;
    let doc = &archive.documents[i];
    let summary = s.summary(i).clone();
    let permalink = format!("{}{}", s.config.site.base_url, summary.url);
    let source = doc.source.as_ref().map(|src| views::SourceView {
        title: src.title.clone(),
        issue: src.issue.clone(),
        publisher: src.publisher.clone(),
        date: src.date.as_ref().map(|d| s.views.words.date(d)),
        url: src.url.clone(),
        raw: src.raw.clone(),
        raw_sha256: src.raw_sha256.clone(),
        distribution: src.distribution.clone(),
    });
    DocumentView {
        citation: crate::cite::cite(
            doc,
            &crate::cite::Context { permalink: &permalink, accessed: &s.config.build_date },
        ),
        meta_tags: crate::cite::highwire(doc, &permalink)
            .into_iter()
            .map(|(name, content)| views::MetaTag { name, content })
            .collect(),
        json_ld: crate::cite::json_ld(doc, &permalink, &s.config.site.title),
        downloads: super::pages::DocFile::ALL
            .iter()
            .map(|&f| views::Link {
                name: super::downloads::doc_file_name(doc, f),
                url: format!("{}{}", summary.url, super::downloads::doc_file_name(doc, f)),
                key: Some(f.extension().into()),
            })
            .collect(),
        raw_url: archive.raw_file(i).map(|r| views::raw_url(&r.name)),
        changes_url: archive.raw_file(i).map(|_| views::changes_url(doc)),
        permalink,
        occasion: doc.occasion.clone(),
        editorial_note: doc.editorial_note.clone(),
        transcribed: doc.transcribed,
        source,
        body_html: String::new(),
        toc: Vec::new(),
        paragraphs: 0,
        characters: 0,
        prev: s.neighbours(i).0.map(|j| s.summary(j).clone()),
        next: s.neighbours(i).1.map(|j| s.summary(j).clone()),
        variant_of: s.original[i].map(|j| s.summary(j).clone()),
        variants: s.variants[i].iter().map(|&j| s.summary(j).clone()).collect(),
        listed_on: s.views.listed_on(i),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(current: usize, total: usize) -> String {
        let p = Paginator::new("x/", 1, total);
        let pages = pager(&p, current).pages;
        pages.iter().map(|l| if l.gap { "…".to_string() } else { l.number.to_string() }).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_pager_shows_the_ends_and_two_either_side() {
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(1, 500), "1 2 3 … 500");
        assert_eq!(shown(250, 500), "1 … 248 249 250 251 252 … 500");
        assert_eq!(shown(500, 500), "1 … 498 499 500");
        assert_eq!(shown(3, 7), "1 2 3 4 5 … 7");
        assert_eq!(shown(4, 7), "1 2 3 4 5 6 7");
    }
}
