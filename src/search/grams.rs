//! Phase one of indexing, by runs of documents in parallel. Each document's
//! normalised stream is read once: unigrams are counted by code point,
//! every bigram occurrence is numbered through one table for the whole run,
//! and a counting sort then groups the occurrences by bigram, in document
//! and position order. The run's output is one *block* per gram, in the
//! bucket of the gram's hash: its documents list and positions list over
//! the run's documents, already in the published encoding
//! ([`super::codec`]), so that phase two only concatenates blocks.

use std::ops::Range;

use super::codec::{gram_hash, put_varint, Reader};
use super::text::{head_stream, normalized_stream, printed_code, BodyText};
use crate::model::Document;

/// Documents in a run.
pub const DOCS_PER_RUN: usize = 128;

/// A run's blocks, per bucket. A block: its `key` as [`KEY_BYTES`]
/// little-endian bytes (a gram's 42 bits; a varint would take as many and
/// cost a loop to write and to read); varints `documents`, `first` (the
/// first document's number), `last − first`, the byte length of its
/// documents part and, for a bigram, of its positions part; then the parts.
/// Each part is the gram's list entries for the run's documents as
/// published, except, in the documents part, the first entry's document
/// difference, which depends on the runs before and which phase two writes.
pub struct Run {
    pub buckets: Vec<Vec<u8>>,
    /// The run's text file (`search/t/<run>.bin`): [`text_file`].
    pub text: Vec<u8>,
    /// Its documents' prints for the shared-passage finder: [`prints_section`].
    pub prints: Vec<u8>,
    /// What its documents' texts and prints were made from, for the next
    /// build (`super::runs`): little-endian `u64`s, filled by the caller.
    pub digests: Vec<u8>,
}

/// A block read back: its gram, how many documents, the first and last,
/// and where its two parts are in the bucket (the second empty for a
/// unigram).
pub struct Block {
    pub key: u64,
    pub documents: u32,
    pub first: u32,
    pub last: u32,
    pub parts: [Range<usize>; 2],
}

/// Reads the block at `*at` of a bucket, moving `*at` past it; `None` at
/// the end or when the bucket is cut short.
pub fn read_block(bytes: &[u8], at: &mut usize) -> Option<Block> {
    // Read as one word: a whole block is longer (the key and four varints
    // at least), so a bucket with fewer bytes left is cut short.
    let word = bytes.get(*at..at.checked_add(8)?)?;
    let key = u64::from_le_bytes(word.try_into().ok()?) & KEY_MASK;
    let mut r = Reader { bytes, at: *at + KEY_BYTES };
    let documents = r.varint() as u32;
    let first = r.varint() as u32;
    let last = first.wrapping_add(r.varint() as u32);
    let lens = [r.varint() as usize, if is_unigram(key) { 0 } else { r.varint() as usize }];
    let start = r.at;
    let middle = start.checked_add(lens[0])?;
    let end = middle.checked_add(lens[1]).filter(|&end| end <= bytes.len())?;
    *at = end;
    Some(Block { key, documents, first, last, parts: [start..middle, middle..end] })
}

/// A run's text file: for each of its documents two little-endian `u32`
/// offsets in the file — where its head length and anchors start, where
/// its text starts — then the file's length; then the documents' parts,
/// one after the other: `varint(head length)`, `varint(anchors)`, per
/// anchor `varint(position − previous)` `varint(code)` ([`BodyText`]),
/// then the text, two bytes (UTF-16LE) a position of the body's stream.
fn text_file(starts: &[[u32; 2]], texts: &[u8]) -> Vec<u8> {
    let header = (2 * starts.len() + 1) as u32 * 4;
    let mut out = Vec::with_capacity(header as usize + texts.len());
    for &[anchors, text] in starts {
        out.extend((header + anchors).to_le_bytes());
        out.extend((header + text).to_le_bytes());
    }
    out.extend((header + texts.len() as u32).to_le_bytes());
    out.extend_from_slice(texts);
    out
}

