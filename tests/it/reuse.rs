//! Passages shared across speeches: the finder against passages planted in
//! made-up documents of random text (each found, with every document that
//! holds it, and none shorter than the threshold), reprints left out, and on
//! the bundled archive's pages the panels and the passages page, whose links
//! land on paragraphs that hold the passage (scraper, and in Chromium).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use speech_archive::index::build_index;
use speech_archive::model::{Archive, Document};
use speech_archive::reuse::{self, han, THRESHOLD};
use speech_archive::search::{self, RunStore};
use speech_archive::words::Words;

use crate::browser::{Browser, StaticServer};
use crate::search::Rng;
use crate::support::{select, Site};

/// `n` random Han characters, with a full stop now and then.
fn random(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|i| if i % 17 == 16 { '。' } else { char::from_u32(0x4E00 + rng.below(6000) as u32).unwrap() }).collect()
}

/// Han characters of a text, in their normal form.
fn han_of(text: &str) -> String {
    text.chars().filter_map(han).map(|h| char::from_u32(h as u32).unwrap()).collect()
}

/// A speech of `paragraphs` at `content/speeches/2019/{slug}.md`, on the
/// `day`th day of 2019 (28 a month), reprinting `variant` if given.
fn document(slug: &str, title: &str, day: usize, paragraphs: &[String], variant: Option<&str>) -> Document {
    let variant = variant.map(|v| format!("variant_of: {v}\n")).unwrap_or_default();
    let text = format!(
        "---\ntitle: {title}\ndate: 2019-{:02}-{:02}\nspeaker: 李伟\ncity: 安康市\n{variant}---\n\n{}\n",
        1 + day / 28,
        1 + day % 28,
        paragraphs.join("\n\n")
    );
    speech_archive::load::parse_document(Path::new(&format!("content/speeches/2019/{slug}.md")), &text, &[]).unwrap()
}

/// Documents by slug, dated so that the first is the oldest, each a list
/// of paragraphs; `variant_of` given per slug.
fn archive(docs: &[(String, Vec<String>, Option<&str>)]) -> Archive {
    let documents = docs
        .iter()
        .enumerate()
        .map(|(i, (slug, paragraphs, variant))| document(slug, &format!("讲话{i}"), i, paragraphs, *variant))
        .collect();
    Archive::new(documents, Vec::new())
}

fn find(archive: &Archive) -> reuse::Passages {
    let words = Words { language: "zh-CN", t: &Default::default() };
    let inputs = search::inputs(archive, &build_index(archive), &words);
    let store = RunStore::in_memory();
    let runs = inputs.runs(&store).unwrap();
    reuse::find(archive, &runs, None, None).unwrap().0
}

