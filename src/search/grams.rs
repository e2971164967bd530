//! Phase one of indexing, by runs of consecutive documents (in parallel):
//! each document's normalised stream, the count of every unigram and
//! bigram in it (and how many of those are in the head) and every
//! bigram's positions, appended — already in the published encoding — to
//! the run's bucket for that gram (the low bits of its hash). Counting uses a table indexed by code
//! point for unigrams and a small open-addressing table for bigrams, both
//! reused from one document to the next; positions are grouped by a
//! counting pass, not a sort.

use super::codec::{gram_hash, put_varint, varint_len};
use super::text::normalized_stream;
use crate::model::Document;

/// The grams of a run of consecutive documents, per bucket, as records:
/// `varint(doc − previous record's doc)` (the first from 0),
/// `varint(first char)`, `varint(second char or 0)`, `varint(count << 1 |
/// in head)`, `varint(in head)` when not 0 and, for a bigram,
/// `varint(length)` and its positions (the first as is, then
/// differences) — the entry and positions in their published encoding.
pub struct Run {
    pub buckets: Vec<Vec<u8>>,
    last_doc: Vec<u32>,
}

impl Run {
    /// A run whose grams go to `buckets` buckets (a power of two), each
    /// with room for about `bytes`.
    pub fn new(buckets: usize, bytes: usize) -> Run {
        Run { buckets: (0..buckets).map(|_| Vec::with_capacity(bytes)).collect(), last_doc: vec![0; buckets] }
    }

    /// Appends a record; `positions` ascending (empty for a unigram).
    fn record(&mut self, doc: u32, key: u64, count: u32, head: u32, positions: &[u32]) {
        let b = gram_hash(key) as usize & (self.buckets.len() - 1);
        let mut len = 0;
        let mut prev = 0;
        for &p in positions {
            len += varint_len((p - prev) as u64);
            prev = p;
        }
        let out = &mut self.buckets[b];
        // Byte by byte into the bucket: a header built on the stack and
        // copied would be read back before its stores complete.
        out.reserve(32 + len);
        put_varint(out, (doc - self.last_doc[b]) as u64);
        self.last_doc[b] = doc;
        put_varint(out, key >> 21);
        put_varint(out, key & 0x1F_FFFF);
        put_varint(out, (count as u64) << 1 | (head > 0) as u64);
        if head > 0 {
            put_varint(out, head as u64);
        }
        if !positions.is_empty() {
            put_varint(out, len as u64);
        }
        let mut prev = 0;
        for &p in positions {
            put_varint(out, (p - prev) as u64);
            prev = p;
        }
    }
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
pub fn index_document(doc: u32, document: &Document, scratch: &mut Scratch, run: &mut Run) {
    let head = normalized_stream(document, &mut scratch.stream);
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
