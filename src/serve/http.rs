//! HTTP: one request → one response from the output folder, over tiny_http.
//! Owns URL → file resolution (base path, percent-decoding, refusing any path
//! that would leave the output folder), content types, the 404 page, the
//! live-reload script injection and the curator's queue page (drafts that
//! wait for a human, served only here, never built); the reload channel
//! itself is in `reload`.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use tiny_http::{Header, Method, Request, Response, Server};

use super::reload::{LiveReload, EVENTS_PATH, SCRIPT, SCRIPT_PATH, STATUS_PATH};
use crate::model::Pending;

/// The curator's queue: every draft that needs a human.
pub const QUEUE_PATH: &str = "/__archive/queue/";

/// A page is told the server is alive this often, so a closed one is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
const FALLBACK_404: &str =
    "<!doctype html><meta charset=\"utf-8\"><title>404</title><body><h1>404</h1><p>No such page.</p></body>";

/// What the server serves: read by request threads, updated by rebuilds.
pub struct Site {
    pub output: PathBuf,
    base_path: RwLock<String>,
    /// Pages rendered ahead of the build that will write them (an edited
    /// document's own page), by path under the output folder; served
    /// instead of the file until that build commits.
    ahead: RwLock<HashMap<String, Vec<u8>>>,
    /// Drafts that need a human, as the last good build found them.
    queue: RwLock<Vec<Pending>>,
    pub live: LiveReload,
}

impl Site {
    pub fn new(output: PathBuf, base_path: String) -> Site {
        Site {
            output,
            base_path: RwLock::new(base_path),
            ahead: Default::default(),
            queue: Default::default(),
            live: LiveReload::default(),
        }
    }

    /// The drafts the last good build found waiting for a human.
    pub fn set_queue(&self, queue: Vec<Pending>) {
        *self.queue.write().unwrap_or_else(|e| e.into_inner()) = queue;
    }

    /// Serves `bytes` for `rel` until [`Site::clear_ahead`].
    pub fn serve_ahead(&self, rel: String, bytes: Vec<u8>) {
        self.ahead.write().unwrap_or_else(|e| e.into_inner()).insert(rel, bytes);
    }

    /// The build caught up: the output folder is the truth again.
    pub fn clear_ahead(&self) {
        self.ahead.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn ahead_of(&self, rel: &str) -> Option<Vec<u8>> {
        let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
        self.ahead.read().unwrap_or_else(|e| e.into_inner()).get(&rel).cloned()
    }

    pub fn base_path(&self) -> String {
        self.base_path.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `site.toml`'s `base_url` may change between builds.
    pub fn set_base_path(&self, base_path: String) {
        *self.base_path.write().unwrap_or_else(|e| e.into_inner()) = base_path;
    }
}

/// Binds `addr` and answers requests on background threads, one per request
/// (a page's event stream holds its thread for as long as the page is open).
pub fn serve(addr: SocketAddr, site: Arc<Site>) -> Result<SocketAddr, String> {
    let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = server.server_addr().to_ip().unwrap_or(addr);
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let site = Arc::clone(&site);
            std::thread::spawn(move || respond(request, &site));
        }
    });
    Ok(bound)
}

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

pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "xml" if path.file_name().is_some_and(|n| n == "atom.xml") => "application/atom+xml",
        "xml" | "xsl" => "application/xml",
        "svg" => "image/svg+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Puts the live-reload script just before the last `</body>` (or at the
/// end), tagged with the build the page comes from.
pub fn inject_script(html: &[u8], build: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\"></script>");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    [&html[..at], tag.as_bytes(), &html[at..]].concat()
}

fn respond(request: Request, site: &Site) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let allow = header("Allow", "GET, HEAD");
        return send(
            request,
            reply(405, "text/plain; charset=utf-8", b"only GET and HEAD\n".to_vec()).with_header(allow),
        );
    }
    let response = match route(&site.base_path(), request.url()) {
        Route::Script => reply(200, "application/javascript", SCRIPT.as_bytes().to_vec()),
        Route::Status => reply(200, "application/json", serde_json::to_vec(&site.live.status()).unwrap_or_default()),
        Route::Events => return stream_events(request, site),
        Route::Queue => {
            let queue = site.queue.read().unwrap_or_else(|e| e.into_inner()).clone();
            reply(
                200,
                "text/html; charset=utf-8",
                inject_script(queue_page(&queue).as_bytes(), site.live.status().build),
            )
        }
        Route::Redirect(to) => redirect(&to),
        Route::NotFound => not_found(site),
        Route::Refused => reply(403, "text/plain; charset=utf-8", b"forbidden\n".to_vec()),
        Route::File(rel) => match site.ahead_of(&rel) {
            Some(bytes) => reply(200, "text/html; charset=utf-8", inject_script(&bytes, site.live.status().build)),
            None => from_disk(&request, site, &rel),
        },
    };
    send(request, response);
}

