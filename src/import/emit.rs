//! A draft → the text of its content file: YAML front matter in the content
//! model's field order, then the Markdown body. A required field the text
//! does not give is written empty with a comment, for a human to fill in,
//! and the document is a draft whose `needs` lists it: `archive build`
//! leaves it out and `archive check` lists it. Provenance goes in too: the
//! day of the import as `added`, values taken from an original as
//! `supplied`, and the source's kind, raw file and its SHA-256.

use std::path::PathBuf;

use super::draft::Draft;
use crate::model::{Kind, SourceKind};

/// Where the draft goes, relative to the output folder: `<year>/<slug>.md`.
pub fn relative_path(draft: &Draft) -> PathBuf {
    let folder = draft.meta.date.map_or_else(|| "undated".to_string(), |d| format!("{:04}", d.year));
    PathBuf::from(folder).join(format!("{}.md", draft.slug))
}

/// The content file's text.
pub fn render_file(draft: &Draft) -> String {
    let m = &draft.meta;
    let mut out = String::from("---\n");
    required(&mut out, "title", m.title.as_deref());
    required(&mut out, "date", m.date.map(|d| d.to_string()).as_deref());
    if m.speaker.is_some() || m.kind.is_none_or(Kind::needs_speaker) {
        required(&mut out, "speaker", m.speaker.as_deref());
    }
    optional(&mut out, "speaker_title", m.speaker_title.as_deref());
    match (&m.city, &m.place_candidates[..]) {
        // A name that fits several units: the comment lists them.
        (None, [_, ..]) => out.push_str(&format!(
            "city:  # needs a human: a name fits several units: {}\n",
            m.place_candidates.join("; ").replace(" #", " ")
        )),
        _ => required(&mut out, "city", m.city.as_deref()),
    }
    optional(&mut out, "province", m.province.as_deref());
    optional(&mut out, "county", m.county.as_deref());
    optional(&mut out, "occasion", m.occasion.as_deref());
    optional(&mut out, "kind", m.kind.map(Kind::key));
    if m.transcribed {
        out.push_str("transcribed: true\n");
    }
    if m.placeholders {
        out.push_str("placeholders: true\n");
    }
    optional(&mut out, "variant_of", m.variant_of.as_deref());
    if !draft.needs.is_empty() {
        out.push_str("draft: true\n");
        out.push_str(&format!("needs: [{}]\n", draft.needs.join(", ")));
    }
    optional(&mut out, "added", draft.added.map(|d| d.to_string()).as_deref());
    if !m.supplied.is_empty() {
        out.push_str(&format!("supplied: [{}]\n", m.supplied.join(", ")));
    }
    out.push_str("source:\n");
    let s = &m.source;
    let date = s.date.map(|d| d.to_string());
    for (key, value) in [
        ("title", s.title.as_deref()),
        ("kind", s.kind.map(SourceKind::key)),
        ("issue", s.issue.as_deref()),
        ("publisher", s.publisher.as_deref()),
        ("date", date.as_deref()),
        ("raw", s.raw.as_deref()),
        ("raw_sha256", s.raw_sha256.as_deref()),
    ] {
        if let Some(v) = value {
            out.push_str(&format!("  {key}: {}\n", scalar(v)));
        }
    }
    if !s.distribution.is_empty() {
        out.push_str("  distribution:\n");
        for line in &s.distribution {
            out.push_str(&format!("    - {}\n", scalar(line)));
        }
    }
    out.push_str("---\n\n");
    out.push_str(&draft.body);
    out.push('\n');
    out
}

fn required(out: &mut String, key: &str, value: Option<&str>) {
    match value {
        Some(v) => out.push_str(&format!("{key}: {}\n", scalar(v))),
        None => out.push_str(&format!("{key}:  # needs a human: not found in the text\n")),
    }
}

fn optional(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push_str(&format!("{key}: {}\n", scalar(v)));
    }
}

/// A YAML scalar: plain when that reads back as the same string, else a
/// double-quoted (JSON) string.
fn scalar(value: &str) -> String {
    let risky = value.is_empty()
        || value.starts_with(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        || value.ends_with(char::is_whitespace)
        || value.contains(": ")
        || value.contains(" #")
        || value.parse::<f64>().is_ok()
        || ["true", "false", "null", "yes", "no", "on", "off", "~"].contains(&value.to_ascii_lowercase().as_str());
    if risky {
        serde_json::to_string(value).expect("a string serialises")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_yaml_would_misread_are_quoted() {
        assert_eq!(scalar("安政通报"), "安政通报");
        assert_eq!(scalar("2017"), "\"2017\"");
        assert_eq!(scalar("2017-02-19"), "2017-02-19");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("[x]"), "\"[x]\"");
    }
}
