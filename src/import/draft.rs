//! One raw file → drafts of content files, in memory: decode → clean lines →
//! read the source → split into documents → detect metadata → find reprints
//! → body Markdown and slug. Everything taken out of the text is kept in
//! `removed` with its reason, so that no Han character goes unaccounted.

use sha2::{Digest, Sha256};

use super::archive::{Known, KnownDocuments, KnownMeta};
use super::decode::{decode_text, DecodeError};
use super::lines::{clean_lines, rejoin, Removed};
use super::meta::{detect_meta, Meta};
use super::split::{split_documents, Part};
use super::{outline, similar};
use crate::model::{Kind, PartialDate, SourceKind};

/// The reason given for a header taken out of the body.
pub const HEADER_REMOVED: &str = "header (read into metadata)";

/// A document ready to be written.
#[derive(Debug, Clone)]
pub struct Draft {
    pub meta: Meta,
    /// Markdown body, paragraphs separated by blank lines.
    pub body: String,
    pub slug: String,
    /// Raw line the document starts on.
    pub line: usize,
    /// Fields a human should fill in or check.
    pub needs_human: Vec<String>,
    /// The day the document enters the archive (`added`): the import's
    /// day, or for a re-import the day its earlier import gave.
    pub added: Option<PartialDate>,
    /// Other findings (a reprint, a re-import).
    pub notes: Vec<String>,
    /// The archive file this document was imported as before (a re-import
    /// replaces it, with `--force`), relative to the root.
    pub replaces: Option<std::path::PathBuf>,
    /// The header as printed, read into the metadata.
    pub header: Option<String>,
    /// Required fields that could not be found: the draft is written with
    /// `draft: true` and `needs` listing them.
    pub needs: Vec<&'static str>,
    /// The cleaned text and the MinHash signature of its shingles, for the
    /// reprint check.
    pub plain: String,
    pub signature: similar::Signature,
}

/// Everything imported from one raw file.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    pub name: String,
    pub encoding: &'static str,
    pub encoding_confidence: f32,
    pub drafts: Vec<Draft>,
    pub removed: Vec<Removed>,
}

/// Imports one raw file, on its own: reprints and slugs are `link`'s, which
/// sees the archive and the documents imported before this one.
pub fn import_file(name: &str, bytes: &[u8]) -> Result<ImportedFile, DecodeError> {
    let decoded = decode_text(bytes)?;
    let (segments, mut removed) = clean_lines(&decoded.text);
    let (head, segments) = super::head::read_head(segments, &mut removed);
    let units = rejoin(segments);
    let mut source = super::provenance::read_source(&removed);
    source.raw = Some(name.to_string());
    source.raw_sha256 = Some(Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect());
    let parts = split_documents(units, head, &mut removed);
    let parts = super::repeats::cut_repeats(parts, &mut removed);
    let mut drafts = Vec::new();
    for part in parts {
        if let Some(h) = &part.header {
            removed.push(Removed { reason: HEADER_REMOVED, text: h.text.clone(), line: part.line });
        }
        if part.units.iter().map(|u| u.text.chars().filter(|c| crate::script::is_han(*c)).count()).sum::<usize>() < 20 {
            removed.extend(part.units.into_iter().map(|u| Removed {
                reason: "too short to be a document",
                text: u.text,
                line: u.line,
            }));
            continue;
        }
        drafts.push(draft_document(part, &source));
    }
    // A file of several documents on a site is a collection uploaded there:
    // each of its texts is cited as a part of that compilation.
    if drafts.len() > 1 {
        for d in drafts.iter_mut().filter(|d| d.meta.source.kind == Some(SourceKind::Web)) {
            d.meta.source.kind = Some(SourceKind::Compilation);
        }
    }
    if drafts.is_empty() {
        return Err(DecodeError {
            offset: 0,
            message: "no speech text found (nothing but chrome, or too short)".into(),
        });
    }
    Ok(ImportedFile {
        name: name.to_string(),
        encoding: decoded.encoding,
        encoding_confidence: decoded.confidence,
        drafts,
        removed,
    })
}

