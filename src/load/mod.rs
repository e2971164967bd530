//! Load stage: `content/` → `Archive`. Reads every file in parallel (no
//! file under `content/` is passed over in silence: see `content_files`),
//! checks each against the content model and then across documents (unique
//! slugs, `variant_of` targets and cycles), and applies the site's theme
//! rules. Every problem of every file is collected, each at the line that
//! causes it, including those the build would otherwise meet only when
//! writing (names too long for a file name), so `archive check` says all
//! that `archive build` would fail on; nothing is rendered here.

mod cache;
mod document;
mod fields;
mod front_matter;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

pub use cache::LoadCache;
pub use document::{parse_document, parse_page};

use crate::config::{raw_dir, Config, CONTENT_DIR, PAGES_DIR, RAW_DIR, SPEECHES_DIR};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Archive, Body, Document, Page, Pending};

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
    let mut pending: Vec<Pending> = documents
        .iter()
        .filter(|d| d.draft && !d.needs.is_empty())
        .map(|d| Pending { path: d.path.clone(), title: d.title.clone(), needs: d.needs.clone() })
        .collect();
    pending.sort_by(|a, b| a.path.cmp(&b.path));
    documents.retain(|d| config.drafts || !d.draft);
    let raw_files = raw_files(&config.root);
    Ok(Archive { pending, raw_files, ..Archive::new(documents, pages).in_files(&config.root) })
}

/// The files under `content/raw/`, sorted by name (hidden ones left out).
fn raw_files(root: &Path) -> Vec<crate::model::RawFile> {
    let dir = raw_dir(root);
    let mut files: Vec<crate::model::RawFile> = WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.path().strip_prefix(&dir).ok()?.to_string_lossy().replace('\\', "/");
            let (size, mtime_ns) = crate::identity::stamp(e.path())?;
            Some(crate::model::RawFile { name, size, mtime_ns })
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// Every content file under `content/`, as paths relative to the root,
/// sorted. No file is passed over in silence: each is a Markdown file (`.md`
/// in any case), or a diagnostic says why it is not read. Skipped, as
/// documented: `content/raw/` (raw sources) and names that start with `.`
/// (editors' swap and lock files). Symbolic links are followed while their
/// target lies inside the archive's root; one that leads outside, nowhere or
/// round in a loop is an error.
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
    let inside = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut files = Vec::new();
    let problems = std::cell::RefCell::new(Vec::new());
    let raw = raw_dir(root);
    let walker = WalkDir::new(&content).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() > 0 && (e.file_name().to_string_lossy().starts_with('.') || e.path() == raw) {
            return false;
        }
        if !e.path_is_symlink() {
            return true;
        }
        match e.path().canonicalize() {
            Ok(target) if target.starts_with(&inside) => true,
            Ok(target) => {
                let m = format!(
                    "symbolic link to {}, outside the archive; copy the file into the archive instead",
                    target.display()
                );
                problems.borrow_mut().push(Diagnostic::new(&rel(e.path()), 1, 1, m));
                false
            }
            // Reported by the walk as the error it is.
            Err(_) => true,
        }
    });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) if !e.file_type().is_file() => problems.borrow_mut().push(Diagnostic::new(
                &rel(e.path()),
                1,
                1,
                "not a regular file (a device, socket or pipe); content files are Markdown files",
            )),
            Ok(e) if e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("md")) => files.push(rel(e.path())),
            Ok(e) => problems.borrow_mut().push(Diagnostic::new(
                &rel(e.path()),
                1,
                1,
                format!(
                    "not a content file: documents and pages are Markdown files ending in `.md`; raw sources belong in {CONTENT_DIR}/{RAW_DIR}/"
                ),
            )),
            Err(e) => {
                let path = e.path().map(rel).unwrap_or_default();
                problems.borrow_mut().push(Diagnostic::new(&path, 1, 1, walk_error(&e, root)));
            }
        }
    }
    let problems = problems.into_inner();
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

