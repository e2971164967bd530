//! The output of one build. A full build fills a staging folder beside the
//! output and swaps it in; an incremental build (a trusted cache and an
//! existing output) stages only the files that changed and moves them in,
//! then removes what the build no longer makes. Either way nothing reaches
//! the output before every page rendered.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::cache::{self, Entry, Fingerprint, Manifest};
use super::fresh::{self, InputStamp};
use super::{relative, safe_join, Sink};
use crate::error::{Error, Result};

/// A folder next to the output, removed unless committed.
pub struct Staging {
    pub dir: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Staging> {
        let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().to_string());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging { dir, committed: false })
    }

    fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(path, bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What the write stage did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteReport {
    pub incremental: bool,
    /// Files written (the others were already right).
    pub written: usize,
    /// Pages not even rendered: their inputs had not changed.
    pub kept: usize,
    pub removed: usize,
}

pub struct Output {
    root: PathBuf,
    output: PathBuf,
    staging: Staging,
    cache_path: PathBuf,
    /// The last build's manifest, when it can be trusted.
    old: Option<Manifest>,
    /// With `old`: every file in the output now, and its size and time.
    on_disk: HashMap<String, (u64, u128)>,
    new: Mutex<Manifest>,
    written: AtomicUsize,
    kept: AtomicUsize,
}

impl Output {
    /// Prepares a build of `output`. `global` digests everything that
    /// affects every page; `clean` ignores the cache.
    pub fn open(root: &Path, output: &Path, global: Fingerprint, clean: bool) -> Result<Output> {
        refuse_foreign(output)?;
        let cache_path = Manifest::path(root, output);
        let old = (!clean && output.is_dir()).then(|| Manifest::load(&cache_path, global)).flatten();
        let on_disk = match old {
            Some(_) => fresh::stamps(output)
                .into_iter()
                .filter_map(|(path, size, mtime)| Some((relative(output, &path)?, (size, mtime))))
                .collect(),
            None => HashMap::new(),
        };
        Ok(Output {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            staging: Staging::new(output).map_err(|e| Error::io("create a staging folder beside", output, e))?,
            cache_path,
            old,
            on_disk,
            new: Mutex::new(Manifest::new(global)),
            written: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
        })
    }

    /// The last build's entry for `rel`, if the file is still as it left it.
    fn previous(&self, rel: &str) -> Option<&Entry> {
        let entry = self.old.as_ref()?.files.get(rel)?;
        (self.on_disk.get(rel) == Some(&(entry.size, entry.mtime_ns))).then_some(entry)
    }

    fn record(&self, rel: &str, entry: Entry) {
        self.new.lock().unwrap_or_else(|e| e.into_inner()).files.insert(rel.to_string(), entry);
    }

    /// Makes the output what this build produced, and saves the cache with
    /// the stamp of the inputs it was made from and its counts (documents,
    /// pages) for the next build's fast path.
    pub fn commit(mut self, inputs: InputStamp, counts: (usize, usize)) -> Result<WriteReport> {
        let mut manifest = std::mem::take(self.new.get_mut().unwrap_or_else(|e| e.into_inner()));
        let mut report = WriteReport {
            incremental: self.old.is_some(),
            written: *self.written.get_mut(),
            kept: *self.kept.get_mut(),
            removed: 0,
        };
        // The old cache describes the old output: drop it before touching
        // the output, so an interrupted commit is never trusted.
        let _ = std::fs::remove_file(&self.cache_path);
        fresh::forget(&self.root, &self.output);
        let failed = |e| Error::io("write", &self.output, e);
        if self.old.is_some() {
            move_staged(&self.staging.dir, &self.output).map_err(failed)?;
            report.removed = remove_strays(&self.output, &self.on_disk, &manifest).map_err(failed)?;
        } else {
            swap(&self.staging.dir, &self.output).map_err(failed)?;
            self.staging.committed = true;
        }
        for (rel, entry) in manifest.files.iter_mut() {
            if entry.size == 0 && entry.mtime_ns == 0 {
                let (size, mtime_ns) = cache::stamp(&self.output.join(rel)).unwrap_or_default();
                entry.size = size;
                entry.mtime_ns = mtime_ns;
            }
        }
        // A cache that cannot be saved only costs the next build time.
        if manifest.save(&self.cache_path).is_ok() {
            fresh::record(&self.root, &self.output, inputs, &manifest, counts);
        }
        Ok(report)
    }
}

impl Sink for Output {
    fn may_keep(&self) -> bool {
        self.old.is_some()
    }

    fn keep(&self, rel: &str, fingerprint: Fingerprint) -> bool {
        match self.previous(rel) {
            Some(entry) if entry.inputs == fingerprint => {
                self.record(rel, entry.clone());
                self.kept.fetch_add(1, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    fn keep_all(&self, prefix: &str, fingerprint: Fingerprint) -> Option<usize> {
        let old = self.old.as_ref()?;
        let files: Vec<(&String, &Entry)> = old
            .files
            .range(prefix.to_string()..)
            .take_while(|(rel, _)| rel.starts_with(prefix))
            .filter(|(_, e)| e.inputs == fingerprint)
            .collect();
        if files.is_empty() || !files.iter().all(|(rel, _)| self.previous(rel).is_some()) {
            return None;
        }
        for (rel, entry) in &files {
            self.record(rel, (*entry).clone());
        }
        self.kept.fetch_add(files.len(), Ordering::Relaxed);
        Some(files.len())
    }

    fn write_page(&self, rel: &str, fingerprint: Fingerprint, bytes: &[u8]) -> Result<()> {
        safe_join(&self.output, rel).map_err(|e| Error::io("write", rel, e))?;
        let digest = Fingerprint::of_bytes(bytes);
        if let Some(entry) = self.previous(rel).filter(|e| e.bytes == digest) {
            self.record(rel, Entry { inputs: fingerprint, ..entry.clone() });
            return Ok(());
        }
        self.staging.put(rel, bytes).map_err(|e| Error::io("write", self.staging.dir.join(rel), e))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record(rel, Entry { inputs: fingerprint, bytes: digest, size: 0, mtime_ns: 0 });
        Ok(())
    }
}

/// A build replaces its output folder: refuse one that holds files but no
/// sign of an earlier build (every build writes `sitemap.xml`), so that a
/// mistyped `--output` cannot wipe someone's folder.
fn refuse_foreign(output: &Path) -> Result<()> {
    let has_files = std::fs::read_dir(output).map(|mut d| d.next().is_some()).unwrap_or(false);
    if has_files && !output.join("sitemap.xml").is_file() {
        return Err(Error::Usage(format!(
            "--output: {} holds files that no build of this archive wrote; empty it or choose another output folder",
            output.display()
        )));
    }
    Ok(())
}

/// Replaces `output` with `staged` by two renames.
fn swap(staged: &Path, output: &Path) -> io::Result<()> {
    let old =
        staged.with_file_name(staged.file_name().unwrap_or_default().to_string_lossy().replace(".staging-", ".old-"));
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, &old)?;
    }
    if let Err(e) = std::fs::rename(staged, output) {
        if had_output {
            let _ = std::fs::rename(&old, output);
        }
        return Err(e);
    }
    if had_output {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Moves every staged file to its place in `output`.
fn move_staged(staged: &Path, output: &Path) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(staged).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = relative(staged, entry.path()).ok_or_else(|| io::Error::other("a staged file outside staging"))?;
        let to = safe_join(output, &rel)?;
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::rename(entry.path(), to)?;
    }
    Ok(())
}

/// Removes files of `output` (as found when the build began) that this
/// build did not make, and the folders that leaves empty.
fn remove_strays(output: &Path, on_disk: &HashMap<String, (u64, u128)>, manifest: &Manifest) -> io::Result<usize> {
    let mut removed = 0;
    let mut folders = std::collections::BTreeSet::new();
    for rel in on_disk.keys().filter(|rel| !manifest.files.contains_key(*rel)) {
        let path = safe_join(output, rel)?;
        std::fs::remove_file(&path)?;
        removed += 1;
        folders.extend(path.ancestors().skip(1).take_while(|p| *p != output).map(Path::to_path_buf));
    }
    // Deepest first; fails, as it should, unless empty.
    for dir in folders.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().to_string();
                (rel, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn an_uncommitted_build_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("sitemap.xml"), "old").unwrap();
        {
            let o = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
            o.write("sitemap.xml", b"new").unwrap();
        }
        assert_eq!(tree(&out), [("sitemap.xml".into(), "old".into())]);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "staging folder removed");
    }

    #[test]
    fn a_second_build_writes_only_what_changed_and_removes_strays() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        first.write_page("a/index.html", Fingerprint(10), b"A").unwrap();
        first.write_page("b/index.html", Fingerprint(20), b"B").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        assert!(!first.commit(InputStamp::default(), (0, 0)).unwrap().incremental);

        let second = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        assert!(second.keep("a/index.html", Fingerprint(10)));
        assert!(!second.keep("c/index.html", Fingerprint(30)));
        second.write_page("c/index.html", Fingerprint(30), b"C").unwrap();
        second.write("sitemap.xml", b"S").unwrap();
        let report = second.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!((report.incremental, report.written, report.kept, report.removed), (true, 1, 1, 1));
        let files = tree(&out);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a/index.html", "c/index.html", "sitemap.xml"]);
        assert!(!out.join("b").exists(), "emptied folder removed");
    }

    #[test]
    fn a_stage_keeps_all_its_files_or_none() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        first.write_page("search/index.html", Fingerprint(9), b"page").unwrap();
        first.write_page("search/a.bin", Fingerprint(5), b"A").unwrap();
        first.write_page("search/d/0.bin", Fingerprint(5), b"D").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        first.commit(InputStamp::default(), (0, 0)).unwrap();

        let second = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        assert_eq!(second.keep_all("search/", Fingerprint(6)), None, "other inputs");
        assert_eq!(second.keep_all("search/", Fingerprint(5)), Some(2));
        second.write_page("search/index.html", Fingerprint(9), b"page").unwrap();
        second.write("sitemap.xml", b"S").unwrap();
        let report = second.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!((report.written, report.kept, report.removed), (0, 2, 0));
        assert_eq!(std::fs::read(out.join("search/d/0.bin")).unwrap(), b"D");

        std::fs::write(out.join("search/a.bin"), "tampered").unwrap();
        let third = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        assert_eq!(third.keep_all("search/", Fingerprint(5)), None, "a file changed behind the cache's back");
        assert_eq!(
            Output::open(tmp.path(), &out, Fingerprint(1), true).unwrap().keep_all("search/", Fingerprint(5)),
            None
        );
    }

    #[test]
    fn a_file_changed_behind_the_caches_back_is_rendered_again() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        first.write_page("index.html", Fingerprint(10), b"A").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        first.commit(InputStamp::default(), (0, 0)).unwrap();
        std::fs::write(out.join("index.html"), "tampered!").unwrap();
        let second = Output::open(tmp.path(), &out, Fingerprint(1), false).unwrap();
        assert!(!second.keep("index.html", Fingerprint(10)));
        let other_settings = Output::open(tmp.path(), &out, Fingerprint(2), false).unwrap();
        assert!(!other_settings.keep("index.html", Fingerprint(10)));
    }
}
