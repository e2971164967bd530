//! Where phase one's output waits for phase two, and for the next build:
//! each run of documents' blocks, per bucket, in a file of its own under
//! `.archive-cache/search/` (so a build holds one run in memory per thread,
//! not the whole index twice), named by the run's number and headed by the
//! digest of everything the blocks were made from. A later build whose
//! run has the same digest reads the file instead of indexing the run's
//! documents again, after checking it whole against the checksum in its
//! header; a file that fails is indexed anew, never trusted. Tests and
//! builds without a cache folder keep the runs in memory.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use super::grams::Run;

const MAGIC: &[u8; 8] = b"ARCHRUN4";

/// Magic, key, checksum, sections (the buckets, the text file, the prints).
const HEADER: usize = 8 + 8 + 8 + 8;

/// Where runs are kept.
pub struct RunStore {
    /// None: in memory.
    dir: Option<PathBuf>,
    /// False: files already there are not reused (`archive build --clean`).
    reuse: bool,
}

/// A run of blocks, each bucket's apart.
pub enum Stored {
    Memory(Vec<Vec<u8>>),
    /// The file, where its data starts, and each bucket's range in the data.
    File {
        file: File,
        path: PathBuf,
        data: u64,
        offsets: Vec<u64>,
    },
}

impl RunStore {
    pub fn in_memory() -> RunStore {
        RunStore { dir: None, reuse: false }
    }

    /// Runs kept in `dir`, reusing the files there unless `reuse` is false.
    pub fn in_dir(dir: PathBuf, reuse: bool) -> RunStore {
        RunStore { dir: Some(dir), reuse }
    }

    fn path(dir: &Path, n: usize) -> PathBuf {
        dir.join(format!("{n}.run"))
    }

    /// Run `n`, when a file holds it as made from inputs digested to `key`
    /// into `buckets` buckets, whole.
    pub fn reuse(&self, n: usize, key: u64, buckets: usize) -> Option<Stored> {
        let dir = self.dir.as_ref().filter(|_| self.reuse)?;
        let path = Self::path(dir, n);
        let mut file = File::open(&path).ok()?;
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header).ok()?;
        let word = |i: usize| u64::from_le_bytes(header[8 * i..8 * i + 8].try_into().unwrap_or_default());
        // The buckets, then the text file.
        let sections = buckets + 2;
        if &header[..8] != MAGIC || word(1) != key || word(3) != sections as u64 {
            return None;
        }
        // The offsets and data, hashed as they are read: nothing of a file
        // that does not match its checksum is used.
        let mut hash = Xxh3::new();
        let mut table = vec![0u8; 8 * (sections + 1)];
        file.read_exact(&mut table).ok()?;
        hash.update(&table);
        let offsets: Vec<u64> =
            table.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
        let mut chunk = vec![0u8; 1 << 20];
        let mut length = 0u64;
        loop {
            match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(k) => {
                    hash.update(&chunk[..k]);
                    length += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        let ordered = offsets.first() == Some(&0) && offsets.windows(2).all(|w| w[0] <= w[1]);
        if hash.digest() != word(2) || !ordered || offsets.last() != Some(&length) {
            return None;
        }
        Some(Stored::File { file, path, data: (HEADER + table.len()) as u64, offsets })
    }

    /// Keeps run `n`, made from inputs digested to `key`.
    pub fn keep(&self, n: usize, key: u64, run: Run) -> crate::error::Result<Stored> {
        let mut sections = run.buckets;
        sections.push(run.text);
        sections.push(run.prints);
        let Some(dir) = &self.dir else { return Ok(Stored::Memory(sections)) };
        let mut offsets = vec![0u64];
        for b in &sections {
            offsets.push(offsets[offsets.len() - 1] + b.len() as u64);
        }
        let table: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
        let mut hash = Xxh3::new();
        hash.update(&table);
        sections.iter().for_each(|b| hash.update(b));
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        [key, hash.digest(), sections.len() as u64].iter().for_each(|w| header.extend_from_slice(&w.to_le_bytes()));
        // Written aside and renamed: a build stopped halfway, or another
        // build of the same site, never leaves half a file under the name.
        let path = Self::path(dir, n);
        let file = crate::identity::atomic_write_with(&path, |out| {
            out.write_all(&header)?;
            out.write_all(&table)?;
            sections.iter().try_for_each(|b| out.write_all(b))
        })
        .and_then(|()| File::open(&path))
        .map_err(|e| crate::error::Error::io("write", &path, e))?;
        Ok(Stored::File { file, path, data: (HEADER + table.len()) as u64, offsets })
    }

    /// Removes the files of runs numbered `runs` and up (the archive
    /// shrank), and the part-written files of builds that were stopped
    /// (`identity::part_of`, whose process is gone).
    pub fn forget_from(&self, runs: usize) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let orphan = crate::identity::part_of(name).is_some_and(|(_, pid)| !crate::identity::process_alive(pid));
            let run = name.strip_suffix(".run").and_then(|n| n.parse::<usize>().ok());
            if orphan || run.is_some_and(|n| n >= runs) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

impl Stored {
    fn sections(&self) -> usize {
        match self {
            Stored::Memory(sections) => sections.len(),
            Stored::File { offsets, .. } => offsets.len() - 1,
        }
    }

    /// The run's text file (`search/t/<run>.bin`): the section after the buckets.
    pub fn text(&self) -> crate::error::Result<Cow<'_, [u8]>> {
        self.bucket(self.sections() - 2)
    }

    /// Bytes `range` of the run's text file.
    pub fn text_range(&self, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        self.read(self.sections() - 2, range)
    }

    /// Bytes `range` of the run's prints (the last section).
    pub fn prints_range(&self, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        self.read(self.sections() - 1, range)
    }

    /// The run's prints, whole.
    pub fn prints(&self) -> crate::error::Result<Cow<'_, [u8]>> {
        self.bucket(self.sections() - 1)
    }

