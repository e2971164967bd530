//! View types: the documented contract between the generator and themes
//! (`themes/default/README.md`). Serialize-only; built from the model and
//! the index, so internal types can change without breaking a theme.

use serde::Serialize;

use crate::index::{document_url, FacetKey, Index, Term};
use crate::markdown::TocEntry;
use crate::model::{Archive, Document, PartialDate};
use crate::words::{format_date, Words};

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub iso: String,
    pub display: String,
    pub year: i32,
    pub precision: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceView {
    pub province: Option<Link>,
    pub city: Option<Link>,
    pub county: Option<Link>,
    pub display: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub title: String,
    pub url: String,
    pub date: DateView,
    pub speakers: Vec<Link>,
    pub speaker_title: Option<String>,
    pub place: PlaceView,
    pub kind: Link,
    pub themes: Vec<Link>,
    pub summary: Option<String>,
    pub placeholders: bool,
    /// The page comparing this document with the one it reprints (when
    /// `variant_of` names one): `speeches/<slug>/compare/`.
    pub compare_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub title: Option<String>,
    pub issue: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<DateView>,
    pub url: Option<String>,
    pub raw: Option<String>,
    pub raw_sha256: Option<String>,
    pub distribution: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedOn {
    pub facet: String,
    pub name: String,
    pub url: String,
}

/// A `<meta name content>` of the page's head (Highwire `citation_*`).
#[derive(Debug, Clone, Serialize)]
pub struct MetaTag {
    pub name: &'static str,
    pub content: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    #[serde(flatten)]
    pub summary: DocumentSummary,
    pub permalink: String,
    pub occasion: Option<String>,
    pub editorial_note: Option<String>,
    pub transcribed: bool,
    pub source: Option<SourceView>,
    pub body_html: String,
    pub toc: Vec<TocEntry>,
    pub paragraphs: usize,
    pub characters: usize,
    pub prev: Option<DocumentSummary>,
    pub next: Option<DocumentSummary>,
    pub variant_of: Option<DocumentSummary>,
    pub variants: Vec<DocumentSummary>,
    pub listed_on: Vec<ListedOn>,
    pub citation: crate::cite::Citation,
    /// Highwire `citation_*` tags for the head.
    pub meta_tags: Vec<MetaTag>,
    /// schema.org JSON-LD, escaped for a `<script>` element.
    pub json_ld: String,
    /// The document's files beside its page: `key` md, txt, csl.json,
    /// ris, bib; `url` site-relative.
    pub downloads: Vec<Link>,
    /// The raw source file on this site (`raw/<name>`), when the archive has it.
    pub raw_url: Option<String>,
    /// The page showing what the curator changed between that file and
    /// this text, when the archive has the file.
    pub changes_url: Option<String>,
}

/// The data page's `data`: the whole archive's downloads, the columns of
/// its table, and what `[data]` in site.toml states.
#[derive(Debug, Clone, Serialize)]
pub struct DataView {
    /// `documents.csv`, `documents.json`, `texts.jsonl`, `datapackage.json`
    /// (`key`: csv, json, jsonl, package).
    pub files: Vec<Link>,
    pub columns: Vec<ColumnView>,
    /// What joins a list's items in a CSV cell.
    pub separator: &'static str,
    pub license: Option<crate::config::License>,
    pub rights: String,
    pub sources: Vec<crate::config::DataSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub name: &'static str,
    /// `string`, `boolean`, `date` (a day) or `partialdate` (YYYY, YYYY-MM or YYYY-MM-DD).
    pub kind: super::table::Type,
    pub list: bool,
    pub description: &'static str,
}

/// A reprint beside its original (`compare.html`).
#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    pub original: DocumentSummary,
    pub reprint: DocumentSummary,
    #[serde(flatten)]
    pub comparison: crate::compare::Comparison,
    /// Characters in both texts, in percent of the original's.
    pub same_percent: usize,
}