/// The queue as a page: one row per draft, its file and what it needs, in
/// the order `archive check` lists them. Everything from content is escaped.
pub fn queue_page(queue: &[Pending]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
    };
    let mut rows = String::new();
    for p in queue {
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.path.to_string_lossy()),
            escape(&p.title),
            escape(&p.needs.join(", "))
        ));
    }
    let summary = match queue.len() {
        0 => "No draft needs a human.".to_string(),
        1 => "1 draft needs a human.".to_string(),
        n => format!("{n} drafts need a human."),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Queue: drafts that need a human</title>\n\
         <style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse}}\
         td,th{{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style></head>\n\
         <body><h1>Drafts that need a human</h1>\n<p>{summary} Fill in each missing field in the file, remove it from \
         <code>needs</code>, and set <code>draft: false</code> when nothing is left; this page follows every save. \
         It is served by <code>archive serve</code> only, never published.</p>\n\
         <table><thead><tr><th>file</th><th>title</th><th>needs</th></tr></thead><tbody>\n{rows}</tbody></table></body></html>\n"
    )
}

fn from_disk(request: &Request, site: &Site, rel: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    match locate(&site.output, rel) {
        Located::File(path) => match range_of(request) {
            Some(range) if !content_type(&path).starts_with("text/html") => serve_range(&path, range),
            _ => serve_file(&path, site, 200),
        },
        Located::AddSlash => {
            let (path, query) = request.url().split_once('?').map_or((request.url(), None), |(p, q)| (p, Some(q)));
            redirect(&format!("{path}/{}", query.map(|q| format!("?{q}")).unwrap_or_default()))
        }
        Located::Missing => not_found(site),
        Located::Refused => reply(403, "text/plain; charset=utf-8", b"forbidden\n".to_vec()),
    }
}

fn serve_file(path: &Path, site: &Site, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let kind = content_type(path);
            let body =
                if kind.starts_with("text/html") { inject_script(&bytes, site.live.status().build) } else { bytes };
            reply(status, kind, body)
        }
        // Mostly a rebuild swapping the folder under us.
        Err(_) => reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec()),
    }
}

/// A `Range: bytes=a-b` (or `a-`, or `-n`) request header: the search
/// client reads parts of its index files this way. Several ranges are not
/// supported (the whole file is sent, which clients must accept).
fn range_of(request: &Request) -> Option<ByteRange> {
    let value = request.headers().iter().find(|h| h.field.equiv("Range"))?.value.as_str();
    parse_range(value)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// From, and through (inclusive) if given.
    From(u64, Option<u64>),
    /// The last n bytes.
    Last(u64),
}

pub fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (from, to) = spec.split_once('-')?;
    let (from, to) = (from.trim(), to.trim());
    match (from.is_empty(), to.is_empty()) {
        (true, false) => Some(ByteRange::Last(to.parse().ok()?)),
        (false, true) => Some(ByteRange::From(from.parse().ok()?, None)),
        (false, false) => {
            let (from, to) = (from.parse().ok()?, to.parse().ok()?);
            (from <= to).then_some(ByteRange::From(from, Some(to)))
        }
        (true, true) => None,
    }
}

/// The bytes `range` names of a file of `len` bytes, as start..end, or
/// None when none of them exist (416).
pub fn resolve_range(range: ByteRange, len: u64) -> Option<std::ops::Range<u64>> {
    match range {
        ByteRange::From(from, _) if from >= len => None,
        ByteRange::From(from, to) => Some(from..to.map_or(len, |t| (t + 1).min(len))),
        ByteRange::Last(0) => None,
        ByteRange::Last(n) => Some(len.saturating_sub(n)..len),
    }
}

