//! THE orchestrator: load → index → render → write, timed per stage. Reads
//! as the pipeline; the stages own the work.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::index::build_index;
use crate::load::load_archive;
use crate::render::{plan_pages, render_site, Renderer, Theme};
use crate::write::{Sink, Staging};

/// What a build did, for the one-line summary and `-v` timings.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: usize,
    pub pages: usize,
    pub static_files: usize,
    pub stages: Vec<(&'static str, Duration)>,
    pub total: Duration,
}

/// Builds the site into `config.output`; on any error the previous output
/// is left untouched.
pub fn build(config: &Config) -> Result<BuildReport, Diagnostics> {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let mut stage = Stopwatch::new();

    let archive = load_archive(config)?;
    report.stages.push(stage.lap("load"));
    let index = build_index(&archive);
    let plan = plan_pages(&archive, &index, config.site.paginate_by);
    report.stages.push(stage.lap("index"));
    let renderer = Renderer::new(Theme::load(config)?)?;
    let staging = Staging::new(&config.output).map_err(|e| io_error(&config.output, e))?;
    report.pages = render_site(&renderer, config, &archive, &index, &plan, &staging, false)?;
    report.stages.push(stage.lap("render"));
    report.static_files = write_static(&renderer.theme, &staging)?;
    staging.commit().map_err(|e| io_error(&config.output, e))?;
    report.stages.push(stage.lap("write"));

    report.documents = archive.documents.len();
    report.total = started.elapsed();
    Ok(report)
}

/// Validates everything a build would, writing nothing.
pub fn check(config: &Config) -> Result<usize, Diagnostics> {
    let archive = load_archive(config)?;
    let index = build_index(&archive);
    let plan = plan_pages(&archive, &index, config.site.paginate_by);
    let renderer = Renderer::new(Theme::load(config)?)?;
    render_site(&renderer, config, &archive, &index, &plan, &Discard, false)?;
    Ok(archive.documents.len())
}

struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_static(theme: &Theme, staging: &Staging) -> Result<usize, Diagnostics> {
    let mut count = 0;
    if let Some(dir) = theme.embedded_static {
        for file in all_files(dir) {
            let rel = format!("static/{}", file.path().strip_prefix("static").unwrap_or(file.path()).to_string_lossy());
            staging.write(&rel, file.contents()).map_err(|e| io_error(std::path::Path::new(&rel), e))?;
            count += 1;
        }
    }
    for dir in &theme.static_dirs {
        count += staging.copy_dir(dir, "static").map_err(|e| io_error(dir, e))?;
    }
    Ok(count)
}

fn all_files(dir: &'static include_dir::Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> Diagnostics {
    Diagnostics(vec![Diagnostic::new(path, 1, 1, e.to_string())])
}

struct Stopwatch(Instant);

impl Stopwatch {
    fn new() -> Self {
        Stopwatch(Instant::now())
    }

    fn lap(&mut self, name: &'static str) -> (&'static str, Duration) {
        let now = Instant::now();
        let lap = now - self.0;
        self.0 = now;
        (name, lap)
    }
}
