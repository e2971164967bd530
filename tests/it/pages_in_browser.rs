//! Every page kind in headless Chromium, in Chinese and English: axe-core
//! finds no serious or critical accessibility violation, and no page asks
//! anything of another host.

use std::time::Duration;

use crate::browser::{axe_source, Browser, StaticServer};
use crate::support::Site;

/// One page of each kind of the bundled archive, and the search page with a query.
const PAGES: [&str; 20] = [
    "",
    "speeches/",
    "speeches/he-bangjun-2020-zhucun-ganbu-peixun/",
    "cities/",
    "cities/an-kang-shi/",
    "years/",
    "years/2017/",
    "themes/",
    "speakers/he-bang-jun/",
    "kinds/qa/",
    "about/",
    "data/",
    "speeches/lv-lv-2016-tuopin-gongjian-gongzuo-huiyi/changes/",
    "search/?q=%E6%89%B6%E8%B4%AB",
    "404.html",
    "passages/",
    // A document with shared passages (their panels).
    "speeches/zhong-yimin-2017-tuopin-gongjian-gongzuohui/",
    // The concordance of 扶贫, sorted by right context.
    "search/?q=%E6%89%B6%E8%B4%AB&view=kwic&ksort=right",
    "speeches/he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost/compare/",
    // The phrases through time, compared, as a share.
    "search/?q=%E7%B2%BE%E5%87%86%E6%89%B6%E8%B4%AB%2C%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&trend=share",
];

/// The search page has its results, or its concordance.
const SEARCHED: &str = "document.querySelectorAll('#search-results li').length > 0 || document.getElementById('search-kwic').dataset.state === 'done'";

fn built(language: &str) -> Site {
    let site = Site::bundled_with("language", language);
    site.build(&[]);
    site
}

#[test]
#[ignore = "needs chromium and axe-core; run by scripts/test"]
fn axe_finds_no_serious_violation_on_any_page_kind() {
    let axe = axe_source();
    let browser = Browser::launch();
    for language in ["zh-CN", "en"] {
        let site = built(language);
        let server = StaticServer::start(&site.public(), "/");
        let tab = browser.new_tab();
        let mut problems = Vec::new();
        for page in PAGES {
            tab.goto(&format!("{}{page}", server.url()));
            if page.starts_with("search/") {
                tab.wait_for(SEARCHED, Duration::from_secs(10));
            }
            tab.eval(&axe);
            let found = tab.eval(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))",
            );
            for v in found.as_array().unwrap() {
                problems.push(format!("[{language}] /{page}: {}", v.as_str().unwrap()));
            }
        }
        assert!(problems.is_empty(), "axe-core violations:\n{}", problems.join("\n"));
    }
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn no_page_requests_anything_from_another_host() {
    let site = built("zh-CN");
    let server = StaticServer::start(&site.public(), "/");
    let browser = Browser::launch();
    let tab = browser.new_tab();
    let origin = server.url().trim_end_matches('/').to_string();
    for page in PAGES {
        tab.goto(&format!("{}{page}", server.url()));
        if page.starts_with("search/") {
            tab.wait_for(SEARCHED, Duration::from_secs(10));
        }
        let requested = tab.eval("performance.getEntriesByType('resource').map(e => e.name)");
        let requested: Vec<&str> = requested.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let foreign: Vec<&&str> = requested.iter().filter(|u| !u.starts_with(&origin)).collect();
        assert!(foreign.is_empty(), "/{page} requested {foreign:?}");
        if page == "search/?q=%E6%89%B6%E8%B4%AB" {
            assert!(requested.iter().any(|u| u.contains("/search/")), "the search page loads its index: {requested:?}");
        }
    }
    // Resources named in the files themselves, fetched or not.
    for entry in walkdir::WalkDir::new(site.public()) {
        let path = entry.unwrap().into_path();
        let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_string()) else { continue };
        if !["html", "css", "js"].contains(&ext.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in ["src=\"http", "src=\"//", "url(http", "url(//", "@import", "rel=\"stylesheet\" href=\"http"] {
            assert!(!text.contains(needle), "{} names a resource elsewhere: {needle}", path.display());
        }
    }
}
