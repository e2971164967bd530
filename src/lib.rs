//! speech-archive: a static site generator for archives of speeches.
//!
//! The pipeline is load → index → render → search → write, sequenced by
//! [`build::build`]; each stage is a module named after it. The library
//! prints nothing: it returns reports and [`error::Error`]s, and the
//! `archive` binary (`src/main.rs`, with its command line in `src/cli.rs`)
//! prints them and chooses the exit code.

pub mod build;
pub mod compare;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod import;
pub mod index;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod places;
pub mod render;
pub mod reuse;
pub mod search;
pub mod serve;
pub mod slug;
pub mod write;

pub use error::{Error, Result};
