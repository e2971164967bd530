//! Incremental builds: after any sequence of edits, a build that reuses the
//! cache writes exactly the files a clean build writes, byte for byte:
//! edits to content (some adding or removing passages that other documents
//! share, so the reuse stage matches incrementally), to site.toml and to
//! the site's templates.

use crate::support::{snapshot, Site};

/// A small deterministic generator, so a failing sequence can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const CITIES: [(&str, &str); 3] = [("安康市", "陕西省"), ("锦州市", "辽宁省"), ("信阳市", "河南省")];
const THEMES: [&str; 4] = ["驻村帮扶", "产业扶贫", "考核评估", "疫情影响"];
const SPEAKERS: [&str; 3] = ["李伟", "李薇", "王五"];
/// Paragraphs long enough to be shared passages (the reuse stage's panels).
const PASSAGES: [&str; 2] = [
    "各级党委政府要把脱贫攻坚作为头等大事和第一民生工程来抓，坚持以脱贫攻坚统揽经济社会发展全局。",
    "驻村工作队要吃住在村，真正做到身子沉下去、情况摸上来、措施落下去，帮助群众解决急难愁盼问题。",
];

fn document(rng: &mut Lcg, n: usize) -> String {
    let (city, province) = CITIES[rng.next(CITIES.len())];
    let year = 2016 + rng.next(5);
    let mut body: Vec<String> =
        (0..1 + rng.next(4)).map(|p| format!("第{p}段，讲话{n}的正文，关于疫情和驻村。")).collect();
    body.push(PASSAGES[rng.next(PASSAGES.len())].to_string());
    format!(
        "---\ntitle: 在第{n}次会议上的讲话\ndate: {year}-0{}-1{}\nspeaker: {}\ncity: {city}\nprovince: {province}\nthemes: [{}]\n---\n\n同志们：\n\n## 一、形势\n\n{}\n",
        1 + rng.next(9),
        rng.next(9),
        SPEAKERS[rng.next(SPEAKERS.len())],
        THEMES[rng.next(THEMES.len())],
        body.join("\n\n")
    )
}

