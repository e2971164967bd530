//! The output of one build. Every build makes a whole new tree in a staging
//! folder beside the output: the pages it rendered are written there, and
//! every file that is byte for byte what the last build left is hard-linked
//! from the output instead of copied (so an incremental build writes only
//! what changed). The finished tree replaces the output in one step
//! (`publish`). Nothing reaches the output before every page rendered, and
//! nothing in it that the archive did not write is lost: such files are
//! linked into the new tree too.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::cache::{self, Entry, Manifest};
use super::claim::{claim, Claim, Marker, MARKER};
use super::fresh::{self, InputStamp};
use super::publish;
use super::tree::{link_all, move_all, remove_files};
use super::{relative, safe_join};
use crate::error::{Error, Result};
use crate::identity::Fingerprint;
use crate::sink::Sink;

/// A folder next to the output, removed unless published.
pub struct Staging {
    pub dir: PathBuf,
    published: bool,
    /// Folders made so far: a page's folder is made once, not asked for
    /// again (two system calls) before each of its files.
    made: Mutex<std::collections::HashSet<PathBuf>>,
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Staging> {
        let dir = publish::staging_path(output);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging { dir, published: false, made: Default::default() })
    }

    fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if let Some(p) = path.parent() {
            let made = || self.made.lock().unwrap_or_else(|e| e.into_inner());
            if !made().contains(p) {
                std::fs::create_dir_all(p)?;
                made().insert(p.to_path_buf());
            }
        }
        std::fs::write(path, bytes)
    }

    /// The file `rel` of the staging tree, created (with its folders) for
    /// writing in pieces.
    fn create(&self, rel: &str) -> io::Result<(PathBuf, std::fs::File)> {
        let path = safe_join(&self.dir, rel)?;
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        let file = std::fs::File::create(&path)?;
        Ok((path, file))
    }
}

/// A writer that passes bytes on and hashes them on the way, as
/// [`Fingerprint::of_bytes`] would hash them all at once.
struct Hashing<W> {
    inner: W,
    hash: xxhash_rust::xxh3::Xxh3,
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What the write stage did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The last build's output was there to build on.
    pub incremental: bool,
    /// Files written (the others were already right).
    pub written: usize,
    /// Pages not even rendered: their inputs had not changed.
    pub kept: usize,
    /// Files of the last build that this one does not make.
    pub removed: usize,
    /// Files in the output that the archive did not write, kept there.
    pub foreign: Vec<String>,
}

pub struct Output {
    root: PathBuf,
    output: PathBuf,
    staging: Staging,
    /// Set when the build is committed.
    build: u64,
    claim: Claim,
    /// The manifest of the build that made the output, when the cache
    /// has it: which files the archive wrote there.
    last: Option<Manifest>,
    /// With `last`: its fingerprints may be used (same program and
    /// settings, not `--clean`).
    trusted: bool,
    /// The manifest of the tree kept as `.public.previous`, when there is
    /// one to make the new tree from.
    previous: Option<Manifest>,
    /// Every file in the output now, and its size and time.
    on_disk: HashMap<String, (u64, u128)>,
    /// And its inode number.
    inodes: HashMap<String, u64>,
    new: Mutex<Manifest>,
    written: AtomicUsize,
    kept: AtomicUsize,
    /// Folders beside the output set aside to be removed (stale trees,
    /// leftovers of stopped builds): removed once this build is over, off
    /// its path (`publish::remove_later`).
    trash: Vec<PathBuf>,
}

impl Drop for Output {
    fn drop(&mut self) {
        publish::remove_later(std::mem::take(&mut self.trash));
    }
}

/// Files by path, with their size and modification time.
type Stamps = BTreeMap<String, (u64, u128)>;

/// A recorded entry not yet on disk has no size and time: it is in the
/// staging folder, and is stamped there when the build is published.
fn staged(entry: &Entry) -> bool {
    entry.size == 0 && entry.mtime_ns == 0
}

