//! The `archive` binary: parse the command line, call the library, print
//! what it reports, exit 0 (success, warnings included), 1 (the archive's
//! files have problems, or reading or writing failed) or 2 (usage: the
//! command asks for something the archive refuses). The only place that
//! prints.

mod cli;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use cli::{Cli, Command};
use speech_archive::build::BuildReport;
use speech_archive::config::Config;
use speech_archive::diagnostics::{sanitize, Diagnostic};
use speech_archive::serve::Event;
use speech_archive::{build, import, init, serve, Error};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Import(args) = &cli.command {
        return run_import(args, cli.quiet);
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report_error(&error);
            ExitCode::from(match error {
                Error::Usage(_) => 2,
                _ => 1,
            })
        }
    }
}

fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Build(args) => {
            let config = build::configure(&args.options())?;
            let report = build::build(&config)?;
            warn(&report.warnings);
            if cli.verbose {
                for stage in &report.stages {
                    let mb = |b: u64| b as f64 / 1e6;
                    let peak = stage.peak.map(|b| format!("  peak memory {:>6.1} MB", mb(b))).unwrap_or_default();
                    let grew = stage.grew.map(|b| format!(" (+{:.1} MB)", mb(b))).unwrap_or_default();
                    eprintln!("{:>8}  {:>8.1} ms{peak}{grew}", stage.name, stage.time.as_secs_f64() * 1000.0);
                }
            }
            if !cli.quiet {
                println!("{}", summary(&report, &config.output));
                for note in &report.notes {
                    println!("{}", sanitize(note));
                }
            }
            // The site is published; old trees set aside are still being
            // removed.
            speech_archive::write::wait_for_removals();
            Ok(())
        }
        Command::Check(args) => {
            let config = build::configure(&args.options())?;
            let report = build::check(&config)?;
            warn(&report.warnings);
            for p in &report.pending {
                // A file name and YAML values: escaped to one line.
                println!(
                    "{}",
                    sanitize(&format!("{}: needs a human: {} (draft)", p.path.display(), p.needs.join(", ")))
                );
            }
            if !cli.quiet {
                let pending = match report.pending.len() {
                    0 => String::new(),
                    n => format!(
                        "; {} {} a human (listed above)",
                        count(n, "draft"),
                        if n == 1 { "needs" } else { "need" }
                    ),
                };
                println!("checked {}: no problems{pending}", count(report.documents, "document"));
            }
            Ok(())
        }
        Command::Serve(args) => {
            let quiet = cli.quiet;
            serve::run(&args.options(), Arc::new(move |event| report_serve(event, quiet)))
        }
        Command::Import(_) => unreachable!("`import` has its own exit status: run_import"),
        Command::Concordance(args) => {
            let config = Config::load(&args.options())?;
            let report = build::concordance(&config, &args.request())?;
            print_concordance(&report, args.csv, args.context).map_err(|e| Error::io("write", "standard output", e))?;
            if !cli.quiet {
                let mut seen = vec![false; report.documents.len()];
                let documents = report.lines.iter().filter(|l| !std::mem::replace(&mut seen[l.doc], true)).count();
                eprintln!("{} in {}", count(report.lines.len(), "occurrence"), count(documents, "document"));
            }
            Ok(())
        }
        Command::Init { dir } => {
            init::init(dir)?;
            if !cli.quiet {
                println!(
                    "created a new archive in {}; build it with: archive build --root {}",
                    dir.display(),
                    dir.display()
                );
            }
            Ok(())
        }
    }
}

/// `built 3 documents into 41 pages (…) in public in 0.12 s`.
fn summary(report: &BuildReport, output: &Path) -> String {
    let w = &report.write;
    let mut how = if w.incremental {
        format!("{} re-rendered, {} written, {} removed", report.rendered, count(w.written, "file"), w.removed)
    } else {
        count(report.static_files, "static file")
    };
    if !w.foreign.is_empty() {
        how.push_str(&format!("; kept {} it did not write", count(w.foreign.len(), "file")));
    }
    format!(
        "built {} into {} ({how}) in {} in {:.2} s",
        count(report.documents, "document"),
        count(report.pages, "page"),
        output.display(),
        report.total.as_secs_f64()
    )
}

