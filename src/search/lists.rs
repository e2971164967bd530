//! What phase two keeps of each bucket for the next build, in
//! `.archive-cache/search/lists.bin`: the digest of the bucket's inputs
//! (its sections in every run), how many grams it has, and its commonest
//! grams with where their lists are in its packs. A bucket whose inputs
//! are unchanged then needs none of its blocks read: its packs and
//! directory files are kept, and the hot directory is made from these
//! grams (`packs`). The file is checked whole against its checksum and the
//! settings it was made under; one that fails is not used.

use std::ops::Range;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

const MAGIC: &[u8; 8] = b"ARCHLST1";

/// A bucket as the last build left it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// Digest of the bucket's inputs.
    pub fingerprint: u64,
    /// How many grams it holds.
    pub grams: usize,
    /// Its commonest grams, commonest first: key, documents list and
    /// positions list in its packs. All of its grams when `grams` is
    /// their number.
    pub commonest: Vec<(u64, [Range<usize>; 2])>,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join("lists.bin")
}

/// The buckets the file at `path` describes, when it is whole and made
/// under `settings` into as many buckets as `buckets`.
pub fn load(path: &Path, settings: u64, buckets: usize) -> Option<Vec<Bucket>> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.get(24..)?;
    let word = |at: usize| bytes.get(at..at + 8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()));
    if bytes.get(..8)? != MAGIC || word(8)? != settings || word(16)? != xxh3_64(body) {
        return None;
    }
    let mut words = body.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()));
    let mut next = || words.next();
    if next()? != buckets as u64 {
        return None;
    }
    let mut out = Vec::with_capacity(buckets);
    for _ in 0..buckets {
        let (fingerprint, grams, listed) = (next()?, next()? as usize, next()? as usize);
        if listed > grams {
            return None;
        }
        let mut commonest = Vec::with_capacity(listed.min(1 << 16));
        for _ in 0..listed {
            let key = next()?;
            let [a, b, c, d] = [next()? as usize, next()? as usize, next()? as usize, next()? as usize];
            commonest.push((key, [a..b, c..d]));
        }
        out.push(Bucket { fingerprint, grams, commonest });
    }
    next().is_none().then_some(out)
}

/// Saves `buckets`, made under `settings`; a failure only costs the next
/// build its shortcut.
pub fn save(path: &Path, settings: u64, buckets: &[Bucket]) {
    let mut body: Vec<u64> = vec![buckets.len() as u64];
    for b in buckets {
        body.extend([b.fingerprint, b.grams as u64, b.commonest.len() as u64]);
        for (key, [d, p]) in &b.commonest {
            body.extend([*key, d.start as u64, d.end as u64, p.start as u64, p.end as u64]);
        }
    }
    let body: Vec<u8> = body.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut bytes = Vec::with_capacity(24 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend(settings.to_le_bytes());
    bytes.extend(xxh3_64(&body).to_le_bytes());
    bytes.extend(body);
    let _ = crate::identity::atomic_write(path, &bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_read_back_only_whole_and_under_the_same_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        let buckets = vec![
            Bucket { fingerprint: 1, grams: 3, commonest: vec![(9, [0..4, 2..7]), (8, [4..5, 0..0])] },
            Bucket { fingerprint: 2, grams: 0, commonest: vec![] },
        ];
        save(&path, 42, &buckets);
        assert_eq!(load(&path, 42, 2), Some(buckets.clone()));
        assert_eq!(load(&path, 43, 2), None, "other settings");
        assert_eq!(load(&path, 42, 4), None, "other bucket count");
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 20;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(load(&path, 42, 2), None, "a bit flipped");
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
        assert_eq!(load(&path, 42, 2), None, "cut short");
    }
}
