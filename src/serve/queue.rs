//! The curator's queue page: every draft that waits for a human, what it
//! needs, served by `archive serve` only and never built.

use crate::model::Pending;

/// The curator's queue: every draft that needs a human.
pub const QUEUE_PATH: &str = "/__archive/queue/";

/// The queue as a page: one row per draft, its file and what it needs, in
/// the order `archive check` lists them. Everything from content is escaped.
pub fn queue_page(queue: &[Pending]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
    };
    let mut rows = String::new();
    for p in queue {
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            escape(&p.path.to_string_lossy()),
            escape(&p.title),
            escape(&p.needs.join(", "))
        ));
    }
    let summary = match queue.len() {
        0 => "No draft needs a human.".to_string(),
        1 => "1 draft needs a human.".to_string(),
        n => format!("{n} drafts need a human."),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Queue: drafts that need a human</title>\n\
         <style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse}}\
         td,th{{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style></head>\n\
         <body><h1>Drafts that need a human</h1>\n<p>{summary} Fill in each missing field in the file, remove it from \
         <code>needs</code>, and set <code>draft: false</code> when nothing is left; this page follows every save. \
         It is served by <code>archive serve</code> only, never published.</p>\n\
         <table><thead><tr><th>file</th><th>title</th><th>needs</th></tr></thead><tbody>\n{rows}</tbody></table></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::route::{route, Route};
    use super::*;

    #[test]
    fn the_queue_lists_each_draft_and_escapes_what_content_says() {
        assert_eq!(route("/archive/", "/__archive/queue/"), Route::Queue);
        let queue = vec![Pending {
            path: PathBuf::from("content/speeches/undated/a.md"),
            title: "<b>讲话</b>".into(),
            needs: vec!["date".into(), "city".into()],
        }];
        let page = scraper::Html::parse_document(&queue_page(&queue));
        let cells: Vec<String> = page
            .select(&scraper::Selector::parse("tbody td").unwrap())
            .map(|td| td.text().collect::<String>())
            .collect();
        assert_eq!(cells, ["content/speeches/undated/a.md", "<b>讲话</b>", "date, city"]);
        assert!(page.select(&scraper::Selector::parse("td b").unwrap()).next().is_none(), "markup from content");
    }
}
