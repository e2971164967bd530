//! THE orchestrator: load → index → search (texts walked) → reuse →
//! render → search (index written) → write, timed per stage. Reads as the
//! pipeline; the stages own the work (see ARCHITECTURE.md).

mod ahead;

use std::time::{Duration, Instant};

use crate::config::{Config, Options};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::identity::cache_dir;
use crate::index::{build_index, Index};
use crate::load::load_archive;
use crate::model::Archive;
use crate::render::{plan_pages, render_site, PagePlan, Renderer, Theme};
use crate::reuse::{self, Passages};
use crate::search::{inputs as search_inputs, RunStore};
use crate::sink::{Discard, Sink};
use crate::words::Words;
use crate::write::{check_output, InputStamp, Output, WriteReport};

/// What a build did, for the one-line summary and `-v` timings.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: usize,
    pub pages: usize,
    /// Pages rendered; the others were unchanged since the last build.
    pub rendered: usize,
    pub static_files: usize,
    pub write: WriteReport,
    /// Problems that do not stop the build (each at its path:line:col),
    /// sorted; the binary prints them and still exits 0.
    pub warnings: Vec<Diagnostic>,
    pub stages: Vec<Stage>,
    pub total: Duration,
    /// What the person building should know, though nothing failed.
    pub notes: Vec<String>,
}

pub use ahead::render_ahead;

/// What a build knew when it finished: `archive serve` keeps it to render
/// an edited document's page at once, before the next build catches up.
pub struct Snapshot {
    pub config: Config,
    pub archive: Archive,
    pub index: Index,
    pub plan: Vec<PagePlan>,
    pub renderer: Renderer,
    /// The passages documents share, as the pages show them.
    pub passages: Passages,
}

/// The run's [`Config`]. When site.toml has problems, the content is
/// loaded too, under what could be read of site.toml, so that one run
/// reports both; content is left unchecked only when site.toml is not
/// TOML or does not say which fields a document may hold.
pub fn configure(options: &Options) -> Result<Config> {
    let (config, mut problems) = Config::read(options)?;
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        Some(config) => {
            if let Err(content) = load_archive(&config) {
                problems.extend(content.0);
            }
            Err(Error::Input(Diagnostics::sorted(problems)))
        }
        None => Err(Error::Input(Diagnostics::sorted(problems))),
    }
}

/// Builds the site into `config.output`, re-rendering only what changed
/// since the last build (unless `config.clean`); on any error the previous
/// output is left untouched.
pub fn build(config: &Config) -> Result<BuildReport> {
    let started = Instant::now();
    check_output(config)?;
    // Nothing changed since the last build, which left its output intact.
    let inputs = InputStamp::take(config);
    if let Some(last) = inputs.unchanged(config) {
        let write = WriteReport { incremental: true, kept: last.pages, ..Default::default() };
        let notes = notes(config);
        let total = started.elapsed();
        let stages = vec![Stage { name: "unchanged", time: total, peak: peak_memory(), grew: None }];
        return Ok(BuildReport {
            documents: last.documents,
            pages: last.pages,
            write,
            stages,
            total,
            notes,
            ..Default::default()
        });
    }
    // The stamp just taken serves the first try; a try after a save takes
    // its own.
    let mut inputs = Some(inputs);
    settled(|| build_from(config, inputs.take().unwrap_or_else(|| InputStamp::take(config)), started))
        .map(|(report, _)| report)
}

/// [`build`] through every stage even when nothing changed, and what it
/// knew (`archive serve` keeps it between builds).
pub fn build_keeping(config: &Config) -> Result<(BuildReport, Snapshot)> {
    check_output(config)?;
    settled(|| build_from(config, InputStamp::take(config), Instant::now()))
}

/// Builds again at once, a few times at most, while a build fails only
/// because a file was saved while it ran (a body read again no longer
/// matches what was loaded): the result is the saved files' build, not
/// "build again". The failed tries wrote nothing.
fn settled<T>(mut build: impl FnMut() -> Result<T>) -> Result<T> {
    const AGAIN: usize = 3;
    let mut result = build();
    for _ in 0..AGAIN {
        match &result {
            Err(Error::Changed { .. }) => result = build(),
            _ => break,
        }
    }
    result
}

