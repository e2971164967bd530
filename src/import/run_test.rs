//! `archive import` end to end on temporary folders: a bad input gives a
//! clear error and the good ones of the batch are written, existing files
//! are kept without `--force`, `--dry-run` writes nothing, large and GBK
//! inputs import.

use std::path::{Path, PathBuf};

use super::ImportOptions as ImportArgs;
use super::{run, Report};

const SPEECH: &str = "安康市委书记王某在全市脱贫攻坚工作会议上的讲话（2019年3月2日）\n\n同志们：\n\n今天我们召开全市脱贫攻坚工作会议，主要任务是总结去年的工作，安排今年的任务。\n\n一、认清形势\n\n去年全市脱贫攻坚取得了明显成效，贫困人口大幅减少，基础设施明显改善。\n";

fn args(root: &Path, files: Vec<PathBuf>) -> ImportArgs {
    ImportArgs { files, root: root.to_path_buf(), out: None, dry_run: false, force: false, report: None, added: None }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn written(root: &Path) -> Vec<PathBuf> {
    let dir = root.join("content/speeches");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&dir).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

fn ok(args: &ImportArgs) -> Report {
    let report = run(args, &()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report
}

fn error_of(root: &Path, files: Vec<PathBuf>) -> String {
    run(&args(root, files), &()).unwrap().problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_speech_is_written_at_year_and_slug_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let raw = write(dir.path(), "a.txt", SPEECH.as_bytes());
    ok(&args(dir.path(), vec![raw]));
    let files = written(dir.path());
    assert_eq!(files, [PathBuf::from("2019/wang-mou-2019-tuo-pin-gong-jian-gong-zuo-hui-yi.md")]);
    let text = std::fs::read_to_string(dir.path().join("content/speeches").join(&files[0])).unwrap();
    let doc = crate::load::parse_document(Path::new("content/speeches/2019/x.md"), &text, &[]).unwrap();
    assert_eq!((doc.speakers[0].as_str(), doc.speaker_title.as_deref()), ("王某", Some("安康市委书记")));
    let body = doc.body.text().unwrap();
    assert!(body.contains("## 一、认清形势"), "{body}");
    assert_eq!((doc.city.as_str(), doc.province.as_deref()), ("安康市", Some("陕西省")));
}

#[test]
fn a_bad_input_is_a_clear_error_and_the_good_ones_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.txt", SPEECH.as_bytes());
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.txt", Vec::new(), "empty.txt:1:1: the file is empty"),
        ("binary.txt", b"GIF89a\x01\x00\x00\x00\x00".to_vec(), "binary.txt:1:8: binary data (a NUL byte at byte 7)"),
        (
            "cut.txt",
            SPEECH.as_bytes()[..SPEECH.len() - 2].to_vec(),
            "truncated: the file ends inside a UTF-8 character",
        ),
        ("latin.txt", b"Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e".to_vec(), "latin.txt:1:4: not valid UTF-8 (at byte 3)"),
    ];
    for (name, bytes, expected) in cases {
        let bad = write(dir.path(), name, &bytes);
        let e = error_of(dir.path(), vec![good.clone(), bad]);
        assert!(e.contains(expected), "{name}: {e}");
        assert_eq!(written(dir.path()).len(), 1, "{name}: the good file was not written");
        std::fs::remove_dir_all(dir.path().join("content")).unwrap();
    }
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let raw = write(dir.path(), "a.txt", SPEECH.as_bytes());
    ok(&args(dir.path(), vec![raw.clone()]));
    let target = dir.path().join("content/speeches").join(&written(dir.path())[0]);
    std::fs::write(&target, "edited by hand").unwrap();
    let e = error_of(dir.path(), vec![raw.clone()]);
    assert!(e.contains("exists; use --force to overwrite it"), "{e}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "edited by hand");
    ok(&ImportArgs { force: true, ..args(dir.path(), vec![raw]) });
    assert!(std::fs::read_to_string(&target).unwrap().starts_with("---\n"));
    let leftovers = std::fs::read_dir(target.parent().unwrap()).unwrap().count();
    assert_eq!(leftovers, 1, "a temporary file was left behind");
}

#[test]
fn the_raw_file_is_kept_in_the_archive_with_the_days_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let bulletin = format!("安政通报\n\n第二十二期\n\n安康市人民政府办公室\n\n2019年3月5日\n\n{SPEECH}");
    let raw = write(dir.path(), "b.txt", bulletin.as_bytes());
    let added = crate::model::PartialDate::parse("2026-12-05").ok();
    let report = ok(&ImportArgs { added, ..args(dir.path(), vec![raw.clone()]) });
    assert_eq!(std::fs::read(dir.path().join("content/raw/b.txt")).unwrap(), bulletin.as_bytes());
    let told = format!("  kept the raw file as {}\n", dir.path().join("content/raw/b.txt").display());
    assert!(super::render_text(&report).contains(&told), "{}", super::render_text(&report));
    let text = std::fs::read_to_string(dir.path().join("content/speeches").join(&written(dir.path())[0])).unwrap();
    let doc = crate::load::parse_document(Path::new("content/speeches/2019/x.md"), &text, &[]).unwrap();
    assert_eq!(doc.curation.added, added);
    let source = doc.source.unwrap();
    assert_eq!(source.kind, Some(crate::model::SourceKind::Bulletin), "{text}");
    assert_eq!((source.title.as_deref(), source.issue.as_deref()), (Some("安政通报"), Some("第二十二期")));

    // A re-import keeps the day the document first came in.
    let later = crate::model::PartialDate::parse("2027-01-01").ok();
    ok(&ImportArgs { added: later, force: true, ..args(dir.path(), vec![raw]) });
    let text = std::fs::read_to_string(dir.path().join("content/speeches").join(&written(dir.path())[0])).unwrap();
    assert!(text.contains("added: 2026-12-05\n"), "{text}");

    // --out writes only the content files: nothing into the archive.
    let out = dir.path().join("elsewhere");
    let raw = write(dir.path(), "c.txt", SPEECH.replace("王某", "李某").as_bytes());
    let report = ok(&ImportArgs { out: Some(out), ..args(dir.path(), vec![raw]) });
    assert!(!dir.path().join("content/raw/c.txt").exists());
    assert!(!super::render_text(&report).contains("raw file"), "{}", super::render_text(&report));
}

