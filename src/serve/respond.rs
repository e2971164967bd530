//! One request → one answer, from the output folder: a file (or a byte
//! range of one), a folder's `index.html`, the 404 page, a redirect, the
//! server's own script, status and queue pages; every page gets the
//! live-reload script. Routing is `route`'s, the protocol `http`'s.

use std::io::Read;
use std::ops::RangeInclusive;
use std::path::Path;

use http_range_header::{parse_range_header, RangeUnsatisfiableError};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::http::{reply, Reply, Request};
use super::queue::queue_page;
use super::reload::{SCRIPT, SCRIPT_PATH};
use super::route::{content_type, locate, route, Located, Route};
use super::site::Site;

const FALLBACK_404: &str =
    "<!doctype html><meta charset=\"utf-8\"><title>404</title><body><h1>404</h1><p>No such page.</p></body>";

/// Puts the live-reload script just before the last `</body>` (or at the
/// end), tagged with the build the page comes from.
fn inject_script(html: &[u8], build: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\"></script>");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    [&html[..at], tag.as_bytes(), &html[at..]].concat()
}

pub fn respond(request: &Request, site: &Site) -> Reply {
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
            let queue = site.queue();
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
enum Part {
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
fn byte_range(range: &str, len: u64) -> Part {
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
