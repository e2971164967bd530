//! Provenance you can open: the raw source files published, linked from
//! each document, checked against `raw_sha256` by `archive check`, and a
//! page showing every change the curator made between raw and published.

use crate::support::{select, stderr, texts, Site};

#[test]
fn a_document_links_its_raw_source_and_the_changes_made_to_it() {
    let site = Site::bundled();
    site.build(&[]);
    let slug = "he-bangjun-2020-zhucun-ganbu-peixun";
    let page = site.page(&format!("speeches/{slug}/index.html"));
    let raw = select(&page, ".source .raw a")[0].value().attr("href").unwrap();
    assert_eq!(raw, "../../raw/000_76f72b815eff1a26.txt");
    let changes = select(&page, "a.changes-link")[0].value().attr("href").unwrap();
    assert_eq!(changes, format!("../../speeches/{slug}/changes/"));

    // Same + removed gives back the raw file's text; same + added the
    // published body's: every removal and every addition is on the page.
    let view = site.page(&format!("speeches/{slug}/changes/index.html"));
    let pieces = select(&view, ".changes > *, .changes");
    assert!(!pieces.is_empty());
    let container = select(&view, ".changes")[0];
    let (mut raw_side, mut published_side) = (String::new(), String::new());
    for node in container.children() {
        if let Some(text) = node.value().as_text() {
            raw_side.push_str(text);
            published_side.push_str(text);
        } else if let Some(el) = scraper::ElementRef::wrap(node) {
            let text: String = el.text().collect();
            let blank = el.value().has_class("blank", scraper::CaseSensitivity::CaseSensitive);
            let text = if blank { text.replace("⏎\n", "\n").replace('␣', " ") } else { text };
            match el.value().name() {
                "del" => raw_side.push_str(&text),
                "ins" => published_side.push_str(&text),
                other => panic!("unexpected <{other}>"),
            }
        }
    }
    let raw_text = std::fs::read_to_string(site.root.join("content/raw/000_76f72b815eff1a26.txt")).unwrap();
    assert_eq!(raw_side.trim(), raw_text.trim(), "the whole raw file, every removal included");
    let body = std::fs::read_to_string(site.public().join(format!("speeches/{slug}/{slug}.txt"))).unwrap();
    let body = body.split_once("\n\n").unwrap().1;
    assert_eq!(published_side.trim(), body.trim());
    // The masthead and the distribution list were removed, and say so.
    let removed = texts(&view, ".changes del").join("");
    assert!(removed.contains("安政通报") && removed.contains("抄送"), "{removed}");
}

#[test]
fn a_text_from_a_compilation_is_compared_with_its_own_part_of_the_file() {
    let site = Site::bundled();
    site.build(&[]);
    let view = site.page("speeches/lv-lv-2016-tuopin-gongjian-gongzuo-huiyi/changes/index.html");
    let omitted = texts(&view, ".changes-omitted");
    assert_eq!(omitted.len(), 2, "{omitted:?}");
    let shown: String = select(&view, ".changes")[0].text().collect();
    assert!(shown.chars().count() < 20_000, "{}", shown.chars().count());
    assert!(!shown.contains("感悟习近平对扶贫工作的三个精彩比喻"), "another document of the compilation");
}

#[test]
fn archive_check_finds_a_raw_file_that_does_not_match_its_hash() {
    let site = Site::fixture("basic");
    assert!(site.run(&["check"]).status.success(), "{}", stderr(&site.run(&["check"])));
    site.write("content/raw/000_test.txt", "改过的原始文本\n");
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "content/speeches/2020/li-wei-2020-peixun.md:21:15: `source.raw_sha256` does not match content/raw/000_test.txt, which has SHA-256 "
        ),
        "{}",
        stderr(&out)
    );
}
