//! Where a document was delivered, as far as its text tells, through the
//! GB/T 2260 table (`crate::places`): the place in the speaker's office
//! (`信阳市人民政府市长`), in the meeting's name (`罗平县…推进会`), where the
//! text says the meeting was held (`在南昌召开`, `在我省金寨县举行`), or
//! the unit a speech calls its own (`全市`, `我州` with the one city it
//! names, a county by the counties it lists). A place only mentioned — a
//! speaker's home county at a provincial meeting, a comparison — is not
//! where the speech was given, so nothing is taken from mere counts. A
//! name that fits more than one unit is left for a human, with every
//! candidate. Works on simplified text. The unit a text calls its own is
//! `own_unit`'s; this module runs the steps in order and settles names.

use std::sync::OnceLock;

use regex::Regex;

use super::own_unit::own_unit;
use crate::places::{self, Level, Location};

/// What the text offers.
pub struct Clues<'a> {
    /// The speaker's office.
    pub office: &'a str,
    /// The issuing office of a bulletin (`安康市人民政府办公室`).
    pub publisher: &'a str,
    pub title: &'a str,
    pub occasion: &'a str,
    /// The body, simplified.
    pub body: &'a str,
    /// Spoken (a speech, remarks, Q&A): `我市`, `全县` are the speaker's.
    pub spoken: bool,
}

/// Where a document was delivered, as far as the text tells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Located {
    pub county: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub confidence: f32,
    pub how: String,
    /// `鼓楼区: 江苏省南京市鼓楼区, 福建省福州市鼓楼区` for a name that fits
    /// several units.
    pub candidates: Vec<String>,
}

impl Located {
    pub fn at(l: &Location, confidence: f32, how: String) -> Located {
        Located {
            county: l.county.map(str::to_string),
            city: l.city.map(str::to_string),
            province: Some(l.province.to_string()),
            confidence,
            how,
            candidates: Vec::new(),
        }
    }

    fn ambiguous(name: &str, found: &[Location]) -> Located {
        let list: Vec<String> =
            found.iter().map(|l| [Some(l.province), l.city, l.county].into_iter().flatten().collect()).collect();
        Located { candidates: vec![format!("{name}: {}", list.join(", "))], ..Located::default() }
    }

    fn found(&self) -> bool {
        self.province.is_some() || !self.candidates.is_empty()
    }
}

/// Locates a document.
pub fn locate(c: &Clues) -> Located {
    let steps: [&dyn Fn() -> Located; 7] = [
        &|| named_at_start(c.office, "the speaker's office"),
        &|| named_at_start(c.publisher, "the bulletin's publisher"),
        &|| named_at_start(&strip_year(c.occasion), "the meeting's name"),
        &|| venue(c.title, c.body),
        &|| own_unit(c.title, c.body, c.spoken),
        &|| visited(c.body),
        &|| headline_province(c.title),
    ];
    let mut found = steps.iter().map(|step| step());
    let Some(mut first) = found.by_ref().find(Located::found) else { return Located::default() };
    // A province alone (`江西省…会议`) is made precise by a later step that
    // finds a place in it (`在南昌召开`).
    if first.city.is_none() && first.candidates.is_empty() {
        if let Some(finer) = found.find(|l| l.city.is_some() && l.province == first.province) {
            return finer;
        }
        // A province's own speech or event: the content model writes the
        // province as its city.
        if first.county.is_none() {
            first.city.clone_from(&first.province);
            first.how.push_str("; a provincial text: its city is the province");
        } else {
            // A county-level city under its province stands for its city.
            first.city.clone_from(&first.county);
        }
    }
    first
}

/// `2018年江西省…会议` → `江西省…会议`.
fn strip_year(text: &str) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits == 4 && text[4..].starts_with('年') {
        text[4 + '年'.len_utf8()..].to_string()
    } else {
        text.to_string()
    }
}

/// The places named, one after another, at the start of `text` (`河南省
/// 南阳市`, `信阳市人民政府`), by full name (or its usual form without the
/// ethnic designation), or also by short name when `short` is set; the
/// most specific one wins.
pub fn places_at_start(text: &str, short: bool) -> Option<(String, Vec<Location>)> {
    let mut rest = text;
    let mut last = None;
    for _ in 0..3 {
        let mut best: Option<(usize, Vec<Location>, &str)> = None;
        for len in (2..=rest.chars().count().min(12)).rev() {
            let end = rest.char_indices().nth(len).map_or(rest.len(), |(i, _)| i);
            let name = &rest[..end];
            let full = places::is_full_name(name);
            if !full && !short {
                continue;
            }
            let found = located(name, full);
            if !found.is_empty() {
                best = Some((end, found, name));
                break;
            }
        }
        let Some((end, found, name)) = best else { break };
        last = Some((name.to_string(), found));
        rest = &rest[end..];
    }
    last
}