#[test]
fn dry_run_writes_nothing_but_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let raw = write(dir.path(), "a.txt", SPEECH.as_bytes());
    let report = dir.path().join("report.json");
    ok(&ImportArgs { dry_run: true, report: Some(report.clone()), ..args(dir.path(), vec![raw]) });
    assert!(written(dir.path()).is_empty());
    assert!(!dir.path().join("content/raw").exists(), "the raw file was kept");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let doc = &json["files"][0]["documents"][0];
    assert_eq!(doc["meta"]["speaker"], "王某");
    assert_eq!(doc["written"], false);
}

#[test]
fn gbk_and_two_megabyte_inputs_import() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(SPEECH);
    let raw = write(dir.path(), "gbk.txt", &gbk);
    ok(&args(dir.path(), vec![raw]));
    assert_eq!(written(dir.path()).len(), 1);

    // Two megabytes of distinct sentences, so that no passage repeats.
    let han: Vec<char> =
        "脱贫攻坚工作会议精神落实责任产业扶贫就业搬迁教育健康兜底保障资金项目考核督查作风干部群众乡村振兴"
            .chars()
            .collect();
    let mut text = String::from("县委书记李某在全县脱贫攻坚大会上的讲话（2018年5月6日）\n同志们：\n");
    let mut seed: u64 = 7;
    while text.len() < 2 * 1024 * 1024 {
        for _ in 0..40 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push(han[(seed >> 33) as usize % han.len()]);
        }
        text.push_str("。\n");
    }
    let big = write(dir.path(), "big.txt", text.as_bytes());
    ok(&args(dir.path(), vec![big]));
    assert_eq!(written(dir.path()).len(), 2);
}
