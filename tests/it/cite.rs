//! Citations as reference managers and style processors see them: the
//! CSL-JSON of every document rendered by citeproc-js with the GB/T 7714
//! and Chicago styles and compared with the page's own citations; RIS and
//! BibTeX read back by citation-js to the CSL-JSON's fields; the page's
//! Highwire `citation_*` tags and JSON-LD against the front matter.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use speech_archive::model::Document;

use crate::support::{select, texts, Site};

fn documents(site: &Site) -> Vec<Document> {
    walkdir::WalkDir::new(site.root.join("content/speeches"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let rel = p.strip_prefix(&site.root).unwrap().to_path_buf();
            speech_archive::load::parse_document(&rel, &std::fs::read_to_string(&p).unwrap(), &[]).unwrap()
        })
        .collect()
}

/// Where `needles` stand in `text`, in order; panics on one that is not there.
fn in_order(text: &str, needles: &[String], what: &str) {
    let mut at = 0;
    for n in needles {
        match text[at..].find(n.as_str()) {
            Some(i) => at += i + n.len(),
            None => panic!("{what}: `{n}` not found (in order) in\n{text}"),
        }
    }
}

/// `[x]` where the editor supplied the field.
fn marked(doc: &Document, field: &str, text: &str) -> String {
    if doc.curation.supplied(field) {
        format!("[{text}]")
    } else {
        text.to_string()
    }
}

