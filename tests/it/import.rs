//! `archive import` through the real binary: a raw GBK text becomes a
//! content file that builds into a page; nothing is overwritten without
//! `--force`; a bad input is a path:line:col error and writes nothing.

use crate::support::{select, stderr, texts, Site};

const RAW: &str = "当前位置：某某公文网 > 讲话\n\n安康市委书记王某在全市脱贫攻坚工作会议上的讲话（2019年3月2日）\n\n同志们：\n\n今天我们召开全市脱贫攻坚工作会议，主要任务是总结去年的工作，安排今年的任务。\n\n一、认清形势\n\n去年全市脱贫攻坚取得了明显成效，贫困人口大幅减少，基础设施明显改善。\n";

#[test]
fn a_raw_gbk_text_imports_and_builds() {
    let site = Site::fixture("basic");
    let (gbk, _, _) = encoding_rs::GBK.encode(RAW);
    std::fs::write(site.root.join("raw.txt"), &gbk).unwrap();
    let out = site.run(&["import", "-q", "raw.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Vec<_> = walkdir::WalkDir::new(site.root.join("content/speeches/2019"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("wang-mou")))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.contains("## 一、认清形势"), "{text}");
    assert!(!text.contains("当前位置"), "breadcrumb kept: {text}");
    site.build(&[]);
    let slug = written[0].file_stem().unwrap().to_string_lossy().to_string();
    let page = site.page(&format!("speeches/{slug}/index.html"));
    assert_eq!(texts(&page, "h1"), ["在全市脱贫攻坚工作会议上的讲话"]);
    assert_eq!(select(&page, ".doc-body h2").len(), 1);

    std::fs::write(&written[0], "edited by hand").unwrap();
    let again = site.run(&["import", "-q", "raw.txt"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("use --force"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), "edited by hand");
}

#[test]
fn a_bad_input_names_its_position_and_writes_nothing() {
    let site = Site::fixture("basic");
    std::fs::write(site.root.join("good.txt"), RAW).unwrap();
    std::fs::write(site.root.join("bin.txt"), b"GIF89a\x01\x00\x00").unwrap();
    let out = site.run(&["import", "-q", "good.txt", "bin.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("bin.txt:1:8: "), "{}", stderr(&out));
    assert!(!site.root.join("content/speeches/2019").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("wang-mou")));
}
