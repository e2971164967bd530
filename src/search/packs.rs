//! Phase two of indexing, in parallel by bucket: a bucket's blocks (every
//! run's, in run order) are joined into each gram's documents list and
//! each bigram's positions list — copies, with the first document's
//! difference from the run before written between documents parts —
//! straight into the bucket's two *packs* (`search/d/<b>.bin`,
//! `search/p/<b>.bin`); small *directory* files (`search/g/<k>.bin`) give
//! each gram's byte ranges, so a reader fetches exactly its lists and the
//! index is a few hundred files, and `search/g/hot.bin` repeats the
//! commonest grams' entries for the client to read with the page.

use crate::error::Result;
use std::sync::Mutex;

use rayon::prelude::*;

use super::codec::{gram_hash, put_varint, varint_len, write_varint};
use super::grams::{read_block, KeyTable};
use super::{file_fingerprint, lists, lock, Runs};
use crate::identity::Fingerprint;

/// Grams a directory file lists, about: a few kilobytes.
const GRAMS_PER_DIRECTORY: usize = 512;

/// Most directory files.
const MAX_DIRECTORIES: usize = 1 << 16;

/// Grams also listed in `g/hot.bin`, which the client reads with the page:
/// the commonest (most documents), so that a query of common words skips
/// the directory's round trip. About 11 KB.
const HOT_GRAMS: usize = 1024;

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

/// Writes a file of the index: path under `search/`, the digest of its
/// inputs, bytes.
pub type Put<'a> = dyn Fn(String, Fingerprint, Vec<u8>) -> Result<()> + Sync + 'a;

/// Keeps the file the last build wrote, when it was made from the same
/// inputs and is still as it left it.
pub type Keep<'a> = dyn Fn(String, Fingerprint) -> bool + Sync + 'a;

/// A bucket: as the last build left it (its packs and directory files
/// kept), or grouped by this one.
enum Have {
    Kept(lists::Bucket),
    Grouped(Vec<Lists>),
}

impl Have {
    fn grams(&self) -> usize {
        match self {
            Have::Kept(b) => b.grams,
            Have::Grouped(lists) => lists.len(),
        }
    }
}

