//! Bad input: every problem of every file in one run as path:line:col, exit
//! 1, and the previous output left byte-identical.

use crate::support::{snapshot, stderr, Site};

#[test]
fn every_mistake_is_reported_with_path_line_col() {
    let site = Site::fixture("broken");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "\
content/speeches/2020/bad-fields.md:2:1: missing required field `speaker` (only qa and article may omit it; kind is speech)
content/speeches/2020/bad-fields.md:3:7: `date`: `2020-02-30` is not a date: 2020-02 has no day 30
content/speeches/2020/bad-fields.md:4:1: unknown field `spaker`
content/speeches/2020/bad-fields.md:6:7: kind `talk` is not one of speech, remarks, excerpt, qa, article
content/speeches/2020/bad-fields.md:7:9: `themes` must be a list of text, not the text `驻村帮扶`
content/speeches/2020/dup-a.md:6:7: slug `same-slug` is also used by content/speeches/2020/dup-b.md
content/speeches/2020/dup-b.md:6:7: slug `same-slug` is also used by content/speeches/2020/dup-a.md
content/speeches/2020/no-fence.md:1:1: expected front matter: the file must start with a `---` line
error: 8 problems found; nothing was written
"
    );
    assert!(!site.public().exists());
}

#[test]
fn a_variant_of_that_names_no_document_is_an_error() {
    let site = Site::fixture("basic");
    let path = "content/speeches/2020/li-wei-2020-repost.md";
    let text = std::fs::read_to_string(site.root.join(path))
        .unwrap()
        .replace("variant_of: li-wei-2020-peixun", "variant_of: nowhere");
    site.write(path, &text);
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(&format!("{path}:9:13: variant_of `nowhere` names no document\n")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let before = snapshot(&site.public());
    site.write("content/speeches/2020/broken.md", "---\ntitle: [unclosed\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("content/speeches/2020/broken.md:"), "{}", stderr(&out));
    assert_eq!(snapshot(&site.public()), before);
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
}

#[test]
fn site_toml_errors_name_their_line() {
    let site = Site::fixture("basic");
    let text = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
    site.write("site.toml", &format!("titel = \"x\"\n{text}"));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("site.toml:1:1: unknown key `titel`"), "{}", stderr(&out));
    site.write("site.toml", &format!("{text}\"驻村帮扶\" = \"驻村\"\n"));
    let out = site.run(&["build"]);
    assert!(stderr(&out).starts_with("site.toml:8:"), "a bad value points at its line: {}", stderr(&out));
}

#[test]
fn every_site_toml_error_and_every_content_error_are_reported_in_one_run() {
    let site = Site::fixture("basic");
    let topic = "驻村帮扶".repeat(20);
    site.write(
        "site.toml",
        &format!(
            "titel = \"x\"\nbase_url = \"ftp://example.org\"\nlanguage = 3\npaginate_by = 0\n\n\
             [theme_rules]\n\"{topic}\" = [\"驻村\"]\n"
        ),
    );
    site.write(
        "content/speeches/2020/typo.md",
        "---\ntitle: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\nspaker: 李伟\n---\n\n正文。\n",
    );
    let topic_bytes = speech_archive::slug::slugify(&topic).len() + speech_archive::slug::SUFFIX_BYTES;
    crate::support::check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/typo.md:6:1: unknown field `spaker`",
            "site.toml:1:1: missing key `title`",
            "site.toml:1:1: unknown key `titel` (known keys: title, description, base_url, language, theme, paginate_by, extra_fields, theme_rules, data)",
            "site.toml:2:1: base_url `ftp://example.org` must be an absolute http(s) URL such as https://example.org/archive/",
            "site.toml:3:12: invalid type: integer `3`, expected a string",
            "site.toml:4:1: paginate_by must be at least 1",
            &format!("site.toml:7:1: topic `{topic}` makes a URL path segment of up to {topic_bytes} bytes; at most 200 fit"),
        ],
    );
}