/// What went wrong reaching a file or folder, without the absolute paths
/// of walkdir's own messages.
fn walk_error(e: &walkdir::Error, root: &Path) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        let ancestor = ancestor.strip_prefix(root).unwrap_or(ancestor);
        return format!("symbolic link loop: it leads back to {}", ancestor.display());
    }
    let link = e.path().and_then(|p| std::fs::read_link(p).ok());
    match (e.io_error(), link) {
        (Some(io), Some(target)) if io.kind() == std::io::ErrorKind::NotFound => {
            format!("symbolic link to {}, which does not exist", target.display())
        }
        (Some(io), Some(_)) => format!("symbolic link that cannot be followed: {io}"),
        (Some(io), _) => format!("cannot read: {io}"),
        (None, _) => format!("cannot read: {e}"),
    }
}

/// What a cached document depends on besides its file: this program and
/// the fields the site allows.
fn cache_settings(config: &Config) -> u64 {
    let key = format!("{:?} {:?}", crate::identity::program(), config.site.extra_fields);
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
                    let topics = theme_rules_add(&doc, doc.body.text().unwrap_or_default(), &site.theme_rules);
                    doc.body = Body::InFile;
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

/// Checks that need all documents: unique slugs, `variant_of` targets
/// and cycles. Each problem stands at the line that causes it.
fn check_across(root: &Path, documents: &[Document], pages: &[Page], drafts: bool) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut by_slug: BTreeMap<&str, Vec<&Path>> = Default::default();
    for d in documents {
        by_slug.entry(&d.slug).or_default().push(&d.path);
    }
    for (slug, paths) in by_slug.iter().filter(|(_, p)| p.len() > 1) {
        for (i, path) in paths.iter().enumerate() {
            let other = paths[if i == 0 { 1 } else { 0 }];
            let (line, col) = value_position(root, path, "slug").unwrap_or((1, 1));
            let m = format!("slug `{slug}` is also used by {}", other.display());
            problems.push(Diagnostic::new(path, line, col, m));
        }
    }
    let mut page_slugs: BTreeMap<&str, &Path> = Default::default();
    for p in pages {
        let (line, col) = value_position(root, &p.path, "slug").unwrap_or((1, 1));
        if let Some(other) = page_slugs.insert(&p.slug, &p.path) {
            let m = format!("page slug `{}` is also used by {}", p.slug, other.display());
            problems.push(Diagnostic::new(&p.path, line, col, m));
        }
        if crate::slug::RESERVED_PATHS.contains(&p.slug.as_str()) {
            let m = format!("page slug `{}` is reserved for the archive's own pages", p.slug);
            problems.push(Diagnostic::new(&p.path, line, col, m));
        }
    }
    let by_slug: BTreeMap<&str, &Document> = documents.iter().map(|d| (d.slug.as_str(), d)).collect();
    for d in documents {
        let Some(target) = &d.variant_of else { continue };
        let at = || value_position(root, &d.path, "variant_of").unwrap_or((1, 1));
        let problem = match by_slug.get(target.as_str()) {
            None => format!("variant_of `{target}` names no document"),
            Some(o) if o.slug == d.slug => "variant_of names the document itself".to_string(),
            Some(o) if o.draft && !drafts && !d.draft => {
                format!("variant_of `{target}` names a draft, which is not published")
            }
            Some(_) => match variant_cycle(&by_slug, d) {
                Some(cycle) => format!("variant_of makes a cycle: {}", cycle.join(" → ")),
                None => continue,
            },
        };
        let (line, col) = at();
        problems.push(Diagnostic::new(&d.path, line, col, problem));
    }
    problems
}

/// The slugs of the `variant_of` chain from `doc` back to itself, when it
/// comes back (`a → b → a`).
fn variant_cycle(by_slug: &BTreeMap<&str, &Document>, doc: &Document) -> Option<Vec<String>> {
    let mut chain = vec![doc.slug.clone()];
    let mut at = doc;
    while let Some(next) = at.variant_of.as_deref().and_then(|t| by_slug.get(t)) {
        chain.push(next.slug.clone());
        if next.slug == doc.slug {
            return Some(chain);
        }
        // A chain that loops without `doc` in it is another document's cycle.
        if chain.len() > by_slug.len() {
            return None;
        }
        at = next;
    }
    None
}

