//! The index as static files under `search/` (format documented in
//! `themes/default/README.md`): `meta.json` (shard count, chunks per
//! document, facets, normalisation table), `shards/<k>.json` (postings of
//! the grams that hash to k), `docs/<n>.json` (what a result shows, and the
//! head text) and `text/<c>.txt` (a body chunk, one segment a line).

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde_json::json;

use super::{fold_pairs, grams_of, shard_of, unpack, Chunk, Gram, Postings, SearchIndex};
use crate::write::Sink;

/// Format version, bumped when a file changes shape.
pub const VERSION: u32 = 1;

/// Characters of text per shard the shard count aims at: a gram entry per
/// character or so, ≈ 15 KB of JSON a shard.
const CHARS_PER_SHARD: usize = 4096;

/// Most shards: files a static host must hold.
const MAX_SHARDS: usize = 16384;

/// Shards are built in this many independent groups, in parallel.
const GROUPS: usize = 256;

/// Low 42 bits of an entry: the gram; the next 14: its shard; the top 8:
/// its occurrences in the chunk (at most 255; they only rank).
const KEY_AND_SHARD: u64 = (1 << 56) - 1;

/// The postings of every chunk, as the JSON of each shard. Each chunk's
/// grams are counted and tagged with their shard in parallel; then each
/// group of shards gathers its entries from every chunk, in chunk order,
/// and writes its files — no shared map, no lock.
pub fn shard_postings(chunks: &[Chunk]) -> Vec<String> {
    // Bytes / 3: characters of Chinese text, without counting them.
    let chars: usize = chunks.iter().flat_map(|c| &c.segments).map(|s| s.text.len() / 3).sum();
    let shards = (chars / CHARS_PER_SHARD).clamp(1, MAX_SHARDS).next_power_of_two();
    let per_chunk: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|c| {
            let mut keys = grams_of(&c.segments);
            for k in &mut keys {
                *k |= (shard_of(&unpack(*k), shards as u32) as u64) << 42;
            }
            // One sort: by shard, then gram; runs are the occurrences.
            keys.sort_unstable();
            let mut entries: Vec<u64> = Vec::new();
            let mut i = 0;
            while i < keys.len() {
                let run = keys[i..].iter().take_while(|&&k| k == keys[i]).count();
                entries.push((run.min(255) as u64) << 56 | keys[i]);
                i += run;
            }
            entries
        })
        .collect();
    let groups = GROUPS.min(shards);
    let per_group = shards / groups;
    (0..groups)
        .into_par_iter()
        .flat_map_iter(|g| {
            let shard_at = |e: u64| ((e & KEY_AND_SHARD) >> 42) as usize;
            let (lo, hi) = (g * per_group, (g + 1) * per_group);
            // Per shard: gram → postings, filled in chunk order.
            let mut maps: Vec<HashMap<u64, Postings, BuildKeyHasher>> = (lo..hi).map(|_| HashMap::default()).collect();
            for (c, entries) in per_chunk.iter().enumerate() {
                let a = entries.partition_point(|&e| shard_at(e) < lo);
                let b = entries.partition_point(|&e| shard_at(e) < hi);
                for &e in &entries[a..b] {
                    let postings = maps[shard_at(e) - lo].entry(e & ((1 << 42) - 1)).or_default();
                    postings.push((c as u32, (e >> 56) as u32));
                }
            }
            maps.into_iter().map(|map| {
                let mut grams: Vec<(u64, Postings)> = map.into_iter().collect();
                grams.sort_unstable_by_key(|g| g.0);
                let mut json = String::from("{");
                for (i, (key, list)) in grams.iter().enumerate() {
                    if i > 0 {
                        json.push(',');
                    }
                    write_postings(&mut json, &unpack(*key), list);
                }
                json.push('}');
                json
            })
        })
        .collect()
}

/// Grams are already well spread integers: a multiply is hash enough, and
/// the default SipHash would dominate the indexing time.
#[derive(Default, Clone, Copy)]
struct BuildKeyHasher;

struct KeyHasher(u64);

impl std::hash::BuildHasher for BuildKeyHasher {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl SearchIndex {
    /// How many shards the postings are split into: a power of two.
    pub fn shard_count(&self) -> u32 {
        self.shards.len() as u32
    }

    /// Every file of the index, as (path under the output, bytes).
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![("search/meta.json".to_string(), self.meta(self.shard_count()).into_bytes())];
        files.par_extend(
            self.shards
                .par_iter()
                .enumerate()
                .map(|(k, json)| (format!("search/shards/{k}.json"), json.clone().into_bytes())),
        );
        files.par_extend(self.docs.par_iter().enumerate().map(|(n, d)| {
            let head: Vec<&str> = self.chunks[d.chunks.start].segments.iter().map(|s| s.text.as_str()).collect();
            let doc = json!({"url": d.url, "title": d.title, "speakers": d.speakers, "place": d.place, "date": d.date, "head": head});
            (format!("search/docs/{n}.json"), doc.to_string().into_bytes())
        }));
        let body: Vec<usize> = self.docs.iter().flat_map(|d| d.chunks.start + 1..d.chunks.end).collect();
        files.par_extend(body.into_par_iter().map(|c| {
            let mut text = String::new();
            for s in &self.chunks[c].segments {
                let _ = writeln!(text, "{}\t{}", s.anchor, s.text);
            }
            (format!("search/text/{c}.txt"), text.into_bytes())
        }));
        files
    }

