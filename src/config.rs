//! `site.toml` → `SiteConfig`, and the resolved `Config` of one run (site
//! settings plus command-line overrides). Unknown keys are errors with their
//! line; this module does not read content or themes. Also the archive's
//! layout: the names of the folders under its root, given here once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{line_col, Diagnostic, Diagnostics};
use crate::error::Error;

pub const SITE_FILE: &str = "site.toml";
/// Documents and free pages.
pub const CONTENT_DIR: &str = "content";
/// Under `content/`: speeches, free pages, raw sources (named by
/// documents' `source.raw`).
pub const SPEECHES_DIR: &str = "speeches";
pub const PAGES_DIR: &str = "pages";
pub const RAW_DIR: &str = "raw";
/// Themes (`themes/<name>/`), and the site's own templates and static
/// files, which win over the theme's; a theme has the same two folders.
pub const THEMES_DIR: &str = "themes";
pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";
/// Every source folder under the root: with `site.toml`, all a build reads.
pub const SOURCE_DIRS: [&str; 4] = [CONTENT_DIR, THEMES_DIR, TEMPLATES_DIR, STATIC_DIR];

/// `<root>/content/raw/`, where raw sources are.
pub fn raw_dir(root: &Path) -> PathBuf {
    root.join(CONTENT_DIR).join(RAW_DIR)
}
const KEYS: [&str; 9] =
    ["title", "description", "base_url", "language", "theme", "paginate_by", "extra_fields", "theme_rules", "data"];
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// The settings in `site.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    /// Front-matter fields allowed beyond the content model.
    #[serde(default)]
    pub extra_fields: Vec<String>,
    /// Topic → keywords: a document whose title or body contains a keyword
    /// gets the topic added to its themes.
    #[serde(default)]
    pub theme_rules: BTreeMap<String, Vec<String>>,
    /// What the downloads say of themselves: their licence and sources.
    #[serde(default)]
    pub data: DataSettings,
}

/// `[data]` in site.toml: stated in `datapackage.json` and on the data page.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSettings {
    /// The licence of the downloads, as Frictionless names one.
    pub license: Option<License>,
    /// Who holds the rights in the texts, in a sentence (shown as given).
    #[serde(default)]
    pub rights: String,
    /// Where the texts come from.
    #[serde(default)]
    pub sources: Vec<DataSource>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// An Open Definition licence id, e.g. `CC-BY-4.0`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

fn default_language() -> String {
    "zh-CN".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_paginate_by() -> usize {
    20
}

/// What a run is asked to do, before site.toml is read: the command
/// line's choices, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The archive's folder (holding site.toml).
    pub root: PathBuf,
    /// Where to write the site; `<root>/public` when `None`.
    pub output: Option<PathBuf>,
    /// Wins over site.toml's `base_url`.
    pub base_url: Option<String>,
    /// Include documents marked `draft: true`.
    pub drafts: bool,
    /// Ignore the build cache and render every page.
    pub clean: bool,
    /// Build into an output folder that holds files the archive did not
    /// write, keeping every one of them.
    pub force: bool,
}

impl Options {
    /// The archive at `root`, with nothing else asked.
    pub fn at(root: impl Into<PathBuf>) -> Options {
        Options { root: root.into(), ..Options::default() }
    }
}

/// Everything one run needs to know, resolved once from site.toml and CLI.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub output: PathBuf,
    pub site: SiteConfig,
    pub drafts: bool,
    /// Ignore the build cache and render every page.
    pub clean: bool,
    /// Build into a folder of files the archive did not write (kept).
    pub force: bool,
    /// The day of this build (UTC), `YYYY-MM-DD`: what a citation gives as
    /// its access date where no script fills in the reader's. From
    /// `SOURCE_DATE_EPOCH` when set, for reproducible builds.
    pub build_date: String,
}

impl Config {
    /// Reads `<root>/site.toml`; `base_url` from the command line wins.
    /// A bad `--base-url` or `--output` is a usage error.
    pub fn load(options: &Options) -> Result<Config, Error> {
        match Config::read(options)? {
            (Some(config), problems) if problems.is_empty() => Ok(config),
            (_, problems) => Err(Error::Input(Diagnostics::sorted(problems))),
        }
    }

