//! Only safe URL schemes become links: every form of a script or data link
//! in a speech or a free page is shown as text on the built page (checked
//! through an HTML parser) and reported as a warning at its path:line:col,
//! with exit 0.

use crate::support::{select, stderr, Site};

/// Line 1 of the body is line 8 of the document file below.
const BODY: &str = "\
[inline](javascript:alert(1)) [mixed case](JaVaScRiPt:alert(2))
[reference][evil] <javascript:alert(3)>
[entity](&#106;avascript:alert(4)) [tab](java&#9;script:alert(5)) [control](&#1;javascript:alert(6))
[spaces]( <javascript:alert(7)> ) [percent](%6Aavascript:alert(8))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==) [vb](vbscript:msgbox(10)) [file](file:///etc/passwd)
![image](javascript:alert(11)) ![svg](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)
[![nested](javascript:alert(12))](https://example.org/ok)

[evil]: javascript:alert(13)

Kept: [web](https://example.com/a) [mail](mailto:office@example.gov.cn) [up](../) [anchor](#p-1) <https://example.org/auto> <office@example.gov.cn> ![local](/static/x.png)
";

/// The scheme as a browser reads it, or None for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let url: String =
        url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    url[..end].split_once(':').map(|(s, _)| s.to_ascii_lowercase())
}

fn assert_only_safe_urls(site: &Site, page: &str) {
    let html = site.page(page);
    for (css, attr) in [("a[href]", "href"), ("img[src]", "src"), ("[src]", "src"), ("[href]", "href")] {
        for e in select(&html, css) {
            let url = e.value().attr(attr).unwrap();
            let scheme = scheme(url);
            assert!(
                matches!(scheme.as_deref(), None | Some("http" | "https" | "mailto")),
                "{page}: <{} {attr}=\"{url}\">",
                e.value().name()
            );
        }
    }
}

fn warnings(path: &str, line: usize) -> Vec<String> {
    let at = |l: usize, col: usize, what: &str, url: &str| {
        format!("{path}:{}:{col}: warning: {what} to `{url}` is shown as text: only http, https and mailto URLs and relative links are allowed", line + l)
    };
    vec![
        at(0, 1, "link", "javascript:alert(1)"),
        at(0, 31, "link", "JaVaScRiPt:alert(2)"),
        at(1, 1, "link", "javascript:alert(13)"),
        at(1, 19, "link", "javascript:alert(3)"),
        at(2, 1, "link", "javascript:alert(4)"),
        at(2, 36, "link", "java\tscript:alert(5)"),
        at(2, 67, "link", "\u{1}javascript:alert(6)"),
        at(3, 1, "link", "javascript:alert(7)"),
        at(3, 35, "link", "%6Aavascript:alert(8)"),
        at(4, 1, "link", "data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg=="),
        at(4, 68, "link", "vbscript:msgbox(10)"),
        at(4, 94, "link", "file:///etc/passwd"),
        at(5, 1, "image", "javascript:alert(11)"),
        at(5, 32, "image", "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="),
        at(6, 2, "image", "javascript:alert(12)"),
    ]
    .into_iter()
    .map(|w| w.replace('\t', "\\u{9}").replace('\u{1}', "\\u{1}"))
    .collect()
}

#[test]
fn script_and_data_links_are_shown_as_text_and_warned_about() {
    let site = Site::fixture("basic");
    let doc = "content/speeches/2020/links.md";
    site.write(doc, &format!("---\ntitle: 链接\ndate: 2020\nspeaker: 李伟\ncity: 安康市\n---\n\n{BODY}"));
    let page = "content/pages/links.md";
    site.write(page, &format!("---\ntitle: 链接\n---\n\n{BODY}"));
    let mut expected = warnings(doc, 8);
    expected.extend(warnings(page, 5));
    expected.sort();
    for command in ["check", "build"] {
        let out = site.run(&[command]);
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        let mut lines: Vec<String> = stderr(&out).lines().map(str::to_string).collect();
        lines.sort();
        assert_eq!(lines, expected, "{command}");
    }
    for page in ["speeches/links/index.html", "links/index.html"] {
        assert_only_safe_urls(&site, page);
        let html = site.page(page);
        let hrefs: Vec<&str> = select(&html, ".body a[href], article a[href], main a[href]")
            .iter()
            .filter_map(|a| a.value().attr("href"))
            .collect();
        for kept in [
            "https://example.com/a",
            "mailto:office@example.gov.cn",
            "../",
            "#p-1",
            "https://example.org/auto",
            "https://example.org/ok",
        ] {
            assert!(hrefs.contains(&kept), "{page}: {kept} is not a link: {hrefs:?}");
        }
        let srcs: Vec<&str> = select(&html, "img[src]").iter().filter_map(|i| i.value().attr("src")).collect();
        assert!(srcs.contains(&"/static/x.png"), "{srcs:?}");
        // The refused links' words are still on the page, as text.
        let text: String = html.root_element().text().collect();
        for words in ["inline", "mixed case", "reference", "javascript:alert(3)", "entity", "data", "vb", "file"] {
            assert!(text.contains(words), "{page}: `{words}` is gone");
        }
    }
}

#[test]
fn a_source_url_that_is_not_http_is_an_error_at_its_line() {
    let site = Site::fixture("basic");
    let doc = "content/speeches/2020/source.md";
    for url in ["javascript:alert(1)", "' JaVaScRiPt:alert(1)'", "data:text/html,x", "file:///etc/passwd"] {
        site.write(
            doc,
            &format!("---\ntitle: 链接\ndate: 2020\nspeaker: 李伟\ncity: 安康市\nsource:\n  title: 通报\n  url: {url}\n---\n"),
        );
        let shown = url.trim_matches('\'').trim();
        crate::support::check_and_build_fail_with(
            &site,
            &[format!("{doc}:8:8: `source.url` must be an http(s) URL, not `{shown}`")],
        );
    }
}