impl Output {
    /// Prepares a build of `output`, or refuses a folder that is not the
    /// archive's to write (see `claim`; `force` builds into one keeping
    /// its files). `global` digests everything that affects every page;
    /// `clean` ignores the cache.
    pub fn open(root: &Path, output: &Path, global: Fingerprint, clean: bool, force: bool) -> Result<Output> {
        // A link to a folder is built in the folder it points to, beside it.
        let output = cache::canonical(output);
        let mut trash = publish::clean_leftovers(&output)
            .map_err(|e| Error::io("clean up after an earlier build of", &output, e))?;
        let legacy = Manifest::load(&Manifest::legacy_path(root, &output));
        let claim = claim(&output, force, legacy.is_some())?;
        let last = match claim {
            Claim::Ours(marker) => Manifest::load(&Manifest::path(root, &output, marker.build)),
            Claim::Legacy => legacy,
            Claim::Free | Claim::Adopted => None,
        };
        let trusted = !clean && last.as_ref().is_some_and(|m| m.made_under(global));
        let previous = last.as_ref().and_then(|_| previous_tree(root, &output, &mut trash));
        let found: Vec<(String, (u64, u128), u64)> = super::fresh::stamps(&output)
            .into_iter()
            .filter_map(|(path, size, mtime, ino)| Some((relative(&output, &path)?, (size, mtime), ino)))
            .collect();
        let inodes = found.iter().map(|(rel, _, ino)| (rel.clone(), *ino)).collect();
        let on_disk = found.into_iter().map(|(rel, stamp, _)| (rel, stamp)).collect();
        Ok(Output {
            root: root.to_path_buf(),
            staging: Staging::new(&output).map_err(|e| Error::io("create a staging folder beside", &output, e))?,
            output,
            build: 0,
            claim,
            last,
            trusted,
            previous,
            on_disk,
            inodes,
            new: Mutex::new(Manifest::new(global, 0)),
            written: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            trash,
        })
    }

    /// The last build's entry for `rel`, if the file is still as it left it.
    fn previous(&self, rel: &str) -> Option<&Entry> {
        let entry = self.last.as_ref()?.files.get(rel)?;
        (self.on_disk.get(rel) == Some(&(entry.size, entry.mtime_ns))).then_some(entry)
    }

    fn record(&self, rel: &str, entry: Entry) {
        self.new.lock().unwrap_or_else(|e| e.into_inner()).files.insert(rel.to_string(), entry);
    }

    /// Makes the output what this build produced, and saves the manifest
    /// (and the stamp of the inputs it was made from, with its counts of
    /// documents and pages, for the next build's fast path).
    pub fn commit(mut self, inputs: InputStamp, counts: (usize, usize)) -> Result<WriteReport> {
        let marker = Marker::bytes();
        let marker_path = self.staging.dir.join(MARKER);
        self.staging.put(MARKER, &marker).map_err(|e| Error::io("write", &marker_path, e))?;
        self.build = Marker::of_file(&marker_path)
            .ok_or_else(|| Error::io("read", &marker_path, io::Error::from(io::ErrorKind::NotFound)))?
            .build;
        let entry = Entry { inputs: Fingerprint(0), bytes: Fingerprint::of_bytes(&marker), size: 0, mtime_ns: 0 };
        self.record(MARKER, entry);
        let mut manifest = std::mem::take(self.new.get_mut().unwrap_or_else(|e| e.into_inner()));
        manifest.build = self.build;
        let staging = self.staging.dir.clone();
        let mut foreign = self.foreign(&manifest)?;
        let mut written = BTreeSet::new();
        for (rel, entry) in manifest.files.iter_mut().filter(|(_, e)| staged(e)) {
            (entry.size, entry.mtime_ns) = crate::identity::stamp(&staging.join(rel)).unwrap_or_default();
            written.insert(rel.clone());
        }
        let (tree, rescued) = self.make_tree(&manifest, &foreign, &written).map_err(|e| {
            // Half made: of no use to a later build.
            let _ = std::fs::remove_dir_all(publish::tree_path(&self.output));
            Error::io("make the new tree beside", &self.output, e)
        })?;
        foreign.extend(rescued);
        let report = WriteReport {
            incremental: self.trusted,
            written: *self.written.get_mut(),
            kept: *self.kept.get_mut(),
            removed: self
                .last
                .as_ref()
                .map_or(0, |m| m.files.keys().filter(|r| !manifest.files.contains_key(*r)).count()),
            foreign: foreign.keys().cloned().collect(),
        };
        manifest.foreign = foreign;
        // Saved before the output changes: whichever tree the output holds
        // when this process stops, its marker names a manifest.
        let manifest_path = Manifest::path(&self.root, &self.output, self.build);
        manifest.save(&manifest_path).map_err(|e| Error::io("write", &manifest_path, e))?;
        fresh::forget(&self.root, &self.output);
        let published = publish::sync(&tree).and_then(|()| publish::publish(&tree, &self.output));
        let old = published.map_err(|e| Error::io("publish", &self.output, e))?;
        self.staging.published = tree == staging;
        let mut keep = vec![self.build];
        if let Some(old) = old {
            let aside = publish::keep_previous(&old, &self.output).map_err(|e| Error::io("keep", &old, e))?;
            self.trash.extend(aside);
            keep.extend(self.last.as_ref().map(|m| m.build));
        }
        Manifest::forget_others(&self.root, &self.output, &keep);
        fresh::record(&self.root, &self.output, inputs, &manifest, counts);
        Ok(report)
    }

