//! The archive as pure data: documents, free pages, dates at their precision,
//! kinds and slugs. No I/O and no presentation here; `load` builds these
//! values and every later stage only reads them.

use std::cmp::Ordering;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A date known to the year, the month or the day, as the source prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY");
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |s: &str, len: usize| -> Result<u32, String> {
            if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let year = number(parts[0], 4)? as i32;
        let month = match parts.get(1) {
            Some(m) => Some(number(m, 2)?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => Some(number(d, 2)?),
            None => None,
        };
        if parts.len() > 3 {
            return Err(bad());
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(format!("`{text}` is not a date: month {m} does not exist"));
            }
            if let Some(d) = day {
                if d < 1 || d > days_in_month(year, m) {
                    return Err(format!("`{text}` is not a date: {year}-{m:02} has no day {d}"));
                }
            }
        }
        Ok(PartialDate { year, month: month.map(|m| m as u8), day: day.map(|d| d as u8) })
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    /// The first day the date covers, as (year, month, day).
    pub fn first_day(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The key that orders documents in time: a partial date sorts before
    /// the full dates it covers.
    fn sort_key(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(0), self.day.unwrap_or(0))
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }
}

/// What sort of text a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    Speech,
    Remarks,
    Excerpt,
    Qa,
    Article,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Speech, Kind::Remarks, Kind::Excerpt, Kind::Qa, Kind::Article];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Speech => "speech",
            Kind::Remarks => "remarks",
            Kind::Excerpt => "excerpt",
            Kind::Qa => "qa",
            Kind::Article => "article",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Q&A compilations and articles have no single speaker.
    pub fn needs_speaker(self) -> bool {
        !matches!(self, Kind::Qa | Kind::Article)
    }
}

/// Provenance of a document: where its text was printed or found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub title: Option<String>,
    pub issue: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<PartialDate>,
    pub url: Option<String>,
    pub retrieved: Option<PartialDate>,
    pub raw: Option<String>,
    pub raw_sha256: Option<String>,
    /// Distribution list as printed (主送, 抄送 lines), one entry a line.
    pub distribution: Vec<String>,
    /// What sort of publication printed the text (GB/T 7714's type code).
    pub kind: Option<SourceKind>,
    /// The source's title romanised (pinyin, words joined as written) and
    /// translated, for citations in English.
    pub title_pinyin: Option<String>,
    pub title_en: Option<String>,
}

/// The sort of publication a source is, as a citation must name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// An official bulletin or circular (通报, 公报) with its distribution list.
    Bulletin,
    /// A compilation of several texts (汇编, a collected file).
    Compilation,
    /// A web page.
    Web,
    Newspaper,
    Journal,
    Book,
    Report,
    /// An archive's file (档案).
    Archive,
    Other,
}

impl SourceKind {
    pub const ALL: [SourceKind; 9] = [
        SourceKind::Bulletin,
        SourceKind::Compilation,
        SourceKind::Web,
        SourceKind::Newspaper,
        SourceKind::Journal,
        SourceKind::Book,
        SourceKind::Report,
        SourceKind::Archive,
        SourceKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Bulletin => "bulletin",
            SourceKind::Compilation => "compilation",
            SourceKind::Web => "web",
            SourceKind::Newspaper => "newspaper",
            SourceKind::Journal => "journal",
            SourceKind::Book => "book",
            SourceKind::Report => "report",
            SourceKind::Archive => "archive",
            SourceKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The document type code of GB/T 7714-2015 (table 1): an official
    /// bulletin with 主送/抄送 is a government file, 档案 (A).
    pub fn gbt_code(self) -> &'static str {
        match self {
            SourceKind::Bulletin | SourceKind::Archive => "A",
            SourceKind::Compilation => "G",
            SourceKind::Web => "EB",
            SourceKind::Newspaper => "N",
            SourceKind::Journal => "J",
            SourceKind::Book => "M",
            SourceKind::Report => "R",
            SourceKind::Other => "Z",
        }
    }
}

/// Fields a document's values were supplied for by the editor rather than
/// printed in the source: citations put such values in `[ ]`.
pub const SUPPLIABLE: [&str; 4] = ["title", "date", "speaker", "place"];

/// What the curator adds beyond the text's own metadata: when it entered
/// the archive, which values they supplied, and the title romanised and
/// translated for citations in English.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curation {
    /// The day the document was added to the archive (feeds, 最新收录).
    pub added: Option<PartialDate>,
    /// Names from `SUPPLIABLE`.
    pub supplied: Vec<String>,
    pub title_pinyin: Option<String>,
    pub title_en: Option<String>,
}

impl Curation {
    pub fn supplied(&self, field: &str) -> bool {
        self.supplied.iter().any(|f| f == field)
    }
}

