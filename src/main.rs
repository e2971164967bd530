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
                    "built {} document{} into {} pages ({how}) in {} in {:.2} s",
                    report.documents,
                    if report.documents == 1 { "" } else { "s" },
                    report.pages,
                    config.output.display(),
                    report.total.as_secs_f64()
                );
                for note in &report.notes {
                    println!("{note}");
                }
            }
            Ok(())
        }
        Command::Check(args) => {
            let config = Config::load(&args.root, None, None, args.drafts)?;
            let documents = build::check(&config)?;
            if !cli.quiet {
                println!("checked {documents} document{}: no problems", if documents == 1 { "" } else { "s" });
            }
            Ok(())
        }
        Command::Serve(args) => serve::run(args, cli.quiet),
        Command::Import(args) => import::run(args, cli.quiet),
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
