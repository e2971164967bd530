//! Splits a content file into its YAML front matter and Markdown body, and
//! reads the YAML into a tree of [`Node`]s that keep every scalar exactly as
//! written and where it stands in the file. Knows nothing of which keys exist.
//!
//! Why not deserialize with serde: a YAML loader resolves plain scalars to
//! numbers, booleans and dates (`title: 1.10` becomes 1.1, `speaker: 0x1F`
//! becomes 31), and a string field must read the characters the file holds.
//! So the parser's events (yaml-rust2) become a tree of text: a scalar is its
//! source text, with a flag for plain (unquoted) style so that typed fields
//! can still tell `true` from `"true"`; the schema in `document.rs` decides
//! what each field means. Aliases are refused (front matter needs none, and
//! an alias bomb is then impossible), a duplicate key is reported at its own
//! line without stopping the rest of the file's checks, and every node keeps
//! its line and column in the file.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

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

/// A problem found while reading the YAML: line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// One value of the front matter and where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub col: usize,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// An empty value, `~` or `null`.
    Null,
    /// A scalar's text as written (after YAML's quoting and line folding),
    /// and whether it was plain (unquoted, not a block).
    Scalar {
        text: String,
        plain: bool,
    },
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping's `key: value`; the line and column are the key's.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub line: usize,
    pub col: usize,
    pub value: Node,
}

impl Node {
    /// The entry for `key`, when this node is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The entry at a dotted path (`source.date`).
    pub fn entry_at(&self, path: &str) -> Option<&Entry> {
        let mut parts = path.split('.');
        let mut entry = self.entry(parts.next()?)?;
        for part in parts {
            entry = entry.value.entry(part)?;
        }
        Some(entry)
    }

    /// A plain `true` or `false` (in YAML 1.2's spellings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.kind == NodeKind::Null
    }

    /// The value for a template: text stays text (never a number), a plain
    /// `true`/`false` is a boolean, lists and mappings keep their shape.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Scalar { text, .. } => self.as_bool().map_or_else(|| Value::String(text.clone()), Value::Bool),
            NodeKind::List(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => {
                Value::Object(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect())
            }
        }
    }
}

/// A mapping's key read and waiting for its value: text, line, column
/// (line 0: a key that is not text, whose value is dropped).
type PendingKey = (String, usize, usize);

/// Nesting deeper than this is refused: front matter is two levels deep.
const MAX_DEPTH: usize = 32;