/// A run's prints: `u32` documents, then each's offset in the section and
/// the section's length (little-endian `u32`s), then the documents'
/// encoded [`crate::reuse::DocPrint`]s.
fn prints_section(starts: &[u32], prints: &[u8]) -> Vec<u8> {
    let header = (starts.len() + 2) as u32 * 4;
    let mut out = Vec::with_capacity(header as usize + prints.len());
    out.extend((starts.len() as u32).to_le_bytes());
    for &s in starts {
        out.extend((header + s).to_le_bytes());
    }
    out.extend((header + prints.len() as u32).to_le_bytes());
    out.extend_from_slice(prints);
    out
}

/// Bytes of a block's key: 42 bits fit in 6.
const KEY_BYTES: usize = 6;
const KEY_MASK: u64 = (1 << (8 * KEY_BYTES)) - 1;

fn is_unigram(key: u64) -> bool {
    key & 0x1F_FFFF == 0
}

/// Working memory of one thread, reused across runs: the run being indexed.
pub struct Indexer {
    stream: Vec<u32>,
    /// Per code point: occurrences in this document in the low half, in
    /// its head in the high.
    per_char: Vec<u64>,
    seen: Vec<u32>,
    /// Per code point: its unigram's number in the run, plus one (0: none).
    unigram_number: Vec<u32>,
    unigrams: Vec<u32>,
    /// Per unigram number, documents; per document holding a unigram: its
    /// number, the document's index in the run, occurrences, in the head.
    unigram_documents: Vec<u32>,
    unigram_postings: Vec<[u32; 4]>,
    /// Bigram key → its number and occurrences.
    bigram_numbers: KeyTable<(u32, u32)>,
    bigrams: Vec<u64>,
    /// Per bigram number, occurrences in the run.
    bigram_counts: Vec<u32>,
    /// Per bigram occurrence, in stream order: its number and position.
    occurrences: Vec<(u32, u32)>,
    /// Per document of the run: its number in the archive, the length of
    /// its head and where its occurrences end.
    documents: Vec<(u32, u32, usize)>,
    grouped: Vec<u64>,
    parts: [Vec<u8>; 2],
    /// The document being added, as the text store holds it, and the
    /// run's documents so far: each one's anchors and text, one after the
    /// other, and where each starts.
    body_text: BodyText,
    texts: Vec<u8>,
    text_starts: Vec<[u32; 2]>,
    /// The run's documents' prints, one after the other, and where each starts.
    prints: Vec<u8>,
    print_starts: Vec<u32>,
}

impl Default for Indexer {
    fn default() -> Self {
        Indexer {
            stream: Vec::new(),
            per_char: vec![0; 0x11_0000],
            seen: Vec::new(),
            unigram_number: vec![0; 0x11_0000],
            unigrams: Vec::new(),
            unigram_documents: Vec::new(),
            unigram_postings: Vec::new(),
            bigram_numbers: KeyTable::default(),
            bigrams: Vec::new(),
            bigram_counts: Vec::new(),
            occurrences: Vec::new(),
            documents: Vec::new(),
            grouped: Vec::new(),
            parts: [Vec::new(), Vec::new()],
            body_text: BodyText::default(),
            texts: Vec::new(),
            text_starts: Vec::new(),
            prints: Vec::new(),
            print_starts: Vec::new(),
        }
    }
}

impl Indexer {
    /// Adds document `number` (the next one of the run) with its body.
    pub fn add(&mut self, number: u32, document: &Document, body: &str) {
        let head = normalized_stream(document, body, &mut self.stream, Some(&mut self.body_text));
        // The text store's part: head length and anchors, then the text.
        let anchors_at = self.texts.len() as u32;
        put_varint(&mut self.texts, head as u64);
        put_varint(&mut self.texts, self.body_text.anchors.len() as u64);
        let mut before = 0;
        for &(at, code) in &self.body_text.anchors {
            put_varint(&mut self.texts, (at - before) as u64);
            put_varint(&mut self.texts, code as u64);
            before = at;
        }
        self.text_starts.push([anchors_at, self.texts.len() as u32]);
        self.texts.extend(self.body_text.chars.iter().flat_map(|&c| BodyText::unit(c).to_le_bytes()));
        self.print_starts.push(self.prints.len() as u32);
        crate::reuse::DocPrint::of(&self.body_text).encode(&mut self.prints);
        self.count(number, head);
    }