#[test]
fn every_planted_passage_is_found_with_every_document_and_none_below_the_threshold() {
    let mut rng = Rng(0x5eed_0042);
    // Planted: passages of THRESHOLD to 80 Han characters, each copied into
    // 2 to 25 documents (punctuation and digits around and inside them
    // differ), and passages one character short, copied too.
    let n = 60;
    let mut docs: Vec<(String, Vec<String>, Option<&str>)> =
        (0..n).map(|i| (format!("d{i:02}"), vec![random(&mut rng, 150), random(&mut rng, 120)], None)).collect();
    let mut planted: Vec<(String, BTreeSet<usize>)> = Vec::new();
    let mut short: Vec<String> = Vec::new();
    for p in 0..12 {
        let length = THRESHOLD + rng.below(50);
        let passage = random(&mut rng, length + length / 16);
        let holders = 2 + if p % 4 == 0 { 20 + rng.below(4) } else { rng.below(4) };
        let mut at = BTreeSet::new();
        while at.len() < holders {
            at.insert(rng.below(n));
        }
        for &d in &at {
            // The same characters, other punctuation and figures around,
            // in a paragraph of its own among the document's.
            let copy = passage.replace('。', if d % 2 == 0 { "，" } else { "；2020、" });
            let before = rng.below(20);
            let p = rng.below(docs[d].1.len() + 1);
            docs[d].1.insert(p, format!("{}{copy}{}", random(&mut rng, before), random(&mut rng, 5)));
        }
        planted.push((han_of(&passage), at));
    }
    for _ in 0..6 {
        let passage = random(&mut rng, THRESHOLD + 3);
        let passage = han_of(&passage).chars().take(THRESHOLD - 1).collect::<String>();
        for _ in 0..3 {
            let d = rng.below(n);
            docs[d].1.push(format!("{}{passage}{}", random(&mut rng, 3), random(&mut rng, 3)));
        }
        short.push(passage);
    }
    let archive = archive(&docs);
    let found = find(&archive);
    // Documents are numbered newest first.
    let number = |slug: &str| archive.documents.iter().position(|d| d.slug == slug).unwrap();
    for (text, holders) in &planted {
        let expected: BTreeSet<usize> = holders.iter().map(|&d| number(&docs[d].0)).collect();
        let hits: Vec<&reuse::Passage> = found.passages.iter().filter(|p| text.contains(&han_of(&p.text))).collect();
        let holding: BTreeSet<usize> = hits.iter().flat_map(|p| p.docs.iter().map(|d| d.0 as usize)).collect();
        assert_eq!(holding, expected, "planted passage {text}");
        assert!(hits.iter().any(|p| han_of(&p.text) == *text), "found whole: {text}");
        // Earliest first: the source is listed first.
        for p in hits {
            assert!(p.docs.windows(2).all(|w| w[0].0 > w[1].0), "{:?}", p.docs);
        }
    }
    for p in &found.passages {
        let text = han_of(&p.text);
        assert!(text.chars().count() >= THRESHOLD, "below the threshold: {text}");
        assert!(planted.iter().any(|(t, _)| t.contains(&text)), "not planted: {text}");
        assert!(!short.iter().any(|s| text.contains(s.as_str())));
    }
}

#[test]
fn a_reprint_and_its_original_share_no_passage_but_a_third_document_does_with_the_original() {
    let mut rng = Rng(7);
    let common = random(&mut rng, 60);
    let docs = vec![
        ("original".to_string(), vec![random(&mut rng, 80), common.clone()], None),
        ("reprint".to_string(), vec![common.clone(), random(&mut rng, 50)], Some("original")),
        ("other".to_string(), vec![random(&mut rng, 40)], None),
    ];
    assert!(find(&archive(&docs)).passages.is_empty(), "a reprint is not reuse");
    let mut docs = docs;
    docs[2].1.push(format!("另外{common}"));
    let found = find(&archive(&docs));
    // Found with the earliest of the family, the original.
    assert_eq!(found.passages.len(), 1, "{:?}", found.passages);
    let numbers: Vec<u32> = found.passages[0].docs.iter().map(|d| d.0).collect();
    assert_eq!(numbers, [2, 0], "the original (oldest), then the third");
    assert_eq!(found.passages[0].families, 2);
}