#[test]
#[ignore = "needs node, citeproc and citation-js; run by scripts/test"]
fn every_citation_agrees_with_citeproc_and_its_records_read_back() {
    let site = Site::bundled();
    site.build(&[]);
    let docs = documents(&site);
    let dir = site.public().join("speeches");
    let mut manifest = Vec::new();
    let mut pages = Vec::new();
    for d in &docs {
        let page = site.page(&format!("speeches/{}/index.html", d.slug));
        let accessed = texts(&page, ".cite-accessed")[0].clone();
        let file = |ext: &str| dir.join(&d.slug).join(format!("{}.{ext}", d.slug));
        manifest.push(json!({"slug": d.slug, "csl": file("csl.json"), "ris": file("ris"), "bib": file("bib"), "accessed": accessed}));
        pages.push((
            texts(&page, ".citation-gbt7714")[0].clone(),
            texts(&page, ".citation-chicago")[0].clone(),
            accessed,
        ));
    }
    let path = site.root.join("manifest.json");
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let modules = std::env::var_os("CITATION_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/citation/node_modules"));
    assert!(modules.join("citeproc").is_dir(), "no citeproc in {}: run scripts/test", modules.display());
    let out = Command::new("node")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cite/check.cjs"))
        .arg(&path)
        .env("NODE_PATH", &modules)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), docs.len());

    for ((d, r), (gbt, chicago, accessed)) in docs.iter().zip(&results).zip(&pages) {
        let csl: Value =
            serde_json::from_slice(&std::fs::read(dir.join(&d.slug).join(format!("{}.csl.json", d.slug))).unwrap())
                .unwrap();
        let csl = &csl[0];
        let src = d.source.as_ref().filter(|s| s.title.is_some());
        let permalink = format!("https://example.org/speeches/{}/", d.slug);

        // GB/T 7714: what citeproc renders from the record stands in the
        // page's citation, in the same order. The page adds what the CSL
        // style cannot know: the source's type code (the style gives Z to
        // speech and document), the speech date as title information, the
        // source's year, the editor's brackets.
        let citeproc = r["gbt7714"].as_str().unwrap().trim();
        let mut common: Vec<String> = Vec::new();
        if !d.speakers.is_empty() {
            common.push(d.speakers.join(", "));
        }
        common.push(d.title.clone());
        let web = src.is_some_and(|s| s.kind.is_some_and(|k| k.key() == "web"));
        match src {
            // A web page is no part of a host work: `[EB/OL]. 网站, 年`.
            Some(s) if web => common.push(format!(". {}, ", s.publisher.as_ref().or(s.title.as_ref()).unwrap())),
            Some(s) => {
                common.push(format!("//{}", s.title.as_ref().unwrap()));
                common.extend(s.publisher.clone().filter(|p| Some(p) != s.title.as_ref()));
            }
            None => {}
        }
        common.push(format!("[{accessed}]. {permalink}."));
        in_order(citeproc, &common, &format!("citeproc GB/T of {}", d.slug));
        in_order(gbt, &common, &format!("page GB/T of {}", d.slug));
        let csl_code = if web { "[EB/OL]" } else { "[Z/OL]" };
        assert!(citeproc.contains(csl_code), "{citeproc}");
        assert_eq!(csl["type"] == "webpage", web, "{}: a web page is CSL's webpage", d.slug);
        if web {
            let host = |t: &str| t.replace("://", "").contains("//");
            assert!(!host(citeproc) && !host(gbt), "{gbt}\n{citeproc}");
        }
        let code = match src.and_then(|s| s.kind).map(|k| k.key()) {
            Some("bulletin") => "A",
            Some("compilation") => "G",
            Some("web") => "EB",
            None if src.is_none() => "EB",
            other => panic!("{}: a kind the bundled archive does not use: {other:?}", d.slug),
        };
        let date = speech_archive::words::format_date(&d.date, "zh");
        let mut page_form = vec![format!("{}: {}[{code}/OL]", marked(d, "title", &d.title), marked(d, "date", &date))];
        if !d.speakers.is_empty() {
            page_form.insert(0, format!("{}. ", marked(d, "speaker", &d.speakers.join(", "))));
        }
        if let Some(s) = src {
            let year = s.date.map(|y| y.year.to_string()).unwrap_or_default();
            page_form.push(year);
            page_form.extend(s.issue.clone());
            if web {
                page_form.extend(s.date.map(|d| format!("({d})")));
            }
        }
        page_form.push(format!("[{accessed}]. {permalink}."));
        in_order(gbt, &page_form, &format!("the standard's form of {}", d.slug));
        assert!(gbt.starts_with(&page_form[0]), "{gbt}: no invented author");

        // Chicago: the same values in both, the page's with pinyin and a
        // translation besides.
        let citeproc = r["chicago"].as_str().unwrap();
        let mut common: Vec<String> = d.speakers.clone();
        common.push(d.title.clone());
        common.extend(src.and_then(|s| s.title.clone()));
        common.push(permalink.clone());
        in_order(citeproc, &common, &format!("citeproc Chicago of {}", d.slug));
        in_order(chicago, &common, &format!("page Chicago of {}", d.slug));
        let en = speech_archive::cite::en_date(&d.date);
        assert!(chicago.contains(&marked(d, "date", &en)), "{chicago}");
        // citeproc dates the item cited: a web page by its own date.
        let cited = if web { src.and_then(|s| s.date).unwrap_or(d.date) } else { d.date };
        let cited = speech_archive::cite::en_date(&cited);
        assert!(citeproc.contains(&cited) && chicago.contains(&cited), "{citeproc}\n{chicago}");
        if let Some(t) = &d.curation.title_en {
            assert!(chicago.contains(&format!("[{t}]")), "{chicago}");
        }

        // RIS and BibTeX, read back, say what the CSL-JSON says.
        for (format, back) in [("RIS", &r["ris"]), ("BibTeX", &r["bibtex"])] {
            let what = format!("{format} of {}", d.slug);
            assert_eq!(back["title"], csl["title"], "{what}");
            assert_eq!(back["URL"], csl["URL"], "{what}");
            assert_eq!(back["issued"]["date-parts"], csl["issued"]["date-parts"], "{what}");
            let names = |v: &Value| -> Vec<String> {
                v.as_array()
                    .map(|a| {
                        a.iter()
                            .map(|n| {
                                let part = |k| n[k].as_str().unwrap_or_default().to_string();
                                part("literal") + &part("family") + &part("given")
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            assert_eq!(names(&back["author"]), d.speakers, "{what}");
            assert_eq!(back["publisher"], csl.get("publisher").cloned().unwrap_or(Value::Null), "{what}");
        }
        assert_eq!(r["ris"]["container-title"], csl.get("container-title").cloned().unwrap_or(Value::Null));
        let bib = std::fs::read_to_string(dir.join(&d.slug).join(format!("{}.bib", d.slug))).unwrap();
        // year and month: the date of what is cited (the web page's own
        // date for a reposted text), as the CSL-JSON's `issued`.
        if let Some(m) = csl["issued"]["date-parts"][0][1].as_u64() {
            let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
            assert!(bib.contains(&format!("  month = {},\n", months[m as usize - 1])), "{bib}");
        }
        assert!(!bib.contains("address"), "the place of delivery is not the place of publication");
    }
}

#[test]
fn highwire_tags_and_json_ld_say_what_the_front_matter_says() {
    let site = Site::bundled();
    site.build(&[]);
    for d in documents(&site) {
        let page = site.page(&format!("speeches/{}/index.html", d.slug));
        let meta = |name: &str| -> Vec<String> {
            select(&page, &format!("meta[name='{name}']"))
                .iter()
                .map(|m| m.value().attr("content").unwrap().to_string())
                .collect()
        };
        assert_eq!(meta("citation_title"), std::slice::from_ref(&d.title));
        assert_eq!(meta("citation_author"), d.speakers, "{}: no invented author", d.slug);
        // The date at its precision: 2020/04/03, 2017/03, 2017.
        assert_eq!(meta("citation_publication_date"), [d.date.to_string().replace('-', "/")]);
        assert_eq!(meta("citation_language"), ["zh"]);
        let publisher: Vec<String> = d.source.iter().filter_map(|s| s.publisher.clone()).collect();
        assert_eq!(meta("citation_publisher"), publisher);
        let scripts = select(&page, "script[type='application/ld+json']");
        assert_eq!(scripts.len(), 1);
        let ld: Value = serde_json::from_str(&scripts[0].text().collect::<String>()).unwrap();
        assert_eq!(ld["name"], json!(d.title));
        assert_eq!(ld["dateCreated"], json!(d.date.to_string()));
        let authors: Vec<&str> = ld["author"]
            .as_array()
            .map(|a| a.iter().map(|p| p["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(authors, d.speakers.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

#[test]
fn json_ld_cannot_close_its_script() {
    let site = Site::fixture("basic");
    let path = "content/speeches/2020/li-wei-2020-repost.md";
    let text = std::fs::read_to_string(site.root.join(path)).unwrap().replace("title: 在", "title: </script><b>在");
    site.write(path, &text);
    site.build(&[]);
    let page = site.page("speeches/li-wei-2020-repost/index.html");
    let scripts = select(&page, "script[type='application/ld+json']");
    let ld: Value = serde_json::from_str(&scripts[0].text().collect::<String>()).unwrap();
    assert!(ld["name"].as_str().unwrap().starts_with("</script><b>"));
    assert!(select(&page, "head b").is_empty() && select(&page, "body > b").is_empty());
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn the_reader_copies_citations_with_their_own_access_date_and_a_paragraph_with_its_number() {
    use crate::browser::{Browser, StaticServer};
    let site = Site::bundled();
    // Built on 1 January 2001 (SOURCE_DATE_EPOCH): the page says so until
    // its script puts the reader's day.
    let out = Command::new(env!("CARGO_BIN_EXE_archive"))
        .current_dir(&site.root)
        .env("SOURCE_DATE_EPOCH", "978307200")
        .arg("build")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let slug = "he-bangjun-2020-zhucun-ganbu-peixun";
    let page = site.page(&format!("speeches/{slug}/index.html"));
    assert_eq!(texts(&page, ".cite-accessed"), ["2001-01-01"], "the build's day without script");

    let server = StaticServer::start(&site.public(), "/");
    let browser = Browser::launch();
    let tab = browser.new_tab();
    tab.goto(&format!("{}speeches/{slug}/", server.url()));
    let today = tab.eval(
        "(() => { const d = new Date(), two = n => String(n).padStart(2, '0');
                  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()); })()",
    );
    let today = today.as_str().unwrap().to_string();
    assert_ne!(today, "2001-01-01");
    let shown = tab.eval("document.querySelector('.citation-gbt7714').textContent");
    assert!(shown.as_str().unwrap().contains(&format!("[{today}]. https://")), "{shown}");
    // The ¶ of paragraph 3 copies its citation (a stand-in clipboard
    // records what the page writes).
    tab.eval(
        "window.copied = null;
         Object.defineProperty(navigator, 'clipboard', { value: { writeText: t => { window.copied = t; return Promise.resolve(); } } });
         document.querySelector('#p-3 > a[href=\"#p-3\"]').click();",
    );
    tab.wait_for("window.copied !== null", std::time::Duration::from_secs(5));
    let copied = tab.eval("window.copied");
    assert_eq!(
        copied.as_str().unwrap(),
        format!("何邦军. 在全市驻村帮扶干部培训班上的讲话: 2020年4月3日[A/OL]//安政通报. 安康市人民政府办公室, 2020: 第二十二期, 第3段[{today}]. https://example.org/speeches/{slug}/#p-3.")
    );

    // Printed, every paragraph shows its number (on screen only when
    // hovered), inside the paragraph's own box, so a printed page can be
    // cited by paragraph.
    let shown = "(() => { const p = document.querySelector('#p-5'), a = p.querySelector(':scope > a[href=\"#p-5\"]');
                   const s = getComputedStyle(a), r = a.getBoundingClientRect(), q = p.getBoundingClientRect();
                   return [getComputedStyle(a, '::after').content, s.opacity, s.visibility, s.display,
                           r.width > 0 && r.left >= q.left && r.right <= q.right && r.top >= q.top && r.bottom <= q.bottom]; })()";
    tab.goto(&format!("{}speeches/{slug}/", server.url()));
    assert_eq!(tab.eval(shown)[1], "0", "on screen the ¶ waits for a hover");
    tab.emulate_media("print");
    assert_eq!(tab.eval(shown), json!(["\"¶ 5\"", "1", "visible", "inline", true]));
    // The metadata panel prints even where a phone folded it.
    let panel = "(() => { const d = document.querySelector('details.doc-panel'); d.open = false;
                   return d.querySelector(':scope > :not(summary)').checkVisibility(); })()";
    assert_eq!(tab.eval(panel), json!(true), "a folded metadata panel prints");
}