fn speeches(site: &Site) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(site.root.join("content/speeches"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

/// Applies one random edit; returns what it did.
fn edit(site: &Site, rng: &mut Lcg, step: usize) -> String {
    let files = speeches(site);
    let pick = &files[rng.next(files.len())];
    let text = std::fs::read_to_string(pick).unwrap_or_default();
    let rel = pick.strip_prefix(&site.root).unwrap().display().to_string();
    match rng.next(9) {
        0 => {
            let text = document(rng, step);
            let year = text.split("date: ").nth(1).unwrap()[..4].to_string();
            site.write(&format!("content/speeches/{year}/new-{step}.md"), &text);
            format!("add new-{step}")
        }
        1 => {
            let paragraph = match rng.next(2) {
                0 => PASSAGES[rng.next(PASSAGES.len())].to_string(),
                _ => format!("新增一段，第{step}次修改。"),
            };
            std::fs::write(pick, format!("{text}\n{paragraph}\n")).unwrap();
            format!("edit body of {rel}")
        }
        2 => {
            std::fs::write(pick, text.replacen("title: ", &format!("title: 修改{step}"), 1)).unwrap();
            format!("edit title of {rel}")
        }
        3 => {
            let theme = THEMES[rng.next(THEMES.len())];
            let changed = text
                .lines()
                .map(|l| if l.starts_with("themes:") { format!("themes: [{theme}]") } else { l.to_string() })
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(pick, changed + "\n").unwrap();
            format!("retag {rel} as {theme}")
        }
        4 if files.len() > 2 => {
            std::fs::remove_file(pick).unwrap();
            format!("delete {rel}")
        }
        5 => {
            let to = pick.with_file_name(format!("renamed-{step}.md"));
            std::fs::rename(pick, &to).unwrap();
            format!("rename {rel}")
        }
        6 => edit_settings(site, rng, step),
        7 => edit_template(site, rng, step),
        _ => {
            std::fs::write(pick, text.replacen("---\n", "---\ntitle: [broken\n", 1)).unwrap();
            format!("break {rel}")
        }
    }
}

/// Rewrites site.toml: its title, page size and theme rules.
fn edit_settings(site: &Site, rng: &mut Lcg, step: usize) -> String {
    let keyword = ["疫情", "驻村", "正文"][rng.next(3)];
    let paginate_by = 1 + rng.next(3);
    site.write(
        "site.toml",
        &format!(
            "title = \"测试档案{step}\"\ndescription = \"集成测试用的小档案\"\nbase_url = \"https://example.org/\"\n\
             paginate_by = {paginate_by}\n\n[theme_rules]\n\"疫情影响\" = [\"{keyword}\"]\n"
        ),
    );
    format!("site.toml: paginate_by {paginate_by}, 疫情影响 by {keyword}")
}

/// Overrides one of the default theme's templates in the site's
/// `templates/` with a changed copy, or removes the override.
fn edit_template(site: &Site, rng: &mut Lcg, step: usize) -> String {
    let (name, from) =
        [("base.html", "</footer>"), ("item.html", "</"), ("passage.html", "</"), ("term.html", "</")][rng.next(4)];
    let path = site.root.join("templates").join(name);
    if path.exists() && rng.next(2) == 0 {
        std::fs::remove_file(&path).unwrap();
        return format!("remove templates/{name}");
    }
    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates").join(name),
    )
    .unwrap();
    site.write(&format!("templates/{name}"), &default.replacen(from, &format!("<i>{step}</i>{from}"), 1));
    format!("change templates/{name}")
}

fn fix_broken(site: &Site) {
    for file in speeches(site) {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("title: [broken\n") {
            std::fs::write(&file, text.replacen("title: [broken\n", "", 1)).unwrap();
        }
    }
}

#[test]
fn incremental_builds_equal_clean_builds_after_random_edits() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let mut panels = 0;
    for seed in [1, 2] {
        let mut rng = Lcg(seed);
        let mut log = Vec::new();
        for step in 0..12 {
            log.push(edit(&site, &mut rng, step + 100 * seed as usize));
            let before = snapshot(&site.public());
            let incremental = site.run(&["build"]);
            if !incremental.status.success() {
                assert_eq!(snapshot(&site.public()), before, "a failed build changed the output: {log:?}");
                fix_broken(&site);
                log.push("fix".into());
                let again = site.run(&["build"]);
                assert!(again.status.success(), "{log:?}\n{}", String::from_utf8_lossy(&again.stderr));
            }
            let clean = site.run(&["build", "--clean", "--output", "clean"]);
            assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
            let (a, b) = (snapshot(&site.public()), snapshot(&site.root.join("clean")));
            let differ: Vec<_> =
                a.iter().zip(&b).filter(|(x, y)| x != y).map(|(x, _)| x.0.display().to_string()).collect();
            assert!(a == b, "after {log:?}: incremental output differs from a clean build ({} vs {} files; first differing: {differ:?})", a.len(), b.len());
            panels += a
                .iter()
                .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("<details class=\"shared\""))
                .count();
        }
    }
    assert!(panels > 0, "no build showed a shared passage: the reuse stage was not exercised");
}

#[test]
fn a_rebuild_without_changes_renders_nothing() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let out = site.build(&[]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("(0 re-rendered, 0 files written, 0 removed)"), "{summary}");
    site.write("content/pages/about.md", "---\ntitle: 关于\n---\n\n改过了。\n");
    let out = site.build(&[]);
    let summary = String::from_utf8_lossy(&out.stdout);
    // The page itself, and every page whose footer links to it by title.
    assert!(summary.contains("files written"), "{summary}");
    assert!(!summary.contains("(0 re-rendered"), "{summary}");
}

#[test]
fn a_corrupt_cache_is_not_trusted() {
    let site = Site::fixture("basic");
    site.build(&[]);
    // Every cache file, the search index's runs among them.
    for entry in walkdir::WalkDir::new(site.root.join(".archive-cache")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            std::fs::write(entry.path(), "{ not json").unwrap();
        }
    }
    let reference = snapshot(&site.public());
    std::fs::write(site.public().join("index.html"), "stale").unwrap();
    let out = site.build(&[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("static files"), "a full build, not an incremental one");
    assert_eq!(snapshot(&site.public()), reference);
}

