//! Raw bytes → text: a BOM or strict UTF-8 first, else the encoding chardetng
//! guesses among the ones the archive's sources use (GB18030/GBK, Big5),
//! decoded by encoding_rs without replacement so that a bad byte is an error
//! naming its offset. Also normalises line ends and drops control characters.
//! Knows nothing of what the text says.

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// 1.0 for a BOM or valid UTF-8; lower when the encoding was guessed.
    pub confidence: f32,
}

/// Why bytes could not become text; `offset` is a byte offset in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

/// Decodes a raw file. Empty, binary, truncated and undecodable inputs are
/// errors; nothing is replaced by U+FFFD.
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let fail = |offset, message: String| Err(DecodeError { offset, message });
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return fail(0, "the file is empty".into());
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let text = decode_strictly(encoding, &bytes[bom..]).map_err(|e| DecodeError { offset: e.offset + bom, ..e })?;
        return Ok(Decoded { text: normalize_text(&text), encoding: encoding.name(), confidence: 1.0 });
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return fail(nul, format!("binary data (a NUL byte at byte {nul}), not a text file"));
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(Decoded { text: normalize_text(text), encoding: UTF_8.name(), confidence: 1.0 }),
        Err(e) => e,
    };
    let bad = utf8_error.valid_up_to();
    if utf8_error.error_len().is_none() {
        return fail(bad, format!("truncated: the file ends inside a UTF-8 character (at byte {bad})"));
    }
    if is_broken_utf8(bytes) {
        return fail(bad, format!("not valid UTF-8 (at byte {bad}), though most of the file is"));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(None, true);
    let encoding = if guess == GBK || guess == GB18030 {
        GB18030
    } else if guess == BIG5 {
        BIG5
    } else {
        return fail(bad, format!("not valid UTF-8 (at byte {bad}) and not recognisably GB18030, GBK or Big5"));
    };
    let text = decode_strictly(encoding, bytes)?;
    let confidence = if is_mostly_han(&text) { 0.9 } else { 0.5 };
    Ok(Decoded { text: normalize_text(&text), encoding: encoding.name(), confidence })
}

fn decode_strictly(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, DecodeError> {
    let encoding = if encoding == UTF_16LE || encoding == UTF_16BE { encoding } else { encoding.output_encoding() };
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            let offset = read.saturating_sub(bad as usize + extra as usize);
            Err(DecodeError { offset, message: format!("not valid {} (at byte {offset})", encoding.name()) })
        }
        encoding_rs::DecoderResult::OutputFull => {
            Err(DecodeError { offset: read, message: "the decoder ran out of room; this is a bug".into() })
        }
    }
}

/// CRLF and lone CR become LF; control characters (but tab and newline),
/// zero-width characters and bidi overrides are dropped.
fn normalize_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .filter(|&c| {
            let invisible = matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}');
            !invisible && (!c.is_control() || c == '\n' || c == '\t')
        })
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect()
}

/// UTF-8 with a few bad bytes (a damaged or spliced file) must not be read
/// as GB18030, which would turn every character into another one.
fn is_broken_utf8(bytes: &[u8]) -> bool {
    let lossy = String::from_utf8_lossy(bytes);
    let bad = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
    let han = lossy.chars().filter(|c| crate::script::is_han(*c)).count();
    han >= 8 && bad * 100 < han
}

fn is_mostly_han(text: &str) -> bool {
    let han = text.chars().filter(|c| crate::script::is_han(*c)).count();
    han * 2 > text.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEECH: &str = "同志们：今天我们召开全市脱贫攻坚工作会议，主要任务是总结去年的工作，安排今年的任务。";

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode_text(SPEECH.as_bytes()).unwrap();
        assert_eq!((plain.text.as_str(), plain.encoding), (SPEECH, "UTF-8"));
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), SPEECH.as_bytes()].concat();
        assert_eq!(decode_text(&with_bom).unwrap().text, SPEECH);
    }

    #[test]
    fn gbk_and_big5_are_detected() {
        let (gbk, _, _) = GBK.encode(SPEECH);
        let d = decode_text(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SPEECH, "gb18030"));
        let traditional = "同志們：今天我們召開全市脫貧攻堅工作會議，主要任務是總結去年的工作，安排今年的任務。";
        let (big5, _, _) = BIG5.encode(traditional);
        let d = decode_text(&big5).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (traditional, "Big5"));
    }

    #[test]
    fn crlf_and_control_characters_are_normalised() {
        assert_eq!(decode_text("一\r\n二\r三\u{7}\u{200B}\t四".as_bytes()).unwrap().text, "一\n二\n三 四");
    }

    #[test]
    fn bad_inputs_name_the_byte_offset() {
        assert_eq!(decode_text(b"").unwrap_err().message, "the file is empty");
        assert_eq!(decode_text(b"  \n").unwrap_err().offset, 0);
        let binary = decode_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert_eq!(binary.offset, 8);
        let truncated = &SPEECH.as_bytes()[..SPEECH.len() - 1];
        let e = decode_text(truncated).unwrap_err();
        assert!(e.message.starts_with("truncated"), "{e:?}");
        assert_eq!(e.offset, SPEECH.len() - 3);
        let mut broken = SPEECH.as_bytes().to_vec();
        broken.insert(6, 0xFF);
        let e = decode_text(&broken).unwrap_err();
        assert_eq!(e.offset, 6, "{e:?}");
        let mut spliced = SPEECH.repeat(3).into_bytes();
        spliced.insert(9, 0xB0);
        let e = decode_text(&spliced).unwrap_err();
        assert_eq!((e.offset, e.message.contains("UTF-8")), (9, true), "{e:?}");
    }
}
