//! Code highlighting adapter: syntect, loaded once and only when a page has
//! a fenced code block; emits CSS classes (the theme styles them), never
//! inline styles.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre>` block for `code` in language `lang` (plain when unknown).
pub fn code_block(code: &str, lang: &str) -> String {
    let escaped = || pulldown_cmark_escape_html(code);
    if lang.is_empty() {
        return format!("<pre class=\"code\"><code>{}</code></pre>\n", escaped());
    }
    let set = syntaxes();
    let Some(syntax) = set.find_syntax_by_token(lang) else {
        return format!("<pre class=\"code\"><code>{}</code></pre>\n", escaped());
    };
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"code\"><code>{}</code></pre>\n", escaped());
        }
    }
    format!(
        "<pre class=\"code\" data-lang=\"{}\"><code>{}</code></pre>\n",
        pulldown_cmark_escape_html(lang),
        generator.finalize()
    )
}

fn pulldown_cmark_escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
