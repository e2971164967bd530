//! The floor of a build, for `benches/run`: read every Markdown file under
//! IN, strip its front matter, render the body with pulldown-cmark (the
//! options `archive` uses) and write one `index.html` per page into its own
//! folder under OUT, all in parallel with rayon. No templates, no indexes:
//! whatever `archive build` spends beyond this is the generator's own cost.
//!
//! `--text IN OUT BYTES FILES` is the floor of a search index, for
//! `benches/search`: read every file, walk its body's text with
//! pulldown-cmark, and write BYTES bytes (the index's size) as FILES files
//! under OUT. Whatever the search stage spends beyond this is indexing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{html, Event, Options, Parser};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [input, output] => pages(&markdown_files(input), &fresh(output), started),
        ["--text", input, output, bytes, files] => match (bytes.parse(), files.parse()) {
            (Ok(bytes), Ok(files)) => text(&markdown_files(input), &fresh(output), bytes, files, started),
            _ => usage(),
        },
        _ => usage(),
    }
}

fn usage() {
    eprintln!("usage: bench-floor IN OUT | bench-floor --text IN OUT BYTES FILES   (OUT is replaced)");
    std::process::exit(2);
}

fn markdown_files(input: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect()
}

/// OUT, emptied.
fn fresh(output: &str) -> PathBuf {
    let output = PathBuf::from(output);
    if output.exists() {
        std::fs::remove_dir_all(&output).expect("removing OUT");
    }
    std::fs::create_dir_all(&output).expect("creating OUT");
    output
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

fn pages(files: &[PathBuf], output: &Path, started: Instant) {
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
    html::push_html(&mut page, Parser::new_ext(body, options()));
    page.push_str("</main></body></html>\n");
    let stem = path.file_stem().unwrap_or_default();
    let dir = output.join(stem);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("index.html"), &page)?;
    Ok(page.len())
}

/// Every body's text walked, then `bytes` bytes written as `files` files.
fn text(inputs: &[PathBuf], output: &Path, bytes: usize, files: usize, started: Instant) {
    let chars: usize = inputs
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Parser::new_ext(strip_front_matter(&text), options())
                .map(|event| match event {
                    Event::Text(t) | Event::Code(t) => t.chars().count(),
                    _ => 0,
                })
                .sum::<usize>()
        })
        .sum();
    let files = files.max(1);
    (0..files).into_par_iter().for_each(|n| {
        let size = bytes / files + (n < bytes % files) as usize;
        let path = output.join(format!("{n}.bin"));
        std::fs::write(&path, vec![n as u8; size]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    });
    eprintln!(
        "floor: the text of {} files ({chars} characters), {:.1} MB written in {files} files, {:.3} s",
        inputs.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}

/// The body after a leading `---` … `---` block; the whole text if none.
fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else { return text };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}
