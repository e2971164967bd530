//! The download files: each document as Markdown, plain text, CSL-JSON,
//! RIS and BibTeX beside its page; each index page's documents as CSV;
//! the whole archive as CSV, JSON and full-text JSONL with a Frictionless
//! `datapackage.json`; and the raw source files. They are pages of the
//! plan like any other, made without a template, each with the digest of
//! its inputs so that a rebuild writes only what changed.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Value};

use super::context::Shared;
use super::pages::{DataFile, DocFile, PageKind, PagePlan};
use super::table;
use crate::error::Error;
use crate::identity::{cache_dir, Fingerprint};
use crate::model::Document;
use crate::sink::Sink;

/// The file name of a document's download in `format`, beside its page.
pub fn doc_file_name(doc: &Document, format: DocFile) -> String {
    format!("{}.{}", doc.slug, format.extension())
}

/// The fingerprint of a download's inputs; `None` for pages made from a
/// template.
pub(super) fn fingerprint(s: &Shared, page: &PagePlan) -> Option<Fingerprint> {
    let archive = s.views.archive;
    // A document as a row: its file's digest and its slug, which a renamed
    // file changes without changing its bytes.
    let key = |d: &Document| (d.digest, d.slug.clone());
    let all = || archive.documents.iter().map(key).collect::<Vec<_>>();
    let inputs = match page.kind {
        PageKind::DocumentFile(i, _) => json!([key(&archive.documents[i])]),
        PageKind::TermCsv(key_, t) => {
            let docs = &s.views.index.facet(key_).terms[t].docs;
            json!(docs.iter().map(|&d| key(&archive.documents[d])).collect::<Vec<_>>())
        }
        PageKind::Data(_) => json!(all()),
        PageKind::Raw(r) => {
            let raw = &archive.raw_files[r];
            json!([raw.size, raw.mtime_ns.to_string()])
        }
        _ => return None,
    };
    Some(Fingerprint::of_json(s.seed, &(&page.url, inputs)))
}

/// Writes the download `page`, whose inputs hash to `fingerprint`, into
/// `sink` (which holds what the last build wrote) at `rel`. `texts.jsonl`,
/// the whole archive's text, is written line by line, never whole in
/// memory.
pub(super) fn write(
    s: &Shared,
    page: &PagePlan,
    rel: &str,
    fingerprint: Fingerprint,
    sink: &dyn Sink,
) -> Result<(), Error> {
    if page.kind == PageKind::Data(DataFile::Jsonl) {
        return sink.write_page_with(rel, fingerprint, &mut |out| texts(s, rel, fingerprint, sink, out));
    }
    sink.write_page(rel, fingerprint, &bytes(s, page)?)
}

/// The bytes of a download other than `texts.jsonl`.
fn bytes(s: &Shared, page: &PagePlan) -> Result<Vec<u8>, Error> {
    let archive = s.views.archive;
    let url = |d: &Document| format!("{}{}", s.config.site.base_url, crate::index::document_url(d));
    Ok(match page.kind {
        PageKind::DocumentFile(i, format) => {
            let doc = &archive.documents[i];
            let permalink = url(doc);
            match format {
                DocFile::Markdown => Arc::unwrap_or_clone(s.file(i)?),
                DocFile::Text => text(doc, &permalink, &s.plain_text(i)?).into_bytes(),
                DocFile::Csl => pretty(&json!([crate::cite::csl_json(doc, &permalink)])),
                DocFile::Ris => crate::cite::ris(doc, &permalink).into_bytes(),
                DocFile::Bibtex => crate::cite::bibtex(doc, &permalink).into_bytes(),
            }
        }
        PageKind::TermCsv(key, t) => {
            let docs = &s.views.index.facet(key).terms[t].docs;
            table::csv(docs.iter().map(|&d| s.csv_row(d)))
        }
        PageKind::Data(DataFile::Csv) => table::csv((0..archive.documents.len()).map(|d| s.csv_row(d))),
        PageKind::Data(DataFile::Json) => {
            pretty(&Value::Array(archive.documents.iter().map(|d| Value::Object(table::row(d, &url(d)))).collect()))
        }
        PageKind::Data(DataFile::Package) => pretty(&package(s)),
        PageKind::Raw(r) => {
            let name = &archive.raw_files[r].name;
            let path = crate::config::raw_dir(&archive.root).join(name);
            std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?
        }
        _ => Vec::new(),
    })
}

/// Where `texts.jsonl`'s lines are described for the next build: the
/// inputs of the file they make up, then per line its key and length.
const TEXTS_LINES: &str = "texts-lines.bin";