fn draft_document(part: Part, source: &super::provenance::SourceFacts) -> Draft {
    let plain: Vec<&str> = part.units.iter().map(|u| u.text.as_str()).collect();
    let plain = plain.join("\n");
    let meta = detect_meta(part.header.as_ref(), &plain, source);
    let signature = similar::Signature::of(&plain);
    let header = part.header.as_ref().map(|h| h.text.clone());
    Draft {
        body: render_body(&part, meta.kind),
        meta,
        slug: String::new(),
        line: part.line,
        needs_human: Vec::new(),
        added: None,
        needs: Vec::new(),
        notes: Vec::new(),
        replaces: None,
        header,
        plain,
        signature,
    }
}

/// Links a draft to the document it reprints (in the archive or imported
/// before it), gives it a slug no known document has, lists what it needs,
/// and adds it to `known` so that later texts can reprint it.
pub fn link(draft: &mut Draft, known: &mut KnownDocuments) {
    let source = draft.meta.source.clone();
    if let Some((i, score)) = known.find_original(&draft.plain, &draft.signature) {
        let original = &known.docs[i];
        // The same raw file imported before: the same document, not a reprint.
        if original.path.is_some() && original.raw_sha256.is_some() && original.raw_sha256 == source.raw_sha256 {
            draft
                .notes
                .push(format!("already in the archive as `{}` (same raw file, similarity {score:.2})", original.slug));
            draft.slug = original.slug.clone();
            draft.replaces.clone_from(&original.path);
            draft.added = original.added;
        } else {
            draft.notes.push(format!("reprint of `{}` (shingle Jaccard similarity {score:.2})", original.slug));
            draft.meta.variant_of = Some(original.slug.clone());
            draft.meta.found.push(("variant_of", score as f32, "shingle Jaccard similarity".into()));
            let (slug, meta) = (original.slug.clone(), original.meta.clone());
            inherit(&mut draft.meta, &slug, &meta, &mut draft.notes);
        }
    }
    if draft.slug.is_empty() {
        draft.slug = unique_slug(&make_slug(&draft.meta), known);
    }
    let m = &draft.meta;
    let inheritable = KnownMeta {
        date: m.date,
        speaker: m.speaker.clone(),
        city: m.city.clone(),
        province: m.province.clone(),
        county: m.county.clone(),
        occasion: m.occasion.clone(),
        kind: m.kind,
    };
    let doc = Known {
        slug: draft.slug.clone(),
        added: draft.added,
        raw_sha256: source.raw_sha256.clone(),
        meta: inheritable,
        path: None,
        body: Some(std::mem::take(&mut draft.plain)),
    };
    known.add(doc, &draft.signature);
    draft.needs = missing_fields(&draft.meta);
    draft.needs_human = list_needs(&draft.meta);
}

/// A reprint that does not print its speaker, date or place takes them
/// from its original, and says so.
fn inherit(meta: &mut Meta, slug: &str, original: &KnownMeta, notes: &mut Vec<String>) {
    let mut taken = Vec::new();
    if meta.date.is_none() && original.date.is_some() {
        meta.date = original.date;
        taken.push("date");
    }
    let fields = [
        ("speaker", &mut meta.speaker, &original.speaker),
        ("city", &mut meta.city, &original.city),
        ("province", &mut meta.province, &original.province),
        ("county", &mut meta.county, &original.county),
        ("occasion", &mut meta.occasion, &original.occasion),
    ];
    for (name, slot, value) in fields {
        if slot.is_none() && value.is_some() {
            slot.clone_from(value);
            taken.push(name);
        }
    }
    if meta.kind == Some(Kind::Article) && meta.speaker.is_some() {
        meta.kind = original.kind;
    }
    for field in &taken {
        meta.found.push((field, 0.6, format!("inherited from `{slug}`")));
        let supplied = match *field {
            "city" | "province" | "county" => "place",
            other => other,
        };
        if supplied != "occasion" && !meta.supplied.contains(&supplied) {
            meta.supplied.push(supplied);
        }
    }
    if !taken.is_empty() {
        notes.push(format!("took {} from `{slug}`", taken.join(", ")));
    }
}

