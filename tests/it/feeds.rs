//! Feeds, home page and sitemap: entries dated by when a document was
//! added (never a day the content does not give), the search page kept out
//! of the sitemap, a note about robots.txt under a sub-path, the same counts
//! in the footer as on the home page, and neighbours that are not copies.

use crate::support::{select, texts, Site};

fn feed(site: &Site, rel: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(site.public().join(rel)).unwrap();
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `added` line of a document's front matter, if it has one.
fn added(site: &Site, slug: &str) -> Option<String> {
    let file = walkdir::WalkDir::new(site.root.join("content/speeches"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| p.file_stem().is_some_and(|s| s == slug))?;
    let text = std::fs::read_to_string(file).unwrap();
    text.lines().find_map(|l| l.strip_prefix("added: ").map(str::to_string))
}

#[test]
fn feed_entries_are_dated_by_the_day_a_document_was_added_and_no_other() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let atom = feed(&site, "atom.xml");
    let entries: Vec<(String, String)> = atom
        .entries
        .iter()
        .map(|e| {
            let slug = e.links[0].href.trim_end_matches('/').rsplit('/').next().unwrap().to_string();
            (slug, e.updated.unwrap().format("%Y-%m-%d").to_string())
        })
        .collect();
    // Newest added first; the document without an added date is left out
    // (2019 alone would have to be completed to a day).
    assert_eq!(
        entries,
        [
            ("wenda-2019".to_string(), "2024-06-01".to_string()),
            ("li-wei-2020-peixun".into(), "2024-05-02".into()),
            ("li-wei-2020-repost".into(), "2024-05-01".into()),
        ]
    );
    for (slug, day) in &entries {
        assert_eq!(added(&site, slug).as_deref(), Some(day.as_str()), "{slug}");
    }
    assert_eq!(atom.updated.unwrap().format("%Y-%m-%d").to_string(), "2024-06-01");
    // A partial delivery date is given as written, in the entry's summary.
    let repost = atom.entries.iter().find(|e| e.links[0].href.contains("li-wei-2020-repost")).unwrap();
    assert!(repost.summary.as_ref().unwrap().content.starts_with("2020年4月 · "), "{:?}", repost.summary);
    // The home page's 最新收录 follows the same order.
    let home = site.page("index.html");
    let latest: Vec<String> = select(&home, ".home-latest li h3 a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().trim_end_matches('/').rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(latest, ["wenda-2019", "li-wei-2020-peixun", "li-wei-2020-repost", "li-wei-2019-huiyi"]);
}

#[test]
fn no_feed_of_the_bundled_archive_holds_a_date_its_content_lacks() {
    let site = Site::bundled();
    site.build(&[]);
    let feeds: Vec<_> = walkdir::WalkDir::new(site.public())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.file_name().is_some_and(|n| n == "atom.xml"))
        .collect();
    assert!(feeds.len() > 50, "{}", feeds.len());
    for path in feeds {
        let rel = path.strip_prefix(site.public()).unwrap().to_string_lossy().to_string();
        let atom = feed(&site, &rel);
        assert!(!atom.entries.is_empty(), "{rel}");
        for e in &atom.entries {
            let slug = e.links[0].href.trim_end_matches('/').rsplit('/').next().unwrap();
            let day = e.updated.unwrap().format("%Y-%m-%d").to_string();
            assert_eq!(added(&site, slug), Some(day), "{rel}: {slug}");
        }
    }
}

#[test]
fn the_sitemap_lists_no_page_that_asks_not_to_be_indexed() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let xml = std::fs::read_to_string(site.public().join("sitemap.xml")).unwrap();
    let doc = scraper::Html::parse_document(&xml);
    let urls = texts(&doc, "loc");
    assert!(urls.iter().any(|u| u.ends_with("/speeches/")), "{urls:?}");
    for url in &urls {
        let rel = url.strip_prefix("https://example.org/").unwrap();
        let page = site.page(&format!("{rel}index.html"));
        let robots: Vec<&str> =
            select(&page, "meta[name=robots]").iter().map(|m| m.value().attr("content").unwrap()).collect();
        assert!(!robots.iter().any(|r| r.contains("noindex")), "{url} is noindex but in the sitemap");
    }
    assert!(!urls.iter().any(|u| u.ends_with("/search/")));
}

#[test]
fn a_site_under_a_sub_path_is_told_where_robots_txt_must_go() {
    let site = Site::fixture("basic");
    let out = site.build(&["--base-url", "https://example.org/archive/"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("crawlers read robots.txt only at https://example.org/robots.txt"), "{stdout}");
    let robots = std::fs::read_to_string(site.public().join("robots.txt")).unwrap();
    assert!(robots.starts_with("# This site lives under /archive/"), "{robots}");
    assert!(robots.contains("Allow: /archive/"), "{robots}");
    // At the root of a host there is nothing to say.
    let out = site.build(&["--base-url", "https://example.org/"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("robots"));
    let robots = std::fs::read_to_string(site.public().join("robots.txt")).unwrap();
    assert!(robots.starts_with("User-agent: *"), "{robots}");
}

#[test]
fn every_page_has_a_favicon_and_the_footer_counts_what_the_home_page_counts() {
    let site = Site::bundled();
    site.build(&[]);
    let home = site.page("index.html");
    let icon = select(&home, "link[rel=icon]");
    assert_eq!(icon.len(), 1);
    assert!(site.public().join(icon[0].value().attr("href").unwrap()).is_file());
    // Home: "<strong>13</strong> 城市"; footer: "13 城市", the same words.
    let figures: Vec<String> = select(&home, ".stats li a")
        .iter()
        .map(|a| a.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for key in ["city", "speaker", "theme"] {
        let footer = texts(&home, &format!(".site-footer .stat-{key}"));
        assert_eq!(footer.len(), 1, "{key}");
        assert!(figures.contains(&footer[0]), "footer `{}` is not among the home figures {figures:?}", footer[0]);
    }
}

#[test]
fn an_original_and_its_reprint_are_not_each_others_neighbours() {
    let site = Site::bundled();
    site.build(&[]);
    let neighbours = |slug: &str| -> Vec<String> {
        let page = site.page(&format!("speeches/{slug}/index.html"));
        select(&page, ".prev-next a").iter().map(|a| a.value().attr("href").unwrap().to_string()).collect()
    };
    let original = "he-bangjun-2020-zhucun-ganbu-peixun";
    let repost = "he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost";
    let of_original = neighbours(original);
    // Both are the newest texts (3 April 2020): the one before in time is
    // another speech, and there is none after.
    assert_eq!(of_original, ["../../speeches/wang-dejia-2020-tuopin-gongjian-huiyi-zhuchi/"]);
    assert_eq!(neighbours(repost), ["../../speeches/wang-dejia-2020-tuopin-gongjian-huiyi-zhuchi/"]);
}

#[test]
fn a_build_of_one_document_says_document() {
    let site = Site::fixture("basic");
    for file in ["2019/li-wei-2019-huiyi.md", "2019/wenda-2019.md", "2020/li-wei-2020-repost.md"] {
        std::fs::remove_file(site.root.join("content/speeches").join(file)).unwrap();
    }
    let out = site.build(&[]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("built 1 document into "));
}