/// Documents whose lines of `texts.jsonl` are made together, in parallel,
/// and then written in order: enough to keep every worker busy, few enough
/// to hold (a few megabytes).
const TEXTS_CHUNK: usize = 128;

/// `texts.jsonl`, a line per document, written into `out`. A line whose
/// document, URL and program are those of a line in the file the last
/// build wrote (found through [`TEXTS_LINES`]) is copied from it, not made
/// again: an edit reads and serializes only the edited documents' texts.
/// The other lines are made a chunk at a time on all workers: one worker
/// alone would make the archive's whole text at the end of the render.
fn texts(s: &Shared, rel: &str, fingerprint: Fingerprint, sink: &dyn Sink, out: &mut dyn Write) -> Result<(), Error> {
    let archive = s.views.archive;
    let path = cache_dir(&archive.root).join(TEXTS_LINES);
    let (mut file, known) = earlier_lines(&path, rel, sink).map_or((None, HashMap::new()), |(f, k)| (Some(f), k));
    let url = |d: &Document| format!("{}{}", s.config.site.base_url, crate::index::document_url(d));
    let mut lines = Vec::with_capacity(archive.documents.len());
    for first in (0..archive.documents.len()).step_by(TEXTS_CHUNK) {
        let chunk = first..(first + TEXTS_CHUNK).min(archive.documents.len());
        // Per document: its key, and its line unless the last file has it.
        let made = chunk
            .into_par_iter()
            .map(|i| {
                let d = &archive.documents[i];
                let url = url(d);
                let key = Fingerprint::of_json(s.seed, &(&url, d.digest, &d.slug)).0;
                Ok((i, key, if known.contains_key(&key) { None } else { Some(text_line(s, i, &url)?) }))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        for (i, key, line) in made {
            let line = match line {
                Some(line) => line,
                None => {
                    let mut line = Vec::new();
                    let at = known.get(&key).copied();
                    if at.zip(file.as_mut()).is_some_and(|((at, len), f)| copy_line(f, at, len, &mut line)) {
                        line
                    } else {
                        text_line(s, i, &url(&archive.documents[i]))?
                    }
                }
            };
            out.write_all(&line).map_err(|e| Error::io("write", rel, e))?;
            lines.push((key, line.len() as u64));
        }
    }
    save_lines(&path, fingerprint, &lines);
    Ok(())
}

/// Document `i`'s line of `texts.jsonl`, its permalink `url`.
fn text_line(s: &Shared, i: usize, url: &str) -> Result<Vec<u8>, Error> {
    let archive = s.views.archive;
    let blocks = archive.with_body(i, || archive.file(i), crate::markdown::blocks)?;
    let mut line = Vec::new();
    write_line(&mut line, &table::row(&archive.documents[i], url), &blocks);
    line.push(b'\n');
    Ok(line)
}

/// Appends the line of `len` bytes at `at` in `file` to `out`: false when
/// it cannot be read or is not a line.
fn copy_line(file: &mut File, at: u64, len: u64, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let Ok(len) = usize::try_from(len) else { return false };
    out.resize(start + len, 0);
    file.seek(SeekFrom::Start(at)).is_ok() && file.read_exact(&mut out[start..]).is_ok() && out.last() == Some(&b'\n')
}

/// Where each line of a file lies, by its key: `(at, len)`.
type Lines = HashMap<u64, (u64, u64)>;

/// The file the last build wrote to `rel`, and where each of its lines
/// lies by key (`at`, `len`), when [`TEXTS_LINES`] describes that very file.
fn earlier_lines(path: &Path, rel: &str, sink: &dyn Sink) -> Option<(File, Lines)> {
    let saved = std::fs::read(path).ok()?;
    let word = |i: usize| saved.get(i * 8..i * 8 + 8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()));
    let file = sink.earlier(rel, Fingerprint(word(0)?))?;
    let (mut lines, mut at) = (HashMap::new(), 0u64);
    for i in 0..(saved.len() / 8).saturating_sub(1) / 2 {
        let (key, len) = (word(1 + 2 * i)?, word(2 + 2 * i)?);
        lines.insert(key, (at, len));
        at = at.checked_add(len)?;
    }
    let whole = file.metadata().ok()?.len() == at && saved.len() % 16 == 8;
    whole.then_some((file, lines))
}

/// Describes `texts.jsonl`'s lines for the next build (written aside and
/// renamed, so that it is whole or absent; a cache: failing to save it
/// costs the next build time only).
fn save_lines(path: &Path, fingerprint: Fingerprint, lines: &[(u64, u64)]) {
    let mut saved = fingerprint.0.to_le_bytes().to_vec();
    for (key, len) in lines {
        saved.extend_from_slice(&key.to_le_bytes());
        saved.extend_from_slice(&len.to_le_bytes());
    }
    let aside = path.with_extension(format!("tmp-{}", std::process::id()));
    let saved = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&aside, &saved));
    if saved.and_then(|()| std::fs::rename(&aside, path)).is_err() {
        let _ = std::fs::remove_file(&aside);
    }
}

