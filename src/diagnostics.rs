//! Diagnostics: a problem in an input file, located by path, line and column.
//! Stages collect many of them instead of stopping at the first, and the CLI
//! prints them sorted by path. This module does not decide what is an error.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one input file. `line` and `col` are 1-based and count in
/// characters of the whole file (not of an embedded YAML block).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic { path: path.to_path_buf(), line: line.max(1), col: col.max(1), message: message.into() }
    }
}

impl Diagnostic {
    /// `path:line:col: warning: message`, for a problem that does not stop
    /// the build.
    pub fn as_warning(&self) -> String {
        let Diagnostic { path, line, col, message } = self;
        format!("{}:{line}:{col}: warning: {}", sanitize(&path.display().to_string()), sanitize(message))
    }
}

impl std::error::Error for Diagnostic {}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            sanitize(&self.path.display().to_string()),
            self.line,
            self.col,
            sanitize(&self.message)
        )
    }
}

/// A failed stage: every diagnostic it found, sorted by path, line, column.
#[derive(Debug, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn sorted(mut list: Vec<Diagnostic>) -> Self {
        list.sort();
        list.dedup();
        Diagnostics(list)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Text from scraped files, file names and YAML keys may carry control,
/// line-breaking or bidi-override characters that would garble or disguise
/// a terminal line, or forge a line of its own; they are shown as `\u{..}`,
/// so a diagnostic is always one line. Text with none is returned as it is.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        let bidi =
            matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
        c.is_control() || bidi || matches!(c, '\u{2028}' | '\u{2029}')
    };
    // Every such character is an ASCII control or starts with one of these
    // bytes (U+0080–U+009F, U+061C, U+200E–U+2069): most text has none.
    let suspect = |b: u8| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xd8 || b == 0xe2;
    if !text.bytes().any(suspect) || !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_path_line_col_message() {
        let d = Diagnostic::new(Path::new("content/a.md"), 3, 7, "bad date");
        assert_eq!(d.to_string(), "content/a.md:3:7: bad date");
    }

    #[test]
    fn a_warning_says_so_after_its_location() {
        let d = Diagnostic::new(Path::new("content/a.md"), 3, 7, "a `javascript:` link is shown as text");
        assert_eq!(d.as_warning(), "content/a.md:3:7: warning: a `javascript:` link is shown as text");
    }

    #[test]
    fn sanitize_escapes_control_and_bidi() {
        assert_eq!(sanitize("a\u{1b}[31mb\u{202E}c"), "a\\u{1b}[31mb\\u{202e}c");
        assert_eq!(sanitize("讲话"), "讲话");
        assert_eq!(sanitize("a\nb\rc\td\u{85}e\u{2028}"), "a\\u{a}b\\u{d}c\\u{9}d\\u{85}e\\u{2028}");
        // Each kind the byte prefilter lets through to the character check.
        assert_eq!(sanitize("\u{7f}\u{9f}\u{61c}\u{200f}\u{2069}"), "\\u{7f}\\u{9f}\\u{61c}\\u{200f}\\u{2069}");
        // Quotes and dashes share a first byte with the bidi marks and stay.
        assert!(matches!(sanitize("“脱贫”——…"), Cow::Borrowed("“脱贫”——…")));
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "一二\n三四五\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, "一二\n三".len()), (2, 2));
    }

    #[test]
    fn sorted_orders_by_path_then_line() {
        let a = Diagnostic::new(Path::new("b.md"), 1, 1, "x");
        let b = Diagnostic::new(Path::new("a.md"), 9, 1, "y");
        let c = Diagnostic::new(Path::new("a.md"), 2, 1, "z");
        let d = Diagnostics::sorted(vec![a, b, c]);
        let lines: Vec<String> = d.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines, ["a.md:2:1: z", "a.md:9:1: y", "b.md:1:1: x"]);
    }
}
