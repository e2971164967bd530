//! Finding and loading a theme: its templates (a site's own `templates/`
//! overrides them file by file), its translation tables and its static
//! folder. The default theme is also built into the binary, so a site made
//! with `archive init` works without a copy of it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::config::{Config, LANGUAGES, STATIC_DIR, TEMPLATES_DIR};
use crate::diagnostics::{line_col, Diagnostic, Diagnostics};

pub static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");
/// A theme's translation tables, beside its templates and static files.
const I18N_DIR: &str = "i18n";

/// A file of the theme: its name inside its folder, its text, where it came from.
pub struct ThemeFile {
    pub name: String,
    pub text: String,
    pub origin: PathBuf,
}

pub struct Theme {
    pub templates: Vec<ThemeFile>,
    /// UI strings of the site's language.
    pub words: BTreeMap<String, String>,
    /// Static folders on disk, copied to `static/` in order (later wins).
    pub static_dirs: Vec<PathBuf>,
    /// The built-in theme's static files, when that theme is used.
    pub embedded_static: Option<&'static Dir<'static>>,
}

impl Theme {
    pub fn load(config: &Config) -> Result<Theme, Diagnostics> {
        let dir = config.theme_dir();
        let (mut templates, i18n, mut static_dirs, embedded_static) = if dir.is_dir() {
            let rel = |p: &str| dir.join(p);
            (
                read_folder(&rel(TEMPLATES_DIR), &config.root)?,
                read_folder(&rel(I18N_DIR), &config.root)?,
                vec![rel(STATIC_DIR)],
                None,
            )
        } else if config.site.theme == "default" {
            (embedded_files(TEMPLATES_DIR), embedded_files(I18N_DIR), Vec::new(), DEFAULT_THEME.get_dir(STATIC_DIR))
        } else {
            let m = format!("theme `{}` not found: there is no folder {}", config.site.theme, dir.display());
            return Err(Diagnostics(vec![Diagnostic::new(Path::new(crate::config::SITE_FILE), 1, 1, m)]));
        };
        let site_templates = config.root.join(TEMPLATES_DIR);
        if site_templates.is_dir() {
            for t in read_folder(&site_templates, &config.root)? {
                templates.retain(|old| old.name != t.name);
                templates.push(t);
            }
        }
        static_dirs.push(config.root.join(STATIC_DIR));
        static_dirs.retain(|d| d.is_dir());
        let words = select_language(&i18n, &config.site.language)?;
        Ok(Theme { templates, words, static_dirs, embedded_static })
    }
}

fn embedded_files(folder: &str) -> Vec<ThemeFile> {
    let mut out = Vec::new();
    if let Some(dir) = DEFAULT_THEME.get_dir(folder) {
        collect_embedded(dir, folder, &mut out);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn collect_embedded(dir: &Dir<'static>, folder: &str, out: &mut Vec<ThemeFile>) {
    for file in dir.files() {
        let name = file.path().strip_prefix(folder).unwrap_or(file.path()).to_string_lossy().replace('\\', "/");
        let origin = Path::new("<built-in default theme>").join(file.path());
        out.push(ThemeFile { name, text: String::from_utf8_lossy(file.contents()).into_owned(), origin });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, folder, out);
    }
}

/// Every file under `dir`, named by its path inside `dir`; origins are
/// relative to `root` when they can be.
fn read_folder(dir: &Path, root: &Path) -> Result<Vec<ThemeFile>, Diagnostics> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) if e.file_type().is_file() => e,
            Ok(_) => continue,
            Err(e) => {
                problems.push(Diagnostic::new(dir, 1, 1, format!("cannot read: {e}")));
                continue;
            }
        };
        let origin = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
        let name = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => out.push(ThemeFile { name, text, origin }),
            Err(e) => problems.push(Diagnostic::new(&origin, 1, 1, format!("cannot read: {e}"))),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

/// Parses every `<language>.toml` table, checks that all languages define the
/// same keys, and returns the table of `language`.
fn select_language(files: &[ThemeFile], language: &str) -> Result<BTreeMap<String, String>, Diagnostics> {
    let mut tables: BTreeMap<String, (PathBuf, BTreeMap<String, String>)> = BTreeMap::new();
    let mut problems = Vec::new();
    for f in files.iter().filter(|f| f.name.ends_with(".toml")) {
        let lang = f.name.trim_end_matches(".toml").to_string();
        match toml::from_str::<BTreeMap<String, String>>(&f.text) {
            Ok(table) => {
                tables.insert(lang, (f.origin.clone(), table));
            }
            Err(e) => {
                let (line, col) = line_col(&f.text, e.span().map_or(0, |s| s.start));
                problems.push(Diagnostic::new(
                    &f.origin,
                    line,
                    col,
                    format!("invalid translation table: {}", e.message()),
                ));
            }
        }
    }
    let all_keys: BTreeSet<&String> = tables.values().flat_map(|(_, t)| t.keys()).collect();
    for (origin, table) in tables.values() {
        for key in all_keys.iter().filter(|k| !table.contains_key(k.as_str())) {
            problems.push(Diagnostic::new(
                origin,
                1,
                1,
                format!("translation key `{key}` is missing (other languages define it)"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics::sorted(problems));
    }
    match tables.remove(language) {
        Some((_, table)) => Ok(table),
        None => Err(Diagnostics(vec![Diagnostic::new(
            Path::new(crate::config::SITE_FILE),
            1,
            1,
            format!(
                "the theme has no translation table for language `{language}` (supported: {})",
                LANGUAGES.join(", ")
            ),
        )])),
    }
}
