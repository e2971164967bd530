//! The `archive` binary: parse the command line, call the library, print
//! diagnostics, exit 0 (success), 1 (content errors) or 2 (usage errors).

use std::process::ExitCode;

use clap::Parser;
use speech_archive::cli::{Cli, Command};
use speech_archive::config::Config;
use speech_archive::diagnostics::Diagnostics;
use speech_archive::{build, import, init, serve};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Import(args) = &cli.command {
        return run_import(args, cli.quiet);
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            let n = diagnostics.0.len();
            eprintln!("error: {n} problem{} found; nothing was written", if n == 1 { "" } else { "s" });
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Diagnostics> {
    match &cli.command {
        Command::Build(args) => {
            let mut config =
                Config::load(&args.site.root, args.output.as_deref(), args.base_url.as_deref(), args.site.drafts)?;
            config.clean = args.clean;
            let report = build::build(&config)?;
            if cli.verbose {
                for stage in &report.stages {
                    let peak =
                        stage.peak.map(|b| format!("  peak memory {:>6.1} MB", b as f64 / 1e6)).unwrap_or_default();
                    eprintln!("{:>8}  {:>8.1} ms{peak}", stage.name, stage.time.as_secs_f64() * 1000.0);
                }
            }
            if !cli.quiet {
                let w = &report.write;
                let how = if w.incremental {
                    format!("{} re-rendered, {} files written, {} removed", report.rendered, w.written, w.removed)
                } else {
                    format!("{} static files", report.static_files)
                };
                println!(
                    "built {} documents into {} pages ({how}) in {} in {:.2} s",
                    report.documents,
                    report.pages,
                    config.output.display(),
                    report.total.as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Check(args) => {
            let config = Config::load(&args.root, None, None, args.drafts)?;
            let checked = build::check(&config)?;
            for p in &checked.pending {
                println!("{}: needs a human: {} (draft)", p.path.display(), p.needs.join(", "));
            }
            if !cli.quiet {
                let pending = match checked.pending.len() {
                    0 => String::new(),
                    1 => "; 1 draft needs a human (listed above)".to_string(),
                    n => format!("; {n} drafts need a human (listed above)"),
                };
                println!("checked {} documents: no problems{pending}", checked.documents);
            }
            Ok(())
        }
        Command::Serve(args) => serve::run(args, cli.quiet),
        Command::Import(_) => unreachable!("handled by run_import"),
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

/// `archive import`: every file that can be imported is written, each one
/// that cannot is reported as `path:line:col: message`, and the exit status
/// is 1 if there was any.
fn run_import(args: &speech_archive::cli::ImportArgs, quiet: bool) -> ExitCode {
    let progress = progress_bar(args.files.len(), quiet);
    let outcome = import::run(args, &|| progress.inc(1));
    progress.finish_and_clear();
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::from(1);
        }
    };
    if !quiet {
        print!("{}", import::render_text(&outcome.report));
    }
    let documents: usize = outcome.report.files.iter().map(|f| f.documents.len()).sum();
    let verb = if args.dry_run { "would write" } else { "wrote" };
    if outcome.problems.0.is_empty() {
        if !quiet {
            println!("imported {} file(s): {verb} {documents} document(s)", outcome.report.files.len());
        }
        return ExitCode::SUCCESS;
    }
    eprintln!("{}", outcome.problems);
    let bad: std::collections::BTreeSet<_> = outcome.problems.0.iter().map(|d| d.path.clone()).collect();
    eprintln!(
        "error: {} file(s) not imported (listed above); {} imported: {verb} {documents} document(s)",
        bad.len(),
        outcome.report.files.len()
    );
    ExitCode::from(1)
}

/// A progress bar on stderr for a batch, hidden when quiet, for a single
/// file, or when stderr is not a terminal.
fn progress_bar(len: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || len < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("importing {bar:30} {pos}/{len} files") {
        bar.set_style(style);
    }
    bar
}
