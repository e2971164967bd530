//! Metadata of one document, detected from its header and body: title,
//! speaker and office, delivery date, occasion, kind, transcription,
//! placeholders and place. Each value records how it was found and with what
//! confidence; what cannot be found stays empty. Reprints are `similar`'s.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use super::places_in_text::{locate, Scope};
use super::provenance::{find_date, SourceFacts};
use super::split::Header;
use crate::model::{Kind, PartialDate};

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
    /// Field → (confidence 0–1, how it was found); the report lists these.
    #[serde(skip)]
    pub found: Vec<(&'static str, f32, String)>,
}

impl Meta {
    fn set<T>(&mut self, field: &'static str, value: Option<T>, confidence: f32, how: &str) -> Option<T> {
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
    let (office, name) = split_office(&h.prefix).unwrap_or_default();
    let posted_author = h.posting.as_deref().and_then(author_of_posting);
    let speaker = [Some(name.clone()).filter(|n| !n.is_empty()), h.name_after.clone(), posted_author]
        .into_iter()
        .flatten()
        .next();
    m.speaker = m.set("speaker", speaker.map(|s| s.trim_end_matches("同志").to_string()), 0.9, "header");
    m.speaker_title = m.set("speaker_title", Some(office.clone()).filter(|o| !o.is_empty()), 0.9, "header");
    if m.speaker_title.is_none() && m.speaker.is_some() {
        m.speaker_title = m.set("speaker_title", office_in_body(body), 0.6, "the speaker's `作为…` in the text");
    }
    m.title = m.set("title", Some(h.title.clone()).filter(|t| !t.is_empty()), 0.9, "header");
    m.occasion = m.set("occasion", occasion_of(&h.title), 0.8, "title `在…上的讲话`");
    m.kind = detect_kind(&h, m.speaker.is_some() || opens_with_salutation(body));
    m.found.push(("kind", 0.7, "title wording".into()));
    m.transcribed = h.text.contains("录音");
    if m.transcribed {
        m.found.push(("transcribed", 0.95, "header says 根据录音整理".into()));
    }
    m.placeholders = count_placeholders(body) >= 2;
    if m.placeholders {
        m.found.push(("placeholders", 0.8, format!("{} redactions such as X or ×", count_placeholders(body))));
    }
    detect_date(&mut m, &h, body);
    let scope = Scope::of(&h.title, &office);
    let place = locate(&office, source.publisher.as_deref(), body, scope);
    m.county = m.set("county", place.county, place.confidence, &place.how);
    m.city = m.set("city", place.city, place.confidence, &place.how);
    m.province = m.set("province", place.province, place.confidence, "place table");
    m
}

/// `市委副书记、市政府市长付宗义` → (`市委副书记、市政府市长`, `付宗义`);
/// `吕旅同志` → (``, `吕旅`). `None` when no name can be told apart.
pub fn split_office(prefix: &str) -> Option<(String, String)> {
    static OFFICE: OnceLock<Regex> = OnceLock::new();
    let re = OFFICE.get_or_init(|| {
        Regex::new(r"^(?P<office>[\p{Han}、]*(?:书记|市长|县长|区长|州长|省长|主任|部长|局长|主席|组长|镇长|乡长|厅长|专员|盟长))?(?P<name>\p{Han}{2,3}?)(?:同志)?$")
            .expect("valid regex")
    });
    let c = re.captures(prefix)?;
    let office = c.name("office").map_or("", |o| o.as_str()).to_string();
    let name = c["name"].to_string();
    const NOT_NAMES: [&str; 6] = ["我们", "会议", "大家", "同志", "今天", "全市"];
    (!NOT_NAMES.contains(&name.as_str())).then_some((office, name))
}

/// `作为县委书记，作为…第一责任人`: the speaker names their own office.
fn office_in_body(body: &str) -> Option<String> {
    static SELF: OnceLock<Regex> = OnceLock::new();
    let re = SELF.get_or_init(|| {
        Regex::new(r"作为(?:一名)?((?:县|区|市|州)委(?:副)?书记|(?:县|区|市)长)[，,。]").expect("valid regex")
    });
    re.captures(body).map(|c| c[1].to_string())
}

/// `作者：朱前明` in posting information names the speaker.
fn author_of_posting(posting: &str) -> Option<String> {
    let author = posting.rsplit_once("作者：")?.1;
    let name: String = author.chars().take_while(|c| super::clean::is_han(*c)).collect();
    (2..=3).contains(&name.chars().count()).then_some(name)
}

/// `在全县脱贫攻坚工作会议上的讲话` → `全县脱贫攻坚工作会议`.
fn occasion_of(title: &str) -> Option<String> {
    static OCCASION: OnceLock<Regex> = OnceLock::new();
    let re =
        OCCASION.get_or_init(|| Regex::new(r"^在(.{2,60}?)(?:上|时)的?(?:主持)?(?:讲话|发言)").expect("valid regex"));
    re.captures(title).map(|c| c[1].to_string())
}

/// `同志们：`, `各位代表：`: a text addressed to its audience is spoken.
fn opens_with_salutation(body: &str) -> bool {
    static SALUTATION: OnceLock<Regex> = OnceLock::new();
    let re = SALUTATION.get_or_init(|| {
        Regex::new(r"^(尊敬的[^。\n]{0,60}|各位[^。\n]{0,40}|[^。，\n]{0,20}同志们|女士们、?先生们)[：:，,！!]")
            .expect("valid regex")
    });
    re.is_match(body.trim_start())
}

fn detect_kind(h: &Header, has_speaker: bool) -> Option<Kind> {
    let t = &h.title;
    Some(if t.contains("主持讲话") {
        Kind::Remarks
    } else if t.contains("摘编") {
        Kind::Excerpt
    } else if t.contains("问答") || t.contains("问（") || t.ends_with('问') {
        Kind::Qa
    } else if !has_speaker {
        Kind::Article
    } else {
        Kind::Speech
    })
}

/// Redactions: `X月X日`, `XX`, `×`, `某某`, `xxxx年xx月x日`.
pub fn count_placeholders(body: &str) -> usize {
    static PLACEHOLDER: OnceLock<Regex> = OnceLock::new();
    let re = PLACEHOLDER.get_or_init(|| {
        Regex::new(r"某某|×+|[xX]{2,4}年|[xX]{1,2}月[xX]{1,2}日|(?:^|[^A-Za-z+])X+(?:[^A-Za-z+]|$)")
            .expect("valid regex")
    });
    re.find_iter(body).count()
}

fn detect_date(m: &mut Meta, h: &Header, body: &str) {
    static TODAY: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    if let Some(date) = h.dated.as_deref().and_then(date_in_parenthesis) {
        m.date = m.set("date", Some(date), 0.95, "dated header");
        return;
    }
    let posted = h.posting.as_deref().and_then(find_date);
    let today = TODAY.get_or_init(|| Regex::new(r"今天(?:已经)?是(\d{1,2})月(\d{1,2})日").expect("valid regex"));
    if let (Some(c), Some(year)) = (today.captures(body), posted.or(m.source.date).map(|d| d.year)) {
        let date = PartialDate::parse(&format!("{year}-{:0>2}-{:0>2}", &c[1], &c[2])).ok();
        let how = format!("`{}` in the text, year of the posting date", &c[0]);
        m.date = m.set("date", date, 0.5, &how);
        return;
    }
    if m.kind == Some(Kind::Qa) && posted.is_some() {
        m.date = m.set("date", posted, 0.5, "a compilation's posting date");
        return;
    }
    let year = YEAR.get_or_init(|| Regex::new(r"^在(\d{4})年").expect("valid regex"));
    if let Some(c) = year.captures(&h.title) {
        m.date = m.set("date", PartialDate::parse(&c[1]).ok(), 0.7, "year in the title");
    }
}

/// `（2017年2月19，根据录音整理）` → 2017-02-19; `（2017年5月）` → 2017-05.
fn date_in_parenthesis(text: &str) -> Option<PartialDate> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let re = DATE.get_or_init(|| Regex::new(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日?)?)?").expect("valid regex"));
    let c = re.captures(text)?;
    let mut date = c[1].to_string();
    for part in [c.get(2), c.get(3)].into_iter().flatten() {
        date.push_str(&format!("-{:0>2}", part.as_str()));
    }
    PartialDate::parse(&date).ok()
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
    fn office_and_name_are_told_apart() {
        let s = |p: &str| split_office(p).map(|(o, n)| format!("{o}|{n}"));
        assert_eq!(s("市委副书记、市政府市长付宗义").as_deref(), Some("市委副书记、市政府市长|付宗义"));
        assert_eq!(s("县委书记钟益民").as_deref(), Some("县委书记|钟益民"));
        assert_eq!(s("吕旅同志").as_deref(), Some("|吕旅"));
        assert_eq!(s("何邦军同志").as_deref(), Some("|何邦军"));
        assert_eq!(s("习近平总书记"), None);
    }

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_in_parenthesis("（2017年2月19，根据录音整理）").unwrap().to_string(), "2017-02-19");
        assert_eq!(date_in_parenthesis("（2017年5月）").unwrap().to_string(), "2017-05");
        assert_eq!(date_in_parenthesis("（根据录音整理）"), None);
    }

    #[test]
    fn placeholders_are_counted_but_real_letters_are_not() {
        assert_eq!(count_placeholders("习近平总书记X月X日在座谈会上，剩余X万人"), 2);
        assert_eq!(count_placeholders("于xxxx年xx月x日，某某同志，××县"), 4);
        assert_eq!(count_placeholders("“支部+x+贫困户”和GDP、PPT"), 0);
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
        let m = detect_meta(Some(&h), "拖累进贤人民，我们都是进贤人。", &SourceFacts::default());
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
