//! Front matter → `Document` or `Page`: the content model's schema, checked
//! field by field (through `fields`) so that one file reports all of its
//! mistakes at once. Text fields take a scalar's characters exactly as
//! written (see `front_matter`); only `draft`, `transcribed`, `placeholders`
//! (true or false), the dates and the lists are typed.

use std::path::Path;

use super::fields::{describe, entries, Fields};
use super::front_matter::NodeKind;
use crate::diagnostics::Diagnostic;
use crate::model::{Body, Curation, Document, Kind, Page, PartialDate, Source, SourceKind, SUPPLIABLE};
use crate::slug::{self, MAX_SLUG_BYTES};

const DOCUMENT_FIELDS: [&str; 23] = [
    "title",
    "date",
    "speaker",
    "speaker_title",
    "city",
    "province",
    "county",
    "occasion",
    "kind",
    "themes",
    "transcribed",
    "placeholders",
    "variant_of",
    "source",
    "slug",
    "summary",
    "editorial_note",
    "draft",
    "needs",
    "added",
    "supplied",
    "title_pinyin",
    "title_en",
];
const SOURCE_FIELDS: [&str; 12] = [
    "title",
    "issue",
    "publisher",
    "date",
    "url",
    "retrieved",
    "raw",
    "raw_sha256",
    "distribution",
    "kind",
    "title_pinyin",
    "title_en",
];
const PAGE_FIELDS: [&str; 3] = ["title", "slug", "draft"];

/// What only the content model's fields need: `needs`, `source`, the
/// slug and the length of term names.
impl Fields<'_> {
    /// `needs: [date, city]`: the fields a human still has to fill in. Only
    /// a draft may need anything, and only fields of the content model.
    fn needs(&mut self, draft: bool) -> Vec<String> {
        let needs = self.list("needs", false);
        for field in &needs {
            if !DOCUMENT_FIELDS.contains(&field.as_str()) || field == "needs" || field == "draft" {
                self.report("needs", true, format!("`needs`: `{field}` is not a field of the content model"));
            }
        }
        if !needs.is_empty() && !draft {
            let m = "`needs` lists fields still to fill in: fill them in and remove `needs`, or keep `draft: true`";
            self.report("needs", true, m.into());
        }
        needs
    }

    fn source(&mut self) -> Option<Source> {
        let value = self.get("source")?;
        if !matches!(value.kind, NodeKind::Map(_)) {
            let m = format!("`source` must be a mapping, not {}", describe(value));
            self.report("source", true, m);
            return None;
        }
        let unknown: Vec<(usize, usize, String)> = entries(value)
            .iter()
            .filter(|e| !SOURCE_FIELDS.contains(&e.key.as_str()))
            .map(|e| (e.line, e.col, format!("unknown field `source.{}`", e.key)))
            .collect();
        for (line, col, m) in unknown {
            self.report_at(line, col, m);
        }
        let source = Source {
            title: self.text("source.title"),
            issue: self.text("source.issue"),
            publisher: self.text("source.publisher"),
            date: self.date("source.date"),
            url: self.text("source.url"),
            retrieved: self.date("source.retrieved"),
            raw: self.text("source.raw"),
            raw_sha256: self.text("source.raw_sha256"),
            distribution: self.items("source.distribution", false),
            kind: None,
            title_pinyin: self.text("source.title_pinyin"),
            title_en: self.text("source.title_en"),
        };
        let kind = self.text("source.kind").and_then(|k| {
            let found = SourceKind::from_key(&k);
            if found.is_none() {
                let keys: Vec<&str> = SourceKind::ALL.iter().map(|k| k.key()).collect();
                self.report("source.kind", true, format!("source.kind `{k}` is not one of {}", keys.join(", ")));
            }
            found
        });
        if let Some(raw) = &source.raw {
            let plain = Path::new(raw).components().all(|c| matches!(c, std::path::Component::Normal(_)));
            if !plain || raw.contains('\\') {
                let m = format!("`source.raw` must be a file name under content/raw/, not `{raw}`");
                self.report("source.raw", true, m);
            }
        }
        if let Some(sha) = &source.raw_sha256 {
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.report("source.raw_sha256", true, "`source.raw_sha256` must be 64 hexadecimal digits".into());
            }
        }
        if let Some(url) = &source.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                self.report("source.url", true, format!("`source.url` must be an http(s) URL, not `{url}`"));
            }
        }
        Some(Source { kind, ..source })
    }

    fn slug(&mut self, file: &Path) -> String {
        if let Some(s) = self.text("slug") {
            if !slug::is_valid(&s) {
                self.report(
                    "slug",
                    true,
                    format!("slug `{s}` must be lowercase ASCII letters, digits and single hyphens"),
                );
            } else if s.len() > MAX_SLUG_BYTES {
                let m = format!("slug is {} bytes long; a URL path segment may take at most {MAX_SLUG_BYTES}", s.len());
                self.report("slug", true, m);
            }
            return s;
        }
        let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let s = if slug::is_valid(&stem) { stem } else { slug::slugify(&stem) };
        if s.is_empty() {
            self.report_at(1, 1, "cannot make a URL slug from the file name; add a `slug:` field".to_string());
        } else if s.len() > MAX_SLUG_BYTES {
            self.report_at(
                1,
                1,
                format!(
                    "the file name makes a slug of {} bytes; a URL path segment may take at most {MAX_SLUG_BYTES}: rename the file or add a shorter `slug:` field",
                    s.len()
                ),
            );
        }
        s
    }

    /// A name that becomes a term page (`speakers/<slug>/`) must make a
    /// slug short enough for a file name.
    fn check_term_length(&mut self, key: &str, names: &[String]) {
        for name in names {
            let bytes = slug::slugify(name).len() + slug::SUFFIX_BYTES;
            if bytes > MAX_SLUG_BYTES {
                let m = format!(
                    "`{key}` `{name}` makes a URL path segment of up to {bytes} bytes; at most {MAX_SLUG_BYTES} fit"
                );
                let at = self.root.entry_at(key).map(|e| &e.value).and_then(|v| match &v.kind {
                    NodeKind::List(items) => items.iter().find(|i| i.as_text().map(str::trim) == Some(name)),
                    _ => Some(v),
                });
                match at.map(|n| (n.line, n.col)) {
                    Some((line, col)) => self.report_at(line, col, m),
                    None => self.report(key, true, m),
                }
            }
        }
    }
}

