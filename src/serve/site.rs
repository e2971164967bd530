//! What the server serves, shared by the request threads (which read it)
//! and the rebuild loop (which updates it): the output folder, the base
//! path, pages rendered ahead of their build, the queue of drafts, the
//! live-reload channel.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

use super::reload::LiveReload;
use crate::model::Pending;

/// What the server serves: read by request threads, updated by rebuilds.
pub struct Site {
    pub output: PathBuf,
    base_path: RwLock<String>,
    /// Pages rendered ahead of the build that will write them (an edited
    /// document's own page), by path under the output folder; served
    /// instead of the file until that build commits.
    ahead: RwLock<HashMap<String, Vec<u8>>>,
    /// Drafts that need a human, as the last good build found them.
    queue: RwLock<Vec<Pending>>,
    pub live: LiveReload,
}

impl Site {
    pub fn new(output: PathBuf, base_path: String) -> Site {
        Site {
            output,
            base_path: RwLock::new(base_path),
            ahead: Default::default(),
            queue: Default::default(),
            live: LiveReload::default(),
        }
    }

    /// The drafts waiting for a human, as the last good build found them.
    pub fn queue(&self) -> Vec<Pending> {
        self.queue.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The drafts the last good build found waiting for a human.
    pub fn set_queue(&self, queue: Vec<Pending>) {
        *self.queue.write().unwrap_or_else(|e| e.into_inner()) = queue;
    }

    /// Serves `bytes` for `rel` until [`Site::clear_ahead`].
    pub fn serve_ahead(&self, rel: String, bytes: Vec<u8>) {
        self.ahead.write().unwrap_or_else(|e| e.into_inner()).insert(rel, bytes);
    }

    /// The build caught up: the output folder is the truth again.
    pub fn clear_ahead(&self) {
        self.ahead.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub fn ahead_of(&self, rel: &str) -> Option<Vec<u8>> {
        let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
        self.ahead.read().unwrap_or_else(|e| e.into_inner()).get(&rel).cloned()
    }

    pub fn base_path(&self) -> String {
        self.base_path.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `site.toml`'s `base_url` may change between builds.
    pub fn set_base_path(&self, base_path: String) {
        *self.base_path.write().unwrap_or_else(|e| e.into_inner()) = base_path;
    }
}
