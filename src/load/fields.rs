//! Reading front matter field by field, whatever the schema: typed
//! values (text, flags, dates, lists) out of the parsed YAML, each problem
//! remembered at its line and column so that one file reports all of its
//! mistakes at once. Which fields there are is `document`'s.

use std::path::Path;

use super::front_matter::{parse_yaml, split, Entry, Node, NodeKind};
use crate::diagnostics::Diagnostic;
use crate::model::PartialDate;

/// Reads one field after another, remembering every problem.
pub struct Fields<'a> {
    pub path: &'a Path,
    pub root: Node,
    pub problems: Vec<Diagnostic>,
    /// Required fields a draft may leave out: those its `needs` lists.
    pub waived: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn parse(path: &'a Path, text: &'a str) -> Result<(Fields<'a>, &'a str, usize), Vec<Diagnostic>> {
        let one = |line, col, m: String| vec![Diagnostic::new(path, line, col, m)];
        let s = split(text).map_err(|(line, m)| one(line, 1, m))?;
        let (root, found) = parse_yaml(s.yaml, s.yaml_line).map_err(|p| one(p.line, p.col, p.message))?;
        if !matches!(root.kind, NodeKind::Map(_)) {
            return Err(one(root.line, root.col, "front matter must be a mapping of `field: value` lines".into()));
        }
        let problems = found.into_iter().map(|p| Diagnostic::new(path, p.line, p.col, p.message)).collect();
        Ok((Fields { path, root, problems, waived: Vec::new() }, s.body, s.body_line))
    }

    pub fn report_at(&mut self, line: usize, col: usize, message: String) {
        self.problems.push(Diagnostic::new(self.path, line, col, message));
    }

    /// Reports at `key`'s value (or the key itself), or at the start of
    /// the front matter when the key is missing.
    pub fn report(&mut self, key: &str, at_value: bool, message: String) {
        let (line, col) = match self.root.entry_at(key) {
            Some(e) if at_value && !e.value.is_null() => (e.value.line, e.value.col),
            Some(e) => (e.line, e.col),
            None => (self.root.line, 1),
        };
        self.report_at(line, col, message);
    }

    pub fn check_known(&mut self, known: &[&str], extra: &[String]) {
        let unknown: Vec<(usize, usize, String)> = entries(&self.root)
            .iter()
            .filter(|e| !known.contains(&e.key.as_str()) && !extra.contains(&e.key))
            .map(|e| (e.line, e.col, format!("unknown field `{}`", e.key)))
            .collect();
        for (line, col, m) in unknown {
            self.report_at(line, col, m);
        }
    }

    /// The value of `key` (a dotted path), unless missing or empty.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.root.entry_at(key).map(|e| &e.value).filter(|v| !v.is_null())
    }

    pub fn text(&mut self, key: &str) -> Option<String> {
        let value = self.get(key)?;
        match value.as_text() {
            Some(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Some(_) => {
                self.report(key, true, format!("`{key}` is empty"));
                None
            }
            None => {
                let m = format!("`{key}` must be text, not {}", describe(value));
                self.report(key, true, m);
                None
            }
        }
    }

    pub fn required_text(&mut self, key: &str) -> String {
        if self.get(key).is_none() {
            self.missing(key, String::new());
            return String::new();
        }
        self.text(key).unwrap_or_default()
    }

    /// A required field is missing: an error, unless a draft lists it in
    /// `needs` (an imported document waiting for a human).
    pub fn missing(&mut self, key: &str, why: String) {
        if !self.waived.iter().any(|n| n == key) {
            self.report(key, true, format!("missing required field `{key}`{why}"));
        }
    }

    pub fn flag(&mut self, key: &str) -> bool {
        let Some(value) = self.get(key) else { return false };
        match value.as_bool() {
            Some(b) => b,
            None => {
                let m = format!("`{key}` must be true or false, not {}", describe(value));
                self.report(key, true, m);
                false
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<PartialDate> {
        let value = self.get(key)?;
        let Some(text) = value.as_text() else {
            let m = format!("`{key}` must be a date (YYYY-MM-DD, YYYY-MM or YYYY), not {}", describe(value));
            self.report(key, true, m);
            return None;
        };
        match PartialDate::parse(text) {
            Ok(d) if d.first_day() > today() => {
                self.report(key, true, format!("`{key}`: {d} is after today"));
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                self.report(key, true, format!("`{key}`: {m}"));
                None
            }
        }
    }

    /// A list of text without repeats.
    pub fn list(&mut self, key: &str, allow_single: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in self.items(key, allow_single) {
            if !out.contains(&item) {
                out.push(item);
            }
        }
        out
    }

    /// A list of text, or one text where `allow_single`.
    pub fn items(&mut self, key: &str, allow_single: bool) -> Vec<String> {
        let Some(value) = self.get(key) else { return Vec::new() };
        let items: Vec<Node> = match &value.kind {
            NodeKind::List(items) => items.clone(),
            NodeKind::Scalar { .. } if allow_single => vec![value.clone()],
            _ => {
                let m = format!("`{key}` must be a list of text, not {}", describe(value));
                self.report(key, true, m);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_text().map(str::trim) {
                Some(t) if !t.is_empty() => out.push(t.to_string()),
                _ => self.report_at(item.line, item.col, format!("`{key}` holds {}, expected text", describe(&item))),
            }
        }
        out
    }
}

/// The entries of a mapping; none of anything else.
pub fn entries(node: &Node) -> &[Entry] {
    match &node.kind {
        NodeKind::Map(entries) => entries,
        _ => &[],
    }
}

/// Today, by the machine's clock: a delivery or publication date after it
/// is a typo.
fn today() -> (i32, u8, u8) {
    use chrono::Datelike;
    let now = chrono::Local::now().date_naive();
    (now.year(), now.month() as u8, now.day() as u8)
}

/// How a value that is not what a field takes is named in a message.
pub fn describe(value: &Node) -> String {
    match &value.kind {
        NodeKind::Null => "nothing".into(),
        NodeKind::Scalar { text, .. } => format!("the text `{text}`"),
        NodeKind::List(_) => "a list".into(),
        NodeKind::Map(_) => "a mapping".into(),
    }
}
