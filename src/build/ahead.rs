//! Ahead, for `archive serve`: an edit to one document's body shows at once. The edited file is
//! parsed, and when nothing but its body changed, its own page is rendered
//! from the last good build's state and served from memory while the full
//! incremental build catches up (search index, feeds…) and replaces it.
//! Anything else — metadata, several files, templates — waits for the build.

use std::path::Path;

use super::Snapshot;
use crate::identity::Fingerprint;
use crate::load::{apply_theme_rules, parse_document};
use crate::model::{Body, Document};
use crate::render::{render_site, PageKind};
use crate::sink::Sink;

/// The page to serve ahead for `changed` (paths relative to the root), as
/// (path under the output folder, bytes), if the change is one document's
/// body; `snapshot` then holds the new body.
pub fn render_ahead(snapshot: &mut Snapshot, changed: &[std::path::PathBuf]) -> Option<(String, Vec<u8>)> {
    let [rel] = changed else { return None };
    let i = snapshot.archive.documents.iter().position(|d| d.path == *rel)?;
    let edited = parse(snapshot, rel)?;
    let doc = &mut snapshot.archive.documents[i];
    if !same_but_body(doc, &edited) {
        return None;
    }
    (doc.body, doc.body_len, doc.body_line, doc.digest) =
        (edited.body, edited.body_len, edited.body_line, edited.digest);
    let page = snapshot.plan.iter().position(|p| p.kind == PageKind::Document(i))?;
    let memory = Memory::default();
    let Snapshot { config, archive, index, plan, renderer, passages } = &*snapshot;
    render_site(renderer, config, archive, index, passages, &plan[page..=page], &memory).ok()?;
    let bytes = memory.0.into_inner().unwrap_or_else(|e| e.into_inner())?;
    Some((plan[page].output_path(), bytes))
}

fn parse(snapshot: &Snapshot, rel: &Path) -> Option<Document> {
    let text = std::fs::read_to_string(snapshot.config.root.join(rel)).ok()?;
    let mut doc = parse_document(rel, &text, &snapshot.config.site.extra_fields).ok()?;
    if doc.draft && !snapshot.config.drafts {
        return None;
    }
    apply_theme_rules(&mut doc, &snapshot.config.site.theme_rules);
    Some(doc)
}

fn same_but_body(old: &Document, new: &Document) -> bool {
    let strip = |d: &Document| Document { body: Body::InFile, body_len: 0, body_line: 0, digest: 0, ..d.clone() };
    strip(old) == strip(new)
}

/// Holds the one page rendered.
#[derive(Default)]
struct Memory(std::sync::Mutex<Option<Vec<u8>>>);

impl Sink for Memory {
    fn write_page(&self, _: &str, _: Fingerprint, bytes: &[u8]) -> crate::error::Result<()> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::build::build_keeping;
    use crate::config::Config;

    const DOC: &str = "content/speeches/2020/li-wei-2020-peixun.md";

    fn site() -> (tempfile::TempDir, Snapshot) {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(&fixture).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let config = Config::load(&crate::config::Options::at(dir.path())).unwrap();
        let (_, snapshot) = build_keeping(&config).unwrap();
        (dir, snapshot)
    }

    fn edit(root: &Path, rel: &str, from: &str, to: &str) {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn body_paragraph(root: &Path) -> String {
        let text = std::fs::read_to_string(root.join(DOC)).unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        body.lines().find(|l| l.chars().count() > 8).unwrap().to_string()
    }

    #[test]
    fn an_edited_body_is_rendered_ahead_exactly_as_the_next_build_writes_it() {
        let (dir, mut snapshot) = site();
        let paragraph = body_paragraph(dir.path());
        edit(dir.path(), DOC, &paragraph, &format!("{paragraph}新增的一句话。"));
        let (rel, ahead) = render_ahead(&mut snapshot, &[PathBuf::from(DOC)]).expect("a body edit is rendered ahead");
        assert!(String::from_utf8_lossy(&ahead).contains("新增的一句话"));
        build_keeping(&snapshot.config).unwrap();
        let built = std::fs::read(snapshot.config.output.join(&rel)).unwrap();
        assert!(ahead == built, "the page served ahead differs from the one the build wrote at {rel}");
    }

    #[test]
    fn metadata_edits_and_other_files_wait_for_the_build() {
        let (dir, mut snapshot) = site();
        let title = snapshot.archive.documents.iter().find(|d| d.path == Path::new(DOC)).unwrap().title.clone();
        edit(dir.path(), DOC, &title, &format!("{title}（修订）"));
        assert!(render_ahead(&mut snapshot, &[PathBuf::from(DOC)]).is_none(), "a title edit changes other pages");
        assert!(render_ahead(&mut snapshot, &[PathBuf::from("site.toml")]).is_none());
        let two = [PathBuf::from(DOC), PathBuf::from("content/speeches/2019/wenda-2019.md")];
        assert!(render_ahead(&mut snapshot, &two).is_none());
        std::fs::write(dir.path().join(DOC), "---\ntitle: [broken\n---\n").unwrap();
        assert!(render_ahead(&mut snapshot, &[PathBuf::from(DOC)]).is_none(), "a broken file waits for the build");
    }
}
