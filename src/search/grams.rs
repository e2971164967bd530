//! Phase one of indexing, by runs of documents in parallel: each document's
//! normalised stream, every unigram's and bigram's count (and how many are
//! in the head) and every bigram's positions, appended as records to the
//! bucket of the gram's hash. Counts use a table by code point (unigrams)
//! and a small open-addressing table (bigrams), reused across documents;
//! positions are grouped by a counting pass, not a sort.

use super::codec::{gram_hash, put_varint};
use super::text::normalized_stream;
use crate::model::Document;

/// Documents in a run: a record gives its document's number within the
/// run in 8 bits.
pub const DOCS_PER_RUN: usize = 256;

/// A record's count field: 13 bits, all ones meaning "in a u32 after".
const SMALL_COUNT: u64 = (1 << 13) - 1;

/// The grams of a run of consecutive documents, per bucket, as records: a
/// little-endian u64 — the gram's key (42 bits), the document's number in
/// the run (8), its occurrences (13; all ones: a u32 follows with them) and
/// whether any is in the head (1; then a u32 follows with how many) — and,
/// for a bigram, its positions as published (varints: the first as is,
/// then differences). One store writes a record's head, one load reads it.
pub struct Run {
    pub buckets: Vec<Vec<u8>>,
}

impl Run {
    /// A run whose grams go to `buckets` buckets (a power of two), each
    /// with room for about `bytes`.
    pub fn new(buckets: usize, bytes: usize) -> Run {
        Run { buckets: (0..buckets).map(|_| Vec::with_capacity(bytes)).collect() }
    }

    /// Appends a record; `positions` ascending (empty for a unigram).
    fn record(&mut self, doc: u32, key: u64, count: u32, head: u32, positions: &[u32]) {
        let b = gram_hash(key) as usize & (self.buckets.len() - 1);
        let out = &mut self.buckets[b];
        let small = (count as u64).min(SMALL_COUNT);
        let word = key | ((doc as usize % DOCS_PER_RUN) as u64) << 42 | small << 50 | ((head > 0) as u64) << 63;
        out.extend_from_slice(&word.to_le_bytes());
        if small == SMALL_COUNT {
            out.extend_from_slice(&count.to_le_bytes());
        }
        if head > 0 {
            out.extend_from_slice(&head.to_le_bytes());
        }
        out.reserve(5 * positions.len());
        let mut prev = 0;
        for &p in positions {
            put_varint(out, (p - prev) as u64);
            prev = p;
        }
    }
}

/// A record read back: key, document within the run, occurrences, in the
/// head, and where its positions are (`at..end`).
pub struct Record {
    pub key: u64,
    pub doc: u32,
    pub count: u32,
    pub head: u32,
    pub positions: std::ops::Range<usize>,
}

/// Reads the record at `*at` of a bucket, moving `*at` past it.
pub fn read_record(bytes: &[u8], at: &mut usize) -> Record {
    let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[*at..*at + 8]);
    let word = u64::from_le_bytes(word);
    *at += 8;
    let key = word & ((1 << 42) - 1);
    let mut count = ((word >> 50) & SMALL_COUNT) as u32;
    if count as u64 == SMALL_COUNT {
        count = u32_at(*at);
        *at += 4;
    }
    let mut head = 0;
    if word >> 63 == 1 {
        head = u32_at(*at);
        *at += 4;
    }
    let start = *at;
    if key & 0x1F_FFFF != 0 {
        for _ in 0..count {
            while bytes[*at] >= 0x80 {
                *at += 1;
            }
            *at += 1;
        }
    }
    Record { key, doc: ((word >> 42) & 0xFF) as u32, count, head, positions: start..*at }
}

const EMPTY: u32 = u32::MAX;

/// Working memory of one thread, reused across documents.
pub struct Scratch {
    stream: Vec<u32>,
    /// Per code point: occurrences in the low half, in the head in the high.
    unigrams: Vec<u64>,
    seen: Vec<u32>,
    /// Bigram table: key (0 = free) and the bigram's number in this
    /// document; counts and positions are kept by number, densely.
    table: Vec<(u64, u32)>,
    found: Vec<u64>,
    counts: Vec<u32>,
    heads: Vec<u32>,
    ends: Vec<u32>,
    /// Per stream position: the number of the bigram starting there.
    number_at: Vec<u32>,
    positions: Vec<u32>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            stream: Vec::new(),
            unigrams: vec![0; 0x11_0000],
            seen: Vec::new(),
            table: Vec::new(),
            found: Vec::new(),
            counts: Vec::new(),
            heads: Vec::new(),
            ends: Vec::new(),
            number_at: Vec::new(),
            positions: Vec::new(),
        }
    }
}