/// The required fields of the content model that were not found.
fn missing_fields(meta: &Meta) -> Vec<&'static str> {
    let missing = [
        ("title", meta.title.is_none()),
        ("date", meta.date.is_none()),
        ("speaker", meta.speaker.is_none() && meta.kind.is_none_or(Kind::needs_speaker)),
        ("city", meta.city.is_none()),
    ];
    missing.iter().filter(|(_, m)| *m).map(|(f, _)| *f).collect()
}

fn list_needs(meta: &Meta) -> Vec<String> {
    let mut needs: Vec<String> = missing_fields(meta)
        .iter()
        .map(|&f| match &meta.place_candidates[..] {
            // A place name that fits several units: which one is for a human.
            [_, ..] if f == "city" => format!("city: a name fits several units: {}", meta.place_candidates.join("; ")),
            _ => format!("{f}: not found in the text"),
        })
        .collect();
    for (field, confidence, how) in &meta.found {
        if *confidence < 0.6 {
            needs.push(format!("{field}: low confidence ({confidence:.1}): {how}"));
        }
    }
    needs
}

/// Paragraphs → Markdown; a salutation run into its paragraph stands alone.
fn render_body(part: &Part, kind: Option<Kind>) -> String {
    let mut paragraphs = Vec::new();
    for unit in &part.units {
        let text = unit.text.as_str();
        if kind == Some(Kind::Qa) && is_question(text) {
            paragraphs.push(format!("**{}**", super::clean::escape_markdown(text)));
            continue;
        }
        match text.split_once("同志们：") {
            Some(("", rest)) if !rest.is_empty() => {
                paragraphs.push(outline::render_paragraph("同志们："));
                paragraphs.push(outline::render_paragraph(rest));
            }
            _ => paragraphs.push(outline::render_paragraph(text)),
        }
    }
    paragraphs.join("\n\n")
}

/// `12.精准脱贫的要义是什么？`: a numbered question of a Q&A compilation.
fn is_question(text: &str) -> bool {
    let numbered = text.chars().take_while(char::is_ascii_digit).count();
    (1..=3).contains(&numbered)
        && text[numbered..].starts_with('.')
        && text.ends_with('？')
        && text.chars().count() <= 80
}

/// `<speaker>-<year>-<title keywords>` in pinyin.
fn make_slug(meta: &Meta) -> String {
    let keywords = meta.occasion.as_deref().or(meta.title.as_deref()).unwrap_or("文稿");
    // `2020年全市…`: the year is in the slug already, `全市` says little.
    let keywords = keywords.trim_start_matches(|c: char| c.is_ascii_digit() || c == '年');
    let keywords = ["全市", "全县", "全区", "全省"].iter().find_map(|p| keywords.strip_prefix(p)).unwrap_or(keywords);
    let keywords: String =
        keywords.chars().filter(|c| crate::script::is_han(*c) || c.is_ascii_alphanumeric()).take(8).collect();
    let parts = [
        meta.speaker.as_deref().map(crate::slug::slugify).unwrap_or_default(),
        meta.date.map(|d| d.year.to_string()).unwrap_or_default(),
        crate::slug::slugify(&keywords),
    ];
    let slug = parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join("-");
    if slug.is_empty() {
        "wen-gao".to_string()
    } else {
        slug
    }
}

fn unique_slug(base: &str, known: &KnownDocuments) -> String {
    let taken = |s: &str| known.slug_taken(s);
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|n| format!("{base}-{n}")).find(|s| !taken(s)).expect("an unused suffix")
}
