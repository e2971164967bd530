//! Browser harness: a static file server over a built site (as any static
//! host would serve it, at `/` or under a sub-path, single byte ranges
//! included, counting the bytes it sends) and Debian's headless Chromium driven over the DevTools protocol.
//! Tests that use it are `#[ignore]`d by plain `cargo test`; `scripts/test`
//! installs Chromium and runs them, and they fail, never skip, without it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// axe-core's script (`AXE_JS`, or where `scripts/test` installs it), to
/// evaluate in a tab before `axe.run`.
pub fn axe_source() -> String {
    let path = std::env::var_os("AXE_JS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no axe-core at {}: {e}; run scripts/test, which installs it", path.display()))
}

/// A static host on 127.0.0.1: `prefix` (`/` or `/archive/`) maps to `dir`;
/// a folder URL serves its `index.html`.
pub struct StaticServer {
    pub port: u16,
    prefix: String,
    stop: Arc<AtomicBool>,
    /// (URL path, body bytes) of every response, in order.
    pub log: Arc<Mutex<Vec<(String, usize)>>>,
}

impl StaticServer {
    pub fn start(dir: &Path, prefix: &str) -> StaticServer {
        StaticServer::start_with(dir, prefix, true)
    }

    /// A host that ignores `Range` (as some simple servers do): every
    /// answer is the whole file.
    pub fn without_ranges(dir: &Path, prefix: &str) -> StaticServer {
        StaticServer::start_with(dir, prefix, false)
    }

    fn start_with(dir: &Path, prefix: &str, ranges: bool) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (dir, prefix_owned) = (dir.to_path_buf(), prefix.to_string());
        let (stop2, log2) = (stop.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (dir, prefix, log) = (dir.clone(), prefix_owned.clone(), log2.clone());
                std::thread::spawn(move || serve_connection(stream, &dir, &prefix, ranges, &log));
            }
        });
        StaticServer { port, prefix: prefix.to_string(), stop, log }
    }

    /// The site's URL, ending in `/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.prefix)
    }

    /// Bytes sent since the log was last taken, by path.
    pub fn take_log(&self) -> Vec<(String, usize)> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve_connection(stream: TcpStream, dir: &Path, prefix: &str, ranges: bool, log: &Mutex<Vec<(String, usize)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        let mut range = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" || header == "\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if ranges && name.trim().eq_ignore_ascii_case("range") {
                    range = Some(value.trim().to_string());
                }
            }
        }
        let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
        let (mut status, mut body, kind) = match file_for(dir, prefix, &path) {
            Some(file) => ("200 OK", std::fs::read(&file).unwrap(), content_type(&file)),
            None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        };
        // One byte range, as static hosts serve them: `bytes=a-b` or `bytes=a-`.
        let mut content_range = String::new();
        if let Some((from, to)) =
            range.as_deref().and_then(|r| r.strip_prefix("bytes=")).and_then(|r| r.split_once('-'))
        {
            let total = body.len();
            match (from.parse::<usize>(), to.parse::<usize>().ok()) {
                (Ok(from), to) if status == "200 OK" && from < total => {
                    let to = to.unwrap_or(total - 1).min(total - 1);
                    content_range = format!("Content-Range: bytes {from}-{to}/{total}\r\n");
                    body = body[from..=to].to_vec();
                    status = "206 Partial Content";
                }
                (Ok(_), _) if status == "200 OK" => {
                    content_range = format!("Content-Range: bytes */{total}\r\n");
                    body.clear();
                    status = "416 Range Not Satisfiable";
                }
                _ => {}
            }
        }
        log.lock().unwrap().push((path, body.len()));
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{}{content_range}Cache-Control: no-store\r\n\r\n",
            body.len(),
            if ranges { "Accept-Ranges: bytes\r\n" } else { "" }
        );
        let mut response = head.into_bytes();
        response.extend_from_slice(&body);
        if stream.write_all(&response).is_err() {
            return;
        }
    }
}

