//! Phase two of indexing, in parallel by bucket: a bucket's records (every
//! run's, in document order) become each gram's documents list and each
//! bigram's positions list, written once, straight into the bucket's two
//! *packs* (`search/d/<b>.bin`, `search/p/<b>.bin`); small *directory*
//! files (`search/g/<k>.bin`) give each gram's byte ranges, so a reader
//! fetches exactly its lists and the index is a few hundred files.

use std::borrow::Cow;
use std::io;

use rayon::prelude::*;

use super::codec::{gram_hash, put_varint, varint_len, write_varint};
use super::grams::{read_record, KeyTable, DOCS_PER_RUN};
use super::runs::Stored;

/// Grams a directory file lists, about: a few kilobytes.
const GRAMS_PER_DIRECTORY: usize = 512;

/// Most directory files.
const MAX_DIRECTORIES: usize = 1 << 16;

/// A bucket's lists: each gram's two lists in its two packs.
struct Bucket {
    grams: Vec<Lists>,
    documents: Vec<u8>,
    positions: Vec<u8>,
}

/// Where a gram's lists are in its bucket's packs.
struct Lists {
    key: u64,
    /// Documents list, positions list (empty for a unigram).
    at: [std::ops::Range<usize>; 2],
}

/// Groups the runs' records by gram into packs, and writes the directory:
/// every file through `put` (path under `search/`, bytes), each pack as
/// soon as its bucket is grouped. Returns how many directory files.
pub fn pack(
    runs: &[Stored],
    buckets: usize,
    put: &(dyn Fn(String, Vec<u8>) -> io::Result<()> + Sync),
) -> io::Result<usize> {
    let grouped: Vec<Vec<Lists>> = (0..buckets)
        .into_par_iter()
        .map(|b| {
            let records = runs.iter().map(|r| r.bucket(b)).collect::<io::Result<Vec<_>>>()?;
            let bucket = group(&records);
            put(format!("d/{b}.bin"), bucket.documents)?;
            put(format!("p/{b}.bin"), bucket.positions)?;
            Ok(bucket.grams)
        })
        .collect::<io::Result<_>>()?;
    let grams: usize = grouped.iter().map(Vec::len).sum();
    let directories = (grams / GRAMS_PER_DIRECTORY).clamp(1, MAX_DIRECTORIES).next_power_of_two();
    let mut per_directory: Vec<Vec<&Lists>> = vec![Vec::new(); directories];
    for l in grouped.iter().flatten() {
        per_directory[gram_hash(l.key) as usize & (directories - 1)].push(l);
    }
    per_directory.into_par_iter().enumerate().try_for_each(|(k, mut mine)| {
        mine.sort_unstable_by_key(|l| l.key);
        put(format!("g/{k}.bin"), directory(&mine))
    })?;
    Ok(directories)
}

/// A directory file: `varint(grams)`; per gram, keys ascending,
/// `varint(key − previous key)` (the first from 0), then where its
/// documents list is in its bucket's `d` pack — `varint(offset)`
/// `varint(length)` — and, for a bigram, its positions list in the `p`
/// pack, the same way.
fn directory(grams: &[&Lists]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * grams.len() + 4);
    put_varint(&mut out, grams.len() as u64);
    let mut prev = 0;
    for l in grams {
        put_varint(&mut out, l.key - prev);
        prev = l.key;
        for at in l.at.iter().filter(|at| !at.is_empty()) {
            put_varint(&mut out, at.start as u64);
            put_varint(&mut out, at.len() as u64);
        }
    }
    out
}

/// A record as the second pass needs it: its gram's number, its
/// document's difference from the gram's previous one, its counts, and
/// where its positions are.
struct Entry {
    gram: u32,
    delta: u32,
    count: u32,
    head: u32,
    run: u32,
    positions: u32,
    positions_len: u32,
}

/// A bucket's records → its grams' lists. A first pass numbers the grams
/// and measures every list; a second writes each entry once, in place.
fn group(runs: &[Cow<'_, [u8]>]) -> Bucket {
    let mut numbers = KeyTable::default();
    // Per gram: key, documents, last document, bytes of its two lists.
    let mut grams: Vec<(u64, u32, u32, [usize; 2])> = Vec::new();
    let mut records: Vec<Entry> = Vec::new();
    for (run, bytes) in runs.iter().enumerate() {
        let mut at = 0;
        while at < bytes.len() {
            let rec = read_record(bytes, &mut at);
            let doc = (run * DOCS_PER_RUN) as u32 + rec.doc;
            let g = numbers.find_or_insert(rec.key, grams.len() as u32);
            if g as usize == grams.len() {
                grams.push((rec.key, 0, u32::MAX, [0, 0]));
            }
            let gram = &mut grams[g as usize];
            // Differences from the document before, the first from −1.
            let delta = doc.wrapping_sub(gram.2);
            gram.1 += 1;
            gram.2 = doc;
            let count = (rec.count as u64) << 1 | (rec.head > 0) as u64;
            let entry = varint_len(delta as u64)
                + varint_len(count)
                + if rec.head > 0 { varint_len(rec.head as u64) } else { 0 };
            gram.3[0] += entry;
            if !rec.positions.is_empty() {
                gram.3[1] += entry + rec.positions.len();
            }
            records.push(Entry {
                gram: g,
                delta,
                count: count as u32,
                head: rec.head,
                run: run as u32,
                positions: rec.positions.start as u32,
                positions_len: rec.positions.len() as u32,
            });
        }
    }
    let mut size = [0, 0];
    let mut cursor: Vec<[usize; 2]> = Vec::with_capacity(grams.len());
    let lists: Vec<Lists> = grams
        .iter()
        .map(|&(key, df, _, lens)| {
            let at = [0, 1].map(|w| {
                let len = if w == 1 && key & 0x1F_FFFF == 0 { 0 } else { varint_len(df as u64) + lens[w] };
                size[w] += len;
                size[w] - len..size[w]
            });
            cursor.push([at[0].start, at[1].start]);
            Lists { key, at }
        })
        .collect();
    let mut out = [vec![0u8; size[0]], vec![0u8; size[1]]];
    for (g, (l, &(_, df, _, _))) in lists.iter().zip(&grams).enumerate() {
        for w in [0, 1].into_iter().filter(|&w| !l.at[w].is_empty()) {
            cursor[g][w] += write_varint(&mut out[w][l.at[w].start..], df as u64);
        }
    }
    for rec in &records {
        let c = &mut cursor[rec.gram as usize];
        for w in 0..1 + (rec.positions_len > 0) as usize {
            let o = &mut out[w];
            let mut at = c[w];
            at += write_varint(&mut o[at..], rec.delta as u64);
            at += write_varint(&mut o[at..], rec.count as u64);
            if rec.head > 0 {
                at += write_varint(&mut o[at..], rec.head as u64);
            }
            if w == 1 {
                let (p, len) = (rec.positions as usize, rec.positions_len as usize);
                let from = &runs[rec.run as usize][p..p + len];
                if len <= 8 {
                    // Most are a few bytes: no call to memcpy.
                    for (to, &b) in o[at..at + len].iter_mut().zip(from) {
                        *to = b;
                    }
                } else {
                    o[at..at + len].copy_from_slice(from);
                }
                at += len;
            }
            c[w] = at;
        }
    }
    let [documents, positions] = out;
    Bucket { grams: lists, documents, positions }
}