/// A passage another document shares with this one (`passage.html`, the
/// passages page).
#[derive(Debug, Clone, Serialize)]
pub struct SharedPassage {
    /// The passage as its earliest document prints it (the passages page:
    /// up to 200 characters; a panel: its start).
    pub text: String,
    /// A piece of it to search for (no spaces, commas or quotation marks),
    /// or null, and the search page's URL for it (site-relative).
    pub phrase: Option<String>,
    pub search_url: Option<String>,
    /// Han characters in common.
    pub length: u32,
    /// Documents that hold it, and families (a document with its reprints).
    pub documents: usize,
    pub families: u32,
    /// The documents listed (earliest first, this one left out), each with
    /// the paragraph that holds the passage, and how many more there are.
    pub docs: Vec<SharedDoc>,
    pub more: usize,
    /// The documents of other families that hold it (`docs` and `more`).
    pub others: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedDoc {
    #[serde(flatten)]
    pub summary: DocumentSummary,
    /// `p-N`, `s-N`, or empty.
    pub anchor: String,
}

/// The passages a paragraph shares, shown after it.
#[derive(Debug, Clone, Serialize)]
pub struct SharedPanel {
    pub anchor: String,
    pub passages: Vec<SharedPassage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub feed_url: String,
    /// The term's documents as CSV.
    pub csv_url: String,
    pub count: usize,
    pub first_year: i32,
    pub last_year: i32,
    pub children: Vec<TermView>,
    /// Terms above this one, outermost first: `[陕西省, 安康市]` on 平利县.
    pub parents: Vec<Link>,
    pub facet: Link,
}

/// A term's documents seen across other facets: per year, and the themes
/// they most often carry (the term page's `facts`).
#[derive(Debug, Clone, Serialize)]
pub struct TermFacts {
    pub years: Vec<CountedLink>,
    pub related_themes: Vec<CountedLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountedLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetView {
    pub key: &'static str,
    pub name: String,
    pub url: String,
    pub terms: Vec<TermView>,
    pub groups: Option<Vec<TermView>>,
}

/// One entry of a pager: a page to link to, or (`gap`) the ellipsis that
/// stands for the pages left out.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub gap: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetLink {
    pub key: &'static str,
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub cities: usize,
    pub years: usize,
    pub themes: usize,
    pub speakers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    pub facets: Vec<FacetLink>,
    /// Free pages (about, methodology), for the footer.
    pub pages: Vec<Link>,
    pub totals: Totals,
    pub generated: String,
}

/// A date as the views show it, in the site's language.
impl Words<'_> {
    pub fn date(&self, d: &PartialDate) -> DateView {
        DateView {
            iso: d.to_string(),
            display: format_date(d, self.language),
            year: d.year,
            precision: d.precision().as_str(),
        }
    }
}

/// The page comparing a reprint with its original.
/// The page of what the curator changed from the raw file: `speeches/<slug>/changes/`.
pub fn changes_url(doc: &Document) -> String {
    format!("{}changes/", document_url(doc))
}

/// A raw file's URL on the site, `raw/<name>`, its name percent-encoded:
/// a raw file keeps the name it came with, which may hold a space, `#` or
/// `?` that would break a link.
pub fn raw_url(name: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    format!("raw/{}", percent_encoding::utf8_percent_encode(name, SEGMENT))
}

/// `changes` on `changes.html`.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    pub doc: DocumentSummary,
    pub raw_name: String,
    pub raw_url: String,
    pub changes: super::provenance::Changes,
}

pub fn compare_url(reprint: &Document) -> String {
    format!("{}compare/", document_url(reprint))
}

/// Builds summaries and term views; shared by every page kind.
pub struct Views<'a> {
    pub archive: &'a Archive,
    pub index: &'a Index,
    pub words: Words<'a>,
}

