//! Reuse stage: passages of at least [`THRESHOLD`] Han characters that
//! two or more documents share, documents that are not reprints of each
//! other (`variant_of` makes a family). Runs after the index and before
//! rendering, whose document pages show each paragraph's shared passages
//! and whose `passages/` page lists the most shared ones.
//!
//! Design. A document's Han characters (punctuation, digits and spaces
//! left out, traditional as simplified) are cut into k-grams of [`K`]
//! characters, hashed, and *winnowed*: in every window of [`WINDOW`]
//! consecutive k-grams the smallest hash is a fingerprint, so two texts
//! that share a run of [`THRESHOLD`] characters share a fingerprint
//! (`prints`). That part is made where the search stage's indexer walks
//! each text, and kept with its run of documents in `.archive-cache/`: an
//! edit fingerprints its run again, not the archive. Then (`find`) every
//! fingerprint goes in one table sorted by hash; a hash a few documents
//! hold pairs each with every earlier one, a hash many hold pairs each
//! with the earliest; each pair is verified (`verify`) by comparing
//! characters outward from the k-gram (once per diagonal) and a run of at
//! least [`THRESHOLD`] is a match; after an edit, `update` brings the last
//! build's matching state up to date instead. Matches with the same earlier document and
//! overlapping places in it are one *passage*, listed from that earliest
//! document on. Work and memory grow with the text, in two passes over
//! the prints: the first finds every document's distinct fingerprint
//! hashes (8 bytes each, the hash's 40 bits and the document's number in
//! one word, about one in ten characters) to learn which hashes two or
//! more documents hold; a build spills them to files by their top bits
//! and writes them sorted, a bucket at a time, to the state's hashes file
//! (`hashes`), so it holds a 64th of them, and none while it compares;
//! the second keeps only those fingerprints (16 bytes
//! each) and the segments that hold them (2 bytes a Han character), so
//! what is held while pairs are compared grows with the shared text, not
//! the archive. Hashes are 40 bits, not 32: a chance collision of two
//! k-grams makes a hash look shared and costs a pair to compare and the
//! segments to load, and those grow with the square of the fingerprints
//! (at 10,000 generated speeches, 24,394 of the 36,012 pairs compared were
//! such collisions with 32 bits). Both passes read the runs a few at a
//! time, in parallel, into one list that grows in place: what is read is
//! held once, not once per run and again joined. The word leaves 24 bits for the
//! document: up to 16,777,216 documents; more are a usage error
//! (`find::numbered`), checked before any is packed.

mod find;
mod hashes;
mod prints;
mod state;
mod update;
mod verify;

use rayon::prelude::*;

pub use find::{Match, State};
pub use prints::{han, DocPrint, K, THRESHOLD, WINDOW};

use crate::error::Result;
use crate::markdown::segments::BodyText;
use crate::model::Archive;

/// Where the finder reads the documents' prints and texts: the search
/// stage's runs (kept in `.archive-cache/`), which hold them.
pub trait Prints: Sync {
    /// How many runs, and documents a run (the last may hold fewer).
    fn runs(&self) -> usize;
    fn docs_per_run(&self) -> usize;
    /// The prints of run `n`'s documents, in order; without `text`, their
    /// Han characters are left out.
    fn run(&self, n: usize, text: bool) -> Result<Vec<DocPrint>>;
    /// One document's print.
    fn doc(&self, doc: usize) -> Result<DocPrint>;
    /// One document's body as printed.
    fn text(&self, doc: usize) -> Result<BodyText>;
}

/// A passage and the documents that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// (document, anchor code of its paragraph), earliest document first:
    /// the first is where the passage was found first.
    pub docs: Vec<(u32, u32)>,
    /// How many families (a document with its reprints) hold it.
    pub families: u32,
    /// Its Han characters.
    pub length: u32,
    /// As the earliest document prints it.
    pub text: String,
    /// A piece of it without spaces, commas or quotation marks, to search for.
    pub phrase: Option<String>,
    /// Its place in the earliest document is itself copied from an earlier
    /// one's (found with another passage).
    pub derived: bool,
}