#[test]
fn a_search_run_damaged_behind_the_caches_back_is_indexed_again_when_read() {
    let site = Site::fixture("basic");
    site.build(&[]);
    // Every byte of every run's data flipped, their headers left whole: a
    // run is taken on its header, its data checked when it is read.
    let runs = site.root.join(".archive-cache/search");
    for entry in std::fs::read_dir(&runs).unwrap().map(|e| e.unwrap().path()) {
        if entry.extension().is_some_and(|e| e == "run") {
            let mut bytes = std::fs::read(&entry).unwrap();
            let sections = u64::from_le_bytes(bytes[24..32].try_into().unwrap()) as usize;
            let data = 32 + 8 * (2 * sections + 1);
            bytes[data..].iter_mut().for_each(|b| *b = !*b);
            std::fs::write(&entry, bytes).unwrap();
        }
    }
    // Nothing the runs made changed, so nothing of them is read.
    site.write("content/pages/about.md", "---\ntitle: 关于\n---\n\n改过了。\n");
    site.build(&[]);
    same_as_clean_build(&site);
    // Output files the runs made gone: the runs are read, found damaged,
    // and indexed again.
    for dir in ["d", "p", "t"] {
        std::fs::remove_file(site.public().join(format!("search/{dir}/0.bin"))).unwrap();
    }
    site.build(&[]);
    same_as_clean_build(&site);
    let run = std::fs::read(runs.join("0.run")).unwrap();
    site.run(&["build", "--clean", "--output", "again"]);
    assert!(std::fs::read(runs.join("0.run")).unwrap() == run, "the run file mended");
}

/// Sets the modification time of every file under `dir` two minutes back,
/// as if it had been written long before the next build.
pub fn settle(dir: &std::path::Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    for entry in walkdir::WalkDir::new(dir).into_iter().map(|e| e.unwrap()).filter(|e| e.file_type().is_file()) {
        std::fs::File::options().write(true).open(entry.path()).unwrap().set_modified(past).unwrap();
    }
}

/// `archive build -v`; true when it took the no-change fast path.
fn took_fast_path(site: &Site) -> bool {
    let out = site.run(&["build", "-v"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).contains("unchanged")
}

fn same_as_clean_build(site: &Site) {
    let clean = site.run(&["build", "--clean", "--output", "clean"]);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    assert!(snapshot(&site.public()) == snapshot(&site.root.join("clean")), "output differs from a clean build");
}

#[test]
fn unchanged_settled_sources_and_output_skip_the_build_and_any_change_is_noticed() {
    let site = Site::fixture("basic");
    settle(&site.root);
    site.build(&[]);
    assert!(took_fast_path(&site), "nothing changed");
    let summary = String::from_utf8_lossy(&site.build(&[]).stdout).into_owned();
    assert!(summary.contains("(0 re-rendered, 0 files written, 0 removed)"), "{summary}");

    // An edited source, even one settled since.
    let file = site.root.join("content/speeches/2020/li-wei-2020-peixun.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("同志们", "各位同志们", 1)).unwrap();
    settle(&file);
    assert!(!took_fast_path(&site), "an edited source");
    assert!(std::fs::read_to_string(site.public().join("speeches/li-wei-2020-peixun/index.html"))
        .unwrap()
        .contains("各位同志们"));
    assert!(took_fast_path(&site), "settled again");

    // An output file changed or added behind the build's back.
    std::fs::write(site.public().join("index.html"), "stale").unwrap();
    assert!(!took_fast_path(&site), "a changed output file");
    std::fs::write(site.public().join("stray.html"), "stray").unwrap();
    assert!(!took_fast_path(&site), "a stray output file");
    // Nothing the archive did not write is deleted: it is kept, and said so.
    assert_eq!(std::fs::read_to_string(site.public().join("stray.html")).unwrap(), "stray");
    assert!(took_fast_path(&site), "kept, it is part of the output the build left");
    std::fs::remove_file(site.public().join("stray.html")).unwrap();
    assert!(!took_fast_path(&site), "a file gone behind the build's back");
    same_as_clean_build(&site);

    // Other settings, a theme file, and --clean.
    assert!(took_fast_path(&site));
    let out = site.run(&["build", "-v", "--drafts"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unchanged"), "other settings");
    site.build(&[]);
    site.write("templates/404.html", "<!doctype html><title>x</title><p>404</p>");
    settle(&site.root.join("templates"));
    assert!(!took_fast_path(&site), "a site template");
    let out = site.run(&["build", "-v", "--clean"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unchanged"), "--clean");
    same_as_clean_build(&site);
}

#[test]
fn a_source_written_just_before_a_build_is_never_judged_by_its_time() {
    let site = Site::fixture("basic");
    settle(&site.root);
    site.build(&[]);
    // Rewritten within the same tick of the clock, its size and time could
    // repeat: the build that reads it records no stamp, so the next one
    // looks at the content again.
    let file = site.root.join("content/speeches/2020/li-wei-2020-peixun.md");
    std::fs::write(&file, std::fs::read(&file).unwrap()).unwrap();
    assert!(!took_fast_path(&site));
    assert!(!took_fast_path(&site), "the source is still too recent to be stamped");
    settle(&file);
    assert!(!took_fast_path(&site), "its time changed");
    assert!(took_fast_path(&site));
}