    /// Adds document `number` from what a run made of it before: its part
    /// of the text file (`head`: head length and anchors; `units`: the
    /// text) and its prints, as [`Indexer::add`] would make them. False,
    /// and nothing added, when the text cannot give the stream back (a
    /// character outside the Basic Multilingual Plane was stored as
    /// U+FFFD) or its head is not the document's.
    pub fn add_known(&mut self, number: u32, document: &Document, head: &[u8], units: &[u8], prints: &[u8]) -> bool {
        let length = head_stream(document, &mut self.stream);
        if super::codec::Reader::new(head).varint() != length as u64 || !units.len().is_multiple_of(2) {
            return false;
        }
        for u in units.chunks_exact(2) {
            let unit = u16::from_le_bytes([u[0], u[1]]);
            match char::from_u32(unit as u32).filter(|_| unit != 0xFFFD) {
                Some(c) => self.stream.push(printed_code(c)),
                None => return false,
            }
        }
        if self.stream.last() != Some(&0) {
            return false;
        }
        let anchors_at = self.texts.len() as u32;
        self.texts.extend_from_slice(head);
        self.text_starts.push([anchors_at, self.texts.len() as u32]);
        self.texts.extend_from_slice(units);
        self.print_starts.push(self.prints.len() as u32);
        self.prints.extend_from_slice(prints);
        self.count(number, length);
        true
    }

