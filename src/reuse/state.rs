//! The files a build keeps its matching state in (see [`super::State`]):
//! `.archive-cache/reuse-state.bin` and, apart, the documents' fingerprint
//! hashes (`reuse-hashes.bin`), which are most of it and are written as
//! soon as a match knows them, so that it need not hold them while it
//! compares. Each file is a magic, the key of the program that wrote it, a
//! checksum of the rest, then lists as little-endian words; the state names
//! the checksum of its hashes file. A file that is damaged, cut short, from
//! another program or (hashes) of another state reads as nothing.

use std::io::Read;

use super::find::{Fill, Held};
use super::{Match, State};

const MAGIC: &[u8; 8] = b"ARCHRST2";
const HASHES: &[u8; 8] = b"ARCHRHS1";

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
    let kept = s.hashes_kept.unwrap_or(0);
    for n in [s.hashes_kept.is_some() as u32, kept as u32, (kept >> 32) as u32] {
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
    let hashes_kept = match (next()?, next()? as u64 | (next()? as u64) << 32) {
        (0, _) => None,
        (1, sum) => Some(sum),
        _ => return None,
    };
    let m = count(&mut next)?;
    let hashes = (0..m).map(|_| Some(next()? as u64 | (next()? as u64) << 32)).collect::<Option<_>>()?;
    let t = count(&mut next)?;
    let table =
        (0..t).map(|_| Some((next()? as u64 | (next()? as u64) << 32, next()?, next()?))).collect::<Option<_>>()?;
    let k = count(&mut next)?;
    let matches = (0..k)
        .map(|_| Some(Match { src: (next()?, next()?, next()?, next()?), dst: (next()?, next()?, next()?, next()?) }))
        .collect::<Option<_>>()?;
    (next().is_none() && body.len() % 4 == 0).then_some(State {
        keys,
        family,
        hashes,
        hashes_kept,
        table,
        matches,
        read: 0,
    })
}

/// Writes the `count` hashes `fill` hands over (in order, a bucket at a
/// time: never all in memory) to `out`: a magic, `key`, the count, the
/// hashes, then their checksum, which it returns (the state that goes with
/// them names it).
pub fn write_hashes(count: u64, fill: &mut Fill, key: u64, out: &mut dyn std::io::Write) -> std::io::Result<u64> {
    out.write_all(HASHES)?;
    out.write_all(&key.to_le_bytes())?;
    out.write_all(&count.to_le_bytes())?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&count.to_le_bytes());
    let mut written = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    fill(&mut |hashes| {
        for chunk in hashes.chunks(1 << 13) {
            buf.clear();
            buf.extend(chunk.iter().flat_map(|h| h.to_le_bytes()));
            h.update(&buf);
            out.write_all(&buf)?;
        }
        written += hashes.len() as u64;
        Ok(())
    })?;
    if written != count {
        return Err(std::io::Error::other(format!("{written} hashes written of {count}")));
    }
    let sum = h.digest();
    out.write_all(&sum.to_le_bytes())?;
    Ok(sum)
}

/// Reads what [`write_hashes`] wrote, a piece at a time (never the file
/// and the list at once) from a file of `len` bytes; `None` unless it is
/// whole, of this program (`key`) and the one a state names (`sum`).
pub fn read_hashes(from: &mut dyn Read, len: u64, key: u64, sum: u64) -> Option<Vec<Held>> {
    let mut head = [0u8; 24];
    from.read_exact(&mut head).ok()?;
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    if &head[..8] != HASHES || word(&head[8..16]) != key {
        return None;
    }
    let n = usize::try_from(word(&head[16..])).ok()?;
    if (n as u64).checked_mul(8).and_then(|b| b.checked_add(32)) != Some(len) {
        return None;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&head[16..]);
    let mut out: Vec<Held> = Vec::with_capacity(n);
    let mut buf = vec![0u8; 1 << 16];
    while out.len() < n {
        let want = (n - out.len()).min(buf.len() / 8) * 8;
        from.read_exact(&mut buf[..want]).ok()?;
        h.update(&buf[..want]);
        out.extend(buf[..want].chunks_exact(8).map(word));
    }
    let mut tail = [0u8; 9];
    let ended = from.read(&mut tail).ok()? == 8 && from.read(&mut tail[8..]).ok()? == 0;
    (ended && word(&tail[..8]) == sum && h.digest() == sum).then_some(out)
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
            hashes_kept: None,
            table: vec![(5 << 40, 0, 3), (5 << 40, 1, 9)],
            matches: vec![Match { src: (1, 0, 2, 40), dst: (0, 1, 0, 38) }],
            read: 0,
        };
        let mut bytes = Vec::new();
        write(&state, 42, &mut bytes).unwrap();
        assert_eq!(decode(&bytes, 42), Some(state.clone()));
        assert_eq!(decode(&bytes, 43), None);
        assert_eq!(decode(&bytes[..bytes.len() - 4], 42), None);
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert_eq!(decode(&flipped, 42), None);
        // Hashes kept apart: the state names their checksum.
        let apart = State { hashes: Vec::new(), hashes_kept: Some(u64::MAX - 9), ..state };
        let mut bytes = Vec::new();
        write(&apart, 42, &mut bytes).unwrap();
        assert_eq!(decode(&bytes, 42), Some(apart));
    }

    #[test]
    fn hashes_read_back_only_whole_of_this_program_and_of_the_state_that_names_them() {
        let hashes: Vec<Held> = (0..20_000u64).map(|i| (i.wrapping_mul(0x9e37_79b9) << 24) | (i % 5)).collect();
        let mut bytes = Vec::new();
        let sum = write_hashes(hashes.len() as u64, &mut |put| put(&hashes), 42, &mut bytes).unwrap();
        let read = |b: &[u8], key, sum| read_hashes(&mut &b[..], b.len() as u64, key, sum);
        assert_eq!(read(&bytes, 42, sum), Some(hashes.clone()));
        assert_eq!(read(&bytes, 43, sum), None, "another program's");
        assert_eq!(read(&bytes, 42, sum ^ 1), None, "another state's");
        for cut in [0, 20, 40, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(read(&bytes[..cut], 42, sum), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(read(&longer, 42, sum), None, "with a byte more");
        assert_eq!(read_hashes(&mut &longer[..], bytes.len() as u64, 42, sum), None, "more than its length says");
        assert_eq!(read_hashes(&mut &bytes[..], u64::MAX, 42, sum), None, "a length that is not the file's");
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 3] ^= 4;
        assert_eq!(read(&flipped, 42, sum), None, "a bit flipped");
        let mut empty = Vec::new();
        let none = write_hashes(0, &mut |_| Ok(()), 42, &mut empty).unwrap();
        assert_eq!(read(&empty, 42, none), Some(Vec::new()));
        // Handed over in pieces, as a clean match's buckets are: the same file.
        let mut pieces = Vec::new();
        let fill =
            &mut |put: &mut dyn FnMut(&[Held]) -> std::io::Result<()>| hashes.chunks(777).try_for_each(&mut *put);
        assert_eq!(write_hashes(hashes.len() as u64, fill, 42, &mut pieces).unwrap(), sum);
        assert_eq!(pieces, bytes);
        // Fewer than it said: an error, not a file.
        let short = write_hashes(hashes.len() as u64 + 1, &mut |put| put(&hashes), 42, &mut Vec::new());
        assert!(short.is_err());
    }
}