impl Views<'_> {
    fn term_link(&self, key: FacetKey, term: usize) -> Link {
        let t = &self.index.facet(key).terms[term];
        let name = if key == FacetKey::Kind { self.words.get(&format!("kind_{}", t.name)) } else { t.name.clone() };
        Link { name, url: t.url(key), key: (key == FacetKey::Kind).then(|| t.name.clone()) }
    }

    fn links(&self, doc: usize, key: FacetKey) -> Vec<Link> {
        self.index.terms_of[doc].iter().filter(|(k, _)| *k == key).map(|&(k, t)| self.term_link(k, t)).collect()
    }

    pub fn summary(&self, i: usize) -> DocumentSummary {
        let doc = &self.archive.documents[i];
        let one = |key| self.links(i, key).into_iter().next();
        let place = PlaceView {
            province: one(FacetKey::Province),
            city: one(FacetKey::City),
            county: one(FacetKey::County),
            display: crate::index::place_path(doc),
        };
        DocumentSummary {
            title: doc.title.clone(),
            url: document_url(doc),
            date: self.words.date(&doc.date),
            speakers: self.links(i, FacetKey::Speaker),
            speaker_title: doc.speaker_title.clone(),
            place,
            kind: self.term_link(
                FacetKey::Kind,
                self.index.terms_of[i].iter().find(|(k, _)| *k == FacetKey::Kind).map_or(0, |t| t.1),
            ),
            themes: self.links(i, FacetKey::Theme),
            summary: doc.summary.clone(),
            placeholders: doc.placeholders,
            compare_url: None,
        }
    }

    pub fn listed_on(&self, i: usize) -> Vec<ListedOn> {
        self.index.terms_of[i]
            .iter()
            .map(|&(k, t)| {
                let link = self.term_link(k, t);
                ListedOn { facet: self.words.facet(k), name: link.name, url: link.url }
            })
            .collect()
    }

    pub fn term(&self, key: FacetKey, t: usize) -> TermView {
        let term: &Term = &self.index.facet(key).terms[t];
        let years = term.docs.iter().map(|&d| self.archive.documents[d].date.year);
        let link = self.term_link(key, t);
        let children = self.children(key, t);
        let parents = self.parents(key, t);
        TermView {
            name: link.name,
            slug: term.slug.clone(),
            url: link.url.clone(),
            feed_url: format!("{}atom.xml", link.url),
            csv_url: super::pages::term_csv_url(&link.url),
            count: term.docs.len(),
            first_year: years.clone().min().unwrap_or(0),
            last_year: years.max().unwrap_or(0),
            children,
            parents,
            facet: Link { name: self.words.facet(key), url: key.url(), key: Some(key.key().to_string()) },
        }
    }

    fn parents(&self, key: FacetKey, t: usize) -> Vec<Link> {
        let up = match key {
            FacetKey::County => FacetKey::City,
            FacetKey::City => FacetKey::Province,
            _ => return Vec::new(),
        };
        match self.index.facet(key).terms[t].parent {
            Some(p) => {
                let mut chain = self.parents(up, p);
                chain.push(self.term_link(up, p));
                chain
            }
            None => Vec::new(),
        }
    }

    /// Cities of a province, counties of a city.
    fn children(&self, key: FacetKey, t: usize) -> Vec<TermView> {
        let child = match key {
            FacetKey::Province => FacetKey::City,
            FacetKey::City => FacetKey::County,
            _ => return Vec::new(),
        };
        let terms = &self.index.facet(child).terms;
        (0..terms.len()).filter(|&c| terms[c].parent == Some(t)).map(|c| self.term(child, c)).collect()
    }

    /// Per-year counts and the ten themes that most often co-occur. Counts
    /// sit in arrays indexed by term, so a term costs one pass over its
    /// documents' terms.
    pub fn term_facts(&self, key: FacetKey, t: usize) -> TermFacts {
        let term = &self.index.facet(key).terms[t];
        let mut years = vec![0usize; self.index.facet(FacetKey::Year).terms.len()];
        let mut themes = vec![0usize; self.index.facet(FacetKey::Theme).terms.len()];
        for &d in &term.docs {
            for &(k, other) in &self.index.terms_of[d] {
                match k {
                    FacetKey::Year => years[other] += 1,
                    FacetKey::Theme if !(key == FacetKey::Theme && other == t) => themes[other] += 1,
                    _ => {}
                }
            }
        }
        let linked = |k: FacetKey, other: usize, count: usize| {
            let link = self.term_link(k, other);
            CountedLink { name: link.name, url: link.url, count }
        };
        let mut years: Vec<CountedLink> =
            years.iter().enumerate().filter(|(_, &n)| n > 0).map(|(y, &n)| linked(FacetKey::Year, y, n)).collect();
        years.sort_by(|a, b| a.name.cmp(&b.name));
        let mut counted: Vec<(usize, usize)> = themes.into_iter().enumerate().filter(|&(_, n)| n > 0).collect();
        counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let related_themes = counted.into_iter().take(10).map(|(th, n)| linked(FacetKey::Theme, th, n)).collect();
        TermFacts { years, related_themes }
    }

    pub fn facet(&self, key: FacetKey) -> FacetView {
        let terms = (0..self.index.facet(key).terms.len()).map(|t| self.term(key, t)).collect();
        let groups = (key == FacetKey::City).then(|| self.city_groups());
        FacetView { groups, ..self.facet_of(key, terms) }
    }

    /// A facet's view from its term views, without groups.
    pub fn facet_of(&self, key: FacetKey, terms: Vec<TermView>) -> FacetView {
        FacetView { key: key.key(), name: self.words.facet(key), url: key.url(), terms, groups: None }
    }

    /// Provinces with their cities (and those cities' counties); cities of
    /// unknown province come last under a group of their own.
    pub fn city_groups(&self) -> Vec<TermView> {
        let mut groups: Vec<TermView> =
            (0..self.index.facet(FacetKey::Province).terms.len()).map(|p| self.term(FacetKey::Province, p)).collect();
        let cities = &self.index.facet(FacetKey::City).terms;
        let orphans: Vec<TermView> =
            (0..cities.len()).filter(|&c| cities[c].parent.is_none()).map(|c| self.term(FacetKey::City, c)).collect();
        if !orphans.is_empty() {
            groups.push(TermView {
                name: self.words.get("unknown_province"),
                slug: String::new(),
                url: FacetKey::City.url(),
                feed_url: String::new(),
                csv_url: String::new(),
                count: orphans.iter().map(|c| c.count).sum(),
                first_year: orphans.iter().map(|c| c.first_year).min().unwrap_or(0),
                last_year: orphans.iter().map(|c| c.last_year).max().unwrap_or(0),
                children: orphans,
                parents: Vec::new(),
                facet: Link {
                    name: self.words.facet(FacetKey::Province),
                    url: FacetKey::Province.url(),
                    key: Some("province".into()),
                },
            });
        }
        groups
    }
}

/// One entry of an Atom feed (`atom.xml`): a document's summary, when it
/// was added, and its body when the feed carries bodies.
#[derive(Debug, Serialize)]
pub struct FeedEntry<'a> {
    #[serde(flatten)]
    pub summary: &'a DocumentSummary,
    pub updated: String,
    pub content_html: Option<String>,
}

/// `feed` on `atom.xml`: the archive's feed or a term's.
#[derive(Debug, Serialize)]
pub struct Feed<'a> {
    pub title: String,
    pub url: String,
    pub page_url: String,
    pub updated: String,
    pub entries: Vec<FeedEntry<'a>>,
}

/// `page` on `page.html`: a free page (about, methodology).
#[derive(Debug, Serialize)]
pub struct FreePage {
    pub title: String,
    pub body_html: String,
    pub url: String,
}
