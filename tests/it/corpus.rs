//! The benchmarks' corpus generator (`benches/make-corpus`) stands alone:
//! it makes the same corpus from the same seed out of the bundled archive,
//! the corpus passes `archive check`, and the reuse and reprints it says it
//! planted are really in the texts.

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