/// A line of `texts.jsonl`: the document's row with its `blocks` among the
/// row's keys in their (sorted) order, in the bytes `serde_json` writes for
/// that object (compact). The blocks' strings, most of a line, are escaped
/// by [`json_string`], which passes over runs of plain bytes eight at a
/// time; `serde_json` looks at each byte.
fn write_line(out: &mut Vec<u8>, row: &serde_json::Map<String, Value>, blocks: &[crate::markdown::Block]) {
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, key: &str| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        json_string(out, key);
        out.push(b':');
    };
    let mut blocks = Some(blocks);
    for (k, value) in row.iter().filter(|(k, _)| *k != "blocks") {
        if k.as_str() > "blocks" {
            if let Some(b) = blocks.take() {
                key(out, "blocks");
                write_blocks(out, b);
            }
        }
        key(out, k);
        // Writing to memory cannot fail.
        let _ = serde_json::to_writer(&mut *out, value);
    }
    if let Some(b) = blocks {
        key(out, "blocks");
        write_blocks(out, b);
    }
    out.push(b'}');
}

/// `blocks` as `serde_json` writes them (`Block`'s fields in their order).
fn write_blocks(out: &mut Vec<u8>, blocks: &[crate::markdown::Block]) {
    out.push(b'[');
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"anchor\":");
        match &b.anchor {
            Some(a) => json_string(out, a),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(if b.heading { b",\"heading\":true,\"text\":" } else { b",\"heading\":false,\"text\":" });
        json_string(out, &b.text);
        out.push(b'}');
    }
    out.push(b']');
}

