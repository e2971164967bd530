//! The page plan: every page of the site, its URL, and the inputs it depends
//! on (a document page on its document, its neighbours in time and its
//! terms; a term page on its documents). Rendering walks the plan in
//! parallel and hands each page to the sink.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::views::{self, DocumentSummary, FacetLink, PageLink, Pager, SiteView, Totals, Views, Words};
use super::{cite, Renderer};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::index::{FacetKey, Index, Paginator};
use crate::markdown::render_markdown;
use crate::model::Archive;
use crate::write::{Fingerprint, Sink};

/// Templates every theme must have.
pub const TEMPLATES: [&str; 11] = [
    "home.html",
    "search.html",
    "document.html",
    "list.html",
    "facet.html",
    "term.html",
    "page.html",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
];

/// How many documents the home page and each feed show.
const LATEST: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Document(usize),
    /// All documents, 1-based page.
    List(usize),
    Facet(FacetKey),
    /// Facet, term, 1-based page.
    Term(FacetKey, usize, usize),
    TermFeed(FacetKey, usize),
    Page(usize),
    /// The search page; its index is the search stage's.
    Search,
    NotFound,
    SiteFeed,
    Sitemap,
    Robots,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// Site-relative URL: `` (home), `speeches/x/`, `atom.xml`.
    pub url: String,
    pub kind: PageKind,
}

impl PagePlan {
    /// The file the page is written to, relative to the output folder.
    pub fn output_path(&self) -> String {
        if self.url.is_empty() || self.url.ends_with('/') {
            format!("{}index.html", self.url)
        } else {
            self.url.clone()
        }
    }

    /// The prefix from this page back to the site root.
    fn root(&self, base_path: &str) -> String {
        match self.kind {
            PageKind::NotFound => base_path.to_string(),
            _ => "../".repeat(self.url.matches('/').count()),
        }
    }

    fn is_html_page(&self) -> bool {
        !matches!(
            self.kind,
            PageKind::NotFound | PageKind::SiteFeed | PageKind::TermFeed(..) | PageKind::Sitemap | PageKind::Robots
        )
    }
}

/// Every page of the site, in a fixed order.
pub fn plan_pages(archive: &Archive, index: &Index, per_page: usize) -> Vec<PagePlan> {
    let mut plan = vec![PagePlan { url: String::new(), kind: PageKind::Home }];
    let all = Paginator::new("speeches/", per_page, archive.documents.len());
    plan.extend((1..=all.pages()).map(|n| PagePlan { url: all.url(n), kind: PageKind::List(n) }));
    for (i, doc) in archive.documents.iter().enumerate() {
        plan.push(PagePlan { url: views::document_url(doc), kind: PageKind::Document(i) });
    }
    for key in FacetKey::ALL {
        plan.push(PagePlan { url: key.url(), kind: PageKind::Facet(key) });
        for (t, term) in index.facet(key).terms.iter().enumerate() {
            let pager = Paginator::new(term.url(key), per_page, term.docs.len());
            plan.extend((1..=pager.pages()).map(|n| PagePlan { url: pager.url(n), kind: PageKind::Term(key, t, n) }));
            plan.push(PagePlan { url: format!("{}atom.xml", term.url(key)), kind: PageKind::TermFeed(key, t) });
        }
    }
    for (i, page) in archive.pages.iter().enumerate() {
        plan.push(PagePlan { url: format!("{}/", page.slug), kind: PageKind::Page(i) });
    }
    plan.extend([
        PagePlan { url: "search/".into(), kind: PageKind::Search },
        PagePlan { url: "404.html".into(), kind: PageKind::NotFound },
        PagePlan { url: "atom.xml".into(), kind: PageKind::SiteFeed },
        PagePlan { url: "sitemap.xml".into(), kind: PageKind::Sitemap },
        PagePlan { url: "robots.txt".into(), kind: PageKind::Robots },
    ]);
    plan
}

/// What every page's context shares, built once per build.
struct Shared<'a> {
    config: &'a Config,
    views: Views<'a>,
    summaries: Vec<DocumentSummary>,
    /// Per document: the documents that name it in `variant_of`.
    variants: Vec<Vec<usize>>,
    base: Context,
    /// Digest of everything every page depends on.
    seed: Fingerprint,
    plan: &'a [PagePlan],
}

/// A page's template context, and the digest of all it holds.
struct PageContext {
    context: Context,
    fingerprint: Fingerprint,
    /// A document page's view, its body not yet rendered.
    doc: Option<views::DocumentView>,
}

impl PageContext {
    fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, &(key, value));
        self.context.insert(key, value);
    }

    /// Counts `value` among the page's inputs without handing it to the template.
    fn depend_on<T: Serialize + ?Sized>(&mut self, value: &T) {
        self.fingerprint = Fingerprint::of_json(self.fingerprint, value);
    }
}

