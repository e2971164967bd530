//! Chinese names, places and titles in pinyin for citations in English:
//! the curator's romanisation where the content gives one, else one made
//! syllable by syllable with the `pinyin` crate (as slugs are), with the
//! readings surnames and provinces take by convention.

use pinyin::ToPinyin;

/// Two-character surnames; any other name's surname is its first character.
const COMPOUND_SURNAMES: [&str; 20] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "端木", "澹台", "申屠", "太史", "呼延",
];

/// Surnames whose reading is not the character's first one.
const SURNAME_READINGS: [(char, &str); 14] = [
    ('单', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('查', "zha"),
    ('朴', "piao"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('翟', "zhai"),
    ('缪', "miao"),
    ('覃', "qin"),
    ('秘', "bi"),
    ('员', "yun"),
];

/// Provinces whose customary spelling is not plain pinyin.
const PROVINCE_SPELLINGS: [(&str, &str); 3] = [("陕西", "Shaanxi"), ("内蒙古", "Inner Mongolia"), ("西藏", "Tibet")];

/// A Chinese personal name split into surname and given name.
pub fn split_name(name: &str) -> (&str, &str) {
    if name.chars().count() < 2 || !name.chars().all(crate::script::is_han) {
        return (name, "");
    }
    let cut = match COMPOUND_SURNAMES.iter().find(|s| name.starts_with(**s) && name.chars().count() > 2) {
        Some(s) => s.len(),
        None => name.chars().next().map_or(0, char::len_utf8),
    };
    name.split_at(cut)
}

/// `何邦军` → `He Bangjun`; a name that is not Han characters stays as it is.
pub fn name(name: &str) -> String {
    let (family, given) = split_name(name);
    if given.is_empty() {
        return name.to_string();
    }
    let family: String = family
        .chars()
        .map(|c| SURNAME_READINGS.iter().find(|(s, _)| *s == c).map_or_else(|| syllable(c), |r| r.1.to_string()))
        .collect();
    format!("{} {}", capitalize(&family), capitalize(&joined(given)))
}

/// `安康市` → `Ankang`, `陕西省` → `Shaanxi`, `全国` → `China`.
pub fn place(place: &str) -> String {
    if place == "全国" {
        return "China".into();
    }
    let stem = ["特别行政区", "自治区", "自治州", "地区", "省", "市", "州", "盟", "县", "区"]
        .iter()
        .find_map(|s| place.strip_suffix(s).filter(|r| r.chars().count() >= 2 || *s == "县"))
        .unwrap_or(place);
    // 广西壮族自治区 → 广西: the people's name goes with the suffix.
    let stem = ["壮族", "回族", "维吾尔"].iter().find_map(|p| stem.strip_suffix(p)).unwrap_or(stem);
    if let Some((_, spelled)) = PROVINCE_SPELLINGS.iter().find(|(c, _)| *c == stem) {
        return (*spelled).to_string();
    }
    let county = place.ends_with('县') && stem.chars().count() == 1;
    let romanised = capitalize(&joined(stem));
    if county {
        format!("{romanised} County")
    } else {
        romanised
    }
}

/// A title or other text in pinyin, syllable by syllable (no word
/// division is known): `脱贫攻坚讲话整理` → `Tuo pin gong jian jiang hua zheng li`.
/// Digits and Latin letters are kept; Chinese punctuation becomes ASCII.
pub fn text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            if !out.is_empty() && !out.ends_with([' ', '(']) {
                out.push(' ');
            }
            out.push_str(p.plain());
        } else {
            let ascii = match c {
                '（' => " (",
                '）' => ")",
                '，' | '、' => ", ",
                '：' => ": ",
                '《' | '》' | '“' | '”' => "",
                _ => "",
            };
            if ascii.is_empty() && c.is_ascii() {
                if c.is_ascii_alphanumeric() && out.ends_with(|l: char| l.is_ascii_lowercase()) {
                    out.push(' ');
                }
                out.push(c);
            } else {
                out.push_str(ascii);
            }
        }
    }
    capitalize(out.split_whitespace().collect::<Vec<_>>().join(" ").trim())
}

fn syllable(c: char) -> String {
    c.to_pinyin().map_or_else(|| c.to_string(), |p| p.plain().to_string())
}

/// Syllables run together, with an apostrophe where a syllable starting
/// with a vowel would otherwise join the one before (`Xi'an`).
fn joined(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let s = syllable(c);
        if !out.is_empty() && s.starts_with(['a', 'e', 'o']) {
            out.push('\'');
        }
        out.push_str(&s);
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_surname_then_given_name_run_together() {
        assert_eq!(name("何邦军"), "He Bangjun");
        assert_eq!(name("吕旅"), "Lü Lü");
        assert_eq!(name("欧阳修明"), "Ouyang Xiuming");
        assert_eq!(name("曾国藩"), "Zeng Guofan");
        assert_eq!(name("单田芳"), "Shan Tianfang");
        assert_eq!(name("John Smith"), "John Smith");
        assert_eq!(split_name("王德佳"), ("王", "德佳"));
    }

    #[test]
    fn places_drop_their_suffix_and_keep_customary_spellings() {
        assert_eq!(place("安康市"), "Ankang");
        assert_eq!(place("陕西省"), "Shaanxi");
        assert_eq!(place("山西省"), "Shanxi");
        assert_eq!(place("新县"), "Xin County");
        assert_eq!(place("广西壮族自治区"), "Guangxi");
        assert_eq!(place("西安市"), "Xi'an");
        assert_eq!(place("全国"), "China");
    }

    #[test]
    fn text_is_made_syllable_by_syllable() {
        assert_eq!(text("脱贫攻坚讲话整理"), "Tuo pin gong jian jiang hua zheng li");
        assert_eq!(text("脱贫攻坚100问（问答）"), "Tuo pin gong jian 100 wen (wen da)");
    }
}
