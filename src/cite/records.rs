//! A document as records for reference managers — BibTeX, CSL-JSON, RIS —
//! and as the metadata a page carries for their browser connectors:
//! Highwire `citation_*` tags and schema.org JSON-LD. Dates keep their
//! precision everywhere (`2017`, `2017-03`); nothing is completed.

use serde_json::{json, Map, Value};

use super::romanize;
use crate::model::{Document, Kind, PartialDate, Source, SourceKind};

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The CSL type of the item cited: the page or the article where the
/// text is cited as a web page or as an article in a newspaper or journal
/// (the GB/T 7714 style gives those their own form, with no `//` host);
/// else `speech` for what was spoken and `document` for Q&A compilations
/// and articles.
fn csl_type(doc: &Document) -> &'static str {
    let src = doc.source.as_ref();
    match src.and_then(|s| s.kind) {
        Some(SourceKind::Web) => "webpage",
        Some(SourceKind::Newspaper) if src.is_some_and(|s| s.title.is_some()) => "article-newspaper",
        Some(SourceKind::Journal) if src.is_some_and(|s| s.title.is_some()) => "article-journal",
        _ => match doc.kind {
            Kind::Speech | Kind::Remarks | Kind::Excerpt => "speech",
            Kind::Qa | Kind::Article => "document",
        },
    }
}

/// The date of the item the records cite (CSL's `issued`, RIS `PY`/`DA`,
/// BibTeX `year`/`month`): the page's or the article's own date where
/// that is the item (`csl_type`), else the delivery date. The delivery
/// date is always in CSL's `event-date` and the records' notes.
fn issued(doc: &Document) -> &PartialDate {
    let published = doc.source.as_ref().filter(|_| !matches!(csl_type(doc), "speech" | "document"));
    published.and_then(|s| s.date.as_ref()).unwrap_or(&doc.date)
}

/// Who published the source: its `publisher`, or for a web page its site
/// (the GB/T 7714 style names a web page's site only as its publisher).
fn publisher(src: &Source) -> Option<String> {
    let site = src.title.clone().filter(|_| src.kind == Some(SourceKind::Web));
    src.publisher.clone().or(site)
}

/// Where it was delivered, as the content names it: `安康市, 陕西省`.
fn place(doc: &Document) -> String {
    let mut parts: Vec<&str> = doc.county.iter().map(String::as_str).collect();
    parts.push(&doc.city);
    parts.extend(doc.province.as_deref().filter(|p| *p != doc.city));
    parts.join(", ")
}

/// What the records cannot mark in place: which values the editor supplied.
fn supplied_note(doc: &Document) -> Option<String> {
    (!doc.curation.supplied.is_empty())
        .then(|| format!("Supplied by the editor, not printed in the source: {}", doc.curation.supplied.join(", ")))
}