    /// The new tree, beside the output: the previous tree changed where it
    /// differs, when there is one this build can trust; else the staging
    /// folder with every file this build did not write linked in from the
    /// output. `written`: the files in the staging folder. Returns the tree,
    /// and the files of the previous tree kept as not the archive's.
    fn make_tree(
        &mut self,
        manifest: &Manifest,
        foreign: &BTreeMap<String, (u64, u128)>,
        written: &BTreeSet<String>,
    ) -> io::Result<(PathBuf, Stamps)> {
        let staging = self.staging.dir.clone();
        let from_output =
            manifest.files.iter().filter(|(rel, _)| !written.contains(*rel)).map(|(r, e)| (r, (e.size, e.mtime_ns)));
        let from_output: Vec<(&String, (u64, u128))> =
            from_output.chain(foreign.iter().map(|(r, s)| (r, *s))).collect();
        let Some(base) = self.previous.take() else {
            let linked: Vec<&str> = from_output.iter().map(|(rel, _)| rel.as_str()).collect();
            link_all(&self.output, &staging, &linked)?;
            return Ok((staging, BTreeMap::new()));
        };
        let tree = publish::tree_path(&self.output);
        std::fs::rename(publish::previous_path(&self.output), &tree)?;
        // What the tree holds, found on disk: files may have been added to
        // it, or changed in place, while it was the output.
        let held: Vec<(String, (u64, u128), u64)> = super::fresh::stamps(&tree)
            .into_iter()
            .filter_map(|(path, size, mtime, ino)| Some((relative(&tree, &path)?, (size, mtime), ino)))
            .collect();
        // The files the archive knows of there: written by the build that
        // made the tree, or found in it by the build after (while it was
        // the output). Anything else was put there while that build ran:
        // it is not the archive's to delete, and is kept in the new tree.
        let last = self.last.as_ref();
        let known = |rel: &str| {
            [Some(&base), last].into_iter().flatten().any(|m| m.files.contains_key(rel) || m.foreign.contains_key(rel))
        };
        let linked_here: BTreeMap<&str, u64> =
            from_output.iter().filter_map(|(rel, _)| Some((rel.as_str(), *self.inodes.get(rel.as_str())?))).collect();
        let mut gone = Vec::new();
        let mut rescued = BTreeMap::new();
        let mut in_place = BTreeSet::new();
        for (rel, stamp, ino) in &held {
            if linked_here.get(rel.as_str()) == Some(ino) {
                // The same file as in the output.
                in_place.insert(rel.as_str());
            } else if known(rel) || manifest.files.contains_key(rel) {
                gone.push(rel.as_str());
            } else {
                rescued.insert(rel.clone(), *stamp);
            }
        }
        remove_files(&tree, &gone)?;
        let written: Vec<&str> = written.iter().map(String::as_str).collect();
        move_all(&staging, &tree, &written)?;
        let linked: Vec<&str> =
            from_output.iter().map(|(rel, _)| rel.as_str()).filter(|rel| !in_place.contains(rel)).collect();
        link_all(&self.output, &tree, &linked)?;
        Ok((tree, rescued))
    }