/// Parses a document file. `extra` lists the site's extra fields.
pub fn parse_document(path: &Path, text: &str, extra: &[String]) -> Result<Document, Vec<Diagnostic>> {
    let (mut f, body, body_line) = Fields::parse(path, text)?;
    f.check_known(&DOCUMENT_FIELDS, extra);
    let draft = f.flag("draft");
    let needs = f.needs(draft);
    f.waived = needs.clone();
    let title = f.required_text("title");
    if f.get("date").is_none() {
        f.missing("date", String::new());
    }
    let date = f.date("date");
    let kind = match f.text("kind") {
        None => Kind::Speech,
        Some(k) => Kind::from_key(&k).unwrap_or_else(|| {
            f.report("kind", true, format!("kind `{k}` is not one of speech, remarks, excerpt, qa, article"));
            Kind::Speech
        }),
    };
    let speakers = f.list("speaker", true);
    if speakers.is_empty() && kind.needs_speaker() && f.get("speaker").is_none() {
        f.missing("speaker", format!(" (only qa and article may omit it; kind is {})", kind.key()));
    }
    let city = f.required_text("city");
    let province = f.text("province");
    let county = f.text("county");
    check_place(&mut f, &city, province.as_deref(), county.as_deref());
    for (key, names) in [("speaker", &speakers), ("city", &vec![city.clone()])] {
        f.check_term_length(key, names);
    }
    f.check_term_length("province", &province.iter().cloned().collect::<Vec<_>>());
    f.check_term_length("county", &county.iter().cloned().collect::<Vec<_>>());
    let variant_of = f.text("variant_of");
    if let Some(v) = &variant_of {
        if !slug::is_valid(v) {
            f.report("variant_of", true, format!("variant_of `{v}` is not a slug"));
        }
    }
    let curation = curation(&mut f);
    let extra_values = extra.iter().filter_map(|k| f.get(k).map(|v| (k.clone(), v.to_json()))).collect();
    let document = Document {
        path: path.to_path_buf(),
        slug: f.slug(path),
        speaker_title: f.text("speaker_title"),
        province,
        county,
        occasion: f.text("occasion"),
        themes: f.list("themes", false),
        transcribed: f.flag("transcribed"),
        placeholders: f.flag("placeholders"),
        source: f.source(),
        summary: f.text("summary"),
        editorial_note: f.text("editorial_note"),
        curation,
        draft,
        needs,
        title,
        date: date.unwrap_or(PartialDate { year: 0, month: None, day: None }),
        speakers,
        city,
        kind,
        variant_of,
        extra: extra_values,
        body: Body::Text(body.to_string()),
        body_len: body.len(),
        body_line,
        digest: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
    };
    f.check_term_length("themes", &document.themes);
    check_year_folder(&mut f, path, &document);
    if f.problems.is_empty() {
        Ok(document)
    } else {
        f.problems.sort();
        Err(f.problems)
    }
}