fn serve_range(path: &Path, range: ByteRange) -> Response<std::io::Cursor<Vec<u8>>> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let Some(r) = resolve_range(range, len) else {
        return reply(416, "text/plain; charset=utf-8", Vec::new())
            .with_header(header("Content-Range", &format!("bytes */{len}")));
    };
    // Only the part asked for is read: packs are hundreds of kilobytes.
    let mut part = vec![0; (r.end - r.start) as usize];
    if file.seek(SeekFrom::Start(r.start)).and_then(|_| file.read_exact(&mut part)).is_err() {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    }
    let content_range = format!("bytes {}-{}/{len}", r.start, r.end - 1);
    reply(206, content_type(path), part).with_header(header("Content-Range", &content_range))
}

fn not_found(site: &Site) -> Response<std::io::Cursor<Vec<u8>>> {
    match locate(&site.output, "404.html") {
        Located::File(path) => serve_file(&path, site, 404),
        _ => reply(404, "text/html; charset=utf-8", inject_script(FALLBACK_404.as_bytes(), site.live.status().build)),
    }
}

fn redirect(to: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    // Non-ASCII and control characters are encoded, so the header is ASCII.
    const UNSAFE: &AsciiSet = &CONTROLS.add(b' ');
    let to = utf8_percent_encode(to, UNSAFE).to_string();
    reply(302, "text/plain; charset=utf-8", Vec::new()).with_header(header("Location", &to))
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        // Every rebuild may change any file: never let the browser reuse one.
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("Accept-Ranges", "bytes"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("header names and values are ASCII")
}

fn send<R: std::io::Read>(request: Request, response: Response<R>) {
    // A page that closed before its answer is not an error worth a line.
    let _ = request.respond(response);
}

/// Server-sent events: tiny_http's responses buffer their body, so the
/// stream writes its own status line and headers and flushes every event.
fn stream_events(request: Request, site: &Site) {
    let events = site.live.subscribe();
    let mut out = request.into_writer();
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    let mut message = ": connected\n\n".to_string();
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    loop {
        if out.write_all(message.as_bytes()).and_then(|()| out.flush()).is_err() {
            return;
        }
        message = match events.recv_timeout(KEEP_ALIVE) {
            Ok(event) => event,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_parsed_and_clamped_to_the_file() {
        assert_eq!(parse_range("bytes=0-99"), Some(ByteRange::From(0, Some(99))));
        assert_eq!(parse_range("bytes=100-"), Some(ByteRange::From(100, None)));
        assert_eq!(parse_range("bytes=-20"), Some(ByteRange::Last(20)));
        for bad in ["bytes=5-1", "bytes=-", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", ""] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
        assert_eq!(resolve_range(ByteRange::From(0, Some(99)), 50), Some(0..50));
        assert_eq!(resolve_range(ByteRange::From(10, Some(19)), 50), Some(10..20));
        assert_eq!(resolve_range(ByteRange::From(40, None), 50), Some(40..50));
        assert_eq!(resolve_range(ByteRange::Last(20), 50), Some(30..50));
        assert_eq!(resolve_range(ByteRange::Last(80), 50), Some(0..50));
        assert_eq!(resolve_range(ByteRange::From(50, None), 50), None);
        assert_eq!(resolve_range(ByteRange::Last(0), 50), None);
    }

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
    fn the_queue_lists_each_draft_and_escapes_what_content_says() {
        assert_eq!(route("/archive/", "/__archive/queue/"), Route::Queue);
        let queue = vec![Pending {
            path: PathBuf::from("content/speeches/undated/a.md"),
            title: "<b>讲话</b>".into(),
            needs: vec!["date".into(), "city".into()],
        }];
        let page = scraper::Html::parse_document(&queue_page(&queue));
        let cells: Vec<String> = page
            .select(&scraper::Selector::parse("tbody td").unwrap())
            .map(|td| td.text().collect::<String>())
            .collect();
        assert_eq!(cells, ["content/speeches/undated/a.md", "<b>讲话</b>", "date, city"]);
        assert!(page.select(&scraper::Selector::parse("td b").unwrap()).next().is_none(), "markup from content");
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

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>\xe8\xae\xb2</p></BODY></html>";
        let out = String::from_utf8(inject_script(html, 3)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>讲</p><script src=\"/__archive/live-reload.js\" data-build=\"3\"></script></BODY></html>"
        );
        assert!(String::from_utf8(inject_script(b"<p>x", 0)).unwrap().ends_with("</script>"));
    }
}
