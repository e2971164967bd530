//! The small files of the index (format in `themes/default/README.md`):
//! `meta.json` (counts of documents, buckets and directories, documents a
//! text file, facet names, the normalisation table), `facets.bin` (which documents have which facet
//! term, packed) and `r/<n>.json` (what a result shows, [`RECORDS_PER_FILE`]
//! documents a file); and writing every file of the index through a `Sink`.

use std::sync::Mutex;

use rayon::prelude::*;
use serde_json::json;

use super::codec::put_varint;
use super::{SearchDoc, SearchFacet, SearchIndex};
use crate::identity::Fingerprint;
use crate::script::fold_pairs;
use crate::sink::Sink;

/// Format version, bumped when a file changes shape.
pub const VERSION: u32 = 5;

/// Result records are grouped this many documents a file: a page of ten
/// results fetches at most ten small files, and the archive does not
/// become one file per document.
pub const RECORDS_PER_FILE: usize = 16;

impl SearchIndex {
    /// The bytes of a published file, by its path under the output.
    pub fn file(&self, rel: &str) -> Option<&[u8]> {
        self.files.binary_search_by(|(r, _)| r.as_str().cmp(rel)).ok().map(|i| &self.files[i].1[..])
    }
}

/// A sink that keeps every file in memory.
#[derive(Default)]
pub struct Files(Mutex<Vec<(String, Vec<u8>)>>);

impl Files {
    /// The files, sorted by path.
    pub fn sorted(self) -> Vec<(String, Vec<u8>)> {
        let mut files = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        files.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl Sink for Files {
    fn write_page(&self, rel: &str, _: Fingerprint, bytes: &[u8]) -> crate::error::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), bytes.to_vec()));
        Ok(())
    }
}

/// `meta.json`, `facets.bin` and the record files.
pub fn small_files(
    docs: &[SearchDoc],
    facets: &[SearchFacet],
    buckets: usize,
    directories: usize,
) -> Vec<(String, Vec<u8>)> {
    let facet_names: Vec<_> = facets
        .iter()
        .map(|f| {
            let terms: Vec<_> = f.terms.iter().map(|t| json!({"slug": t.slug, "name": t.name})).collect();
            json!({"key": f.key, "name": f.name, "terms": terms})
        })
        .collect();
    let meta = json!({
        "version": VERSION,
        "documents": docs.len(),
        "records": RECORDS_PER_FILE,
        "run": super::grams::DOCS_PER_RUN,
        "buckets": buckets,
        "directories": directories,
        "facets": facet_names,
        "fold": fold_pairs(),
    });
    let mut files = vec![
        ("meta.json".to_string(), meta.to_string().into_bytes()),
        ("facets.bin".to_string(), facets_bin(facets, docs.len())),
    ];
    files.par_extend(docs.par_chunks(RECORDS_PER_FILE).enumerate().map(|(n, group)| {
        let records: Vec<_> = group.iter().map(|d| json!([d.url, d.title, d.speakers, d.place, d.date])).collect();
        (format!("r/{n}.json"), serde_json::Value::Array(records).to_string().into_bytes())
    }));
    files
}

/// Each facet as `varint(length)` and that many bytes: a kind byte, then
/// 0 `bits` — `varint(width)` and per document its term number + 1 (0 for
/// none) in `width` bits, least significant bit first; 1 `runs` —
/// `varint(runs)` and per run `varint(term + 1)` `varint(documents)`; 2
/// `set` — per document one bit per term; 3 `lists` — per term
/// `varint(documents)` and their numbers as differences (the first from
/// −1). Whichever is shortest; `bits` and `runs` only when no document
/// has two terms of the facet.
fn facets_bin(facets: &[SearchFacet], docs: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for f in facets {
        let mut of: Vec<Vec<usize>> = vec![Vec::new(); docs];
        for (k, t) in f.terms.iter().enumerate() {
            for &d in &t.docs {
                of[d].push(k);
            }
        }
        let mut options = Vec::new();
        if of.iter().all(|ts| ts.len() <= 1) {
            let values: Vec<u64> = of.iter().map(|ts| ts.first().map_or(0, |&k| k as u64 + 1)).collect();
            let width = 64 - (f.terms.len() as u64).leading_zeros() as usize;
            let mut bits = vec![0];
            put_varint(&mut bits, width as u64);
            pack_bits(&mut bits, values.iter().map(|&v| (v, width)));
            options.push(bits);
            let mut runs = vec![1];
            let mut spans: Vec<(u64, u64)> = Vec::new();
            for &v in &values {
                match spans.last_mut() {
                    Some((last, n)) if *last == v => *n += 1,
                    _ => spans.push((v, 1)),
                }
            }
            put_varint(&mut runs, spans.len() as u64);
            for (v, n) in spans {
                put_varint(&mut runs, v);
                put_varint(&mut runs, n);
            }
            options.push(runs);
        }
        let mut set = vec![2];
        pack_bits(&mut set, of.iter().flat_map(|ts| (0..f.terms.len()).map(move |k| (ts.contains(&k) as u64, 1))));
        options.push(set);
        let mut lists = vec![3];
        for t in &f.terms {
            let mut ds = t.docs.clone();
            ds.sort_unstable();
            put_varint(&mut lists, ds.len() as u64);
            let mut prev: i64 = -1;
            for d in ds {
                put_varint(&mut lists, (d as i64 - prev) as u64);
                prev = d as i64;
            }
        }
        options.push(lists);
        let best = options.into_iter().min_by_key(Vec::len).unwrap_or_default();
        put_varint(&mut out, best.len() as u64);
        out.extend(best);
    }
    out
}

