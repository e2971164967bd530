//! The unit a text calls its own, as `places_in_text` asks of it: its
//! author's unit (`作者单位：`), the one county of a `全县`/`我区` speech, the
//! one prefecture a `全市`/`我州` text names or whose counties it lists (and
//! a county-level city it keeps naming), the one province of a `全省` text.
//! When two units are as likely, neither is taken.

use std::collections::HashSet;

use super::places_in_text::{places_at_start, settle, Located};
use crate::places::{self, Level, Location};

/// The unit a text calls its own: `全市`/`我市` and the one prefecture it
/// names (or whose counties it lists), `全县`/`我区` and the one county of
/// that kind it names, `全省`/`全区` (of an autonomous region) and the one
/// province it or its title names.
pub fn own_unit(title: &str, body: &str, spoken: bool) -> Located {
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
