//! The `archive` command line: clap derive only, and each subcommand's
//! arguments as the library's plain option structs. Part of the binary, not
//! the library: clap types go no further than this file and `main.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use speech_archive::build::ConcordanceRequest;
use speech_archive::config::Options;
use speech_archive::import::ImportOptions;
use speech_archive::search::Order;
use speech_archive::serve::ServeOptions;

#[derive(Debug, Parser)]
#[command(name = "archive", version, about = "Publish an archive of speeches as a static website")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each stage's time and the peak memory when it ended.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render content/ through the theme into a static site.
    Build(BuildArgs),
    /// Build, serve the site on loopback, and rebuild live while you edit.
    Serve(ServeArgs),
    /// Validate every content file, setting and template; write nothing.
    Check(SiteArgs),
    /// Turn raw speech texts into clean content files with metadata.
    Import(ImportArgs),
    /// Print every occurrence of a query in the archive's text, in context
    /// (from the last build's search index and the content).
    Concordance(ConcordanceArgs),
    /// Create a new archive in DIR: site.toml, a sample speech, a README.
    Init {
        /// Folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The archive's folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

impl SiteArgs {
    pub fn options(&self) -> Options {
        Options { root: self.root.clone(), drafts: self.drafts, ..Options::default() }
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site [default: <root>/public].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Override site.toml's base_url, e.g. https://example.org/archive/.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Ignore the build cache (.archive-cache/) and render every page.
    #[arg(long)]
    pub clean: bool,
    /// Build into an output folder that holds files the archive did not
    /// write, keeping every one of them (the build stops before replacing any).
    #[arg(long)]
    pub force: bool,
}

impl BuildArgs {
    pub fn options(&self) -> Options {
        Options {
            output: self.output.clone(),
            base_url: self.base_url.clone(),
            clean: self.clean,
            force: self.force,
            ..self.site.options()
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Raw text files (UTF-8, GB18030/GBK or Big5).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The archive's folder: its content is compared to find reprints.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write content files [default: <root>/content/speeches].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Report what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite existing content files.
    #[arg(long)]
    pub force: bool,
    /// Also write the report as JSON to FILE.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

impl ImportArgs {
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            files: self.files.clone(),
            root: self.root.clone(),
            out: self.out.clone(),
            dry_run: self.dry_run,
            force: self.force,
            report: self.report.clone(),
            added: speech_archive::model::PartialDate::parse(&speech_archive::config::build_date()).ok(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to bind; loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of using file-system events.
    #[arg(long)]
    pub poll: bool,
    /// Where to write the site [default: <root>/public].
    #[arg(long)]
    pub output: Option<PathBuf>,
}

impl ServeArgs {
    pub fn options(&self) -> ServeOptions {
        ServeOptions {
            site: Options { output: self.output.clone(), ..self.site.options() },
            addr: SocketAddr::new(self.bind, self.port),
            open: self.open,
            poll: self.poll,
        }
    }
}

#[derive(Debug, Args)]
pub struct ConcordanceArgs {
    /// What to look for, as on the search page: terms separated by spaces
    /// must all occur in a document; phrases separated by commas are
    /// alternatives.
    pub query: String,
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where the site was built [default: <root>/public].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Only documents with this term of a facet: KEY=VALUE, KEY one of
    /// province, city, year, theme, speaker, kind, VALUE a name or a slug.
    /// Repeated: any of a facet's, all facets.
    #[arg(long = "filter", value_name = "KEY=VALUE", value_parser = parse_filter)]
    pub filters: Vec<(String, String)>,
    /// Characters of context either side of a match.
    #[arg(long, default_value_t = 20)]
    pub context: usize,
    /// Order of the lines: by date (oldest first), by left or by right context.
    #[arg(long, value_enum, default_value_t = SortArg::Date)]
    pub sort: SortArg,
    /// Print CSV: date, title, url, anchor, left, match, right.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    Date,
    Left,
    Right,
}

impl ConcordanceArgs {
    pub fn options(&self) -> Options {
        Options { output: self.output.clone(), ..self.site.options() }
    }

    pub fn request(&self) -> ConcordanceRequest {
        ConcordanceRequest {
            query: self.query.clone(),
            filters: self.filters.clone(),
            context: self.context,
            order: match self.sort {
                SortArg::Date => Order::Date,
                SortArg::Left => Order::Left,
                SortArg::Right => Order::Right,
            },
        }
    }
}

fn parse_filter(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((key, value)) if !key.is_empty() && !value.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("`{arg}` is not KEY=VALUE (e.g. year=2017, city=安康市)")),
    }
}
