//! What a successful build writes: every page kind, the document page's
//! parts, term pages, escaping, slugs, overrides, `init`, and what `-v`
//! says of each stage.

use crate::support::{select, stderr, texts, Site};

#[test]
fn every_page_kind_is_written() {
    let site = Site::fixture("basic");
    let out = site.build(&[]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.starts_with("built 4 documents into "), "{summary}");
    for page in [
        "index.html",
        "speeches/index.html",
        "speeches/page/2/index.html",
        "speeches/li-wei-2020-peixun/index.html",
        "cities/index.html",
        "cities/an-kang-shi/index.html",
        "cities/an-kang-shi/atom.xml",
        "counties/ping-li-xian/index.html",
        "provinces/shan-xi-sheng/index.html",
        "years/index.html",
        "years/2020/index.html",
        "themes/index.html",
        "themes/zhu-cun-bang-fu/index.html",
        "speakers/index.html",
        "kinds/index.html",
        "kinds/qa/index.html",
        "about/index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "static/style.css",
    ] {
        assert!(site.public().join(page).is_file(), "missing {page}");
    }
}

#[test]
fn document_page_has_metadata_toc_anchors_and_neighbours() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let html = site.page("speeches/li-wei-2020-peixun/index.html");
    assert_eq!(texts(&html, "h1"), ["在全市驻村帮扶干部培训班上的讲话"]);
    let ids: Vec<&str> = select(&html, "p[id^=p-]").iter().map(|p| p.value().attr("id").unwrap()).collect();
    assert_eq!(ids, ["p-1", "p-2", "p-3", "p-4", "p-5"]);
    for p in select(&html, "p[id^=p-]") {
        let id = p.value().attr("id").unwrap();
        let anchor = format!("#{id}");
        assert!(select(&html, &format!("a[href='{anchor}']")).len() == 1, "no ¶ link to {id}");
    }
    let toc: Vec<&str> = select(&html, "a[href^='#s-']").iter().map(|a| a.value().attr("href").unwrap()).collect();
    for target in ["#s-1", "#s-2", "#s-3"] {
        assert!(toc.contains(&target), "toc lacks {target}: {toc:?}");
    }
    let links: Vec<&str> = select(&html, "a[href]").iter().map(|a| a.value().attr("href").unwrap()).collect();
    for listed in [
        "cities/an-kang-shi/",
        "counties/ping-li-xian/",
        "years/2020/",
        "themes/zhu-cun-bang-fu/",
        "speakers/li-wei/",
        "kinds/speech/",
    ] {
        assert!(links.contains(&format!("../../{listed}").as_str()), "no link to {listed}");
    }
    // The theme rule adds 疫情影响 because the body mentions 疫情.
    assert!(links.contains(&"../../themes/yi-qing-ying-xiang/"));
    // Neighbours in time: the April 2020 repost sorts before 3 April.
    assert!(links.contains(&"../../speeches/li-wei-2020-repost/"));
    let page = html.html();
    assert!(page.contains("2020年4月3日"), "date shown at day precision");
    assert!(page.contains("安政通报"));
}

#[test]
fn text_from_content_is_escaped() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let doc = site.page("speeches/li-wei-2020-peixun/index.html");
    assert!(select(&doc, "main script").is_empty(), "a <script> from the body became markup");
    assert!(doc.html().contains("&lt;script&gt;"));
    let qa = site.page("speeches/wenda-2019/index.html");
    assert!(select(&qa, "h1 b").is_empty(), "a <b> from the title became markup");
    assert_eq!(texts(&qa, "h1"), ["脱贫攻坚政策问答 <b>100</b> 问"]);
}

#[test]
fn homophone_speakers_get_separate_pages() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let speakers = site.page("speakers/index.html");
    let links: Vec<(String, String)> = select(&speakers, "main a[href*='speakers/li-wei']")
        .iter()
        .map(|a| (a.text().collect(), a.value().attr("href").unwrap().trim_start_matches("../speakers/").to_string()))
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    assert_ne!(links[0].1, links[1].1);
    for (name, slug) in &links {
        let page = site.page(&format!("speakers/{slug}index.html"));
        assert_eq!(&texts(&page, "h1"), std::slice::from_ref(name), "{slug}");
    }
}

