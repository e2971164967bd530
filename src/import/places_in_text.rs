//! Where a document was delivered, as far as its text tells, through the
//! GB/T 2260 table (`crate::places`): the place in the speaker's office
//! (`信阳市人民政府市长`), in the meeting's name (`罗平县…推进会`), where the
//! text says the meeting was held (`在南昌召开`, `在我省金寨县举行`), or
//! the unit a speech calls its own (`全市`, `我州` with the one city it
//! names, a county by the counties it lists). A place only mentioned — a
//! speaker's home county at a provincial meeting, a comparison — is not
//! where the speech was given, so nothing is taken from mere counts. A
//! name that fits more than one unit is left for a human, with every
//! candidate. Works on simplified text.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

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
    fn at(l: &Location, confidence: f32, how: String) -> Located {
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
fn places_at_start(text: &str, short: bool) -> Option<(String, Vec<Location>)> {
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

fn settle(name: &str, found: &[Location], confidence: f32, how: String) -> Located {
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

/// The unit a text calls its own: `全市`/`我市` and the one prefecture it
/// names (or whose counties it lists), `全县`/`我区` and the one county of
/// that kind it names, `全省`/`全区` (of an autonomous region) and the one
/// province it or its title names.
fn own_unit(title: &str, body: &str, spoken: bool) -> Located {
    let has = |words: &[&str]| words.iter().any(|w| body.contains(w));
    let region = body.contains("自治区");
    if let Some(l) = author_unit(body) {
        return l;
    }
    if has(&["全县", "我县", "本县"]) && spoken {
        // A county's speech: its county, or nothing a human need not check.
        return own_county(body, "县").unwrap_or_default();
    }
    if has(&["全区", "我区", "本区"]) && spoken {
        if let Some(l) = own_county(body, "区") {
            return l;
        }
    }
    if has(&["全市", "我市", "本市", "全州", "我州", "本州"]) {
        if let Some(mut l) = own_city(body) {
            // `全市` of a county-level city (北票市) that the speech keeps naming.
            if spoken && has(&["全市", "我市"]) {
                let city = l.city.clone().unwrap_or_default();
                let own =
                    places::all().iter().filter(|p| p.level == Level::County && p.name.ends_with('市')).find(|p| {
                        let short = p.short.as_ref().map_or(0, |s| body.matches(s.as_str()).count());
                        body.contains(p.name)
                            && body.matches(p.name).count().max(short) >= 3
                            && places::locate(p.name, Level::County).first().and_then(|x| x.city) == Some(city.as_str())
                    });
                if let Some(p) = own {
                    l.county = Some(p.name.to_string());
                }
            }
            return l;
        }
        if has(&["全市", "我市"]) && spoken {
            if let Some(l) = own_county(body, "市") {
                return l;
            }
        }
    }
    if has(&["全省", "我省"]) || region && has(&["全区", "我区"]) {
        let provinces: Vec<&places::Place> = places::all()
            .iter()
            .filter(|p| p.level == Level::Province)
            .filter(|p| {
                places::names_of(p.name).iter().any(|n| body.contains(n.as_str()) || title.contains(n.as_str()))
            })
            .collect();
        let lead = body.split('\n').next().unwrap_or("");
        let often = |p: &places::Place| {
            let names = places::names_of(p.name);
            let up_front = names.iter().any(|n| title.contains(n.as_str()) || lead.contains(n.as_str()));
            up_front
                && names
                    .iter()
                    .map(|n| body.matches(n.as_str()).count() + title.matches(n.as_str()).count())
                    .sum::<usize>()
                    >= 2
        };
        if let [p] = provinces[..].iter().copied().filter(|p| often(p)).collect::<Vec<_>>()[..] {
            if let Some(l) = p.location() {
                return Located::at(&l, 0.6, format!("the text speaks of its own province and names only {}", p.name));
            }
        }
    }
    Located::default()
}

/// The prefecture a `全市` text is about: named in full or by its short
/// name, with the counties it lists counting for it; the one clear best.
fn own_city(body: &str) -> Option<Located> {
    let mut scores: Vec<(&'static str, usize)> = Vec::new();
    let mut add = |city: &'static str, n: usize| match scores.iter_mut().find(|(c, _)| *c == city) {
        Some(s) => s.1 += n,
        None => scores.push((city, n)),
    };
    let mut listed: Vec<&'static str> = Vec::new();
    for (name, level) in listed_counties(body) {
        if level == Level::County {
            if let [Location { city: Some(city), .. }] = places::locate(&name, Level::County)[..] {
                add(city, 1);
                listed.push(city);
            }
        }
    }
    // A city's short name counts where the text also names it in full or
    // lists its counties (`延安精神` alone is not Yan'an).
    for p in places::all().iter().filter(|p| p.level == Level::City && p.last >= 2013) {
        let full = p.full.iter().map(|n| body.matches(n.as_str()).count()).max().unwrap_or(0);
        let short = p.short.as_ref().map_or(0, |s| body.matches(s.as_str()).count());
        if full > 0 || short > 0 && listed.contains(&p.name) {
            add(p.name, 2 * full + short.saturating_sub(full));
        }
    }
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    match scores[..] {
        [(city, n), ..] if n >= 2 && scores.get(1).is_none_or(|s| s.1 * 2 <= n) => {
            let l = places::locate(city, Level::City);
            Some(settle(city, &l, 0.6, format!("the text speaks of its own city and names {city}")))
        }
        _ => None,
    }
}

/// The units whose names (full or short: all begin with the same two
/// characters) the text may hold: those whose first two characters it
/// holds. A filter before counting, so that a text is not searched once per
/// unit of the table.
fn named_in(body: &str, level: Level) -> impl Iterator<Item = &'static places::Place> {
    let chars: Vec<char> = body.chars().collect();
    let pairs: HashSet<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    places::all().iter().filter(move |p| {
        let mut c = p.name.chars();
        p.level == level && matches!((c.next(), c.next()), (Some(a), Some(b)) if pairs.contains(&(a, b)))
    })
}

/// The county-level unit (ending in `suffix`) a `全县`/`全区` text calls its
/// own: named in full at least once, or by its short name three times.
fn own_county(body: &str, suffix: &str) -> Option<Located> {
    let mut best: Vec<(&'static str, usize)> = Vec::new();
    let counties: Vec<&places::Place> = named_in(body, Level::County).filter(|p| p.name.ends_with(suffix)).collect();
    for p in counties.iter().copied() {
        let full = p.full.iter().map(|n| body.matches(n.as_str()).count()).max().unwrap_or(0);
        let short = p.short.clone().filter(|s| !COMMON_WORDS.contains(&s.as_str()));
        let short = short.map_or(0, |s| body.matches(s.as_str()).count());
        if full > 0 || short >= 3 {
            match best.iter_mut().find(|(n, _)| *n == p.name) {
                Some(b) => b.1 = b.1.max(full + short),
                None => best.push((p.name, full + short)),
            }
        }
    }
    best.sort_by_key(|b| std::cmp::Reverse(b.1));
    // A speech calls its own county by its short name and others in full
    // (`点到孟津` beside `南召县被追责`): when both kinds are named, which is
    // its own is for a human.
    let short_beats_full = |full: &[String], short: Option<&String>| {
        let short = short.map_or(0, |s| body.matches(s.as_str()).count());
        short > full.iter().map(|n| body.matches(n.as_str()).count()).max().unwrap_or(0)
    };
    let named_short_only = |p: &places::Place| short_beats_full(&p.full, p.short.as_ref());
    let short_only_elsewhere = counties.iter().any(|p| {
        p.short.as_ref().is_some_and(|s| {
            body.contains(s.as_str())
                && s.chars().count() >= 2
                && !COMMON_WORDS.contains(&s.as_str())
                && !places::is_full_name(s)
                && !body.contains(&format!("{s}同志"))
        }) && !best.iter().any(|(n, _)| *n == p.name)
            && named_short_only(p)
    });
    let best_short_only = |n: &str| short_beats_full(&places::full_names(n), places::short_form(n).as_ref());
    if short_only_elsewhere && best.first().is_some_and(|(n, c)| !best_short_only(n) && *c < 3) {
        // The one county named by its short name only is the speech's own.
        let short_only: Vec<&places::Place> = counties
            .iter()
            .copied()
            .filter(|p| {
                p.short.as_ref().is_some_and(|s| {
                    body.contains(s.as_str())
                        && s.chars().count() >= 2
                        && !COMMON_WORDS.contains(&s.as_str())
                        && !places::is_full_name(s)
                        && !["同志", "书记", "县长"].iter().any(|w| body.contains(&format!("{s}{w}")))
                }) && named_short_only(p)
            })
            .collect();
        return match short_only[..] {
            [p] => {
                let l = places::locate(p.name, Level::County);
                Some(settle(
                    p.name,
                    &l,
                    0.5,
                    format!("the text calls {} by its short name, as a county its own", p.name),
                ))
            }
            _ => None,
        };
    }
    match best[..] {
        [(name, n), ..] if best.get(1).is_none_or(|b| b.1 < n) => {
            let l = places::locate(name, Level::County);
            Some(settle(name, &l, 0.6, format!("the text speaks of its own county and names {name} {n} times")))
        }
        _ => None,
    }
}

/// Short names that are also everyday words: never taken for a place on
/// their own.
const COMMON_WORDS: [&str; 36] = [
    "资源", "和平", "发展", "前进", "友好", "光明", "平安", "团结", "胜利", "红旗", "东风", "向阳", "新华", "长安",
    "新城", "城关", "开发", "永定", "合作", "白银", "吉林", "海南", "河南", "江南", "中山", "东方", "南山", "西湖",
    "金川", "新兴", "先锋", "建设", "安全", "民主", "复兴", "解放",
];

/// Counties listed by short name (`桐梓、习水、湄潭、凤冈4个贫困县`) or named
/// in full: each name and the level it was found at.
fn listed_counties(body: &str) -> Vec<(String, Level)> {
    let mut out = Vec::new();
    for p in named_in(body, Level::County) {
        let full = p.full.iter().any(|n| body.contains(n.as_str()));
        let listed = p
            .short
            .as_ref()
            .filter(|s| !COMMON_WORDS.contains(&s.as_str()))
            .is_some_and(|s| body.contains(&format!("{s}、")) || body.contains(&format!("、{s}")));
        if (full || listed) && !out.iter().any(|(n, _)| n == p.name) {
            out.push((p.name.to_string(), Level::County));
        }
    }
    out
}

/// `（作者单位：沐川县扶贫移民局）`: an article's author's unit names its
/// county.
fn author_unit(body: &str) -> Option<Located> {
    let (_, unit) = body.split_once("作者单位：")?;
    let unit: String = unit.chars().take_while(|c| !matches!(c, '）' | ')' | '\n')).collect();
    let (name, found) = places_at_start(&unit, false)?;
    Some(settle(&name, &found, 0.6, format!("the author's unit is in {name}")))
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
