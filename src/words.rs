//! The site's words, shared by the pages and the search index: the
//! theme's table of labels (facet names, kinds) in the site's language,
//! and a date written in that language at the precision known.

use std::collections::BTreeMap;

use crate::index::FacetKey;
use crate::model::PartialDate;

/// Language-dependent words the pages and the search index show; read from the theme's table.
pub struct Words<'a> {
    pub language: &'a str,
    pub t: &'a BTreeMap<String, String>,
}

impl Words<'_> {
    pub fn get(&self, key: &str) -> String {
        self.t.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    pub fn facet(&self, key: FacetKey) -> String {
        self.get(&format!("facet_{}", key.key()))
    }
}

/// English month names, for dates and citations.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2020年4月3日` / `3 April 2020`, at the precision known.
pub fn format_date(d: &PartialDate, language: &str) -> String {
    let zh = language.starts_with("zh");
    match (d.month, d.day, zh) {
        (Some(m), Some(day), true) => format!("{}年{m}月{day}日", d.year),
        (Some(m), None, true) => format!("{}年{m}月", d.year),
        (None, _, true) => format!("{}年", d.year),
        (Some(m), Some(day), false) => format!("{day} {} {}", MONTHS[m as usize - 1], d.year),
        (Some(m), None, false) => format!("{} {}", MONTHS[m as usize - 1], d.year),
        (None, _, false) => d.year.to_string(),
    }
}