/// A concordance: a line an occurrence, the matches in one column (the
/// left context padded with ideographic spaces to `context` characters,
/// which lines up Chinese text), then date and link; or CSV. Written
/// straight into the buffer: a concordance may have a million lines.
fn print_concordance(report: &build::ConcordanceReport, csv: bool, context: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let pad = |out: &mut dyn Write, s: &str| -> std::io::Result<()> {
        for _ in s.chars().count()..context {
            out.write_all("\u{3000}".as_bytes())?;
        }
        Ok(())
    };
    if csv {
        writeln!(out, "date,title,url,anchor,left,match,right")?;
    }
    for line in &report.lines {
        let (date, url, title) = &report.documents[line.doc];
        let (left, matched, right) = (sanitize(&line.left), sanitize(&line.matched), sanitize(&line.right));
        if csv {
            let fields = [date.as_str(), &sanitize(title), url, &line.anchor, &left, &matched, &right];
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(csv_field(field).as_bytes())?;
            }
            out.write_all(b"\n")?;
        } else {
            pad(&mut out, &left)?;
            write!(out, "{left}【{matched}】{right}")?;
            pad(&mut out, &right)?;
            write!(out, "  {date}  {url}")?;
            if !line.anchor.is_empty() {
                write!(out, "#{}", line.anchor)?;
            }
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_field(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// `1 document`, `2 documents`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `archive import`: every file that can be imported is written; each one
/// that cannot is listed as `path:line:col: message` and makes the exit
/// status 1.
fn run_import(args: &cli::ImportArgs, quiet: bool) -> ExitCode {
    let bar = ProgressBar::new(args.files.len(), quiet);
    let report = import::run(&args.options(), &bar);
    bar.0.finish_and_clear();
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            report_error(&error);
            return ExitCode::from(1);
        }
    };
    if !quiet {
        print!("{}", import::render_text(&report));
    }
    let documents: usize = report.files.iter().map(|f| f.documents.len()).sum();
    let verb = if report.dry_run { "would write" } else { "wrote" };
    let imported = format!("{} imported: {verb} {}", count(report.files.len(), "file"), count(documents, "document"));
    if report.problems.is_empty() {
        if !quiet {
            println!("{imported}");
        }
        return ExitCode::SUCCESS;
    }
    for p in &report.problems {
        eprintln!("{p}");
    }
    let bad: std::collections::BTreeSet<_> = report.problems.iter().map(|d| &d.path).collect();
    eprintln!("error: {} not imported (listed above); {imported}", count(bad.len(), "file"));
    ExitCode::from(1)
}

fn report_error(error: &Error) {
    match error {
        Error::Input(problems) => {
            for line in error.lines() {
                eprintln!("{line}");
            }
            eprintln!("error: {} found; nothing was written", count(problems.0.len(), "problem"));
        }
        _ => {
            for line in error.lines() {
                eprintln!("error: {line}");
            }
        }
    }
}

/// Problems that did not stop the build, as `path:line:col: warning: …`.
fn warn(warnings: &[Diagnostic]) {
    for w in warnings {
        eprintln!("{}", w.as_warning());
    }
}

fn report_serve(event: Event, quiet: bool) {
    match event {
        Event::Serving { url, output } => println!("serving {} at {url} (Ctrl-C to stop)", output.display()),
        Event::Exposed { addr } => eprintln!(
            "warning: the preview listens on {addr}, not on loopback: anyone who can reach this machine over the network can read the site"
        ),
        Event::Queue { url, drafts } => {
            println!("{} a human: {url}", count(drafts, "draft") + if drafts == 1 { " needs" } else { " need" })
        }
        Event::Built { changed, report, time } => {
            warn(&report.warnings);
            if !quiet {
                println!(
                    "{}: re-rendered {} of {}, wrote {} in {:.2} s",
                    describe_changes(changed),
                    report.rendered,
                    count(report.pages, "page"),
                    count(report.write.written, "file"),
                    time.as_secs_f64()
                );
            }
        }
        Event::Failed { changed, error } => {
            report_error(error);
            eprintln!("{}: build failed; still serving the last good site", describe_changes(changed));
        }
        Event::Trouble(message) => eprintln!("{}", sanitize(&message)),
    }
}

/// `built` at start, else `content/a.md, site.toml changed` (at most three
/// names).
fn describe_changes(changed: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    if changed.is_empty() {
        return "built".to_string();
    }
    let names: Vec<String> =
        changed.iter().take(SHOWN).map(|p| sanitize(&p.display().to_string()).into_owned()).collect();
    let more = changed.len().saturating_sub(SHOWN);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!("{}{more} changed", names.join(", "))
}

/// `archive import`'s progress bar, on a terminal and for two files or more.
struct ProgressBar(indicatif::ProgressBar);

impl ProgressBar {
    fn new(len: usize, quiet: bool) -> ProgressBar {
        use std::io::IsTerminal;
        if quiet || len < 2 || !std::io::stderr().is_terminal() {
            return ProgressBar(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        ProgressBar(bar)
    }
}

impl import::Progress for ProgressBar {
    fn file(&self, done: usize, _total: usize, path: &Path) {
        self.0.set_position(done as u64);
        self.0.set_message(sanitize(&path.display().to_string()).into_owned());
    }
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

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count(1, "document"), "1 document");
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(2, "static file"), "2 static files");
    }
}
