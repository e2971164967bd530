//! Watch: file-system events under the site's root → the source files that
//! changed, relative to the root. Owns which folders are watched and what is
//! noise (the output folder and its staging siblings, editor temp files);
//! not what a change means for the build (`serve` runs an incremental
//! build for every batch, and renders an edited body ahead of it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache};

use crate::config::{SITE_FILE, SOURCE_DIRS};

/// Quiet time before a batch of events is handled: long enough to gather
/// the events of one save (write, or write-temp-then-rename), short enough
/// that an edit shows at once. The tick is how often the debouncer looks.
const DEBOUNCE: Duration = Duration::from_millis(10);
const TICK: Duration = Duration::from_millis(2);
/// Polling finds changes late anyway; it batches more.
const POLL_DEBOUNCE: Duration = Duration::from_millis(150);
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A running watcher; dropping it stops watching.
pub struct Watch {
    debouncer: Backend,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

enum Backend {
    Native(Debouncer<RecommendedWatcher, NoCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// Watches the sources under `root` (canonical); `on_change` gets every
/// debounced batch that touched at least one source, paths relative to root.
pub fn watch_sources(
    root: &Path,
    output: &Path,
    poll: bool,
    on_change: impl Fn(Vec<PathBuf>) + Send + 'static,
    on_error: impl Fn(&notify::Error) + Send + 'static,
) -> notify::Result<Watch> {
    let (root_c, output_c) = (root.to_path_buf(), absolute_output(output));
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths = events.iter().filter(|e| is_change(&e.kind)).flat_map(|e| e.paths.iter());
            let changed = changed_sources(&root_c, &output_c, paths.map(PathBuf::as_path));
            if !changed.is_empty() {
                on_change(changed);
            }
        }
        Err(errors) => errors.iter().for_each(&on_error),
    };
    let debouncer = if poll {
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
        Backend::Poll(new_debouncer_opt(POLL_DEBOUNCE, None, handler, NoCache, config)?)
    } else {
        Backend::Native(new_debouncer_opt(DEBOUNCE, Some(TICK), handler, NoCache, notify::Config::default())?)
    };
    let mut watch = Watch { debouncer, root: root.to_path_buf(), watched: Vec::new() };
    // The root itself, not recursively: site.toml (editors often replace it
    // by renaming) and source folders created later.
    watch.watch(root, RecursiveMode::NonRecursive)?;
    watch.watch_new_dirs()?;
    Ok(watch)
}

impl Watch {
    /// Starts watching source folders that did not exist until now.
    pub fn watch_new_dirs(&mut self) -> notify::Result<()> {
        for dir in SOURCE_DIRS.map(|d| self.root.join(d)) {
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.watch(&dir, RecursiveMode::Recursive)?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.debouncer {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }
}

/// Reads are not changes: the build itself opens every source.
fn is_change(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}

/// The sources among `paths`, relative to `root`, sorted, without noise.
fn changed_sources<'a>(root: &Path, output: &Path, paths: impl Iterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = paths
        .filter(|p| !is_output(output, p))
        .filter_map(|p| p.strip_prefix(root).ok())
        .filter(|rel| is_source(rel) && !is_editor_temp(rel))
        .map(Path::to_path_buf)
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

fn is_source(rel: &Path) -> bool {
    let mut parts = rel.components();
    let first = parts.next().map(|c| c.as_os_str().to_string_lossy());
    match first.as_deref() {
        Some(SITE_FILE) => parts.next().is_none(),
        Some(name) => SOURCE_DIRS.contains(&name),
        None => false,
    }
}

/// The output folder, and the `.public.*` folders beside it that a build
/// makes the new tree in and keeps the previous one in.
fn is_output(output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return true;
    }
    let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else { return false };
    let name = name.to_string_lossy();
    let Ok(rel) = path.strip_prefix(parent) else { return false };
    let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    first.starts_with(&format!(".{name}."))
}

/// Swap, backup and lock files that editors write beside the file edited.
fn is_editor_temp(rel: &Path) -> bool {
    let Some(name) = rel.file_name().map(|n| n.to_string_lossy()) else { return false };
    let temp_suffixes = [".swp", ".swo", ".swx", ".swpx", ".tmp", ".kate-swp", "___jb_tmp___", "___jb_old___"];
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".goutputstream-")
        || name == "4913" // vim's probe for a writable folder
        || name == ".DS_Store"
        || temp_suffixes.iter().any(|s| name.ends_with(s))
}

/// The output folder as an absolute path in the same form as the watched
/// root's events (canonical parent), even before it exists.
pub fn absolute_output(output: &Path) -> PathBuf {
    if let Ok(path) = output.canonicalize() {
        return path;
    }
    match (output.parent().and_then(|p| p.canonicalize().ok()), output.file_name()) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => output.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(paths: &[&str]) -> Vec<String> {
        let root = Path::new("/site");
        let output = Path::new("/site/public");
        changed_sources(root, output, paths.iter().map(Path::new)).iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn sources_are_reported_relative_to_the_root() {
        assert_eq!(
            changed(&[
                "/site/content/speeches/2020/a.md",
                "/site/site.toml",
                "/site/themes/default/templates/base.html",
                "/site/templates/page.html",
                "/site/static/logo.svg",
                "/site/content/speeches/2020/a.md",
            ]),
            [
                "content/speeches/2020/a.md",
                "site.toml",
                "static/logo.svg",
                "templates/page.html",
                "themes/default/templates/base.html"
            ]
        );
    }

    #[test]
    fn output_and_staging_folders_are_ignored() {
        assert!(changed(&[
            "/site/public/index.html",
            "/site/public",
            "/site/.public.staging-42/index.html",
            "/site/.public.old-42",
            "/site/.public.previous/index.html",
            "/site/.public.tree-42/a/index.html",
        ])
        .is_empty());
    }

    #[test]
    fn an_output_folder_inside_content_is_still_ignored() {
        let root = Path::new("/site");
        let output = Path::new("/site/content/public");
        let paths = ["/site/content/public/a.html", "/site/content/.public.staging-1/a.html", "/site/content/a.md"];
        assert_eq!(changed_sources(root, output, paths.iter().map(Path::new)), [PathBuf::from("content/a.md")]);
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{CreateKind, ModifyKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Remove(notify::event::RemoveKind::Any)));
    }

    #[test]
    fn editor_temp_files_are_ignored() {
        assert!(changed(&[
            "/site/content/a.md~",
            "/site/content/.a.md.swp",
            "/site/content/.#a.md",
            "/site/content/#a.md#",
            "/site/content/4913",
            "/site/content/a.md___jb_tmp___",
            "/site/content/.goutputstream-X1Y2",
        ])
        .is_empty());
    }

    #[test]
    fn other_files_under_the_root_are_ignored() {
        assert!(changed(&[
            "/site/README.md",
            "/site/site.toml.bak/x",
            "/site/target/debug/x",
            "/elsewhere/content/a.md"
        ])
        .is_empty());
    }
}
