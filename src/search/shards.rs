//! Phase two of indexing: each bucket's records (from every run, in
//! document order) become one documents list per gram (`search/d/`) and
//! one positions list per bigram (`search/p/`), in parallel by bucket;
//! then the lists are laid out in shard files whose number is sized to the
//! archive, a list too long to share a file getting a file of its own.

use rayon::prelude::*;

use super::codec::{gram_hash, varint_len, write_shard, write_varint, Reader};
use super::grams::{KeyTable, Run, BUCKETS};

/// A shard's table and inline lists aim at about this many bytes
/// (documents lists; positions lists are twice as long).
const SHARD_BYTES: usize = 16 * 1024;

/// A list longer than this goes to a file of its own, so that a query for
/// a rare gram does not download a frequent one (positions: twice this).
const OWN_BYTES: usize = 8 * 1024;

/// Most shards of either kind.
const MAX_SHARDS: usize = 16384;

/// A bucket's lists, each gram's two in one buffer apiece.
struct Bucket {
    grams: Vec<Lists>,
    documents: Vec<u8>,
    positions: Vec<u8>,
}

/// Where a gram's lists are in its bucket's buffers.
struct Lists {
    key: u64,
    /// Documents list, positions list (empty for a unigram).
    at: [std::ops::Range<usize>; 2],
}

/// Every file of the gram index, as (path under `search/`, bytes), and the
/// number of shards of each kind.
pub struct Sharded {
    pub files: Vec<(String, Vec<u8>)>,
    pub document_shards: usize,
    pub position_shards: usize,
}

/// Groups the runs' records by gram and lays the lists out in shards.
pub fn shard(runs: Vec<Run>) -> Sharded {
    // Bucket-major, moving (not copying) the runs' buffers.
    let mut by_bucket: Vec<Vec<Vec<u8>>> = (0..BUCKETS).map(|_| Vec::with_capacity(runs.len())).collect();
    for run in runs {
        for (b, bytes) in run.buckets.into_iter().enumerate() {
            by_bucket[b].push(bytes);
        }
    }
    let buckets: Vec<Bucket> = by_bucket.into_par_iter().map(group).collect();
    let all = || buckets.iter().enumerate().flat_map(|(b, x)| x.grams.iter().enumerate().map(move |(g, l)| (b, g, l)));
    let lens = |which: usize| all().map(move |(_, _, l)| l.at[which].len()).filter(|&n| n > 0);
    let document_shards = shard_count(lens(0), OWN_BYTES, SHARD_BYTES);
    let position_shards = shard_count(lens(1), 2 * OWN_BYTES, 2 * SHARD_BYTES);
    let mut files = lay_out(&buckets, document_shards, 0);
    files.extend(lay_out(&buckets, position_shards, 1));
    Sharded { files, document_shards, position_shards }
}

/// One record, read: its gram's number, its document's difference from
/// the gram's previous one, and where its counts and positions are.
struct Record {
    gram: u32,
    delta: u32,
    run: u32,
    counts: u32,
    counts_len: u32,
    positions: u32,
    positions_len: u32,
}

/// A bucket's records → its grams' lists. A first pass numbers the grams
/// and measures every list; a second writes each entry once, in place.
fn group(runs: Vec<Vec<u8>>) -> Bucket {
    let mut numbers = KeyTable::default();
    // Per gram: key, documents, last document, bytes of its two lists.
    let mut grams: Vec<(u64, u32, u32, [usize; 2])> = Vec::new();
    let mut records: Vec<Record> = Vec::new();
    for (run, bytes) in runs.iter().enumerate() {
        let mut r = Reader::new(bytes);
        let mut doc = 0u32;
        while r.at < bytes.len() {
            doc += r.varint() as u32;
            let key = r.varint() << 21 | r.varint();
            let counts = r.at;
            if r.varint() & 1 == 1 {
                r.varint();
            }
            let counts_len = r.at - counts;
            let (mut positions, mut positions_len) = (r.at, 0);
            if key & 0x1F_FFFF != 0 {
                positions_len = r.varint() as usize;
                positions = r.at;
                r.at += positions_len;
            }
            let g = numbers.find_or_insert(key, grams.len() as u32);
            if g as usize == grams.len() {
                grams.push((key, 0, u32::MAX, [0, 0]));
            }
            let gram = &mut grams[g as usize];
            // Differences from the document before, the first from −1.
            let delta = doc.wrapping_sub(gram.2);
            gram.1 += 1;
            gram.2 = doc;
            let entry = varint_len(delta as u64) + counts_len;
            gram.3[0] += entry;
            if positions_len > 0 {
                gram.3[1] += entry + positions_len;
            }
            records.push(Record {
                gram: g,
                delta,
                run: run as u32,
                counts: counts as u32,
                counts_len: counts_len as u32,
                positions: positions as u32,
                positions_len: positions_len as u32,
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
        let bytes = &runs[rec.run as usize];
        let counts = &bytes[rec.counts as usize..(rec.counts + rec.counts_len) as usize];
        let c = &mut cursor[rec.gram as usize];
        for w in 0..1 + (rec.positions_len > 0) as usize {
            let o = &mut out[w];
            let mut at = c[w];
            at += write_varint(&mut o[at..], rec.delta as u64);
            o[at..at + counts.len()].copy_from_slice(counts);
            at += counts.len();
            if w == 1 {
                let p = rec.positions as usize;
                let len = rec.positions_len as usize;
                o[at..at + len].copy_from_slice(&bytes[p..p + len]);
                at += len;
            }
            c[w] = at;
        }
    }
    let [documents, positions] = out;
    Bucket { grams: lists, documents, positions }
}

/// Shards enough for the lists that stay inline to fill about `target`
/// bytes each: a power of two.
fn shard_count(lens: impl Iterator<Item = usize>, own_over: usize, target: usize) -> usize {
    let inline: usize = lens.map(|n| 8 + if n <= own_over { n } else { 0 }).sum();
    (inline / target).clamp(1, MAX_SHARDS).next_power_of_two()
}

/// The shard files of documents (`which` = 0, `d/`) or positions lists
/// (1, `p/`), and the lists of their own, in parallel by shard.
fn lay_out(buckets: &[Bucket], shards: usize, which: usize) -> Vec<(String, Vec<u8>)> {
    let dir = ["d", "p"][which];
    let mut per_shard: Vec<Vec<(&Lists, &[u8])>> = vec![Vec::new(); shards];
    for b in buckets {
        let buffer = if which == 0 { &b.documents } else { &b.positions };
        for l in b.grams.iter().filter(|l| !l.at[which].is_empty()) {
            per_shard[gram_hash(l.key) as usize & (shards - 1)].push((l, &buffer[l.at[which].clone()]));
        }
    }
    let own_over = OWN_BYTES << which;
    per_shard
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(k, mut mine)| {
            mine.sort_unstable_by_key(|(l, _)| l.key);
            let inline: usize = mine.iter().map(|(_, list)| list.len()).filter(|&n| n <= own_over).sum();
            let mut file = Vec::with_capacity(inline + 8 * mine.len() + 4);
            let lists: Vec<(u64, &[u8])> = mine.iter().map(|(l, list)| (l.key, *list)).collect();
            let own = write_shard(&mut file, &lists, own_over);
            let mut out: Vec<(String, Vec<u8>)> =
                own.into_iter().enumerate().map(|(n, i)| (format!("{dir}/{k}-{n}.bin"), lists[i].1.to_vec())).collect();
            out.insert(0, (format!("{dir}/{k}.bin"), file));
            out
        })
        .collect()
}
