//! Every occurrence in context: the library's concordance against a scan
//! of the bodies' paragraphs, `archive concordance` (its CSV read by the
//! `csv` crate, its errors), and the search page's concordance view in
//! headless Chromium against the library.

use std::path::Path;
use std::time::Duration;

use speech_archive::config::{Config, Options};
use speech_archive::load::load_archive;
use speech_archive::markdown::segments::body_segments;
use speech_archive::model::Archive;
use speech_archive::script;
use speech_archive::search::{self, concordance, Filters, Line, Order};

use crate::search::{corpus, search_url, served, Corpus};
use crate::support::Site;

const CONTEXT: usize = 20;

fn archive() -> Archive {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    load_archive(&Config::load(&Options::at(root)).unwrap()).unwrap()
}

/// What a line shows: document, term, paragraph, left, match, right.
type Shown = (usize, usize, String, String, String, String);

fn shown(lines: &[Line]) -> Vec<Shown> {
    lines
        .iter()
        .map(|l| (l.doc, l.term, l.anchor.clone(), l.left.clone(), l.matched.clone(), l.right.clone()))
        .collect()
}

/// Every occurrence of `q`'s terms in the bodies of the documents that
/// match it, by a scan of each paragraph's text (normalised to compare,
/// shown as printed), oldest document first, in reading order.
fn scanned(c: &Corpus, archive: &Archive, q: &str) -> Vec<Shown> {
    let phrases = search::phrases(q);
    let mut terms: Vec<Vec<char>> = Vec::new();
    for t in phrases.iter().flatten() {
        if !terms.contains(t) {
            terms.push(t.clone());
        }
    }
    let matching = c.scanned(q);
    let mut out = Vec::new();
    for &d in matching.keys().rev() {
        // The terms of the phrases this document matches.
        let wanted: Vec<usize> = (0..terms.len())
            .filter(|&t| {
                phrases.iter().any(|p| p.contains(&terms[t]) && p.iter().all(|term| c.occurrences(d, term).0 > 0))
            })
            .collect();
        let mut found: Vec<(usize, usize, usize, Shown)> = Vec::new();
        for (s, segment) in body_segments(&archive.body(d).unwrap()).iter().enumerate() {
            let chars: Vec<char> = segment.text.chars().collect();
            let norm: Vec<char> = chars.iter().map(|&ch| script::fold(ch)).collect();
            for &t in &wanted {
                let term = &terms[t];
                for i in (0..norm.len()).filter(|&i| norm[i..].starts_with(term)) {
                    let left: String = chars[i.saturating_sub(CONTEXT)..i].iter().collect();
                    let end = i + term.len();
                    let right: String = chars[end..(end + CONTEXT).min(chars.len())].iter().collect();
                    let matched: String = chars[i..end].iter().collect();
                    found.push((s, i, t, (d, t, segment.anchor.clone(), left, matched, right)));
                }
            }
        }
        found.sort_by_key(|f| (f.0, f.1, f.2));
        out.extend(found.into_iter().map(|f| f.3));
    }
    out
}

#[test]
fn the_concordance_lists_exactly_the_occurrences_a_scan_finds() {
    let c = corpus();
    let archive = archive();
    let samples = c.samples(60, 0xc0c0);
    let mut queries: Vec<String> = samples[..50].to_vec();
    queries.extend(samples[50..].chunks(2).map(|w| w.join("，")));
    queries.extend(["两不愁三保障", "扶贫", "精准扶贫 乡村振兴", "脱"].map(String::from));
    let mut total = 0;
    for q in &queries {
        let lines = concordance(&c.index, &archive, q, &Filters::default(), CONTEXT, Order::Date).unwrap();
        assert_eq!(shown(&lines), scanned(&c, &archive, q), "query `{q}`");
        total += lines.len();
        // Within a document, positions rise with the reading order.
        for w in lines.windows(2).filter(|w| w[0].doc == w[1].doc) {
            assert!(w[0].position <= w[1].position, "`{q}`: {w:?}");
        }
    }
    assert!(total > 500, "{total} lines checked");
}