#[test]
fn a_passage_in_more_than_sixteen_speeches_links_each_later_one_to_the_earliest_only() {
    let mut rng = Rng(0x20_5eed);
    let (common, few) = (random(&mut rng, THRESHOLD + 20), random(&mut rng, THRESHOLD + 20));
    // 20 speeches hold `common` (more than ALL_PAIRS = 16), 5 others `few`.
    let docs: Vec<(String, Vec<String>, Option<&str>)> = (0..25)
        .map(|i| {
            let passage = if i < 20 { &common } else { &few };
            (format!("d{i:02}"), vec![random(&mut rng, 80), format!("{}{passage}", random(&mut rng, 3))], None)
        })
        .collect();
    let archive = archive(&docs);
    let words = Words { language: "zh-CN", t: &Default::default() };
    let (index, store) = (build_index(&archive), RunStore::in_memory());
    let inputs = search::inputs(&archive, &index, &words);
    let runs = inputs.runs(&store).unwrap();
    let (found, state) = reuse::find(&archive, &runs, None, None).unwrap();
    // Documents are numbered newest first: d00, the oldest, is 24.
    let number = |slug: &str| archive.documents.iter().position(|d| d.slug == slug).unwrap() as u32;
    let linked = |holders: std::ops::Range<usize>| -> BTreeSet<(u32, u32)> {
        let docs: BTreeSet<u32> = holders.map(|i| number(&format!("d{i:02}"))).collect();
        state.matches.iter().filter(|m| docs.contains(&m.src.0)).map(|m| (m.dst.0, m.src.0)).collect()
    };
    let earliest = number("d00");
    let expected: BTreeSet<(u32, u32)> = (1..20).map(|i| (number(&format!("d{i:02}")), earliest)).collect();
    assert_eq!(linked(0..20), expected, "each later holder with the earliest, none with each other");
    // Five holders (at most 16): every pair.
    assert_eq!(linked(20..25).len(), 10);
    let held = found.passages.iter().find(|p| han_of(&common).contains(&han_of(&p.text))).unwrap();
    assert_eq!((held.docs.len(), held.families, held.docs[0].0), (20, 20, earliest), "{:?}", held.docs);
}

/// Documents (slug, day, paragraphs), the larger day the later.
fn dated(docs: &[(String, usize, Vec<String>)]) -> Archive {
    let documents = docs
        .iter()
        .map(|(slug, day, paragraphs)| document(slug, &format!("讲话{slug}"), *day, paragraphs, None))
        .collect();
    Archive::new(documents, Vec::new())
}

/// `n` dated documents of random text and `count` passages, passage `p`
/// appended (after a few random characters) to the documents `holders(p)`.
#[allow(clippy::type_complexity)]
fn planted(
    rng: &mut Rng,
    n: usize,
    count: usize,
    holders: impl Fn(usize) -> Vec<usize>,
) -> (Vec<String>, Vec<(String, usize, Vec<String>)>) {
    let passages: Vec<String> = (0..count).map(|_| random(rng, THRESHOLD + 20)).collect();
    let mut docs: Vec<(String, usize, Vec<String>)> =
        (0..n).map(|i| (format!("d{i:02}"), 2 * i, vec![random(rng, 120), random(rng, 90)])).collect();
    for (p, passage) in passages.iter().enumerate() {
        for d in holders(p) {
            docs[d].2.push(format!("{}{passage}", random(rng, 4)));
        }
    }
    (passages, docs)
}

#[test]
fn after_each_edit_the_finder_compares_only_what_changed_and_finds_what_a_clean_run_finds() {
    let mut rng = Rng(0x1dea_5eed);
    // 60 documents; passage 0 in exactly 16 of them (one more and its
    // groups pair each with the earliest only), the others in a few.
    let (passages, mut docs) =
        planted(
            &mut rng,
            60,
            8,
            |p| {
                if p == 0 {
                    (0..16).map(|i| 3 * i).collect()
                } else {
                    vec![p, 20 + 3 * p, 59 - p]
                }
            },
        );
    let words = Words { language: "zh-CN", t: &Default::default() };
    let run = |docs: &[(String, usize, Vec<String>)], last: Option<reuse::State>| {
        let archive = dated(docs);
        let (index, store) = (build_index(&archive), RunStore::in_memory());
        let inputs = search::inputs(&archive, &index, &words);
        let runs = inputs.runs(&store).unwrap();
        let clean = reuse::find(&archive, &runs, None, None).unwrap();
        let again = reuse::find(&archive, &runs, last, None).unwrap();
        (clean, again, archive.documents.len())
    };
    let (first, _, _) = run(&docs, None);
    assert!(first.0.passages.len() >= passages.len(), "{:?}", first.0.passages.len());
    let mut state = first.1;
    let mut log = Vec::new();
    for step in 0..24 {
        let d = rng.below(docs.len());
        let what = match step % 6 {
            // Passage 0 into a 17th document, and out again.
            0 => {
                let to = (0..docs.len()).find(|&i| !docs[i].2.iter().any(|p| p.contains(&passages[0]))).unwrap();
                docs[to].2.push(passages[0].clone());
                format!("passage 0 into {}", docs[to].0)
            }
            1 => {
                let from = docs.iter().rposition(|x| x.2.last().is_some_and(|p| *p == passages[0])).unwrap_or(d);
                docs[from].2.pop();
                format!("a paragraph out of {}", docs[from].0)
            }
            2 => {
                let p = rng.below(passages.len());
                docs[d].2.insert(1, format!("又如{}", passages[p]));
                format!("passage {p} into {}", docs[d].0)
            }
            3 => {
                docs[d].2[0] = random(&mut rng, 100);
                format!("first paragraph of {} rewritten", docs[d].0)
            }
            4 => {
                let p = rng.below(passages.len());
                docs.push((format!("n{step}"), 2 * rng.below(60) + 1, vec![random(&mut rng, 50), passages[p].clone()]));
                format!("n{step} added with passage {p}")
            }
            _ => format!("{} removed", docs.remove(d).0),
        };
        log.push(what);
        let (clean, again, n) = run(&docs, Some(state));
        assert!(again.0 == clean.0, "passages differ after {log:?}");
        assert!(again.1.matches == clean.1.matches && again.1.table == clean.1.table, "state differs after {log:?}");
        assert!(again.1.hashes == clean.1.hashes, "hashes differ after {log:?}");
        assert!(again.1.read * 2 < n, "{} of {n} documents read after {log:?}", again.1.read);
        state = again.1;
    }
}

