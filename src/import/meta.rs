//! Metadata of one document, detected from its header and body: title,
//! speaker and office, delivery date, occasion, kind, transcription,
//! placeholders and place, each found by its own module (`title`,
//! `speaker`, `date`, `occasion`, `kind`, `places_in_text`); this one
//! gathers them into a `Meta`. Each value records how it was found and with
//! what confidence; what cannot be found stays empty. Everything is matched
//! on a simplified copy of the text and written in simplified characters (a
//! traditional body keeps its script). Reprints are `similar`'s.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use super::date::detect_date;
use super::kind::{detect_kind, opens_with_salutation};
use super::occasion::{occasion_in_text, occasion_of, work_report};
use super::places_in_text::{locate, Clues};
use super::provenance::SourceFacts;
use super::speaker::detect_speaker;
use super::split::Header;
use super::title::read_title;
use crate::model::{Kind, PartialDate};
use crate::script::simplify;

/// What was detected for one document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Meta {
    pub title: Option<String>,
    #[serde(serialize_with = "serialize_date")]
    pub date: Option<PartialDate>,
    pub speaker: Option<String>,
    pub speaker_title: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub county: Option<String>,
    pub occasion: Option<String>,
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Option<Kind>,
    pub transcribed: bool,
    pub placeholders: bool,
    pub variant_of: Option<String>,
    pub source: SourceFacts,
    /// Values not printed with this text but known from elsewhere (a
    /// reprint's speaker, date or place taken from its original), as the
    /// content model's `supplied` names them: citations bracket them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplied: Vec<&'static str>,
    /// Field → (confidence 0–1, how it was found); the report lists these.
    #[serde(skip)]
    pub found: Vec<(&'static str, f32, String)>,
    /// Places the text names that fit more than one unit: for a human.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub place_candidates: Vec<String>,
}

impl Meta {
    /// `value`, with how it was found recorded when there is one.
    pub fn set<T>(&mut self, field: &'static str, value: Option<T>, confidence: f32, how: &str) -> Option<T> {
        if value.is_some() {
            self.found.push((field, confidence, how.to_string()));
        }
        value
    }
}

/// Detects the metadata of one document. `body` is its cleaned text.
pub fn detect_meta(header: Option<&Header>, body: &str, source: &SourceFacts) -> Meta {
    let mut m = Meta { source: source.clone(), ..Meta::default() };
    let h = header.cloned().unwrap_or_default();
    let simple = simplify(body);
    let title = read_title(&h.title, &h.prefix);
    let salutation = opens_with_salutation(&simple);
    let kind = detect_kind(&title.text, &simple, salutation);
    m.kind = Some(kind);
    m.found.push(("kind", 0.7, "title wording and the text's layout".into()));
    m.title = m.set("title", Some(title.text.clone()).filter(|t| !t.is_empty()), 0.9, "header");
    detect_speaker(&mut m, &h, &title, &simple, kind);
    m.transcribed = h.text.contains("录音");
    if m.transcribed {
        m.found.push(("transcribed", 0.95, "header says 根据录音整理".into()));
    }
    let redactions = count_placeholders(&simple);
    m.placeholders = redactions > 0;
    if m.placeholders {
        m.found.push(("placeholders", 0.8, format!("{redactions} redactions such as X, xx, 201x or 某某")));
    }
    detect_date(&mut m, &h, &title, &simple, kind);
    // The speaker's office wherever it was printed: it names a government
    // (a work report's congress) and a place.
    let office =
        m.speaker_title.clone().or_else(|| h.office.clone()).or_else(|| title.office.clone()).unwrap_or_default();
    let occasion = h
        .subtitle
        .as_deref()
        .and_then(|s| occasion_of(&simplify(s)))
        .or_else(|| occasion_of(&title.text))
        .map(|o| (o, "title `在…上的讲话`"))
        .or_else(|| occasion_in_text(&title.text, &simple).map(|o| (o, "the meeting the text says was held")))
        .or_else(|| work_report(&office, &simple).map(|o| (o, "a government's work report to its congress")));
    if let Some((occasion, how)) = occasion {
        m.occasion = m.set("occasion", Some(fast2s::convert(&occasion)), 0.7, how);
    }
    let clues = Clues {
        office: &office,
        // A bulletin's issuing office, not a website's name.
        publisher: source
            .publisher
            .as_deref()
            .filter(|p| source.issue.is_some() || p.ends_with("办公室") || p.ends_with("办公厅"))
            .unwrap_or(""),
        title: &title.text,
        occasion: m.occasion.as_deref().unwrap_or(""),
        body: &simple,
        spoken: kind != Kind::Article,
    };
    let place = locate(&clues);
    m.county = m.set("county", place.county, place.confidence, &place.how);
    m.city = m.set("city", place.city, place.confidence, &place.how);
    m.province = m.set("province", place.province, place.confidence, &place.how);
    m.place_candidates = place.candidates;
    m
}

