//! Serve stage: build, serve the output folder on loopback, watch the
//! sources and rebuild on every change, live-reloading open pages. `run`
//! reads as that loop; HTTP is in `listen` (connections), `http` (the
//! protocol), `route` and `respond` (what a URL serves), `site` (what is
//! served) and `queue` (the drafts page); the page channel in `reload`,
//! event filtering in `watch`. Every change is an incremental build
//! (`build::build_keeping`, which also hands back what the build knew); a
//! failed one leaves the last good site served. An edit to one document's
//! body is shown before that build ends (`build::render_ahead`, from what
//! the last build knew). It prints nothing:
//! what happens goes to the caller as [`Event`]s.

mod http;
mod listen;
mod queue;
mod reload;
mod respond;
mod route;
mod site;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::build::{self, BuildReport};
use crate::config::{Config, Options};
use crate::error::Error;

/// What `archive serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The archive and where to write it (`clean` and `base_url` are not used).
    pub site: Options,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Open the site in a browser once it is served.
    pub open: bool,
    /// Poll for changes instead of using file-system events.
    pub poll: bool,
}

/// What serving tells its caller as it goes (the library prints nothing).
pub enum Event<'a> {
    /// The site is served at `url` from `output`.
    Serving { url: &'a str, output: &'a Path },
    /// The server listens on `addr`, which is not a loopback address:
    /// other machines can reach the preview.
    Exposed { addr: SocketAddr },
    /// A build succeeded; `changed` (relative to the root) is empty for
    /// the first build.
    Built { changed: &'a [PathBuf], report: &'a BuildReport, time: Duration },
    /// A build failed; the last good site is still served.
    Failed { changed: &'a [PathBuf], error: &'a Error },
    /// `drafts` drafts need a human: the queue page is at `url`.
    Queue { url: &'a str, drafts: usize },
    /// Something went wrong that serving goes on after (watching, Ctrl-C).
    Trouble(String),
}

/// Where events go; called from the watcher's thread too.
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

enum Signal {
    Changed(Vec<PathBuf>),
    Stop,
}

/// Runs `archive serve` until Ctrl-C.
pub fn run(options: &ServeOptions, report: Reporter) -> Result<(), Error> {
    let root =
        options.site.root.canonicalize().map_err(|e| Error::io("open the archive folder", &options.site.root, e))?;
    let options = ServeOptions { site: Options { root: root.clone(), ..options.site.clone() }, ..options.clone() };
    let config = Config::load(&options.site)?;
    let site = Arc::new(site::Site::new(watch::absolute_output(&config.output), config.base_path()));
    let (tx, signals) = mpsc::channel();
    stop_on_ctrl_c(tx.clone(), &report);
    let watch_report = Arc::clone(&report);
    let mut watching = watch::watch_sources(
        &root,
        &config.output,
        options.poll,
        move |paths| {
            let _ = tx.send(Signal::Changed(paths));
        },
        move |e| watch_report(Event::Trouble(format!("watch error: {e}"))),
    )
    .map_err(|e| Error::io("watch", &root, std::io::Error::other(e)))?;
    let addr = listen::serve(options.addr, Arc::clone(&site))
        .map_err(|e| Error::Usage(format!("{e}; choose another --port")))?;
    if !addr.ip().is_loopback() {
        report(Event::Exposed { addr });
    }
    let mut last_good = rebuild(&options, &site, &[], &report);
    let url = format!("http://{addr}{}", site.base_path());
    report(Event::Serving { url: &url, output: &config.output });
    if let Some(drafts) = last_good.as_ref().map(|s| s.archive.pending.len()).filter(|n| *n > 0) {
        report(Event::Queue { url: &format!("http://{addr}{}", queue::QUEUE_PATH), drafts });
    }
    if options.open {
        let _ = opener::open(&url);
    }
    while let Ok(Signal::Changed(paths)) = signals.recv() {
        if let Err(e) = watching.watch_new_dirs() {
            report(Event::Trouble(format!("watch error: {e}")));
        }
        if let Some((rel, page)) = last_good.as_mut().and_then(|s| build::render_ahead(s, &paths)) {
            site.serve_ahead(rel, page);
            site.live.publish_success();
        }
        if let Some(snapshot) = rebuild(&options, &site, &paths, &report) {
            last_good = Some(snapshot);
        }
    }
    Ok(())
}

/// One incremental build, reported. Returns what the build knew, if it
/// succeeded.
fn rebuild(
    options: &ServeOptions,
    site: &site::Site,
    changed: &[PathBuf],
    report: &Reporter,
) -> Option<build::Snapshot> {
    let started = Instant::now();
    match build::configure(&options.site).and_then(|config| build::build_keeping(&config)) {
        Ok((built, snapshot)) => {
            site.set_base_path(snapshot.config.base_path());
            site.set_queue(snapshot.archive.pending.clone());
            site.clear_ahead();
            site.live.publish_success();
            report(Event::Built { changed, report: &built, time: started.elapsed() });
            Some(snapshot)
        }
        Err(error) => {
            site.live.publish_failure(&error);
            report(Event::Failed { changed, error: &error });
            None
        }
    }
}

/// The first Ctrl-C ends the loop once the build in progress (if any) has
/// committed or cleaned up its staging folder; a second one exits at once.
fn stop_on_ctrl_c(tx: mpsc::Sender<Signal>, report: &Reporter) {
    let pressed = AtomicBool::new(false);
    let handler = move || {
        if pressed.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        let _ = tx.send(Signal::Stop);
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        report(Event::Trouble(format!("cannot handle Ctrl-C: {e}")));
    }
}