    /// The files of the output that the archive did not write: kept in the
    /// new tree. An error if this build makes a file of the same name.
    fn foreign(&self, manifest: &Manifest) -> Result<BTreeMap<String, (u64, u128)>> {
        let ours = |rel: &str| match (&self.last, self.claim) {
            (Some(last), _) => last.files.contains_key(rel),
            // Marked as the archive's, but the cache that listed its files
            // is gone: a file this build makes again is taken as its own.
            (None, Claim::Ours(_)) => manifest.files.contains_key(rel),
            (None, _) => false,
        };
        let foreign: BTreeMap<String, (u64, u128)> =
            self.on_disk.iter().filter(|(rel, _)| *rel != MARKER && !ours(rel)).map(|(r, s)| (r.clone(), *s)).collect();
        let clashes: Vec<&str> =
            foreign.keys().filter(|rel| manifest.files.contains_key(*rel)).map(String::as_str).collect();
        if !clashes.is_empty() {
            let shown: Vec<&str> = clashes.iter().take(5).copied().collect();
            let more = if clashes.len() > 5 { format!(" and {} more", clashes.len() - 5) } else { String::new() };
            return Err(Error::Usage(format!(
                "--output: {} holds files the archive did not write where the build makes its own ({}{more}); \
                 nothing was written: move them away or choose another --output",
                self.output.display(),
                shown.join(", ")
            )));
        }
        Ok(foreign)
    }
}

/// The manifest of the tree kept beside `output` as the previous one, if
/// it is this program's and its manifest is at hand; without the manifest
/// it is set aside into `trash`, to be removed after the build (its files
/// are those of a tree of this program's; the files a user put in the
/// output are in the output too), and a folder without the marker is left
/// alone.
fn previous_tree(root: &Path, output: &Path, trash: &mut Vec<PathBuf>) -> Option<Manifest> {
    let path = publish::previous_path(output);
    std::fs::symlink_metadata(&path).ok()?;
    let marker = Marker::read(&path)?;
    let manifest = Manifest::load(&Manifest::path(root, output, marker.build));
    if manifest.is_none() {
        trash.extend(publish::set_aside(&path, output).ok());
    }
    manifest
}

impl Sink for Output {
    fn may_keep(&self) -> bool {
        self.trusted
    }

