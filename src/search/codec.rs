//! The binary pieces of the index format, both ways: unsigned LEB128
//! varints, gram keys, the FNV-1a hash that places a gram in a shard, and
//! the shard file (a table of grams, then their lists). Writing is the
//! search stage's; reading is `query`'s, step for step what
//! `themes/default/static/search.js` does with a `DataView`.

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
/// same with `Math.imul`. A gram's shard is the hash's low bits.
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

/// The shard of `gram` among `shards` (a power of two).
pub fn shard_of(gram: &Gram, shards: u32) -> u32 {
    gram_hash(pack(gram)) & (shards - 1)
}

pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
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
/// always do); returns its length.
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

/// A few varints on the stack, copied out in one piece.
#[derive(Default)]
pub struct Varints {
    pub buf: [u8; 32],
    pub len: usize,
}

impl Varints {
    /// Room for six numbers of 32 bits (or three of 64).
    pub fn put(&mut self, n: u64) {
        self.len += write_varint(&mut self.buf[self.len..], n);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
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

    pub fn varint(&mut self) -> u64 {
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

/// Where a gram's list is, according to its shard's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    Absent,
    /// Bytes `range` of the shard file itself.
    Inline(std::ops::Range<usize>),
    /// A file of its own: `<shard>-<n>.bin` beside the shard.
    Own(usize),
}

/// A shard file: `varint(grams)`, then per gram, keys ascending,
/// `varint(key − previous key)` and `varint(length << 1 | own)`; then the
/// lists of the grams that are not `own`, in table order. An `own` gram's
/// list is the whole of file `<shard>-<n>.bin`, n counting the own grams
/// before it in the table.
pub fn write_shard(out: &mut Vec<u8>, grams: &[(u64, &[u8])], own_over: usize) -> Vec<usize> {
    let mut own = Vec::new();
    put_varint(out, grams.len() as u64);
    let mut prev = 0;
    for (i, (key, list)) in grams.iter().enumerate() {
        put_varint(out, key - prev);
        prev = *key;
        let is_own = list.len() > own_over;
        put_varint(out, (list.len() as u64) << 1 | is_own as u64);
        if is_own {
            own.push(i);
        }
    }
    for (_, list) in grams.iter().filter(|(_, l)| l.len() <= own_over) {
        out.extend_from_slice(list);
    }
    own
}

/// Finds `key` in a shard file.
pub fn locate(shard: &[u8], key: u64) -> Located {
    let mut r = Reader::new(shard);
    let grams = r.varint();
    let (mut prev, mut offset, mut own) = (0u64, 0usize, 0usize);
    let mut found = None;
    for _ in 0..grams {
        prev += r.varint();
        let v = r.varint();
        let (len, is_own) = ((v >> 1) as usize, v & 1 == 1);
        if prev == key {
            found = Some(if is_own { Located::Own(own) } else { Located::Inline(offset..offset + len) });
        }
        if is_own {
            own += 1;
        } else {
            offset += len;
        }
    }
    match found {
        Some(Located::Inline(range)) => Located::Inline(r.at + range.start..r.at + range.end),
        Some(other) => other,
        None => Located::Absent,
    }
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
    let mut r = Reader::new(list);
    let n = r.varint() as usize;
    let mut out = Vec::with_capacity(n.min(list.len()));
    let mut doc: i64 = -1;
    for _ in 0..n {
        doc += r.varint() as i64;
        let (count, head) = read_counts(&mut r);
        out.push(Posting { doc: doc as u32, count, head });
    }
    out
}

fn read_counts(r: &mut Reader) -> (u32, u32) {
    let v = r.varint();
    let head = if v & 1 == 1 { r.varint() as u32 } else { 0 };
    ((v >> 1) as u32, head)
}

/// A positions list: as a documents list, each document followed by its
/// `count` positions in the document's normalised text, ascending, the
/// first as is and the others as differences from the one before. The
/// first `head` of them are in the head.
pub fn read_positions(list: &[u8]) -> Vec<(Posting, Vec<u32>)> {
    let mut r = Reader::new(list);
    let n = r.varint() as usize;
    let mut out = Vec::with_capacity(n.min(list.len()));
    let mut doc: i64 = -1;
    for _ in 0..n {
        doc += r.varint() as i64;
        let (count, head) = read_counts(&mut r);
        let mut positions = Vec::with_capacity(count as usize);
        let mut p = 0u32;
        for i in 0..count {
            let d = r.varint() as u32;
            p = if i == 0 { d } else { p + d };
            positions.push(p);
        }
        out.push((Posting { doc: doc as u32, count, head }, positions));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, 1 << 35, u64::MAX >> 1] {
            out.clear();
            put_varint(&mut out, n);
            assert_eq!(out.len(), varint_len(n));
            assert_eq!(Reader::new(&out).varint(), n);
        }
        put_varint(&mut out, 300);
        assert_eq!(&out[out.len() - 2..], [0xAC, 0x02]);
    }

    #[test]
    fn the_hash_is_fnv1a_over_code_points() {
        // Pinned: search.js computes the same numbers.
        assert_eq!(gram_hash(pack(&['扶', '贫'])), 0x7064_b4c6);
        assert_eq!(gram_hash(pack(&['a', '\0'])), 0xe40c_292c);
    }

    #[test]
    fn a_shard_table_finds_inline_and_own_lists() {
        let (a, b, c) = (vec![1u8, 2, 3], vec![9u8; 10], vec![7u8]);
        let grams = [(pack(&['一', '\0']), &a[..]), (pack(&['一', '二']), &b[..]), (pack(&['三', '\0']), &c[..])];
        let mut out = Vec::new();
        assert_eq!(write_shard(&mut out, &grams, 5), [1]);
        let at = |g: &Gram| locate(&out, pack(g));
        let Located::Inline(r) = at(&['一', '\0']) else { panic!() };
        assert_eq!(out[r], [1, 2, 3]);
        assert_eq!(at(&['一', '二']), Located::Own(0));
        let Located::Inline(r) = at(&['三', '\0']) else { panic!() };
        assert_eq!(out[r], [7]);
        assert_eq!(at(&['二', '\0']), Located::Absent);
    }

    #[test]
    fn lists_read_back() {
        let mut list = Vec::new();
        put_varint(&mut list, 2);
        put_varint(&mut list, 4); // doc 3
        put_varint(&mut list, 2 << 1 | 1); // twice, once in the head
        put_varint(&mut list, 1);
        put_varint(&mut list, 5);
        put_varint(&mut list, 10);
        put_varint(&mut list, 3); // doc 6
        put_varint(&mut list, 1 << 1);
        put_varint(&mut list, 40);
        let read = read_positions(&list);
        assert_eq!(read[0], (Posting { doc: 3, count: 2, head: 1 }, vec![5, 15]));
        assert_eq!(read[1], (Posting { doc: 6, count: 1, head: 0 }, vec![40]));
    }
}
