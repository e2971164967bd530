//! Where phase one's output waits for phase two, and for the next build:
//! each run of documents' blocks, per bucket, in a file of its own under
//! `.archive-cache/search/` (so a build holds one run in memory per thread,
//! not the whole index twice), named by the run's number and headed by the
//! digest of everything the blocks were made from and by each section's
//! digest. A later build whose run has the same digest takes the file
//! instead of indexing the run's documents again, reading only its header
//! (checked against its own checksum and the file's length): a section's
//! bytes are checked against their digest when they are first read, and a
//! section that fails is an error the caller answers by indexing the run
//! anew (`super::Runs`), never trusted. Phase two compares the sections'
//! digests with the last build's to keep what they made without reading
//! them. Tests and builds without a cache folder keep the runs in memory.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use xxhash_rust::xxh3::xxh3_64;

use super::grams::Run;

const MAGIC: &[u8; 8] = b"ARCHRUN6";

/// Magic, key, checksum (of the offsets and digests), sections (the
/// buckets, the text file, the prints, what its documents' texts were
/// made from); then the sections' offsets in the
/// data and their digests.
const HEADER: usize = 8 + 8 + 8 + 8;

/// Where runs are kept.
pub struct RunStore {
    /// None: in memory.
    dir: Option<PathBuf>,
    /// False: files already there are not reused (`archive build --clean`).
    reuse: bool,
}

/// A run of blocks, each bucket's apart, and each section's digest.
pub struct Stored {
    hashes: Vec<u64>,
    place: Place,
}

enum Place {
    Memory(Vec<Vec<u8>>),
    /// The file, where its data starts, each section's range in the data,
    /// and whether a section's bytes were found to match its digest.
    File {
        file: File,
        path: PathBuf,
        data: u64,
        offsets: Vec<u64>,
        checked: Vec<AtomicBool>,
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

    /// The folder the runs are kept in, when they are kept in files.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// False when files already there are not to be used.
    pub fn reuses(&self) -> bool {
        self.reuse
    }

    fn path(dir: &Path, n: usize) -> PathBuf {
        dir.join(format!("{n}.run"))
    }

    /// Run `n`, when a file holds it as made from inputs digested to `key`
    /// into `buckets` buckets: its header whole and the file as long as
    /// the header says (the sections are checked as they are read).
    pub fn reuse(&self, n: usize, key: u64, buckets: usize) -> Option<Stored> {
        let dir = self.dir.as_ref().filter(|_| self.reuse)?;
        let path = Self::path(dir, n);
        let mut file = File::open(&path).ok()?;
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header).ok()?;
        let word = |i: usize| u64::from_le_bytes(header[8 * i..8 * i + 8].try_into().unwrap_or_default());
        // The buckets, then the text file, the prints and the digests.
        let sections = buckets + 3;
        if &header[..8] != MAGIC || word(1) != key || word(3) != sections as u64 {
            return None;
        }
        let mut table = vec![0u8; 8 * (2 * sections + 1)];
        file.read_exact(&mut table).ok()?;
        let words: Vec<u64> =
            table.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect();
        let (offsets, hashes) = words.split_at(sections + 1);
        let ordered = offsets.first() == Some(&0) && offsets.windows(2).all(|w| w[0] <= w[1]);
        let data = (HEADER + table.len()) as u64;
        let length = file.metadata().ok()?.len();
        if xxh3_64(&table) != word(2) || !ordered || offsets.last().map(|l| data + l) != Some(length) {
            return None;
        }
        let checked = (0..sections).map(|_| AtomicBool::new(false)).collect();
        Some(Stored {
            hashes: hashes.to_vec(),
            place: Place::File { file, path, data, offsets: offsets.to_vec(), checked },
        })
    }

    /// Run `n` as the last build left it, whatever it was made from, when
    /// its header is whole: what an edited run's unchanged documents can
    /// be taken from.
    pub fn earlier(&self, n: usize, buckets: usize) -> Option<Stored> {
        let dir = self.dir.as_ref().filter(|_| self.reuse)?;
        let mut header = [0u8; 16];
        File::open(Self::path(dir, n)).ok()?.read_exact(&mut header).ok()?;
        self.reuse(n, u64::from_le_bytes(header[8..16].try_into().unwrap_or_default()), buckets)
    }

