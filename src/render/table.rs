//! The archive as a table: one row per document, one column per field of
//! the content model. The one list of columns that the CSV and JSON
//! downloads, the Frictionless table schema and the data page's field
//! documentation are all made from, so they cannot disagree.

use serde_json::{json, Map, Value};

use crate::model::Document;

/// Lists (speakers, themes, supplied fields, distribution lines) in a CSV
/// cell are joined by this; JSON keeps them as arrays.
pub const LIST_SEPARATOR: &str = " | ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    String,
    Boolean,
    /// A full day (`added`): Table Schema's `date`.
    Date,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a string with a pattern.
    PartialDate,
}

/// One column: its name, type, whether it holds a list, and what it means
/// in Chinese and in English.
pub struct Column {
    pub name: &'static str,
    pub kind: Type,
    pub list: bool,
    pub zh: &'static str,
    pub en: &'static str,
    value: fn(&Document) -> Value,
}

fn text(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| json!(s))
}

fn source<T>(d: &Document, f: impl Fn(&crate::model::Source) -> Option<T>) -> Option<T> {
    d.source.as_ref().and_then(f)
}

macro_rules! col {
    ($name:literal, $kind:ident, $list:literal, $zh:literal, $en:literal, $f:expr) => {
        Column { name: $name, kind: Type::$kind, list: $list, zh: $zh, en: $en, value: $f }
    };
}

/// Every column, in order. `slug` is the key.
pub const COLUMNS: [Column; 33] = [
    col!(
        "slug",
        String,
        false,
        "文稿的唯一标识，也是网址的一部分",
        "the document's identifier, also part of its URL",
        |d| json!(d.slug)
    ),
    col!(
        "title",
        String,
        false,
        "标题（照原文，不含讲话人）",
        "title as printed, without the speaker's name",
        |d| json!(d.title)
    ),
    col!("title_pinyin", String, false, "标题的拼音", "the title in pinyin", |d| text(&d.curation.title_pinyin)),
    col!("title_en", String, false, "标题的英译", "an English translation of the title", |d| text(
        &d.curation.title_en
    )),
    col!(
        "date",
        PartialDate,
        false,
        "讲话日期，精确到原文所载（年、年月或年月日）",
        "date delivered, as precise as the source (YYYY, YYYY-MM or YYYY-MM-DD)",
        |d| json!(d.date.to_string())
    ),
    col!("speaker", String, true, "讲话人", "who spoke", |d| json!(d.speakers)),
    col!("speaker_title", String, false, "讲话人当时的职务", "the speaker's office on that date", |d| text(
        &d.speaker_title
    )),
    col!("province", String, false, "省级行政区", "province-level division", |d| text(&d.province)),
    col!(
        "city",
        String,
        false,
        "地级行政区（省级、全国讲话填省名或“全国”）",
        "prefecture-level place; the province or 全国 for higher levels",
        |d| json!(d.city)
    ),
    col!("county", String, false, "县级行政区", "county-level place", |d| text(&d.county)),
    col!("occasion", String, false, "会议或场合", "the meeting or event", |d| text(&d.occasion)),
    col!(
        "kind",
        String,
        false,
        "类型：speech 讲话、remarks 主持讲话、excerpt 摘编、qa 问答、article 文章",
        "speech, remarks (as chair), excerpt, qa (questions and answers) or article",
        |d| json!(d.kind.key())
    ),
    col!("themes", String, true, "主题", "topics", |d| json!(d.themes)),
    col!("transcribed", Boolean, false, "是否根据录音整理", "printed as transcribed from a recording", |d| json!(
        d.transcribed
    )),
    col!(
        "placeholders",
        Boolean,
        false,
        "原文是否以 X、×、某某 等隐去数字或人名",
        "the text carries redactions such as X or ×",
        |d| json!(d.placeholders)
    ),
    col!(
        "variant_of",
        String,
        false,
        "本文所转载或改动的原文的 slug",
        "slug of the document this one reprints",
        |d| text(&d.variant_of)
    ),
    col!("summary", String, false, "摘要", "summary", |d| text(&d.summary)),
    col!(
        "editorial_note",
        String,
        false,
        "编者说明：推定的值如何推定",
        "how the editor inferred a value the text does not print",
        |d| text(&d.editorial_note)
    ),
    col!("added", Date, false, "收录日期", "the day the document entered the archive", |d| d
        .curation
        .added
        .map_or(Value::Null, |a| json!(a.to_string()))),
    col!(
        "supplied",
        String,
        true,
        "由编者补充、非原文所载的字段（title、date、speaker、place）",
        "fields whose values the editor supplied (title, date, speaker, place)",
        |d| json!(d.curation.supplied)
    ),
    col!(
        "source_title",
        String,
        false,
        "出处：刊物、汇编或网站名",
        "source: the bulletin, compilation or web site",
        |d| text(&source(d, |s| s.title.clone()))
    ),
    col!(
        "source_kind",
        String,
        false,
        "出处类型：bulletin、compilation、web、newspaper、journal、book、report、archive、other",
        "kind of source: bulletin, compilation, web, newspaper, journal, book, report, archive, other",
        |d| source(d, |s| s.kind).map_or(Value::Null, |k| json!(k.key()))
    ),
    col!("source_title_pinyin", String, false, "出处名的拼音", "the source's title in pinyin", |d| text(
        &source(d, |s| s.title_pinyin.clone())
    )),
    col!("source_title_en", String, false, "出处名的英译", "the source's title in English", |d| text(&source(
        d,
        |s| s.title_en.clone()
    ))),
    col!("source_issue", String, false, "期次", "issue", |d| text(&source(d, |s| s.issue.clone()))),
    col!("source_publisher", String, false, "印发或发布者", "publisher", |d| text(&source(d, |s| s
        .publisher
        .clone()))),
    col!("source_date", PartialDate, false, "出处的印发或发布日期", "when the source was published", |d| {
        source(d, |s| s.date).map_or(Value::Null, |x| json!(x.to_string()))
    }),
    col!("source_url", String, false, "出处网址", "the source's URL", |d| text(&source(d, |s| s.url.clone()))),
    col!("source_retrieved", PartialDate, false, "取得日期", "when the source was retrieved", |d| source(d, |s| s
        .retrieved)
    .map_or(Value::Null, |x| json!(x.to_string()))),
    col!(
        "source_raw",
        String,
        false,
        "原始文本文件名（本站 raw/ 下）",
        "the raw file's name (under raw/ on this site)",
        |d| text(&source(d, |s| s.raw.clone()))
    ),
    col!("source_raw_sha256", String, false, "原始文本的 SHA-256", "SHA-256 of the raw file", |d| text(&source(
        d,
        |s| s.raw_sha256.clone()
    ))),
    col!(
        "source_distribution",
        String,
        true,
        "主送、抄送（照原文，每行一项）",
        "distribution list as printed, one entry a line",
        |d| json!(source(d, |s| Some(s.distribution.clone())).unwrap_or_default())
    ),
    col!("url", String, false, "本站页面的网址", "the document's page on this site", |_| Value::Null),
];

