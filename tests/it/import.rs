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

/// A speech whose date and place the text does not give.
const UNDATED: &str = "在全县脱贫攻坚推进会上的讲话\n\n同志们：\n\n今天我们召开全县脱贫攻坚推进会，主要任务是总结前一阶段的工作，部署下一阶段的任务，请大家认真抓好落实。\n";

#[test]
fn a_batch_writes_the_good_files_and_reports_each_bad_one() {
    let site = Site::fixture("basic");
    std::fs::write(site.root.join("good.txt"), RAW).unwrap();
    std::fs::write(site.root.join("undated.txt"), UNDATED).unwrap();
    std::fs::write(site.root.join("empty.txt"), "").unwrap();
    // Cut inside the last character, on line 3.
    let cut = &RAW.as_bytes()[..RAW.find("同志们").unwrap() + 2];
    std::fs::write(site.root.join("cut.txt"), cut).unwrap();
    let out = site.run(&["import", "-q", "good.txt", "empty.txt", "undated.txt", "cut.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("cut.txt:5:1: truncated"), "{err}");
    assert_eq!(lines[1], "empty.txt:1:1: the file is empty", "{err}");
    assert!(lines[2] == "error: 2 files not imported (listed above); 2 files imported: wrote 2 documents", "{err}");
    let written: Vec<_> = walkdir::WalkDir::new(site.root.join("content/speeches"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert!(written.iter().any(|p| p.file_name().unwrap().to_string_lossy().starts_with("wang-mou")), "{written:?}");
    // The undated speech is a draft that says what it needs; the site
    // builds without it, and check lists it.
    let draft = written.iter().find(|p| p.starts_with(site.root.join("content/speeches/undated"))).expect("a draft");
    let text = std::fs::read_to_string(draft).unwrap();
    assert!(text.contains("draft: true\nneeds: [date, speaker, city]\n"), "{text}");
    let built = site.build(&[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let listed = String::from_utf8_lossy(&check.stdout).to_string();
    let rel = draft.strip_prefix(&site.root).unwrap().display().to_string();
    assert!(listed.contains(&format!("{rel}: needs a human: date, speaker, city (draft)")), "{listed}");
}

#[test]
fn a_document_that_needs_fields_must_be_a_draft_and_name_real_fields() {
    let site = Site::fixture("basic");
    site.write(
        "content/speeches/2020/x.md",
        "---\ntitle: 讲话\ndate: 2020\nspeaker: 某\ncity: 安康市\nneeds: [city, colour]\n---\n\n正文\n",
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/speeches/2020/x.md:6:8: `needs`: `colour` is not a field of the content model"),
        "{err}"
    );
    assert!(err.contains("content/speeches/2020/x.md:6:8: `needs` lists fields still to fill in"), "{err}");
    site.write("content/speeches/2020/x.md", "---\ntitle: 讲话\ndate: 2020\ndraft: true\nneeds: [city]\n---\n\n正文\n");
    let err = stderr(&site.run(&["check"]));
    assert!(
        err.contains("x.md:2:1: missing required field `speaker`"),
        "only the fields in needs may be missing: {err}"
    );
}

/// Regression: imported documents named a raw file the archive did not
/// have, and carried no `added` day or source kind, so they could not link
/// their raw source, stayed out of the feeds and were cited with type `Z`.
#[test]
fn an_imported_document_keeps_its_raw_file_and_cites_and_links_it() {
    let site = Site::fixture("basic");
    let (gbk, _, _) = encoding_rs::GBK.encode(RAW);
    // A raw file keeps its name, which a link must encode.
    let name = "某某公文网 第1页#2.txt";
    std::fs::write(site.root.join(name), &gbk).unwrap();
    let import = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_archive"));
        cmd.current_dir(&site.root).env("SOURCE_DATE_EPOCH", "1764892800"); // 2025-12-05
        cmd.args(["import", "-q", name]).args(extra).output().unwrap()
    };
    let out = import(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(site.root.join("content/raw").join(name)).unwrap(),
        gbk.to_vec(),
        "the raw bytes, as they came"
    );
    let path = site.root.join("content/speeches/2019/wang-mou-2019-tuo-pin-gong-jian-gong-zuo-hui-yi.md");
    let doc = speech_archive::load::parse_document(
        std::path::Path::new("content/speeches/2019/a.md"),
        &std::fs::read_to_string(&path).unwrap(),
        &[],
    )
    .unwrap();
    assert_eq!(doc.curation.added.map(|d| d.to_string()).as_deref(), Some("2025-12-05"));
    let source = doc.source.unwrap();
    assert_eq!(source.kind, Some(speech_archive::model::SourceKind::Web), "a site's breadcrumb");
    assert_eq!(source.title.as_deref(), Some("某某公文网"));
    assert_eq!(source.raw.as_deref(), Some(name));
    let check = site.run(&["check"]);
    assert!(check.status.success(), "the hash matches the kept file: {}", stderr(&check));

    site.build(&[]);
    let page = site.page("speeches/wang-mou-2019-tuo-pin-gong-jian-gong-zuo-hui-yi/index.html");
    let href = select(&page, ".source .raw a")[0].value().attr("href").unwrap().to_string();
    assert_eq!(href, "../../raw/%E6%9F%90%E6%9F%90%E5%85%AC%E6%96%87%E7%BD%91%20%E7%AC%AC1%E9%A1%B5%232.txt");
    let file = percent_encoding::percent_decode_str(href.trim_start_matches("../../")).decode_utf8().unwrap();
    assert_eq!(std::fs::read(site.public().join(file.as_ref())).unwrap(), gbk.to_vec(), "the link opens the raw file");
    let gbt: String = select(&page, ".citation-gbt7714")[0].text().collect();
    assert!(gbt.contains("[EB/OL]. 某某公文网") && !gbt.contains("//某某"), "a web page, no host work: {gbt}");
    let feed = std::fs::read_to_string(site.public().join("atom.xml")).unwrap();
    assert!(feed.contains("<updated>2025-12-05T00:00:00Z</updated>"), "{feed}");

    // Other bytes under the same name are not put in its place: the
    // documents cite the kept file by its hash.
    std::fs::write(site.root.join(name), RAW).unwrap();
    // A dry run says so as the real run does, and writes nothing.
    for extra in [&["--dry-run"][..], &[]] {
        let refused = import(extra);
        assert_eq!(refused.status.code(), Some(1), "{extra:?}");
        let err = stderr(&refused);
        assert!(
            err.contains(&format!("{name}:1:1: "))
                && err.contains(&format!("raw/{name} holds other bytes under this name")),
            "{extra:?}: {err}"
        );
        assert_eq!(std::fs::read(site.root.join("content/raw").join(name)).unwrap(), gbk.to_vec());
    }
}

/// Regression: two raw files of one run with the same name and other
/// bytes were not reported by `--dry-run` (it copies nothing, so the
/// second found no file in content/raw/), and with `--force` the second
/// replaced the first, whose documents then cited a file that was gone.
#[test]
fn two_raw_files_of_one_name_are_refused_in_a_dry_run_and_with_force() {
    let site = Site::fixture("basic");
    let (gbk, _, _) = encoding_rs::GBK.encode(RAW);
    for (dir, bytes) in [("a", gbk.to_vec()), ("b", RAW.as_bytes().to_vec())] {
        std::fs::create_dir_all(site.root.join(dir)).unwrap();
        std::fs::write(site.root.join(dir).join("讲话.txt"), bytes).unwrap();
    }
    for extra in [&["--dry-run"][..], &["--force"]] {
        let out = site.run(&[&["import", "-q", "a/讲话.txt", "b/讲话.txt"][..], extra].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {err}");
        assert!(err.contains("b/讲话.txt:1:1: a/讲话.txt has the same file name with other bytes"), "{extra:?}: {err}");
    }
    assert_eq!(std::fs::read(site.root.join("content/raw/讲话.txt")).unwrap(), gbk.to_vec(), "the first stays");
}

/// Regression: a place name that fits several units was left out of the
/// document, but the report did not say which units it could be.
#[test]
fn an_ambiguous_place_is_left_to_a_human_with_every_candidate() {
    let site = Site::fixture("basic");
    let report = "全区推进会在鼓楼区召开\n\n5月4日，全区脱贫攻坚推进会在鼓楼区召开。会议强调，要狠抓落实。\n";
    std::fs::write(site.root.join("report.txt"), report).unwrap();
    let out = site.run(&["import", "report.txt"]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(out.status.success(), "{said}");
    let line = said.lines().find(|l| l.contains("needs a human: city")).unwrap_or_else(|| panic!("{said}"));
    assert!(line.contains("a name fits several units: 鼓楼区: "), "{line}");
    assert!(line.contains("江苏省南京市鼓楼区") && line.contains("福建省福州市鼓楼区"), "{line}");
    let written: Vec<_> = walkdir::WalkDir::new(site.root.join("content/speeches/undated"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(!text.contains("\nprovince:"), "a guess was written: {text}");
    assert!(text.contains("\ncity:  # needs a human: a name fits several units: 鼓楼区: 江苏省南京市鼓楼区"), "{text}");
    assert!(text.contains("needs: [date, city]"), "{text}");
}

/// Regression: a paragraph printed twice in one speech (a speaker coming
/// back to a point, or a page that pasted it twice) cut the speech in two,
/// and the second half became an untitled document with nothing found.
#[test]
fn a_paragraph_printed_twice_leaves_a_speech_whole() {
    let site = Site::fixture("basic");
    let point = "各级各部门和在座的每一位扶贫干部必须进一步增强政治意识，充分认识做好今年脱贫攻坚工作的重大意义，把思想和行动统一到中央和省委的决策部署上来，以更加坚定的决心、更加有力的措施、更加扎实的作风，全力以赴打赢脱贫攻坚这场硬仗。";
    let text = format!(
        "县委书记王建国在全县脱贫攻坚推进会上的讲话\n\n（2019年5月8日）\n\n同志们：\n\n{point}\n\n今年以来，全县上下共同努力，产业扶贫、易地搬迁、教育扶贫各项工作取得了新的进展。\n\n{point}\n\n最后，希望大家鼓足干劲，确保今年目标任务全面完成。\n"
    );
    std::fs::write(site.root.join("speech.txt"), text).unwrap();
    let out = site.run(&["import", "speech.txt"]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(out.status.success(), "{said}");
    assert!(said.contains("repeated passage"), "{said}");
    let written: Vec<_> = walkdir::WalkDir::new(site.root.join("content/speeches"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md") && std::fs::read_to_string(p).unwrap().contains("raw: speech.txt")
        })
        .collect();
    assert_eq!(written.len(), 1, "{said}");
    let doc = std::fs::read_to_string(&written[0]).unwrap();
    assert!(doc.contains("speaker: 王建国") && doc.contains("最后，希望大家鼓足干劲"), "{doc}");
}

/// The texts are read and analysed in parallel, but what each is linked to,
/// its slug and its path depend on the files before it: a run on one thread
/// and a run on four write the same files under the same names and report
/// them in the same order.
#[test]
fn a_parallel_batch_writes_what_a_serial_one_writes() {
    let site = Site::fixture("basic");
    let mut files = Vec::new();
    for i in 0..12 {
        // Pairs of near-copies (a reprint of the one before) with the same
        // title, so slugs collide and the order decides who gets `-2`.
        let text = if i % 2 == 0 { RAW.to_string() } else { RAW.replace("同志们", "各位同志们") };
        let name = format!("t{i:02}.txt");
        std::fs::write(site.root.join(&name), format!("{text}\n第{i}份。\n")).unwrap();
        files.push(name);
    }
    let run = |threads: &str, out: &str| {
        let report = format!("{out}.json");
        let mut args = vec!["import", "-q", "--out", out, "--report", &report];
        args.extend(files.iter().map(String::as_str));
        let done = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
            .current_dir(&site.root)
            .env("RAYON_NUM_THREADS", threads)
            .args(&args)
            .output()
            .unwrap();
        assert!(done.status.success(), "{}", stderr(&done));
        let mut written: Vec<(String, String)> = walkdir::WalkDir::new(site.root.join(out))
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .map(|p| {
                let rel = p.strip_prefix(site.root.join(out)).unwrap().display().to_string();
                (rel, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        written.sort();
        let report = std::fs::read_to_string(site.root.join(&report)).unwrap().replace(out, "OUT");
        (written, report)
    };
    let (serial, serial_report) = run("1", "serial");
    let (parallel, parallel_report) = run("4", "parallel");
    assert!(serial.len() >= 12 && serial.iter().any(|(_, t)| t.contains("variant_of:")), "{serial:?}");
    assert_eq!(serial, parallel);
    assert_eq!(serial_report, parallel_report);
}