/// `text` as a JSON string, escaped as `serde_json` escapes it: `"` and
/// `\`, the control characters below U+0020 (the short forms `\b \f \n \r
/// \t`, else `\u00xx`), nothing else.
fn json_string(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // True when one of the eight bytes is below 0x20, `"` or `\` (exact:
    // the tests for a zero byte and a byte below n hold for the word).
    let special = |w: u64| {
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        ((w.wrapping_sub(0x20 * ONES) & !w & HIGHS) | zero(w ^ (b'"' as u64 * ONES)) | zero(w ^ (b'\\' as u64 * ONES)))
            != 0
    };
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !special(w) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        } else {
            out.extend_from_slice(escape);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn pretty(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// A document as plain text: a header of its metadata, then its body's
/// blocks, a blank line between them (`plain`).
fn text(doc: &Document, permalink: &str, plain: &str) -> String {
    let mut head = vec![doc.title.clone()];
    let mut line: Vec<String> = doc.speakers.clone();
    line.extend(doc.speaker_title.clone());
    line.push(doc.date.to_string());
    line.push(crate::index::place_path(doc));
    head.push(line.join(" · "));
    if let Some(src) = &doc.source {
        let printed: Vec<String> =
            [src.title.clone(), src.issue.clone(), src.publisher.clone(), src.date.map(|d| d.to_string())]
                .into_iter()
                .flatten()
                .collect();
        if !printed.is_empty() {
            head.push(printed.join(" · "));
        }
    }
    head.push(permalink.to_string());
    // Pushed, not `format!`ted: the formatter pads a whole body slowly.
    let mut out = head.join("\n");
    out.push_str("\n\n");
    out.push_str(plain);
    out.push('\n');
    out
}

/// The Frictionless data package: the CSV with its table schema, the JSON
/// and the full texts, and the licence and sources `site.toml` states.
fn package(s: &Shared) -> Value {
    let site = &s.config.site;
    let name = crate::slug::slugify(&site.title);
    let language = &site.language;
    let zh = language.starts_with("zh");
    let mut p = json!({
        "profile": "data-package",
        "name": if name.is_empty() { "archive".to_string() } else { name },
        "title": site.title,
        "homepage": site.base_url,
        "resources": [
            {
                "name": "documents",
                "path": "documents.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": { "delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true },
                "description": if zh { "每篇文稿一行，内容模型的每个字段一列" } else { "one row per document, one column per field of the content model" },
                "schema": table::schema(language),
            },
            {
                "name": "documents-json",
                "path": "documents.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": if zh { "同上，JSON 数组，列表字段为数组" } else { "the same as a JSON array, lists as arrays" },
            },
            {
                "name": "texts",
                "path": "texts.jsonl",
                "format": "jsonl",
                "mediatype": "application/jsonl",
                "encoding": "utf-8",
                "description": if zh { "每行一篇：元数据与全文段落（blocks：anchor 为页面锚点 p-N、s-N）" } else { "one document a line: its metadata and its text's blocks (anchor: the page's p-N, s-N)" },
            },
        ],
    });
    if !site.description.is_empty() {
        p["description"] = json!(site.description);
    }
    if let Some(l) = &site.data.license {
        p["licenses"] = json!([l]);
    }
    if !site.data.sources.is_empty() {
        p["sources"] = json!(site.data.sources);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink holding one file the last build wrote to `.0`, from inputs `.1`.
    struct Last(&'static str, Fingerprint, std::path::PathBuf);

    impl Sink for Last {
        fn write_page(&self, _: &str, _: Fingerprint, _: &[u8]) -> crate::error::Result<()> {
            Ok(())
        }
        fn earlier(&self, rel: &str, fingerprint: Fingerprint) -> Option<File> {
            (rel == self.0 && fingerprint == self.1).then(|| File::open(&self.2).unwrap())
        }
    }

    #[test]
    fn a_line_is_the_json_serde_writes_for_the_row_with_its_blocks() {
        use crate::markdown::Block;
        // Each ASCII character alone, and after and before runs of eight
        // bytes and more (which are passed over a word at a time).
        let mut texts: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        texts.extend((0u8..0x80).map(|b| format!("讲话稿{}讲话稿讲话稿{}", b as char, b as char)));
        texts.extend(["".into(), "讲话".into(), "一二三四五六七八\"九十\\\u{1f}讲\n话\u{7f}é".into(), "x".repeat(17)]);
        let blocks: Vec<Block> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Block {
                anchor: (i % 3 > 0).then(|| format!("p-{i}\"")),
                heading: i % 2 == 0,
                text: t.clone(),
            })
            .collect();
        let mut row = serde_json::Map::new();
        for key in ["a", "blocks", "c\"\u{1}", "title", "z"] {
            row.insert(key.into(), json!({ "k": [1, "二\t"], "v": null }));
        }
        for keys in [&["a", "blocks", "c\"\u{1}", "title", "z"][..], &["a"], &["z"], &[]] {
            let row: serde_json::Map<String, Value> =
                row.iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut expected = row.clone();
            expected.insert("blocks".into(), serde_json::to_value(&blocks).unwrap());
            let mut out = Vec::new();
            write_line(&mut out, &row, &blocks);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&expected).unwrap());
        }
    }

    #[test]
    fn texts_lines_find_the_last_files_lines_only_when_they_describe_it() {
        let dir = tempfile::tempdir().unwrap();
        let (path, texts) = (dir.path().join(TEXTS_LINES), dir.path().join("texts.jsonl"));
        let rel = "data/texts.jsonl";
        std::fs::write(&texts, b"{a}\n{bcd}\n").unwrap();
        save_lines(&path, Fingerprint(7), &[(11, 4), (22, 6)]);
        let last = Last(rel, Fingerprint(7), texts.clone());
        let (mut file, lines) = earlier_lines(&path, rel, &last).unwrap();
        assert_eq!(lines, HashMap::from([(11, (0, 4)), (22, (4, 6))]));
        let mut out = b"x".to_vec();
        assert!(copy_line(&mut file, 4, 6, &mut out));
        assert_eq!(out, b"x{bcd}\n");
        // Not a line: not copied.
        assert!(!copy_line(&mut file, 0, 3, &mut out));
        // Made from other inputs, or of another length: nothing is copied.
        assert!(earlier_lines(&path, rel, &Last(rel, Fingerprint(8), texts.clone())).is_none());
        std::fs::write(&texts, b"{a}\n{bc}\n").unwrap();
        assert!(earlier_lines(&path, rel, &last).is_none());
        // A cut description is no description.
        std::fs::write(&texts, b"{a}\n{bcd}\n").unwrap();
        let saved = std::fs::read(&path).unwrap();
        std::fs::write(&path, &saved[..saved.len() - 3]).unwrap();
        assert!(earlier_lines(&path, rel, &last).is_none());
    }
}