    /// Counts the grams of the stream of document `number`, whose head is
    /// `head` positions long.
    fn count(&mut self, number: u32, head: usize) {
        let d = self.documents.len() as u32;
        // One pass: each character's unigram, and the bigram it starts. The
        // stream ends with a 0, so every character has one after it.
        let stream = &self.stream;
        debug_assert_eq!(stream.last(), Some(&0));
        self.occurrences.reserve(stream.len());
        // At most one new bigram a character: the table grows before the
        // loop, never in it.
        self.bigram_numbers.reserve(stream.len());
        for (i, pair) in stream.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            if a == 0 {
                continue;
            }
            let e = &mut self.per_char[a as usize];
            if *e == 0 {
                self.seen.push(a);
            }
            *e += 1 + (((i < head) as u64) << 32);
            if b == 0 {
                continue;
            }
            let key = (a as u64) << 21 | b as u64;
            let entry = self.bigram_numbers.entry_in_room(key, (self.bigrams.len() as u32, 0));
            entry.1 += 1;
            if entry.0 as usize == self.bigrams.len() {
                self.bigrams.push(key);
            }
            self.occurrences.push((entry.0, i as u32));
        }
        for &c in &self.seen {
            let e = std::mem::take(&mut self.per_char[c as usize]);
            let number = &mut self.unigram_number[c as usize];
            if *number == 0 {
                self.unigrams.push(c);
                self.unigram_documents.push(0);
                *number = self.unigrams.len() as u32;
            }
            self.unigram_documents[*number as usize - 1] += 1;
            self.unigram_postings.push([*number - 1, d, e as u32, (e >> 32) as u32]);
        }
        self.seen.clear();
        self.documents.push((number, head as u32, self.occurrences.len()));
    }

    /// The run of the documents added since [`Indexer::clear`], its grams
    /// in `buckets` buckets (a power of two).
    pub fn run(&mut self, buckets: usize) -> Run {
        // About 3 bytes an occurrence, which each bucket reserves (untouched
        // room costs nothing; regrowing would copy).
        let bytes: usize = self.occurrences.len() * 3 / buckets;
        let text = text_file(&self.text_starts, &self.texts);
        let prints = prints_section(&self.print_starts, &self.prints);
        let mut run = Run {
            buckets: (0..buckets).map(|_| Vec::with_capacity(bytes)).collect(),
            text,
            prints,
            digests: Vec::new(),
        };
        self.bigram_blocks(&mut run);
        self.unigram_blocks(&mut run);
        run
    }

    /// Forgets the documents added.
    pub fn clear(&mut self) {
        self.texts.clear();
        self.text_starts.clear();
        self.prints.clear();
        self.print_starts.clear();
        for &c in &self.unigrams {
            self.unigram_number[c as usize] = 0;
        }
        self.unigrams.clear();
        self.unigram_documents.clear();
        self.unigram_postings.clear();
        self.bigram_numbers.remove_all(self.bigrams.iter().copied());
        self.bigrams.clear();
        self.bigram_counts.clear();
        self.occurrences.clear();
        self.documents.clear();
    }

    /// Groups the occurrences by bigram (a counting sort: each bigram's
    /// stay in document and position order) and writes a block for each.
    fn bigram_blocks(&mut self, run: &mut Run) {
        self.bigram_counts.clear();
        self.bigram_counts.resize(self.bigrams.len(), 0);
        for &(_, (n, count)) in self.bigram_numbers.entries() {
            self.bigram_counts[n as usize] = count;
        }
        let mut ends = Vec::with_capacity(self.bigram_counts.len());
        let mut total = 0;
        for &count in &self.bigram_counts {
            ends.push(total);
            total += count as usize;
        }
        // Every slot below `total` is written before it is read: grown
        // when a run needs more, never zeroed again.
        if self.grouped.len() < total {
            self.grouped.resize(total, 0);
        }
        let grouped = &mut self.grouped[..total];
        let mut from = 0;
        for (d, &(_, _, to)) in self.documents.iter().enumerate() {
            for &(n, position) in &self.occurrences[from..to] {
                let end = &mut ends[n as usize];
                grouped[*end] = (d as u64) << 32 | position as u64;
                *end += 1;
            }
            from = to;
        }
        let mut start = 0;
        for (&key, &end) in self.bigrams.iter().zip(&ends) {
            let occurrences = &grouped[start..end];
            start = end;
            bigram_block(run, key, occurrences, &self.documents, &mut self.parts);
        }
    }

    /// Groups the unigram postings by unigram (a counting sort) and writes
    /// a block for each.
    fn unigram_blocks(&mut self, run: &mut Run) {
        let mut ends = Vec::with_capacity(self.unigrams.len());
        let mut total = 0;
        for &count in &self.unigram_documents {
            ends.push(total);
            total += count as usize;
        }
        let mut grouped = vec![[0u32; 3]; total];
        for &[n, d, count, head] in &self.unigram_postings {
            let end = &mut ends[n as usize];
            grouped[*end] = [d, count, head];
            *end += 1;
        }
        let mut start = 0;
        for (&c, &end) in self.unigrams.iter().zip(&ends) {
            let docs = &mut self.parts[0];
            docs.clear();
            let (mut first, mut last) = (0, 0);
            for (i, &[d, count, head]) in grouped[start..end].iter().enumerate() {
                let number = self.documents[d as usize].0;
                if i == 0 {
                    first = number;
                } else {
                    put_varint(docs, (number - last) as u64);
                }
                put_varint(docs, (count as u64) << 1 | (head > 0) as u64);
                if head > 0 {
                    put_varint(docs, head as u64);
                }
                last = number;
            }
            block(run, (c as u64) << 21, (end - start) as u32, first, last, docs, None);
            start = end;
        }
    }
}

/// Appends the block of a bigram of the run to its bucket, from its
/// occurrences (document in the run << 32 | position) in order; `documents`
/// are the run's (number, head length, end of occurrences).
fn bigram_block(
    run: &mut Run,
    key: u64,
    occurrences: &[u64],
    documents: &[(u32, u32, usize)],
    [docs, positions]: &mut [Vec<u8>; 2],
) {
    docs.clear();
    positions.clear();
    let (mut listed, mut first, mut last) = (0, 0, 0);
    // The document being listed: its index in the run, the length of its
    // head, its occurrences so far (in the head), its last position. Its
    // positions are written as they come, its counts when the next starts.
    let (mut current, mut head, mut count, mut in_head, mut previous) = (u32::MAX, 0, 0, 0, 0);
    for &o in occurrences {
        let (d, p) = ((o >> 32) as u32, o as u32);
        if d != current {
            if count > 0 {
                put_counts(docs, count, in_head);
            }
            let number;
            (number, head, _) = documents[d as usize];
            if listed == 0 {
                first = number;
            } else {
                put_varint(docs, (number - last) as u64);
            }
            (listed, last) = (listed + 1, number);
            (current, count, in_head, previous) = (d, 0, 0, 0);
        }
        put_varint(positions, (p - previous) as u64);
        (previous, count, in_head) = (p, count + 1, in_head + (p < head) as u32);
    }
    put_counts(docs, count, in_head);
    block(run, key, listed, first, last, docs, Some(positions));
}

