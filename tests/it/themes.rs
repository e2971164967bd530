//! Themes and languages: the second, minimal theme (`themes/plain/`) builds
//! the bundled archive from the template contract alone; the default theme
//! in English has an English UI; the years chart and the copy script of the
//! default theme are what its README promises.

use crate::support::{select, texts, Site};

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

const DOC: &str = "speeches/he-bangjun-2020-zhucun-ganbu-peixun/index.html";

#[test]
fn plain_theme_builds_the_bundled_archive() {
    let site = Site::bundled_with("theme", "plain");
    site.build(&[]);

    let home = site.page("index.html");
    assert_eq!(texts(&home, "h1"), ["脱贫攻坚讲话档案"]);
    let nav = texts(&home, "nav a");
    assert_eq!(nav, ["全部文稿", "城市", "年份", "主题", "讲话人", "类型"]);
    assert!(select(&home, r#"link[rel="stylesheet"][href="static/style.css"]"#).len() == 1);
    assert!(site.public().join("static/style.css").is_file());

    let doc = site.page(DOC);
    assert_eq!(texts(&doc, "h1"), ["在全市驻村帮扶干部培训班上的讲话"]);
    assert!(select(&doc, r#".doc-body p[id^="p-"]"#).len() > 10, "paragraphs keep their anchors");
    assert!(texts(&doc, "a").iter().any(|a| a == "https://example.org/speeches/he-bangjun-2020-zhucun-ganbu-peixun/"));
    assert!(texts(&doc, "time").iter().any(|t| t == "2020年4月3日"));
    // Nothing of the default theme leaks in: no scripts, no shared classes.
    for page in [&home, &doc] {
        assert!(select(page, "script").is_empty());
        assert!(select(page, ".site-header, .doc-meta").is_empty());
    }

    let cities = site.page("cities/index.html");
    assert!(texts(&cities, "h2").iter().any(|h| h.starts_with("陕西省")));
    let years = site.page("years/index.html");
    assert!(texts(&years, "li a").iter().any(|y| y == "2017"));
    let term = site.page("cities/an-kang-shi/index.html");
    assert_eq!(texts(&term, "h1"), ["安康市"]);
    assert!(texts(&term, ".term-info")[0].contains("2017–2020"));
    assert!(site.public().join("search/index.html").is_file());
    assert!(site.public().join("404.html").is_file());
    let feed = std::fs::read_to_string(site.public().join("atom.xml")).unwrap();
    assert!(feed.starts_with("<?xml") && feed.contains("<entry>"));
}

#[test]
fn plain_theme_in_english() {
    let site = Site::bundled_with("theme", "plain");
    let toml = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
    site.write("site.toml", &toml.replace("language = \"zh-CN\"", "language = \"en\""));
    site.build(&[]);
    let home = site.page("index.html");
    assert_eq!(texts(&home, "nav a"), ["All documents", "Cities", "Years", "Themes", "Speakers", "Kinds"]);
    let doc = site.page(DOC);
    assert_eq!(texts(&doc, "dt")[..2], ["Speaker", "Date"]);
}

#[test]
#[ignore = "needs java and vnu-jar; run by scripts/test"]
fn plain_theme_output_passes_the_nu_checker() {
    let site = Site::bundled_with("theme", "plain");
    site.build(&[]);
    crate::validate::assert_valid_html(&site.public(), "plain theme");
}

#[test]
fn english_site_has_an_english_ui() {
    let site = Site::bundled_with("language", "en");
    site.build(&[]);

    let home = site.page("index.html");
    assert_eq!(select(&home, "html")[0].value().attr("lang"), Some("en"));
    assert_eq!(texts(&home, ".site-nav a"), ["All documents", "Cities", "Years", "Themes", "Speakers", "Kinds"]);
    assert_eq!(texts(&home, ".skip-link"), ["Skip to content"]);
    assert_eq!(texts(&home, "#latest-heading"), ["Latest additions"]);
    // Archive text keeps its language: titles are marked as Chinese.
    let title = select(&home, ".doc-item-title a")[0];
    assert_eq!(title.value().attr("lang"), Some("zh-CN"));

    let doc = site.page(DOC);
    assert!(texts(&doc, ".doc-kicker time").iter().any(|t| t == "3 April 2020"), "{:?}", texts(&doc, "time"));
    let labels = texts(&doc, ".doc-meta dt");
    assert_eq!(labels[..3], ["Speaker", "Date", "Place"]);
    for label in labels.iter().chain(&texts(&doc, ".crumbs a")[..2]).chain(&texts(&doc, ".doc-foot h2, .doc-foot h3")) {
        assert!(!has_han(label), "UI label in Chinese on an English site: {label}");
    }
    assert_eq!(texts(&doc, ".cite summary"), ["Cite this document"]);
    let article = select(&doc, "article.doc")[0].value();
    assert_eq!(article.attr("data-t-copy"), Some("Copy"));

    let years = site.page("years/index.html");
    assert_eq!(texts(&years, "svg title"), ["Documents per year"]);
    assert_eq!(texts(&years, ".year-table thead th"), ["Year", "Documents"]);
}

#[test]
fn years_page_draws_a_static_svg_chart_with_a_table() {
    let site = Site::bundled();
    site.build(&[]);
    let years = site.page("years/index.html");
    let svg = select(&years, "svg.year-svg");
    assert_eq!(svg.len(), 1);
    assert_eq!(svg[0].value().attr("role"), Some("img"));
    assert!(select(&years, "script").is_empty(), "no JavaScript on the years page");
    // One column per year with documents; every year of the span is labelled.
    let rows = texts(&years, ".year-table tbody th");
    let columns = select(&years, "svg rect.col");
    assert_eq!(columns.len(), rows.len());
    let first: i32 = rows.last().unwrap().parse().unwrap();
    let last: i32 = rows.first().unwrap().parse().unwrap();
    assert_eq!(select(&years, "svg text.yr").len() as i32, last - first + 1);
    // The tallest column is the year with most documents; the numbers are text.
    let counts: Vec<usize> = texts(&years, ".year-table tbody td").iter().map(|c| c.parse().unwrap()).collect();
    let max = *counts.iter().max().unwrap();
    let heights: Vec<f64> = columns.iter().map(|r| r.value().attr("height").unwrap().parse().unwrap()).collect();
    assert_eq!(heights.iter().cloned().fold(0.0, f64::max), 160.0);
    assert!(texts(&years, "svg text.num").contains(&max.to_string()));
    assert!(texts(&years, "svg desc")[0].contains("2017 年 11 篇"));
}

#[test]
fn copy_script_is_deferred_and_only_on_document_pages() {
    let site = Site::bundled();
    site.build(&[]);
    let doc = site.page(DOC);
    let script = select(&doc, r#"script[src$="static/copy.js"]"#);
    assert_eq!(script.len(), 1);
    assert!(script[0].value().attr("defer").is_some());
    // No dead buttons without JavaScript: the script inserts them.
    assert!(select(&doc, "button.copy-btn").is_empty());
    assert!(site.public().join("static/copy.js").is_file());
    assert!(select(&site.page("index.html"), "script").is_empty());
    let css = std::fs::metadata(site.public().join("static/style.css")).unwrap().len();
    assert!(css < 30 * 1024, "style.css is {css} bytes; the budget is 30 KB");
}
