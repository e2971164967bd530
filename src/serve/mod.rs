//! Serve stage: build, serve the output folder on loopback, watch the
//! sources and rebuild on every change, live-reloading open pages. `run`
//! reads as that loop; HTTP is in `http`, the page channel in `reload`,
//! event filtering in `watch`. Every change is an incremental build
//! (`build::build_keeping`, which also hands back what the build knew); a
//! failed one leaves the last good site served. An edit to one document's
//! body is shown before that build ends (`ahead`).

mod ahead;
mod http;
mod reload;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use crate::build;
use crate::cli::ServeArgs;
use crate::config::Config;
use crate::diagnostics::{sanitize, Diagnostic, Diagnostics};

enum Signal {
    Changed(Vec<PathBuf>),
    Stop,
}

/// Runs `archive serve` until Ctrl-C.
pub fn run(args: &ServeArgs, quiet: bool) -> Result<(), Diagnostics> {
    let root = args
        .site
        .root
        .canonicalize()
        .map_err(|e| problem(&args.site.root, format!("cannot open the site folder: {e}")))?;
    let config = load_config(&root, args)?;
    let site = Arc::new(http::Site::new(watch::absolute_output(&config.output), config.base_path()));
    let (tx, signals) = mpsc::channel();
    stop_on_ctrl_c(tx.clone());
    let mut watching = watch::watch_sources(&root, &config.output, args.poll, move |paths| {
        let _ = tx.send(Signal::Changed(paths));
    })
    .map_err(|e| problem(&root, format!("cannot watch the sources: {e}")))?;
    let addr = http::serve(SocketAddr::new(args.bind, args.port), Arc::clone(&site))
        .map_err(|e| problem(Path::new("--port"), e))?;
    let mut last_good = rebuild(&root, args, &site, &[], quiet);
    let url = format!("http://{addr}{}", site.base_path());
    println!("serving {} at {url} (Ctrl-C to stop)", config.output.display());
    if let Some(n) = last_good.as_ref().map(|s| s.archive.pending.len()).filter(|n| *n > 0) {
        println!("{n} draft(s) need a human: http://{addr}{}", http::QUEUE_PATH);
    }
    if args.open {
        let _ = opener::open(&url);
    }
    while let Ok(Signal::Changed(paths)) = signals.recv() {
        if let Err(e) = watching.watch_new_dirs() {
            eprintln!("watch error: {e}");
        }
        if let Some((rel, page)) = last_good.as_mut().and_then(|s| ahead::render_ahead(s, &paths)) {
            site.serve_ahead(rel, page);
            site.live.publish_success();
        }
        if let Some(snapshot) = rebuild(&root, args, &site, &paths, quiet) {
            last_good = Some(snapshot);
        }
    }
    Ok(())
}

/// One incremental build; the terminal gets one line, or the errors.
/// Returns what the build knew, if it succeeded.
fn rebuild(
    root: &Path,
    args: &ServeArgs,
    site: &http::Site,
    changed: &[PathBuf],
    quiet: bool,
) -> Option<build::Snapshot> {
    let started = Instant::now();
    let result = load_config(root, args).and_then(|config| build::build_keeping(&config));
    let cause = describe_changes(changed);
    match result {
        Ok((report, snapshot)) => {
            site.set_base_path(snapshot.config.base_path());
            site.set_queue(snapshot.archive.pending.clone());
            site.clear_ahead();
            site.live.publish_success();
            if !quiet {
                let secs = started.elapsed().as_secs_f64();
                let (rendered, written) = (report.rendered, report.write.written);
                println!(
                    "{cause}: re-rendered {rendered} of {} pages, wrote {written} files in {secs:.2} s",
                    report.pages
                );
            }
            Some(snapshot)
        }
        Err(diagnostics) => {
            site.live.publish_failure(&diagnostics);
            eprintln!("{diagnostics}");
            eprintln!("{cause}: build failed; still serving the last good site");
            None
        }
    }
}

fn load_config(root: &Path, args: &ServeArgs) -> Result<Config, Diagnostics> {
    Config::load(root, args.output.as_deref(), None, args.site.drafts)
}

/// `built` at start, else `content/a.md, site.toml changed` (at most three
/// names).
fn describe_changes(changed: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    if changed.is_empty() {
        return "built".to_string();
    }
    let names: Vec<String> = changed.iter().take(SHOWN).map(|p| sanitize(&p.display().to_string())).collect();
    let more = changed.len().saturating_sub(SHOWN);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!("{}{more} changed", names.join(", "))
}

/// The first Ctrl-C ends the loop once the build in progress (if any) has
/// committed or cleaned up its staging folder; a second one exits at once.
fn stop_on_ctrl_c(tx: mpsc::Sender<Signal>) {
    let pressed = AtomicBool::new(false);
    let handler = move || {
        if pressed.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        let _ = tx.send(Signal::Stop);
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        eprintln!("cannot handle Ctrl-C: {e}");
    }
}

fn problem(path: &Path, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::new(path, 1, 1, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_changed() {
        assert_eq!(describe_changes(&[]), "built");
        let one = [PathBuf::from("content/a.md")];
        assert_eq!(describe_changes(&one), "content/a.md changed");
        let five: Vec<PathBuf> = ["a", "b", "c", "d", "e"].iter().map(PathBuf::from).collect();
        assert_eq!(describe_changes(&five), "a, b, c and 2 more changed");
    }
}
