//! The no-change fast path. A build records a stamp of its inputs (path,
//! size and modification time of every content, theme and site file, the
//! settings and this program) and a digest of the output it left. When the
//! next build finds the same stamp and the output as it was left, there is
//! nothing to do. A file modified less than two seconds before the stamp
//! was taken could change again within the same timestamp tick, so such a
//! stamp is never recorded: the next build then does the full work.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::cache::{stamp, Manifest};
use crate::config::Config;

const FORMAT: u32 = 1;
/// How much older than the stamp a file must be for its size and time to
/// stand for its content.
const SETTLED: Duration = Duration::from_secs(2);

/// What the last build saw and left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freshness {
    format: u32,
    inputs: u64,
    output: u64,
    files: usize,
    pub documents: usize,
    pub pages: usize,
}

/// The stamp of this build's inputs, or `None` when one of them is too
/// recent to be judged by its size and time.
#[derive(Debug, Clone, Copy, Default)]
pub struct InputStamp(Option<u64>);

impl InputStamp {
    pub fn take(config: &Config) -> InputStamp {
        let settled = SystemTime::now() - SETTLED;
        let mut h = Xxh3::new();
        let exe = std::env::current_exe().ok().and_then(|p| stamp(&p));
        let settings = format!("{} {exe:?} {:?} {} {}", env!("CARGO_PKG_VERSION"), config.site, config.drafts, FORMAT);
        h.update(settings.as_bytes());
        let root = &config.root;
        let folders = [
            root.join(crate::load::CONTENT_DIR),
            root.join("themes").join(&config.site.theme),
            root.join("templates"),
            root.join("static"),
        ];
        let mut all_settled = true;
        for file in std::iter::once(root.join(crate::config::SITE_FILE)).chain(folders.iter().flat_map(|f| files(f))) {
            let Ok(meta) = std::fs::metadata(&file) else { return InputStamp(None) };
            let modified = meta.modified().unwrap_or(UNIX_EPOCH);
            all_settled &= modified < settled;
            let nanos = modified.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
            h.update(file.as_os_str().as_encoded_bytes());
            h.update(&meta.len().to_le_bytes());
            h.update(&nanos.to_le_bytes());
        }
        InputStamp(all_settled.then(|| h.digest()))
    }

    /// The last build's counts, when its inputs were these and its output
    /// in `config.output` is still exactly as it left it.
    pub fn unchanged(&self, config: &Config) -> Option<Freshness> {
        let inputs = self.0.filter(|_| !config.clean)?;
        let text = std::fs::read(path(&config.root, &config.output)).ok()?;
        let last: Freshness = serde_json::from_slice(&text).ok()?;
        (last.format == FORMAT && last.inputs == inputs && output_digest(&config.output) == Some((last.output, last.files)))
            .then_some(last)
    }
}

/// Records, after a build, what the next one compares against; removes
/// the record when the inputs could not be stamped.
pub(super) fn record(root: &Path, output: &Path, inputs: InputStamp, manifest: &Manifest, counts: (usize, usize)) {
    let path = path(root, output);
    let Some(inputs) = inputs.0 else {
        let _ = std::fs::remove_file(&path);
        return;
    };
    let entries = manifest.files.iter().map(|(rel, e)| entry_digest(rel, e.size, e.mtime_ns));
    let (output, files) = entries.fold((0u64, 0usize), |(sum, n), d| (sum.wrapping_add(d), n + 1));
    let fresh = Freshness { format: FORMAT, inputs, output, files, documents: counts.0, pages: counts.1 };
    if let Ok(bytes) = serde_json::to_vec(&fresh) {
        let _ = std::fs::write(path, bytes);
    }
}

/// Forgets the record, before the output changes.
pub(super) fn forget(root: &Path, output: &Path) {
    let _ = std::fs::remove_file(path(root, output));
}

fn path(root: &Path, output: &Path) -> PathBuf {
    Manifest::path(root, output).with_extension("fresh")
}

/// Every file under `dir` (none if it does not exist).
fn files(dir: &Path) -> impl Iterator<Item = PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
}

/// An order-free digest of every file in `output` (path, size, time), and
/// their count.
fn output_digest(output: &Path) -> Option<(u64, usize)> {
    let mut sum = 0u64;
    let mut count = 0;
    for entry in walkdir::WalkDir::new(output).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(output).ok()?.to_string_lossy().replace('\\', "/");
        let (size, mtime) = stamp(entry.path())?;
        sum = sum.wrapping_add(entry_digest(&rel, size, mtime));
        count += 1;
    }
    Some((sum, count))
}

fn entry_digest(rel: &str, size: u64, mtime_ns: u128) -> u64 {
    let mut bytes = Vec::with_capacity(rel.len() + 24);
    bytes.extend_from_slice(rel.as_bytes());
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes.extend_from_slice(&mtime_ns.to_le_bytes());
    xxh3_64(&bytes)
}