#[test]
fn the_concordance_sorts_by_either_context_and_keeps_to_the_filters() {
    let c = corpus();
    let archive = archive();
    let by_date = concordance(&c.index, &archive, "扶贫", &Filters::default(), CONTEXT, Order::Date).unwrap();
    for (order, key) in [(Order::Left, true), (Order::Right, false)] {
        let lines = concordance(&c.index, &archive, "扶贫", &Filters::default(), CONTEXT, order).unwrap();
        let mut same = shown(&lines);
        same.sort();
        let mut all = shown(&by_date);
        all.sort();
        assert_eq!(same, all, "the same lines, ordered");
        let keys: Vec<String> = lines
            .iter()
            .map(|l| {
                if key {
                    l.left.chars().rev().map(script::fold).collect()
                } else {
                    l.right.chars().map(script::fold).collect()
                }
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    }
    let filters = Filters([("year".to_string(), vec!["2017".to_string()])].into_iter().collect());
    let lines = concordance(&c.index, &archive, "扶贫", &filters, CONTEXT, Order::Date).unwrap();
    assert!(!lines.is_empty() && lines.len() < by_date.len());
    assert!(lines.iter().all(|l| c.years[l.doc] == 2017));
    assert_eq!(lines.len(), by_date.iter().filter(|l| c.years[l.doc] == 2017).count());
}

// ---- the command ----

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Row {
    date: String,
    title: String,
    url: String,
    anchor: String,
    left: String,
    #[serde(rename = "match")]
    matched: String,
    right: String,
}

#[test]
fn archive_concordance_prints_every_occurrence_as_csv() {
    let c = corpus();
    let archive = archive();
    let site = Site::bundled();
    site.build(&[]);
    let out =
        site.run(&["concordance", "两不愁三保障，脱贫攻坚", "--csv", "--filter", "year=2017", "--filter", "kind=讲话"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<Row> = csv::Reader::from_reader(&out.stdout[..]).deserialize().map(Result::unwrap).collect();
    let filters = Filters(
        [("year".to_string(), vec!["2017".to_string()]), ("kind".to_string(), vec!["speech".to_string()])]
            .into_iter()
            .collect(),
    );
    let lines = concordance(&c.index, &archive, "两不愁三保障，脱贫攻坚", &filters, CONTEXT, Order::Date).unwrap();
    assert!(lines.len() > 5);
    let expected: Vec<Row> = lines
        .iter()
        .map(|l| {
            let d = &archive.documents[l.doc];
            Row {
                date: d.date.to_string(),
                title: d.title.clone(),
                url: format!("speeches/{}/", d.slug),
                anchor: l.anchor.clone(),
                left: l.left.clone(),
                matched: l.matched.clone(),
                right: l.right.clone(),
            }
        })
        .collect();
    assert_eq!(rows, expected);
    let documents: std::collections::BTreeSet<usize> = lines.iter().map(|l| l.doc).collect();
    assert_eq!(
        crate::support::stderr(&out).trim(),
        format!("{} occurrences in {} documents", lines.len(), documents.len())
    );
    // Plain output: a line an occurrence, the match in brackets.
    let out = site.run(&["concordance", "两不愁三保障", "--context", "5", "--sort", "right"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let printed: Vec<&str> = text.lines().collect();
    let lines = concordance(&c.index, &archive, "两不愁三保障", &Filters::default(), 5, Order::Right).unwrap();
    assert_eq!(printed.len(), lines.len());
    for (p, l) in printed.iter().zip(&lines) {
        assert!(p.contains(&format!("{}【{}】{}", l.left, l.matched, l.right)), "{p}");
        assert!(p.ends_with(&format!("#{}", l.anchor)), "{p}");
    }
}

#[test]
fn archive_concordance_says_what_is_wrong_and_prints_no_lines() {
    let site = Site::bundled();
    let no_index = site.run(&["concordance", "扶贫"]);
    assert_eq!(no_index.status.code(), Some(2));
    assert!(
        crate::support::stderr(&no_index).contains("build the site first"),
        "{}",
        crate::support::stderr(&no_index)
    );
    site.build(&[]);
    for (args, says) in [
        (
            vec!["concordance", "扶贫", "--filter", "colour=red"],
            "no filter `colour`: filters are province, city, year, theme, speaker, kind",
        ),
        (vec!["concordance", "扶贫", "--filter", "year=1999"], "no year `1999` in the archive"),
    ] {
        let out = site.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(crate::support::stderr(&out).trim(), format!("error: {says}"));
        assert!(out.stdout.is_empty());
    }
    // A text edited since the build: the index no longer matches it.
    let path = "content/speeches/2020/he-bangjun-2020-zhucun-ganbu-peixun.md";
    let text = std::fs::read_to_string(site.root.join(path)).unwrap();
    site.write(path, &text.replacen("两不愁三保障", "两不愁三保障、两不愁三保障", 1));
    let out = site.run(&["concordance", "两不愁三保障"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(crate::support::stderr(&out).contains("does not match"), "{}", crate::support::stderr(&out));
    assert!(out.stdout.is_empty());
}

// ---- in the browser ----

/// The concordance page as shown: per row (document number, position,
/// paragraph, left, match, right).
const ROWS: &str = "Array.from(document.querySelectorAll('#kwic-table tbody tr')).map(r => [Number(r.dataset.doc), \
    Number(r.dataset.position), new URL(r.querySelector('a').href).hash.slice(1), r.querySelector('.kwic-left').textContent, \
    r.querySelector('mark').textContent, r.querySelector('.kwic-right').textContent])";

type KwicRow = (usize, usize, String, String, String, String);

fn rows_of(lines: &[Line]) -> Vec<KwicRow> {
    lines
        .iter()
        .map(|l| (l.doc, l.position, l.anchor.clone(), l.left.clone(), l.matched.clone(), l.right.clone()))
        .collect()
}

fn kwic_rows(tab: &crate::browser::Tab) -> Vec<KwicRow> {
    tab.wait_for("document.getElementById('search-kwic').dataset.state === 'done'", Duration::from_secs(20));
    serde_json::from_value(tab.eval(ROWS)).unwrap()
}

/// Waits for the page to be searched again after `js`, and returns its rows.
fn after(tab: &crate::browser::Tab, js: &str) -> Vec<KwicRow> {
    tab.eval(&format!("document.getElementById('search-kwic').dataset.state = 'stale'; (() => {{ {js}; }})(); true"));
    kwic_rows(tab)
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn the_concordance_view_shows_the_librarys_lines_page_by_page_in_each_order() {
    let c = corpus();
    let archive = archive();
    let (site, server, browser) = served(&[], "/");
    let mut tab = browser.new_tab();
    tab.set_viewport(1280, 900);
    // A long term (positions from the index), a two-character one (its
    // positions list), and one character with it (texts read whole).
    for q in ["易地搬迁", "扶贫", "两不愁三保障，扶"] {
        let lines = |order| concordance(&c.index, &archive, q, &Filters::default(), CONTEXT, order).unwrap();
        let oldest = lines(Order::Date);
        // Newest first: documents by number, each in reading order.
        let mut newest = oldest.clone();
        newest.sort_by_key(|l| (l.doc, l.position, l.term));
        tab.goto(&search_url(&server, q, "&view=kwic"));
        let total = newest.len();
        assert_eq!(kwic_rows(&tab), rows_of(&newest[..total.min(50)]), "`{q}` page 1");
        assert_eq!(tab.eval("Number(document.getElementById('search-kwic').dataset.count)"), total as u64, "`{q}`");
        if total > 50 {
            assert_eq!(
                after(&tab, "document.getElementById('kwic-next').click()"),
                rows_of(&newest[50..total.min(100)]),
                "`{q}` page 2"
            );
            tab.wait_for("location.search.includes('kpage=2')", Duration::from_secs(10));
        }
        for (value, order) in [("oldest", Order::Date), ("left", Order::Left), ("right", Order::Right)] {
            let expected = lines(order);
            let js = format!("const s = document.getElementById('kwic-sort'); s.value = '{value}'; s.dispatchEvent(new Event('change'))");
            assert_eq!(after(&tab, &js), rows_of(&expected[..total.min(50)]), "`{q}` by {value}");
        }
        tab.wait_for("location.search.includes('ksort=right')", Duration::from_secs(10));
        // The shared URL shows the same page.
        let url = tab.eval("location.href");
        let other = browser.new_tab();
        other.set_viewport(1280, 900);
        other.goto(url.as_str().unwrap());
        assert_eq!(kwic_rows(&other), rows_of(&lines(Order::Right)[..total.min(50)]), "`{q}` from its URL");
        // The newest tab is the one on screen (the others get no frames).
        tab = other;
    }
    // Each line links to its paragraph, which holds the match.
    let hrefs = tab.eval("Array.from(document.querySelectorAll('#kwic-table tbody a')).map(a => new URL(a.href).pathname + new URL(a.href).hash)");
    let hrefs: Vec<String> = serde_json::from_value(hrefs).unwrap();
    let matches: Vec<String> = serde_json::from_value(
        tab.eval("Array.from(document.querySelectorAll('#kwic-table tbody mark')).map(m => m.textContent)"),
    )
    .unwrap();
    for (href, matched) in hrefs.iter().zip(&matches) {
        let (path, anchor) = href.split_once('#').unwrap();
        let page = site.page(&format!("{}index.html", path.trim_start_matches('/')));
        let paragraph = crate::support::texts(&page, &format!("[id=\"{anchor}\"]"));
        assert!(paragraph.iter().any(|p| p.contains(matched.as_str())), "{href}: {matched}");
    }
    // The CSV is the page shown.
    let csv = tab.eval("fetch(document.getElementById('kwic-csv').href).then(r => r.text())");
    let rows: Vec<Vec<String>> =
        csv::Reader::from_reader(csv.as_str().unwrap().trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
    let shown = kwic_rows(&tab);
    assert_eq!(rows.len(), shown.len());
    for (row, s) in rows.iter().zip(&shown) {
        assert_eq!(&row[2], &c.index.docs[s.0].url);
        assert_eq!((&row[3], &row[4], &row[5], &row[6]), (&s.2, &s.3, &s.4, &s.5));
    }
}