/// Every shared passage, and per document where it holds which.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passages {
    pub passages: Vec<Passage>,
    /// Per document: (anchor code, passage), in passage order.
    pub of_doc: Vec<Vec<(u32, u32)>>,
}

/// Families: a document with what it reprints and what reprints it.
pub fn families(archive: &Archive) -> Vec<u32> {
    let by_slug: std::collections::HashMap<&str, usize> =
        archive.documents.iter().enumerate().map(|(i, d)| (d.slug.as_str(), i)).collect();
    let mut parent: Vec<usize> = (0..archive.documents.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, d) in archive.documents.iter().enumerate() {
        if let Some(&o) = d.variant_of.as_deref().and_then(|v| by_slug.get(v)) {
            let (a, b) = (root(&mut parent, i), root(&mut parent, o));
            parent[a.max(b)] = a.min(b);
        }
    }
    (0..parent.len()).map(|i| root(&mut parent, i) as u32).collect()
}

/// Finds the passages the archive's documents share; with the `last`
/// build's [`State`], compares again only what changed (same result).
/// With `kept`, the state's hashes are written there as soon as they are
/// known and the returned state goes without them (see
/// [`Kept::save_state`]).
pub fn find(
    archive: &Archive,
    prints: &dyn Prints,
    last: Option<State>,
    kept: Option<&Kept>,
) -> Result<(Passages, State)> {
    use std::hash::{Hash, Hasher};
    let family = families(archive);
    let keys: Vec<u64> = archive
        .documents
        .iter()
        .map(|d| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            (&d.path, d.digest).hash(&mut h);
            h.finish()
        })
        .collect();
    let state = find::matches(prints, &family, &keys, last, kept.map(|k| k as &dyn find::Keep))?;
    let matches = &state.matches;
    // Passages: matches with the same earlier document and segment whose
    // ranges there overlap (matches are sorted by their earlier side).
    let mut passages: Vec<(Match, Vec<Match>)> = Vec::new();
    for m in matches {
        match passages.last_mut() {
            Some((p, list)) if p.src.0 == m.src.0 && p.src.1 == m.src.1 && m.src.2 < p.src.3 => {
                p.src.3 = p.src.3.max(m.src.3);
                list.push(*m);
            }
            _ => passages.push((*m, vec![*m])),
        }
    }
    // A passage whose place in its earliest document is a later side of
    // another match is a copy of an older one.
    let mut copied: Vec<(u32, u32, u32, u32)> = matches.iter().map(|m| m.dst).collect();
    copied.par_sort_unstable();
    let derived = |(d, s, a, b): (u32, u32, u32, u32)| {
        let from = copied.partition_point(|c| (c.0, c.1) < (d, s));
        copied[from..].iter().take_while(|c| (c.0, c.1) == (d, s)).any(|c| c.2 < b && a < c.3)
    };
    // Their text, from each earliest document once.
    let mut by_source: Vec<(u32, usize)> = passages.iter().enumerate().map(|(i, p)| (p.0.src.0, i)).collect();
    by_source.sort_unstable();
    let mut groups: Vec<(u32, Vec<usize>)> = Vec::new();
    for (doc, i) in by_source {
        match groups.last_mut() {
            Some((d, list)) if *d == doc => list.push(i),
            _ => groups.push((doc, vec![i])),
        }
    }
    let texts: Vec<Vec<(usize, String)>> = groups
        .par_iter()
        .map(|(doc, list)| -> Result<Vec<(usize, String)>> {
            let text = prints.text(*doc as usize)?;
            let positions = han_positions(&text);
            Ok(list
                .iter()
                .map(|&i| {
                    let (_, _, a, b) = passages[i].0.src;
                    let from = positions.get(a as usize).copied().unwrap_or(0);
                    let to = positions.get(b as usize - 1).map_or(from, |&p| p + 1);
                    (i, text.chars[from..to].iter().collect())
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut text_of: Vec<String> = vec![String::new(); passages.len()];
    for (i, t) in texts.into_iter().flatten() {
        text_of[i] = t;
    }
    let mut out = Passages { passages: Vec::with_capacity(passages.len()), of_doc: vec![Vec::new(); family.len()] };
    for (n, ((source, list), text)) in passages.into_iter().zip(text_of).enumerate() {
        let mut docs: Vec<(u32, u32, u32)> = vec![(source.src.0, source.src.1, 0)];
        docs.extend(list.iter().map(|m| (m.dst.0, m.dst.1, 0)));
        // Earliest first (the larger number), each document once.
        docs.sort_by_key(|d| std::cmp::Reverse(d.0));
        docs.dedup_by_key(|d| d.0);
        let families: std::collections::BTreeSet<u32> = docs.iter().map(|d| family[d.0 as usize]).collect();
        out.passages.push(Passage {
            docs: docs.iter().map(|d| (d.0, d.1)).collect(),
            families: families.len() as u32,
            length: source.src.3 - source.src.2,
            phrase: phrase(&text),
            text,
            derived: derived(source.src),
        });
        for d in &docs {
            out.of_doc[d.0 as usize].push((d.1, n as u32));
        }
    }
    // Segment numbers → anchor codes, per document.
    let anchors: Vec<Vec<u32>> = (0..family.len())
        .into_par_iter()
        .map(|doc| -> Result<Vec<u32>> {
            if out.of_doc[doc].is_empty() {
                return Ok(Vec::new());
            }
            Ok(prints.doc(doc)?.segments.iter().map(|s| s.1).collect())
        })
        .collect::<Result<_>>()?;
    for p in &mut out.passages {
        for d in &mut p.docs {
            d.1 = anchors[d.0 as usize].get(d.1 as usize).copied().unwrap_or(0);
        }
    }
    for (doc, list) in out.of_doc.iter_mut().enumerate() {
        for e in list.iter_mut() {
            e.0 = anchors[doc].get(e.0 as usize).copied().unwrap_or(0);
        }
    }
    Ok((out, state))
}

/// Per Han character [`DocPrint`] keeps (of segments long enough), its
/// position in the body.
fn han_positions(text: &BodyText) -> Vec<usize> {
    let mut out = Vec::new();
    let mut segment = Vec::new();
    let close = |segment: &mut Vec<usize>, out: &mut Vec<usize>| {
        if segment.len() >= THRESHOLD {
            out.append(segment);
        }
        segment.clear();
    };
    for (i, &c) in text.chars.iter().enumerate() {
        if c == '\0' {
            close(&mut segment, &mut out);
        } else if han(c).is_some() {
            segment.push(i);
        }
    }
    close(&mut segment, &mut out);
    out
}

/// A piece of a passage to search for: its first run of at least eight
/// characters without a space, a comma or a quotation mark (which the
/// search reads as separators or drops), at most 24; else its longest.
fn phrase(text: &str) -> Option<String> {
    let breaks = |c: char| c.is_whitespace() || ",，\"'“”‘’「」『』".contains(c);
    let runs: Vec<&str> = text.split(breaks).filter(|r| !r.is_empty()).collect();
    let pick =
        runs.iter().find(|r| r.chars().count() >= 8).or_else(|| runs.iter().max_by_key(|r| r.chars().count()))?;
    let piece: String = pick.chars().take(24).collect();
    (piece.chars().count() >= 4).then_some(piece)
}

/// The passages of the last build, kept in `.archive-cache/reuse.bin`
/// with the digest of what they were found from (the search index's
/// inputs, which hold every text in its order, the families, this
/// program): a build whose digest matches uses them instead of finding
/// them again. A file that is damaged or from other inputs is ignored.
pub struct Kept {
    path: std::path::PathBuf,
    key: u64,
    reuse: bool,
}

/// What the matching of the last build leaves for the next one
/// ([`State`]), kept beside the passages (`reuse-state.bin`), its hashes
/// apart (`reuse-hashes.bin`, written while the match runs): any
/// program's state for this one is ignored, and so is a state whose
/// hashes file is missing, damaged or another build's.
impl Kept {
    fn state_path(&self) -> std::path::PathBuf {
        self.path.with_file_name("reuse-state.bin")
    }

    fn hashes_path(&self) -> std::path::PathBuf {
        self.path.with_file_name("reuse-hashes.bin")
    }

    /// The last build's state, with its hashes.
    pub fn load_state(&self) -> Option<State> {
        if !self.reuse {
            return None;
        }
        let mut state = state::decode(&std::fs::read(self.state_path()).ok()?, state_key())?;
        if let Some(sum) = state.hashes_kept {
            let file = std::fs::File::open(self.hashes_path()).ok()?;
            let len = file.metadata().ok()?.len();
            let mut from = std::io::BufReader::with_capacity(1 << 16, file);
            state.hashes = state::read_hashes(&mut from, len, state_key(), sum)?;
            state.hashes_kept = None;
        }
        Some(state)
    }

    /// A state that cannot be written is no error (the next build matches
    /// from scratch).
    pub fn save_state(&self, state: &State) {
        let _ = crate::identity::atomic_write_with(&self.state_path(), |out| state::write(state, state_key(), out));
    }
}

/// A match's hashes go to `reuse-hashes.bin` (before its state), spilled
/// on their way in the same folder; a file that cannot be written is no
/// error (the state holds them).
impl find::Keep for Kept {
    fn spill(&self) -> &std::path::Path {
        self.path.parent().unwrap_or(std::path::Path::new("."))
    }

    fn hashes(&self, count: u64, fill: &mut find::Fill) -> Option<u64> {
        let mut sum = None;
        crate::identity::atomic_write_with(&self.hashes_path(), |out| {
            sum = Some(state::write_hashes(count, fill, state_key(), out)?);
            Ok(())
        })
        .ok()?;
        sum
    }
}

fn state_key() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    (THRESHOLD, K, crate::identity::program()).hash(&mut h);
    h.finish()
}

const MAGIC: &[u8; 8] = b"ARCHREU1";

impl Kept {
    /// `texts`: the digest of every document's text, in order (the search
    /// index's inputs); `reuse` false ignores what is kept (`--clean`).
    pub fn new(path: std::path::PathBuf, texts: u64, archive: &Archive, reuse: bool) -> Kept {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        (texts, families(archive), THRESHOLD, K, crate::identity::program()).hash(&mut h);
        Kept { path, key: h.finish(), reuse }
    }

    pub fn load(&self) -> Option<Passages> {
        if !self.reuse {
            return None;
        }
        let bytes = std::fs::read(&self.path).ok()?;
        let (head, body) = (bytes.get(..24)?, bytes.get(24..)?);
        let word = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().unwrap_or_default());
        if &head[..8] != MAGIC || word(8) != self.key || word(16) != xxhash_rust::xxh3::xxh3_64(body) {
            return None;
        }
        decode(body)
    }

    /// Keeps `passages` for the next build; a cache that cannot be written
    /// is no error (the next build finds them again). They are encoded
    /// twice, for the checksum and then into the file, never held encoded
    /// (as much again as the passages, 76 MB at 100,000 generated speeches).
    pub fn save(&self, passages: &Passages) {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let _ = encode(passages, &mut |bytes| {
            h.update(bytes);
            Ok(())
        });
        let _ = crate::identity::atomic_write_with(&self.path, |out| {
            out.write_all(MAGIC)?;
            out.write_all(&self.key.to_le_bytes())?;
            out.write_all(&h.digest().to_le_bytes())?;
            encode(passages, &mut |bytes| out.write_all(bytes))
        });
    }
}

/// `p`'s bytes, handed to `out` 64 KB at a time.
fn encode(p: &Passages, out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let mut flush = |buf: &mut Vec<u8>, at_least: usize| -> std::io::Result<()> {
        if buf.len() >= at_least {
            out(buf)?;
            buf.clear();
        }
        Ok(())
    };
    let put = |buf: &mut Vec<u8>, n: u32| buf.extend(n.to_le_bytes());
    let text = |buf: &mut Vec<u8>, s: &str| {
        buf.extend((s.len() as u32).to_le_bytes());
        buf.extend(s.as_bytes());
    };
    put(&mut buf, p.of_doc.len() as u32);
    put(&mut buf, p.passages.len() as u32);
    for x in &p.passages {
        put(&mut buf, x.families);
        put(&mut buf, x.length);
        buf.push(x.derived as u8 | (x.phrase.is_some() as u8) << 1);
        text(&mut buf, &x.text);
        if let Some(phrase) = &x.phrase {
            text(&mut buf, phrase);
        }
        put(&mut buf, x.docs.len() as u32);
        for &(d, a) in &x.docs {
            put(&mut buf, d);
            put(&mut buf, a);
            flush(&mut buf, 1 << 16)?;
        }
        flush(&mut buf, 1 << 16)?;
    }
    flush(&mut buf, 1)
}

/// Reads what [`encode`] wrote; `None` when it does not read back.
fn decode(bytes: &[u8]) -> Option<Passages> {
    struct Bytes<'a>(&'a [u8], usize);
    impl<'a> Bytes<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let b = self.0.get(self.1..self.1.checked_add(n)?)?;
            self.1 += n;
            Some(b)
        }
        fn word(&mut self) -> Option<u32> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
        }
        fn text(&mut self) -> Option<String> {
            let len = self.word()? as usize;
            String::from_utf8(self.take(len)?.to_vec()).ok()
        }
    }
    let mut b = Bytes(bytes, 0);
    let docs = b.word()? as usize;
    let count = b.word()? as usize;
    let mut out = Passages { passages: Vec::with_capacity(count.min(bytes.len())), of_doc: vec![Vec::new(); docs] };
    for n in 0..count {
        let (families, length) = (b.word()?, b.word()?);
        let flags = b.take(1)?[0];
        let text = b.text()?;
        let phrase = if flags & 2 != 0 { Some(b.text()?) } else { None };
        let k = b.word()? as usize;
        let mut list = Vec::with_capacity(k.min(bytes.len()));
        for _ in 0..k {
            let (d, a) = (b.word()?, b.word()?);
            out.of_doc.get_mut(d as usize)?.push((a, n as u32));
            list.push((d, a));
        }
        out.passages.push(Passage { docs: list, families, length, text, phrase, derived: flags & 1 != 0 });
    }
    (b.1 == bytes.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_passages_read_back_as_saved_even_longer_than_a_written_piece_and_a_damaged_file_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept { path: dir.path().join("reuse.bin"), key: 7, reuse: true };
        // A text and a document list each longer than the 64 KB pieces
        // `encode` hands over.
        let long: String = "扶贫".repeat(40_000);
        let docs: Vec<(u32, u32)> = (0..20_000).map(|d| (d, d % 5)).collect();
        let passages = vec![
            Passage {
                docs: vec![(3, 1), (0, 2)],
                families: 2,
                length: 31,
                text: "甲".repeat(31),
                phrase: Some("甲甲甲甲".into()),
                derived: false,
            },
            Passage { docs: docs.clone(), families: 20_000, length: 80_000, text: long, phrase: None, derived: true },
        ];
        let mut of_doc = vec![Vec::new(); 20_000];
        for (n, p) in passages.iter().enumerate() {
            for &(d, a) in &p.docs {
                of_doc[d as usize].push((a, n as u32));
            }
        }
        let passages = Passages { passages, of_doc };
        kept.save(&passages);
        assert_eq!(kept.load(), Some(passages.clone()));
        // The file is the checksummed encoding, whole.
        let mut bytes = std::fs::read(&kept.path).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(u64::from_le_bytes(bytes[16..24].try_into().unwrap()), xxhash_rust::xxh3::xxh3_64(&bytes[24..]));
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&kept.path, &bytes).unwrap();
        assert_eq!(kept.load(), None);
        let other = Kept { path: kept.path.clone(), key: 8, reuse: true };
        kept.save(&passages);
        assert_eq!(other.load(), None);
    }
}
