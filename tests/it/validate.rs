//! The Nu HTML Checker (npm `vnu-jar`, run with java) on one page of each
//! kind of the bundled archive. Ignored by plain `cargo test`; the README's
//! test command (`scripts/test`) installs the checker and runs it.

use std::path::PathBuf;
use std::process::Command;

use crate::support::Site;

fn vnu_jar() -> PathBuf {
    let path = std::env::var_os("VNU_JAR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/node_modules/vnu-jar/build/dist/vnu.jar")
    });
    assert!(path.is_file(), "no vnu.jar at {}: run scripts/test, which installs it", path.display());
    path
}

#[test]
#[ignore = "needs java and vnu-jar; run by scripts/test"]
fn nu_html_checker_finds_no_error_on_each_page_kind() {
    let site = Site::bundled();
    site.build(&[]);
    let pages = [
        "index.html",
        "speeches/index.html",
        "speeches/he-bangjun-2020-zhucun-ganbu-peixun/index.html",
        "cities/index.html",
        "cities/an-kang-shi/index.html",
        "years/index.html",
        "years/2017/index.html",
        "themes/index.html",
        "speakers/index.html",
        "kinds/qa/index.html",
        "404.html",
    ];
    let files: Vec<PathBuf> = pages.iter().map(|p| site.public().join(p)).collect();
    let out =
        Command::new("java").arg("-jar").arg(vnu_jar()).arg("--errors-only").args(&files).output().expect("java runs");
    assert!(out.status.success(), "Nu HTML Checker errors:\n{}", String::from_utf8_lossy(&out.stderr));
}