    /// [`Config::load`] that reads past problems in site.toml: the problems,
    /// and the run's settings as far as site.toml could be read (see
    /// [`read_site`]), so that content can be checked in the same run.
    pub fn read(options: &Options) -> Result<(Option<Config>, Vec<Diagnostic>), Error> {
        let root = options.root.as_path();
        if let Some(url) = &options.base_url {
            check_base_url(url).map_err(|m| Error::Usage(format!("--base-url: {m}")))?;
        }
        let output = match &options.output {
            Some(o) if o.is_absolute() => o.to_path_buf(),
            Some(o) => std::env::current_dir().unwrap_or_default().join(o),
            None => root.join("public"),
        };
        check_output(root, &output).map_err(|m| Error::Usage(format!("--output: {m}")))?;
        let path = root.join(SITE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Usage(format!(
                    "{} has no {SITE_FILE}: is it an archive? (`archive init DIR` makes one)",
                    root.display()
                )))
            }
            Err(e) => return Err(Error::io("read", path, e)),
        };
        let (site, problems) = read_site(&text, Path::new(SITE_FILE));
        let config = site.map(|mut site| {
            if let Some(url) = &options.base_url {
                site.base_url = url.clone();
            }
            site.base_url = normalize_base_url(&site.base_url);
            Config {
                root: root.to_path_buf(),
                output,
                site,
                drafts: options.drafts,
                clean: options.clean,
                force: options.force,
                build_date: build_date(),
            }
        });
        Ok((config, problems))
    }

    /// The folders this build reads besides `site.toml`: content, the
    /// site's theme, the site's templates and static files.
    pub fn source_dirs(&self) -> [PathBuf; 4] {
        [self.root.join(CONTENT_DIR), self.theme_dir(), self.root.join(TEMPLATES_DIR), self.root.join(STATIC_DIR)]
    }

    /// `themes/<theme>/` under the root (absent for the built-in theme).
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join(THEMES_DIR).join(&self.site.theme)
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        base_path(&self.site.base_url)
    }
}

/// Today (UTC), or the day of `SOURCE_DATE_EPOCH` (seconds since 1970):
/// a build's date, and the `added` day `archive import` writes.
pub fn build_date() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    let time = epoch.and_then(|s| chrono::DateTime::from_timestamp(s, 0)).unwrap_or_else(chrono::Utc::now);
    time.format("%Y-%m-%d").to_string()
}

/// The output folder is replaced wholesale by a build: it must not be the
/// archive itself, hold it, or lie inside one of its source folders.
fn check_output(root: &Path, output: &Path) -> Result<(), String> {
    let absolute = |p: &Path| {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        normalize(&p)
    };
    let (root, output) = (absolute(root), absolute(output));
    if root.starts_with(&output) {
        return Err(format!("{} holds the archive itself; a build replaces its output folder", output.display()));
    }
    for source in SOURCE_DIRS.into_iter().chain([".git"]) {
        if output.starts_with(root.join(source)) {
            return Err(format!(
                "{} is inside the archive's {source}/ folder; choose another output folder",
                output.display()
            ));
        }
    }
    Ok(())
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Parses site.toml text, reporting every unknown key and bad value.
pub fn parse_site(text: &str, path: &Path) -> Result<SiteConfig, Diagnostics> {
    match read_site(text, path) {
        (Some(site), problems) if problems.is_empty() => Ok(site),
        (_, problems) => Err(Diagnostics::sorted(problems)),
    }
}

/// Reads every setting of site.toml on its own, so that one bad value
/// hides no other: the settings as far as they could be read (a bad
/// value replaced by its default) and every problem, each at its line.
/// `None` when content cannot be checked under what was read: the text is
/// not TOML, or `extra_fields` or `theme_rules` (which decide what a
/// document may hold) could not be read.
pub fn read_site(text: &str, path: &Path) -> (Option<SiteConfig>, Vec<Diagnostic>) {
    let at = |offset: usize, message: &str| {
        let (line, col) = line_col(text, offset);
        Diagnostic::new(path, line, col, fold(message))
    };
    let table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(e) => return (None, vec![at(e.span().map_or(0, |s| s.start), &format!("invalid TOML: {}", e.message()))]),
    };
    let mut problems = Vec::new();
    for key in table.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        let offset = find_key(text, key).unwrap_or(0);
        problems.push(at(offset, &format!("unknown key `{key}` (known keys: {})", KEYS.join(", "))));
    }
    // One key at a time, from the text itself, so each error has its span.
    macro_rules! read {
        ($key:ident: $ty:ty) => {{
            #[derive(Deserialize)]
            struct One {
                $key: Option<$ty>,
            }
            match toml::from_str::<One>(text) {
                Ok(one) => Ok(one.$key),
                Err(e) => {
                    problems.push(at(e.span().map_or(0, |s| s.start), e.message()));
                    Err(())
                }
            }
        }};
    }
    let title = read!(title: String);
    let description = read!(description: String);
    let base_url = read!(base_url: String);
    let language = read!(language: String);
    let theme = read!(theme: String);
    let paginate_by = read!(paginate_by: usize);
    let extra_fields = read!(extra_fields: Vec<String>);
    let theme_rules = read!(theme_rules: BTreeMap<String, Vec<String>>);
    let data = read!(data: DataSettings);
    let content_checkable = extra_fields.is_ok() && theme_rules.is_ok();
    for (key, value) in [("title", &title), ("base_url", &base_url)] {
        if let Ok(None) = value {
            problems.push(at(0, &format!("missing key `{key}`")));
        }
    }
    let site = SiteConfig {
        title: title.ok().flatten().unwrap_or_default(),
        description: description.ok().flatten().unwrap_or_default(),
        base_url: base_url.ok().flatten().unwrap_or_else(|| "https://example.org/".into()),
        language: language.ok().flatten().unwrap_or_else(default_language),
        theme: theme.ok().flatten().unwrap_or_else(default_theme),
        paginate_by: paginate_by.ok().flatten().unwrap_or_else(default_paginate_by),
        extra_fields: extra_fields.ok().flatten().unwrap_or_default(),
        theme_rules: theme_rules.ok().flatten().unwrap_or_default(),
        data: data.ok().flatten().unwrap_or_default(),
    };
    let mut check = |key: &str, result: Result<(), String>| {
        if let Err(m) = result {
            problems.push(at(find_key(text, key).unwrap_or(0), &m));
        }
    };
    if table.contains_key("base_url") {
        check("base_url", check_base_url(&site.base_url));
    }
    check(
        "language",
        if LANGUAGES.contains(&site.language.as_str()) {
            Ok(())
        } else {
            Err(format!("language `{}` is not one of {}", site.language, LANGUAGES.join(", ")))
        },
    );
    check("paginate_by", if site.paginate_by == 0 { Err("paginate_by must be at least 1".into()) } else { Ok(()) });
    check(
        "theme",
        if is_plain_name(&site.theme) {
            Ok(())
        } else {
            Err(format!("theme `{}` must be a folder name under themes/", site.theme))
        },
    );
    // A topic becomes a page of its own (`themes/<slug>/`): its slug must
    // fit in a file name, which a build would find only when writing.
    for topic in site.theme_rules.keys() {
        let bytes = crate::slug::slugify(topic).len() + crate::slug::SUFFIX_BYTES;
        if bytes > crate::slug::MAX_SLUG_BYTES {
            check(
                topic,
                Err(format!(
                    "topic `{topic}` makes a URL path segment of up to {bytes} bytes; at most {} fit",
                    crate::slug::MAX_SLUG_BYTES
                )),
            );
        }
    }
    (content_checkable.then_some(site), problems)
}