/// A BibTeX `@misc` entry: `month` as BibTeX's macro (`apr`), the delivery
/// date and place in `note` (`address` would be the place of publication),
/// the exact date for biblatex in `date`.
pub fn bibtex(doc: &Document, permalink: &str) -> String {
    let esc = |t: &str| -> String {
        let mut out = String::with_capacity(t.len());
        for c in t.chars() {
            match c {
                '{' | '}' => {}
                '\\' => out.push_str("\\textbackslash{}"),
                '&' | '%' | '$' | '#' | '_' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out
    };
    let mut fields: Vec<(&str, String)> = Vec::new();
    if !doc.speakers.is_empty() {
        fields
            .push(("author", doc.speakers.iter().map(|s| format!("{{{}}}", esc(s))).collect::<Vec<_>>().join(" and ")));
    }
    fields.push(("title", format!("{{{}}}", esc(&doc.title))));
    if let Some(src) = &doc.source {
        let printed: Vec<String> = [src.title.clone(), src.issue.clone()].into_iter().flatten().collect();
        if !printed.is_empty() {
            fields.push(("howpublished", format!("{{{}}}", esc(&printed.join(", ")))));
        }
        if let Some(p) = &publisher(src) {
            fields.push(("organization", format!("{{{}}}", esc(p))));
        }
    }
    let date = issued(doc);
    fields.push(("year", format!("{{{}}}", date.year)));
    if let Some(m) = date.month {
        fields.push(("month", MONTHS[m as usize - 1].to_string()));
    }
    fields.push(("date", format!("{{{date}}}")));
    let mut note = delivered(doc);
    if let Some(s) = supplied_note(doc) {
        note.push_str(&format!(". {s}"));
    }
    fields.push(("note", format!("{{{}}}", esc(&note))));
    fields.push(("language", "{Chinese}".into()));
    fields.push(("url", format!("{{{permalink}}}")));
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  {k} = {v}")).collect();
    format!("@misc{{{},\n{}\n}}\n", doc.slug, body.join(",\n"))
}

/// Date parts at the precision known: `[[2017]]`, `[[2017, 3]]`.
fn date_parts(d: &crate::model::PartialDate) -> Value {
    let mut parts = vec![json!(d.year)];
    parts.extend(d.month.map(|m| json!(m)));
    parts.extend(d.day.map(|day| json!(day)));
    json!({ "date-parts": [parts] })
}

/// A CSL-JSON item (the array Zotero and citeproc read holds one).
pub fn csl_json(doc: &Document, permalink: &str) -> Value {
    let mut item = Map::new();
    item.insert("id".into(), json!(doc.slug));
    item.insert("type".into(), json!(csl_type(doc)));
    item.insert("title".into(), json!(doc.title));
    if !doc.speakers.is_empty() {
        let authors: Vec<Value> = doc
            .speakers
            .iter()
            .map(|n| match romanize::split_name(n) {
                (family, "") => json!({ "literal": family }),
                (family, given) => json!({ "family": family, "given": given }),
            })
            .collect();
        item.insert("author".into(), Value::Array(authors));
    }
    let date = issued(doc);
    let mut issued = date_parts(date);
    if std::ptr::eq(date, &doc.date) && doc.curation.supplied("date") {
        issued["circa"] = json!(true);
    }
    item.insert("issued".into(), issued);
    item.insert("event-date".into(), date_parts(&doc.date));
    if let Some(o) = &doc.occasion {
        item.insert("event-title".into(), json!(o));
    }
    item.insert("event-place".into(), json!(place(doc)));
    if let Some(src) = &doc.source {
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                item.insert(k.into(), json!(v));
            }
        };
        put("container-title", &src.title);
        put("publisher", &publisher(src));
        put("issue", &src.issue);
    }
    item.insert("genre".into(), json!(super::kind_word(doc.kind)));
    item.insert("language".into(), json!("zh-CN"));
    item.insert("URL".into(), json!(permalink));
    if let Some(s) = supplied_note(doc) {
        item.insert("note".into(), json!(s));
    }
    Value::Object(item)
}

/// An RIS record. RIS has no type for a speech (`SPEECH` is not in the
/// RefMan list, and readers such as citation-js reject it): `GEN`, with
/// the kind in `M3` (type of work); the date at its precision (`DA` leaves
/// unknown parts empty); where and at what it was delivered in `N1`, since
/// `CY` is the place of publication.
pub fn ris(doc: &Document, permalink: &str) -> String {
    let mut lines: Vec<(&str, String)> = vec![("TY", "GEN".into())];
    lines.push(("TI", doc.title.clone()));
    for s in &doc.speakers {
        lines.push(("AU", s.clone()));
    }
    let date = issued(doc);
    lines.push(("PY", date.year.to_string()));
    let two = |n: Option<u8>| n.map(|n| format!("{n:02}")).unwrap_or_default();
    lines.push(("DA", format!("{}/{}/{}/", date.year, two(date.month), two(date.day))));
    lines.push(("M3", super::kind_word(doc.kind).into()));
    if let Some(src) = &doc.source {
        lines.extend(src.title.clone().map(|t| ("T2", t)));
        lines.extend(publisher(src).map(|p| ("PB", p)));
        lines.extend(src.issue.clone().map(|i| ("IS", i)));
    }
    lines.push(("LA", "zh-CN".into()));
    lines.push(("UR", permalink.to_string()));
    lines.push(("N1", delivered(doc)));
    lines.extend(supplied_note(doc).map(|n| ("N1", n)));
    let mut out: String = lines.iter().map(|(k, v)| format!("{k}  - {}\r\n", v.replace(['\r', '\n'], " "))).collect();
    out.push_str("ER  - \r\n");
    out
}

