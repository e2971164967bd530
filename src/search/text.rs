//! What a reader can find in a document: the metadata (title, speakers,
//! place, date, …) and the body, as segments of plain text that a match
//! may not cross. The body is walked by `crate::markdown::segments`, so
//! paragraph `p-N` and heading `s-N` numbers agree with the rendered page;
//! one walk serves both [`body_segments`] (the reference the tests scan)
//! and [`normalized_stream`] (what is indexed).

pub use crate::markdown::segments::{anchor_id, BodyText};
use crate::markdown::segments::{one_line, walk_body, Anchor};
use crate::model::Document;
use crate::script::fold;
use crate::words::format_date;

pub use crate::markdown::segments::{body_segments, Segment};

/// Title and metadata fields, one segment each (a match never runs from
/// one field into the next): every field a document's page shows but its
/// kind (a filter), its length and its raw file's name and digest.
pub fn head_segments(doc: &Document) -> Vec<Segment> {
    let mut out = Vec::new();
    head_fields(doc, |text| {
        let text = one_line(text);
        if !text.is_empty() {
            out.push(Segment { anchor: String::new(), text });
        }
    });
    out
}

/// Calls `field` with each head field, in order.
fn head_fields(doc: &Document, mut field: impl FnMut(&str)) {
    field(&doc.title);
    doc.speakers.iter().for_each(|s| field(s));
    doc.speaker_title.iter().for_each(|s| field(s));
    if let Some(p) = crate::index::province_of(doc).filter(|p| *p != doc.city) {
        field(&p);
    }
    field(&doc.city);
    doc.county.iter().for_each(|s| field(s));
    doc.occasion.iter().for_each(|s| field(s));
    doc.themes.iter().for_each(|s| field(s));
    field(&doc.date.to_string());
    field(&format_date(&doc.date, "zh-CN"));
    doc.summary.iter().for_each(|s| field(s));
    doc.editorial_note.iter().for_each(|s| field(s));
    if let Some(source) = &doc.source {
        [&source.title, &source.issue, &source.publisher].into_iter().flatten().for_each(|s| field(s));
        if let Some(date) = &source.date {
            field(&date.to_string());
            field(&format_date(date, "zh-CN"));
        }
        source.distribution.iter().for_each(|s| field(s));
    }
}

/// A document's searchable text as one stream of normalised code points:
/// the head's fields, then the body's segments, each followed by a 0, and
/// every whitespace or control character also 0. A gram never contains a
/// 0, so none crosses a field, a segment or a space; a position in the
/// stream is where a gram occurs. Returns the stream and the length of its
/// head part. With `text`, also the body as printed, position for position
/// ([`BodyText`]).
pub fn normalized_stream(doc: &Document, body: &str, stream: &mut Vec<u32>, text: Option<&mut BodyText>) -> usize {
    let head = head_stream(doc, stream);
    let push = push_codes;
    let Some(text) = text else {
        let cell = std::cell::RefCell::new(stream);
        walk_body(body, |_| cell.borrow_mut().push(0), |t| push(&mut cell.borrow_mut(), t));
        cell.into_inner().push(0);
        return head;
    };
    text.chars.clear();
    text.anchors.clear();
    let cell = std::cell::RefCell::new((stream, text));
    walk_body(
        body,
        |anchor| {
            let (stream, text) = &mut *cell.borrow_mut();
            let code = match anchor {
                Anchor::Top => 0,
                Anchor::Paragraph(n) => (n as u32) << 1,
                Anchor::Section(n) => (n as u32) << 1 | 1,
            };
            if text.anchors.last().map_or(code != 0, |&(_, last)| last != code) {
                text.anchors.push((text.chars.len() as u32, code));
            }
            stream.push(0);
            text.chars.push('\0');
        },
        |t| {
            let (stream, text) = &mut *cell.borrow_mut();
            push_codes_and_chars(stream, &mut text.chars, t);
        },
    );
    let (stream, text) = cell.into_inner();
    stream.push(0);
    text.chars.push('\0');
    head
}

/// The head part of a document's [`normalized_stream`], in `stream`
/// (emptied first); returns its length.
pub fn head_stream(doc: &Document, stream: &mut Vec<u32>) -> usize {
    stream.clear();
    head_fields(doc, |text| {
        push_codes(stream, text);
        stream.push(0);
    });
    stream.len()
}

/// Appends `text`'s codes to the stream. Written into room made first (a
/// text has no more characters than bytes), then cut to what was written:
/// no capacity check per character.
fn push_codes(stream: &mut Vec<u32>, text: &str) {
    let codes = stream_codes();
    let start = stream.len();
    stream.resize(start + text.len(), 0);
    let mut written = 0;
    for (slot, c) in stream[start..].iter_mut().zip(text.chars()) {
        *slot = match codes.get(c as usize) {
            Some(&code) => code,
            None => stream_code(c),
        };
        written += 1;
    }
    stream.truncate(start + written);
}

