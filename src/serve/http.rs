//! HTTP: one request → one response from the output folder. Owns the wire
//! (a small HTTP/1.1 server: keep-alive, GET and HEAD, with limits on what a
//! client may send before it is answered), URL → file resolution (base
//! path, percent-decoding, refusing any path that would leave the output
//! folder), byte ranges, content types, the 404 page, the live-reload
//! script injection and the curator's queue page (drafts that wait for a
//! human, served only here, never built); the reload channel itself is in
//! `reload`.
//!
//! Why its own server: the preview must stay bounded under any client. A
//! request head may take at most `HEAD_LIMIT` bytes in `HEADER_LIMIT` lines
//! (else 431) and must arrive within `HEAD_TIMEOUT` (else 408, or a quiet
//! close when nothing was sent), so a header line that never ends holds 16
//! KiB and one thread for 10 s, not memory without bound.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::reload::{LiveReload, EVENTS_PATH, SCRIPT, SCRIPT_PATH, STATUS_PATH};
use crate::model::Pending;

/// The curator's queue: every draft that needs a human.
pub const QUEUE_PATH: &str = "/__archive/queue/";

/// A page is told the server is alive this often, so a closed one is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Most bytes of a request line and its headers.
pub const HEAD_LIMIT: usize = 16 * 1024;
/// Most header lines of a request.
pub const HEADER_LIMIT: usize = 100;
/// Time a client has to send a request head (and to wait idle between
/// requests on a kept-alive connection).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
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

/// Binds `addr` and answers on background threads, one per connection (a
/// page's event stream holds its thread for as long as the page is open).
pub fn serve(addr: SocketAddr, site: Arc<Site>) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().unwrap_or(addr);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let site = Arc::clone(&site);
            std::thread::spawn(move || connection(stream, &site));
        }
    });
    Ok(bound)
}

/// A request's head, as far as this server reads it.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The connection ends after the answer (HTTP/1.0, `Connection:
    /// close`, or a body this server does not read).
    pub close: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The client closed, or sent nothing before the timeout: no answer.
    Closed,
    TooLarge,
    TooManyHeaders,
    Timeout,
    Malformed,
}

impl HeadError {
    fn reply(&self) -> Option<Reply> {
        let text =
            |status, message: &str| Some(reply(status, "text/plain; charset=utf-8", message.as_bytes().to_vec()));
        match self {
            HeadError::Closed => None,
            HeadError::TooLarge => text(431, "request head too large\n"),
            HeadError::TooManyHeaders => text(431, "too many header lines\n"),
            HeadError::Timeout => text(408, "request head not sent in time\n"),
            HeadError::Malformed => text(400, "malformed request\n"),
        }
    }
}

fn connection(stream: TcpStream, site: &Site) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(mut out) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_head(&mut reader, HEAD_TIMEOUT) {
            Ok(request) => request,
            Err(e) => {
                if let Some(reply) = e.reply() {
                    if write_reply(&mut out, &reply, false, true).is_ok() {
                        linger(&out, reader.get_mut());
                    }
                }
                return;
            }
        };
        if request.method == "GET" && route(&site.base_path(), &request.target) == Route::Events {
            return stream_events(out, site);
        }
        let reply = respond(&request, site);
        let close = request.close || reply.status == 405;
        if write_reply(&mut out, &reply, request.method == "HEAD", close).is_err() || close {
            return;
        }
    }
}

/// Closes after an error answer so that the client reads it: a socket
/// closed with unread input is reset, and the reset may overtake the
/// answer. What the client still sends is read and dropped, a bounded
/// amount for a bounded time.
fn linger(out: &TcpStream, input: &mut TcpStream) {
    use std::io::Read;
    const MOST: usize = 256 * 1024;
    let _ = out.shutdown(std::net::Shutdown::Write);
    let _ = input.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 8192];
    let mut read = 0;
    while read < MOST {
        match input.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => read += n,
        }
    }
}

/// Reads one request head from `reader`, within the limits, in at most
/// `timeout` from the call.
pub fn read_head<R: std::io::Read + TimeoutRead>(
    reader: &mut BufReader<R>,
    timeout: Duration,
) -> Result<Request, HeadError> {
    let started = Instant::now();
    let mut lines: Vec<String> = Vec::new();
    let mut size = 0;
    loop {
        let mut line = Vec::new();
        loop {
            let left = timeout.saturating_sub(started.elapsed());
            let nothing_yet = size == 0;
            if left.is_zero() {
                return Err(if nothing_yet { HeadError::Closed } else { HeadError::Timeout });
            }
            reader.get_ref().set_timeout(left);
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Err(if nothing_yet { HeadError::Closed } else { HeadError::Timeout });
                }
                Err(_) => return Err(HeadError::Closed),
            };
            if buf.is_empty() {
                return Err(if nothing_yet { HeadError::Closed } else { HeadError::Malformed });
            }
            let (take, ends) = buf.iter().position(|&b| b == b'\n').map_or((buf.len(), false), |i| (i + 1, true));
            size += take;
            if size > HEAD_LIMIT {
                return Err(HeadError::TooLarge);
            }
            line.extend_from_slice(&buf[..take]);
            reader.consume(take);
            if ends {
                break;
            }
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        match (line.is_empty(), lines.is_empty()) {
            // Blank lines before a request are allowed (RFC 9112, 2.2).
            (true, true) => continue,
            (true, false) => break,
            _ => {}
        }
        if lines.len() > HEADER_LIMIT {
            return Err(HeadError::TooManyHeaders);
        }
        lines.push(String::from_utf8(line).map_err(|_| HeadError::Malformed)?);
    }
    parse_head(&lines)
}

