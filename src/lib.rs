//! speech-archive: a static site generator for archives of speeches.
//!
//! The pipeline is load → index → search → reuse → render → write,
//! sequenced by [`build::build`]; each stage is a module named after it.
//! `ARCHITECTURE.md` says what each module owns and which it may import
//! (a test holds the code to it). The library
//! prints nothing: it returns reports and [`error::Error`]s, and the
//! `archive` binary (`src/main.rs`, with its command line in `src/cli.rs`)
//! prints them and chooses the exit code.

pub mod build;
pub mod cite;
pub mod compare;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod identity;
pub mod import;
pub mod index;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod places;
pub mod render;
pub mod reuse;
pub mod script;
pub mod search;
pub mod serve;
pub mod sink;
pub mod slug;
pub mod words;
pub mod write;

pub use error::{Error, Result};
