//! The search page as a reader meets it: one search box (and on the 404
//! page too), quotation marks around a phrase, fields shown on a page are
//! searchable, each result's occurrences, snippets read before they are
//! scrolled to, on a phone the results before the filters, and every control
//! of the search page and the research tools at least 24 px (WCAG 2.5.8).

use std::time::Duration;

use speech_archive::search::{self, Filters};

use crate::browser::{axe_source, Browser};
use crate::search::{corpus, results, search_url, served};
use crate::support::{select, Site};

#[test]
fn the_search_page_and_the_404_page_have_one_search_box_and_others_the_headers() {
    let site = Site::bundled();
    site.build(&[]);
    for (page, id) in [("search/index.html", "search-q"), ("404.html", "search-404")] {
        let html = site.page(page);
        assert_eq!(select(&html, "[role=search]").len(), 1, "{page}: one search landmark");
        let boxes = select(&html, "input[type=search]");
        assert_eq!(boxes.iter().map(|b| b.value().attr("id").unwrap()).collect::<Vec<_>>(), [id], "{page}");
    }
    for page in ["index.html", "speeches/index.html", "years/2017/index.html"] {
        let html = site.page(page);
        let boxes = select(&html, "[role=search] input[type=search]");
        assert_eq!(boxes.iter().map(|b| b.value().attr("id").unwrap()).collect::<Vec<_>>(), ["site-search"], "{page}");
    }
}

#[test]
fn quotation_marks_around_a_phrase_find_what_the_phrase_finds() {
    let c = corpus();
    let plain = c.found("两不愁三保障");
    assert!(!plain.is_empty());
    for q in ["\"两不愁三保障\"", "“两不愁三保障”", "＂两不愁三保障＂", "「两不愁三保障」", "'两不愁三保障'"]
    {
        assert_eq!(c.found(q), plain, "{q}");
    }
}

#[test]
fn commas_compare_phrases_and_list_documents_with_any_of_them() {
    let c = corpus();
    let (a, b) = (c.found("精准扶贫"), c.found("乡村振兴"));
    assert!(!a.is_empty() && !b.is_empty() && a != b);
    let either: std::collections::BTreeSet<usize> = a.union(&b).copied().collect();
    for q in ["精准扶贫, 乡村振兴", "精准扶贫，乡村振兴", "精准扶贫,乡村振兴,精准扶贫"] {
        assert_eq!(c.found(q), either, "{q}");
    }
    // Each document's count is its occurrences of both.
    let hits = search::search(&c.index, "精准扶贫，乡村振兴", &Filters::default());
    let mut counted: Vec<(usize, usize, bool)> = hits.iter().map(|h| (h.doc, h.count, h.in_head)).collect();
    counted.sort_unstable();
    assert_eq!(counted, c.counted("精准扶贫，乡村振兴"));
    // A comma in quotation marks is searched as written.
    let quoted = c.found("“下面，我与大家”");
    assert!(!quoted.is_empty());
    assert_eq!(quoted, c.containing("“下面，我与大家”"));
    assert!(quoted.len() < c.found("下面").len());
}

#[test]
fn editorial_notes_source_dates_and_distribution_lists_are_searchable() {
    let c = corpus();
    // From the front matter of 000 (安政通报): its distribution list, its
    // editorial note, and its source's date as printed.
    let original = (0..c.texts.len()).find(|&d| c.url(d) == "speeches/he-bangjun-2020-zhucun-ganbu-peixun/").unwrap();
    for q in ["市中级人民法院", "陕西省政府新闻办发布会", "2020年4月15日"] {
        let found = c.found(q);
        assert!(found.contains(&original), "`{q}` finds the document that shows it: {found:?}");
        assert_eq!(found, c.containing(q));
    }
}

// ---- in the browser ----