fn parse_head(lines: &[String]) -> Result<Request, HeadError> {
    let mut parts = lines[0].split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || target.is_empty() {
        return Err(HeadError::Malformed);
    }
    let mut headers = Vec::with_capacity(lines.len() - 1);
    for line in &lines[1..] {
        let (name, value) = line.split_once(':').ok_or(HeadError::Malformed)?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(HeadError::Malformed);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut request = Request { method: method.to_string(), target: target.to_string(), headers, close: false };
    let connection = request.header("Connection").unwrap_or("").to_ascii_lowercase();
    let body = request.header("Content-Length").is_some_and(|l| l.trim() != "0")
        || request.header("Transfer-Encoding").is_some();
    request.close =
        connection.contains("close") || (version == "HTTP/1.0" && !connection.contains("keep-alive")) || body;
    Ok(request)
}

/// A reader whose read timeout can be set (a `TcpStream`; tests use others).
pub trait TimeoutRead {
    fn set_timeout(&self, timeout: Duration);
}

impl TimeoutRead for TcpStream {
    fn set_timeout(&self, timeout: Duration) {
        let _ = self.set_read_timeout(Some(timeout));
    }
}

/// An answer, before it is written.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

fn write_reply(out: &mut impl Write, reply: &Reply, head_only: bool, close: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(&reply.body)?;
    }
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        _ => "",
    }
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

fn respond(request: &Request, site: &Site) -> Reply {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return reply(405, "text/plain; charset=utf-8", b"only GET and HEAD\n".to_vec())
            .with_header("Allow", "GET, HEAD");
    }
    match route(&site.base_path(), &request.target) {
        Route::Script => reply(200, "application/javascript", SCRIPT.as_bytes().to_vec()),
        Route::Status => reply(200, "application/json", serde_json::to_vec(&site.live.status()).unwrap_or_default()),
        // A HEAD for the event stream: its head only.
        Route::Events => reply(200, "text/event-stream", Vec::new()),
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
            None => from_disk(request, site, &rel),
        },
    }
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

fn from_disk(request: &Request, site: &Site, rel: &str) -> Reply {
    match locate(&site.output, rel) {
        Located::File(path) => match request.header("Range").and_then(parse_range) {
            Some(range) if !content_type(&path).starts_with("text/html") => serve_range(&path, range),
            _ => serve_file(&path, site, 200),
        },
        Located::AddSlash => {
            let url = &request.target;
            let (path, query) = url.split_once('?').map_or((url.as_str(), None), |(p, q)| (p, Some(q)));
            redirect(&format!("{path}/{}", query.map(|q| format!("?{q}")).unwrap_or_default()))
        }
        Located::Missing => not_found(site),
        Located::Refused => reply(403, "text/plain; charset=utf-8", b"forbidden\n".to_vec()),
    }
}

fn serve_file(path: &Path, site: &Site, status: u16) -> Reply {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// From, and through (inclusive) if given.
    From(u64, Option<u64>),
    /// The last n bytes.
    Last(u64),
}

/// A `Range: bytes=a-b` (or `a-`, or `-n`) request header: the search
/// client reads parts of its index files this way. Several ranges, or a
/// header that is not a byte range, are ignored (the whole file is sent,
/// which clients must accept). A position past what 64 bits hold counts
/// as the largest that does: it lies past any file's end all the same.
pub fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().unwrap_or(u64::MAX))
    };
    let (from, to) = spec.split_once('-')?;
    match (from.trim().is_empty(), to.trim().is_empty()) {
        (true, false) => Some(ByteRange::Last(number(to)?)),
        (false, true) => Some(ByteRange::From(number(from)?, None)),
        (false, false) => {
            let (from, to) = (number(from)?, number(to)?);
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
        ByteRange::From(from, to) => Some(from..to.map_or(len, |t| t.saturating_add(1).min(len))),
        ByteRange::Last(0) => None,
        ByteRange::Last(n) => Some(len.saturating_sub(n)..len),
    }
}

