//! A reprint beside its original: the bundled archive's repost (from the
//! raw text 002) compared with the bulletin's text (000), read through an
//! HTML parser, and the page's two layouts in headless Chromium.

use std::time::Duration;

use scraper::ElementRef;
use speech_archive::markdown::segments::body_segments;

use crate::browser::{Browser, StaticServer};
use crate::support::{select, Site};

const ORIGINAL: &str = "speeches/he-bangjun-2020-zhucun-ganbu-peixun/";
const REPOST: &str = "speeches/he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost/";
const COMPARE: &str = "speeches/he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost/compare/";

/// An element's text without what is there for screen readers only.
fn shown(e: &ElementRef) -> String {
    let mut out = String::new();
    for node in e.descendants() {
        if let Some(text) = node.value().as_text() {
            let hidden = node
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().classes().any(|c| c == "vh" || c == "compare-anchor" || c == "compare-label"));
            if !hidden {
                out.push_str(text);
            }
        }
    }
    out.trim().to_string()
}

fn body(rel: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap();
    text.splitn(3, "---\n").nth(2).unwrap().to_string()
}

#[test]
fn the_repost_shows_3月6日_redacted_as_x月x日_beside_the_bulletin() {
    let site = Site::bundled();
    site.build(&[]);
    let page = site.page(&format!("{COMPARE}index.html"));
    // The row that holds the redaction: the bulletin's 3月6日 on its side,
    // the repost's X月X日 on the other, each marked as a redaction.
    let rows = select(&page, ".compare-row:not(.compare-heads)");
    let row = rows
        .iter()
        .find(|r| select_in(r, ".compare-original del.redacted").iter().any(|d| shown(d) == "3月6日"))
        .expect("a row with 3月6日 redacted");
    let redactions: Vec<String> = select_in(row, ".compare-reprint ins.redaction").iter().map(shown).collect();
    assert!(redactions.contains(&"X月X日".to_string()), "{redactions:?}");
    assert_eq!(
        select_in(row, ".compare-original del.redacted").iter().map(shown).position(|t| t == "3月6日"),
        redactions.iter().position(|t| t == "X月X日"),
        "the two stand at the same place in the row"
    );
    // Other redactions of the repost, and its real edits, are told apart.
    let all = |css: &str| select(&page, css).iter().map(shown).collect::<Vec<_>>();
    assert!(all(".compare-original del.redacted").contains(&"58.17万".to_string()));
    assert!(all(".compare-original del:not(.redacted)").contains(&"足".to_string()), "未满足营业 → 未满负荷营业");
    assert!(all(".compare-reprint ins:not(.redaction)").contains(&"负荷".to_string()));
    assert!(!all(".compare-reprint ins.redaction").iter().any(|t| t.contains("负荷")));
    // The summary line counts them.
    let summary = crate::support::texts(&page, ".compare-summary")[0].clone();
    let redactions = all(".compare-reprint ins.redaction").len();
    assert!(summary.contains(&format!("隐去 {redactions} 处")), "{summary}");
    assert!(redactions > 20, "{redactions}");
}

fn select_in<'a>(e: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    e.select(&scraper::Selector::parse(css).unwrap()).collect()
}

#[test]
fn every_character_of_both_texts_is_on_its_side_in_order_and_paragraphs_link_back() {
    let site = Site::bundled();
    site.build(&[]);
    let page = site.page(&format!("{COMPARE}index.html"));
    for (side, file, url) in [
        ("original", "content/speeches/2020/he-bangjun-2020-zhucun-ganbu-peixun.md", ORIGINAL),
        ("reprint", "content/speeches/2020/he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost.md", REPOST),
    ] {
        let paragraphs =
            select(&page, &format!(".compare-row:not(.compare-heads) .compare-{side} p:not(.compare-none)"));
        let text: String = paragraphs.iter().map(shown).collect();
        let segments = body_segments(&body(file));
        let expected: String = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, expected, "{side}");
        // Each paragraph links to itself on its document's page.
        let document = site.page(&format!("{url}index.html"));
        for p in &paragraphs {
            let link = select_in(p, "a.compare-anchor");
            let href = link[0].value().attr("href").unwrap();
            let (path, anchor) = href.split_once('#').unwrap();
            assert_eq!(path, format!("../../../{url}"));
            assert_eq!(select(&document, &format!("[id=\"{anchor}\"]")).len(), 1, "{href}");
        }
    }
}

#[test]
fn both_documents_link_to_the_comparison() {
    let site = Site::bundled();
    site.build(&[]);
    for doc in [ORIGINAL, REPOST] {
        let page = site.page(&format!("{doc}index.html"));
        let links: Vec<&str> =
            select(&page, "a.compare-link").iter().map(|a| a.value().attr("href").unwrap()).collect();
        assert_eq!(links, ["../../".to_string() + COMPARE], "{doc}");
    }
    // Documents without a reprint have none.
    let other = site.page("speeches/wang-dejia-2020-tuopin-gongjian-huiyi-zhuchi/index.html");
    assert!(select(&other, "a.compare-link").is_empty());
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn the_comparison_is_side_by_side_on_a_laptop_and_one_after_the_other_on_a_phone() {
    let site = Site::bundled();
    site.build(&[]);
    let server = StaticServer::start(&site.public(), "/");
    let browser = Browser::launch();
    let tab = browser.new_tab();
    // The first row with a change: its two cells' boxes.
    let cells = "(() => { const row = document.querySelector('.compare-row.changed'); \
        const [a, b] = ['.compare-original', '.compare-reprint'].map(c => row.querySelector(c).getBoundingClientRect()); \
        return [a.left, a.top, a.right, a.bottom, b.left, b.top, b.right, b.bottom]; })()";
    for (width, side_by_side) in [(1280, true), (390, false)] {
        tab.set_viewport(width, 900);
        tab.goto(&format!("{}{COMPARE}", server.url()));
        let b: Vec<f64> = serde_json::from_value(tab.eval(cells)).unwrap();
        let (original, reprint) = (&b[..4], &b[4..]);
        if side_by_side {
            assert!(reprint[0] >= original[2], "{width} px: the reprint right of the original: {b:?}");
            assert!((reprint[1] - original[1]).abs() < 1.0, "{width} px: tops aligned: {b:?}");
        } else {
            assert!(reprint[1] >= original[3], "{width} px: the reprint below the original: {b:?}");
            assert!(
                original[2] <= width as f64 && reprint[2] <= width as f64,
                "{width} px: nothing wider than the screen"
            );
        }
        let scroll = tab.eval("document.documentElement.scrollWidth").as_f64().unwrap();
        assert!(scroll <= width as f64, "{width} px: no sideways scrolling ({scroll})");
        let label = tab.eval("getComputedStyle(document.querySelector('.compare-row.changed .compare-label')).display");
        assert_eq!(label == "none", side_by_side, "{width} px: each side says which it is on a phone");
    }
    // Only the rows with changes, on request.
    let visible =
        "Array.from(document.querySelectorAll('.compare-row:not(.compare-heads)')).filter(r => r.offsetParent).length";
    let all = tab.eval(visible).as_u64().unwrap();
    tab.eval("document.getElementById('compare-changed').click(); true");
    tab.wait_for(&format!("{visible} < {all}"), Duration::from_secs(5));
    let changed = tab.eval("document.querySelectorAll('.compare-row.changed').length").as_u64().unwrap();
    assert_eq!(tab.eval(visible).as_u64().unwrap(), changed);
}
