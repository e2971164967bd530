//! speech-archive: a static site generator for archives of speeches.
//!
//! The pipeline is load → index → render → write, sequenced by
//! [`build::build`]; each stage is a module named after it.

pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod import;
pub mod index;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod places;
pub mod render;
pub mod search;
pub mod serve;
pub mod slug;
pub mod write;