#[test]
fn with_its_hashes_kept_apart_a_state_updates_as_a_clean_run_finds_and_without_them_matches_from_scratch() {
    let mut rng = Rng(0x4a5b_5eed);
    let (_, mut docs) = planted(&mut rng, 30, 4, |p| vec![p, 10 + 3 * p, 29 - p]);
    let dir = tempfile::tempdir().unwrap();
    let words = Words { language: "zh-CN", t: &Default::default() };
    let hashes_file = dir.path().join("reuse-hashes.bin");
    // A build: (clean result, result through the files, documents).
    let build = |docs: &[(String, usize, Vec<String>)]| {
        let archive = dated(docs);
        let (index, store) = (build_index(&archive), RunStore::in_memory());
        let inputs = search::inputs(&archive, &index, &words);
        let runs = inputs.runs(&store).unwrap();
        let kept = reuse::Kept::new(dir.path().join("reuse.bin"), 0, &archive, true);
        let clean = reuse::find(&archive, &runs, None, None).unwrap();
        let again = reuse::find(&archive, &runs, kept.load_state(), Some(&kept)).unwrap();
        assert!(again.0 == clean.0, "passages differ");
        assert!(again.1.matches == clean.1.matches && again.1.table == clean.1.table, "state differs");
        assert!(again.1.hashes.is_empty() && again.1.hashes_kept.is_some(), "the hashes went to their file");
        kept.save_state(&again.1);
        let loaded = kept.load_state().expect("the state and its hashes read back");
        assert!(loaded.hashes == clean.1.hashes && loaded.table == clean.1.table, "read back as kept");
        (again.1.read, archive.documents.len())
    };
    let (read, n) = build(&docs);
    assert_eq!(read, n, "the first build reads every document");
    docs[7].2[0] = random(&mut rng, 100);
    let (read, n) = build(&docs);
    assert!(read * 2 < n, "an edit reads {read} of {n} documents");
    // The hashes file missing, cut short or another state's: the next
    // build matches from scratch (reads every document), and finds the same.
    for (step, what) in ["missing", "cut short", "another state's"].into_iter().enumerate() {
        let whole = std::fs::read(&hashes_file).unwrap();
        match step {
            0 => std::fs::remove_file(&hashes_file).unwrap(),
            1 => std::fs::write(&hashes_file, &whole[..whole.len() - 8]).unwrap(),
            _ => {
                let mut other = whole.clone();
                other[16] ^= 1;
                std::fs::write(&hashes_file, other).unwrap()
            }
        }
        docs[11 + step].2[1] = random(&mut rng, 90);
        let (read, n) = build(&docs);
        assert_eq!(read, n, "hashes file {what}: a clean match");
    }
}