/// Reads `yaml`, which starts on line `first_line` of its file. An empty
/// text is an empty mapping. `Err` is a problem that leaves no tree (a
/// syntax error); the problems beside `Ok` (an alias, a tag, a duplicate
/// key) were reported and their values left out, so the caller goes on
/// checking the rest.
pub fn parse_yaml(yaml: &str, first_line: usize) -> Result<(Node, Vec<Problem>), Problem> {
    let at = |m: &Marker| (first_line + m.line().saturating_sub(1), m.col() + 1);
    let problem = |m: &Marker, message: String| {
        let (line, col) = at(m);
        Problem { line, col, message }
    };
    let mut parser = Parser::new_from_str(yaml);
    let mut problems = Vec::new();
    // Open lists and mappings; a mapping's frame holds the key read last.
    let mut stack: Vec<(Node, Option<PendingKey>)> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| problem(e.marker(), format!("invalid YAML in front matter: {}", e.info())))?;
        let (line, col) = at(&mark);
        let node = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
            Event::DocumentStart if root.is_some() => {
                return Err(problem(&mark, "front matter holds more than one YAML document".into()));
            }
            Event::DocumentStart => continue,
            Event::SequenceStart(_, ref tag) | Event::MappingStart(_, ref tag) => {
                if let Some(tag) = tag {
                    problems.push(problem(
                        &mark,
                        format!("YAML tags (`{}{}`) are not allowed here", tag.handle, tag.suffix),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(problem(&mark, format!("front matter nested more than {MAX_DEPTH} levels deep")));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    NodeKind::List(Vec::new())
                } else {
                    NodeKind::Map(Vec::new())
                };
                stack.push((Node { line, col, kind }, None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((node, _)) => node,
                None => continue,
            },
            Event::Alias(_) => {
                problems.push(problem(&mark, "YAML aliases (`*name`) are not allowed in front matter".into()));
                Node { line, col, kind: NodeKind::Null }
            }
            Event::Scalar(text, style, _, tag) => {
                let plain = style == TScalarStyle::Plain;
                match tag {
                    // `!!str` asks for text, which every scalar is here.
                    Some(t) if t.handle == "!!" && t.suffix == "str" => {}
                    Some(t) if t.handle == "tag:yaml.org,2002:" && t.suffix == "str" => {}
                    Some(t) => problems
                        .push(problem(&mark, format!("YAML tags (`{}{}`) are not allowed here", t.handle, t.suffix))),
                    None => {}
                }
                let null = plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                let kind = if null { NodeKind::Null } else { NodeKind::Scalar { text, plain } };
                Node { line, col, kind }
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some((Node { kind: NodeKind::List(items), .. }, _)) => items.push(node),
            Some((Node { kind: NodeKind::Map(entries), .. }, pending)) => match pending.take() {
                None => match &node.kind {
                    NodeKind::Scalar { text, .. } => *pending = Some((text.clone(), node.line, node.col)),
                    _ => {
                        problems.push(Problem {
                            line: node.line,
                            col: node.col,
                            message: "a field name must be plain text".into(),
                        });
                        // Its value is read and dropped.
                        *pending = Some((String::new(), 0, 0));
                    }
                },
                Some((_, 0, _)) => {}
                Some((key, line, col)) => {
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        problems.push(Problem {
                            line,
                            col,
                            message: format!("duplicate field `{key}` (first given on line {})", first.line),
                        });
                    } else {
                        entries.push(Entry { key, line, col, value: node });
                    }
                }
            },
            Some(_) => {}
        }
    }
    let root = root.unwrap_or(Node { line: first_line, col: 1, kind: NodeKind::Map(Vec::new()) });
    Ok((root, problems))
}

/// Where the value of `key` (a dotted path) stands in a content file's
/// text, for errors found after loading. None when the file does not say.
pub fn value_position(text: &str, key: &str) -> Option<(usize, usize)> {
    let s = split(text).ok()?;
    let (root, _) = parse_yaml(s.yaml, s.yaml_line).ok()?;
    let entry = root.entry_at(key)?;
    Some((entry.value.line, entry.value.col))
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

    fn text_of(yaml: &str, key: &str) -> Option<String> {
        let (root, problems) = parse_yaml(yaml, 2).unwrap();
        assert_eq!(problems, []);
        root.entry_at(key).and_then(|e| e.value.as_text().map(str::to_string))
    }

    #[test]
    fn scalars_keep_the_characters_written() {
        for written in ["1.10", "0x1F", "no", "2020-04-03", "1e3", "0o17", ".inf", "+12", "007", "Yes", "on"] {
            assert_eq!(text_of(&format!("title: {written}\n"), "title").as_deref(), Some(written));
        }
        assert_eq!(text_of("title: '1.10'\n", "title").as_deref(), Some("1.10"));
        assert_eq!(text_of("title: \"a\\tb\"\n", "title").as_deref(), Some("a\tb"));
    }

    #[test]
    fn nodes_know_their_line_and_column_in_the_file() {
        let (root, _) = parse_yaml("title: 讲话\nsource:\n  date: 2020-04-15\n  raw: x\n", 2).unwrap();
        let title = root.entry("title").unwrap();
        assert_eq!((title.line, title.col, title.value.line, title.value.col), (2, 1, 2, 8));
        let date = root.entry_at("source.date").unwrap();
        assert_eq!((date.line, date.col, date.value.col), (4, 3, 9));
        assert_eq!(root.entry_at("source.raw").unwrap().line, 5);
    }

    #[test]
    fn a_duplicate_key_is_reported_at_its_own_line_and_the_first_kept() {
        let (root, problems) = parse_yaml("title: a\ncity: b\ntitle: c\n", 2).unwrap();
        assert_eq!(
            problems,
            [Problem { line: 4, col: 1, message: "duplicate field `title` (first given on line 2)".into() }]
        );
        assert_eq!(root.entry("title").unwrap().value.as_text(), Some("a"));
        assert_eq!(root.entry("city").unwrap().value.as_text(), Some("b"));
    }

    #[test]
    fn aliases_are_refused_where_they_stand() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        let (_, problems) = parse_yaml(bomb, 2).unwrap();
        assert_eq!(problems.len(), 18);
        assert_eq!((problems[0].line, problems[0].col), (3, 8));
        assert!(problems[0].message.contains("aliases"));
        assert_eq!(problems[17].line, 4);
    }

    #[test]
    fn syntax_errors_and_deep_nesting_are_located() {
        let e = parse_yaml("title: 讲话\ndate: [2020\n", 2).unwrap_err();
        assert!(e.message.starts_with("invalid YAML in front matter: "), "{e:?}");
        assert!(e.line >= 3, "{e:?}");
        let deep = format!("a: {}{}\n", "[".repeat(1000), "]".repeat(1000));
        assert!(parse_yaml(&deep, 2).is_err());
    }

    #[test]
    fn nulls_and_booleans_are_plain_scalars_only() {
        let (root, _) = parse_yaml("a:\nb: ~\nc: 'null'\nd: true\ne: \"true\"\nf: no\n", 2).unwrap();
        assert!(root.entry("a").unwrap().value.is_null());
        assert!(root.entry("b").unwrap().value.is_null());
        assert_eq!(root.entry("c").unwrap().value.as_text(), Some("null"));
        assert_eq!(root.entry("d").unwrap().value.as_bool(), Some(true));
        assert_eq!(root.entry("e").unwrap().value.as_bool(), None);
        assert_eq!(root.entry("f").unwrap().value.as_bool(), None);
    }
}