    fn keep(&self, rel: &str, fingerprint: Fingerprint) -> bool {
        match self.previous(rel).filter(|_| self.trusted) {
            Some(entry) if entry.inputs == fingerprint => {
                self.record(rel, entry.clone());
                self.kept.fetch_add(1, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    fn earlier(&self, rel: &str, fingerprint: Fingerprint) -> Option<std::fs::File> {
        self.previous(rel).filter(|e| self.trusted && e.inputs == fingerprint)?;
        std::fs::File::open(self.output.join(rel)).ok()
    }

    fn keep_all(&self, prefix: &str, fingerprint: Fingerprint) -> Option<usize> {
        let last = self.last.as_ref().filter(|_| self.trusted)?;
        let files: Vec<(&String, &Entry)> = last
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
        // The same bytes as the file the last build left: linked, not written.
        if let Some(entry) = self.previous(rel).filter(|e| e.bytes == digest) {
            self.record(rel, Entry { inputs: fingerprint, ..entry.clone() });
            return Ok(());
        }
        self.staging.put(rel, bytes).map_err(|e| Error::io("write", self.staging.dir.join(rel), e))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record(rel, Entry { inputs: fingerprint, bytes: digest, size: 0, mtime_ns: 0 });
        Ok(())
    }

    /// [`Sink::write_page`] for a file written in pieces straight into the
    /// staging tree, hashed on the way; a file that turns out to be the
    /// last build's is removed again and linked like `write_page`'s.
    fn write_page_with(
        &self,
        rel: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> Result<()>,
    ) -> Result<()> {
        safe_join(&self.output, rel).map_err(|e| Error::io("write", rel, e))?;
        let failed = |e| Error::io("write", self.staging.dir.join(rel), e);
        let (path, file) = self.staging.create(rel).map_err(failed)?;
        let mut out =
            Hashing { inner: io::BufWriter::with_capacity(1 << 20, file), hash: xxhash_rust::xxh3::Xxh3::new() };
        fill(&mut out)?;
        out.inner.into_inner().map_err(|e| failed(e.into_error()))?;
        let digest = Fingerprint(out.hash.digest());
        if let Some(entry) = self.previous(rel).filter(|e| e.bytes == digest) {
            std::fs::remove_file(&path).map_err(failed)?;
            self.record(rel, Entry { inputs: fingerprint, ..entry.clone() });
            return Ok(());
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record(rel, Entry { inputs: fingerprint, bytes: digest, size: 0, mtime_ns: 0 });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file() && e.file_name() != MARKER)
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().to_string();
                (rel, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    fn open(root: &Path, global: u64) -> Output {
        Output::open(root, &root.join("public"), Fingerprint(global), false, false).unwrap()
    }

    /// A whole build of `files` (path, text) into `root/public`, committed.
    fn build(root: &Path, files: &[(&str, &str)]) -> WriteReport {
        let o = open(root, 1);
        for (rel, text) in files {
            o.write_page(rel, Fingerprint::of_bytes(text.as_bytes()), text.as_bytes()).unwrap();
        }
        o.commit(InputStamp::default(), (0, 0)).unwrap()
    }

    #[test]
    fn an_uncommitted_build_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = open(tmp.path(), 1);
        first.write("sitemap.xml", b"old").unwrap();
        first.commit(InputStamp::default(), (0, 0)).unwrap();
        {
            let o = open(tmp.path(), 1);
            o.write("sitemap.xml", b"new").unwrap();
        }
        assert_eq!(tree(&out), [("sitemap.xml".into(), "old".into())]);
        let beside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(beside.len(), 2, "the output and the cache, no staging or previous folder: {beside:?}");
    }

    #[test]
    fn a_second_build_writes_only_what_changed_and_links_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = open(tmp.path(), 1);
        first.write_page("a/index.html", Fingerprint(10), b"A").unwrap();
        first.write_page("b/index.html", Fingerprint(20), b"B").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        assert!(!first.commit(InputStamp::default(), (0, 0)).unwrap().incremental);
        let inode = |rel: &str| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join(rel)).unwrap());
        let a = inode("a/index.html");

        let second = open(tmp.path(), 1);
        assert!(second.keep("a/index.html", Fingerprint(10)));
        assert!(!second.keep("c/index.html", Fingerprint(30)));
        second.write_page("c/index.html", Fingerprint(30), b"C").unwrap();
        second.write("sitemap.xml", b"S").unwrap();
        let report = second.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!((report.incremental, report.written, report.kept, report.removed), (true, 1, 1, 1));
        let files = tree(&out);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a/index.html", "c/index.html", "sitemap.xml"]);
        assert_eq!(inode("a/index.html"), a, "an unchanged file is the same file, linked");
        assert!(!out.join("b").exists(), "a page no longer made is gone");
    }

    #[test]
    fn a_page_written_in_pieces_is_written_and_linked_as_a_whole_one_is() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pieces = |text: &'static str| {
            move |w: &mut dyn io::Write| -> Result<()> {
                for piece in text.as_bytes().chunks(3) {
                    w.write_all(piece).map_err(|e| Error::io("write", "x", e))?;
                }
                Ok(())
            }
        };
        let first = open(tmp.path(), 1);
        first.write_page_with("data/a.jsonl", Fingerprint(10), &mut pieces("{\"a\":1}\n{\"b\":2}\n")).unwrap();
        first.write_page_with("data/b.jsonl", Fingerprint(20), &mut pieces("B")).unwrap();
        let report = first.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!(report.written, 2);
        let entry = |rel: &str| {
            Manifest::load(&Manifest::path(tmp.path(), &out, Marker::read(&out).unwrap().build))
                .unwrap()
                .files
                .get(rel)
                .map(|e| (e.inputs, e.bytes))
        };
        let digest = Fingerprint::of_bytes(b"{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(entry("data/a.jsonl"), Some((Fingerprint(10), digest)), "hashed as if whole");
        let inode = |rel: &str| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join(rel)).unwrap());
        let a = inode("data/a.jsonl");

