//! The load cache: every document the last build parsed, keyed by its path
//! and the digest of its file's bytes, so that an unchanged file skips the
//! YAML parser and the schema checks. The bytes are read and hashed every
//! time (theme rules read the body anyway), so a file changed behind the cache's
//! back, however quickly, is never mistaken for the cached one. A cache
//! made by another program or other settings, or that does not parse, is
//! ignored and rewritten.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Document;

const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
pub struct LoadCache {
    format: u32,
    /// Digest of the program and of the settings that shape parsing.
    settings: u64,
    /// Path → (digest of the file, the document parsed from it, without body).
    documents: HashMap<PathBuf, (u64, Document)>,
}

impl LoadCache {
    pub fn path(root: &Path) -> PathBuf {
        crate::identity::cache_dir(root).join("load.json")
    }

    /// The cache at `path` if it is whole and was made under `settings`;
    /// else an empty one.
    pub fn open(path: &Path, settings: u64) -> LoadCache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<LoadCache>(&bytes).ok())
            .filter(|c| c.format == FORMAT && c.settings == settings)
            .unwrap_or_else(|| LoadCache::empty(settings))
    }

    pub fn empty(settings: u64) -> LoadCache {
        LoadCache { format: FORMAT, settings, documents: HashMap::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The document parsed from `rel` when its bytes hashed to `digest`.
    pub fn get(&self, rel: &Path, digest: u64) -> Option<&Document> {
        self.documents.get(rel).filter(|(d, _)| *d == digest).map(|(_, doc)| doc)
    }

    /// True when `documents` are exactly what the cache holds.
    pub fn holds(&self, documents: &[Document]) -> bool {
        documents.len() == self.documents.len()
            && documents.iter().all(|d| self.documents.get(&d.path).is_some_and(|(digest, _)| *digest == d.digest))
    }

    /// Replaces the cache with `documents`; a cache that cannot be saved
    /// only costs the next build time.
    pub fn save(path: &Path, settings: u64, documents: &[Document]) {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            format: u32,
            settings: u64,
            documents: HashMap<&'a Path, (u64, &'a Document)>,
        }
        let cache = Borrowed {
            format: FORMAT,
            settings,
            documents: documents.iter().map(|d| (d.path.as_path(), (d.digest, d))).collect(),
        };
        if let Ok(bytes) = serde_json::to_vec(&cache) {
            let _ = crate::identity::atomic_write(path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, digest: u64) -> Document {
        let text = "---\ntitle: 讲话\ndate: 2020\nspeaker: 某\ncity: 安康市\n---\n\n正文\n";
        let mut d = crate::load::parse_document(Path::new(path), text, &[]).unwrap();
        d.digest = digest;
        d.body = crate::model::Body::InFile;
        d
    }

    #[test]
    fn a_cache_answers_only_for_the_same_bytes_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = LoadCache::path(dir.path());
        let docs = [doc("content/speeches/a.md", 1), doc("content/speeches/b.md", 2)];
        LoadCache::save(&path, 7, &docs);
        let cache = LoadCache::open(&path, 7);
        assert_eq!(cache.get(Path::new("content/speeches/a.md"), 1), Some(&docs[0]));
        assert_eq!(cache.get(Path::new("content/speeches/a.md"), 3), None, "other bytes");
        assert!(cache.holds(&docs));
        assert!(!cache.holds(&docs[..1]));
        assert!(LoadCache::open(&path, 8).get(Path::new("content/speeches/a.md"), 1).is_none(), "other settings");
        std::fs::write(&path, b"{\"format\":1,\"settings\":7,\"documents\":{").unwrap();
        assert!(LoadCache::open(&path, 7).get(Path::new("content/speeches/a.md"), 1).is_none(), "corrupt");
    }
}