#[test]
fn term_pages_paginate_newest_first() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let first = site.page("speeches/index.html");
    let dates: Vec<&str> = select(&first, "main li time").iter().map(|t| t.value().attr("datetime").unwrap()).collect();
    assert_eq!(dates, ["2020-04-03", "2020-04"]);
    let second = site.page("speeches/page/2/index.html");
    let dates: Vec<&str> =
        select(&second, "main li time").iter().map(|t| t.value().attr("datetime").unwrap()).collect();
    assert_eq!(dates, ["2019-11-02", "2019"]);
}

#[test]
fn cities_page_groups_by_province_with_counties_under_cities() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let html = site.page("cities/index.html");
    let text = html.root_element().text().collect::<String>();
    let (shaanxi, liaoning) = (text.find("陕西省").unwrap(), text.find("辽宁省").unwrap());
    let (ankang, pingli, jinzhou) =
        (text.find("安康市").unwrap(), text.find("平利县").unwrap(), text.find("锦州市").unwrap());
    assert!(shaanxi < ankang && ankang < pingli && pingli < liaoning && liaoning < jinzhou, "{text}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::fixture("basic");
    site.write(
        "content/speeches/2020/draft.md",
        "---\ntitle: 草稿\ndate: 2020\nspeaker: 某\ncity: 安康市\ndraft: true\n---\n\n草稿。\n",
    );
    site.build(&[]);
    assert!(!site.public().join("speeches/draft").exists());
    site.build(&["--drafts"]);
    assert!(site.public().join("speeches/draft/index.html").is_file());
}

#[test]
fn site_templates_override_the_theme_file_by_file() {
    let site = Site::fixture("basic");
    site.write("templates/404.html", "<!doctype html><title>x</title><p id=own>自定义</p>");
    site.build(&[]);
    assert_eq!(texts(&site.page("404.html"), "#own"), ["自定义"]);
    assert!(!select(&site.page("index.html"), "h1").is_empty(), "other templates still come from the theme");
}

#[test]
fn init_makes_an_archive_that_builds() {
    let site = Site::fixture("basic");
    let out = site.run(&["init", "new-archive"]);
    assert!(out.status.success());
    let out = site.run(&["build", "--root", "new-archive"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.starts_with("built 1 document into "), "one is singular: {summary}");
    assert!(site.root.join("new-archive/public/speeches/zhang-san-2020-sample/index.html").is_file());
    let check = site.run(&["check", "--root", "new-archive"]);
    assert_eq!(String::from_utf8_lossy(&check.stdout), "checked 1 document: no problems\n");
    let again = site.run(&["init", "new-archive"]);
    assert_eq!(again.status.code(), Some(2), "init never overwrites: a usage error");
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.starts_with("error: new-archive is not empty; init never overwrites files"), "{err}");
}

