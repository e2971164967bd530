//! The file a build keeps its matching state in
//! (`.archive-cache/reuse-state.bin`, see [`super::State`]): a magic, the
//! key of the program that wrote it, a checksum of the rest, then the
//! state's lists as little-endian words. A file that is damaged, cut short
//! or from another program reads as nothing.

use super::{Match, State};

const MAGIC: &[u8; 8] = b"ARCHRST1";

/// Writes `s` to `out` in pieces (a state is 8 bytes a fingerprint hash and document:
/// never whole in memory), its checksum from a first pass over the same.
pub fn write(s: &State, key: u64, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    pieces(s, &mut |bytes| {
        h.update(bytes);
        Ok(())
    })?;
    out.write_all(MAGIC)?;
    out.write_all(&key.to_le_bytes())?;
    out.write_all(&h.digest().to_le_bytes())?;
    pieces(s, &mut |bytes| out.write_all(bytes))
}

/// The state's words, little-endian, handed to `f` 64 KB at a time.
fn pieces(s: &State, f: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut put = |n: u32, f: &mut dyn FnMut(&[u8]) -> std::io::Result<()>| -> std::io::Result<()> {
        buf.extend(n.to_le_bytes());
        if buf.len() >= 1 << 16 {
            f(&buf)?;
            buf.clear();
        }
        Ok(())
    };
    put(s.keys.len() as u32, f)?;
    for &k in &s.keys {
        put(k as u32, f)?;
        put((k >> 32) as u32, f)?;
    }
    for &n in &s.family {
        put(n, f)?;
    }
    put(s.hashes.len() as u32, f)?;
    for &h in &s.hashes {
        put(h as u32, f)?;
        put((h >> 32) as u32, f)?;
    }
    put(s.table.len() as u32, f)?;
    for &(h, d, at) in &s.table {
        put(h as u32, f)?;
        put((h >> 32) as u32, f)?;
        put(d, f)?;
        put(at, f)?;
    }
    put(s.matches.len() as u32, f)?;
    for m in &s.matches {
        for n in [m.src.0, m.src.1, m.src.2, m.src.3, m.dst.0, m.dst.1, m.dst.2, m.dst.3] {
            put(n, f)?;
        }
    }
    if !buf.is_empty() {
        f(&buf)?;
    }
    Ok(())
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
    let hashes = (0..m).map(|_| Some(next()? as u64 | (next()? as u64) << 32)).collect::<Option<_>>()?;
    let t = count(&mut next)?;
    let table =
        (0..t).map(|_| Some((next()? as u64 | (next()? as u64) << 32, next()?, next()?))).collect::<Option<_>>()?;
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
            hashes: (0..40_000u64).map(|i| (i << 40) | (i % 2)).collect(),
            table: vec![(5 << 40, 0, 3), (5 << 40, 1, 9)],
            matches: vec![Match { src: (1, 0, 2, 40), dst: (0, 1, 0, 38) }],
            read: 0,
        };
        let mut bytes = Vec::new();
        write(&state, 42, &mut bytes).unwrap();
        assert_eq!(decode(&bytes, 42), Some(state));
        assert_eq!(decode(&bytes, 43), None);
        assert_eq!(decode(&bytes[..bytes.len() - 4], 42), None);
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert_eq!(decode(&flipped, 42), None);
    }
}