/// A documents list entry's counts: occurrences (and whether any is in
/// the head), and how many are in the head.
fn put_counts(docs: &mut Vec<u8>, count: u32, in_head: u32) {
    put_varint(docs, (count as u64) << 1 | (in_head > 0) as u64);
    if in_head > 0 {
        put_varint(docs, in_head as u64);
    }
}

/// Appends a block to its bucket.
fn block(run: &mut Run, key: u64, documents: u32, first: u32, last: u32, docs: &[u8], positions: Option<&[u8]>) {
    let b = gram_hash(key) as usize & (run.buckets.len() - 1);
    let out = &mut run.buckets[b];
    // Room for the whole block made once: no regrowth while it is written.
    let positions_part = positions.unwrap_or_default();
    out.reserve(KEY_BYTES + 5 * 10 + docs.len() + positions_part.len());
    out.extend_from_slice(&key.to_le_bytes()[..KEY_BYTES]);
    for n in [documents as u64, first as u64, (last - first) as u64, docs.len() as u64] {
        put_varint(out, n);
    }
    if positions.is_some() {
        put_varint(out, positions_part.len() as u64);
    }
    out.extend_from_slice(docs);
    out.extend_from_slice(positions_part);
}

/// Gram key → value, open addressing; keys are spread well enough by a
/// multiply (no SipHash on the hot path). Key 0 is never a gram. A key and
/// its value share a slot: one cache line a lookup.
pub struct KeyTable<V> {
    slots: Vec<(u64, V)>,
    len: usize,
}

impl<V> Default for KeyTable<V> {
    fn default() -> Self {
        KeyTable { slots: Vec::new(), len: 0 }
    }
}

impl<V: Copy + Default> KeyTable<V> {
    /// The value of `key`, inserted as `value` if new. Inlined: the
    /// indexer calls it for every bigram occurrence.
    #[inline(always)]
    pub fn entry(&mut self, key: u64, value: V) -> &mut V {
        self.reserve(1);
        self.entry_in_room(key, value)
    }

    /// Room for `more` keys without growing: [`KeyTable::entry_in_room`]
    /// may then be called that many times.
    pub fn reserve(&mut self, more: usize) {
        while 2 * (self.len + more) > self.slots.len() {
            self.grow();
        }
    }

    /// [`KeyTable::entry`] without the check for room, which a
    /// [`KeyTable::reserve`] made (a full table would probe forever).
    #[inline(always)]
    pub fn entry_in_room(&mut self, key: u64, value: V) -> &mut V {
        let mask = self.slots.len() - 1;
        let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        while self.slots[s].0 != key && self.slots[s].0 != 0 {
            s = (s + 1) & mask;
        }
        let slot = &mut self.slots[s];
        if slot.0 == 0 {
            *slot = (key, value);
            self.len += 1;
        }
        &mut slot.1
    }

    /// Every key and its value, in no order.
    pub fn entries(&self) -> impl Iterator<Item = &(u64, V)> {
        self.slots.iter().filter(|(k, _)| *k != 0)
    }

