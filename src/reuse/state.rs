//! The file a build keeps its matching state in
//! (`.archive-cache/reuse-state.bin`, see [`super::State`]): a magic, the
//! key of the program that wrote it, a checksum of the rest, then the
//! state's lists as little-endian words. A file that is damaged, cut short
//! or from another program reads as nothing.

use super::{Match, State};

const MAGIC: &[u8; 8] = b"ARCHRST1";

pub fn encode(s: &State, key: u64) -> Vec<u8> {
    // The head is written last, over 24 bytes kept for it (one buffer: a
    // state is 8 bytes a fingerprint hash).
    let words = 1 + 3 * s.keys.len() + 1 + 2 * s.hashes.len() + 1 + 3 * s.table.len() + 1 + 8 * s.matches.len();
    let mut body = Vec::with_capacity(24 + 4 * words);
    body.extend([0; 24]);
    let mut put = |n: u32| body.extend(n.to_le_bytes());
    put(s.keys.len() as u32);
    s.keys.iter().for_each(|&k| {
        put(k as u32);
        put((k >> 32) as u32);
    });
    s.family.iter().for_each(|&f| put(f));
    put(s.hashes.len() as u32);
    s.hashes.iter().for_each(|&(h, d)| {
        put(h);
        put(d);
    });
    put(s.table.len() as u32);
    s.table.iter().for_each(|&(h, d, at)| {
        put(h);
        put(d);
        put(at);
    });
    put(s.matches.len() as u32);
    for m in &s.matches {
        for n in [m.src.0, m.src.1, m.src.2, m.src.3, m.dst.0, m.dst.1, m.dst.2, m.dst.3] {
            put(n);
        }
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&body[24..]);
    body[..8].copy_from_slice(MAGIC);
    body[8..16].copy_from_slice(&key.to_le_bytes());
    body[16..24].copy_from_slice(&sum.to_le_bytes());
    body
}

pub fn decode(bytes: &[u8], key: u64) -> Option<State> {
    let (head, body) = (bytes.get(..24)?, bytes.get(24..)?);
    let word = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().unwrap_or_default());
    if &head[..8] != MAGIC || word(8) != key || word(16) != xxhash_rust::xxh3::xxh3_64(body) {
        return None;
    }
    let mut words = body.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let mut next = || words.next();
    let count = |next: &mut dyn FnMut() -> Option<u32>| -> Option<usize> {
        let n = next()? as usize;
        (n <= body.len() / 4).then_some(n)
    };
    let n = count(&mut next)?;
    let keys = (0..n).map(|_| Some(next()? as u64 | (next()? as u64) << 32)).collect::<Option<_>>()?;
    let family = (0..n).map(|_| next()).collect::<Option<_>>()?;
    let m = count(&mut next)?;
    let hashes = (0..m).map(|_| Some((next()?, next()?))).collect::<Option<_>>()?;
    let t = count(&mut next)?;
    let table = (0..t).map(|_| Some((next()?, next()?, next()?))).collect::<Option<_>>()?;
    let k = count(&mut next)?;
    let matches = (0..k)
        .map(|_| Some(Match { src: (next()?, next()?, next()?, next()?), dst: (next()?, next()?, next()?, next()?) }))
        .collect::<Option<_>>()?;
    (next().is_none() && body.len() % 4 == 0).then_some(State { keys, family, hashes, table, matches, read: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reads_back_and_a_damaged_or_foreign_one_does_not() {
        let state = State {
            keys: vec![u64::MAX - 3, 7],
            family: vec![0, 0],
            hashes: vec![(5, 0), (5, 1)],
            table: vec![(5, 0, 3), (5, 1, 9)],
            matches: vec![Match { src: (1, 0, 2, 40), dst: (0, 1, 0, 38) }],
            read: 0,
        };
        let bytes = encode(&state, 42);
        assert_eq!(decode(&bytes, 42), Some(state));
        assert_eq!(decode(&bytes, 43), None);
        assert_eq!(decode(&bytes[..bytes.len() - 4], 42), None);
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert_eq!(decode(&flipped, 42), None);
    }
}
