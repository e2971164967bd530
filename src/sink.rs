//! Where the stages that make files (render, search) put them: the
//! [`Sink`] trait, which the write stage implements for the output folder
//! and [`Discard`] for `archive check`. It sits at the bottom of the module
//! graph so that the stages before `write` need not import it.

use crate::error::Result;
use crate::identity::Fingerprint;

/// Where finished files go. Implementations accept writes from many threads.
pub trait Sink: Sync {
    /// Writes a file whose bytes depend on nothing but themselves (static
    /// files, search shards).
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_page(rel, Fingerprint::of_bytes(bytes), bytes)
    }

    /// Writes a rendered page whose inputs hash to `fingerprint`.
    fn write_page(&self, rel: &str, fingerprint: Fingerprint, bytes: &[u8]) -> Result<()>;

    /// Writes a page made in pieces by `fill` (a file too large to hold
    /// whole in memory), whose inputs hash to `fingerprint`. By default the
    /// pieces are gathered and handed to [`Sink::write_page`].
    fn write_page_with(
        &self,
        rel: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.write_page(rel, fingerprint, &bytes)
    }

    /// True when the previous build wrote `rel` from the same inputs and the
    /// file is still as it left it: the page need not be rendered again.
    fn keep(&self, _rel: &str, _fingerprint: Fingerprint) -> bool {
        false
    }

    /// The file the previous build wrote to `rel` from inputs
    /// `fingerprint`, open for reading, when it is still as it left it (as
    /// for `keep`), for a stage that makes the new file partly from it.
    fn earlier(&self, _rel: &str, _fingerprint: Fingerprint) -> Option<std::fs::File> {
        None
    }

    /// False when `keep` is false for every page (no earlier build to
    /// keep from), so that callers need not work out fingerprints twice.
    fn may_keep(&self) -> bool {
        false
    }

    /// Keeps every file under `prefix` that the previous build wrote from
    /// `fingerprint`, when there is one and all are still as it left them
    /// (a stage's files, all made from the same inputs): returns how many.
    /// `None`: nothing kept, the caller writes them.
    fn keep_all(&self, _prefix: &str, _fingerprint: Fingerprint) -> Option<usize> {
        None
    }
}

/// A sink that keeps nothing (for `archive check`).
pub struct Discard;

impl Sink for Discard {
    fn write_page(&self, _: &str, _: Fingerprint, _: &[u8]) -> Result<()> {
        Ok(())
    }
}