    /// Bytes `range` of section `s` (cut to the section's end).
    fn read(&self, s: usize, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        match self {
            Stored::Memory(sections) => {
                let section = &sections[s];
                Ok(Cow::Borrowed(&section[range.start.min(section.len())..range.end.min(section.len())]))
            }
            Stored::File { file, path, data, offsets } => {
                let len = (offsets[s + 1] - offsets[s]) as usize;
                let (from, to) = (range.start.min(len), range.end.min(len));
                let mut bytes = vec![0u8; to - from];
                file.read_exact_at(&mut bytes, data + offsets[s] + from as u64)
                    .map_err(|e| crate::error::Error::io("read", path, e))?;
                Ok(Cow::Owned(bytes))
            }
        }
    }

    /// Bucket `b`'s blocks.
    pub fn bucket(&self, b: usize) -> crate::error::Result<Cow<'_, [u8]>> {
        match self {
            Stored::Memory(buckets) => Ok(Cow::Borrowed(&buckets[b])),
            Stored::File { file, path, data, offsets } => {
                let mut bytes = vec![0u8; (offsets[b + 1] - offsets[b]) as usize];
                file.read_exact_at(&mut bytes, data + offsets[b])
                    .map_err(|e| crate::error::Error::io("read", path, e))?;
                Ok(Cow::Owned(bytes))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Run {
        let mut run = Run { buckets: vec![Vec::new(); 4], text: b"text".to_vec(), prints: b"prints".to_vec() };
        for (b, bytes) in run.buckets.iter_mut().enumerate() {
            bytes.extend((0..100 * b).map(|i| i as u8));
        }
        run
    }

    fn buckets(s: &Stored) -> Vec<Vec<u8>> {
        (0..4).map(|b| s.bucket(b).unwrap().into_owned()).collect()
    }

    #[test]
    fn a_kept_run_reads_back_and_is_reused_only_for_the_same_key_and_buckets() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::in_dir(dir.path().join("search"), true);
        let kept = store.keep(3, 42, run()).unwrap();
        assert_eq!(buckets(&kept), run().buckets);
        assert_eq!(&kept.text().unwrap()[..], b"text");
        let reused = store.reuse(3, 42, 4).expect("same key and buckets: reused");
        assert_eq!(buckets(&reused), run().buckets);
        assert_eq!(&reused.text().unwrap()[..], b"text");
        assert_eq!(&reused.prints().unwrap()[..], b"prints");
        assert_eq!(&reused.prints_range(1..3).unwrap()[..], b"ri");
        assert!(store.reuse(3, 43, 4).is_none(), "other inputs");
        assert!(store.reuse(3, 42, 8).is_none(), "other bucket count");
        assert!(store.reuse(4, 42, 4).is_none(), "no such run");
        assert!(RunStore::in_dir(dir.path().join("search"), false).reuse(3, 42, 4).is_none(), "--clean");
    }

    #[test]
    fn a_damaged_or_cut_file_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::in_dir(dir.path().to_path_buf(), true);
        store.keep(0, 7, run()).unwrap();
        let path = dir.path().join("0.run");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(store.reuse(0, 7, 4).is_none(), "one bit flipped");
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        assert!(store.reuse(0, 7, 4).is_none(), "cut short");
        std::fs::write(&path, &bytes).unwrap();
        assert!(store.reuse(0, 7, 4).is_some(), "mended");
    }

    #[test]
    fn runs_past_the_end_and_parts_left_by_stopped_builds_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::in_dir(dir.path().to_path_buf(), true);
        for n in 0..3 {
            store.keep(n, 1, run()).unwrap();
        }
        // A part being written by a running build (this one), and one left
        // by a build that is gone (no such process).
        let mine = dir.path().join(format!(".0.run.part-{}", std::process::id()));
        let orphan = dir.path().join(format!(".1.run.part-{}", u32::MAX - 1));
        let other = dir.path().join("notes.txt");
        for path in [&mine, &orphan, &other] {
            std::fs::write(path, "x").unwrap();
        }
        store.forget_from(1);
        assert!(store.reuse(0, 1, 4).is_some());
        assert!(store.reuse(1, 1, 4).is_none() && store.reuse(2, 1, 4).is_none());
        assert!(mine.exists() && other.exists() && !orphan.exists());
    }
}