/// `Speech, delivered 2020-04-03, 安康市, 陕西省, 全市驻村帮扶干部培训班`.
fn delivered(doc: &Document) -> String {
    let mut note = format!("{}, delivered {}", super::kind_word(doc.kind), doc.date);
    let at = place(doc);
    if !at.is_empty() {
        note.push_str(&format!(", {at}"));
    }
    if let Some(o) = &doc.occasion {
        note.push_str(&format!(", {o}"));
    }
    note
}

/// Highwire Press tags, as Google Scholar and Zotero's connector read them:
/// `(name, content)` pairs, one `citation_author` per speaker, the date
/// as `2020/04/03`, `2017/03` or `2017`.
pub fn highwire(doc: &Document, permalink: &str) -> Vec<(&'static str, String)> {
    let mut tags = vec![("citation_title", doc.title.clone())];
    for s in &doc.speakers {
        tags.push(("citation_author", s.clone()));
    }
    let date = doc.date.to_string().replace('-', "/");
    tags.push(("citation_publication_date", date.clone()));
    tags.push(("citation_date", date));
    if let Some(src) = &doc.source {
        let periodical = matches!(src.kind, Some(SourceKind::Bulletin | SourceKind::Journal | SourceKind::Newspaper));
        if let Some(t) = &src.title {
            tags.push((if periodical { "citation_journal_title" } else { "citation_inbook_title" }, t.clone()));
        }
        if periodical {
            tags.extend(src.issue.clone().map(|i| ("citation_issue", i)));
        }
        tags.extend(src.publisher.clone().map(|p| ("citation_publisher", p)));
    }
    tags.push(("citation_language", "zh".into()));
    tags.push(("citation_public_url", permalink.to_string()));
    tags
}

/// schema.org JSON-LD for a `<script type="application/ld+json">`, with
/// `<`, `>` and `&` escaped so no text can close the script.
pub fn json_ld(doc: &Document, permalink: &str, site_title: &str) -> String {
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "genre": super::kind_word(doc.kind),
        "name": doc.title,
        "inLanguage": "zh-CN",
        "url": permalink,
        "dateCreated": doc.date.to_string(),
        "locationCreated": { "@type": "Place", "name": place(doc) },
        "keywords": doc.themes,
        "publisher": { "@type": "Organization", "name": site_title },
    });
    let mut alternate: Vec<&str> = doc.curation.title_pinyin.as_deref().into_iter().collect();
    alternate.extend(doc.curation.title_en.as_deref());
    if !alternate.is_empty() {
        v["alternateName"] = json!(alternate);
    }
    if !doc.speakers.is_empty() {
        let people: Vec<Value> = doc.speakers.iter().map(|s| json!({"@type": "Person", "name": s})).collect();
        v["author"] = Value::Array(people);
    }
    if let Some(o) = &doc.occasion {
        v["recordedAt"] = json!({ "@type": "Event", "name": o, "startDate": doc.date.to_string() });
    }
    if let Some(src) = doc.source.as_ref().filter(|s| s.title.is_some()) {
        let mut part = json!({ "@type": "CreativeWork", "name": src.title });
        if let Some(p) = &src.publisher {
            part["publisher"] = json!({ "@type": "Organization", "name": p });
        }
        if let Some(d) = &src.date {
            part["datePublished"] = json!(d.to_string());
        }
        if let Some(i) = &src.issue {
            part["@type"] = json!("PublicationIssue");
            part["issueNumber"] = json!(i);
        }
        v["isPartOf"] = part;
    }
    if let Some(s) = &doc.summary {
        v["abstract"] = json!(s);
    }
    let text = serde_json::to_string(&v).unwrap_or_default();
    text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}