/// A message of several lines (the TOML parser's) as one line.
fn fold(message: &str) -> String {
    message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_base_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(['?', '#', ' ']) => Ok(()),
        _ => Err(format!("base_url `{url}` must be an absolute http(s) URL such as https://example.org/archive/")),
    }
}

fn normalize_base_url(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// `https://example.org/archive/` → `/archive/`.
pub fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match after_scheme.find('/') {
        Some(i) => {
            let p = &after_scheme[i..];
            if p.ends_with('/') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        }
        None => "/".to_string(),
    }
}

/// Byte offset of a top-level key (`key = …` or `[key]`) in TOML text.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let bare = t.strip_prefix(key).map(|r| r.trim_start());
        let quoted = t.strip_prefix(&format!("\"{key}\"")).map(|r| r.trim_start());
        if bare.or(quoted).is_some_and(|r| r.starts_with('=')) || t.starts_with(&format!("[{key}]")) {
            return Some(offset + indent);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse_site(text, Path::new("site.toml")).unwrap_err().0.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn reads_defaults() {
        let site = parse_site("title = \"档案\"\nbase_url = \"https://e.org\"\n", Path::new("site.toml")).unwrap();
        assert_eq!(site.language, "zh-CN");
        assert_eq!(site.paginate_by, 20);
        assert_eq!(site.theme, "default");
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line() {
        let e = errors("title = \"a\"\nbase_url = \"https://e.org/\"\ntitel = 1\n\n[menu]\nx = 1\n");
        assert_eq!(
            e,
            [
                "site.toml:3:1: unknown key `titel` (known keys: title, description, base_url, language, theme, paginate_by, extra_fields, theme_rules, data)",
                "site.toml:5:1: unknown key `menu` (known keys: title, description, base_url, language, theme, paginate_by, extra_fields, theme_rules, data)",
            ]
        );
    }

    #[test]
    fn bad_values_point_at_their_key() {
        let e = errors("title = \"a\"\nbase_url = \"example.org\"\nlanguage = \"fr\"\n");
        assert_eq!(e.len(), 2);
        assert!(e[0].starts_with("site.toml:2:1: base_url `example.org` must be"), "{e:?}");
        assert!(e[1].starts_with("site.toml:3:1: language `fr` is not one of"), "{e:?}");
    }

    #[test]
    fn an_output_folder_that_would_replace_sources_is_refused() {
        let root = Path::new("/srv/archive");
        assert!(check_output(root, Path::new("/srv/archive/public")).is_ok());
        assert!(check_output(root, Path::new("/srv/archive/../site")).is_ok());
        for bad in [
            "/srv/archive",
            "/srv",
            "/srv/archive/content",
            "/srv/archive/content/x",
            "/srv/archive/themes/./",
            "/srv/archive/public/../content",
        ] {
            assert!(check_output(root, Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_path_of_sub_path_url() {
        assert_eq!(base_path("https://example.org/archive/"), "/archive/");
        assert_eq!(base_path("https://example.org/archive"), "/archive/");
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(base_path("https://example.org"), "/");
    }
}