/// A document as one object, lists as arrays; `url` is its page's.
pub fn row(doc: &Document, url: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for c in &COLUMNS {
        let v = if c.name == "url" { json!(url) } else { (c.value)(doc) };
        map.insert(c.name.to_string(), v);
    }
    map
}

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str, out: &mut String) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Documents as CSV: UTF-8 with a byte-order mark (spreadsheet programs
/// then read the Chinese), CRLF line ends, a header row; each row as
/// [`csv_row`] made it.
pub fn csv<'a>(rows: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    rows.for_each(|row| out.push_str(row));
    out.into_bytes()
}

/// A document's CSV row, with its line end; `url` is its page's. A
/// document stands in several CSV files (the whole archive's, each of its
/// terms'), which share its row.
pub fn csv_row(doc: &Document, url: &str) -> String {
    let mut out = String::new();
    for (k, c) in COLUMNS.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let value = if c.name == "url" { json!(url) } else { (c.value)(doc) };
        let cell = match value {
            Value::Null => String::new(),
            Value::String(s) => s,
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(LIST_SEPARATOR),
            other => other.to_string(),
        };
        csv_field(&cell, &mut out);
    }
    out.push_str("\r\n");
    out
}

/// The Table Schema of the CSV, descriptions in `language`.
pub fn schema(language: &str) -> Value {
    let fields: Vec<Value> = COLUMNS
        .iter()
        .map(|c| {
            let description = if language.starts_with("zh") { c.zh } else { c.en };
            let mut f = json!({ "name": c.name, "description": description });
            match c.kind {
                Type::PartialDate => {
                    f["type"] = json!("string");
                    f["constraints"] = json!({ "pattern": "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?" });
                }
                Type::Date => f["type"] = json!("date"),
                Type::Boolean => {
                    f["type"] = json!("boolean");
                    f["trueValues"] = json!(["true"]);
                    f["falseValues"] = json!(["false"]);
                }
                Type::String => f["type"] = json!("string"),
            }
            if c.list {
                f["description"] = json!(format!("{description} (list, joined by \"{LIST_SEPARATOR}\")"));
            }
            if matches!(c.name, "slug" | "title" | "date" | "city" | "kind" | "url") {
                f["constraints"]["required"] = json!(true);
            }
            if c.name == "slug" {
                f["constraints"]["unique"] = json!(true);
            }
            f
        })
        .collect();
    json!({ "fields": fields, "primaryKey": "slug", "missingValues": [""] })
}