/// Appends (value, width) pairs as one bit string, least significant first.
fn pack_bits(out: &mut Vec<u8>, values: impl Iterator<Item = (u64, usize)>) {
    let (mut acc, mut filled) = (0u64, 0usize);
    for (v, width) in values {
        for i in 0..width {
            acc |= ((v >> i) & 1) << filled;
            filled += 1;
            if filled == 8 {
                out.push(acc as u8);
                acc = 0;
                filled = 0;
            }
        }
    }
    if filled > 0 {
        out.push(acc as u8);
    }
}

/// Reads `facets.bin` back: per facet, per document, its term numbers.
pub fn read_facets(bytes: &[u8], terms: &[usize], docs: usize) -> Vec<Vec<Vec<usize>>> {
    let mut r = super::codec::Reader::new(bytes);
    let mut out = Vec::new();
    for &n in terms {
        let len = r.varint() as usize;
        let body = &bytes[r.at..r.at + len];
        r.at += len;
        let mut of = vec![Vec::new(); docs];
        let mut b = super::codec::Reader::new(&body[1..]);
        let bit = |data: &[u8], i: usize| (data[i / 8] >> (i % 8)) & 1 == 1;
        match body[0] {
            0 => {
                let width = b.varint() as usize;
                let data = &body[1 + b.at..];
                for (d, ts) in of.iter_mut().enumerate() {
                    let v = (0..width).filter(|&i| bit(data, d * width + i)).map(|i| 1 << i).sum::<usize>();
                    if v > 0 {
                        ts.push(v - 1);
                    }
                }
            }
            1 => {
                let mut d = 0;
                for _ in 0..b.varint() {
                    let (v, len) = (b.varint() as usize, b.varint() as usize);
                    for ts in &mut of[d..d + len] {
                        if v > 0 {
                            ts.push(v - 1);
                        }
                    }
                    d += len;
                }
            }
            2 => {
                let data = &body[1..];
                for (d, ts) in of.iter_mut().enumerate() {
                    ts.extend((0..n).filter(|&k| bit(data, d * n + k)));
                }
            }
            _ => {
                for k in 0..n {
                    let mut d: i64 = -1;
                    for _ in 0..b.varint() {
                        d += b.varint() as i64;
                        of[d as usize].push(k);
                    }
                }
                of.iter_mut().for_each(|ts| ts.sort_unstable());
            }
        }
        out.push(of);
    }
    out
}

/// The digest of everything the index is made from.
pub fn fingerprint(per_doc: impl Iterator<Item = u64>, facets: &[SearchFacet], language: &str) -> Fingerprint {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    use std::hash::{Hash, Hasher};
    (VERSION, RECORDS_PER_FILE, language).hash(&mut h);
    for d in per_doc {
        h.write_u64(d);
    }
    for f in facets {
        (f.key, &f.name).hash(&mut h);
        for t in &f.terms {
            (&t.slug, &t.name, &t.docs).hash(&mut h);
        }
    }
    Fingerprint(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchTerm;

    fn facet(terms: Vec<Vec<usize>>) -> SearchFacet {
        SearchFacet {
            key: "x",
            name: "X".into(),
            terms: terms
                .into_iter()
                .enumerate()
                .map(|(k, docs)| SearchTerm { slug: k.to_string(), name: k.to_string(), docs })
                .collect(),
        }
    }

    #[test]
    fn facets_read_back_whichever_packing_wins() {
        let cases = [
            vec![vec![0, 1, 2, 3], vec![4, 5]],                   // runs
            vec![vec![0, 3, 6], vec![1, 4], vec![2, 5]],          // bits
            vec![vec![0, 1, 2], vec![1, 2, 3, 4, 5], vec![0, 5]], // set
            (0..40).map(|k| vec![k % 7, (k + 3) % 7]).collect(),  // lists
        ];
        for terms in cases {
            let f = facet(terms.clone());
            let bytes = facets_bin(std::slice::from_ref(&f), 7);
            let back = read_facets(&bytes, &[f.terms.len()], 7);
            for (k, docs) in terms.iter().enumerate() {
                let mut found: Vec<usize> = (0..7).filter(|&d| back[0][d].contains(&k)).collect();
                let mut want = docs.clone();
                want.sort_unstable();
                want.dedup();
                found.dedup();
                assert_eq!(found, want, "term {k} of {terms:?} (kind {})", bytes[1]);
            }
        }
    }
}