/// One speech, remarks, excerpt, Q&A compilation or article. Serializable
/// without its body, for the load cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Path relative to the site root, e.g. `content/speeches/2020/x.md`.
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub date: PartialDate,
    pub speakers: Vec<String>,
    pub speaker_title: Option<String>,
    pub city: String,
    pub province: Option<String>,
    pub county: Option<String>,
    pub occasion: Option<String>,
    pub kind: Kind,
    pub themes: Vec<String>,
    pub transcribed: bool,
    pub placeholders: bool,
    pub variant_of: Option<String>,
    pub source: Option<Source>,
    pub summary: Option<String>,
    pub editorial_note: Option<String>,
    pub curation: Curation,
    pub draft: bool,
    /// Fields a human still has to fill in (a draft's `needs`).
    pub needs: Vec<String>,
    /// Fields the site allows beyond the content model (`extra_fields`).
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
    /// The Markdown body: in memory, or left in the file.
    #[serde(skip)]
    pub body: Body,
    /// The body's length in bytes, and the line of the file it starts on.
    pub body_len: usize,
    pub body_line: usize,
    /// Digest (XXH3) of the whole file: what later stages compare to tell
    /// whether the document changed since the last build.
    pub digest: u64,
}

/// A document's Markdown body. A build leaves bodies in their files (an
/// archive's text would otherwise sit in memory for the whole build) and
/// reads one again when it renders or indexes that document (`load` gives
/// `Archive::body`); a document parsed from a text holds its body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Body {
    Text(String),
    #[default]
    InFile,
}

impl Body {
    /// The text, when it is in memory.
    pub fn text(&self) -> Option<&str> {
        match self {
            Body::Text(text) => Some(text),
            Body::InFile => None,
        }
    }
}

/// A free page such as "about", from `content/pages/<name>.md`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub body: String,
    /// Line of the file on which the body starts.
    pub body_line: usize,
}

/// Everything that was loaded: documents newest first, then by slug.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    pub documents: Vec<Document>,
    pub pages: Vec<Page>,
    /// The site's root, where documents whose body is not in memory are
    /// read from.
    pub root: PathBuf,
    /// Drafts that wait for a human (their `needs`), published or not.
    pub pending: Vec<Pending>,
    /// The raw source files under `content/raw/`, by name.
    pub raw_files: Vec<RawFile>,
}

/// A raw source file: its name under `content/raw/` (with `/` between
/// folders), and its size and modification time, which stand for its bytes
/// when deciding whether what is made from it must be made again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawFile {
    pub name: String,
    pub size: u64,
    pub mtime_ns: u128,
}

/// A draft that waits for a human: its file and the fields it still needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    pub path: PathBuf,
    pub title: String,
    pub needs: Vec<String>,
}

impl Archive {
    pub fn new(mut documents: Vec<Document>, mut pages: Vec<Page>) -> Self {
        documents.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
        pages.sort_by(|a, b| a.slug.cmp(&b.slug));
        Archive { documents, pages, root: PathBuf::new(), pending: Vec::new(), raw_files: Vec::new() }
    }

    /// The archive, its documents' bodies left in their files under `root`.
    pub fn in_files(self, root: &Path) -> Self {
        Archive { root: root.to_path_buf(), ..self }
    }

    pub fn find(&self, slug: &str) -> Option<usize> {
        self.documents.iter().position(|d| d.slug == slug)
    }

    /// Document `i`'s raw file, when the archive has it.
    pub fn raw_file(&self, i: usize) -> Option<&RawFile> {
        let name = self.documents[i].source.as_ref()?.raw.as_deref()?;
        self.raw_files.binary_search_by(|r| r.name.as_str().cmp(name)).ok().map(|k| &self.raw_files[k])
    }

    /// Documents by when they were added to the archive, newest first;
    /// those without an added date follow, newest delivered first.
    pub fn by_added(&self) -> Vec<usize> {
        let mut ids: Vec<usize> = (0..self.documents.len()).collect();
        // Stable: documents are already newest delivered first.
        ids.sort_by_cached_key(|&i| std::cmp::Reverse(self.documents[i].added_day()));
        ids
    }
}

impl Document {
    /// The day the document entered the archive: `added`, else the day
    /// its source was retrieved. Never a day the content does not give.
    pub fn added_day(&self) -> Option<PartialDate> {
        let retrieved = self.source.as_ref().and_then(|s| s.retrieved);
        self.curation.added.or(retrieved).filter(|d| d.precision() == Precision::Day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision() {
        let d = PartialDate::parse("2020-04-03").unwrap();
        assert_eq!((d.year, d.month, d.day), (2020, Some(4), Some(3)));
        assert_eq!(d.precision(), Precision::Day);
        assert_eq!(PartialDate::parse("2020-04").unwrap().precision(), Precision::Month);
        assert_eq!(PartialDate::parse("2020").unwrap().precision(), Precision::Year);
        assert_eq!(PartialDate::parse("2017-08").unwrap().to_string(), "2017-08");
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(PartialDate::parse("2019-02-29").is_err());
        assert!(PartialDate::parse("2020-02-29").is_ok());
        assert!(PartialDate::parse("2020-13").is_err());
        assert!(PartialDate::parse("2020/04/03").is_err());
        assert!(PartialDate::parse("20-04-03").is_err());
        assert!(PartialDate::parse("2020-4-3").is_err());
        assert!(PartialDate::parse("").is_err());
    }

    #[test]
    fn partial_dates_sort_before_the_days_they_cover() {
        let year = PartialDate::parse("2020").unwrap();
        let month = PartialDate::parse("2020-04").unwrap();
        let day = PartialDate::parse("2020-04-03").unwrap();
        assert!(year < month && month < day);
    }
}
