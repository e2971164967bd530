//! The one integration test binary: fixture sites under `tests/fixtures/`
//! are copied to a temporary folder and built with the real `archive`
//! binary; output HTML is read through an HTML parser.

mod architecture;
mod browser;
mod build;
mod cite;
mod compare;
mod concordance;
mod content;
mod corpus;
mod crash;
mod crawl;
mod data;
mod errors;
mod feeds;
mod files;
mod front_matter;
mod import;
mod incremental;
mod links;
mod output;
mod pages_in_browser;
mod provenance;
mod reuse;
mod search;
mod search_page;
mod serve;
mod support;
mod themes;
mod trends;
mod validate;
