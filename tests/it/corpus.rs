//! The benchmarks' corpus generator (`benches/make-corpus`) stands alone:
//! it makes the same corpus from the same seed out of the bundled archive,
//! the corpus passes `archive check`, the reuse and reprints it says it
//! planted are really in the texts, and no other text is shared (the text is
//! composed word by word, so the reuse benchmark measures planted reuse).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::Command;

use crate::support::{snapshot, stderr};

fn make(out: &Path, n: usize) {
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/make-corpus");
    let status = Command::new(generator)
        .args(["--n", &n.to_string(), "--out", &out.to_string_lossy()])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn body(root: &Path, slug: &str) -> String {
    let year = &slug[..4];
    let text = std::fs::read_to_string(root.join(format!("content/speeches/{year}/{slug}.md"))).unwrap();
    text.split_once("\n---\n").unwrap().1.to_string()
}

#[test]
fn the_benchmark_corpus_is_deterministic_valid_and_holds_what_it_planted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    make(&a, 250);
    make(&b, 250);
    assert!(snapshot(&a) == snapshot(&b), "the same seed made two different corpora");
    std::fs::write(
        a.join("site.toml"),
        "title = \"讲话档案\"\ndescription = \"x\"\nbase_url = \"https://example.org/\"\nlanguage = \"zh-CN\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_archive")).args(["check", "--root"]).arg(&a).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let planted: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("planted.json")).unwrap()).unwrap();
    let (reuse, reprints) = (planted["reuse"].as_array().unwrap(), planted["reprints"].as_array().unwrap());
    assert!(reuse.len() >= 8 && reprints.len() >= 4, "{} reuse, {} reprints", reuse.len(), reprints.len());
    let paragraphs = |text: &str| -> Vec<String> { text.split("\n\n").map(|p| p.trim().to_string()).collect() };
    for r in reuse {
        let (doc, from) = (body(&a, r["doc"].as_str().unwrap()), body(&a, r["from"].as_str().unwrap()));
        let theirs = paragraphs(&from);
        let shared = paragraphs(&doc).iter().filter(|p| p.chars().count() > 20 && theirs.contains(p)).count();
        assert!(shared >= r["paragraphs"].as_u64().unwrap() as usize, "{r}");
    }
    for r in reprints {
        let (doc, of) =
            (paragraphs(&body(&a, r["doc"].as_str().unwrap())), paragraphs(&body(&a, r["of"].as_str().unwrap())));
        let same = doc.iter().filter(|p| of.contains(p)).count();
        assert!(doc != of && same * 10 >= of.len() * 5, "{r}: {same} of {} paragraphs kept", of.len());
    }
}

#[test]
fn the_benchmark_corpus_shares_passages_only_where_it_planted_them() {
    let tmp = tempfile::tempdir().unwrap();
    make(tmp.path(), 250);
    let planted: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("planted.json")).unwrap()).unwrap();
    // Speeches linked by planting, directly or through a chain (a reprint of a
    // speech that copied a paragraph shares it with the source), are one group.
    let mut group: HashMap<String, String> = HashMap::new();
    fn root(group: &HashMap<String, String>, mut slug: String) -> String {
        while let Some(up) = group.get(&slug) {
            slug = up.clone();
        }
        slug
    }
    let links = planted["reuse"].as_array().unwrap().iter().map(|r| (&r["doc"], &r["from"]));
    let links = links.chain(planted["reprints"].as_array().unwrap().iter().map(|r| (&r["doc"], &r["of"])));
    for (doc, from) in links {
        let (a, b) = (root(&group, doc.as_str().unwrap().into()), root(&group, from.as_str().unwrap().into()));
        if a != b {
            group.insert(a, b);
        }
    }
    // Every run of 30 Han characters (the shared-passage threshold), by hash.
    let mut seen: HashMap<u64, String> = HashMap::new();
    let mut unplanted = Vec::new();
    for entry in walkdir::WalkDir::new(tmp.path().join("content")).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let slug = path.file_stem().unwrap().to_string_lossy().to_string();
        let han: Vec<char> =
            body(tmp.path(), &slug).chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).collect();
        let mine = root(&group, slug.clone());
        for run in han.windows(30) {
            let mut h = DefaultHasher::new();
            run.hash(&mut h);
            match seen.get(&h.finish()) {
                Some(theirs) if *theirs != mine => unplanted.push((slug.clone(), run.iter().collect::<String>())),
                Some(_) => {}
                None => {
                    seen.insert(h.finish(), mine.clone());
                }
            }
        }
    }
    assert!(seen.len() > 250 * 1000, "only {} distinct runs", seen.len());
    assert!(unplanted.is_empty(), "{} runs shared but not planted, e.g. {:?}", unplanted.len(), &unplanted[..1]);
}
