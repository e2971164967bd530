//! The downloads: the whole archive as CSV, JSON and JSONL with a
//! Frictionless data package (validated by the real `frictionless`), each
//! document's files beside its page, each index page's CSV, the raw
//! sources, and the data page that documents every field.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use speech_archive::load::parse_document;

use crate::support::{select, snapshot, texts, Site};

/// The `frictionless` command that scripts/test installs (target/tools/bin).
fn frictionless() -> PathBuf {
    let path = std::env::var_os("FRICTIONLESS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/bin/frictionless"));
    assert!(path.is_file(), "no frictionless at {}: run scripts/test, which installs it", path.display());
    path
}

fn json_of(out: std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// Every content file of the site, parsed as the library parses it.
fn front_matter(site: &Site) -> Vec<speech_archive::model::Document> {
    walkdir::WalkDir::new(site.root.join("content/speeches"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let rel = p.strip_prefix(&site.root).unwrap().to_path_buf();
            parse_document(&rel, &std::fs::read_to_string(&p).unwrap(), &[]).unwrap()
        })
        .collect()
}

#[test]
#[ignore = "needs frictionless; run by scripts/test"]
fn the_data_package_is_valid_and_every_field_round_trips() {
    let site = Site::bundled();
    site.build(&[]);
    let data = site.public().join("data");
    let report = json_of(
        Command::new(frictionless())
            .args(["validate", "--json", "datapackage.json"])
            .current_dir(&data)
            .output()
            .unwrap(),
    );
    assert_eq!(report["valid"], Value::Bool(true), "{report:#}");
    let tables = report["tasks"].as_array().unwrap();
    assert_eq!(tables.len(), 3, "{report:#}");

    // The CSV as frictionless reads it, typed by the schema.
    let extracted = json_of(
        Command::new(frictionless())
            .args(["extract", "--json", "datapackage.json"])
            .current_dir(&data)
            .output()
            .unwrap(),
    );
    let rows = extracted["documents"].as_array().expect("the documents resource");
    let json: Vec<Value> = serde_json::from_slice(&std::fs::read(data.join("documents.json")).unwrap()).unwrap();
    let docs = front_matter(&site);
    assert_eq!(rows.len(), docs.len(), "one row per document");
    assert_eq!(json.len(), docs.len());
    for (row, object) in rows.iter().zip(&json) {
        // Every field of the CSV says what the JSON says: lists joined.
        for (key, value) in object.as_object().unwrap() {
            let expected = match value {
                Value::Array(items) if items.is_empty() => Value::Null,
                Value::Array(items) => {
                    Value::String(items.iter().map(|i| i.as_str().unwrap()).collect::<Vec<_>>().join(" | "))
                }
                other => other.clone(),
            };
            assert_eq!(row[key], expected, "{}: {key}", object["slug"]);
        }
        // And both say what the front matter says.
        let doc = docs.iter().find(|d| d.slug == row["slug"]).unwrap();
        assert_eq!(row["title"], Value::String(doc.title.clone()));
        assert_eq!(row["date"], Value::String(doc.date.to_string()));
        assert_eq!(object["speaker"], serde_json::json!(doc.speakers));
        assert_eq!(row["city"], Value::String(doc.city.clone()));
        assert_eq!(object["supplied"], serde_json::json!(doc.curation.supplied));
        assert_eq!(row["added"].as_str(), doc.curation.added.map(|d| d.to_string()).as_deref());
        assert_eq!(row["transcribed"], Value::Bool(doc.transcribed));
        let src = doc.source.as_ref();
        assert_eq!(row["source_raw_sha256"].as_str(), src.and_then(|s| s.raw_sha256.as_deref()));
        assert_eq!(
            object["source_distribution"],
            serde_json::json!(src.map(|s| s.distribution.clone()).unwrap_or_default())
        );
        for theme in &doc.themes {
            assert!(row["themes"].as_str().unwrap().split(" | ").any(|t| t == theme), "{theme}");
        }
    }
}

#[test]
fn the_csv_opens_in_a_spreadsheet_and_the_texts_keep_their_anchors() {
    let site = Site::bundled();
    site.build(&[]);
    let csv = std::fs::read(site.public().join("data/documents.csv")).unwrap();
    assert!(csv.starts_with(b"\xef\xbb\xbfslug,title,"), "UTF-8 with a byte-order mark");
    assert!(csv.windows(2).any(|w| w == b"\r\n"));
    // Every paragraph of the JSONL is on its page, under the same anchor.
    let jsonl = std::fs::read_to_string(site.public().join("data/texts.jsonl")).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 16);
    for line in &lines {
        let page = site.page(&format!("speeches/{}/index.html", line["slug"].as_str().unwrap()));
        let mut anchored = 0;
        for block in line["blocks"].as_array().unwrap() {
            let Some(anchor) = block["anchor"].as_str() else { continue };
            let on_page = texts(&page, &format!("#{anchor}"));
            assert_eq!(on_page.len(), 1, "{} {anchor}", line["slug"]);
            let text: String = on_page[0].trim_end_matches('¶').chars().filter(|c| !c.is_whitespace()).collect();
            let ours: String = block["text"].as_str().unwrap().chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(text, ours, "{} {anchor}", line["slug"]);
            anchored += 1;
        }
        assert!(anchored > 0);
    }
}

