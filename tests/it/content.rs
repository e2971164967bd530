//! The bundled archive against the raw seeds (`content/raw/`): not one
//! Han character of a speech lost, added or reordered, and every character
//! the curation left out accounted for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use speech_archive::load::parse_document;
use speech_archive::model::Document;
use speech_archive::script::is_han;

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/raw")
}

fn han(text: &str) -> Vec<char> {
    text.chars().filter(|c| is_han(*c)).collect()
}

fn curated() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    walkdir::WalkDir::new(root.join("content/speeches"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            parse_document(rel, &std::fs::read_to_string(e.path()).unwrap(), &[]).unwrap()
        })
        .collect()
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the curation left out of the bodies, pinned: (seed, Han offset,
/// length, what it is). Titles and datelines went into front matter,
/// distribution lists into `source.distribution`.
const LEFT_OUT: [(&str, usize, usize, &str); 19] = [
    ("000", 0, 52, "masthead, title, dateline"),
    ("000", 4616, 78, "distribution list"),
    ("001", 0, 55, "masthead, title, dateline"),
    ("001", 6372, 79, "distribution list"),
    ("002", 0, 105, "site chrome, title, 小编 intro"),
    ("002", 4654, 102, "keyword footer, copyright, ICP line"),
    ("003", 0, 133, "download-site header"),
    ("003", 1413, 29, "title and dateline"),
    ("003", 5530, 24, "title and dateline"),
    ("003", 11168, 31, "title and dateline"),
    ("003", 19083, 56, "title and web byline"),
    ("003", 26239, 30, "title and dateline"),
    ("003", 32209, 28, "title and dateline"),
    ("003", 38130, 25, "title and dateline"),
    ("003", 44936, 32, "title"),
    ("003", 50484, 777, "a repeated paste of the preceding speech's section 二"),
    ("003", 53237, 43, "title and web byline"),
    ("003", 60757, 234, "download prompts"),
    ("004", 0, 31, "title"),
];

#[test]
fn every_seed_document_keeps_every_han_character_in_order() {
    let mut by_seed: BTreeMap<String, Vec<Document>> = BTreeMap::new();
    for doc in curated() {
        let raw = doc
            .source
            .as_ref()
            .and_then(|s| s.raw.clone())
            .unwrap_or_else(|| panic!("{} names no raw file", doc.path.display()));
        by_seed.entry(raw).or_default().push(doc);
    }
    assert_eq!(by_seed.len(), 5, "documents from all five seeds: {:?}", by_seed.keys().collect::<Vec<_>>());
    let mut gaps = Vec::new();
    for (raw, docs) in &by_seed {
        let bytes = std::fs::read(seeds().join(raw)).unwrap();
        let sha = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let text = han(&String::from_utf8(bytes).unwrap());
        let mut spans = Vec::new();
        for doc in docs {
            assert_eq!(
                doc.source.as_ref().unwrap().raw_sha256.as_deref(),
                Some(sha.as_str()),
                "{}",
                doc.path.display()
            );
            let body = han(doc.body.text().unwrap());
            // A body must be one unbroken run of the raw text's Han characters.
            let at = find(&text, &body)
                .unwrap_or_else(|| panic!("{}: body is not a run of {raw}'s text", doc.path.display()));
            spans.push((at, at + body.len()));
        }
        spans.sort();
        let mut pos = 0;
        for (start, end) in spans.into_iter().chain([(text.len(), text.len())]) {
            if start > pos {
                gaps.push((raw[..3].to_string(), pos, start - pos));
            }
            pos = pos.max(end);
        }
    }
    let pinned: Vec<(String, usize, usize)> =
        LEFT_OUT.iter().map(|&(s, at, len, _)| (s.to_string(), at, len)).collect();
    assert_eq!(gaps, pinned, "Han text outside every body changed");
}

#[test]
fn a_heading_left_out_of_a_body_holds_that_documents_title() {
    let seed = han(&std::fs::read_to_string(seeds().join("003_970ab7304baf688f.txt")).unwrap());
    for doc in
        curated().iter().filter(|d| d.source.as_ref().unwrap().raw.as_deref() == Some("003_970ab7304baf688f.txt"))
    {
        let body = han(doc.body.text().unwrap());
        let at = find(&seed, &body).unwrap();
        let head: Vec<char> = seed[at.saturating_sub(80)..at].to_vec();
        let title = han(&doc.title);
        if doc.title.contains("无标题") {
            continue; // an untitled fragment: the curator supplied its title
        }
        assert!(find(&head, &title).is_some(), "{}: title not found before the body", doc.path.display());
    }
}