fn build_from(config: &Config, inputs: InputStamp, started: Instant) -> Result<(BuildReport, Snapshot)> {
    let mut report = BuildReport::default();
    let mut stage = Stopwatch::new();
    // The theme's templates are parsed (a fixed cost of every build, clean
    // or not) on a thread of their own while the content loads and is
    // indexed. A content error is still reported first, as when the theme
    // was read after it; a theme error once the content is good.
    let (archive, index, plan, renderer) = std::thread::scope(|scope| -> Result<_> {
        let theme = scope.spawn(|| Theme::load(config).and_then(Renderer::new));
        let archive = load_archive(config)?;
        report.stages.push(stage.lap("load"));
        let index = build_index(&archive);
        let plan = plan_pages(&archive, &index, config.site.paginate_by);
        report.stages.push(stage.lap("index"));
        let renderer = theme.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Ok((archive, index, plan, renderer))
    })?;
    let output = Output::open(&config.root, &config.output, renderer.fingerprint(config), config.clean, config.force)?;
    // The search stage's first phase walks every text that changed: the
    // reuse stage reads what it keeps (prints and texts), and the index is
    // joined after rendering, keeping the files whose inputs did not
    // change. Passages that are up to date are kept as they are.
    let words = Words { language: &config.site.language, t: &renderer.theme.words };
    let search = search_inputs(&archive, &index, &words);
    let store = RunStore::in_dir(cache_dir(&config.root).join("search"), !config.clean);
    let kept =
        reuse::Kept::new(cache_dir(&config.root).join("reuse.bin"), search.fingerprint.0, &archive, !config.clean);
    let runs = search.runs(&store)?;
    report.stages.push(stage.lap("search"));
    let passages = match kept.load() {
        Some(passages) => passages,
        None => {
            let (found, state) = reuse::find(&archive, &runs, kept.load_state(), Some(&kept))?;
            kept.save(&found);
            kept.save_state(&state);
            found
        }
    };
    report.stages.push(stage.lap("reuse"));
    let rendered = render_site(&renderer, config, &archive, &index, &passages, &plan, &output)?;
    report.stages.push(stage.lap("render"));
    search.write(runs, &output)?;
    report.stages.push(stage.lap("search"));
    report.static_files = write_static(&renderer.theme, &output)?;
    let counts = (archive.documents.len(), rendered.pages);
    report.write = output.commit(inputs, counts)?;
    report.stages.push(stage.lap("write"));

    // The search stage's two phases, around rendering, as one stage.
    let mut stages: Vec<Stage> = Vec::new();
    for stage in report.stages.drain(..) {
        match stages.iter_mut().find(|s| s.name == stage.name) {
            Some(s) => {
                (s.time, s.peak) = (s.time + stage.time, stage.peak.max(s.peak));
                s.grew = s.grew.zip(stage.grew).map(|(a, b)| a + b);
            }
            None => stages.push(stage),
        }
    }
    report.stages = stages;
    report.documents = archive.documents.len();
    (report.pages, report.rendered, report.warnings) = (rendered.pages, rendered.rendered, rendered.warnings);
    report.notes = notes(config);
    report.total = started.elapsed();
    Ok((report, Snapshot { config: config.clone(), archive, index, plan, renderer, passages }))
}

/// Notes on a good build: a site under a sub-path has its robots.txt where
/// crawlers never look.
pub fn notes(config: &Config) -> Vec<String> {
    let base = config.base_path();
    if base == "/" {
        return Vec::new();
    }
    let host = config.site.base_url.strip_suffix(&base[1..]).unwrap_or(&config.site.base_url);
    vec![format!(
        "note: the site lives under {base}, and crawlers read robots.txt only at {host}robots.txt; \
         copy the lines of {}robots.txt into that file",
        config.site.base_url
    )]
}

/// What `archive check` found: how many documents, and the problems that
/// would not stop a build.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub documents: usize,
    pub warnings: Vec<Diagnostic>,
    /// Drafts that wait for a human (their `needs`).
    pub pending: Vec<crate::model::Pending>,
}

/// Validates everything a build would, writing nothing but the load cache.
pub fn check(config: &Config) -> Result<CheckReport> {
    let archive = load_archive(config)?;
    let raw = crate::load::check_raw_files(&archive);
    if !raw.is_empty() {
        return Err(Error::Input(crate::diagnostics::Diagnostics::sorted(raw)));
    }
    let index = build_index(&archive);
    let plan = plan_pages(&archive, &index, config.site.paginate_by);
    let renderer = Renderer::new(Theme::load(config)?)?;
    let rendered = render_site(&renderer, config, &archive, &index, &Passages::default(), &plan, &Discard)?;
    Ok(CheckReport { documents: archive.documents.len(), warnings: rendered.warnings, pending: archive.pending })
}

/// What `archive concordance` asks: a query (as the search page reads it),
/// filters as `(facet key, term slug or name)`, the characters of context
/// either side, the order.
#[derive(Debug, Clone, Default)]
pub struct ConcordanceRequest {
    pub query: String,
    pub filters: Vec<(String, String)>,
    pub context: usize,
    pub order: crate::search::Order,
}

/// Every occurrence, and what a line shows of its document.
#[derive(Debug)]
pub struct ConcordanceReport {
    pub lines: Vec<crate::search::Line>,
    /// Per document number: date (`2020-04-03`), URL, title.
    pub documents: Vec<(String, String, String)>,
}