/// Joins the runs' blocks by gram into packs, and writes the directory:
/// every file through `put`, each pack as soon as its bucket is grouped.
/// A bucket whose inputs (its sections in every run) are those of the
/// last build is not read when its files can be kept: its packs and
/// directory files are kept, and what the hot directory needs of it is
/// in [`lists`]. Returns how many directory files.
pub fn pack(runs: &Runs, settings: u64, put: &Put, keep: &Keep) -> Result<usize> {
    let buckets = runs.buckets();
    let fingerprints: Vec<Fingerprint> = (0..buckets)
        .map(|b| file_fingerprint(settings, "b", &(0..runs.len()).map(|n| runs.get(n).hash(b)).collect::<Vec<_>>()))
        .collect();
    let cache = runs.cache_dir().map(lists::path);
    let last = cache.as_deref().filter(|_| runs.reuses_cache()).and_then(|p| lists::load(p, settings, buckets));
    let mut have: Vec<Option<Have>> = match last {
        Some(last) => last
            .into_par_iter()
            .zip(&fingerprints)
            .enumerate()
            .map(|(b, (bucket, &fingerprint))| {
                (bucket.fingerprint == fingerprint.0
                    && keep(format!("d/{b}.bin"), fingerprint)
                    && keep(format!("p/{b}.bin"), fingerprint))
                .then_some(Have::Kept(bucket))
            })
            .collect(),
        None => (0..buckets).map(|_| None).collect(),
    };
    // One grouping's working memory a thread, reused bucket after bucket.
    let scratch: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    let directories = loop {
        let grouped: Vec<(usize, Vec<Lists>)> = (0..buckets)
            .into_par_iter()
            .filter(|&b| have[b].is_none())
            .map(|b| {
                let mut mine = lock(&scratch).pop().unwrap_or_default();
                let bucket = read_and_group(runs, b, &mut mine);
                lock(&scratch).push(mine);
                let bucket = bucket?;
                put(format!("d/{b}.bin"), fingerprints[b], bucket.documents)?;
                put(format!("p/{b}.bin"), fingerprints[b], bucket.positions)?;
                Ok((b, bucket.grams))
            })
            .collect::<Result<_>>()?;
        for (b, lists) in grouped {
            have[b] = Some(Have::Grouped(lists));
        }
        let now: Vec<&Have> = have.iter().flatten().collect();
        let grams: usize = now.iter().map(|h| h.grams()).sum();
        let directories = (grams / GRAMS_PER_DIRECTORY).clamp(1, MAX_DIRECTORIES).next_power_of_two();
        let mut regroup = vec![false; buckets];
        // A directory file draws its grams from the buckets that agree with
        // it in the low bits both have: kept only when all of them are.
        let span = directories.min(buckets) - 1;
        for k in 0..directories {
            let sources: Vec<usize> = (k & span..buckets).step_by(span + 1).collect();
            let kept = sources.iter().all(|&b| matches!(now[b], Have::Kept(_)));
            let grouped = sources.iter().all(|&b| matches!(now[b], Have::Grouped(_)));
            let fingerprint = directory_fingerprint(settings, directories, &sources, &fingerprints);
            if !(grouped || kept && keep(format!("g/{k}.bin"), fingerprint)) {
                sources.iter().for_each(|&b| regroup[b] = true);
            }
        }
        // The hot directory: a kept bucket's grams not listed could be
        // among the commonest unless its least common listed one is not.
        let candidates: Vec<(u64, usize)> = now
            .iter()
            .flat_map(|h| -> Box<dyn Iterator<Item = (u64, usize)> + '_> {
                match h {
                    Have::Kept(b) => Box::new(b.commonest.iter().map(|(key, at)| (*key, at[0].len()))),
                    Have::Grouped(lists) => Box::new(lists.iter().map(|l| (l.key, l.at[0].len()))),
                }
            })
            .collect();
        let least = least_hot(candidates);
        for (b, h) in now.iter().enumerate() {
            if let Have::Kept(bucket) = h {
                let last = bucket.commonest.last().map(|(key, at)| (at[0].len(), *key));
                let maybe_hot = match (last, least) {
                    (Some(last), Some(least)) => last > least,
                    _ => true,
                };
                if bucket.commonest.len() < bucket.grams && maybe_hot {
                    regroup[b] = true;
                }
            }
        }
        if !regroup.iter().any(|&r| r) {
            break directories;
        }
        for (b, r) in regroup.into_iter().enumerate() {
            if r && matches!(have[b], Some(Have::Kept(_))) {
                have[b] = None;
            }
        }
    };
    let have: Vec<Have> = have.into_iter().flatten().collect();
    let span = directories.min(buckets) - 1;
    let mut per_directory: Vec<Vec<&Lists>> = vec![Vec::new(); directories];
    for lists in have.iter().filter_map(|h| if let Have::Grouped(l) = h { Some(l) } else { None }) {
        for l in lists {
            per_directory[gram_hash(l.key) as usize & (directories - 1)].push(l);
        }
    }
    per_directory.into_par_iter().enumerate().try_for_each(|(k, mut mine)| {
        let sources: Vec<usize> = (k & span..buckets).step_by(span + 1).collect();
        if !matches!(have[k & span], Have::Grouped(_)) {
            return Ok(());
        }
        mine.sort_unstable_by_key(|l| l.key);
        put(
            format!("g/{k}.bin"),
            directory_fingerprint(settings, directories, &sources, &fingerprints),
            directory(&mine),
        )
    })?;
    let kept: Vec<Lists> = have
        .iter()
        .filter_map(|h| if let Have::Kept(b) = h { Some(b) } else { None })
        .flat_map(|b| b.commonest.iter().map(|(key, at)| Lists { key: *key, at: at.clone() }))
        .collect();
    let all: Vec<&Lists> = have
        .iter()
        .filter_map(|h| if let Have::Grouped(l) = h { Some(l) } else { None })
        .flatten()
        .chain(&kept)
        .collect();
    put(
        "g/hot.bin".to_string(),
        file_fingerprint(settings, "hot", &fingerprints.iter().map(|f| f.0).collect::<Vec<_>>()),
        directory(&hot(all)),
    )?;
    if let Some(cache) = cache {
        let listed = (2 * HOT_GRAMS / buckets + 16).min(HOT_GRAMS);
        let saved: Vec<lists::Bucket> = have
            .into_par_iter()
            .zip(&fingerprints)
            .map(|(h, fingerprint)| match h {
                Have::Kept(bucket) => bucket,
                Have::Grouped(lists) => {
                    let grams = lists.len();
                    let mut commonest: Vec<&Lists> = lists.iter().collect();
                    let rank = |l: &&Lists| std::cmp::Reverse((l.at[0].len(), l.key));
                    if commonest.len() > listed {
                        commonest.select_nth_unstable_by_key(listed - 1, rank);
                        commonest.truncate(listed);
                    }
                    commonest.sort_unstable_by_key(rank);
                    let commonest = commonest.into_iter().map(|l| (l.key, l.at.clone())).collect();
                    lists::Bucket { fingerprint: fingerprint.0, grams, commonest }
                }
            })
            .collect();
        lists::save(&cache, settings, &saved);
    }
    Ok(directories)
}

