//! The floor of a build, for `benches/run`: read every Markdown file under
//! IN, strip its front matter, render the body with pulldown-cmark (the
//! options `archive` uses) and write one `index.html` per page into its own
//! folder under OUT, all in parallel with rayon. No templates, no indexes:
//! whatever `archive build` spends beyond this is the generator's own cost.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: bench-floor IN OUT   (OUT is replaced)");
        std::process::exit(2);
    };
    let started = Instant::now();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    if output.exists() {
        std::fs::remove_dir_all(output).expect("removing OUT");
    }
    std::fs::create_dir_all(output).expect("creating OUT");
    let bytes: usize = files
        .par_iter()
        .map(|path| render_one(path, output).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .sum();
    eprintln!(
        "floor: {} pages, {:.1} MB of HTML, {:.3} s",
        files.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}

fn render_one(path: &Path, output: &Path) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(path)?;
    let body = strip_front_matter(&text);
    let mut page = String::with_capacity(body.len() * 3 / 2 + 256);
    page.push_str("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"></head><body><main>\n");
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    html::push_html(&mut page, Parser::new_ext(body, options));
    page.push_str("</main></body></html>\n");
    let stem = path.file_stem().unwrap_or_default();
    let dir = output.join(stem);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("index.html"), &page)?;
    Ok(page.len())
}

/// The body after a leading `---` … `---` block; the whole text if none.
fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else { return text };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}
