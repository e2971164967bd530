//! The title of a document as the archive keeps it, taken apart from what
//! was printed around it: an outline number, a date, the speaker's office
//! and name, the person a headline is about, a site's annotations. Finding
//! the header it stands in is `head`'s and `split`'s.

use std::sync::OnceLock;

use regex::Regex;

use super::people::{is_name, is_office, split_office_name};
use crate::model::PartialDate;
use crate::script::simplify;

/// A title taken apart: what it says, and what was printed around it.
#[derive(Debug, Default, PartialEq)]
pub struct Title {
    /// As it goes into the archive: simplified, without prefixes.
    pub text: String,
    pub office: Option<String>,
    pub name: Option<String>,
    /// A `某市领导` in place of the speaker.
    pub anonymous: bool,
    pub date: Option<PartialDate>,
}

/// The title as the archive keeps it: simplified, without an outline
/// number, a date, a `姓名：` or `<职务><姓名>` before `在…讲话`, a site's
/// `（文+图）` or sequence number after it.
pub fn read_title(raw: &str, prefix: &str) -> Title {
    static PARTS: OnceLock<[Regex; 6]> = OnceLock::new();
    let [outline, date, subject, annotation, sequence, speech] = PARTS.get_or_init(|| {
        [
            Regex::new(r"^[一二三四五六七八九十]{1,3}、").expect("valid regex"),
            Regex::new(r"^(\d{4})年(\d{1,2})月(\d{1,2})日").expect("valid regex"),
            Regex::new(r"^(\p{Han}{2,4})[：:]").expect("valid regex"),
            Regex::new(r"[（(](文\+图|图\+文|图文|组图|图|视频|全文|附全文|附视频)[)）]$").expect("valid regex"),
            Regex::new(r"(讲话|发言|主持词|讲话稿|发言稿|演讲稿|致辞|报告|材料|范文)\d{1,3}$").expect("valid regex"),
            Regex::new(r"^(.{0,30}?)(在.{2,80}(?:讲话|发言|主持词|致辞)(?:摘编|摘要)?)$").expect("valid regex"),
        ]
    });
    let mut t = Title::default();
    let mut text: String = fast2s::convert(raw).chars().filter(|c| !c.is_whitespace()).collect();
    text = outline.replace(&text, "").into_owned();
    if let Some(c) = date.captures(&text) {
        t.date = PartialDate::parse(&format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3])).ok();
        text = text[c.get(0).expect("match").end()..].to_string();
    }
    // `胡春华：…`: the person a headline is about, who is not its speaker.
    if let Some(c) = subject.captures(&text) {
        if is_name(&c[1]) {
            text = text[c.get(0).expect("match").end()..].to_string();
        }
    }
    text = annotation.replace(&text, "").into_owned();
    if let Some(c) = sequence.captures(&text) {
        // `2021年…主持讲话3`: a document site's listing; its year too.
        let end = c.get(1).expect("word").end();
        text.truncate(end);
        let year = text.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
        if year && text[4..].starts_with('年') && text.chars().count() > 8 {
            text = text[4 + '年'.len_utf8()..].to_string();
        }
    }
    let prefix = simplify(prefix);
    let (before, rest) = match speech.captures(&text) {
        Some(c) => (c[1].to_string(), c[2].to_string()),
        None => (String::new(), text.clone()),
    };
    let before = if before.is_empty() { prefix.trim_end_matches("同志").to_string() } else { before };
    if !before.is_empty() {
        if let Some((office, name)) = split_office_name(&before) {
            t.name = Some(name);
            t.office = Some(office).filter(|o| !o.is_empty());
        } else if before.contains('某') || before.contains("领导") && !is_office(&before) {
            t.anonymous = true;
        } else if is_office(&before) {
            t.office = Some(before.clone());
        } else if is_name(&before) {
            t.name = Some(before.clone());
        }
    }
    // A speaker's prefix goes; anything else before `在` is part of the title.
    t.text = if t.anonymous || t.name.is_some() || t.office.is_some() { rest } else { text };
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_what_was_printed_around_them() {
        let t = read_title("區長在全區扶貧攻堅動員大會上的講話", "");
        assert_eq!(
            (t.text.as_str(), t.office.as_deref(), t.name),
            ("在全区扶贫攻坚动员大会上的讲话", Some("区长"), None)
        );
        let t = read_title("某市领导在精准扶贫行动协调会议上的讲话", "");
        assert_eq!((t.text.as_str(), t.anonymous), ("在精准扶贫行动协调会议上的讲话", true));
        let t = read_title("一、2020 年 3 月 6 日习近平在决战决胜脱贫攻坚座谈会上的讲话", "");
        assert_eq!(t.text, "在决战决胜脱贫攻坚座谈会上的讲话");
        assert_eq!((t.name.as_deref(), t.date.map(|d| d.to_string())), (Some("习近平"), Some("2020-03-06".into())));
        let t = read_title("胡春華:堅決打贏易地扶貧搬遷攻堅戰", "");
        assert_eq!((t.text.as_str(), t.name), ("坚决打赢易地扶贫搬迁攻坚战", None));
        assert_eq!(read_title("國新辦在蘭州舉行新聞發佈會實錄(文+圖)", "").text, "国新办在兰州举行新闻发布会实录");
        assert_eq!(read_title("2021年脱贫攻坚会议主持讲话3", "").text, "脱贫攻坚会议主持讲话");
        assert_eq!(read_title("扶貧講話發言稿1", "").text, "扶贫讲话发言稿");
        assert_eq!(read_title("在2018年全县摘帽部署大会上的讲话", "").text, "在2018年全县摘帽部署大会上的讲话");
        let t = read_title("在全县工作会上的讲话", "县委书记钟益民");
        assert_eq!((t.office.as_deref(), t.name.as_deref()), (Some("县委书记"), Some("钟益民")));
    }
}