/// Every occurrence of a query in the archive's text, in context: the
/// documents from the index the last build wrote (`<output>/search/`),
/// the occurrences from their text. An index older than the text is an
/// error, not wrong lines.
pub fn concordance(config: &Config, request: &ConcordanceRequest) -> Result<ConcordanceReport> {
    let archive = load_archive(config)?;
    let index = build_index(&archive);
    // A kind may be named in the site's language too (讲话 for speech).
    let words = Theme::load(config)?.words;
    let mut filters = crate::search::Filters::default();
    for (key, value) in &request.filters {
        let Some(&facet) = crate::search::FACETS.iter().find(|f| f.key() == key) else {
            let keys: Vec<&str> = crate::search::FACETS.iter().map(|f| f.key()).collect();
            return Err(Error::Usage(format!("no filter `{key}`: filters are {}", keys.join(", "))));
        };
        let named = |t: &crate::index::Term| {
            t.slug == *value || t.name == *value || words.get(&format!("kind_{}", t.name)) == Some(value)
        };
        let Some(term) = index.facet(facet).terms.iter().find(|t| named(t)) else {
            return Err(Error::Usage(format!("no {key} `{value}` in the archive")));
        };
        filters.0.entry(key.clone()).or_default().push(term.slug.clone());
    }
    if !config.output.join("search/meta.json").is_file() {
        return Err(Error::Usage(format!(
            "no search index in {}: build the site first (archive build)",
            config.output.display()
        )));
    }
    let published = crate::search::OutputIndex(config.output.clone());
    let lines =
        crate::search::concordance(&published, &archive, &request.query, &filters, request.context, request.order)?;
    let documents = archive
        .documents
        .iter()
        .map(|d| (d.date.to_string(), crate::index::document_url(d), d.title.clone()))
        .collect();
    Ok(ConcordanceReport { lines, documents })
}

/// Copies the theme's static files, then the site's (which win), to `static/`.
fn write_static(theme: &Theme, sink: &dyn Sink) -> Result<usize> {
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    if let Some(dir) = theme.embedded_static {
        for file in all_files(dir) {
            let rel = file
                .path()
                .strip_prefix(crate::config::STATIC_DIR)
                .unwrap_or(file.path())
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, file.contents().to_vec());
        }
    }
    for dir in &theme.static_dirs {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Error::io("read", path, e.into())
            })?;
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
                files.insert(rel, std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?);
            }
        }
    }
    for (rel, bytes) in &files {
        let rel = format!("static/{rel}");
        sink.write(&rel, bytes)?;
    }
    Ok(files.len())
}

fn all_files(dir: &'static include_dir::Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

/// A stage's wall time, the process's peak resident memory when it ended
/// and how much that peak rose while it ran: the memory the stage added to
/// the build's (where the system tells: Linux).
#[derive(Debug)]
pub struct Stage {
    pub name: &'static str,
    pub time: Duration,
    pub peak: Option<u64>,
    pub grew: Option<u64>,
}

/// Peak resident memory of this process so far, in bytes.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    Some(kb * 1024)
}

/// The time and peak memory when the last stage ended.
struct Stopwatch(Instant, Option<u64>);

impl Stopwatch {
    fn new() -> Self {
        Stopwatch(Instant::now(), peak_memory())
    }

    fn lap(&mut self, name: &'static str) -> Stage {
        let (now, peak) = (Instant::now(), peak_memory());
        let (time, grew) = (now - self.0, peak.zip(self.1).map(|(p, before)| p.saturating_sub(before)));
        (self.0, self.1) = (now, peak);
        Stage { name, time, peak, grew }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_that_met_a_file_saved_while_it_ran_is_run_again() {
        use std::path::Path;
        let changed = || Error::Changed { path: "a.md".into() };
        let other = || Error::at(Diagnostic::new(Path::new("a.md"), 3, 7, "not a date"));
        // Two builds meet a save; the third sees the file settled.
        let mut runs = 0;
        let result = settled(|| {
            runs += 1;
            if runs < 3 {
                Err(changed())
            } else {
                Ok(runs)
            }
        });
        assert_eq!((result.ok(), runs), (Some(3), 3));
        // A real error is reported at once, not built again.
        let mut runs = 0;
        let result: Result<(), _> = settled(|| {
            runs += 1;
            Err(other())
        });
        assert_eq!((result.unwrap_err().to_string(), runs), (other().to_string(), 1));
        // A file that never settles: given up after a few builds.
        let mut runs = 0;
        let result: Result<(), _> = settled(|| {
            runs += 1;
            Err(changed())
        });
        assert!(matches!(result, Err(Error::Changed { .. })));
        assert_eq!(runs, 4);
    }
}
