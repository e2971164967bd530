//! Which place a document is about: the city in the speaker's office or the
//! publisher's name, else the places of the shipped table that its text
//! names most often, weighed by the speech's scope (全县 or 全市). Parents
//! come from the place table; nothing is guessed beyond what the text names.

use crate::places::{self, Level, Place};

/// Whose speech it is: a county's, a city's, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    County,
    City,
    Unknown,
}

impl Scope {
    /// From the title (`全县…会议`) and the speaker's office (`县委书记`).
    pub fn of(title: &str, office: &str) -> Scope {
        let county = ["全县", "全区", "县委", "区委", "县长", "区长"];
        if county.iter().any(|k| title.contains(k) || office.contains(k)) {
            Scope::County
        } else if title.contains("全市") || office.contains("市委") || office.contains("市长") {
            Scope::City
        } else {
            Scope::Unknown
        }
    }
}

/// Where a document was delivered, as far as the text tells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Located {
    pub county: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub confidence: f32,
    pub how: String,
}

/// Locates a document. `office` and `publisher` are the most telling.
pub fn locate(office: &str, publisher: Option<&str>, body: &str, scope: Scope) -> Located {
    for (text, how) in [(office, "the speaker's office"), (publisher.unwrap_or(""), "the publisher's name")] {
        if let Some(city) = city_named_in(text) {
            let province = places::province_of(city).map(str::to_string);
            return Located {
                city: Some(city.to_string()),
                province,
                confidence: 0.9,
                how: format!("{how} names {city}"),
                ..Located::default()
            };
        }
    }
    if let Some((_, unit)) = body.split_once("作者单位：") {
        let unit: String = unit.chars().take_while(|c| !matches!(c, '）' | ')' | '\n')).collect();
        if let Some(place) = count_mentions(&unit).into_iter().map(|(p, _)| p).find(|p| p.level == Level::County) {
            if let Some((city, province)) = places::city_of_county(place.name) {
                let how = format!("the author's unit is in {}", place.name);
                let (county, city, province) =
                    (Some(place.name.to_string()), Some(city.to_string()), Some(province.to_string()));
                return Located { county, city, province, confidence: 0.6, how };
            }
        }
    }
    let counts = count_mentions(body);
    let top = |level: Level, min: usize| {
        counts
            .iter()
            .filter(|(p, n)| p.level == level && *n >= min)
            .max_by_key(|(p, n)| (p.level == Level::County && by_short_name(p, body), *n, std::cmp::Reverse(p.code)))
            .map(|(p, n)| (*p, *n))
    };
    let county = match scope {
        Scope::County => top(Level::County, 1),
        Scope::Unknown => top(Level::County, 2),
        // A city-wide speech names a county only when it is a county-level
        // city that the text keeps naming (北票市's 全市).
        Scope::City => top(Level::County, 2).filter(|(p, _)| p.name.ends_with('市')),
    };
    if let Some((place, n)) = county {
        if let Some((city, province)) = places::city_of_county(place.name) {
            return Located {
                county: Some(place.name.to_string()),
                city: Some(city.to_string()),
                province: Some(province.to_string()),
                confidence: if n >= 3 { 0.7 } else { 0.5 },
                how: format!("the text names {} {n} times", place.name),
            };
        }
    }
    // A city's short name also stands in set phrases (延安精神): the full
    // name must appear at least once.
    let named_in_full = |p: &Place| body.contains(p.name);
    if let Some((place, n)) = top(Level::City, 2).filter(|(p, _)| named_in_full(p)) {
        let province = places::province_of(place.name).map(str::to_string);
        let how = format!("the text names {} {n} times", place.name);
        return Located { city: Some(place.name.to_string()), province, confidence: 0.5, how, ..Located::default() };
    }
    Located::default()
}

/// `汉中市委书记` → `汉中市`: a prefecture-level city named at the start.
fn city_named_in(text: &str) -> Option<&'static str> {
    places::all().iter().filter(|p| p.level == Level::City).find_map(|p| {
        let named = text.starts_with(p.name) || p.short_name().is_some_and(|s| text.starts_with(&format!("{s}市")));
        named.then_some(p.name)
    })
}

/// A speech calls its own county by its short name (`点到孟津`, `涞源人民`)
/// and names other counties in full (`南召县被追责`).
fn by_short_name(place: &Place, body: &str) -> bool {
    place.short_name().is_some_and(|s| body.matches(s).count() > body.matches(place.name).count())
}

/// How often the text names each place, by full or short name (a short name
/// inside a full name counts once).
fn count_mentions(body: &str) -> Vec<(&'static Place, usize)> {
    let mut counts = Vec::new();
    for place in places::all().iter().filter(|p| p.level != Level::Province) {
        let full = body.matches(place.name).count();
        let short = place.short_name().map_or(0, |s| body.matches(s).count());
        let n = full.max(short);
        if n > 0 {
            counts.push((place, n));
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_office_names_the_city() {
        let l = locate("锦州市委书记", None, "义县和凌海市，义县", Scope::City);
        assert_eq!((l.city.as_deref(), l.province.as_deref(), l.county), (Some("锦州市"), Some("辽宁省"), None));
        let l = locate("", Some("安康市人民政府办公室"), "平利县", Scope::City);
        assert_eq!(l.city.as_deref(), Some("安康市"));
    }

    #[test]
    fn a_county_speech_names_its_county() {
        let l = locate("", None, "涞源扶贫开发30余年，涞源被列为深度贫困县，保定市", Scope::County);
        assert_eq!(
            (l.county.as_deref(), l.city.as_deref(), l.province.as_deref()),
            (Some("涞源县"), Some("保定市"), Some("河北省"))
        );
    }

    #[test]
    fn nothing_named_is_nothing_found() {
        assert_eq!(locate("", None, "全市脱贫攻坚", Scope::City), Located::default());
    }
}