/// Redactions: `X年`, `xx副县长`, `201x`, `20_`, `某某`, a lone `*` (`蔡锦*`;
/// `**` is emphasis); or two looser ones (`X月X日`, a lone `X`).
fn count_placeholders(body: &str) -> usize {
    static STRONG: OnceLock<Regex> = OnceLock::new();
    static PLACEHOLDER: OnceLock<Regex> = OnceLock::new();
    let strong = STRONG.get_or_init(|| {
        Regex::new(r"(?:^|[^A-Za-z])[xX×]{1,4}(?:同志|书记|副?县长|副?市长|副?区长|副?主任|局长|年|户|人|万|%)|20\d?[_xX×]|某某|(?:^|[^*])\*(?:[^*]|$)")
            .expect("valid regex")
    });
    let re = PLACEHOLDER.get_or_init(|| {
        Regex::new(r"×+|[xX]{2,4}年|[xX]{1,2}月[xX]{1,2}日|(?:^|[^A-Za-z+])X+(?:[^A-Za-z+]|$)").expect("valid regex")
    });
    let strong = strong.find_iter(body).count();
    let loose = re.find_iter(body).count();
    if strong > 0 {
        strong + loose
    } else if loose >= 2 {
        loose
    } else {
        0
    }
}

pub fn serialize_date<S: serde::Serializer>(date: &Option<PartialDate>, s: S) -> Result<S::Ok, S::Error> {
    date.map(|d| d.to_string()).serialize(s)
}

fn serialize_kind<S: serde::Serializer>(kind: &Option<Kind>, s: S) -> Result<S::Ok, S::Error> {
    kind.map(Kind::key).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_counted_but_real_letters_are_not() {
        assert!(count_placeholders("xx副县长通报了情况") > 0);
        assert!(count_placeholders("截止201x年底，我市有x户") > 0);
        assert!(count_placeholders("我于20_年7月到村") > 0);
        assert!(count_placeholders("市委书记蔡锦*，市长") > 0);
        assert_eq!(count_placeholders("“支部+x+贫困户”和GDP、PPT、X光"), 0);
    }

    #[test]
    fn a_header_gives_title_speaker_date_occasion_kind() {
        let h = Header {
            text: "县委书记钟益民在全县脱贫攻坚工作会上的讲话（2017年2月19，根据录音整理）".into(),
            prefix: "县委书记钟益民".into(),
            title: "在全县脱贫攻坚工作会上的讲话".into(),
            dated: Some("（2017年2月19，根据录音整理）".into()),
            ..Header::default()
        };
        let m = detect_meta(
            Some(&h),
            "同志们：\n拖累进贤人民，我们都是进贤人。全县上下，进贤县要。",
            &SourceFacts::default(),
        );
        assert_eq!(m.speaker.as_deref(), Some("钟益民"));
        assert_eq!(m.speaker_title.as_deref(), Some("县委书记"));
        assert_eq!(m.date.unwrap().to_string(), "2017-02-19");
        assert_eq!(m.occasion.as_deref(), Some("全县脱贫攻坚工作会"));
        assert_eq!(m.kind, Some(Kind::Speech));
        assert!(m.transcribed);
        assert_eq!(m.county.as_deref(), Some("进贤县"));
        assert_eq!((m.city.as_deref(), m.province.as_deref()), (Some("南昌市"), Some("江西省")));
    }
}