/// The digest of directory file `sources`' inputs: how many directory
/// files, and its buckets' inputs.
fn directory_fingerprint(settings: u64, directories: usize, sources: &[usize], buckets: &[Fingerprint]) -> Fingerprint {
    let mut hashes = vec![directories as u64];
    hashes.extend(sources.iter().map(|&b| buckets[b].0));
    file_fingerprint(settings, "g", &hashes)
}

/// The least common of the [`HOT_GRAMS`] commonest grams (documents list
/// length, key) among `grams` (key, documents list length); `None` when
/// there are fewer.
fn least_hot(mut grams: Vec<(u64, usize)>) -> Option<(usize, u64)> {
    let commonest = |g: &(u64, usize)| std::cmp::Reverse((g.1, g.0));
    if grams.len() < HOT_GRAMS {
        return None;
    }
    let (_, least, _) = grams.select_nth_unstable_by_key(HOT_GRAMS - 1, commonest);
    Some((least.1, least.0))
}

/// The [`HOT_GRAMS`] grams with the longest documents lists (ties: the
/// greater key), keys ascending.
fn hot(mut grams: Vec<&Lists>) -> Vec<&Lists> {
    let commonest = |l: &&Lists| std::cmp::Reverse((l.at[0].len(), l.key));
    if grams.len() > HOT_GRAMS {
        grams.select_nth_unstable_by_key(HOT_GRAMS - 1, commonest);
        grams.truncate(HOT_GRAMS);
    }
    grams.sort_unstable_by_key(|l| l.key);
    grams
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

/// A block as the second pass needs it: its gram's number, the
/// difference of its first document from the gram's document before, and
/// where its two parts are, one after the other, in the bucket's bytes.
struct Part {
    gram: u32,
    delta: u32,
    at: usize,
    lens: [u32; 2],
}

/// A grouping's working memory, kept between buckets: every run's blocks
/// of the bucket, one after the other, the grams' numbers, what is known
/// of each gram and each block.
#[derive(Default)]
struct Scratch {
    blocks: Vec<u8>,
    numbers: KeyTable<u32>,
    /// Per gram: key, documents, last document, bytes of its two lists.
    grams: Vec<(u64, u32, u32, [usize; 2])>,
    parts: Vec<Part>,
    cursor: Vec<[usize; 2]>,
}

/// Bucket `b` of every run, read into `scratch`, grouped.
fn read_and_group(runs: &Runs, b: usize, scratch: &mut Scratch) -> Result<Bucket> {
    let mut ends = Vec::with_capacity(runs.len());
    let mut at = 0;
    for n in 0..runs.len() {
        at += runs.read(n, |s| s.read_into(b, &mut scratch.blocks, at))?;
        ends.push(at);
    }
    Ok(group(&ends, scratch))
}

/// A bucket's blocks (every run's, in run order, in `scratch.blocks`, the
/// runs ending at `ends`) → its grams' lists. A first pass numbers the
/// grams and measures every list; a second writes each block's parts
/// once, in place: a documents part behind its first document's
/// difference, a positions part as it is.
fn group(ends: &[usize], scratch: &mut Scratch) -> Bucket {
    let Scratch { blocks, numbers, grams, parts, cursor } = scratch;
    numbers.remove_all(grams.iter().map(|g| g.0));
    grams.clear();
    parts.clear();
    let mut at = 0;
    for &end in ends {
        let bytes = &blocks[..end];
        while let Some(block) = read_block(bytes, &mut at) {
            let g = *numbers.entry(block.key, grams.len() as u32);
            if g as usize == grams.len() {
                grams.push((block.key, 0, u32::MAX, [0, 0]));
            }
            let gram = &mut grams[g as usize];
            // Differences from the document before, the first from −1.
            let delta = block.first.wrapping_sub(gram.2);
            let lens = [block.parts[0].len(), block.parts[1].len()];
            gram.1 += block.documents;
            gram.2 = block.last;
            gram.3[0] += varint_len(delta as u64) + lens[0];
            gram.3[1] += lens[1];
            parts.push(Part { gram: g, delta, at: block.parts[0].start, lens: lens.map(|l| l as u32) });
        }
    }
    let mut size = [0, 0];
    cursor.clear();
    let lists: Vec<Lists> = grams
        .iter()
        .map(|&(key, df, _, lens)| {
            let d = size[0]..size[0] + varint_len(df as u64) + lens[0];
            let p = size[1]..size[1] + lens[1];
            size = [d.end, p.end];
            cursor.push([d.start, p.start]);
            Lists { key, at: [d, p] }
        })
        .collect();
    let mut out = [vec![0u8; size[0]], vec![0u8; size[1]]];
    for (g, (l, &(_, df, _, _))) in lists.iter().zip(grams.iter()).enumerate() {
        cursor[g][0] += write_varint(&mut out[0][l.at[0].start..], df as u64);
    }
    for part in parts.iter() {
        let c = &mut cursor[part.gram as usize];
        let [d, p] = part.lens.map(|l| l as usize);
        let at = c[0] + write_varint(&mut out[0][c[0]..], part.delta as u64);
        out[0][at..at + d].copy_from_slice(&blocks[part.at..part.at + d]);
        c[0] = at + d;
        out[1][c[1]..c[1] + p].copy_from_slice(&blocks[part.at + d..part.at + d + p]);
        c[1] += p;
    }
    let [documents, positions] = out;
    Bucket { grams: lists, documents, positions }
}

#[cfg(test)]
mod tests {
    use super::super::codec::{pack as key_of, read_documents, read_positions, Posting};
    use super::super::grams::Indexer;
    use super::super::text::normalized_stream;
    use super::*;
    use crate::model::Document;

    fn document(title: &str, body: &str) -> Document {
        let text = format!("---\ntitle: {title}\ndate: 2020-04-03\nspeaker: 李\ncity: 安康市\n---\n\n{body}\n");
        crate::load::parse_document(std::path::Path::new("content/speeches/2020/a.md"), &text, &[]).unwrap()
    }

    /// Where `gram` occurs in each document's stream, as lists hold it.
    fn expected(docs: &[Document], gram: [char; 2]) -> Vec<(Posting, Vec<u32>)> {
        let mut out = Vec::new();
        for (n, d) in docs.iter().enumerate() {
            let mut stream = Vec::new();
            let head = normalized_stream(d, d.body.text().unwrap(), &mut stream, None);
            let at: Vec<u32> = (0..stream.len())
                .filter(|&i| stream[i] == gram[0] as u32)
                .filter(|&i| gram[1] == '\0' || stream.get(i + 1) == Some(&(gram[1] as u32)))
                .map(|i| i as u32)
                .collect();
            if !at.is_empty() {
                let head = at.iter().filter(|&&p| (p as usize) < head).count() as u32;
                out.push((Posting { doc: n as u32, count: at.len() as u32, head }, at));
            }
        }
        out
    }

    #[test]
    fn the_hot_directory_holds_the_grams_with_the_longest_documents_lists() {
        let lists: Vec<Lists> =
            (0..HOT_GRAMS as u64 + 10).map(|k| Lists { key: k, at: [0..(k as usize * 7919) % 5000, 0..0] }).collect();
        let hot = hot(lists.iter().collect());
        assert_eq!(hot.len(), HOT_GRAMS);
        assert!(hot.windows(2).all(|w| w[0].key < w[1].key), "keys ascending");
        let shortest = hot.iter().map(|l| l.at[0].len()).min().unwrap();
        let left: Vec<&Lists> = lists.iter().filter(|l| hot.iter().all(|h| h.key != l.key)).collect();
        assert_eq!(left.len(), 10);
        assert!(left.iter().all(|l| l.at[0].len() <= shortest), "only shorter lists are left out");
        // Fewer grams than that: all of them.
        assert_eq!(super::hot(lists[..5].iter().collect()).len(), 5);
    }

    #[test]
    fn lists_joined_from_several_runs_are_the_archives_lists() {
        let docs = [
            document("讲话", "扶贫扶贫，脱贫。"),
            document("讲话", "没有"),
            document("讲话", "扶贫 易地扶贫搬迁"),
            document("扶贫讲话", "脱贫攻坚扶贫"),
            document("讲话", "扶"),
        ];
        // Runs of two documents: 0–1, 2–3 and 4, in one bucket.
        let mut indexer = Indexer::default();
        let runs: Vec<Vec<u8>> = docs
            .chunks(2)
            .enumerate()
            .map(|(r, chunk)| {
                indexer.clear();
                for (i, d) in chunk.iter().enumerate() {
                    indexer.add((2 * r + i) as u32, d, d.body.text().unwrap());
                }
                indexer.run(1).buckets.remove(0)
            })
            .collect();
        let ends = |runs: &[Vec<u8>]| -> Vec<usize> {
            runs.iter()
                .scan(0, |end, r| {
                    *end += r.len();
                    Some(*end)
                })
                .collect()
        };
        let mut scratch = Scratch { blocks: runs.concat(), ..Default::default() };
        let bucket = group(&ends(&runs), &mut scratch);
        // The same working memory used again, for the runs in another
        // order: as a fresh one groups them.
        let mut other = runs.clone();
        other.swap(0, 2);
        scratch.blocks = other.concat();
        let again = group(&ends(&other), &mut scratch);
        let fresh = group(&ends(&other), &mut Scratch { blocks: other.concat(), ..Default::default() });
        let keys = |b: &Bucket| b.grams.iter().map(|l| (l.key, l.at.clone())).collect::<Vec<_>>();
        assert_eq!(
            (keys(&again), &again.documents, &again.positions),
            (keys(&fresh), &fresh.documents, &fresh.positions)
        );
        assert_ne!(keys(&again), keys(&bucket), "another order of grams");
        for gram in [['扶', '贫'], ['脱', '贫'], ['扶', '\0'], ['讲', '话']] {
            let lists = bucket.grams.iter().find(|l| l.key == key_of(&gram)).expect("every gram listed");
            let (documents, positions) =
                (&bucket.documents[lists.at[0].clone()], &bucket.positions[lists.at[1].clone()]);
            let expected = expected(&docs, gram);
            assert!(expected.len() >= 2, "{gram:?} in more than one run");
            assert_eq!(read_documents(documents), expected.iter().map(|e| e.0).collect::<Vec<_>>(), "{gram:?}");
            if gram[1] == '\0' {
                assert!(positions.is_empty());
            } else {
                assert_eq!(read_positions(documents, positions), expected, "{gram:?}");
            }
        }
        assert!(expected(&docs, ['扶', '贫']).iter().any(|e| e.0.head > 0), "a head count is checked");
    }
}
