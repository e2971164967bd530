//! Text normalisation shared by the index and the browser client: one
//! character in, one character out, so offsets in normalised text are
//! offsets in the original (snippets highlight the text as printed).
//! Folds full-width ASCII to half-width, the ideographic space to a space,
//! ASCII capitals to small letters, and traditional characters to simplified
//! ones through `script` (the character table of the `fast2s` crate). The client gets
//! the same table as a string of pairs ([`fold_pairs`]), so the two sides
//! cannot disagree.

/// The normal form of one character.
pub fn fold(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            let half = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            half.to_ascii_lowercase()
        }
        c => crate::script::simplified(c),
    }
}

/// The normal form of a text; as many characters as the input.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// Every traditional → simplified pair as one string `繁简繁简…`, sorted,
/// for the client.
pub fn fold_pairs() -> String {
    (0x0800u32..=0xFFFF)
        .filter_map(char::from_u32)
        .map(|c| (c, fold(c)))
        .filter(|(a, b)| a != b)
        .flat_map(|(a, b)| [a, b])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_simplified_fold_to_one_form() {
        assert_eq!(normalize("兩不愁三保障"), "两不愁三保障");
        assert_eq!(normalize("易地搬遷"), normalize("易地搬迁"));
        assert_eq!(normalize("第一書記"), "第一书记");
    }

    #[test]
    fn width_and_case_fold() {
        assert_eq!(normalize("５８．１７％　ＧＤＰ Abc"), "58.17% gdp abc");
    }

    #[test]
    fn one_character_in_one_out() {
        let text = "乾隆的乾兒子，計畫、企畫；藉口";
        assert_eq!(normalize(text).chars().count(), text.chars().count());
    }

    #[test]
    fn the_client_table_is_pairs() {
        let pairs: Vec<char> = fold_pairs().chars().collect();
        assert_eq!(pairs.len() % 2, 0);
        assert!(pairs.len() > 4000, "{}", pairs.len());
        assert!(pairs.chunks(2).any(|p| p == ['書', '书']));
    }
}