// ---- on the pages ----

/// Every panel's and the passages page's links, with the passage's text.
fn shared_links(site: &Site) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(site.public().join("speeches")) {
        let path = entry.unwrap().into_path();
        if path.file_name().is_none_or(|n| n != "index.html") {
            continue;
        }
        let page = scraper::Html::parse_document(&std::fs::read_to_string(&path).unwrap());
        for passage in select(&page, ".shared-passage") {
            let text: String = passage
                .select(&scraper::Selector::parse(".shared-text > span").unwrap())
                .next()
                .unwrap()
                .text()
                .collect();
            for a in passage.select(&scraper::Selector::parse("li a").unwrap()) {
                let page = path.strip_prefix(site.public()).unwrap().to_string_lossy().to_string();
                out.push((page, a.value().attr("href").unwrap().to_string(), text.clone()));
            }
        }
    }
    out
}

#[test]
fn panels_on_the_bundled_archive_link_to_paragraphs_that_hold_the_passage() {
    let site = Site::bundled();
    site.build(&[]);
    let links = shared_links(&site);
    assert!(links.len() >= 4, "{links:?}");
    for (page, href, text) in &links {
        let from = Path::new(page).parent().unwrap();
        let (rel, anchor) = href.split_once('#').expect("a paragraph");
        let target = site.public().join(from).join(rel).join("index.html");
        let html = scraper::Html::parse_document(&std::fs::read_to_string(&target).unwrap());
        let paragraph: String = select(&html, &format!("[id=\"{anchor}\"]"))[0].text().collect();
        let passage = han_of(text.trim_matches(|c| c == '“' || c == '”' || c == '…'));
        assert!(han_of(&paragraph).contains(&passage), "{page} → {href}: {passage} not in {paragraph}");
    }
    // The passages page lists them, each with its documents.
    let page = site.page("passages/index.html");
    assert!(!select(&page, ".passage").is_empty());
    for p in select(&page, ".passage") {
        assert!(p.select(&scraper::Selector::parse(".passage-docs a").unwrap()).count() >= 2);
    }
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn a_panels_link_lands_on_the_paragraph_that_holds_the_passage() {
    let site = Site::bundled();
    site.build(&[]);
    let (page, href, text) = shared_links(&site).into_iter().next().unwrap();
    let server = StaticServer::start(&site.public(), "/");
    let browser = Browser::launch();
    let tab = browser.new_tab();
    tab.set_viewport(1280, 800);
    let url = format!("{}{}", server.url(), page.trim_end_matches("index.html"));
    tab.goto(&url);
    // Folded until opened; the link is then followed as a reader would.
    let selector = format!("details.shared a[href=\"{href}\"]");
    assert_eq!(tab.eval(&format!("document.querySelector('{selector}').closest('details').open")), false);
    tab.eval(&format!(
        "document.querySelector('{selector}').closest('details').querySelector('summary').click(); true"
    ));
    tab.eval(&format!("document.querySelector('{selector}').click(); true"));
    let anchor = href.split_once('#').unwrap().1.to_string();
    tab.wait_for(
        &format!("location.hash === '#{anchor}' && document.readyState === 'complete'"),
        Duration::from_secs(10),
    );
    let shown: String = serde_json::from_value(tab.eval(&format!(
        "(() => {{ const p = document.getElementById('{anchor}'); const r = p.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight ? p.textContent : ''; }})()"
    )))
    .unwrap();
    let passage = han_of(text.trim_matches(|c| c == '“' || c == '”' || c == '…'));
    assert!(han_of(&shown).contains(&passage), "the paragraph on screen holds the passage: {shown}");
    assert_ne!(tab.eval("location.pathname"), serde_json::json!(format!("/{}", page.trim_end_matches("index.html"))));
}