        // New inputs, the same bytes: the last build's file, linked.
        let second = open(tmp.path(), 1);
        second.write_page_with("data/a.jsonl", Fingerprint(11), &mut pieces("{\"a\":1}\n{\"b\":2}\n")).unwrap();
        second.write_page_with("data/b.jsonl", Fingerprint(21), &mut pieces("C")).unwrap();
        let report = second.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!((report.written, report.removed), (1, 0));
        assert_eq!(inode("data/a.jsonl"), a, "the same bytes are the same file, linked");
        assert_eq!(entry("data/a.jsonl"), Some((Fingerprint(11), digest)));
        assert_eq!(
            tree(&out),
            [("data/a.jsonl".into(), "{\"a\":1}\n{\"b\":2}\n".into()), ("data/b.jsonl".into(), "C".into())]
        );
    }

    #[test]
    fn a_page_written_in_pieces_reaches_the_disk_before_it_is_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let o = open(tmp.path(), 1);
        let staged = publish::staging_path(&tmp.path().join("public")).join("data/big.jsonl");
        let mut on_disk = 0;
        o.write_page_with("data/big.jsonl", Fingerprint(1), &mut |w| {
            for _ in 0..4 {
                w.write_all(&[b'x'; 1 << 20]).map_err(|e| Error::io("write", "x", e))?;
            }
            on_disk = std::fs::metadata(&staged).map_or(0, |m| m.len());
            Ok(())
        })
        .unwrap();
        assert!(on_disk >= 3 << 20, "{on_disk} bytes on disk while the page was being made");
        assert_eq!(std::fs::metadata(&staged).unwrap().len(), 4 << 20);
    }

    #[test]
    fn a_stale_previous_tree_is_removed_after_publishing_not_while_opening() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(tmp.path(), &[("a/index.html", "A"), ("b", "B")]);
        build(tmp.path(), &[("a/index.html", "A2"), ("b", "B")]);
        // The previous tree's manifest is lost: the tree is stale.
        let previous = publish::previous_path(&out);
        let marker = Marker::read(&previous).unwrap();
        std::fs::remove_file(Manifest::path(tmp.path(), &out, marker.build)).unwrap();
        // Not the archive's: a file in the output and a folder beside it.
        std::fs::write(out.join("CNAME"), "example.org").unwrap();
        std::fs::create_dir(tmp.path().join(".public.mine")).unwrap();
        std::fs::write(tmp.path().join(".public.mine/keep"), "mine").unwrap();
        let beside = || -> BTreeSet<String> {
            std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect()
        };

        let third = open(tmp.path(), 1);
        assert!(!previous.exists(), "the stale tree no longer holds the name");
        let aside: Vec<String> = beside().into_iter().filter(|n| n.starts_with(".public.trash-")).collect();
        assert_eq!(aside.len(), 1, "{:?}", beside());
        assert_eq!(tree(&tmp.path().join(&aside[0])).len(), 2, "set aside, not removed while the build runs");
        third.write_page("a/index.html", Fingerprint::of_bytes(b"A3"), b"A3").unwrap();
        third.write_page("b", Fingerprint::of_bytes(b"B"), b"B").unwrap();
        third.commit(InputStamp::default(), (0, 0)).unwrap();
        publish::wait_for_removals();

        assert!(!tmp.path().join(&aside[0]).exists(), "removed after the build");
        let want = [("CNAME", "example.org"), ("a/index.html", "A3"), ("b", "B")];
        assert_eq!(tree(&out), want.map(|(a, b)| (a.to_string(), b.to_string())), "the output is whole");
        assert_eq!(std::fs::read_to_string(tmp.path().join(".public.mine/keep")).unwrap(), "mine");
        assert!(beside().iter().all(|n| !n.starts_with(".public.trash-")), "{:?}", beside());
    }

    #[test]
    fn the_previous_tree_becomes_the_next_one_changed_only_where_it_differs() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let inode = |path: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap());
        build(tmp.path(), &[("a/index.html", "A"), ("b/index.html", "B"), ("c", "C")]);
        build(tmp.path(), &[("a/index.html", "A"), ("b/index.html", "B2"), ("c", "C")]);
        let previous = publish::previous_path(&out);
        assert_eq!(tree(&previous).len(), 3, "the first tree is kept");
        let unchanged = inode(&out.join("a/index.html"));
        // A file becomes a folder, a folder a file, one is gone, one new.
        build(tmp.path(), &[("a/index.html", "A"), ("b", "B3"), ("c/index.html", "C3"), ("d", "D")]);
        let t: Vec<(String, String)> = tree(&out);
        let want: Vec<(String, String)> = [("a/index.html", "A"), ("b", "B3"), ("c/index.html", "C3"), ("d", "D")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(t, want);
        assert_eq!(inode(&out.join("a/index.html")), unchanged, "still the same file");
        assert_eq!(tree(&previous).len(), 3, "the second tree is kept: {:?}", tree(&previous));
        assert_eq!(std::fs::read_to_string(previous.join("b/index.html")).unwrap(), "B2");
        let beside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(beside.len(), 3, "output, previous tree and cache: {beside:?}");
    }

    #[test]
    fn a_stage_keeps_all_its_files_or_none() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = open(tmp.path(), 1);
        first.write_page("search/index.html", Fingerprint(9), b"page").unwrap();
        first.write_page("search/a.bin", Fingerprint(5), b"A").unwrap();
        first.write_page("search/d/0.bin", Fingerprint(5), b"D").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        first.commit(InputStamp::default(), (0, 0)).unwrap();

        let second = open(tmp.path(), 1);
        assert_eq!(second.keep_all("search/", Fingerprint(6)), None, "other inputs");
        assert_eq!(second.keep_all("search/", Fingerprint(5)), Some(2));
        second.write_page("search/index.html", Fingerprint(9), b"page").unwrap();
        second.write("sitemap.xml", b"S").unwrap();
        let report = second.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!((report.written, report.kept, report.removed), (0, 2, 0));
        assert_eq!(std::fs::read(out.join("search/d/0.bin")).unwrap(), b"D");

        std::fs::write(out.join("search/a.bin"), "tampered").unwrap();
        let third = open(tmp.path(), 1);
        assert_eq!(third.keep_all("search/", Fingerprint(5)), None, "a file changed behind the cache's back");
        let clean = Output::open(tmp.path(), &out, Fingerprint(1), true, false).unwrap();
        assert_eq!(clean.keep_all("search/", Fingerprint(5)), None);
    }

    #[test]
    fn a_file_changed_behind_the_caches_back_is_rendered_again() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = open(tmp.path(), 1);
        first.write_page("index.html", Fingerprint(10), b"A").unwrap();
        first.write("sitemap.xml", b"S").unwrap();
        first.commit(InputStamp::default(), (0, 0)).unwrap();
        std::fs::write(out.join("index.html"), "tampered!").unwrap();
        let second = open(tmp.path(), 1);
        assert!(!second.keep("index.html", Fingerprint(10)));
        let other_settings = open(tmp.path(), 2);
        assert!(!other_settings.keep("index.html", Fingerprint(10)));
    }

    #[test]
    fn files_the_archive_did_not_write_are_kept_and_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("photos")).unwrap();
        std::fs::write(out.join("CNAME"), "example.org").unwrap();
        std::fs::write(out.join("photos/a.jpg"), "jpeg").unwrap();
        assert!(matches!(Output::open(tmp.path(), &out, Fingerprint(1), false, false), Err(Error::Usage(_))));
        let forced = Output::open(tmp.path(), &out, Fingerprint(1), false, true).unwrap();
        forced.write("index.html", b"home").unwrap();
        let report = forced.commit(InputStamp::default(), (0, 0)).unwrap();
        assert_eq!(report.foreign, ["CNAME", "photos/a.jpg"]);
        // Later builds know them from the manifest and keep them.
        let second = open(tmp.path(), 1);
        second.write("other.html", b"other").unwrap();
        second.commit(InputStamp::default(), (0, 0)).unwrap();
        let names: Vec<String> = tree(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["CNAME", "other.html", "photos/a.jpg"]);
        // A page of the same name as one of them stops the build.
        let clash = open(tmp.path(), 1);
        clash.write("CNAME", b"ours").unwrap();
        assert!(matches!(clash.commit(InputStamp::default(), (0, 0)), Err(Error::Usage(m)) if m.contains("CNAME")));
        assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "example.org");
    }
}