#[test]
fn the_bundled_archive_builds_without_warnings() {
    let site = Site::bundled();
    site.build(&[]);
    let home = site.page("index.html");
    assert!(!select(&home, "main a[href^='speeches/']").is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::fixture("basic");
    assert_eq!(site.run(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(site.run(&[]).status.code(), Some(2));
    assert!(site.run(&["--version"]).status.success());
}

/// Every document of the bundled archive appears on its city, county,
/// province, year, theme, speaker and kind pages (on one of their pages).
#[test]
fn every_document_is_listed_on_each_of_its_index_pages() {
    use speech_archive::config::Config;
    use speech_archive::index::build_index;
    let site = Site::bundled();
    site.build(&[]);
    let config = Config::load(&speech_archive::config::Options::at(&site.root)).unwrap();
    let archive = speech_archive::load::load_archive(&config).unwrap();
    let index = build_index(&archive);
    let mut checked = 0;
    for facet in &index.facets {
        for term in &facet.terms {
            let url = term.url(facet.key);
            let mut listed = std::collections::BTreeSet::new();
            let mut page = site.public().join(&url).join("index.html");
            for n in 2.. {
                let html = scraper::Html::parse_document(&std::fs::read_to_string(&page).unwrap());
                for a in select(&html, "main a[href]") {
                    let href = a.value().attr("href").unwrap();
                    if let Some(slug) = href.rsplit_once("speeches/").map(|(_, s)| s.trim_end_matches('/')) {
                        listed.insert(slug.to_string());
                    }
                }
                page = site.public().join(&url).join(format!("page/{n}/index.html"));
                if !page.is_file() {
                    break;
                }
            }
            for &d in &term.docs {
                let slug = &archive.documents[d].slug;
                assert!(listed.contains(slug), "{slug} is missing from {url}");
                checked += 1;
            }
        }
    }
    assert!(checked > 5 * archive.documents.len(), "every document is on at least five index pages");
}

#[test]
fn term_pages_show_years_and_co_occurring_themes() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let html = site.page("cities/an-kang-shi/index.html");
    let facts = texts(&html, ".term-facts dd");
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert!(facts[0].starts_with("2020"), "{facts:?}");
    assert!(facts[1].contains("驻村帮扶") && facts[1].contains("疫情影响"), "{facts:?}");
    let theme = site.page("themes/zhu-cun-bang-fu/index.html");
    let related = texts(&theme, ".term-facts dd").pop().unwrap();
    assert!(!related.contains("驻村帮扶"), "a theme is not related to itself: {related}");
}

/// A build keeps bodies in their files and reads one again when it renders
/// or indexes it: the text is the body as loaded, and a file changed in
/// between is an error naming it, never another text used in silence.
#[test]
fn a_body_is_read_again_from_its_file_and_a_changed_file_is_an_error() {
    use speech_archive::config::Config;
    let site = Site::fixture("basic");
    let config = Config::load(&speech_archive::config::Options::at(&site.root)).unwrap();
    let archive = speech_archive::load::load_archive(&config).unwrap();
    let doc = &archive.documents[0];
    assert!(doc.body == speech_archive::model::Body::InFile && doc.body_len > 0, "bodies are not held after loading");
    let text = std::fs::read_to_string(site.root.join(&doc.path)).unwrap();
    let body = archive.body(0).unwrap();
    assert!(text.ends_with(body.as_ref()) && body.len() == doc.body_len);
    site.write(&doc.path.to_string_lossy(), &text.replace('。', "，"));
    match archive.body(0) {
        Err(speech_archive::Error::Changed { path }) => assert_eq!(path, doc.path),
        other => panic!("a changed file must be Error::Changed, not {other:?}"),
    }
}

/// A document's downloads and page, which one worker renders in a row, read
/// its file once: changed on disk after its Markdown download was made, the
/// page is still rendered from the bytes loaded (each read checks the file
/// against the digest taken when loading; a second read would fail).
#[test]
fn a_documents_downloads_and_page_read_its_file_once() {
    use speech_archive::config::Config;
    use speech_archive::identity::Fingerprint;
    use speech_archive::render::{plan_pages, render_site, DocFile, PageKind, Renderer, Theme};
    use std::sync::Mutex;

    /// Changes `path` once the page `after` is written; keeps the pages.
    struct ChangeAfter {
        after: String,
        path: std::path::PathBuf,
        pages: Mutex<Vec<(String, Vec<u8>)>>,
    }
    impl speech_archive::sink::Sink for ChangeAfter {
        fn write_page(&self, rel: &str, _: Fingerprint, bytes: &[u8]) -> speech_archive::Result<()> {
            if rel == self.after {
                let text = std::fs::read_to_string(&self.path).unwrap();
                std::fs::write(&self.path, text.replace('。', "，")).unwrap();
            }
            self.pages.lock().unwrap().push((rel.to_string(), bytes.to_vec()));
            Ok(())
        }
    }

    let site = Site::fixture("basic");
    let config = Config::load(&speech_archive::config::Options::at(&site.root)).unwrap();
    let archive = speech_archive::load::load_archive(&config).unwrap();
    let index = speech_archive::index::build_index(&archive);
    let plan = plan_pages(&archive, &index, config.site.paginate_by);
    let renderer = Renderer::new(Theme::load(&config).unwrap()).unwrap();
    let passages = speech_archive::reuse::Passages::default();
    let doc: Vec<_> = plan
        .iter()
        .filter(|p| matches!(p.kind, PageKind::DocumentFile(0, _) | PageKind::Document(0)))
        .cloned()
        .collect();
    let markdown = doc.iter().find(|p| p.kind == PageKind::DocumentFile(0, DocFile::Markdown)).unwrap();
    let body = archive.body(0).unwrap().into_owned();
    let sink = ChangeAfter {
        after: markdown.output_path(),
        path: site.root.join(&archive.documents[0].path),
        pages: Mutex::new(Vec::new()),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| render_site(&renderer, &config, &archive, &index, &passages, &doc, &sink)).unwrap();
    let pages = sink.pages.into_inner().unwrap();
    assert_eq!(pages.len(), doc.len());
    let text = String::from_utf8(pages.iter().find(|p| p.0.ends_with(".txt")).unwrap().1.clone()).unwrap();
    let first = body.lines().find(|l| l.contains('。')).unwrap();
    assert!(text.contains(first), "the text download is made from the file as loaded: {text}");
    // The file did change: a fresh read is an error.
    assert!(matches!(archive.body(0), Err(speech_archive::Error::Changed { .. })));
}

/// A repost (`variant_of`) links to its original, and the original lists
/// its reposts; both link to their comparison.
#[test]
fn a_variant_and_its_original_link_to_each_other() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let hrefs = |page: &str| -> Vec<String> {
        let html = site.page(page);
        select(&html, ".notice a").iter().filter_map(|a| a.value().attr("href").map(str::to_string)).collect()
    };
    // Each also links to the page comparing the two.
    let compare = "../../speeches/li-wei-2020-repost/compare/";
    assert_eq!(hrefs("speeches/li-wei-2020-repost/index.html"), ["../../speeches/li-wei-2020-peixun/", compare]);
    assert_eq!(hrefs("speeches/li-wei-2020-peixun/index.html"), ["../../speeches/li-wei-2020-repost/", compare]);
    assert!(hrefs("speeches/li-wei-2019-huiyi/index.html").is_empty());
}

/// `-v` prints a line a stage: its time, the peak memory when it ended and
/// how much that peak rose while it ran (what the stage added to the
/// build's), so a stage's own memory can be read: the rises add up to the
/// last peak, less what the process held before the first stage.
#[test]
fn verbose_prints_each_stages_time_peak_memory_and_its_rise() {
    let site = Site::bundled();
    let out = site.run(&["build", "-v", "--clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let mb = |s: &str| s.trim_start_matches("(+").trim_end_matches(')').parse::<f64>().unwrap();
    let mut lines = Vec::new();
    for line in err.lines().filter(|l| l.contains(" ms")) {
        let w: Vec<&str> = line.split_whitespace().collect();
        assert!(matches!(w.as_slice(), [_, _, "ms", "peak", "memory", _, "MB", _, "MB)"]), "{line}");
        lines.push((w[0], mb(w[5]), mb(w[7])));
    }
    let names: Vec<&str> = lines.iter().map(|l| l.0).collect();
    assert_eq!(names, ["load", "index", "search", "reuse", "render", "write"], "{err}");
    let peaks: Vec<f64> = lines.iter().map(|l| l.1).collect();
    let last = peaks[peaks.len() - 1];
    assert!(peaks.iter().all(|&p| p <= last), "the last stage ends at the build's peak: {err}");
    let rises: f64 = lines.iter().map(|l| l.2).sum();
    assert!(rises > 0.0 && rises <= last + 0.1 * lines.len() as f64, "rises {rises} MB, last peak {last} MB: {err}");
}
