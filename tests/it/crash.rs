//! A build killed with SIGKILL at any moment leaves `public/` as the whole
//! previous site or the whole new one, never a mix; the next build removes
//! what the killed one left beside it and writes exactly what a clean build
//! writes. Run on a few thousand generated speeches; each version edits a
//! few of them, so that the rebuild is incremental and publishing (linking
//! every unchanged file into the new tree, the exchange, removing the old
//! tree) is a large part of it, where kills matter most.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::Site;

const SPEECHES: usize = 2000;
const KILLS: usize = 30;

/// Deterministic choices, so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const CITIES: [(&str, &str); 4] =
    [("安康市", "陕西省"), ("锦州市", "辽宁省"), ("信阳市", "河南省"), ("娄底市", "湖南省")];
const THEMES: [&str; 5] = ["驻村帮扶", "产业扶贫", "考核评估", "易地搬迁", "教育扶贫"];
const SENTENCES: [&str; 6] = [
    "要坚持精准扶贫精准脱贫基本方略，把各项政策措施落到实处。",
    "驻村工作队要沉下身子，真正做到吃住在村、工作在村。",
    "产业发展是脱贫的根本之策，要因地制宜发展特色产业。",
    "要建立防止返贫监测和帮扶机制，巩固拓展脱贫攻坚成果。",
    "易地扶贫搬迁群众要搬得出、稳得住、能致富。",
    "考核评估要实事求是，坚决反对形式主义和官僚主义。",
];

/// Speech `n` as it reads in version `version` of the archive.
fn speech(n: usize, version: usize) -> String {
    let (city, province) = CITIES[n % CITIES.len()];
    let body: Vec<&str> = (0..8).map(|k| SENTENCES[(n + k) % SENTENCES.len()]).collect();
    format!(
        "---\ntitle: 在第{n}次脱贫攻坚工作会议上的讲话\ndate: {}-{:02}-{:02}\nspeaker: 发言人{}\ncity: {city}\nprovince: {province}\nthemes: [{}]\n---\n\n同志们：\n\n## 一、形势\n\n{}\n\n## 二、任务\n\n第{version}稿。{}\n",
        2016 + n % 5,
        1 + n % 12,
        1 + n % 28,
        n % 50,
        THEMES[n % THEMES.len()],
        body.join(""),
        body[..4].join(""),
    )
}

const SITE_TOML: &str =
    "title = \"崩溃测试档案\"\ndescription = \"生成的讲话\"\nbase_url = \"https://example.org/\"\nlanguage = \"zh-CN\"\npaginate_by = 20\n";

/// A digest of every file under `dir`: paths and bytes.
fn digest(dir: &Path) -> u64 {
    let mut files: Vec<(String, u64)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, xxhash_rust::xxh3::xxh3_64(&std::fs::read(e.path()).unwrap()))
        })
        .collect();
    files.sort();
    xxhash_rust::xxh3::xxh3_64(format!("{files:?}").as_bytes())
}

fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.") && n != ".public.previous")
        .collect()
}

fn build(site: &Site, args: &[&str]) {
    let out = site.run(&[&["build", "-q"], args].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
#[ignore = "builds dozens of times; run by scripts/test"]
fn a_killed_build_never_leaves_a_mixed_site_and_the_next_build_equals_a_clean_one() {
    let site = Site::fixture("basic");
    std::fs::remove_dir_all(site.root.join("content/speeches")).unwrap();
    for n in 0..SPEECHES {
        site.write(&format!("content/speeches/{}/s-{n}.md", 2016 + n % 5), &speech(n, 0));
    }
    site.write("site.toml", SITE_TOML);
    let started = Instant::now();
    build(&site, &[]);
    // A rebuild after an edit like the ones below: how long a kill may wait.
    let mut rng = Lcg(7);
    let mut whole = digest(&site.public());
    let mut longest = Duration::ZERO;
    let (mut old_seen, mut new_seen) = (0, 0);
    for version in 1..=KILLS {
        for _ in 0..3 {
            let n = rng.next(SPEECHES as u64) as usize;
            site.write(&format!("content/speeches/{}/s-{n}.md", 2016 + n % 5), &speech(n, version));
        }
        let window = if longest.is_zero() { started.elapsed() } else { longest };
        let wait = Duration::from_millis(rng.next(window.as_millis() as u64 + 1));
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_archive")).current_dir(&site.root).args(["build", "-q"]).spawn().unwrap();
        let begun = Instant::now();
        std::thread::sleep(wait);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            longest = longest.max(begun.elapsed());
        }
        let after_kill = digest(&site.public());

        let begun = Instant::now();
        build(&site, &[]);
        longest = longest.max(begun.elapsed());
        let new = digest(&site.public());
        assert!(
            after_kill == whole || after_kill == new,
            "version {version}, killed after {wait:?}: public/ is neither the previous site nor the new one"
        );
        if after_kill == whole {
            old_seen += 1;
        } else if new != whole {
            new_seen += 1;
        }
        assert_eq!(leftovers(&site.root), Vec::<String>::new(), "version {version}: the next build cleans up");
        whole = new;
    }
    build(&site, &["--clean", "--output", "clean"]);
    assert_eq!(digest(&site.root.join("clean")), whole, "not what a clean build writes");
    // The kills landed both before and after the new site was published.
    assert!(old_seen > 0 && new_seen > 0, "old site seen {old_seen} times, new {new_seen}");
}
