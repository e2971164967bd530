//! Where a request goes, from its URL alone (the server's own paths, a
//! file under the base path, a redirect to it), and where a routed file
//! is on disk: any path that would leave the output folder, encoded or
//! through a symlink, is refused. Also what a file's content type is.

use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;

use super::queue::QUEUE_PATH;
use super::reload::{EVENTS_PATH, SCRIPT_PATH, STATUS_PATH};

/// Where a request goes, decided from the URL alone.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    Script,
    Events,
    Status,
    Queue,
    /// A decoded path relative to the output folder; `""` or a trailing `/`
    /// names a folder's `index.html`.
    File(String),
    Redirect(String),
    NotFound,
    /// `..`, backslashes, NUL, absolute or malformed paths.
    Refused,
}

/// Routes a request target (`/archive/a/b/?q`) for a site under `base_path`.
pub fn route(base_path: &str, target: &str) -> Route {
    let raw = target.split(['?', '#']).next().unwrap_or("");
    // Decoded before matching, so a base path such as `/档案/` matches
    // however the browser encoded it; the rest is checked after decoding.
    let (Ok(path), Ok(base)) = (percent_decode_str(raw).decode_utf8(), percent_decode_str(base_path).decode_utf8())
    else {
        return Route::Refused;
    };
    match path.as_ref() {
        SCRIPT_PATH => return Route::Script,
        EVENTS_PATH => return Route::Events,
        STATUS_PATH => return Route::Status,
        QUEUE_PATH => return Route::Queue,
        _ => {}
    }
    let Some(rel) = path.strip_prefix(base.as_ref()) else {
        return if path == "/" || path == base.trim_end_matches('/') {
            Route::Redirect(base_path.to_string())
        } else {
            Route::NotFound
        };
    };
    if is_safe_relative(rel) {
        Route::File(rel.to_string())
    } else {
        Route::Refused
    }
}

/// Every segment a plain name: no `..`, `.`, empty segment, root, drive
/// prefix, backslash or NUL, however it was encoded.
fn is_safe_relative(rel: &str) -> bool {
    if rel.contains(['\\', '\0']) {
        return false;
    }
    let trimmed = rel.strip_suffix('/').unwrap_or(rel);
    trimmed.is_empty()
        || trimmed.split('/').all(|segment| {
            let mut parts = Path::new(segment).components();
            matches!(parts.next(), Some(Component::Normal(n)) if n == segment) && parts.next().is_none()
        })
}

/// A routed file, looked up on disk.
#[derive(Debug, PartialEq, Eq)]
pub enum Located {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    AddSlash,
    Missing,
    /// Resolves (through a symlink) to somewhere outside the output folder.
    Refused,
}

/// Finds `rel` (from [`route`]) in `output`, following symlinks only as long
/// as they stay inside it.
pub fn locate(output: &Path, rel: &str) -> Located {
    let path = output.join(rel);
    let file = if rel.is_empty() || rel.ends_with('/') {
        path.join("index.html")
    } else if path.is_dir() {
        return if path.join("index.html").is_file() { Located::AddSlash } else { Located::Missing };
    } else {
        path
    };
    let (Ok(file), Ok(output)) = (file.canonicalize(), output.canonicalize()) else { return Located::Missing };
    if !file.starts_with(&output) {
        Located::Refused
    } else if file.is_file() {
        Located::File(file)
    } else {
        Located::Missing
    }
}

/// What a file is, by its name; text that browsers must not guess the
/// encoding of says it is UTF-8.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" if path.file_name().is_some_and(|n| n == "atom.xml") => "application/atom+xml",
        "xml" | "xsl" => "application/xml",
        _ => mime_guess::from_ext(&ext).first_raw().unwrap_or("application/octet-stream"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_pages_under_the_root() {
        assert_eq!(route("/", "/"), Route::File(String::new()));
        assert_eq!(route("/", "/speeches/a/?x=1"), Route::File("speeches/a/".into()));
        assert_eq!(route("/", "/cities/%E5%AE%89/index.html"), Route::File("cities/安/index.html".into()));
        assert_eq!(route("/", "/__archive/events"), Route::Events);
        assert_eq!(route("/", "/__archive/status?t=1"), Route::Status);
        assert_eq!(route("/", "/__archive/live-reload.js"), Route::Script);
    }

    #[test]
    fn honours_the_base_path() {
        assert_eq!(route("/archive/", "/"), Route::Redirect("/archive/".into()));
        assert_eq!(route("/archive/", "/archive"), Route::Redirect("/archive/".into()));
        assert_eq!(route("/archive/", "/archive/a.css"), Route::File("a.css".into()));
        assert_eq!(route("/archive/", "/other/a.css"), Route::NotFound);
        assert_eq!(route("/archive/", "/__archive/status"), Route::Status);
        assert_eq!(route("/档案/", "/%E6%A1%A3%E6%A1%88/a.css"), Route::File("a.css".into()));
        assert_eq!(route("/archive/", "/archive%2f..%2fsite.toml"), Route::Refused);
    }

    #[test]
    fn refuses_paths_that_leave_the_output_folder() {
        for bad in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/static/..%2f..%2fsite.toml",
            "/static/%2E%2E/%2e%2E/site.toml",
            "/a/../../site.toml",
            "/%2fetc/passwd",
            "//etc/passwd",
            "/a%5c..%5c..%5csite.toml",
            "/a\\..\\site.toml",
            "/a%00.html",
            "/./index.html",
            "/a//b",
            "/%ff",
        ] {
            assert_eq!(route("/", bad), Route::Refused, "{bad}");
        }
    }

    #[test]
    fn locates_folders_files_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("speeches/a")).unwrap();
        std::fs::create_dir_all(out.join("empty")).unwrap();
        std::fs::write(out.join("index.html"), "home").unwrap();
        std::fs::write(out.join("speeches/a/index.html"), "a").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        let canonical = out.canonicalize().unwrap();
        assert_eq!(locate(&out, ""), Located::File(canonical.join("index.html")));
        assert_eq!(locate(&out, "speeches/a/"), Located::File(canonical.join("speeches/a/index.html")));
        assert_eq!(locate(&out, "speeches/a"), Located::AddSlash);
        assert_eq!(locate(&out, "empty"), Located::Missing);
        assert_eq!(locate(&out, "empty/"), Located::Missing);
        assert_eq!(locate(&out, "nothing.html"), Located::Missing);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret.txt"), out.join("leak.txt")).unwrap();
            std::os::unix::fs::symlink(tmp.path(), out.join("up")).unwrap();
            std::os::unix::fs::symlink(out.join("index.html"), out.join("home.html")).unwrap();
            assert_eq!(locate(&out, "leak.txt"), Located::Refused);
            assert_eq!(locate(&out, "up/secret.txt"), Located::Refused);
            assert_eq!(locate(&out, "home.html"), Located::File(canonical.join("index.html")));
        }
    }

    #[test]
    fn content_types_name_their_charset_where_browsers_need_it() {
        assert_eq!(content_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("static/style.css")), "text/css");
        assert_eq!(content_type(Path::new("atom.xml")), "application/atom+xml");
        assert_eq!(content_type(Path::new("sitemap.xml")), "application/xml");
        assert_eq!(content_type(Path::new("robots.txt")), "text/plain; charset=utf-8");
        assert_eq!(content_type(Path::new("logo.SVG")), "image/svg+xml");
    }
}