/// [`push_codes`], and each character as printed beside its code (a
/// space where the code is 0): the text decoded once for both.
fn push_codes_and_chars(stream: &mut Vec<u32>, chars: &mut Vec<char>, text: &str) {
    let codes = stream_codes();
    let start = stream.len();
    stream.resize(start + text.len(), 0);
    chars.reserve(text.len());
    let mut written = 0;
    for (code, c) in stream[start..].iter_mut().zip(text.chars()) {
        *code = match codes.get(c as usize) {
            Some(&code) => code,
            None => stream_code(c),
        };
        chars.push(if *code == 0 { ' ' } else { c });
        written += 1;
    }
    stream.truncate(start + written);
}

/// The stream code of a character of the body as printed ([`BodyText`]):
/// what [`normalized_stream`] has at its position.
pub fn printed_code(c: char) -> u32 {
    match stream_codes().get(c as usize) {
        Some(&code) => code,
        None => stream_code(c),
    }
}

/// A character's code in the stream: its normal form, or 0 for a
/// whitespace or control character.
fn stream_code(c: char) -> u32 {
    let f = fold(c);
    if c.is_control() || f.is_whitespace() {
        0
    } else {
        f as u32
    }
}

/// [`stream_code`] of every character of the Basic Multilingual Plane, as
/// a table: the indexer's innermost loop.
fn stream_codes() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..0x1_0000).map(|n| char::from_u32(n).map_or(0, stream_code)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_text_is_the_bodys_stream_as_printed_with_its_anchors() {
        let doc = crate::load::parse_document(
            std::path::Path::new("content/speeches/2020/a.md"),
            "---\ntitle: 兩個\ndate: 2020-04-03\nspeaker: 李\ncity: 安康市\n---\n\n## 一、形勢\n\n第一 段𠀀\n\n- 甲\n- 乙\n\n末段\n",
            &[],
        )
        .unwrap();
        let (mut stream, mut text) = (Vec::new(), BodyText::default());
        let head = normalized_stream(&doc, doc.body.text().unwrap(), &mut stream, Some(&mut text));
        let mut plain = Vec::new();
        assert_eq!(normalized_stream(&doc, doc.body.text().unwrap(), &mut plain, None), head);
        assert_eq!(plain, stream, "the same stream with or without the text");
        assert_eq!(text.chars.len(), stream.len() - head, "a character per position");
        let shown: String = text.chars.iter().map(|&c| if c == '\0' { '|' } else { c }).collect();
        assert_eq!(shown, "|一、形勢||第一 段𠀀||甲||乙||末段||");
        for (i, &c) in text.chars.iter().enumerate() {
            assert_eq!(c == '\0' || c == ' ', stream[head + i] == 0, "position {i}");
        }
        assert_eq!(BodyText::unit('𠀀'), 0xFFFD);
        assert_eq!(BodyText::unit('段'), '段' as u16);
        let at = |needle: char| shown.chars().position(|c| c == needle).unwrap() as u32;
        assert_eq!(anchor_id(text.anchor_at(at('形'))), "s-1");
        assert_eq!(anchor_id(text.anchor_at(at('第'))), "p-1");
        assert_eq!(anchor_id(text.anchor_at(at('乙'))), "p-1", "a tight list leads to the paragraph before");
        assert_eq!(anchor_id(text.anchor_at(at('末'))), "p-2");
    }

    #[test]
    fn the_stream_holds_the_segments_normalised_and_separated() {
        let mut doc = crate::load::parse_document(
            std::path::Path::new("content/speeches/2020/a.md"),
            "---\ntitle: 兩個\ndate: 2020-04-03\nspeaker: 李\ncity: 安康市\n---\n\n第一 段\n\n- 甲\n- 乙\n",
            &[],
        )
        .unwrap();
        doc.province = Some("陕西省".into());
        let mut stream = Vec::new();
        let head = normalized_stream(&doc, doc.body.text().unwrap(), &mut stream, None);
        let text: String = stream.iter().map(|&c| char::from_u32(c).filter(|&c| c != '\0').unwrap_or('|')).collect();
        assert_eq!(&text[..], "两个|李|陕西省|安康市|2020-04-03|2020年4月3日||第一|段||甲||乙||");
        assert_eq!(text.chars().take(head).collect::<String>(), "两个|李|陕西省|安康市|2020-04-03|2020年4月3日|");
        // Every segment of the reference walk is in the stream, in order.
        let expected: Vec<String> = head_segments(&doc)
            .into_iter()
            .chain(body_segments(doc.body.text().unwrap()))
            .map(|s| crate::script::normalize(&s.text).replace(' ', "|"))
            .collect();
        let mut rest = text.as_str();
        for s in &expected {
            let at = rest.find(s.as_str()).unwrap_or_else(|| panic!("{s} not in {rest}"));
            rest = &rest[at + s.len()..];
        }
    }
}
