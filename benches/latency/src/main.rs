//! Write-to-served latency (issue #4): starts `archive serve` (or `hugo
//! server`, for comparison) on a copy of a corpus, then edits one speech's
//! body at a time and polls its page over HTTP until the new text is served.
//! The clock starts just before the file is written and stops when a
//! response contains the new text. Between edits it waits for the server's
//! rebuild line, so every edit meets an idle server.
//!
//! usage: bench-latency archive|hugo BIN SITE_DIR [EDITS]
//! SITE_DIR is a site the tool may edit (a copy of a corpus).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tool = match args.get(1).map(String::as_str) {
        Some("archive") => Tool::Archive,
        Some("hugo") => Tool::Hugo,
        _ => fail("usage: bench-latency archive|hugo BIN SITE_DIR [EDITS]"),
    };
    if args.len() < 4 {
        fail("usage: bench-latency archive|hugo BIN SITE_DIR [EDITS]");
    }
    let (bin, site) = (PathBuf::from(&args[2]), PathBuf::from(&args[3]));
    let edits: usize = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(21);
    let files = speeches(&site.join("content"));
    if files.is_empty() {
        fail(&format!("no speeches under {}", site.display()));
    }

    let started = Instant::now();
    let (mut server, lines, port) = start(tool, &bin, &site);
    eprintln!("serve: first build and listening in {:.1} s", started.elapsed().as_secs_f64());

    let mut served = Vec::new();
    let mut rebuilt = Vec::new();
    for i in 0..edits {
        let file = &files[(i * 7919) % files.len()];
        let url = format!("/speeches/{}/", file.file_stem().unwrap().to_string_lossy());
        let marker = format!("延迟标记{i}号{}", std::process::id());
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| fail(&format!("{}: {e}", file.display())));
        let edited = add_to_body(&text, &marker);
        while lines.try_recv().is_ok() {}
        let t0 = Instant::now();
        std::fs::write(file, edited).unwrap_or_else(|e| fail(&format!("{}: {e}", file.display())));
        loop {
            if get(port, &url).is_some_and(|body| body.contains(&marker)) {
                break;
            }
            if t0.elapsed() > TIMEOUT {
                fail(&format!("{url} never showed the edit"));
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let to_served = t0.elapsed();
        // The rebuild line: the whole incremental build is finished.
        let line = wait_for_line(&lines, |l| tool.is_rebuilt(l));
        let to_rebuilt = t0.elapsed();
        println!(
            "edit {i:>3}: served after {:>8.1} ms, rebuild done after {:>8.1} ms  ({})",
            ms(to_served),
            ms(to_rebuilt),
            line.trim()
        );
        served.push(to_served);
        rebuilt.push(to_rebuilt);
    }
    let _ = server.kill();
    let _ = server.wait();
    println!("{}", summary("write → new text served", &mut served));
    println!("{}", summary("write → rebuild finished", &mut rebuilt));
}

#[derive(Clone, Copy)]
enum Tool {
    Archive,
    Hugo,
}

impl Tool {
    fn command(self, bin: &Path, site: &Path, port: u16) -> Command {
        let mut command = Command::new(bin);
        match self {
            Tool::Archive => command.args(["serve", "--port", &port.to_string(), "--root"]).arg(site),
            Tool::Hugo => command
                .args(["server", "--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--baseURL", &format!("http://127.0.0.1:{port}/"), "--source"])
                .arg(site),
        };
        command
    }

    fn is_ready(self, line: &str) -> bool {
        match self {
            Tool::Archive => line.starts_with("serving "),
            Tool::Hugo => line.contains("Web Server is available at"),
        }
    }

    /// The line a server prints when a rebuild has finished.
    fn is_rebuilt(self, line: &str) -> bool {
        match self {
            Tool::Archive => line.contains("changed"),
            Tool::Hugo => line.contains("Total in"),
        }
    }
}

fn start(tool: Tool, bin: &Path, site: &Path) -> (Child, Receiver<String>, u16) {
    let port = free_port();
    let mut child = tool
        .command(bin, site, port)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot start {}: {e}", bin.display())));
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    forward(stdout, tx.clone());
    forward(stderr, tx);
    wait_for_line(&rx, |l| tool.is_ready(l));
    (child, rx, port)
}

/// Sends every line of `from` to `to`.
fn forward(from: impl Read + Send + 'static, to: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if to.send(line).is_err() {
                break;
            }
        }
    });
}

fn wait_for_line(lines: &Receiver<String>, matches: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if matches(&line) => return line,
            Ok(_) => {}
            Err(_) => fail("the server stopped or said nothing in time"),
        }
    }
}

/// The body with the marker appended to its first paragraph.
fn add_to_body(text: &str, marker: &str) -> String {
    let body_start = text.match_indices("\n---\n").next().map(|(i, _)| i + 5).unwrap_or(0);
    let (head, body) = text.split_at(body_start);
    let mut out = String::from(head);
    let mut done = false;
    for line in body.split_inclusive('\n') {
        if !done && line.trim().chars().count() > 10 {
            out.push_str(line.trim_end_matches('\n'));
            out.push_str(marker);
            out.push('\n');
            done = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

fn speeches(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") && path.to_string_lossy().contains("speeches") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The body of `GET path` if the status is 200.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (head, body) = text.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(1111)
}

fn summary(what: &str, times: &mut [Duration]) -> String {
    times.sort();
    let n = times.len();
    let median = if n % 2 == 1 { ms(times[n / 2]) } else { (ms(times[n / 2 - 1]) + ms(times[n / 2])) / 2.0 };
    format!(
        "{what}: median {median:.1} ms, min {:.1} ms, max {:.1} ms over {n} edits",
        ms(times[0]),
        ms(times[n - 1])
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn fail(message: &str) -> ! {
    eprintln!("bench-latency: {message}");
    std::process::exit(1);
}
