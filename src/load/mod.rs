//! Load stage: `content/` → `Archive`. Reads every file in parallel, checks
//! each against the content model and then across documents (unique slugs,
//! `variant_of` targets), and applies the site's theme rules. Every problem
//! of every file is collected; nothing is rendered here.

mod cache;
mod document;
mod front_matter;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

pub use cache::LoadCache;
pub use document::{parse_document, parse_page};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Document, Page};

pub const CONTENT_DIR: &str = "content";
const SPEECHES_DIR: &str = "speeches";
const PAGES_DIR: &str = "pages";
/// Raw source texts under `content/`, named by documents' `source.raw`.
pub const RAW_DIR: &str = "raw";

enum Loaded {
    /// A document without its body, and the topics the site's theme rules
    /// add to it.
    Document(Box<Document>, Vec<String>),
    Page(Option<Page>),
}

/// Loads and validates the whole archive under `config.root`, reusing what
/// the load cache holds of unchanged files (unless `config.clean`).
pub fn load_archive(config: &Config) -> Result<Archive, Diagnostics> {
    let files = content_files(&config.root)?;
    let settings = cache_settings(config);
    let cache_path = LoadCache::path(&config.root);
    let cache = if config.clean { LoadCache::empty(settings) } else { LoadCache::open(&cache_path, settings) };
    let results: Vec<Result<Loaded, Vec<Diagnostic>>> =
        files.par_iter().map(|rel| load_file(&config.root, rel, &config.site, &cache)).collect();
    let mut problems = Vec::new();
    let mut documents = Vec::new();
    let mut ruled = Vec::new();
    let mut pages = Vec::new();
    for result in results {
        match result {
            Ok(Loaded::Document(d, topics)) => {
                documents.push(*d);
                ruled.push(topics);
            }
            Ok(Loaded::Page(p)) => pages.extend(p),
            Err(mut p) => problems.append(&mut p),
        }
    }
    problems.extend(check_across(&config.root, &documents, &pages, config.drafts));
    if !problems.is_empty() {
        return Err(Diagnostics::sorted(problems));
    }
    if !cache.holds(&documents) {
        LoadCache::save(&cache_path, settings, &documents);
    }
    for (doc, topics) in documents.iter_mut().zip(ruled) {
        doc.themes.extend(topics);
    }
    documents.retain(|d| config.drafts || !d.draft);
    Ok(Archive::new(documents, pages).in_files(&config.root))
}

/// Every `.md` file under `content/`, as paths relative to the root, sorted.
fn content_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return Err(Diagnostics(vec![Diagnostic::new(
            Path::new(CONTENT_DIR),
            1,
            1,
            format!("no content folder at {}", content.display()),
        )]));
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(&content).sort_by_file_name().into_iter();
    // `content/raw/` holds the raw sources documents were imported from,
    // not documents.
    let raw = content.join(RAW_DIR);
    for entry in walker
        .filter_entry(|e| e.depth() == 0 || !(e.file_name().to_string_lossy().starts_with('.') || e.path() == raw))
    {
        match entry {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                files.push(e.path().strip_prefix(root).unwrap_or(e.path()).to_path_buf());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf()).unwrap_or_default();
                problems.push(Diagnostic::new(&path, 1, 1, format!("cannot read: {e}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

/// What a cached document depends on besides its file: this program and
/// the fields the site allows.
fn cache_settings(config: &Config) -> u64 {
    let exe = std::env::current_exe().ok().and_then(|p| crate::write::stamp(&p));
    let key = format!("{} {exe:?} {:?}", env!("CARGO_PKG_VERSION"), config.site.extra_fields);
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

fn load_file(
    root: &Path,
    rel: &Path,
    site: &crate::config::SiteConfig,
    cache: &LoadCache,
) -> Result<Loaded, Vec<Diagnostic>> {
    let bytes =
        std::fs::read(root.join(rel)).map_err(|e| vec![Diagnostic::new(rel, 1, 1, format!("cannot read: {e}"))])?;
    let cached = (!cache.is_empty()).then(|| cache.get(rel, xxhash_rust::xxh3::xxh3_64(&bytes))).flatten();
    let text = utf8(rel, &bytes)?;
    let section =
        rel.strip_prefix(CONTENT_DIR).ok().and_then(|p| p.iter().next()).map(|s| s.to_string_lossy().to_string());
    match section.as_deref() {
        Some(SPEECHES_DIR) => {
            // Theme rules read the body; then it goes (`Archive::body`).
            let (doc, topics) = match cached {
                Some(doc) => {
                    let body = front_matter::split(text).map(|s| s.body).unwrap_or_default();
                    (doc.clone(), theme_rules_add(doc, body, &site.theme_rules))
                }
                None => {
                    let mut doc = parse_document(rel, text, &site.extra_fields)?;
                    let topics = theme_rules_add(&doc, &doc.body, &site.theme_rules);
                    doc.body = String::new();
                    (doc, topics)
                }
            };
            Ok(Loaded::Document(Box::new(doc), topics))
        }
        Some(PAGES_DIR) => parse_page(rel, text).map(Loaded::Page),
        _ => Err(vec![Diagnostic::new(rel, 1, 1, "content files belong in content/speeches/ or content/pages/")]),
    }
}

/// The file's text. The SIMD check is several times faster than the
/// standard library's on Chinese text, and every byte of the archive passes
/// through it; the slower one runs only to locate an error.
fn utf8<'a>(rel: &Path, bytes: &'a [u8]) -> Result<&'a str, Vec<Diagnostic>> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| {
        let offset = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
        let (line, col) = crate::diagnostics::line_col(&String::from_utf8_lossy(&bytes[..offset]), offset);
        vec![Diagnostic::new(
            rel,
            line,
            col,
            format!("not valid UTF-8 (at byte {offset}); convert it with `archive import`"),
        )]
    })
}

/// Checks that need all documents: unique slugs, `variant_of` targets.
fn check_across(root: &Path, documents: &[Document], pages: &[Page], drafts: bool) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut by_slug: std::collections::BTreeMap<&str, Vec<&Path>> = Default::default();
    for d in documents {
        by_slug.entry(&d.slug).or_default().push(&d.path);
    }
    for paths in by_slug.values().filter(|p| p.len() > 1) {
        for (i, path) in paths.iter().enumerate() {
            let other = paths[if i == 0 { 1 } else { 0 }];
            problems.push(Diagnostic::new(
                path,
                1,
                1,
                format!("slug `{}` is also used by {}", slug_of(documents, path), other.display()),
            ));
        }
    }
    let mut page_slugs: std::collections::BTreeMap<&str, &Path> = Default::default();
    for p in pages {
        if let Some(other) = page_slugs.insert(&p.slug, &p.path) {
            problems.push(Diagnostic::new(
                &p.path,
                1,
                1,
                format!("page slug `{}` is also used by {}", p.slug, other.display()),
            ));
        }
        if crate::index::RESERVED_PATHS.contains(&p.slug.as_str()) {
            problems.push(Diagnostic::new(
                &p.path,
                1,
                1,
                format!("page slug `{}` is reserved for the archive's own pages", p.slug),
            ));
        }
    }
    for d in documents {
        let Some(target) = &d.variant_of else { continue };
        let (line, col) = key_position(root, d, "variant_of");
        match documents.iter().find(|o| &o.slug == target) {
            None => {
                problems.push(Diagnostic::new(&d.path, line, col, format!("variant_of `{target}` names no document")))
            }
            Some(o) if o.slug == d.slug => {
                problems.push(Diagnostic::new(&d.path, line, col, "variant_of names the document itself"))
            }
            Some(o) if o.draft && !drafts && !d.draft => problems.push(Diagnostic::new(
                &d.path,
                line,
                col,
                format!("variant_of `{target}` names a draft, which is not published"),
            )),
            Some(_) => {}
        }
    }
    problems
}