/// What rendering did: pages planned, and pages actually rendered.
#[derive(Debug, Default, Clone, Copy)]
pub struct RenderReport {
    pub pages: usize,
    pub rendered: usize,
}

/// Renders every planned page in parallel into `sink`, skipping pages the
/// sink already holds from the same inputs. Returns counts, or every page
/// that failed.
pub fn render_site(
    renderer: &Renderer,
    config: &Config,
    archive: &Archive,
    index: &Index,
    plan: &[PagePlan],
    sink: &dyn Sink,
) -> Result<RenderReport, Diagnostics> {
    let words = Words { language: &config.site.language, t: &renderer.theme.words };
    let views = Views { archive, index, words };
    let summaries: Vec<DocumentSummary> =
        (0..archive.documents.len()).into_par_iter().map(|i| views.summary(i)).collect();
    let mut variants = vec![Vec::new(); archive.documents.len()];
    for (j, doc) in archive.documents.iter().enumerate() {
        if let Some(original) = doc.variant_of.as_deref().and_then(|v| archive.find(v)) {
            variants[original].push(j);
        }
    }
    let site = site_view(config, archive, index, &views);
    let mut base = Context::new();
    base.insert("site", &site);
    base.insert("t", &renderer.theme.words);
    let seed = Fingerprint::of_json(renderer.fingerprint(config), &site);
    let shared = Shared { config, views, summaries, variants, base, seed, plan };
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    let problems: Vec<Diagnostic> = plan
        .par_iter()
        .filter_map(|page| {
            let rel = page.output_path();
            let (template, mut page_context) = context_for(&shared, page);
            if sink.keep(&rel, page_context.fingerprint) {
                return None;
            }
            if let (PageKind::Document(i), Some(mut doc)) = (page.kind, page_context.doc.take()) {
                fill_body(&mut doc, &archive.documents[i].body);
                page_context.context.insert("doc", &doc);
            }
            rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = renderer.render(template, &page_context.context).and_then(|html| {
                sink.write_page(&rel, page_context.fingerprint, html.as_bytes())
                    .map_err(|e| Diagnostic::new(std::path::Path::new(&rel), 1, 1, format!("cannot write: {e}")))
            });
            result.err()
        })
        .collect();
    if problems.is_empty() {
        Ok(RenderReport { pages: plan.len(), rendered: rendered.into_inner() })
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

fn site_view(config: &Config, archive: &Archive, index: &Index, views: &Views) -> SiteView {
    let count = |k: FacetKey| index.facet(k).terms.len();
    SiteView {
        title: config.site.title.clone(),
        description: config.site.description.clone(),
        base_url: config.site.base_url.clone(),
        language: config.site.language.clone(),
        facets: [FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind]
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
        generated: archive.documents.first().map_or_else(|| "1970-01-01T00:00:00Z".into(), |d| timestamp(&d.date)),
    }
}

/// A partial date as an RFC 3339 time, at the start of the period it names.
fn timestamp(d: &crate::model::PartialDate) -> String {
    format!("{:04}-{:02}-{:02}T00:00:00Z", d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
}

fn pager(p: &Paginator, current: usize) -> Pager {
    let total = p.pages();
    Pager {
        current,
        total,
        prev: (current > 1).then(|| p.url(current - 1)),
        next: (current < total).then(|| p.url(current + 1)),
        pages: (1..=total).map(|n| PageLink { number: n, url: p.url(n) }).collect(),
        count: p.count,
    }
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    #[serde(flatten)]
    summary: &'a DocumentSummary,
    updated: String,
    content_html: Option<String>,
}

#[derive(Serialize)]
struct Feed<'a> {
    title: String,
    url: String,
    page_url: String,
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct FreePage {
    title: String,
    body_html: String,
    url: String,
}

/// The page's template and context. A document page's body is not
/// rendered here: its Markdown's digest stands in for it until the page is
/// known to need rendering.
fn context_for(s: &Shared, page: &PagePlan) -> (&'static str, PageContext) {
    let mut c =
        PageContext { context: s.base.clone(), fingerprint: Fingerprint::of_json(s.seed, &page.url), doc: None };
    c.insert("root", &page.root(&s.config.base_path()));
    c.insert("page_url", &page.url);
    let archive = s.views.archive;
    let per_page = s.config.site.paginate_by;
    let docs = |ids: &[usize]| -> Vec<&DocumentSummary> { ids.iter().map(|&i| &s.summaries[i]).collect() };
    let template = match page.kind {
        PageKind::Home => {
            let ids: Vec<usize> = (0..archive.documents.len().min(LATEST)).collect();
            c.insert("latest", &docs(&ids));
            let facets: Vec<_> = [FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind]
                .into_iter()
                .map(|k| s.views.facet(k))
                .collect();
            c.insert("facets", &facets);
            "home.html"
        }
        PageKind::Document(i) => {
            // Hashed now, handed to the template only if the page renders,
            // once its body is filled in.
            let view = document_view(s, i);
            c.depend_on(&("doc", &view));
            c.depend_on(&s.views.archive.documents[i].body);
            c.doc = Some(view);
            "document.html"
        }
        PageKind::List(n) => {
            let p = Paginator::new("speeches/", per_page, archive.documents.len());
            let ids: Vec<usize> = p.range(n).collect();
            c.insert("documents", &docs(&ids));
            c.insert("pager", &pager(&p, n));
            "list.html"
        }
        PageKind::Facet(key) => {
            c.insert("facet", &s.views.facet(key));
            "facet.html"
        }
        PageKind::Term(key, t, n) => {
            let term = &s.views.index.facet(key).terms[t];
            let p = Paginator::new(term.url(key), per_page, term.docs.len());
            c.insert("term", &s.views.term(key, t));
            c.insert("facts", &s.views.term_facts(key, t));
            c.insert("documents", &docs(&term.docs[p.range(n)]));
            c.insert("pager", &pager(&p, n));
            "term.html"
        }
        PageKind::TermFeed(key, t) => {
            let term = &s.views.index.facet(key).terms[t];
            let view = s.views.term(key, t);
            c.insert(
                "feed",
                &feed(s, format!("{} · {}", view.name, s.config.site.title), &page.url, &view.url, &term.docs),
            );
            "atom.xml"
        }
        PageKind::SiteFeed => {
            let ids: Vec<usize> = (0..archive.documents.len()).collect();
            c.insert("feed", &feed(s, s.config.site.title.clone(), &page.url, "", &ids));
            "atom.xml"
        }
        PageKind::Page(i) => {
            let p = &archive.pages[i];
            c.insert(
                "page",
                &FreePage { title: p.title.clone(), body_html: render_markdown(&p.body).html, url: page.url.clone() },
            );
            "page.html"
        }
        PageKind::Search => "search.html",
        PageKind::NotFound => "404.html",
        PageKind::Sitemap => {
            let urls: Vec<&str> = s.plan.iter().filter(|p| p.is_html_page()).map(|p| p.url.as_str()).collect();
            c.insert("urls", &urls);
            "sitemap.xml"
        }
        PageKind::Robots => "robots.txt",
    };
    (template, c)
}

fn feed<'a>(s: &'a Shared, title: String, url: &str, page_url: &str, ids: &[usize]) -> Feed<'a> {
    let entries: Vec<FeedEntry> = ids
        .iter()
        .take(LATEST)
        .map(|&i| FeedEntry {
            summary: &s.summaries[i],
            updated: timestamp(&s.views.archive.documents[i].date),
            content_html: None,
        })
        .collect();
    Feed {
        title,
        url: url.to_string(),
        page_url: page_url.to_string(),
        updated: ids
            .first()
            .map_or_else(|| "1970-01-01T00:00:00Z".into(), |&i| timestamp(&s.views.archive.documents[i].date)),
        entries,
    }
}

/// Renders the body into a document view made by `document_view`.
fn fill_body(view: &mut views::DocumentView, markdown: &str) {
    let body = render_markdown(markdown);
    view.body_html = body.html;
    view.toc = body.toc;
    view.paragraphs = body.paragraphs;
    view.characters = body.characters;
}

/// A document page's view, with the body fields left empty.
fn document_view(s: &Shared, i: usize) -> views::DocumentView {
    let archive = s.views.archive;
    let doc = &archive.documents[i];
    let summary = s.summaries[i].clone();
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
    views::DocumentView {
        citation: cite::cite(doc, &permalink, &s.config.site.title),
        permalink,
        occasion: doc.occasion.clone(),
        editorial_note: doc.editorial_note.clone(),
        transcribed: doc.transcribed,
        source,
        body_html: String::new(),
        toc: Vec::new(),
        paragraphs: 0,
        characters: 0,
        // Documents are newest first: the one before in time is the next index.
        prev: archive.documents.get(i + 1).map(|_| s.summaries[i + 1].clone()),
        next: i.checked_sub(1).map(|j| s.summaries[j].clone()),
        variant_of: doc.variant_of.as_deref().and_then(|v| archive.find(v)).map(|j| s.summaries[j].clone()),
        variants: s.variants[i].iter().map(|&j| s.summaries[j].clone()).collect(),
        listed_on: s.views.listed_on(i),
        summary,
    }
}
