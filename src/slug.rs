//! URL slugs: ASCII, stable, made from Chinese names through pinyin. Owns the
//! rule that two different names never share a slug; does not decide where
//! a slug is used.

use std::collections::{BTreeMap, BTreeSet};

use pinyin::ToPinyin;
use sha2::{Digest, Sha256};

/// True for a slug the content model allows: `[a-z0-9-]+`, no leading,
/// trailing or doubled hyphen.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// `安康市` → `an-kang-shi`, `2020年工作会议` → `2020-nian-gong-zuo-hui-yi`.
/// Han characters become toneless pinyin syllables; ASCII letters and digits
/// are kept; everything else separates. May be empty (e.g. for `——`).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    // Whether the next ASCII character continues the current word.
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if !in_word && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            in_word = true;
        } else if let Some(p) = c.to_pinyin() {
            if !out.is_empty() {
                out.push('-');
            }
            // `plain()` keeps ü (吕 → lü); URLs use the customary v.
            out.extend(p.plain().chars().map(|c| if c == 'ü' { 'v' } else { c }));
            in_word = false;
        } else {
            in_word = false;
        }
    }
    out
}

/// Gives each distinct name a distinct slug. Names whose pinyin collides
/// (李伟 and 李薇 are both `li-wei`) are told apart deterministically: the
/// name that sorts first by code point keeps the plain slug, every other gets
/// a suffix made from its own characters' hash, so its URL does not depend
/// on which other names exist. Names with no pinyin at all get `n-<hash>`.
pub fn assign<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    assign_keyed(names.into_iter().map(|n| (n, n)))
}

/// Like `assign`, for terms whose identity (`安康市/城关镇`) differs from the
/// text their slug is made of (`城关镇`). Returns identity → slug.
pub fn assign_keyed<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    let mut by_base: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (name, text) in items {
        let base = slugify(text);
        let base = if base.is_empty() { format!("n-{}", short_hash(name)) } else { base };
        by_base.entry(base).or_default().insert(name);
    }
    let mut slugs = BTreeMap::new();
    for (base, names) in by_base {
        for (i, name) in names.into_iter().enumerate() {
            let slug = if i == 0 { base.clone() } else { format!("{base}-{}", short_hash(name)) };
            slugs.insert(name.to_string(), slug);
        }
    }
    slugs
}

/// First path segments the archive itself uses; a free page's slug may not be one
/// (the index stage puts its pages under them).
pub const RESERVED_PATHS: [&str; 15] = [
    "speeches",
    "provinces",
    "cities",
    "counties",
    "years",
    "themes",
    "speakers",
    "kinds",
    "static",
    "search",
    "page",
    "404",
    "atom",
    "data",
    "raw",
];

/// Longest slug, in bytes, of a page or term: a file name may take 255
/// bytes, and the writer adds suffixes to names while it works. It also
/// bounds whole paths: the longest below the output folder is about
/// `counties/<slug>/page/<n>/index.html`, under 260 bytes, far inside the
/// 4,096 bytes a path may take.
pub const MAX_SLUG_BYTES: usize = 200;

/// Bytes `assign` may add to a name's slug to tell it from another's.
pub const SUFFIX_BYTES: usize = 7;

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..3].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_becomes_pinyin() {
        assert_eq!(slugify("安康市"), "an-kang-shi");
        assert_eq!(slugify("何邦军"), "he-bang-jun");
        assert_eq!(slugify("2020年 工作"), "2020-nian-gong-zuo");
        assert_eq!(slugify("COVID-19 疫情"), "covid-19-yi-qing");
        assert_eq!(slugify("——"), "");
        assert_eq!(slugify("吕律"), "lv-lv");
    }

    #[test]
    fn slugify_output_is_always_valid_or_empty() {
        for s in ["安康市", "a  b", "--x--", "第一书记（驻村）", "Ünïcode", "58.17"] {
            let slug = slugify(s);
            assert!(slug.is_empty() || is_valid(&slug), "{s} → {slug}");
        }
    }

    #[test]
    fn homophones_get_distinct_deterministic_slugs() {
        let a = assign(["李伟", "李薇", "何邦军"]);
        let b = assign(["何邦军", "李薇", "李伟"]);
        assert_eq!(a, b);
        assert_eq!(a["李伟"], "li-wei");
        assert_ne!(a["李薇"], a["李伟"]);
        assert!(a["李薇"].starts_with("li-wei-"));
        assert!(is_valid(&a["李薇"]));
    }

    #[test]
    fn a_homophones_suffix_does_not_depend_on_other_names() {
        let two = assign(["李伟", "李薇"]);
        let three = assign(["李伟", "李薇", "李威"]);
        assert_eq!(two["李薇"], three["李薇"]);
    }

    #[test]
    fn valid_slugs() {
        assert!(is_valid("he-bang-jun-2020"));
        assert!(!is_valid("He"));
        assert!(!is_valid("../etc"));
        assert!(!is_valid("a--b"));
        assert!(!is_valid(""));
    }
}
