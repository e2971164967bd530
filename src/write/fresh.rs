//! The no-change fast path. A build records a stamp of its inputs (path,
//! size and modification time of every content, theme and site file, the
//! settings and this program) and a digest of the output it left. When the
//! next build finds the same stamp and the output as it was left, there is
//! nothing to do. A file modified less than two seconds before the stamp
//! was taken could change again within the same timestamp tick, so such a
//! stamp is never recorded: the next build then does the full work.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::cache::{output_key, Manifest};
use crate::config::Config;
use crate::identity::cache_dir;
use crate::identity::stamp;

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
        // The build date is among the settings: pages that show it change with it.
        let settings = format!(
            "{:?} {:?} {} {} {}",
            crate::identity::program(),
            config.site,
            config.drafts,
            config.build_date,
            FORMAT
        );
        let folders = config.source_dirs();
        let site = config.root.join(crate::config::SITE_FILE);
        let Some((size, modified)) = stamp(&site) else { return InputStamp(None) };
        let mut files = vec![(site.to_string_lossy().into_owned(), size, modified)];
        for folder in &folders {
            files.extend(stamps(folder).into_iter().map(|(p, size, t, _)| (p.to_string_lossy().into_owned(), size, t)));
        }
        let settled = settled.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
        if files.iter().any(|f| f.2 >= settled) {
            return InputStamp(None);
        }
        let sum = files
            .iter()
            .fold(xxh3_64(settings.as_bytes()), |sum, (p, size, t)| sum.wrapping_add(entry_digest(p, *size, *t)));
        InputStamp(Some(sum ^ files.len() as u64))
    }

    /// The last build's counts, when its inputs were these and its output
    /// in `config.output` is still exactly as it left it.
    pub fn unchanged(&self, config: &Config) -> Option<Freshness> {
        let inputs = self.0.filter(|_| !config.clean)?;
        let text = std::fs::read(path(&config.root, &config.output)).ok()?;
        let last: Freshness = serde_json::from_slice(&text).ok()?;
        (last.format == FORMAT
            && last.inputs == inputs
            && output_digest(&config.output) == Some((last.output, last.files)))
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
    let ours = manifest.files.iter().map(|(rel, e)| (rel, e.size, e.mtime_ns));
    let foreign = manifest.foreign.iter().map(|(rel, (size, mtime))| (rel, *size, *mtime));
    let entries = ours.chain(foreign).map(|(rel, size, mtime)| entry_digest(rel, size, mtime));
    let (output, files) = entries.fold((0u64, 0usize), |(sum, n), d| (sum.wrapping_add(d), n + 1));
    let fresh = Freshness { format: FORMAT, inputs, output, files, documents: counts.0, pages: counts.1 };
    if let Ok(bytes) = serde_json::to_vec(&fresh) {
        let _ = crate::identity::atomic_write(&path, &bytes);
    }
}

/// Forgets the record, before the output changes.
pub(super) fn forget(root: &Path, output: &Path) {
    let _ = std::fs::remove_file(path(root, output));
}

fn path(root: &Path, output: &Path) -> PathBuf {
    cache_dir(root).join(format!("{}.fresh", output_key(output)))
}

/// Path, size, modification time (ns) and inode number of every file
/// under `dir` (none if it does not exist), folders read in parallel.
/// Sizes and times are those of the files links point to; a link to a
/// folder, a dangling link or a loop is stamped as too recent to judge
/// (loading follows links).
pub(super) fn stamps(dir: &Path) -> Vec<(PathBuf, u64, u128, u64)> {
    type Found = Mutex<Vec<(PathBuf, u64, u128, u64)>>;
    fn visit<'s>(scope: &rayon::Scope<'s>, dir: PathBuf, found: &'s Found) {
        let Ok(entries) = std::fs::read_dir(&dir) else { return };
        let mut here = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let Ok(kind) = entry.file_type() else { continue };
            let meta = if kind.is_symlink() { std::fs::metadata(entry.path()) } else { entry.metadata() };
            match meta {
                Ok(meta) if meta.is_dir() && !kind.is_symlink() => {
                    scope.spawn(move |s| visit(s, entry.path(), found));
                }
                // A link to a folder (which loading follows), a dangling
                // link or a loop: stamped as too recent to judge, so the
                // build runs and loading judges it.
                Ok(_) | Err(_) if kind.is_symlink() && !meta_is_file(&entry.path()) => {
                    here.push((entry.path(), 0, u128::MAX, 0));
                }
                Err(_) => {}
                Ok(meta) => {
                    let t = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).unwrap_or_default();
                    here.push((entry.path(), meta.len(), t.as_nanos(), std::os::unix::fs::MetadataExt::ino(&meta)));
                }
            }
        }
        found.lock().unwrap_or_else(|e| e.into_inner()).extend(here);
    }
    let found = Mutex::new(Vec::new());
    if dir.is_dir() {
        rayon::scope(|s| visit(s, dir.to_path_buf(), &found));
    }
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// An order-free digest of every file in `output` (path, size, time), and
/// their count.
fn output_digest(output: &Path) -> Option<(u64, usize)> {
    let files = stamps(output);
    let mut sum = 0u64;
    for (path, size, mtime, _) in &files {
        sum = sum.wrapping_add(entry_digest(&super::relative(output, path)?, *size, *mtime));
    }
    Some((sum, files.len()))
}

fn meta_is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn entry_digest(rel: &str, size: u64, mtime_ns: u128) -> u64 {
    let mut bytes = Vec::with_capacity(rel.len() + 24);
    bytes.extend_from_slice(rel.as_bytes());
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes.extend_from_slice(&mtime_ns.to_le_bytes());
    xxh3_64(&bytes)
}
