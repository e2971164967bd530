//! Splits a content file into its YAML front matter and Markdown body, and
//! finds where each front-matter key stands so that errors point at the line
//! of the file. Knows nothing of which keys exist.

use std::collections::BTreeMap;

/// A content file cut in two. Lines are 1-based lines of the whole file.
#[derive(Debug)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Line of the file on which the YAML text starts.
    pub yaml_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Cuts `text` at its `---` fences. The error carries a line and a message.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err((1, "expected front matter: the file must start with a `---` line".into()));
    }
    let mut offset = first_end;
    for (i, l) in text[first_end..].split_inclusive('\n').enumerate() {
        if l.trim_end() == "---" {
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                body: &text[offset + l.len()..],
                // The closing fence is on line i + 2; the body starts after it.
                body_line: i + 3,
            });
        }
        offset += l.len();
    }
    Err((1, "front matter is not closed: no `---` line after the opening one".into()))
}

/// Where a key and its value stand, as line and column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
    pub value_col: usize,
}

/// Positions of top-level keys (`title`) and of keys one level down
/// (`source.date`). A plain scan of block-style YAML: enough to point at a
/// line, and the YAML parser remains the judge of syntax.
pub fn key_positions(yaml: &str, first_line: usize) -> BTreeMap<String, Position> {
    let mut positions = BTreeMap::new();
    let mut parent: Option<String> = None;
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.chars().count() - trimmed.chars().count();
        let Some((key, rest)) = trimmed.split_once(':') else { continue };
        if !(rest.is_empty() || rest.starts_with(' ')) || key.starts_with('-') {
            continue;
        }
        let key = key.trim().trim_matches(['"', '\'']).to_string();
        let value_col = indent + key.chars().count() + 2 + rest.chars().count() - rest.trim_start().chars().count();
        let pos = Position { line: first_line + i, col: indent + 1, value_col: value_col.max(indent + 1) };
        if indent == 0 {
            parent = Some(key.clone());
            positions.entry(key).or_insert(pos);
        } else if let Some(p) = &parent {
            positions.entry(format!("{p}.{key}")).or_insert(pos);
        }
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_fences() {
        let s = split("---\ntitle: 讲话\n---\n\n正文\n").unwrap();
        assert_eq!(s.yaml, "title: 讲话\n");
        assert_eq!(s.body, "\n正文\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn missing_and_unclosed_fences_are_errors() {
        assert_eq!(split("title: x\n").unwrap_err().0, 1);
        assert!(split("---\ntitle: x\n").unwrap_err().1.contains("not closed"));
    }

    #[test]
    fn a_bom_is_allowed() {
        assert!(split("\u{feff}---\n---\n").is_ok());
    }

    #[test]
    fn finds_top_level_and_nested_keys() {
        let p = key_positions("title: 讲话\nsource:\n  date: 2020-04-15\n  raw: x\n", 2);
        assert_eq!(p["title"], Position { line: 2, col: 1, value_col: 8 });
        assert_eq!(p["source.date"], Position { line: 4, col: 3, value_col: 9 });
        assert_eq!(p["source.raw"].line, 5);
    }
}
