//! A crawler over the built files, as a static host would serve them at a
//! given base path: every internal link, asset and `#anchor` must resolve.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use scraper::Html;

use crate::support::{select, Site};

/// Resolves `href` against the URL path of the page it is on.
fn resolve(page: &str, href: &str) -> String {
    // The query (the search page's `?q=`) names no other file.
    let (path, _) = href.split_once(['#', '?']).unwrap_or((href, ""));
    let joined =
        if path.starts_with('/') { path.to_string() } else { format!("{}{path}", &page[..=page.rfind('/').unwrap()]) };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/').skip(1) {
        match seg {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The file a static host serves for `url` when the site sits at `base`.
fn file_for(public: &Path, base: &str, url: &str) -> Option<std::path::PathBuf> {
    let rel = url.strip_prefix(base)?;
    let file =
        if rel.is_empty() || rel.ends_with('/') { public.join(rel).join("index.html") } else { public.join(rel) };
    file.is_file().then_some(file)
}

fn ids(html: &Html) -> BTreeSet<String> {
    select(html, "[id]").iter().map(|e| e.value().attr("id").unwrap().to_string()).collect()
}

/// Crawls from `start` (a URL path); returns every broken link found, and
/// the number of pages visited.
fn crawl(public: &Path, base: &str, start: &str) -> (Vec<String>, usize) {
    let mut broken = Vec::new();
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut queue = VecDeque::from([start.to_string()]);
    let mut visited = 0;
    let page_for = |url: &str| {
        file_for(public, base, url).or_else(|| Some(public.join("404.html")).filter(|_| url.ends_with("404.html")))
    };
    while let Some(url) = queue.pop_front() {
        let Some(file) = page_for(&url) else { continue };
        if file.extension().is_some_and(|e| e != "html") {
            continue;
        }
        visited += 1;
        let html = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
        let own_ids = ids(&html);
        for (css, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("script[src]", "src"),
            ("img[src]", "src"),
            ("form[action]", "action"),
        ] {
            for e in select(&html, css) {
                let href = e.value().attr(attr).unwrap();
                if href.contains("://") || href.starts_with("mailto:") {
                    continue;
                }
                if let Some(fragment) = href.strip_prefix('#') {
                    if !own_ids.contains(fragment) {
                        broken.push(format!("{url}: anchor {href} missing"));
                    }
                    continue;
                }
                let target = resolve(&url, href);
                let Some(target_file) = file_for(public, base, &target) else {
                    broken.push(format!("{url}: {href} → {target} not found"));
                    continue;
                };
                if let Some((_, fragment)) = href.split_once('#') {
                    let target_html = Html::parse_document(&std::fs::read_to_string(&target_file).unwrap());
                    if !ids(&target_html).contains(fragment) {
                        broken.push(format!("{url}: {href} anchor missing"));
                    }
                }
                if seen.insert(target.clone()) {
                    queue.push_back(target);
                }
            }
        }
    }
    (broken, visited)
}

fn all_pages(public: &Path) -> usize {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "html"))
        .count()
}

#[test]
fn crawl_at_the_root_finds_no_broken_link() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let (broken, visited) = crawl(&site.public(), "/", "/");
    assert!(broken.is_empty(), "{broken:#?}");
    assert_eq!(visited, all_pages(&site.public()) - 1, "every page but 404 is reachable from the home page");
}

#[test]
fn crawl_under_a_sub_path_finds_no_broken_link() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://example.org/archive/"]);
    let (broken, visited) = crawl(&site.public(), "/archive/", "/archive/");
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(visited > 20);
    // The 404 page is served at any depth: its links must work from anywhere.
    let (broken, _) = crawl(&site.public(), "/archive/", "/archive/no/such/page/404.html");
    assert!(broken.is_empty(), "{broken:#?}");
    // The same output also works at the root of a host.
    let (broken, _) = crawl(&site.public(), "/", "/");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_bundled_archive_has_no_broken_link() {
    let site = Site::bundled();
    site.build(&["--base-url", "https://example.org/archive/"]);
    let (broken, visited) = crawl(&site.public(), "/archive/", "/archive/");
    assert!(broken.is_empty(), "{broken:#?}");
    assert_eq!(visited, all_pages(&site.public()) - 1);
}

#[test]
fn feeds_and_sitemap_use_absolute_urls_under_the_base() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://example.org/archive/"]);
    for file in ["sitemap.xml", "atom.xml", "cities/an-kang-shi/atom.xml"] {
        let xml = std::fs::read_to_string(site.public().join(file)).unwrap();
        let doc = Html::parse_document(&xml);
        let urls: Vec<String> = select(&doc, "loc, link[href], id")
            .iter()
            .map(|e| e.value().attr("href").map(str::to_string).unwrap_or_else(|| e.text().collect()))
            .collect();
        assert!(!urls.is_empty(), "{file}");
        for u in urls.iter().filter(|u| u.starts_with("http")) {
            assert!(u.starts_with("https://example.org/archive/"), "{file}: {u}");
        }
    }
    let robots = std::fs::read_to_string(site.public().join("robots.txt")).unwrap();
    assert!(robots.contains("https://example.org/archive/sitemap.xml"), "{robots}");
}

#[test]
fn resolve_handles_dot_segments() {
    assert_eq!(resolve("/archive/speeches/a/", "../../cities/x/"), "/archive/cities/x/");
    assert_eq!(resolve("/", "static/style.css"), "/static/style.css");
    assert_eq!(resolve("/a/b.html", "/archive/"), "/archive/");
    assert_eq!(resolve("/archive/passages/", "../search/?q=x#y"), "/archive/search/");
}