#[test]
fn each_document_and_index_page_offers_its_downloads() {
    let site = Site::bundled();
    site.build(&[]);
    let slug = "he-bangjun-2020-zhucun-ganbu-peixun";
    let page = site.page(&format!("speeches/{slug}/index.html"));
    let links: Vec<&str> = select(&page, ".downloads a").iter().map(|a| a.value().attr("href").unwrap()).collect();
    assert_eq!(links.len(), 5, "{links:?}");
    for link in links {
        assert!(site.public().join(format!("speeches/{slug}/{link}")).is_file(), "{link}");
    }
    // The Markdown is the content file itself; the text holds its body.
    let md = std::fs::read(site.public().join(format!("speeches/{slug}/{slug}.md"))).unwrap();
    assert_eq!(md, std::fs::read(site.root.join(format!("content/speeches/2020/{slug}.md"))).unwrap());
    let txt = std::fs::read_to_string(site.public().join(format!("speeches/{slug}/{slug}.txt"))).unwrap();
    assert!(txt.starts_with("在全市驻村帮扶干部培训班上的讲话\n何邦军 · 2020-04-03"), "{txt}");
    assert!(txt.contains("\n\n一、认清严峻形势\n\n"));
    assert!(!txt.contains("##"));
    // A term page links the CSV of its documents, which holds just those.
    let city = site.page("cities/an-kang-shi/index.html");
    let csv_link = select(&city, "a.csv-link")[0].value().attr("href").unwrap();
    assert_eq!(csv_link, "../../cities/an-kang-shi/documents.csv");
    let csv = std::fs::read_to_string(site.public().join("cities/an-kang-shi/documents.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + select(&city, ".doc-list > li").len());
    assert!(csv.lines().skip(1).all(|l| l.contains(",安康市,")), "{csv}");
    // The raw sources are published as they are.
    for raw in std::fs::read_dir(site.root.join("content/raw")).unwrap() {
        let raw = raw.unwrap();
        let published = std::fs::read(site.public().join("raw").join(raw.file_name())).unwrap();
        assert_eq!(published, std::fs::read(raw.path()).unwrap());
    }
}

#[test]
fn every_page_links_the_data_page_which_documents_every_field() {
    let site = Site::bundled();
    site.build(&[]);
    for page in ["index.html", "speeches/index.html", "cities/index.html", "about/index.html"] {
        let html = site.page(page);
        let hrefs: Vec<&str> =
            select(&html, ".site-footer a").iter().map(|a| a.value().attr("href").unwrap()).collect();
        assert!(hrefs.iter().any(|h| h.ends_with("data/")), "{page}: {hrefs:?}");
    }
    let data = site.page("data/index.html");
    let documented: Vec<String> = texts(&data, ".data-fields tbody th code");
    let csv = std::fs::read_to_string(site.public().join("data/documents.csv")).unwrap();
    let header: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().next().unwrap().split(',').collect();
    assert_eq!(documented, header, "the data page documents exactly the CSV's columns");
    let package: Value =
        serde_json::from_slice(&std::fs::read(site.public().join("data/datapackage.json")).unwrap()).unwrap();
    assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0", "the licence site.toml states");
    assert_eq!(package["sources"].as_array().unwrap().len(), 4);
    let files: Vec<&str> = select(&data, ".data-files a").iter().map(|a| a.value().attr("href").unwrap()).collect();
    for f in files {
        assert!(site.public().join(f.trim_start_matches("../")).is_file(), "{f}");
    }
}

#[test]
fn downloads_after_edits_are_the_bytes_of_a_clean_build() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let raw = site.root.join("content/raw/000_test.txt");
    std::fs::write(&raw, std::fs::read_to_string(&raw).unwrap().replace("责任重大", "责任十分重大")).unwrap();
    let doc = site.root.join("content/speeches/2020/li-wei-2020-repost.md");
    std::fs::write(&doc, std::fs::read_to_string(&doc).unwrap().replace("今天开会", "今天召开会议")).unwrap();
    site.build(&[]);
    let clean = site.run(&["build", "--clean", "--output", "clean"]);
    assert!(clean.status.success());
    let (a, b) = (snapshot(&site.public()), snapshot(&site.root.join("clean")));
    assert!(a == b, "incremental downloads differ from a clean build");
    let published = std::fs::read_to_string(site.public().join("raw/000_test.txt")).unwrap();
    assert!(published.contains("责任十分重大"));
    let md = std::fs::read_to_string(site.public().join("speeches/li-wei-2020-repost/li-wei-2020-repost.md")).unwrap();
    assert!(md.contains("今天召开会议"));
}
