//! The one integration test binary: fixture sites under `tests/fixtures/`
//! are copied to a temporary folder and built with the real `archive`
//! binary; output HTML is read through an HTML parser.

mod browser;
mod build;
mod content;
mod crash;
mod crawl;
mod errors;
mod import;
mod incremental;
mod output;
mod pages_in_browser;
mod search;
mod serve;
mod support;
mod themes;
mod validate;
