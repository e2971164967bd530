//! The page plan: every page of the site, its URL, and the inputs it depends
//! on (a document page on its document, its neighbours in time and its
//! terms; a term page on its documents). Rendering walks the plan in
//! parallel and hands each page to the sink.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::context::{context_for, Shared};
use super::views::{self, Views};
use super::Renderer;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::index::{document_url, FacetKey, Index, Paginator};
use crate::model::Archive;
use crate::reuse::Passages;
use crate::sink::Sink;
use crate::words::Words;

/// Templates every theme must have.
pub const TEMPLATES: [&str; 17] = [
    "home.html",
    "item.html",
    "search.html",
    "document.html",
    "compare.html",
    "passage.html",
    "passages.html",
    "list.html",
    "facet.html",
    "term.html",
    "page.html",
    "404.html",
    "data.html",
    "changes.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Document(usize),
    /// A reprint (this document) beside its original.
    Compare(usize),
    /// All documents, 1-based page.
    List(usize),
    Facet(FacetKey),
    /// Facet, term, 1-based page.
    Term(FacetKey, usize, usize),
    TermFeed(FacetKey, usize),
    Page(usize),
    /// The search page; its index is the search stage's.
    Search,
    /// The passages most shared across documents (the reuse stage's).
    Passages,
    NotFound,
    SiteFeed,
    Sitemap,
    Robots,
    /// A document's download beside its page.
    DocumentFile(usize, DocFile),
    /// A term's documents as CSV.
    TermCsv(FacetKey, usize),
    /// The whole archive's downloads under `data/`.
    Data(DataFile),
    /// The data page, `data/`, documenting the downloads.
    DataPage,
    /// A raw source file (`archive.raw_files`), under `raw/`.
    Raw(usize),
    /// What the curator changed between a document's raw file and its text.
    Changes(usize),
}

/// The formats of a document's downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocFile {
    Markdown,
    Text,
    Csl,
    Ris,
    Bibtex,
}

impl DocFile {
    pub const ALL: [DocFile; 5] = [DocFile::Markdown, DocFile::Text, DocFile::Csl, DocFile::Ris, DocFile::Bibtex];

    pub fn extension(self) -> &'static str {
        match self {
            DocFile::Markdown => "md",
            DocFile::Text => "txt",
            DocFile::Csl => "csl.json",
            DocFile::Ris => "ris",
            DocFile::Bibtex => "bib",
        }
    }
}

/// The whole archive's downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFile {
    Csv,
    Json,
    Jsonl,
    Package,
}

impl DataFile {
    pub const ALL: [DataFile; 4] = [DataFile::Csv, DataFile::Json, DataFile::Jsonl, DataFile::Package];

    pub fn url(self) -> &'static str {
        match self {
            DataFile::Csv => "data/documents.csv",
            DataFile::Json => "data/documents.json",
            DataFile::Jsonl => "data/texts.jsonl",
            DataFile::Package => "data/datapackage.json",
        }
    }
}

/// The CSV of the documents listed on a term's pages.
pub fn term_csv_url(term_url: &str) -> String {
    format!("{term_url}documents.csv")
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
    pub(super) fn root(&self, base_path: &str) -> String {
        match self.kind {
            PageKind::NotFound => base_path.to_string(),
            _ => "../".repeat(self.url.matches('/').count()),
        }
    }

    pub(super) fn is_html_page(&self) -> bool {
        !matches!(
            self.kind,
            PageKind::NotFound
                | PageKind::SiteFeed
                | PageKind::TermFeed(..)
                | PageKind::Sitemap
                | PageKind::Robots
                | PageKind::DocumentFile(..)
                | PageKind::TermCsv(..)
                | PageKind::Data(_)
                | PageKind::Raw(_)
        )
    }
}

