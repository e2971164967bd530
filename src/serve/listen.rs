//! Listening: one thread per connection, each answering request after
//! request on a kept-alive connection (`http` reads and writes them,
//! `respond` decides the answers), lingering after an error answer so that
//! the client reads it, and holding a page's event stream open for live
//! reload.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::http::{read_head, write_reply, HEAD_TIMEOUT};
use super::respond::respond;
use super::route::{route, Route};
use super::site::Site;

/// A page is told the server is alive this often, so a closed one is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Time a write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Answers one connection's requests in turn, until the client closes or
/// asks to, an answer cannot be written or closes it (405), a head cannot
/// be read (answered when it can be, then closed), or the request is for
/// the event stream, which keeps the connection.
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
