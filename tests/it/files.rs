//! Every file under `content/` is a document, a free page or an error
//! (`content/raw/` and dotfiles are skipped, as documented), and every
//! diagnostic is one terminal line whatever a file name or key holds.

use std::os::unix::fs::symlink;

use crate::support::{check_and_build_fail_with, stderr, Site};

const DOC: &str = "---\ntitle: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\n---\n\n正文。\n";

#[test]
fn markdown_files_in_any_case_and_links_inside_the_archive_are_documents() {
    let site = Site::fixture("basic");
    site.write("content/speeches/2020/upper.MD", DOC);
    site.write("content/pages/mixed.Md", "---\ntitle: 说明\n---\n\n文字。\n");
    site.write("texts/linked.md", DOC);
    symlink(site.root.join("texts/linked.md"), site.root.join("content/speeches/2020/linked.md")).unwrap();
    site.write("more/2020/in-folder.md", DOC);
    symlink(site.root.join("more"), site.root.join("content/speeches/more")).unwrap();
    // Editors' swap files are skipped, as documented.
    site.write("content/speeches/2020/.upper.MD.swp", "\u{0}binary");
    site.build(&[]);
    for page in
        ["speeches/upper/index.html", "mixed/index.html", "speeches/linked/index.html", "speeches/in-folder/index.html"]
    {
        assert!(site.public().join(page).is_file(), "{page} missing");
    }
}

#[test]
fn no_file_is_skipped_in_silence() {
    let site = Site::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), DOC).unwrap();
    let speeches = site.root.join("content/speeches/2020");
    site.write("content/speeches/2020/notes.txt", "笔记");
    site.write("content/speeches/2020/a.markdown", DOC);
    symlink(outside.path().join("secret.md"), speeches.join("outside.md")).unwrap();
    symlink(speeches.join("gone.md"), speeches.join("dangling.md")).unwrap();
    symlink(speeches.join("self.md"), speeches.join("self.md")).unwrap();
    symlink(site.root.join("content/speeches"), speeches.join("loop")).unwrap();
    let fifo = speeches.join("pipe.md");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let not_content = "not a content file: documents and pages are Markdown files ending in `.md`; raw sources belong in content/raw/";
    let outside_target = outside.path().join("secret.md").canonicalize().unwrap();
    check_and_build_fail_with(
        &site,
        &[
            format!("content/speeches/2020/a.markdown:1:1: {not_content}"),
            format!("content/speeches/2020/dangling.md:1:1: symbolic link to {}, which does not exist", speeches.join("gone.md").display()),
            "content/speeches/2020/loop:1:1: symbolic link loop: it leads back to content/speeches".to_string(),
            format!("content/speeches/2020/notes.txt:1:1: {not_content}"),
            format!(
                "content/speeches/2020/outside.md:1:1: symbolic link to {}, outside the archive; copy the file into the archive instead",
                outside_target.display()
            ),
            "content/speeches/2020/pipe.md:1:1: not a regular file (a device, socket or pipe); content files are Markdown files".to_string(),
            "content/speeches/2020/self.md:1:1: symbolic link that cannot be followed: Too many levels of symbolic links (os error 40)".to_string(),
        ],
    );
}

#[test]
fn a_newline_in_a_file_name_or_key_cannot_forge_a_diagnostic_line() {
    let site = Site::fixture("basic");
    let forged = "x\ncontent/speeches/2020/forged.md:9:9: all is well\u{202e}";
    site.write(&format!("content/speeches/2020/{forged}.md"), "---\ntitle: 讲话\n---\n");
    site.write(
        "content/speeches/2020/key.md",
        "---\ntitle: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\n\"bad\\nkey\\tx\": 1\n---\n",
    );
    check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/key.md:6:1: unknown field `bad\\u{a}key\\u{9}x`".to_string(),
            "content/speeches/2020/x\\u{a}content/speeches/2020/forged.md:9:9: all is well\\u{202e}.md:2:1: missing required field `city`".to_string(),
            "content/speeches/2020/x\\u{a}content/speeches/2020/forged.md:9:9: all is well\\u{202e}.md:2:1: missing required field `date`".to_string(),
            "content/speeches/2020/x\\u{a}content/speeches/2020/forged.md:9:9: all is well\\u{202e}.md:2:1: missing required field `speaker` (only qa and article may omit it; kind is speech)".to_string(),
        ],
    );
}

#[test]
fn a_link_added_after_a_build_is_not_taken_for_no_change() {
    let site = Site::fixture("basic");
    crate::incremental::settle(&site.root);
    site.build(&[]);
    let speeches = site.root.join("content/speeches/2020");
    symlink(speeches.join("gone.md"), speeches.join("dangling.md")).unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("content/speeches/2020/dangling.md:1:1: symbolic link to "), "{}", stderr(&out));
    std::fs::remove_file(speeches.join("dangling.md")).unwrap();
    // A document in a linked folder, settled, is noticed too.
    site.write("more/2020/in-folder.md", DOC);
    crate::incremental::settle(&site.root.join("more"));
    symlink(site.root.join("more"), site.root.join("content/speeches/more")).unwrap();
    site.build(&[]);
    assert!(site.public().join("speeches/in-folder/index.html").is_file());
}