#[test]
#[ignore = "needs chromium and axe-core; run by scripts/test"]
fn axe_finds_one_search_landmark_on_the_search_and_404_pages() {
    let axe = axe_source();
    let (_site, server, browser) = served(&[], "/");
    let tab = browser.new_tab();
    for page in ["search/?q=%E6%89%B6%E8%B4%AB", "404.html", "speeches/"] {
        tab.goto(&format!("{}{page}", server.url()));
        tab.eval(&axe);
        let found = tab.eval(
            "axe.run(document, {runOnly: ['landmark-unique', 'landmark-no-duplicate-main', 'duplicate-id']}).then(r => r.violations.map(v => v.id))",
        );
        assert_eq!(found, serde_json::json!([]), "/{page}");
        assert_eq!(tab.eval("document.querySelectorAll('[role=search]').length"), 1, "/{page}");
    }
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn each_result_shows_its_occurrences_and_quoted_phrases_are_found() {
    let c = corpus();
    let (_site, server, browser) = served(&[], "/");
    let tab = browser.new_tab();
    tab.goto(&search_url(&server, "\"两不愁三保障\"", ""));
    let urls = results(&tab);
    let hits = search::search(&c.index, "两不愁三保障", &Filters::default());
    assert_eq!(urls, hits.iter().map(|h| format!("/{}", c.url(h.doc))).collect::<Vec<_>>());
    let shown = tab
        .eval("Array.from(document.querySelectorAll('#search-results .search-occurrences')).map(e => e.textContent)");
    let expected: Vec<String> = hits.iter().map(|h| format!("出现 {} 次", h.count)).collect();
    assert_eq!(shown, serde_json::json!(expected));
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn snippets_below_the_screen_are_read_before_they_are_scrolled_to() {
    let (_site, server, browser) = served(&[], "/");
    let tab = browser.new_tab();
    tab.set_viewport(1280, 800);
    tab.goto(&search_url(&server, "扶贫", ""));
    tab.wait_for("document.getElementById('search-app').dataset.state === 'done'", Duration::from_secs(20));
    // Results within a screen below the window, never scrolled to.
    let below = "Array.from(document.querySelectorAll('#search-results li')).filter(li => { \
        const r = li.getBoundingClientRect(); return r.top >= innerHeight && r.top < 2 * innerHeight; })";
    assert!(tab.eval(&format!("{below}.length")).as_u64().unwrap() > 0, "results below the screen");
    tab.wait_for(
        &format!("{below}.every(li => ['done', 'none', 'card'].includes(li.dataset.snippet))"),
        Duration::from_secs(20),
    );
    assert_eq!(tab.eval("scrollY"), 0);
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn on_a_phone_the_results_come_before_the_folded_filters() {
    let (_site, server, _) = served(&[], "/");
    let browser = Browser::launch();
    let tab = browser.new_tab();
    tab.set_viewport(390, 844);
    tab.goto(&search_url(&server, "脱贫", ""));
    results(&tab);
    let top =
        |css: &str| tab.eval(&format!("document.querySelector('{css}').getBoundingClientRect().top")).as_f64().unwrap();
    let first = top("#search-results li");
    assert!(first < 844.0, "the first result is on the first screen: {first} px down");
    assert!(first < top("#search-filters"), "results before the filters");
    assert_eq!(tab.eval("document.getElementById('search-filters').open"), false);
    // Opened, its controls are touch-sized.
    tab.eval("document.querySelector('#search-filters summary').click(); true");
    let heights = tab.eval("Array.from(document.querySelectorAll('#search-facets li:not([hidden]) label')).map(l => l.getBoundingClientRect().height)");
    let heights: Vec<f64> = serde_json::from_value(heights).unwrap();
    assert!(!heights.is_empty() && heights.iter().all(|&h| h >= 44.0), "{heights:?}");
    let summary =
        tab.eval("document.querySelector('#search-filters summary').getBoundingClientRect().height").as_f64().unwrap();
    assert!(summary >= 44.0, "{summary}");
    // A filter chosen there still filters, and the summary counts it.
    tab.eval("document.getElementById('search-app').dataset.state = 'stale'; document.querySelector('input[name=year][value=\"2017\"]').click(); true");
    results(&tab);
    assert_eq!(tab.eval("document.getElementById('search-filters-active').textContent"), "（已选 1 项）");
}

/// Every control a reader taps, shown on the page: its box (a radio's or
/// checkbox's is its label's, which is what takes the tap).
const TAP_TARGETS: &str = "(() => {
    const seen = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const controls = Array.from(document.querySelectorAll('main button, main select, main summary, main input'))
        .map(e => [(e.type === 'radio' || e.type === 'checkbox') && e.labels.length ? e.labels[0] : e, e.id || e.className || e.tagName])
        .filter(([e]) => seen(e));
    return controls.map(([e, name]) => { const r = e.getBoundingClientRect();
        return [name, e.textContent.trim().slice(0, 12), Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; });
})()";

#[test]
#[ignore = "needs chromium and axe-core; run by scripts/test"]
fn on_a_phone_every_control_of_the_research_tools_is_at_least_24_px() {
    let axe = axe_source();
    let (_site, server, browser) = served(&[], "/");
    let tab = browser.new_tab();
    tab.set_viewport(390, 844);
    // The list with the trend panel and the filters open, the concordance,
    // a comparison, the passages page, a document with panels (opened); and
    // a control each must show (the passages page has only links).
    let pages = [
        (
            "search/?q=%E7%B2%BE%E5%87%86%E6%89%B6%E8%B4%AB%2C%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&trend=share",
            "search-trend",
            "trend-year-button",
        ),
        ("search/?q=%E6%89%B6%E8%B4%AB&view=kwic", "search-kwic", "kwic-next"),
        ("speeches/he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost/compare/", "", "compare-changed"),
        ("passages/", "", ""),
        ("speeches/zhong-yimin-2017-tuopin-gongjian-gongzuohui/", "", "copy-btn"),
    ];
    let mut small = Vec::new();
    for (page, drawn, control) in pages {
        tab.goto(&format!("{}{page}", server.url()));
        if !drawn.is_empty() {
            tab.wait_for(
                &format!("document.getElementById('{drawn}').dataset.state === 'done'"),
                Duration::from_secs(20),
            );
        }
        tab.eval("document.querySelectorAll('main details').forEach(d => d.open = true); true");
        let boxes: Vec<(String, String, f64, f64)> = serde_json::from_value(tab.eval(TAP_TARGETS)).unwrap();
        assert!(control.is_empty() || boxes.iter().any(|b| b.0 == control), "/{page}: no {control} in {boxes:?}");
        small.extend(boxes.into_iter().filter(|b| b.2 < 24.0 || b.3 < 24.0).map(|b| format!("/{page}: {b:?}")));
        // axe's own rule for WCAG 2.2's 2.5.8 (24 px, or spaced as much).
        tab.eval(&axe);
        let found = tab.eval(
            "axe.run(document, {runOnly: ['target-size']}).then(r => r.violations.flatMap(v => v.nodes.map(n => n.target.join(' '))))",
        );
        for v in found.as_array().unwrap() {
            small.push(format!("/{page}: axe target-size: {v}"));
        }
    }
    assert!(small.is_empty(), "controls under 24 px on a phone:\n{}", small.join("\n"));
}