fn file_for(dir: &Path, prefix: &str, path: &str) -> Option<PathBuf> {
    let rel = path.strip_prefix(prefix)?;
    if rel.split('/').any(|s| s == "..") {
        return None;
    }
    let file = if rel.is_empty() || rel.ends_with('/') { dir.join(rel).join("index.html") } else { dir.join(rel) };
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("bin") => "application/octet-stream",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Debian's Chromium, or `$CHROMIUM`.
pub fn chromium_path() -> PathBuf {
    let path = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(path.is_file(), "no Chromium at {}: run scripts/test, which installs it", path.display());
    path
}

type Socket = tungstenite::WebSocket<TcpStream>;

/// A headless Chromium with a fresh profile, killed on drop.
pub struct Browser {
    child: Child,
    socket: Mutex<Socket>,
    next_id: Mutex<u64>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium_path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                    break;
                }
            }
            // Keep draining so Chromium never blocks on a full pipe.
            for _ in lines {}
        });
        let ws_url = rx.recv_timeout(Duration::from_secs(30)).expect("Chromium prints its DevTools address");
        let host = ws_url.trim_start_matches("ws://").split('/').next().unwrap().to_string();
        let tcp = TcpStream::connect(&host).unwrap();
        let (socket, _) = tungstenite::client(ws_url.as_str(), tcp).expect("DevTools websocket");
        Browser { child, socket: Mutex::new(socket), next_id: Mutex::new(0), _profile: profile }
    }

    /// Sends a DevTools command (to a page when `session` is given) and
    /// waits for its answer; events in between are dropped.
    pub fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params).unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// As `call`, but an error answer is returned instead of failing the test.
    fn try_call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, Value> {
        let id = {
            let mut n = self.next_id.lock().unwrap();
            *n += 1;
            *n
        };
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut socket = self.socket.lock().unwrap();
        socket.send(tungstenite::Message::text(msg.to_string())).unwrap();
        loop {
            let reply = socket.read().expect("DevTools answers");
            let Ok(text) = reply.into_text() else { continue };
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["id"] == json!(id) {
                return match v.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    pub fn new_tab(&self) -> Tab<'_> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let id = target["targetId"].as_str().unwrap().to_string();
        let attached = self.call(None, "Target.attachToTarget", json!({"targetId": id, "flatten": true}));
        let session = attached["sessionId"].as_str().unwrap().to_string();
        Tab { browser: self, session }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Tab<'a> {
    browser: &'a Browser,
    session: String,
}

impl Tab<'_> {
    pub fn goto(&self, url: &str) {
        self.browser.call(Some(&self.session), "Page.navigate", json!({"url": url}));
        self.wait_for("document.readyState === 'complete'", Duration::from_secs(20));
    }

    /// Lays the page out for `media` (`"print"`, or `""` for the screen again).
    pub fn emulate_media(&self, media: &str) {
        self.browser.call(Some(&self.session), "Emulation.setEmulatedMedia", json!({"media": media}));
    }

    /// Sets the size of the page's window, in CSS pixels.
    pub fn set_viewport(&self, width: u32, height: u32) {
        self.browser.call(
            Some(&self.session),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&self, expression: &str) -> Value {
        let r = self.browser.call(
            Some(&self.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {}", r["exceptionDetails"]);
        r["result"]["value"].clone()
    }

    /// Polls until `expression` is truthy; panics with it after `limit`.
    /// A page that is navigating away answers with an error instead of a
    /// value; that counts as "not yet" and the poll goes on in the next page.
    pub fn wait_for(&self, expression: &str, limit: Duration) {
        let start = Instant::now();
        loop {
            let params = json!({"expression": format!("!!({expression})"), "returnByValue": true});
            let answer = self.browser.try_call(Some(&self.session), "Runtime.evaluate", params);
            if answer.as_ref().is_ok_and(|r| r["result"]["value"] == json!(true)) {
                return;
            }
            assert!(start.elapsed() < limit, "timed out waiting for `{expression}`; last answer {answer:?}");
            std::thread::sleep(Duration::from_millis(15));
        }
    }
}
