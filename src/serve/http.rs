//! HTTP: one request → one response from the output folder. Owns the
//! archive's policy (URL → file resolution under the base path, refusing
//! any path that would leave the output folder, the 404 page, the
//! live-reload script injection, the curator's queue page of drafts that
//! wait for a human, served only here and never built) and the bounds on
//! what a client may send; the reload channel itself is in `reload`.
//!
//! The protocol is the libraries': `httparse` (hyper's parser) reads each
//! request head, `http-range-header` parses `Range` with checked
//! arithmetic, `mime_guess` names content types, `http` the status
//! reasons. What is ours is the loop around them: a thread per
//! connection, keep-alive, and a head of at most `HEAD_LIMIT` bytes with
//! `HEADER_LIMIT` header lines (else 431) sent within `HEAD_TIMEOUT` (else
//! 408, or a quiet close when nothing was sent), so a header line that
//! never ends holds 16 KiB and one thread for 10 s, not memory without
//! bound. Servers tried for that loop: `tiny_http` (and `rouille` on it)
//! reads head lines with no bound on their length or number, from a
//! socket it owns; hyper 1.x bounds size and header count (431) but drops
//! a slow head without answering 408 (`header_read_timeout` ends the
//! connection), and brings an async runtime to a local preview.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use http_range_header::{parse_range_header, RangeUnsatisfiableError};
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

    fn from_parsed(parsed: &httparse::Request) -> Result<Request, HeadError> {
        let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version) else {
            return Err(HeadError::Malformed);
        };
        let headers = parsed
            .headers
            .iter()
            .map(|h| Some((h.name.to_string(), std::str::from_utf8(h.value).ok()?.trim().to_string())))
            .collect::<Option<Vec<_>>>()
            .ok_or(HeadError::Malformed)?;
        let mut request = Request { method: method.to_string(), target: target.to_string(), headers, close: false };
        let connection = request.header("Connection").unwrap_or("").to_ascii_lowercase();
        let body =
            request.header("Content-Length").is_some_and(|l| l != "0") || request.header("Transfer-Encoding").is_some();
        request.close = connection.contains("close") || (version == 0 && !connection.contains("keep-alive")) || body;
        Ok(request)
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
/// `timeout` from the call. What follows the head stays in `reader`.
pub fn read_head<R: Read + TimeoutRead>(reader: &mut BufReader<R>, timeout: Duration) -> Result<Request, HeadError> {
    let started = Instant::now();
    let mut head = Vec::new();
    // Silence before the first byte is a client that has gone or is idle
    // between requests, not a slow one: no answer.
    let late = |head: &[u8]| if head.is_empty() { HeadError::Closed } else { HeadError::Timeout };
    loop {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(late(&head));
        }
        reader.get_ref().set_timeout(left);
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Err(late(&head)),
            Err(_) => return Err(HeadError::Closed),
        };
        if buf.is_empty() {
            return Err(if head.is_empty() { HeadError::Closed } else { HeadError::Malformed });
        }
        let before = head.len();
        let take = buf.len().min(HEAD_LIMIT - before);
        head.extend_from_slice(&buf[..take]);
        let mut headers = [httparse::EMPTY_HEADER; HEADER_LIMIT];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(end)) => {
                reader.consume(end - before);
                return Request::from_parsed(&parsed);
            }
            Ok(httparse::Status::Partial) if head.len() == HEAD_LIMIT => return Err(HeadError::TooLarge),
            Ok(httparse::Status::Partial) => reader.consume(take),
            Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
            Err(_) => return Err(HeadError::Malformed),
        }
    }
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
    let reason = ::http::StatusCode::from_u16(reply.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
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
        // Pages get the live-reload script, so their bytes are not the
        // file's: always whole.
        Located::File(path) => match request.header("Range") {
            Some(range) if !content_type(&path).starts_with("text/html") => serve_range(&path, range, site),
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

/// What a `Range` header asks of a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Part {
    /// Not a single byte range (malformed, another unit, several ranges,
    /// or an empty file): ignored, the whole file is sent, which clients
    /// must accept.
    Whole,
    Bytes(RangeInclusive<u64>),
    /// No byte of it exists: 416.
    Unsatisfiable,
}

/// Which bytes of a file of `len` bytes `range` names. A position past
/// what 64 bits hold counts as the largest that does: it lies past any
/// file's end all the same.
pub fn byte_range(range: &str, len: u64) -> Part {
    match parse_range_header(range) {
        Ok(ranges) if ranges.len() == 1 => match ranges.validate(len) {
            Ok(ranges) => ranges.into_iter().next().map_or(Part::Whole, Part::Bytes),
            Err(RangeUnsatisfiableError::Unsatisfiable) => Part::Unsatisfiable,
            Err(_) => Part::Whole,
        },
        _ => Part::Whole,
    }
}

/// A file other than a page, by range: the search client reads parts of
/// its index files this way.
fn serve_range(path: &Path, range: &str, site: &Site) -> Reply {
    use std::io::{Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (start, end) = match byte_range(range, len) {
        Part::Bytes(r) => r.into_inner(),
        Part::Whole => return serve_file(path, site, 200),
        Part::Unsatisfiable => {
            return reply(416, "text/plain; charset=utf-8", Vec::new())
                .with_header("Content-Range", &format!("bytes */{len}"))
        }
    };
    // Only the part asked for is read: packs are hundreds of kilobytes.
    // `end` is below `len`, so the length does not overflow.
    let size = end - start + 1;
    let mut part = Vec::new();
    if file.seek(SeekFrom::Start(start)).and_then(|_| file.take(size).read_to_end(&mut part)).is_err()
        || part.len() as u64 != size
    {
        return reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec());
    }
    reply(206, content_type(path), part).with_header("Content-Range", &format!("bytes {start}-{end}/{len}"))
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
        let part = |range| byte_range(range, 50);
        assert_eq!(part("bytes=0-99"), Part::Bytes(0..=49));
        assert_eq!(part("bytes=10-19"), Part::Bytes(10..=19));
        assert_eq!(part("bytes=40-"), Part::Bytes(40..=49));
        assert_eq!(part("bytes=-20"), Part::Bytes(30..=49));
        assert_eq!(part("bytes=-80"), Part::Bytes(0..=49));
        for unsatisfiable in ["bytes=50-", "bytes=100-", "bytes=-0", "bytes=50-60"] {
            assert_eq!(part(unsatisfiable), Part::Unsatisfiable, "{unsatisfiable}");
        }
        for ignored in
            ["bytes=5-1", "bytes=-", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=+1-2", "bytes=1--2", ""]
        {
            assert_eq!(part(ignored), Part::Whole, "{ignored}");
        }
        assert_eq!(byte_range("bytes=0-", 0), Part::Unsatisfiable);
        assert_eq!(byte_range("bytes=-5", 0), Part::Whole, "no byte to send but the (empty) whole");
    }

    #[test]
    fn ranges_at_the_ends_of_64_bits_do_not_overflow() {
        let part = |range| byte_range(range, 50);
        assert_eq!(part("bytes=5-18446744073709551615"), Part::Bytes(5..=49));
        assert_eq!(part("bytes=0-18446744073709551615"), Part::Bytes(0..=49));
        assert_eq!(part("bytes=-18446744073709551615"), Part::Bytes(0..=49));
        // Past 64 bits: the largest position, past any file's end.
        assert_eq!(part("bytes=0-99999999999999999999999"), Part::Bytes(0..=49));
        for unsatisfiable in [
            "bytes=99999999999999999999999-",
            "bytes=18446744073709551615-",
            "bytes=18446744073709551615-18446744073709551615",
        ] {
            assert_eq!(part(unsatisfiable), Part::Unsatisfiable, "{unsatisfiable}");
        }
        assert_eq!(byte_range("bytes=18446744073709551614-", u64::MAX), Part::Bytes(u64::MAX - 1..=u64::MAX - 1));
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