/// The curator's fields: `added` (a day), `supplied` (names of fields),
/// and the title romanised and translated.
fn curation(f: &mut Fields) -> Curation {
    let added = f.date("added");
    if added.is_some_and(|d| d.precision() != crate::model::Precision::Day) {
        f.report("added", true, "`added` must be a day (YYYY-MM-DD): the day the document entered the archive".into());
    }
    let supplied = f.list("supplied", true);
    for name in supplied.iter().filter(|n| !SUPPLIABLE.contains(&n.as_str())) {
        let m = format!("supplied `{name}` is not one of {}", SUPPLIABLE.join(", "));
        f.report("supplied", true, m);
    }
    Curation { added, supplied, title_pinyin: f.text("title_pinyin"), title_en: f.text("title_en") }
}

/// Places the table knows must stand in their own city and province.
fn check_place(f: &mut Fields, city: &str, province: Option<&str>, county: Option<&str>) {
    if let (Some(given), Some(known)) = (province, crate::places::province_of(city)) {
        if given != known {
            f.report("province", true, format!("{city} is in {known}, not {given} (GB/T 2260)"));
        }
    }
    if let (Some(county), Some((known, _))) = (county, county.and_then(crate::places::city_of_county)) {
        if city != known {
            f.report("county", true, format!("{county} is in {known}, not {city} (GB/T 2260)"));
        }
    }
}

/// `content/speeches/2019/x.md` must hold a document of 2019.
fn check_year_folder(f: &mut Fields, path: &Path, doc: &Document) {
    let folder = path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().to_string());
    if let Some(year) = folder.filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())) {
        if doc.date.year != 0 && year != format!("{:04}", doc.date.year) {
            let m = format!("date is in {} but the file is in the folder for {year}", doc.date.year);
            f.report("date", true, m);
        }
    }
}

