//! The binary pieces of the index format: unsigned LEB128 varints, gram
//! keys, the FNV-1a hash that places a gram in a bucket and a directory
//! file, and reading directories and lists — `query`'s, step for step what
//! `themes/default/static/search.js` does with a `Uint8Array`.

/// A character unigram (`second == '\0'`) or bigram.
pub type Gram = [char; 2];

/// A gram as 42 bits: 21 per code point; a unigram's low 21 bits are 0.
pub fn pack(gram: &Gram) -> u64 {
    (gram[0] as u64) << 21 | gram[1] as u64
}

pub fn unpack(key: u64) -> Gram {
    let c = |n: u64| char::from_u32((n & 0x1F_FFFF) as u32).unwrap_or('\0');
    [c(key >> 21), c(key)]
}

/// FNV-1a (32-bit) over the gram's code points; the client computes the
/// same with `Math.imul`. A gram's bucket and directory file are the
/// hash's low bits.
pub fn gram_hash(key: u64) -> u32 {
    let mut h: u32 = 2_166_136_261;
    h ^= (key >> 21) as u32;
    h = h.wrapping_mul(16_777_619);
    let second = (key & 0x1F_FFFF) as u32;
    if second != 0 {
        h ^= second;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// Which of `n` (a power of two) buckets or directory files `gram` is in.
pub fn slot_of(gram: &Gram, n: u32) -> u32 {
    gram_hash(pack(gram)) & (n - 1)
}

pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The number of a varint of `len` (at most 8) bytes at the start of a
/// little-endian word: its 7-bit groups joined, the bytes past it ignored.
#[inline]
fn gather(word: u64, len: usize) -> u64 {
    let x = if len == 8 { word } else { word & ((1u64 << (8 * len)) - 1) } & 0x7F7F_7F7F_7F7F_7F7F;
    let x = (x & 0x007F_007F_007F_007F) | (x & 0x7F00_7F00_7F00_7F00) >> 1;
    let x = (x & 0x0000_3FFF_0000_3FFF) | (x & 0x3FFF_0000_3FFF_0000) >> 2;
    (x & 0x0FFF_FFFF) | (x & 0x0FFF_FFFF_0000_0000) >> 4
}

pub fn varint_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Writes `n` at the start of `out` (which must have room: 10 bytes
/// always do), and nothing past it; returns its length.
pub fn write_varint(out: &mut [u8], mut n: u64) -> usize {
    let mut i = 0;
    while n >= 0x80 {
        out[i] = n as u8 | 0x80;
        n >>= 7;
        i += 1;
    }
    out[i] = n as u8;
    i + 1
}

/// Reads varints from a byte slice; a truncated number reads as 0.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    #[inline]
    pub fn varint(&mut self) -> u64 {
        // Fast paths: one byte; or at most 8, read as one word.
        match self.bytes.get(self.at..self.at + 8) {
            Some(word) => {
                let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                if word & 0x80 == 0 {
                    self.at += 1;
                    return word & 0x7F;
                }
                let ends = !word & 0x8080_8080_8080_8080;
                if ends != 0 {
                    let len = ends.trailing_zeros() as usize / 8 + 1;
                    self.at += len;
                    return gather(word, len);
                }
            }
            None => {
                if let Some(&b) = self.bytes.get(self.at).filter(|&&b| b < 0x80) {
                    self.at += 1;
                    return b as u64;
                }
            }
        }
        let mut n = 0u64;
        let mut shift = 0;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            n |= ((b & 0x7F) as u64) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
        0
    }
}

/// Where a gram's lists are in its bucket's packs, by its directory file
/// (written by `packs::directory`): its documents list and, for a bigram,
/// its positions list; `None` when the archive does not hold the gram.
pub fn locate(directory: &[u8], key: u64) -> Option<[std::ops::Range<usize>; 2]> {
    let mut r = Reader::new(directory);
    let grams = r.varint();
    let mut prev = 0u64;
    for _ in 0..grams {
        prev += r.varint();
        let mut at = [0..0, 0..0];
        for range in at.iter_mut().take(1 + (prev & 0x1F_FFFF != 0) as usize) {
            let start = r.varint() as usize;
            *range = start..start + r.varint() as usize;
        }
        if prev == key {
            return Some(at);
        }
        if prev > key {
            break;
        }
    }
    None
}

/// One document of a list: its number, the gram's (or term's) occurrences
/// in it, and how many of those are in its head (title and metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    pub count: u32,
    pub head: u32,
}

/// A documents list: `varint(documents)`, then per document, ascending,
/// `varint(doc − previous doc)` (the first from −1), `varint(count << 1 |
/// in head)` and, when in head, `varint(occurrences in the head)`.
pub fn read_documents(list: &[u8]) -> Vec<Posting> {
    read_list(list, |posting| posting)
}

/// A positions list, read beside its gram's documents list: for each
/// document of that list in its order, its `count` positions in the
/// document's normalised text, ascending, the first as is and the others
/// as differences from the one before (the first `head` of them are in
/// the head). Nothing else: the documents list says whose they are.
pub fn read_positions(documents: &[u8], positions: &[u8]) -> Vec<(Posting, Vec<u32>)> {
    let mut r = Reader::new(positions);
    read_list(documents, |posting| {
        let mut p = 0u32;
        let positions = (0..posting.count)
            .map(|i| {
                let d = r.varint() as u32;
                p = if i == 0 { d } else { p.wrapping_add(d) };
                p
            })
            .collect();
        (posting, positions)
    })
}

/// The documents of a documents list, each made into what `each` makes.
fn read_list<T>(list: &[u8], mut each: impl FnMut(Posting) -> T) -> Vec<T> {
    let mut r = Reader::new(list);
    let n = r.varint() as usize;
    let mut out = Vec::with_capacity(n.min(list.len()));
    let mut doc: i64 = -1;
    for _ in 0..n {
        doc += r.varint() as i64;
        let v = r.varint();
        let head = if v & 1 == 1 { r.varint() as u32 } else { 0 };
        let posting = Posting { doc: doc as u32, count: (v >> 1) as u32, head };
        out.push(each(posting));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, (1 << 21) - 1, 1 << 21, 1 << 35, u64::MAX >> 1] {
            out.clear();
            put_varint(&mut out, n);
            assert_eq!(out.len(), varint_len(n));
            assert_eq!(Reader::new(&out).varint(), n);
        }
        put_varint(&mut out, 300);
        assert_eq!(&out[out.len() - 2..], [0xAC, 0x02]);
    }

    #[test]
    fn varints_of_every_length_read_back_in_a_row_and_at_the_end() {
        let mut numbers: Vec<u64> = (0..64).flat_map(|b| [(1u64 << b) - 1, 1 << b, (1 << b) + 1]).collect();
        numbers.extend([0x7F, 0x80, 0x3FFF, 0x4000, (1 << 56) - 1, 1 << 56, u64::MAX >> 1, 300, 16_384]);
        let mut out = Vec::new();
        for &n in &numbers {
            put_varint(&mut out, n);
            let mut room = [0xAAu8; 20];
            let len = write_varint(&mut room, n);
            assert_eq!((&room[..len], &room[len..]), (&out[out.len() - len..], &[0xAA; 20][len..]), "{n}");
        }
        // Read one after the other: the last ones near the end of the bytes.
        let mut r = Reader::new(&out);
        for &n in &numbers {
            assert_eq!(r.varint(), n);
        }
        assert_eq!(r.at, out.len());
        assert_eq!(r.varint(), 0, "past the end");
        // Cut short: 0, as the byte loop reads it.
        assert_eq!(Reader::new(&[0x80, 0x80]).varint(), 0);
        assert_eq!(Reader::new(&[0xFF; 9]).varint(), 0);
    }

    #[test]
    fn the_hash_is_fnv1a_over_code_points() {
        // Pinned: search.js computes the same numbers.
        assert_eq!(gram_hash(pack(&['扶', '贫'])), 0x7064_b4c6);
        assert_eq!(gram_hash(pack(&['a', '\0'])), 0xe40c_292c);
    }

    #[test]
    fn a_directory_finds_both_lists_of_a_bigram_and_one_of_a_unigram() {
        let mut dir = Vec::new();
        let (one, pair, three) = (pack(&['一', '\0']), pack(&['一', '二']), pack(&['三', '\0']));
        for n in [3, one, 0, 5, pair - one, 5, 10, 0, 7, three - pair, 15, 2] {
            put_varint(&mut dir, n);
        }
        assert_eq!(locate(&dir, one), Some([0..5, 0..0]));
        assert_eq!(locate(&dir, pair), Some([5..15, 0..7]));
        assert_eq!(locate(&dir, three), Some([15..17, 0..0]));
        assert_eq!(locate(&dir, pack(&['二', '\0'])), None);
        assert_eq!(locate(&dir, pack(&['四', '\0'])), None);
    }

    #[test]
    fn lists_read_back() {
        let mut documents = Vec::new();
        for n in [2, 4, 2 << 1 | 1, 1, 3, 1 << 1] {
            // Two documents: 3, twice, once in the head; 6, once.
            put_varint(&mut documents, n);
        }
        let mut positions = Vec::new();
        for n in [5, 10, 40] {
            put_varint(&mut positions, n);
        }
        let read = read_positions(&documents, &positions);
        assert_eq!(read[0], (Posting { doc: 3, count: 2, head: 1 }, vec![5, 15]));
        assert_eq!(read[1], (Posting { doc: 6, count: 1, head: 0 }, vec![40]));
        assert_eq!(read_documents(&documents), read.iter().map(|r| r.0).collect::<Vec<_>>());
    }
}
