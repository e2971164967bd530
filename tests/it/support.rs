//! Test harness: a fixture site in a temporary folder, the real binary run
//! on it, and HTML read through `scraper`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub struct Site {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), &root);
        Site { _tmp: tmp, root }
    }

    /// The repository's own archive, built into a temporary output.
    pub fn bundled() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["site.toml", "content", "themes"] {
            let from = repo.join(part);
            if from.is_dir() {
                copy_dir(&from, &root.join(part));
            } else {
                std::fs::create_dir_all(&root).unwrap();
                std::fs::copy(&from, root.join(part)).unwrap();
            }
        }
        Site { _tmp: tmp, root }
    }

    /// The bundled archive with one `key = "value"` line of site.toml replaced.
    pub fn bundled_with(key: &str, value: &str) -> Site {
        let site = Site::bundled();
        let toml = std::fs::read_to_string(site.root.join("site.toml")).unwrap();
        let prefix = format!("{key} = ");
        assert!(toml.lines().any(|l| l.starts_with(&prefix)), "site.toml has no `{key}` line");
        let edited: Vec<String> = toml
            .lines()
            .map(|l| if l.starts_with(&prefix) { format!("{key} = \"{value}\"") } else { l.to_string() })
            .collect();
        site.write("site.toml", &(edited.join("\n") + "\n"));
        site
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_archive")).current_dir(&self.root).args(args).output().unwrap()
    }

    /// Builds and asserts success with nothing on stderr.
    pub fn build(&self, args: &[&str]) -> Output {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.status.success(), "build failed:\n{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "build printed warnings");
        out
    }

    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn page(&self, rel: &str) -> Html {
        let path = self.public().join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Html::parse_document(&text)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

pub fn texts(html: &Html, css: &str) -> Vec<String> {
    select(html, css).iter().map(|e| e.text().collect::<String>().trim().to_string()).collect()
}

/// Every file under `dir` with its bytes, for before/after comparisons
/// (the marker a build leaves in its output among them).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `archive check` and `archive build` on `site` and asserts that both
/// exit 1 with exactly `expected` (one line each, then the summary line)
/// and write no output.
pub fn check_and_build_fail_with(site: &Site, expected: &[impl AsRef<str>]) {
    let expected: Vec<&str> = expected.iter().map(AsRef::as_ref).collect();
    for command in ["check", "build"] {
        let out = site.run(&[command]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        let (summary, problems) = lines.split_last().unwrap();
        assert_eq!(problems, expected, "{command}");
        assert!(summary.starts_with("error: "), "{command}: {summary}");
        assert!(!site.public().exists(), "{command} wrote output");
    }
}