    /// Empties the table of `keys`, which it holds, keeping its room: one
    /// probe a key instead of every slot rewritten. A key it does not hold
    /// empties it whole.
    pub fn remove_all(&mut self, keys: impl IntoIterator<Item = u64>) {
        let mask = self.slots.len().wrapping_sub(1);
        for key in keys {
            // Past emptied slots too: a key is where it was put.
            let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
            let mut probes = 0;
            while self.slots.get(s).is_some_and(|slot| slot.0 != key) && probes < self.slots.len() {
                (s, probes) = ((s + 1) & mask, probes + 1);
            }
            match self.slots.get_mut(s).filter(|slot| slot.0 == key) {
                Some(slot) => *slot = (0, V::default()),
                None => return self.clear(),
            }
        }
        self.len = 0;
    }

    /// Empties the table, keeping its room.
    pub fn clear(&mut self) {
        self.slots.fill((0, V::default()));
        self.len = 0;
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(0, V::default()); (old.len() * 2).max(256)];
        self.len = 0;
        for (k, v) in old.into_iter().filter(|(k, _)| *k != 0) {
            self.entry(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::codec::pack;
    use super::*;

    #[test]
    fn a_table_emptied_of_its_keys_holds_nothing_and_is_used_again() {
        let mut table: KeyTable<u32> = KeyTable::default();
        // Enough keys for clusters: a key found past one emptied before it.
        let keys: Vec<u64> = (1..=3000u64).map(|k| k * 0x20_0001).collect();
        for (n, &key) in keys.iter().enumerate() {
            *table.entry(key, 0) += n as u32 + 1;
        }
        table.remove_all(keys.iter().copied());
        assert_eq!(table.entries().count(), 0, "every slot emptied");
        assert_eq!(*table.entry(keys[7], 5), 5, "a key put again is new");
        // A key it does not hold: emptied whole all the same.
        table.remove_all([keys[8]]);
        assert_eq!(table.entries().count(), 0);
    }

    #[test]
    fn a_table_with_room_made_takes_that_many_keys_without_growing() {
        let mut table: KeyTable<u32> = KeyTable::default();
        let keys: Vec<u64> = (1..=3000u64).map(|k| k * 0x20_0001).collect();
        table.reserve(keys.len());
        let room = table.slots.len();
        for (n, &key) in keys.iter().enumerate() {
            *table.entry_in_room(key, n as u32) += 1;
        }
        assert_eq!(table.slots.len(), room, "no growth in the loop");
        for (n, &key) in keys.iter().enumerate() {
            assert_eq!(*table.entry(key, 0), n as u32 + 1);
        }
    }

    #[test]
    fn blocks_read_back_wherever_they_end_in_the_bucket() {
        let mut run = Run { buckets: vec![Vec::new()], text: Vec::new(), prints: Vec::new(), digests: Vec::new() };
        let bigram = pack(&['中', '国']);
        let unigram = pack(&['\u{10FFFF}', '\0']);
        block(&mut run, bigram, 2, 7, 300, &[1, 2, 3], Some(&[4, 5]));
        // Last in the bucket, as short as a block is: its key a word from
        // the end.
        block(&mut run, unigram, 1, 2, 2, &[], None);
        let bytes = &run.buckets[0];
        assert_eq!(bytes[..KEY_BYTES], bigram.to_le_bytes()[..KEY_BYTES], "a key's bytes as they are");
        let mut at = 0;
        let a = read_block(bytes, &mut at).expect("the bigram's block");
        assert_eq!((a.key, a.documents, a.first, a.last), (bigram, 2, 7, 300));
        assert_eq!([&bytes[a.parts[0].clone()], &bytes[a.parts[1].clone()]], [&[1, 2, 3][..], &[4, 5][..]]);
        let b = read_block(bytes, &mut at).expect("the unigram's block");
        assert_eq!((b.key, b.documents, b.first, b.last), (unigram, 1, 2, 2));
        assert_eq!((b.parts[0].len(), b.parts[1].len(), bytes.len() - a.parts[1].end), (0, 0, 10));
        assert_eq!(at, bytes.len());
        assert!(read_block(bytes, &mut at).is_none(), "the end");
        // Cut short within a word of the key: no block.
        for cut in [a.parts[1].end + 3, a.parts[1].end + 7] {
            let mut at = a.parts[1].end;
            assert!(read_block(&bytes[..cut], &mut at).is_none());
        }
    }
}