    /// Writes every file of the index; returns how many.
    pub fn write(&self, sink: &dyn Sink) -> std::io::Result<usize> {
        let files = self.files();
        files.par_iter().try_for_each(|(rel, bytes)| sink.write(rel, bytes))?;
        Ok(files.len())
    }

    fn meta(&self, shards: u32) -> String {
        let facets: Vec<_> = self.facets.iter().map(|f| facet_json(f, self.docs.len())).collect();
        let chunks: Vec<usize> = self.docs.iter().map(|d| d.chunks.len()).collect();
        let width = digits_needed(chunks.iter().copied().max().unwrap_or(0) + 1);
        let chunks: String = chunks.into_iter().map(|n| base64(n, width)).collect();
        json!({"version": VERSION, "shards": shards, "chunks": {"width": width, "of": chunks}, "facets": facets,
               "fold": fold_pairs()})
        .to_string()
    }
}

/// Digits of [`base64`] numbers: sixty-four, in this order.
const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// `n` as `width` base-64 digits, most significant first.
fn base64(n: usize, width: usize) -> String {
    (0..width).rev().map(|i| DIGITS[(n >> (6 * i)) & 63] as char).collect()
}

/// Base-64 digits needed for numbers below `n`.
fn digits_needed(n: usize) -> usize {
    let mut width = 1;
    while n > 1 << (6 * width) {
        width += 1;
    }
    width
}

/// Which documents have which term, compactly: `one` — each document has
/// at most one term: per document, term number + 1 (0 for none); `set` —
/// at most 48 terms (exact in a JavaScript number): per document a bit set
/// of them, bit k for term k; else `docs` on each term (ascending document
/// numbers as differences). `one` and `set` are `width` digits a document.
fn facet_json(f: &super::SearchFacet, docs: usize) -> serde_json::Value {
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); docs];
    for (k, t) in f.terms.iter().enumerate() {
        for &d in &t.docs {
            of[d].push(k);
        }
    }
    let terms = |with_docs: bool| -> Vec<serde_json::Value> {
        f.terms
            .iter()
            .map(|t| match with_docs {
                true => json!({"slug": t.slug, "name": t.name, "docs": deltas(&t.docs)}),
                false => json!({"slug": t.slug, "name": t.name}),
            })
            .collect()
    };
    if of.iter().all(|ts| ts.len() <= 1) {
        let width = digits_needed(f.terms.len() + 1);
        let of: String = of.iter().map(|ts| base64(ts.first().map_or(0, |k| k + 1), width)).collect();
        json!({"key": f.key, "name": f.name, "terms": terms(false), "one": {"width": width, "of": of}})
    } else if f.terms.len() <= 48 {
        let width = digits_needed(1 << f.terms.len());
        let of: String = of.iter().map(|ts| base64(ts.iter().map(|k| 1 << k).sum(), width)).collect();
        json!({"key": f.key, "name": f.name, "terms": terms(false), "set": {"width": width, "of": of}})
    } else {
        json!({"key": f.key, "name": f.name, "terms": terms(true)})
    }
}

/// Ascending numbers as differences from the one before.
fn deltas(sorted: &[usize]) -> Vec<usize> {
    let mut ids = sorted.to_vec();
    ids.sort_unstable();
    let mut prev = 0;
    ids.into_iter()
        .map(|d| {
            let delta = d - prev;
            prev = d;
            delta
        })
        .collect()
}

/// `"gram":[postings]`. A posting is the chunk number as a difference
/// from the one before, followed by `-n` when the gram occurs n > 1 times.
fn write_postings(out: &mut String, gram: &Gram, list: &Postings) {
    let key: String = gram.iter().filter(|&&c| c != '\0').collect();
    out.push_str(&serde_json::Value::String(key).to_string());
    out.push_str(":[");
    let mut prev = 0;
    for (j, &(chunk, n)) in list.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        push_number(out, chunk - prev);
        prev = chunk;
        if n > 1 {
            out.push_str(",-");
            push_number(out, n);
        }
    }
    out.push(']');
}

/// Decimal digits without the formatting machinery (tens of millions of
/// numbers at 10,000 speeches).
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| d as char));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_numbers_have_fixed_width() {
        assert_eq!(digits_needed(1), 1);
        assert_eq!(digits_needed(64), 1);
        assert_eq!(digits_needed(65), 2);
        assert_eq!(base64(0, 1), "0");
        assert_eq!(base64(63, 1), "_");
        assert_eq!(base64(64, 2), "10");
        assert_eq!(base64(5 * 64 + 10, 3), "05A");
    }

    #[test]
    fn postings_are_deltas_with_counts_after() {
        let mut out = String::new();
        write_postings(&mut out, &['扶', '贫'], &vec![(3, 1), (10, 2), (11, 1)]);
        assert_eq!(out, r#""扶贫":[3,7,-2,1]"#);
        let mut n = String::new();
        push_number(&mut n, 0);
        push_number(&mut n, 4_294_967_295);
        assert_eq!(n, "04294967295");
    }
}