fn slug_of<'a>(documents: &'a [Document], path: &Path) -> &'a str {
    documents.iter().find(|d| d.path == path).map_or("", |d| d.slug.as_str())
}

/// Where `key` stands in a document's file. Documents keep no raw text, so
/// the file is read again: this runs only on an error path.
fn key_position(root: &Path, doc: &Document, key: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root.join(&doc.path)).unwrap_or_default();
    front_matter::split(&text)
        .ok()
        .and_then(|s| front_matter::key_positions(s.yaml, s.yaml_line).get(key).map(|p| (p.line, p.value_col)))
        .unwrap_or((1, 1))
}

/// Adds each topic whose keywords occur in the title or body.
pub fn apply_theme_rules(doc: &mut Document, rules: &std::collections::BTreeMap<String, Vec<String>>) {
    let topics = theme_rules_add(doc, &doc.body, rules);
    doc.themes.extend(topics);
}

/// The topics `rules` add to a document with `body`: each whose keywords
/// occur in the title or body, unless the document has it already.
fn theme_rules_add(doc: &Document, body: &str, rules: &std::collections::BTreeMap<String, Vec<String>>) -> Vec<String> {
    let found = |k: &String| !k.is_empty() && (doc.title.contains(k.as_str()) || body.contains(k.as_str()));
    rules
        .iter()
        .filter(|(topic, keywords)| !doc.themes.contains(topic) && keywords.iter().any(found))
        .map(|(topic, _)| topic.clone())
        .collect()
}

impl Archive {
    /// Document `i`'s Markdown body: from memory, or read again from its
    /// file, which must still be the file that was loaded (else
    /// `Error::Changed`: `build` tries again a few times before it says so).
    pub fn body(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, crate::error::Error> {
        let doc = &self.documents[i];
        if doc.body.len() == doc.body_len {
            return Ok(std::borrow::Cow::Borrowed(&doc.body));
        }
        let changed = || crate::error::Error::Changed { path: doc.path.clone() };
        let bytes = std::fs::read(self.root.join(&doc.path)).map_err(|_| changed())?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != doc.digest {
            return Err(changed());
        }
        // The SIMD validator, as in loading: the standard one is several
        // times slower on Chinese text.
        let text = simdutf8::basic::from_utf8(&bytes).map_err(|_| changed())?;
        let body = front_matter::split(text).map_err(|_| changed())?.body;
        Ok(std::borrow::Cow::Owned(body.to_string()))
    }
}