/// Checks each raw file the archive has against the `source.raw_sha256` of
/// every document that names it (`archive check`; a build does not read
/// raw files for this). A mismatch is reported at the `raw_sha256` line.
pub fn check_raw_files(archive: &Archive) -> Vec<Diagnostic> {
    use sha2::{Digest, Sha256};
    let mut digests: std::collections::HashMap<&str, Option<String>> = Default::default();
    let mut problems = Vec::new();
    for (i, doc) in archive.documents.iter().enumerate() {
        let Some(src) = &doc.source else { continue };
        let (Some(expected), Some(raw)) = (&src.raw_sha256, archive.raw_file(i)) else { continue };
        let actual = digests.entry(raw.name.as_str()).or_insert_with(|| {
            let path = raw_dir(&archive.root).join(&raw.name);
            std::fs::read(path).ok().map(|bytes| format!("{:x}", Sha256::digest(bytes)))
        });
        if actual.as_deref() != Some(expected.to_ascii_lowercase().as_str()) {
            let (line, col) = value_position(&archive.root, &doc.path, "source.raw_sha256").unwrap_or((1, 1));
            let found = actual.as_deref().map_or("cannot be read".to_string(), |a| format!("has SHA-256 {a}"));
            let m = format!("`source.raw_sha256` does not match {CONTENT_DIR}/{RAW_DIR}/{}, which {found}", raw.name);
            problems.push(Diagnostic::new(&doc.path, line, col, m));
        }
    }
    problems
}

/// Where the value of `key` stands in a content file. Documents keep no
/// raw text, so the file is read again: this runs only on an error path.
fn value_position(root: &Path, path: &Path, key: &str) -> Option<(usize, usize)> {
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    front_matter::value_position(&text, key)
}

/// Adds each topic whose keywords occur in the title or body.
pub fn apply_theme_rules(doc: &mut Document, rules: &std::collections::BTreeMap<String, Vec<String>>) {
    let topics = theme_rules_add(doc, doc.body.text().unwrap_or_default(), rules);
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
    /// Document `i`'s whole file, which must still be the file that was
    /// loaded.
    pub fn file(&self, i: usize) -> Result<Vec<u8>, crate::error::Error> {
        let doc = &self.documents[i];
        let changed = || crate::error::Error::Changed { path: doc.path.clone() };
        let bytes = std::fs::read(self.root.join(&doc.path)).map_err(|_| changed())?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != doc.digest {
            return Err(changed());
        }
        Ok(bytes)
    }

    /// Document `i`'s Markdown body: from memory, or read again from its
    /// file, which must still be the file that was loaded (else
    /// `Error::Changed`: `build` tries again a few times before it says so).
    pub fn body(&self, i: usize) -> Result<std::borrow::Cow<'_, str>, crate::error::Error> {
        let doc = &self.documents[i];
        if let Body::Text(body) = &doc.body {
            return Ok(std::borrow::Cow::Borrowed(body));
        }
        let bytes = self.file(i)?;
        Ok(std::borrow::Cow::Owned(self.body_in(i, &bytes)?.to_string()))
    }

    /// Calls `f` with document `i`'s Markdown body, borrowed from memory or
    /// from its file as `read` gives it ([`Archive::file`], or a cache of
    /// it), not copied.
    pub fn with_body<T, F>(
        &self,
        i: usize,
        read: impl FnOnce() -> Result<F, crate::error::Error>,
        f: impl FnOnce(&str) -> T,
    ) -> Result<T, crate::error::Error>
    where
        F: std::ops::Deref,
        F::Target: AsRef<[u8]>,
    {
        if let Body::Text(body) = &self.documents[i].body {
            return Ok(f(body));
        }
        let file = read()?;
        Ok(f(self.body_in(i, (*file).as_ref())?))
    }

    /// Document `i`'s Markdown body in `file`, its whole file as
    /// [`Archive::file`] returned it (for a caller that reads the file once
    /// for several uses).
    pub fn body_in<'f>(&self, i: usize, file: &'f [u8]) -> Result<&'f str, crate::error::Error> {
        let changed = || crate::error::Error::Changed { path: self.documents[i].path.clone() };
        // The SIMD validator, as in loading: the standard one is several
        // times slower on Chinese text.
        let text = simdutf8::basic::from_utf8(file).map_err(|_| changed())?;
        Ok(front_matter::split(text).map_err(|_| changed())?.body)
    }
}
