//! HTTP, the protocol: a request head read from a connection within
//! bounds, an answer written back. The archive's policy (what a URL
//! serves) is `route`'s and `respond`'s; the loop around a connection is
//! `listen`'s.
//!
//! The protocol is the libraries': `httparse` (hyper's parser) reads each
//! request head, `http-range-header` parses `Range` with checked
//! arithmetic, `mime_guess` names content types, `http` the status
//! reasons. What is ours is the bounds: a head of at most `HEAD_LIMIT`
//! bytes with `HEADER_LIMIT` header lines (else 431) sent within
//! `HEAD_TIMEOUT` (else 408, or a quiet close when nothing was sent), so a
//! header line that never ends holds 16 KiB and one thread for 10 s, not
//! memory without bound. Servers tried for that loop: `tiny_http` (and
//! `rouille` on it) reads head lines with no bound on their length or
//! number, from a socket it owns; hyper 1.x bounds size and header count
//! (431) but drops a slow head without answering 408
//! (`header_read_timeout` ends the connection), and brings an async
//! runtime to a local preview.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Most bytes of a request line and its headers.
const HEAD_LIMIT: usize = 16 * 1024;
/// Most header lines of a request.
const HEADER_LIMIT: usize = 100;
/// Time a client has to send a request head (and to wait idle between
/// requests on a kept-alive connection).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// The answer the client is sent, if any.
    pub fn reply(&self) -> Option<Reply> {
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
    pub fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

pub fn write_reply(out: &mut impl Write, reply: &Reply, head_only: bool, close: bool) -> std::io::Result<()> {
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

pub fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
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

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

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
}