    /// Keeps run `n`, made from inputs digested to `key`.
    pub fn keep(&self, n: usize, key: u64, run: Run) -> crate::error::Result<Stored> {
        let mut sections = run.buckets;
        sections.push(run.text);
        sections.push(run.prints);
        sections.push(run.digests);
        let hashes: Vec<u64> = sections.iter().map(|s| xxh3_64(s)).collect();
        let Some(dir) = &self.dir else { return Ok(Stored { hashes, place: Place::Memory(sections) }) };
        let mut offsets = vec![0u64];
        for b in &sections {
            offsets.push(offsets[offsets.len() - 1] + b.len() as u64);
        }
        let table: Vec<u8> = offsets.iter().chain(&hashes).flat_map(|o| o.to_le_bytes()).collect();
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        [key, xxh3_64(&table), sections.len() as u64].iter().for_each(|w| header.extend_from_slice(&w.to_le_bytes()));
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
        // Made here from these bytes: already known to match.
        let checked = (0..sections.len()).map(|_| AtomicBool::new(true)).collect();
        let data = (HEADER + table.len()) as u64;
        Ok(Stored { hashes, place: Place::File { file, path, data, offsets, checked } })
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
        self.hashes.len()
    }

    /// The digest of section `s`'s bytes (the buckets, then the text file
    /// and the prints), as written: what phase two compares between builds.
    pub fn hash(&self, s: usize) -> u64 {
        self.hashes[s]
    }

    /// The section after the buckets: the run's text file.
    pub fn text_section(&self) -> usize {
        self.sections() - 3
    }

    /// The run's text file (`search/t/<run>.bin`).
    pub fn text(&self) -> crate::error::Result<Cow<'_, [u8]>> {
        self.bucket(self.text_section())
    }

    /// Bytes `range` of the run's text file.
    pub fn text_range(&self, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        self.read(self.text_section(), range)
    }

    /// Bytes `range` of the run's prints (the section after the text file).
    pub fn prints_range(&self, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        self.read(self.sections() - 2, range)
    }

    /// The run's prints, whole.
    pub fn prints(&self) -> crate::error::Result<Cow<'_, [u8]>> {
        self.bucket(self.sections() - 2)
    }

    /// What the run's documents' texts and prints were made from (the last
    /// section), as its maker wrote it.
    pub fn digests(&self) -> crate::error::Result<Cow<'_, [u8]>> {
        self.bucket(self.sections() - 1)
    }

    /// Bytes `range` of section `s` (cut to the section's end). The first
    /// read of a section in a file reads it whole, to check it.
    fn read(&self, s: usize, range: std::ops::Range<usize>) -> crate::error::Result<Cow<'_, [u8]>> {
        match &self.place {
            Place::Memory(sections) => {
                let section = &sections[s];
                Ok(Cow::Borrowed(&section[range.start.min(section.len())..range.end.min(section.len())]))
            }
            Place::File { file, path, data, offsets, checked } => {
                let len = (offsets[s + 1] - offsets[s]) as usize;
                let (from, to) = (range.start.min(len), range.end.min(len));
                if !checked[s].load(Ordering::Relaxed) {
                    let whole = self.bucket(s)?;
                    return Ok(Cow::Owned(whole[from..to].to_vec()));
                }
                let mut bytes = vec![0u8; to - from];
                file.read_exact_at(&mut bytes, data + offsets[s] + from as u64)
                    .map_err(|e| crate::error::Error::io("read", path, e))?;
                Ok(Cow::Owned(bytes))
            }
        }
    }

    /// Section `s` whole into `buf` from `at` on, checked as [`Stored::bucket`]
    /// checks it; returns its length. `buf` is grown when short and never
    /// zeroed where it has room: one buffer serves section after section.
    pub fn read_into(&self, s: usize, buf: &mut Vec<u8>, at: usize) -> crate::error::Result<usize> {
        match &self.place {
            Place::Memory(sections) => {
                let section = &sections[s];
                room(buf, at + section.len())[at..].copy_from_slice(section);
                Ok(section.len())
            }
            Place::File { file, path, data, offsets, checked } => {
                let len = (offsets[s + 1] - offsets[s]) as usize;
                let bytes = &mut room(buf, at + len)[at..];
                file.read_exact_at(bytes, data + offsets[s]).map_err(|_| damaged(path))?;
                if !checked[s].load(Ordering::Relaxed) {
                    if xxh3_64(bytes) != self.hashes[s] {
                        return Err(damaged(path));
                    }
                    checked[s].store(true, Ordering::Relaxed);
                }
                Ok(len)
            }
        }
    }

    /// Section `s` whole (bucket `s`'s blocks, for a bucket), checked
    /// against its digest the first time it is read from the file.
    pub fn bucket(&self, s: usize) -> crate::error::Result<Cow<'_, [u8]>> {
        match &self.place {
            Place::Memory(sections) => Ok(Cow::Borrowed(&sections[s])),
            Place::File { file, path, data, offsets, checked } => {
                let mut bytes = vec![0u8; (offsets[s + 1] - offsets[s]) as usize];
                file.read_exact_at(&mut bytes, data + offsets[s]).map_err(|_| damaged(path))?;
                if !checked[s].load(Ordering::Relaxed) {
                    if xxh3_64(&bytes) != self.hashes[s] {
                        return Err(damaged(path));
                    }
                    checked[s].store(true, Ordering::Relaxed);
                }
                Ok(Cow::Owned(bytes))
            }
        }
    }
}

