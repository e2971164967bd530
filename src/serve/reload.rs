//! Live reload: the status of the last build and the pages listening for the
//! next one. After a good build they reload; after a failed one they get the
//! `path:line:col: message` lines to show. Owns the message format
//! (server-sent events, JSON data); the HTTP side is in `listen` (the
//! event stream) and `respond` (status and script).

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

use serde::Serialize;

use crate::error::Error;

/// The page script, served at [`SCRIPT_PATH`] and loaded by every HTML page.
pub const SCRIPT: &str = include_str!("live-reload.js");
pub const SCRIPT_PATH: &str = "/__archive/live-reload.js";
pub const EVENTS_PATH: &str = "/__archive/events";
pub const STATUS_PATH: &str = "/__archive/status";

/// Shared by the rebuild loop (which publishes) and the server (which
/// subscribes pages and answers status requests).
#[derive(Default)]
pub struct LiveReload {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    status: Status,
    pages: Vec<Sender<String>>,
}

/// What `/__archive/status` answers: the number of good builds so far and
/// the errors of the last build if it failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub build: u64,
    pub ok: bool,
    pub errors: Vec<String>,
}

impl LiveReload {
    /// Records a good build and tells every page to reload.
    pub fn publish_success(&self) {
        let mut state = self.lock();
        state.status = Status { build: state.status.build + 1, ok: true, errors: Vec::new() };
        let message = sse_event("reload", &state.status);
        broadcast(&mut state.pages, &message);
    }

    /// Records a failed build (the last good site stays served) and sends
    /// its errors to every page.
    pub fn publish_failure(&self, error: &Error) {
        let mut state = self.lock();
        state.status.ok = false;
        state.status.errors = error.lines();
        let message = sse_event("failed", &state.status);
        broadcast(&mut state.pages, &message);
    }

    pub fn status(&self) -> Status {
        self.lock().status.clone()
    }

    /// A page's stream of server-sent events, ready to write as they come.
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        self.lock().pages.push(tx);
        rx
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere must not take live reload down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Pages that went away are dropped here, at the first message they miss.
fn broadcast(pages: &mut Vec<Sender<String>>, message: &str) {
    pages.retain(|page| page.send(message.to_string()).is_ok());
}

/// One server-sent event; compact JSON holds no newline, so one `data:` line.
fn sse_event(name: &str, status: &Status) -> String {
    let data = serde_json::to_string(status).unwrap_or_default();
    format!("event: {name}\ndata: {data}\n\n")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnostics::Diagnostic;

    #[test]
    fn pages_hear_of_failures_then_reloads() {
        let live = LiveReload::default();
        let page = live.subscribe();
        let problem = Diagnostic::new(Path::new("content/a.md"), 3, 1, "invalid YAML\nin front matter");
        live.publish_failure(&Error::at(problem));
        let failed = page.try_recv().unwrap();
        assert_eq!(
            failed,
            "event: failed\ndata: {\"build\":0,\"ok\":false,\"errors\":[\"content/a.md:3:1: invalid YAML\\\\u{a}in front matter\"]}\n\n"
        );
        assert!(!live.status().ok);
        live.publish_success();
        assert_eq!(page.try_recv().unwrap(), "event: reload\ndata: {\"build\":1,\"ok\":true,\"errors\":[]}\n\n");
        assert!(live.status().ok);
    }

    #[test]
    fn closed_pages_are_forgotten() {
        let live = LiveReload::default();
        drop(live.subscribe());
        let open = live.subscribe();
        live.publish_success();
        assert_eq!(live.lock().pages.len(), 1);
        assert!(open.try_recv().is_ok());
    }
}
