//! The Nu HTML Checker (npm `vnu-jar`, run with java) on every page of the
//! bundled archive, in both languages. Ignored by plain `cargo test`; the README's
//! test command (`scripts/test`) installs the checker and runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Site;

fn vnu_jar() -> PathBuf {
    let path = std::env::var_os("VNU_JAR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/node_modules/vnu-jar/build/dist/vnu.jar")
    });
    assert!(path.is_file(), "no vnu.jar at {}: run scripts/test, which installs it", path.display());
    path
}

/// Runs the Nu HTML Checker on every HTML file under `public`.
pub fn assert_valid_html(public: &Path, what: &str) {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(public)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    assert!(files.len() > 90, "every page of the archive: {}", files.len());
    let out =
        Command::new("java").arg("-jar").arg(vnu_jar()).arg("--errors-only").args(&files).output().expect("java runs");
    assert!(out.status.success(), "Nu HTML Checker errors ({what}):\n{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
#[ignore = "needs java and vnu-jar; run by scripts/test"]
fn nu_html_checker_finds_no_error_on_any_page_in_either_language() {
    for language in ["zh-CN", "en"] {
        let site = Site::bundled_with("language", language);
        site.build(&[]);
        assert_valid_html(&site.public(), language);
    }
}
