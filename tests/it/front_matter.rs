//! Front matter through the real binary: every text field reads the
//! characters written, and every problem (duplicate keys, aliases, cycles,
//! dates after today, names too long for a file name) is reported at its
//! own line by `check` and `build` alike, before anything is written.

use crate::support::{check_and_build_fail_with, select, texts, Site};

const DOC: &str = "content/speeches/2020/odd.md";

fn document(fields: &str) -> String {
    format!("---\n{fields}---\n\n正文。\n")
}

#[test]
fn text_fields_keep_the_characters_written() {
    let site = Site::fixture("basic");
    site.write(
        DOC,
        &document(
            "title: 1.10\ndate: 2020-05-01\nspeaker: 0x1F\ncity: 安康市\noccasion: no\nsummary: 2020-04-03\nslug: odd\n",
        ),
    );
    site.build(&[]);
    let page = site.page("speeches/odd/index.html");
    assert_eq!(texts(&page, "h1"), ["1.10"]);
    assert_eq!(texts(&page, ".byline a"), ["0x1F"]);
    let speaker = select(&page, ".byline a")[0].value().attr("href").unwrap().to_string();
    assert!(speaker.ends_with("speakers/0x1f/"), "{speaker}");
    assert!(site.public().join("speakers/0x1f/index.html").is_file());
    assert!(!site.public().join("speakers/31").exists());
    assert!(texts(&page, "dd").contains(&"no".to_string()), "{:?}", texts(&page, "dd"));
}

#[test]
fn a_duplicate_key_is_reported_at_its_line_beside_the_other_errors() {
    let site = Site::fixture("basic");
    site.write(DOC, &document("title: 讲话\ndate: 2020-02-30\nspeaker: 李伟\ntitle: 又一个\ncity: 安康市\nkinds: x\n"));
    check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/odd.md:3:7: `date`: `2020-02-30` is not a date: 2020-02 has no day 30",
            "content/speeches/2020/odd.md:5:1: duplicate field `title` (first given on line 2)",
            "content/speeches/2020/odd.md:7:1: unknown field `kinds`",
        ],
    );
}

#[test]
fn an_alias_bomb_is_refused_at_its_aliases() {
    let site = Site::fixture("basic");
    site.write(DOC, &document("title: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\na: &a [x, x]\nb: &b [*a, *a]\n"));
    check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/odd.md:6:1: unknown field `a`",
            "content/speeches/2020/odd.md:7:1: unknown field `b`",
            "content/speeches/2020/odd.md:7:8: YAML aliases (`*name`) are not allowed in front matter",
            "content/speeches/2020/odd.md:7:12: YAML aliases (`*name`) are not allowed in front matter",
        ],
    );
}

#[test]
fn a_variant_of_cycle_is_an_error_at_each_variant_of_line() {
    let site = Site::fixture("basic");
    let doc = |slug: &str, target: &str| {
        document(&format!("title: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\nslug: {slug}\nvariant_of: {target}\n"))
    };
    site.write("content/speeches/2020/a.md", &doc("a", "b"));
    site.write("content/speeches/2020/b.md", &doc("b", "a"));
    site.write("content/speeches/2020/c.md", &doc("c", "d"));
    site.write("content/speeches/2020/d.md", &doc("d", "e"));
    site.write("content/speeches/2020/e.md", &doc("e", "c"));
    site.write("content/speeches/2020/f.md", &doc("f", "f"));
    check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/a.md:7:13: variant_of makes a cycle: a → b → a",
            "content/speeches/2020/b.md:7:13: variant_of makes a cycle: b → a → b",
            "content/speeches/2020/c.md:7:13: variant_of makes a cycle: c → d → e → c",
            "content/speeches/2020/d.md:7:13: variant_of makes a cycle: d → e → c → d",
            "content/speeches/2020/e.md:7:13: variant_of makes a cycle: e → c → d → e",
            "content/speeches/2020/f.md:7:13: variant_of names the document itself",
        ],
    );
}

#[test]
fn a_date_after_today_is_an_error() {
    let site = Site::fixture("basic");
    let next_year = chrono::Local::now().format("%Y").to_string().parse::<i32>().unwrap() + 1;
    site.write(
        &format!("content/speeches/{next_year}/future.md"),
        &document(&format!("title: 讲话\ndate: {next_year}-01\nspeaker: 李伟\ncity: 安康市\n")),
    );
    check_and_build_fail_with(
        &site,
        &[&format!("content/speeches/{next_year}/future.md:3:7: `date`: {next_year}-01 is after today")],
    );
    // This month is not after today, whatever day it is.
    let this_month = chrono::Local::now().format("%Y-%m").to_string();
    site.write(
        &format!("content/speeches/{next_year}/future.md"),
        &document(&format!("title: 讲话\ndate: {this_month}\nspeaker: 李伟\ncity: 安康市\n")),
    );
    std::fs::rename(
        site.root.join(format!("content/speeches/{next_year}")),
        site.root.join(format!("content/speeches/{}", &this_month[..4])),
    )
    .unwrap();
    site.build(&[]);
}

#[test]
fn names_too_long_for_a_file_name_fail_check_at_their_line() {
    let site = Site::fixture("basic");
    let long_name = "关于进一步做好全市驻村帮扶干部培训和巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作的讲话".repeat(2);
    site.write(
        &format!("content/speeches/2020/{long_name}.md"),
        &document("title: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\n"),
    );
    let speaker = "欧阳".repeat(50);
    site.write(
        "content/speeches/2020/speaker.md",
        &document(&format!("title: 讲话\ndate: 2020\nspeaker: [李伟, {speaker}]\ncity: 安康市\n")),
    );
    let slug = "a".repeat(300);
    site.write(
        "content/speeches/2020/slug.md",
        &document(&format!("title: 讲话\ndate: 2020\nspeaker: 李伟\ncity: 安康市\nslug: {slug}\n")),
    );
    let slug_bytes = speech_archive::slug::slugify(&long_name).len();
    let speaker_bytes = speech_archive::slug::slugify(&speaker).len() + 7;
    check_and_build_fail_with(
        &site,
        &[
            "content/speeches/2020/slug.md:6:7: slug is 300 bytes long; a URL path segment may take at most 200",
            &format!("content/speeches/2020/speaker.md:4:15: `speaker` `{speaker}` makes a URL path segment of up to {speaker_bytes} bytes; at most 200 fit"),
            &format!("content/speeches/2020/{long_name}.md:1:1: the file name makes a slug of {slug_bytes} bytes; a URL path segment may take at most 200: rename the file or add a shorter `slug:` field"),
        ],
    );
}