#[test]
fn a_toml_message_of_several_lines_is_one_line() {
    let site = Site::fixture("basic");
    site.write("site.toml", "title = \"档案\"\nbase_url = \"https://example.org/\"\nx = [1,\n");
    crate::support::check_and_build_fail_with(&site, &["site.toml:4:1: invalid TOML: invalid array; expected `]`"]);
}

#[test]
fn a_topic_too_long_for_a_file_name_fails_check_at_its_site_toml_line() {
    // Before: `check` passed and `build` failed with `File name too long`
    // naming an output path.
    let site = Site::fixture("basic");
    let text = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
    let topic = "疫情影响".repeat(20);
    site.write("site.toml", &format!("{text}\"{topic}\" = [\"疫情\"]\n"));
    let bytes = speech_archive::slug::slugify(&topic).len() + speech_archive::slug::SUFFIX_BYTES;
    crate::support::check_and_build_fail_with(
        &site,
        &[format!("site.toml:8:1: topic `{topic}` makes a URL path segment of up to {bytes} bytes; at most 200 fit")],
    );
}

#[test]
fn a_template_error_names_the_template_file_and_line() {
    let site = Site::fixture("basic");
    site.write("templates/404.html", "<p>\n{% if %}\n</p>\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("templates/404.html:2:"), "{}", stderr(&out));
}

#[test]
fn a_slug_cannot_leave_the_output_folder() {
    let site = Site::fixture("basic");
    site.write(
        "content/speeches/2020/evil.md",
        "---\ntitle: x\ndate: 2020\nspeaker: x\ncity: x\nslug: ../../etc\n---\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("content/speeches/2020/evil.md:6:7: slug `../../etc` must be"), "{}", stderr(&out));
}

#[test]
fn an_output_folder_that_would_replace_the_sources_is_refused() {
    let site = Site::fixture("basic");
    let before = snapshot(&site.root.join("content"));
    for output in ["content", ".", "content/public", "themes"] {
        let out = site.run(&["build", "--output", output]);
        assert_eq!(out.status.code(), Some(2), "{output}: a usage error");
        let err = stderr(&out);
        assert!(err.starts_with("error: --output: ") && err.lines().count() == 1, "{err}");
    }
    let out = site.run(&["build", "--output", "."]);
    assert!(stderr(&out).contains("holds the archive itself"), "{}", stderr(&out));
    assert_eq!(snapshot(&site.root.join("content")), before);
    assert!(site.root.join("site.toml").is_file());
}

#[test]
fn a_folder_of_other_files_is_not_taken_as_output() {
    let site = Site::fixture("basic");
    site.write("notes/todo.txt", "keep me");
    let out = site.run(&["build", "--output", "notes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("holds files that no build of this archive wrote"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(site.root.join("notes/todo.txt")).unwrap(), "keep me");
}

#[test]
fn a_bad_base_url_on_the_command_line_is_a_usage_error() {
    let site = Site::fixture("basic");
    let out = site.run(&["build", "--base-url", "example.org"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --base-url: base_url `example.org` must be an absolute http(s) URL such as https://example.org/archive/\n"
    );
    assert!(!site.public().exists());
}

#[test]
fn a_folder_without_site_toml_is_a_usage_error_not_a_line_of_a_file() {
    let site = Site::fixture("basic");
    let out = site.run(&["build", "--root", "content"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: content has no site.toml: is it an archive?"), "{err}");
}

#[test]
fn an_output_that_cannot_be_written_is_an_io_error_naming_the_folder() {
    let site = Site::fixture("basic");
    // A file where the output's parent folder should be.
    site.write("blocked", "a file");
    let out = site.run(&["build", "--output", "blocked/public"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot ") && err.contains("blocked"), "{err}");
    assert!(!err.contains(":1:1:"), "not posing as a line of a file: {err}");
}