fn serve_range(path: &Path, range: ByteRange) -> Reply {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let Some(r) = resolve_range(range, len) else {
        return reply(416, "text/plain; charset=utf-8", Vec::new())
            .with_header("Content-Range", &format!("bytes */{len}"));
    };
    // Only the part asked for is read: packs are hundreds of kilobytes.
    let mut part = Vec::new();
    if file.seek(SeekFrom::Start(r.start)).and_then(|_| file.take(r.end - r.start).read_to_end(&mut part)).is_err()
        || part.len() as u64 != r.end - r.start
    {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    }
    let content_range = format!("bytes {}-{}/{len}", r.start, r.end - 1);
    reply(206, content_type(path), part).with_header("Content-Range", &content_range)
}

fn not_found(site: &Site) -> Reply {
    match locate(&site.output, "404.html") {
        Located::File(path) => serve_file(&path, site, 404),
        _ => reply(404, "text/html; charset=utf-8", inject_script(FALLBACK_404.as_bytes(), site.live.status().build)),
    }
}

fn redirect(to: &str) -> Reply {
    // Non-ASCII and control characters are encoded, so the header is ASCII.
    const UNSAFE: &AsciiSet = &CONTROLS.add(b' ');
    let to = utf8_percent_encode(to, UNSAFE).to_string();
    reply(302, "text/plain; charset=utf-8", Vec::new()).with_header("Location", &to)
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", content_type.to_string()),
            // Every rebuild may change any file: never let the browser reuse one.
            ("Cache-Control", "no-store".to_string()),
            ("Accept-Ranges", "bytes".to_string()),
        ],
        body,
    }
}

/// Server-sent events: the stream writes its head and flushes every event
/// until the page goes; the connection is not reused.
fn stream_events(mut out: TcpStream, site: &Site) {
    let events = site.live.subscribe();
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
        for bad in ["bytes=5-1", "bytes=-", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=+1-2", "bytes=1--2", ""] {
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
    fn ranges_at_the_ends_of_64_bits_do_not_overflow() {
        let max = u64::MAX;
        assert_eq!(parse_range("bytes=5-18446744073709551615"), Some(ByteRange::From(5, Some(max))));
        assert_eq!(resolve_range(ByteRange::From(5, Some(max)), 50), Some(5..50));
        assert_eq!(resolve_range(ByteRange::From(0, Some(max)), 50), Some(0..50));
        // Past 64 bits: the largest position, past any file's end.
        assert_eq!(parse_range("bytes=0-99999999999999999999999"), Some(ByteRange::From(0, Some(max))));
        assert_eq!(parse_range("bytes=99999999999999999999999-"), Some(ByteRange::From(max, None)));
        assert_eq!(resolve_range(ByteRange::From(max, None), 50), None);
        assert_eq!(resolve_range(ByteRange::From(max, Some(max)), 50), None);
        assert_eq!(resolve_range(ByteRange::Last(max), 50), Some(0..50));
        assert_eq!(resolve_range(ByteRange::From(0, None), 0), None);
    }

    impl TimeoutRead for &[u8] {
        fn set_timeout(&self, _: Duration) {}
    }

    fn head(bytes: &[u8]) -> Result<Request, HeadError> {
        read_head(&mut BufReader::new(bytes), HEAD_TIMEOUT)
    }

    #[test]
    fn request_heads_are_read_within_their_limits() {
        let r = head(b"\r\nGET /a?b HTTP/1.1\r\nHost: x\r\nRange:  bytes=0-1 \r\n\r\nGET /next").unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str(), r.close), ("GET", "/a?b", false));
        assert_eq!(r.header("range"), Some("bytes=0-1"));
        assert!(head(b"GET / HTTP/1.0\r\n\r\n").unwrap().close);
        assert!(!head(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap().close);
        assert!(head(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap().close);
        assert!(head(b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").unwrap().close, "a body is not read");
        assert_eq!(head(b""), Err(HeadError::Closed));
        assert_eq!(head(b"GET / HTTP/1.1\r\nHost"), Err(HeadError::Malformed));
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET / SPDY/3\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nA B: c\r\n\r\n",
            b"GET /\xff HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(head(bad), Err(HeadError::Malformed), "{}", String::from_utf8_lossy(bad));
        }
        let long = [b"GET / HTTP/1.1\r\nX: ".as_slice(), &vec![b'a'; HEAD_LIMIT], b"\r\n\r\n"].concat();
        assert_eq!(head(&long), Err(HeadError::TooLarge));
        let endless = vec![b'a'; 10 * HEAD_LIMIT];
        assert_eq!(head(&endless), Err(HeadError::TooLarge));
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(HEADER_LIMIT + 1));
        assert_eq!(head(many.as_bytes()), Err(HeadError::TooManyHeaders));
        let enough = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(HEADER_LIMIT));
        assert!(head(enough.as_bytes()).is_ok());
    }

    #[test]
    fn a_head_not_sent_in_time_is_a_timeout_and_silence_a_quiet_close() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(server);
        let short = Duration::from_millis(200);
        assert_eq!(read_head(&mut reader, short), Err(HeadError::Closed));
        client.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
        let started = Instant::now();
        assert_eq!(read_head(&mut reader, short), Err(HeadError::Timeout));
        assert!(started.elapsed() < Duration::from_secs(2));
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
