//! The place table the project ships (`data/places.tsv`): GB/T 2260 codes and
//! names of every province, the prefecture-level cities of the provinces the
//! archive names, and the counties its texts name. Owns lookups from a name
//! to its parents; does not decide which place a text is about.

use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/places.tsv");

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub parent: Option<&'static str>,
}

impl Place {
    /// The name without its generic suffix (`安康市` → `安康`), when what is
    /// left is at least two characters; texts often write places that way.
    pub fn short_name(&self) -> Option<&'static str> {
        short_name(self.name)
    }
}

/// Every place in the table, in file order.
pub fn all() -> &'static [Place] {
    static PLACES: OnceLock<Vec<Place>> = OnceLock::new();
    PLACES.get_or_init(|| parse_table(TABLE))
}

/// The place with this exact name, if exactly one place has it.
pub fn find(name: &str) -> Option<&'static Place> {
    let mut hits = all().iter().filter(|p| p.name == name);
    let first = hits.next()?;
    hits.next().is_none().then_some(first)
}

/// The province of a prefecture-level city (`安康市` → `陕西省`).
pub fn province_of(city: &str) -> Option<&'static str> {
    let place = find(city).filter(|p| p.level == Level::City)?;
    by_code(place.parent?).map(|p| p.name)
}

/// The city and province of a county (`新县` → `信阳市`, `河南省`); `None`
/// for unknown or ambiguous names.
pub fn city_of_county(county: &str) -> Option<(&'static str, &'static str)> {
    let place = find(county).filter(|p| p.level == Level::County)?;
    let city = by_code(place.parent?)?;
    let province = by_code(city.parent?)?;
    Some((city.name, province.name))
}

/// True for a province-level name in the table.
pub fn is_province(name: &str) -> bool {
    find(name).is_some_and(|p| p.level == Level::Province)
}

fn by_code(code: &str) -> Option<&'static Place> {
    all().iter().find(|p| p.code == code)
}

fn short_name(name: &'static str) -> Option<&'static str> {
    const SUFFIXES: [&str; 6] = ["特别行政区", "自治区", "省", "市", "县", "区"];
    let stem = SUFFIXES.iter().find_map(|s| name.strip_suffix(s))?;
    // `北镇市` → `北镇` would match every `…北镇` township.
    let township = stem.ends_with(['镇', '乡', '村']);
    (stem.chars().count() >= 2 && !township).then_some(stem)
}

fn parse_table(text: &'static str) -> Vec<Place> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next()?;
            let name = cols.next()?;
            let level = match cols.next()? {
                "province" => Level::Province,
                "city" => Level::City,
                "county" => Level::County,
                _ => return None,
            };
            let parent = cols.next().filter(|p| !p.is_empty());
            Some(Place { code, name, level, parent })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses_and_codes_are_unique() {
        let rows = TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
        assert_eq!(all().len(), rows);
        let mut codes: Vec<&str> = all().iter().map(|p| p.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), rows);
        assert_eq!(all().iter().filter(|p| p.level == Level::Province).count(), 34);
    }

    #[test]
    fn every_parent_exists_and_codes_nest() {
        for p in all() {
            if let Some(parent) = p.parent {
                let parent = by_code(parent).unwrap_or_else(|| panic!("{} has no parent {parent}", p.name));
                let digits = if parent.level == Level::Province { 2 } else { 4 };
                assert_eq!(p.code[..digits], parent.code[..digits], "{}", p.name);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(province_of("安康市"), Some("陕西省"));
        assert_eq!(province_of("锦州市"), Some("辽宁省"));
        assert_eq!(province_of("陕西省"), None);
        assert_eq!(city_of_county("新县"), Some(("信阳市", "河南省")));
        assert_eq!(city_of_county("北票市"), Some(("朝阳市", "辽宁省")));
        assert_eq!(city_of_county("沐川县"), Some(("乐山市", "四川省")));
        assert_eq!(city_of_county("不存在县"), None);
        assert!(is_province("河南省"));
        assert_eq!(find("安康市").and_then(Place::short_name), Some("安康"));
        assert_eq!(find("新县").and_then(Place::short_name), None);
        assert_eq!(find("北镇市").and_then(Place::short_name), None);
    }
}