/// Every page of the site, in a fixed order.
pub fn plan_pages(archive: &Archive, index: &Index, per_page: usize) -> Vec<PagePlan> {
    let mut plan = vec![PagePlan { url: String::new(), kind: PageKind::Home }];
    let all = Paginator::new("speeches/", per_page, archive.documents.len());
    plan.extend((1..=all.pages()).map(|n| PagePlan { url: all.url(n), kind: PageKind::List(n) }));
    let slugs: std::collections::HashSet<&str> = archive.documents.iter().map(|d| d.slug.as_str()).collect();
    for (i, doc) in archive.documents.iter().enumerate() {
        let url = document_url(doc);
        plan.extend(DocFile::ALL.map(|f| PagePlan {
            url: format!("{url}{}", super::downloads::doc_file_name(doc, f)),
            kind: PageKind::DocumentFile(i, f),
        }));
        plan.push(PagePlan { url, kind: PageKind::Document(i) });
        if archive.raw_file(i).is_some() {
            plan.push(PagePlan { url: views::changes_url(doc), kind: PageKind::Changes(i) });
        }
        if doc.variant_of.as_deref().is_some_and(|o| slugs.contains(o)) {
            plan.push(PagePlan { url: views::compare_url(doc), kind: PageKind::Compare(i) });
        }
    }
    for key in FacetKey::ALL {
        plan.push(PagePlan { url: key.url(), kind: PageKind::Facet(key) });
        for (t, term) in index.facet(key).terms.iter().enumerate() {
            let pager = Paginator::new(term.url(key), per_page, term.docs.len());
            plan.extend((1..=pager.pages()).map(|n| PagePlan { url: pager.url(n), kind: PageKind::Term(key, t, n) }));
            plan.push(PagePlan { url: format!("{}atom.xml", term.url(key)), kind: PageKind::TermFeed(key, t) });
            plan.push(PagePlan { url: term_csv_url(&term.url(key)), kind: PageKind::TermCsv(key, t) });
        }
    }
    for (i, page) in archive.pages.iter().enumerate() {
        plan.push(PagePlan { url: format!("{}/", page.slug), kind: PageKind::Page(i) });
    }
    plan.extend([
        PagePlan { url: "search/".into(), kind: PageKind::Search },
        PagePlan { url: "passages/".into(), kind: PageKind::Passages },
        PagePlan { url: "404.html".into(), kind: PageKind::NotFound },
        PagePlan { url: "atom.xml".into(), kind: PageKind::SiteFeed },
        PagePlan { url: "sitemap.xml".into(), kind: PageKind::Sitemap },
        PagePlan { url: "robots.txt".into(), kind: PageKind::Robots },
        PagePlan { url: "data/".into(), kind: PageKind::DataPage },
    ]);
    plan.extend(DataFile::ALL.map(|f| PagePlan { url: f.url().into(), kind: PageKind::Data(f) }));
    for (r, raw) in archive.raw_files.iter().enumerate() {
        plan.push(PagePlan { url: format!("raw/{}", raw.name), kind: PageKind::Raw(r) });
    }
    plan
}

/// What rendering did: pages planned, pages actually rendered, and the
/// problems met that do not stop the build.
#[derive(Debug, Default, Clone)]
pub struct RenderReport {
    pub pages: usize,
    pub rendered: usize,
    /// Sorted by path, line, column.
    pub warnings: Vec<Diagnostic>,
}

/// Renders every planned page in parallel into `sink`, skipping pages the
/// sink already holds from the same inputs. Returns counts, or every page
/// that failed.
pub fn render_site(
    renderer: &Renderer,
    config: &Config,
    archive: &Archive,
    index: &Index,
    passages: &Passages,
    plan: &[PagePlan],
    sink: &dyn Sink,
) -> Result<RenderReport, Error> {
    let words = Words { language: &config.site.language, t: &renderer.theme.words };
    let shared = Shared::new(renderer, config, Views { archive, index, words }, passages, plan);
    let rendered = AtomicUsize::new(0);
    let problems: Vec<Error> = plan
        .par_iter()
        // Per worker: the page buffer, and a context holding what all
        // pages share, lent to each page in turn.
        .map_init(
            || (Vec::new(), shared.base.clone()),
            |(buffer, scratch), page| {
                let rel = page.output_path();
                if let Some(fingerprint) = super::downloads::fingerprint(&shared, page) {
                    if sink.may_keep() && sink.keep(&rel, fingerprint) {
                        return None;
                    }
                    rendered.fetch_add(1, Ordering::Relaxed);
                    return super::downloads::write(&shared, page, &rel, fingerprint, sink).err();
                }
                if sink.may_keep() && sink.keep(&rel, context_for(&shared, page, false).1.fingerprint) {
                    return None;
                }
                let (template, page_context) = context_for(&shared, page, true);
                let fingerprint = page_context.fingerprint;
                rendered.fetch_add(1, Ordering::Relaxed);
                buffer.clear();
                let result = page_context
                    .render(&shared, page, template, scratch, buffer)
                    .and_then(|()| sink.write_page(&rel, fingerprint, buffer));
                result.err()
            },
        )
        .flatten()
        .collect();
    match Error::merge(problems) {
        None => {
            Ok(RenderReport { pages: plan.len(), rendered: rendered.into_inner(), warnings: shared.take_warnings() })
        }
        Some(e) => Err(e),
    }
}