/// The first `len` bytes of `buf`, grown to hold them when short.
fn room(buf: &mut Vec<u8>, len: usize) -> &mut [u8] {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    &mut buf[..len]
}

/// A run file whose bytes do not match its header.
fn damaged(path: &Path) -> crate::error::Error {
    crate::error::Error::io("read", path, std::io::Error::other("cut short or damaged"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Run {
        let mut run = Run {
            buckets: vec![Vec::new(); 4],
            text: b"text".to_vec(),
            prints: b"prints".to_vec(),
            digests: b"dg".to_vec(),
        };
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
        assert_eq!(&reused.digests().unwrap()[..], b"dg");
        let mut buf = b"01234567890".to_vec();
        assert_eq!(reused.read_into(1, &mut buf, 2).unwrap(), 100);
        assert_eq!((&buf[..2], &buf[2..]), (&b"01"[..], &run().buckets[1][..]), "read after what it keeps");
        assert!(store.earlier(3, 4).is_some() && store.earlier(3, 8).is_none(), "any key, the same buckets");
        assert!(store.reuse(3, 43, 4).is_none(), "other inputs");
        assert!(store.reuse(3, 42, 8).is_none(), "other bucket count");
        assert!(store.reuse(4, 42, 4).is_none(), "no such run");
        assert!(RunStore::in_dir(dir.path().join("search"), false).reuse(3, 42, 4).is_none(), "--clean");
    }

    #[test]
    fn a_damaged_or_cut_file_is_not_reused_and_a_damaged_section_does_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::in_dir(dir.path().to_path_buf(), true);
        store.keep(0, 7, run()).unwrap();
        let path = dir.path().join("0.run");
        let mut bytes = std::fs::read(&path).unwrap();
        // A bit of the header's offsets or digests.
        bytes[HEADER + 3] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(store.reuse(0, 7, 4).is_none(), "a header bit flipped");
        bytes[HEADER + 3] ^= 1;
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        assert!(store.reuse(0, 7, 4).is_none(), "cut short");
        // A bit of the last bucket's data: the header is whole, so the file
        // is taken, but that bucket (and only it) does not read.
        let last = bytes.len() - 1 - b"text".len() - b"prints".len() - b"dg".len();
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let taken = store.reuse(0, 7, 4).expect("the header is whole");
        assert!(taken.bucket(3).is_err(), "the damaged bucket");
        assert!(taken.bucket(3).is_err(), "still damaged when read again");
        assert!(taken.read_into(3, &mut Vec::new(), 0).is_err(), "read into a buffer: damaged too");
        assert_eq!(&taken.bucket(2).unwrap()[..], &run().buckets[2][..]);
        assert_eq!(&taken.prints_range(1..3).unwrap()[..], b"ri");
        bytes[last] ^= 1;
        // The prints' last byte: a range of them checks the whole section first.
        let end = bytes.len() - 1 - b"dg".len();
        bytes[end] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let taken = store.reuse(0, 7, 4).expect("the header is whole");
        assert!(taken.prints_range(0..2).is_err(), "a range of a damaged section");
        bytes[end] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(store.reuse(0, 7, 4).is_some_and(|s| s.prints().is_ok()), "mended");
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
