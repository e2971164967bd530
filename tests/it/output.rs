//! The output folder: a build writes only into a folder it made (or one
//! the user hands it with `--force`, keeping every file there), refuses
//! anything else with exit 2 and leaves it byte-identical, and cleans up
//! what interrupted builds left beside it.

use std::path::Path;

use crate::support::{snapshot, stderr, Site};

/// Every file and folder under `dir` (links not followed), with a digest
/// of each file's bytes: what a refused build must leave as it found.
fn tree(dir: &Path) -> Vec<(String, Option<u64>)> {
    let mut all: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, e.file_type().is_file().then(|| xxhash_rust::xxh3::xxh3_64(&std::fs::read(e.path()).unwrap())))
        })
        .collect();
    all.sort();
    all
}

#[test]
fn another_generators_output_is_refused_and_left_byte_identical() {
    let site = Site::fixture("basic");
    // What a Hugo, Zola or Jekyll site leaves, and the user's own files.
    site.write("site-out/sitemap.xml", "<urlset/>");
    site.write("site-out/index.html", "<h1>my other site</h1>");
    site.write("site-out/precious.txt", "keep me");
    site.write("site-out/photos/a.jpg", "jpeg");
    let before = tree(&site.root);
    let out = site.run(&["build", "--output", "site-out"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --output: ") && err.contains("site-out holds files that no build of this archive wrote (its sitemap.xml looks like another generator's site)"), "{err}");
    assert!(err.contains("add --force"), "says how to go on: {err}");
    assert_eq!(tree(&site.root), before, "nothing under the archive changed, no staging folder left");
}

#[test]
fn an_output_that_is_a_file_is_refused_even_with_force() {
    let site = Site::fixture("basic");
    site.write("notes.txt", "my notes");
    let before = tree(&site.root);
    for args in [&["build", "--output", "notes.txt"][..], &["build", "--output", "notes.txt", "--force"]] {
        let out = site.run(args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("notes.txt is a file, not a folder"), "{}", stderr(&out));
    }
    assert_eq!(tree(&site.root), before);
}

#[test]
fn with_force_a_build_keeps_every_file_it_did_not_write_and_never_replaces_one() {
    let site = Site::fixture("basic");
    site.write("www/CNAME", "archive.example.org");
    site.write("www/google1234.html", "google-site-verification");
    site.write("www/photos/a.jpg", "jpeg");
    let out = site.run(&["build", "--output", "www", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept 3 files it did not write"));
    assert!(site.root.join("www/index.html").is_file(), "the site is built");
    // Later builds, without --force, keep them too, and a clean build as well.
    site.write("content/pages/about.md", "---\ntitle: 关于\n---\n\n改过了。\n");
    for args in [&["build", "--output", "www"][..], &["build", "--output", "www", "--clean"]] {
        let out = site.run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(site.root.join("www/CNAME")).unwrap(), "archive.example.org");
        assert_eq!(std::fs::read_to_string(site.root.join("www/photos/a.jpg")).unwrap(), "jpeg");
    }
    // A page the build makes where one of them stands: refused, untouched.
    site.write("other/index.html", "<h1>not the archive's</h1>");
    let before = tree(&site.root.join("other"));
    let out = site.run(&["build", "--output", "other", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds files the archive did not write where the build makes its own (index.html)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(tree(&site.root.join("other")), before);
}

#[test]
fn a_file_dropped_into_the_output_survives_the_next_build() {
    let site = Site::fixture("basic");
    site.build(&[]);
    site.write("public/notes/todo.txt", "mine");
    site.write("content/pages/about.md", "---\ntitle: 关于\n---\n\n改过了。\n");
    site.build(&[]);
    assert_eq!(std::fs::read_to_string(site.public().join("notes/todo.txt")).unwrap(), "mine");
    // Even when the cache that lists what the archive wrote is gone.
    std::fs::remove_dir_all(site.root.join(".archive-cache")).unwrap();
    site.build(&[]);
    assert_eq!(std::fs::read_to_string(site.public().join("notes/todo.txt")).unwrap(), "mine");
}

#[test]
fn a_page_no_longer_made_is_removed_from_the_output() {
    let site = Site::fixture("basic");
    site.build(&[]);
    assert!(site.public().join("about/index.html").is_file());
    std::fs::remove_file(site.root.join("content/pages/about.md")).unwrap();
    site.build(&[]);
    assert!(!site.public().join("about").exists());
}

#[test]
fn folders_left_by_killed_builds_are_removed_by_the_next_build() {
    let site = Site::fixture("basic");
    site.build(&[]);
    // What a build killed at any moment leaves: its staging folder (a new
    // tree half made, or the old tree half removed). No process has pid
    // 4194305 (above Linux's pid_max).
    for name in [".public.staging-4194305", ".public.old-4194304"] {
        site.write(&format!("{name}/speeches/x/index.html"), "half");
    }
    let before = snapshot(&site.public());
    site.build(&[]);
    let left: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.") && n != ".public.previous")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(snapshot(&site.public()), before);
}

#[test]
fn an_output_set_aside_by_an_interrupted_swap_is_put_back() {
    // Where the system cannot exchange two folders in one step, a build
    // renames the old output aside and the new one in: killed between the
    // two, the next build finds the whole old site aside and restores it.
    let site = Site::fixture("basic");
    site.build(&[]);
    let before = snapshot(&site.public());
    std::fs::rename(site.public(), site.root.join(".public.old-4194305")).unwrap();
    site.write(".public.staging-4194305/index.html", "half of a new site");
    site.build(&[]);
    assert_eq!(snapshot(&site.public()), before);
}

#[test]
fn the_output_carries_the_archives_marker() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let marker = std::fs::read_to_string(site.public().join(".archive-build.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&marker).unwrap();
    assert_eq!(value["generator"], "speech-archive");
    // A marked folder is the archive's own: rebuilt into without --force.
    site.write("content/pages/about.md", "---\ntitle: 关于\n---\n\n改过了。\n");
    site.build(&[]);
}
