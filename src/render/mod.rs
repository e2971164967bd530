//! Render stage: Tera templates of the theme, fed with view types. Owns the
//! template engine, the translation table and the page plan (which pages
//! exist, their URLs, and what each depends on); writes nothing itself but
//! hands each finished page to a `Sink`.

mod context;
mod downloads;
mod items;
mod pages;
mod provenance;
mod table;
mod theme;
pub mod views;

use std::collections::BTreeMap;
use std::path::PathBuf;

use tera::{Context, Tera};

pub use pages::{plan_pages, render_site, DataFile, DocFile, PageKind, PagePlan, RenderReport};
pub use theme::Theme;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::identity::Fingerprint;

/// Templates compiled once, plus what every page's context shares.
pub struct Renderer {
    tera: Tera,
    origins: BTreeMap<String, PathBuf>,
    pub theme: Theme,
}

impl Renderer {
    pub fn new(theme: Theme) -> Result<Renderer, Diagnostics> {
        let mut tera = Tera::default();
        tera.set_escape_fns(escape_html, escape_html_to);
        let origins: BTreeMap<String, PathBuf> =
            theme.templates.iter().map(|t| (t.name.clone(), t.origin.clone())).collect();
        let raw: Vec<(&str, &str)> = theme.templates.iter().map(|t| (t.name.as_str(), t.text.as_str())).collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            return Err(Diagnostics(vec![template_diagnostic(&e, &origins)]));
        }
        let missing: Vec<Diagnostic> = pages::TEMPLATES
            .iter()
            .filter(|name| !origins.contains_key(**name))
            .map(|name| {
                Diagnostic::new(
                    &PathBuf::from(crate::config::TEMPLATES_DIR).join(name),
                    1,
                    1,
                    "the theme has no such template",
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(Diagnostics(missing));
        }
        Ok(Renderer { tera, origins, theme })
    }

    /// Digest of everything that shapes every page besides its own data:
    /// this program, the settings, the templates and the translations.
    pub fn fingerprint(&self, config: &Config) -> Fingerprint {
        let templates: Vec<(&str, &str)> =
            self.theme.templates.iter().map(|t| (t.name.as_str(), t.text.as_str())).collect();
        let site = format!("{:?}", config.site);
        Fingerprint::of_json(Fingerprint(0), &(crate::identity::program(), site, templates, &self.theme.words))
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|e| template_diagnostic(&e, &self.origins))
    }

    /// Renders into `out` (appending), sparing a page the copy and UTF-8
    /// check of `render`.
    pub fn render_to(&self, template: &str, context: &Context, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        self.tera.render_to(template, context, out).map_err(|e| template_diagnostic(&e, &self.origins))
    }
}

/// Tera's default escaper also encodes `/`, which turns every URL into
/// `..&#x2F;cities&#x2F;`; `/` is harmless in HTML text and attributes.
/// Runs without a special character are copied whole: most values have none.
fn escape_html(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 16);
    // Writing to memory cannot fail, and escaping keeps UTF-8 whole.
    let _ = escape_html_to(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`escape_html`] written straight into a page (Tera's `{{ name }}`),
/// without a `String` per value.
fn escape_html_to(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#x27;",
            _ => continue,
        };
        out.write_all(&text.as_bytes()[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&text.as_bytes()[start..])
}

/// A Tera error as `origin:line:col: message`: Tera names the template, and
/// for syntax errors prints `--> line:col`; the whole cause chain is kept.
fn template_diagnostic(error: &tera::Error, origins: &BTreeMap<String, PathBuf>) -> Diagnostic {
    let mut chain = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let text = chain.join("\n");
    let name = origins.keys().rfind(|n| text.contains(&format!("'{n}'")) || text.contains(&format!("\"{n}\"")));
    let origin =
        name.and_then(|n| origins.get(n)).cloned().unwrap_or_else(|| PathBuf::from(crate::config::TEMPLATES_DIR));
    let (mut line, mut col) = (1, 1);
    if let Some(at) = text.find("--> ") {
        let pos: String = text[at + 4..].chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
        if let Some((l, c)) = pos.split_once(':') {
            line = l.parse().unwrap_or(1);
            col = c.parse().unwrap_or(1);
        }
    }
    let message: Vec<String> = chain
        .iter()
        .flat_map(|m| m.lines())
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("= ").map(str::to_string).or_else(|| {
                (!l.is_empty()
                    && !l.starts_with("-->")
                    && !l.starts_with('|')
                    && !l.chars().next().is_some_and(|c| c.is_ascii_digit()))
                .then(|| l.to_string())
            })
        })
        .collect();
    Diagnostic::new(&origin, line, col, format!("template error: {}", message.join(": ")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_html_keeps_slashes_and_escapes_markup() {
        assert_eq!(
            super::escape_html("../a/ <b>\"x\" & 'y'</b> 讲话"),
            "../a/ &lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt; 讲话"
        );
        assert_eq!(super::escape_html(""), "");
    }

    #[test]
    fn a_page_gets_the_same_escaping_written_into_it() {
        let mut tera = tera::Tera::default();
        tera.set_escape_fns(super::escape_html, super::escape_html_to);
        tera.add_raw_template("t.html", "<p title=\"{{ a }}\">{{ a }}|{{ a | safe }}|{{ a | upper }}</p>").unwrap();
        for text in ["", "讲话", "../a/ <b>\"x\" & 'y'</b> 讲话", "&&", "a>"] {
            let mut context = tera::Context::new();
            context.insert("a", text);
            let e = super::escape_html(text);
            let upper = super::escape_html(&text.to_uppercase());
            assert_eq!(tera.render("t.html", &context).unwrap(), format!("<p title=\"{e}\">{e}|{text}|{upper}</p>"));
        }
    }
}
