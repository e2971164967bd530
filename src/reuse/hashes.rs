//! The finder's first pass: every document's distinct fingerprint hashes
//! ([`Held`]: hash and document in one word), sorted, to learn which
//! hashes two or more documents hold, and for the next build's update
//! ([`super::State::hashes`]). They are most of what a match holds (about
//! 56 million, 450 MB, at 100,000 generated speeches), so a build that
//! keeps its state on disk does not hold them: they go, as read, to
//! [`BUCKETS`] files by their top bits, and come back one bucket at a time,
//! sorted. The buckets split the hashes in order, so one after another
//! they are the whole list sorted, and what is held is one bucket.
//! Without a folder to spill to (a caller that keeps the state in
//! memory), the list is one bucket in memory.

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::find::{held, in_batches, Held};
use super::Prints;
use crate::error::{Error, Result};

/// Files the hashes are spilled to: each holds 1/64 of them (7 MB at
/// 100,000 speeches).
pub(super) const BUCKETS: usize = 64;

/// Every document's distinct fingerprint hashes, by bucket.
pub(super) enum AllHashes {
    Memory(Vec<Held>),
    /// Unsorted, each file with its name (removed once opened).
    Spilled(Vec<(std::fs::File, PathBuf)>),
}

/// The bucket of a hash: its top bits.
fn bucket(h: Held) -> usize {
    (h >> (64 - BUCKETS.trailing_zeros())) as usize
}

/// Reads every run's prints (not their texts) for their distinct hashes;
/// with `spill`, into bucket files there.
pub(super) fn all_hashes(prints: &dyn Prints, spill: Option<&Path>) -> Result<AllHashes> {
    let distinct = |run: usize| -> Result<Vec<Held>> {
        let first = run * prints.docs_per_run();
        let mut out = Vec::new();
        for (i, p) in prints.run(run, false)?.into_iter().enumerate() {
            let mut mine: Vec<u64> = p.prints.iter().map(|e| e.0).collect();
            mine.sort_unstable();
            mine.dedup();
            out.extend(mine.into_iter().map(|h| held(h, (first + i) as u32)));
        }
        Ok(out)
    };
    let Some(dir) = spill else {
        let mut all: Vec<Held> = Vec::new();
        in_batches(prints.runs(), distinct, |r| {
            all.extend(r);
            Ok(())
        })?;
        all.par_sort_unstable();
        return Ok(AllHashes::Memory(all));
    };
    let mut files = Vec::with_capacity(BUCKETS);
    for b in 0..BUCKETS {
        files.push(spill_file(dir, b)?);
    }
    let mut out: Vec<_> = files.iter().map(|(f, _)| std::io::BufWriter::with_capacity(1 << 16, f)).collect();
    in_batches(prints.runs(), distinct, |r| {
        for h in r {
            let b = bucket(h);
            out[b].write_all(&h.to_le_bytes()).map_err(|e| Error::io("write", &files[b].1, e))?;
        }
        Ok(())
    })?;
    for (b, w) in out.into_iter().enumerate() {
        w.into_inner().map_err(|e| Error::io("write", &files[b].1, e.into_error()))?;
    }
    Ok(AllHashes::Spilled(files))
}

/// A bucket file in `dir`, named as a part file of this process
/// (`.reuse-spill-<b>.part-<pid>`, which a later build removes if this
/// one is stopped) and removed at once: it lives while it is open.
fn spill_file(dir: &Path, b: usize) -> Result<(std::fs::File, PathBuf)> {
    let path = dir.join(format!(".reuse-spill-{b}.part-{}", std::process::id()));
    let file = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path))
        .map_err(|e| Error::io("create", &path, e))?;
    let _ = std::fs::remove_file(&path);
    Ok((file, path))
}

impl AllHashes {
    /// How many.
    pub fn len(&self) -> Result<u64> {
        match self {
            AllHashes::Memory(all) => Ok(all.len() as u64),
            AllHashes::Spilled(files) => files
                .iter()
                .try_fold(0, |n, (f, path)| Ok(n + f.metadata().map_err(|e| Error::io("read", path, e))?.len() / 8)),
        }
    }

    /// Hands `f` each bucket's hashes, sorted, buckets in hash order.
    pub fn each(&self, f: &mut dyn FnMut(&[Held]) -> Result<()>) -> Result<()> {
        let files = match self {
            AllHashes::Memory(all) => return f(all),
            AllHashes::Spilled(files) => files,
        };
        for (file, path) in files {
            let io = |e| Error::io("read", path, e);
            let mut bytes = vec![0u8; file.metadata().map_err(io)?.len() as usize];
            file.read_exact_at(&mut bytes, 0).map_err(io)?;
            let mut hashes: Vec<Held> =
                bytes.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default())).collect();
            drop(bytes);
            hashes.par_sort_unstable();
            f(&hashes)?;
        }
        Ok(())
    }

    /// The list in memory: what a match without a folder to spill to keeps.
    pub fn into_vec(self) -> Result<Vec<Held>> {
        match self {
            AllHashes::Memory(all) => Ok(all),
            spilled => {
                let mut all = Vec::with_capacity(spilled.len()? as usize);
                spilled.each(&mut |b| {
                    all.extend_from_slice(b);
                    Ok(())
                })?;
                Ok(all)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::segments::BodyText;
    use crate::reuse::DocPrint;

    /// Runs of three documents with made-up fingerprints, some repeated.
    struct Made(usize);

    impl Prints for Made {
        fn runs(&self) -> usize {
            self.0.div_ceil(3)
        }
        fn docs_per_run(&self) -> usize {
            3
        }
        fn run(&self, n: usize, _text: bool) -> Result<Vec<DocPrint>> {
            Ok((3 * n..self.0.min(3 * n + 3)).map(|d| self.doc(d).unwrap_or_default()).collect())
        }
        fn doc(&self, doc: usize) -> Result<DocPrint> {
            let hash = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 24 << 24;
            let prints = (0..200u64).map(|i| (hash(i * 7 + doc as u64 % 50), i as u32)).collect();
            Ok(DocPrint { prints, ..Default::default() })
        }
        fn text(&self, _doc: usize) -> Result<BodyText> {
            Ok(BodyText::default())
        }
    }

    #[test]
    fn spilled_hashes_come_back_in_buckets_that_make_the_list_sorted_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let prints = Made(100);
        let memory = all_hashes(&prints, None).unwrap().into_vec().unwrap();
        assert!(memory.windows(2).all(|w| w[0] < w[1]) && memory.len() > 10_000);
        let spilled = all_hashes(&prints, Some(dir.path())).unwrap();
        assert!(matches!(spilled, AllHashes::Spilled(_)));
        assert_eq!(spilled.len().unwrap(), memory.len() as u64);
        let mut buckets = 0;
        let mut joined = Vec::new();
        spilled
            .each(&mut |b| {
                buckets += 1;
                joined.extend_from_slice(b);
                Ok(())
            })
            .unwrap();
        assert_eq!((buckets, joined), (BUCKETS, memory));
        // The bucket files were removed once open: nothing is left behind.
        drop(spilled);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
