//! Ready-made citations of a document: GB/T 7714-2015, Chicago, BibTeX.
//! Deterministic (no access date), so a rebuild changes no byte.

use super::views::{format_date, Citation};
use crate::model::Document;

pub fn cite(doc: &Document, permalink: &str, site_title: &str) -> Citation {
    let authors = if doc.speakers.is_empty() { site_title.to_string() } else { doc.speakers.join(", ") };
    let source = doc.source.as_ref();
    let printed_in = source.and_then(|s| s.title.clone()).map(|t| match source.and_then(|s| s.issue.clone()) {
        Some(issue) => format!("{t}, {issue}"),
        None => t,
    });
    let gbt = {
        let mut s = format!("{authors}. {}[EB/OL]. ", doc.title);
        if let Some(p) = &printed_in {
            s.push_str(&format!("{p}. "));
        }
        s.push_str(&format!("({})[{}]. {permalink}.", doc.date, site_title));
        s
    };
    let chicago = {
        let occasion = doc.occasion.as_deref().map(|o| format!(", {o}")).unwrap_or_default();
        let mut s = format!(
            "{authors}. \u{201c}{}.\u{201d} {}{occasion}, {}, {}.",
            doc.title,
            kind_word(doc),
            doc.city,
            format_date(&doc.date, "en")
        );
        if let Some(p) = &printed_in {
            s.push_str(&format!(" {p}."));
        }
        s.push_str(&format!(" {site_title}. {permalink}."));
        s
    };
    let mut fields =
        vec![("author", authors.clone()), ("title", doc.title.clone()), ("year", doc.date.year.to_string())];
    if let Some(m) = doc.date.month {
        fields.push(("month", m.to_string()));
    }
    if let Some(p) = &printed_in {
        fields.push(("howpublished", p.clone()));
    }
    fields.push(("address", doc.city.clone()));
    fields.push(("url", permalink.to_string()));
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  {k} = {{{}}}", bibtex_escape(v))).collect();
    let bibtex = format!("@misc{{{},\n{}\n}}", doc.slug, body.join(",\n"));
    Citation { gbt7714: gbt, chicago, bibtex }
}

fn kind_word(doc: &Document) -> &'static str {
    match doc.kind {
        crate::model::Kind::Speech => "Speech",
        crate::model::Kind::Remarks => "Remarks",
        crate::model::Kind::Excerpt => "Excerpt of speech",
        crate::model::Kind::Qa => "Questions and answers",
        crate::model::Kind::Article => "Article",
    }
}

fn bibtex_escape(text: &str) -> String {
    text.replace(['{', '}'], "")
}