/// Indexes document `doc` into `run`.
pub fn index_document(doc: u32, document: &Document, body: &str, scratch: &mut Scratch, run: &mut Run) {
    let head = normalized_stream(document, body, &mut scratch.stream);
    let Scratch { stream, unigrams, seen, table, found, counts, heads, ends, number_at, positions } = scratch;

    for (i, &c) in stream.iter().enumerate() {
        if c != 0 {
            let e = &mut unigrams[c as usize];
            if *e == 0 {
                seen.push(c);
            }
            *e += 1 + (((i < head) as u64) << 32);
        }
    }
    for &c in seen.iter() {
        let e = std::mem::take(&mut unigrams[c as usize]);
        run.record(doc, (c as u64) << 21, e as u32, (e >> 32) as u32, &[]);
    }
    seen.clear();

    // Distinct bigrams are fewer than characters: the table always has a
    // free slot (and is about half full on real text).
    let size = stream.len().next_power_of_two().max(64);
    if table.len() < size {
        table.resize(size, (0, 0));
    }
    let mask = size - 1;
    number_at.clear();
    number_at.resize(stream.len(), EMPTY);
    for i in 0..stream.len().saturating_sub(1) {
        let (a, b) = (stream[i], stream[i + 1]);
        if a == 0 || b == 0 {
            continue;
        }
        let key = (a as u64) << 21 | b as u64;
        let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask;
        let n = loop {
            let slot = &mut table[s];
            if slot.0 == key {
                break slot.1 as usize;
            }
            if slot.0 == 0 {
                *slot = (key, found.len() as u32);
                found.push(key);
                counts.push(0);
                heads.push(0);
                break found.len() - 1;
            }
            s = (s + 1) & mask;
        };
        counts[n] += 1;
        heads[n] += (i < head) as u32;
        number_at[i] = n as u32;
    }
    table[..size].fill((0, 0));
    // Positions grouped by bigram with one counting pass.
    let mut total = 0;
    ends.clear();
    ends.extend(counts.iter().map(|&c| {
        let start = total;
        total += c;
        start
    }));
    positions.clear();
    positions.resize(total as usize, 0);
    for (i, &n) in number_at.iter().enumerate() {
        if n != EMPTY {
            let end = &mut ends[n as usize];
            positions[*end as usize] = i as u32;
            *end += 1;
        }
    }
    for (n, &key) in found.iter().enumerate() {
        run.record(doc, key, counts[n], heads[n], &positions[(ends[n] - counts[n]) as usize..ends[n] as usize]);
    }
    found.clear();
    counts.clear();
    heads.clear();
}

/// Gram key → number, open addressing; keys are spread well enough by a
/// multiply (no SipHash on the hot path). Key 0 is never a gram.
#[derive(Default)]
pub struct KeyTable {
    keys: Vec<u64>,
    values: Vec<u32>,
    len: usize,
}

impl KeyTable {
    pub fn find_or_insert(&mut self, key: u64, value: u32) -> u32 {
        if 2 * (self.len + 1) > self.keys.len() {
            self.grow();
        }
        let mask = self.keys.len() - 1;
        let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        loop {
            if self.keys[s] == key {
                return self.values[s];
            }
            if self.keys[s] == 0 {
                self.keys[s] = key;
                self.values[s] = value;
                self.len += 1;
                return value;
            }
            s = (s + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.keys);
        let values = std::mem::take(&mut self.values);
        let size = (old.len() * 2).max(256);
        self.keys = vec![0; size];
        self.values = vec![0; size];
        self.len = 0;
        for (k, v) in old.into_iter().zip(values).filter(|(k, _)| *k != 0) {
            self.find_or_insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_wide_counts_and_head_counts_included() {
        let mut run = Run::new(1, 0);
        let many: Vec<u32> = (0..10_000).map(|p| 3 * p).collect();
        let key = |a: char, b: char| (a as u64) << 21 | b as u64;
        run.record(300, key('哈', '哈'), 10_000, 7, &many);
        run.record(300, key('𠀀', '\0'), 2, 0, &[]);
        run.record(511, key('a', 'b'), 1, 1, &[5]);
        let bytes = &run.buckets[0];
        let mut at = 0;
        let first = read_record(bytes, &mut at);
        assert_eq!((first.key, first.doc, first.count, first.head), (key('哈', '哈'), 300 % 256, 10_000, 7));
        let mut r = super::super::codec::Reader::new(&bytes[first.positions.clone()]);
        let read: Vec<u32> = (0..10_000)
            .scan(0, |p, _| {
                *p += r.varint() as u32;
                Some(*p)
            })
            .collect();
        assert_eq!(read, many);
        let second = read_record(bytes, &mut at);
        assert_eq!((second.key, second.count, second.head, second.positions.len()), (key('𠀀', '\0'), 2, 0, 0));
        let third = read_record(bytes, &mut at);
        assert_eq!((third.doc, third.count, third.head), (511 % 256, 1, 1));
        assert_eq!(at, bytes.len());
    }
}