/// The units `name` may be: by full name, each level; by short name, a
/// city before a county (`南昌` is 南昌市 rather than 南昌县) and a
/// province before either.
fn located(name: &str, full: bool) -> Vec<Location> {
    let order = if full {
        [Level::County, Level::City, Level::Province]
    } else {
        [Level::Province, Level::City, Level::County]
    };
    for level in order {
        let found = places::locate(name, level);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

pub fn settle(name: &str, found: &[Location], confidence: f32, how: String) -> Located {
    match found {
        [one] => Located::at(one, confidence, how),
        [] => Located::default(),
        many => Located::ambiguous(name, many),
    }
}

/// `信阳市人民政府市长` → 信阳市; `罗平县精准扶贫…推进会` → 罗平县.
fn named_at_start(text: &str, what: &str) -> Located {
    match places_at_start(text, false) {
        Some((name, found)) => settle(&name, &found, 0.9, format!("{what} names {name}")),
        None => Located::default(),
    }
}

/// `…在南昌召开`, `在我省金寨县举行`, `在成都举行`: where the title or the
/// lead says the meeting was held.
fn venue(title: &str, body: &str) -> Located {
    static VENUE: OnceLock<Regex> = OnceLock::new();
    let re = VENUE.get_or_init(|| {
        Regex::new(
            r"在(?:我省|我市|我州|我县|我区)?([^，。；、“”在]{2,24}?)(?:隆重)?(?:主持召开|召开|举行|举办|开幕|开展)",
        )
        .expect("valid regex")
    });
    // In the opening paragraphs after the first (a speech opens with its
    // salutation), only a sentence that says a meeting was held there.
    static MEETING: OnceLock<Regex> = OnceLock::new();
    let meeting = MEETING.get_or_init(|| {
        Regex::new(r"(?:会议|大会|会)在(?:我省|我市|我州|我县|我区)?([^，。；、“”在]{2,24}?)(?:隆重)?(?:召开|举行)")
            .expect("valid regex")
    });
    let mut paragraphs = body.split('\n');
    let lead: String = paragraphs.next().unwrap_or("").chars().take(400).collect();
    let opening: Vec<String> = paragraphs.take(3).map(|p| p.chars().take(400).collect()).collect();
    let said = [title, lead.as_str()].into_iter().flat_map(|text| re.captures_iter(text));
    // A national meeting (`全国…大会在北京举行`) is one the speech reports on,
    // not the one where it was given.
    let national = |s: &&str| ["全国", "中央", "国务院"].iter().any(|w| s.contains(w));
    let later = opening
        .iter()
        .flat_map(|p| p.split(['。', '！', '？']))
        .filter(|s| !national(s))
        .flat_map(|s| meeting.captures_iter(s));
    for c in said.chain(later) {
        if let Some((name, found)) = places_at_start(&c[1], true) {
            return settle(&name, &found, 0.8, format!("the text says it was held in {name}"));
        }
    }
    Located::default()
}

/// `广西新脱贫8县干部群众热议…`: a headline (or its subtitle) that opens
/// with a province's name is about that province. Only the province: a
/// short name at the start of a headline is too loose for a city.
fn headline_province(title: &str) -> Located {
    for part in title.split("——") {
        if let Some((name, found)) = places_at_start(part, true) {
            if let [l] = &found[..] {
                if l.city.is_none() && l.county.is_none() {
                    return Located::at(l, 0.5, format!("the headline opens with {name}"));
                }
            }
        }
    }
    Located::default()
}

/// `赴云南省`: a delegation's destination, in the lead.
fn visited(body: &str) -> Located {
    static VISIT: OnceLock<Regex> = OnceLock::new();
    let re =
        VISIT.get_or_init(|| Regex::new(r"(?:代表团|调研组|考察团|一行)赴([^，。；、]{2,12})").expect("valid regex"));
    let lead: String = body.chars().take(200).collect();
    if let Some(c) = re.captures(&lead) {
        if let Some((name, found)) = places_at_start(&c[1], true) {
            return settle(&name, &found, 0.6, format!("the lead says the delegation went to {name}"));
        }
    }
    Located::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clues<'a>(office: &'a str, title: &'a str, occasion: &'a str, body: &'a str) -> Clues<'a> {
        Clues { office, publisher: "", title, occasion, body, spoken: true }
    }

    fn place(l: &Located) -> (Option<&str>, Option<&str>, Option<&str>) {
        (l.county.as_deref(), l.city.as_deref(), l.province.as_deref())
    }

    #[test]
    fn the_office_and_the_meeting_name_the_place() {
        let l = locate(&clues("信阳市人民政府市长", "", "", "各位代表："));
        assert_eq!(place(&l), (None, Some("信阳市"), Some("河南省")));
        // A provincial speech: the content model writes the province as city.
        let l = locate(&clues("广西壮族自治区党委书记", "", "", "同志们："));
        assert_eq!(place(&l), (None, Some("广西壮族自治区"), Some("广西壮族自治区")));
        let l = locate(&clues("", "", "罗平县精准扶贫和易地扶贫搬迁工作推进会", ""));
        assert_eq!(place(&l), (Some("罗平县"), Some("曲靖市"), Some("云南省")));
    }

    #[test]
    fn where_the_meeting_was_held() {
        let l = locate(&clues("", "", "", "12月7日，全省工作电视电话会议在南昌召开。"));
        assert_eq!(place(&l), (None, Some("南昌市"), Some("江西省")));
        let l = locate(&clues("", "", "", "10月21日，报告会在我省金寨县举行。"));
        assert_eq!(place(&l), (Some("金寨县"), Some("六安市"), Some("安徽省")));
        let l = locate(&clues("", "", "", "全州推进会在维西县召开。"));
        assert_eq!(place(&l), (Some("维西傈僳族自治县"), Some("迪庆藏族自治州"), Some("云南省")));
        let l = locate(&clues("", "", "", "大会在天津礼堂隆重举行。"));
        assert_eq!(place(&l), (None, Some("天津市"), Some("天津市")));
    }

    #[test]
    fn a_meeting_held_somewhere_is_read_in_the_opening_paragraphs() {
        let body = "同志们：\n今天，全市脱贫攻坚推进会议在维西县召开，主要任务是部署工作。\n下面，我讲三点意见。";
        let l = locate(&clues("", "", "", body));
        assert_eq!(place(&l), (Some("维西傈僳族自治县"), Some("迪庆藏族自治州"), Some("云南省")));
        // Elsewhere in a later paragraph, a place is only mentioned.
        let body = "同志们：\n我们要学习维西县的经验，抓好落实。";
        assert_eq!(place(&locate(&clues("", "", "", body))), (None, None, None));
        // A national meeting the speech reports on was not held where it was given.
        let body = "同志们：\n2月25日上午，全国脱贫攻坚总结表彰大会在北京隆重举行。";
        assert_eq!(place(&locate(&clues("", "", "", body))), (None, None, None));
    }

    #[test]
    fn a_text_names_its_own_unit() {
        let l = locate(&clues("", "", "", "为遵义融入重庆发展创造条件。确保桐梓、习水、湄潭、凤冈4个贫困县通过。我市"));
        assert_eq!(place(&l), (None, Some("遵义市"), Some("贵州省")));
        let l = locate(&clues("", "", "", "全市实现脱贫，龙圩区、蒙山县脱贫摘帽，85个贫困村和苍梧县脱贫摘帽。"));
        assert_eq!(place(&l), (None, Some("梧州市"), Some("广西壮族自治区")));
        let l = locate(&clues("", "", "", "对乌海地区和乌达区而言，全区上下"));
        assert_eq!(place(&l), (Some("乌达区"), Some("乌海市"), Some("内蒙古自治区")));
    }

    #[test]
    fn a_place_only_mentioned_is_not_where_it_was_said() {
        let l = locate(&clues("", "", "", "西山地理环境与福建的安溪差不多，我们选定发展茶叶。"));
        assert_eq!(l, Located::default());
        let l = locate(&clues("", "", "", "作为县委书记，滑县作为已经脱贫摘帽的县，我想说。"));
        assert_eq!(l, Located::default());
        let l = locate(&clues("", "", "", "全市脱贫攻坚"));
        assert_eq!(l, Located::default());
    }

    #[test]
    fn a_headline_that_opens_with_a_province_names_it() {
        let report = |title| Clues {
            spoken: false, ..clues("", title, "", "“我们脱贫啦！”8个县退出贫困县序列。")
        };
        let l = locate(&report("站在新起点——广西新脱贫8县干部群众热议脱贫摘帽"));
        assert_eq!(l.province.as_deref(), Some("广西壮族自治区"));
        // A city at the start is not taken from a headline.
        assert_eq!(locate(&report("南阳新脱贫县干部群众热议")), Located::default());
        assert_eq!(locate(&report("站在新起点奔向新生活")), Located::default());
    }

    #[test]
    fn an_ambiguous_name_is_left_with_its_candidates() {
        let l = locate(&clues("", "", "", "推进会在鼓楼区召开。"));
        assert_eq!(l.province, None);
        assert!(l.candidates[0].starts_with("鼓楼区: "), "{:?}", l.candidates);
        assert!(l.candidates[0].contains("南京市") && l.candidates[0].contains("福州市"), "{:?}", l.candidates);
    }
}