/// Parses a free page (`content/pages/<name>.md`).
pub fn parse_page(path: &Path, text: &str) -> Result<Option<Page>, Vec<Diagnostic>> {
    let (mut f, body, body_line) = Fields::parse(path, text)?;
    f.check_known(&PAGE_FIELDS, &[]);
    let title = f.required_text("title");
    let slug = f.slug(path);
    let draft = f.flag("draft");
    if !f.problems.is_empty() {
        return Err(f.problems);
    }
    Ok((!draft).then(|| Page { path: path.to_path_buf(), slug, title, body: body.to_string(), body_line }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse_document(Path::new("content/speeches/2020/a.md"), text, &[])
            .unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    const GOOD: &str = "---\ntitle: 讲话\ndate: 2020-04-03\nspeaker: 何邦军\ncity: 安康市\nthemes: [驻村帮扶]\nsource:\n  raw: a.txt\n---\n\n同志们：\n";

    #[test]
    fn a_good_document_parses() {
        let d = parse_document(Path::new("content/speeches/2020/he-2020.md"), GOOD, &[]).unwrap();
        assert_eq!(d.slug, "he-2020");
        assert_eq!(d.speakers, ["何邦军"]);
        assert_eq!(d.kind, Kind::Speech);
        assert_eq!(d.source.unwrap().raw.as_deref(), Some("a.txt"));
        assert_eq!(d.body_line, 10);
    }

    #[test]
    fn every_mistake_of_a_file_is_reported_at_its_line() {
        let text = "---\ntitle: 讲话\ndate: 2020-02-30\nspaker: 何邦军\ncity: 安康市\nkind: talk\nsource:\n  raw: a.txt\n  pages: 3\n---\n";
        assert_eq!(
            errors(text),
            [
                "content/speeches/2020/a.md:2:1: missing required field `speaker` (only qa and article may omit it; kind is speech)",
                "content/speeches/2020/a.md:3:7: `date`: `2020-02-30` is not a date: 2020-02 has no day 30",
                "content/speeches/2020/a.md:4:1: unknown field `spaker`",
                "content/speeches/2020/a.md:6:7: kind `talk` is not one of speech, remarks, excerpt, qa, article",
                "content/speeches/2020/a.md:9:3: unknown field `source.pages`",
            ]
        );
    }

    #[test]
    fn the_curators_fields_are_checked_at_their_lines() {
        let text = "---\ntitle: 讲话\ndate: 2020-04-03\nspeaker: 何邦军\ncity: 安康市\nadded: 2026-11\nsupplied: [title, author]\nsource:\n  kind: leaflet\n  raw: ../x.txt\n---\n";
        assert_eq!(
            errors(text),
            [
                "content/speeches/2020/a.md:6:8: `added` must be a day (YYYY-MM-DD): the day the document entered the archive",
                "content/speeches/2020/a.md:7:11: supplied `author` is not one of title, date, speaker, place",
                "content/speeches/2020/a.md:9:9: source.kind `leaflet` is not one of bulletin, compilation, web, newspaper, journal, book, report, archive, other",
                "content/speeches/2020/a.md:10:8: `source.raw` must be a file name under content/raw/, not `../x.txt`",
            ]
        );
        let good = GOOD.replace("city:", "added: 2026-11-23\nsupplied: date\ntitle_en: Speech\ncity:");
        let d = parse_document(Path::new("a.md"), &good, &[]).unwrap();
        assert_eq!(d.curation.added.unwrap().to_string(), "2026-11-23");
        assert!(d.curation.supplied("date") && !d.curation.supplied("title"));
    }

    #[test]
    fn yaml_syntax_errors_point_at_the_file_line() {
        let e = errors("---\ntitle: 讲话\ndate: [2020\n---\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("content/speeches/2020/a.md:4:"), "{e:?}");
    }

    #[test]
    fn qa_needs_no_speaker_and_the_folder_year_must_match() {
        let text = "---\ntitle: 问答\ndate: 2019-05\ncity: 全国\nkind: qa\n---\n";
        assert_eq!(
            errors(text),
            ["content/speeches/2020/a.md:3:7: date is in 2019 but the file is in the folder for 2020"]
        );
    }

    #[test]
    fn no_input_makes_the_loader_panic() {
        let odd = [
            "",
            "---",
            "---\n---",
            "---\n- a\n- b\n---\n",
            "---\n!!binary aGVsbG8=\n---\n",
            "---\ntitle: !custom x\ndate: 2020\n---\n",
            "---\ndate: 99999-01-01\n---\n",
            "---\ntitle: {a: [b, {c: d}]}\nsource: [1, 2]\nspeaker: [[x]]\n---\n",
            "---\n\u{0}\u{feff}\u{202e}: x\n---\n",
            "---\n? [a, b]\n: c\n---\n",
            "---\nanchors: &a [*a]\n---\n",
        ];
        for text in odd {
            let _ = parse_document(Path::new("x.md"), text, &[]);
            let _ = parse_page(Path::new("x.md"), text);
        }
        // Every truncation of a good document, on character boundaries.
        for (i, _) in GOOD.char_indices() {
            let _ = parse_document(Path::new("content/speeches/2020/a.md"), &GOOD[..i], &[]);
        }
    }

    #[test]
    fn a_city_in_the_wrong_province_is_an_error() {
        let text = GOOD.replace("city: 安康市", "city: 安康市\nprovince: 河南省");
        assert_eq!(errors(&text), ["content/speeches/2020/a.md:6:11: 安康市 is in 陕西省, not 河南省 (GB/T 2260)"]);
        let text = GOOD.replace("city: 安康市", "city: 安康市\ncounty: 新县");
        assert_eq!(errors(&text), ["content/speeches/2020/a.md:6:9: 新县 is in 信阳市, not 安康市 (GB/T 2260)"]);
    }

    #[test]
    fn extra_fields_are_allowed_when_the_site_lists_them() {
        let text = GOOD.replace("city:", "archive_no: 17\ncity:");
        assert!(parse_document(Path::new("a.md"), &text, &[]).is_err());
        let d = parse_document(Path::new("a.md"), &text, &["archive_no".into()]).unwrap();
        // Text as written, never a number: `17` and `017` stay apart.
        assert_eq!(d.extra["archive_no"], serde_json::json!("17"));
    }
}
