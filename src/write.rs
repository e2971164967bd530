//! Write stage: pages go into a staging folder beside the output, which is
//! swapped in only when the whole build succeeded, so a failed build leaves
//! the previous site byte-identical. Refuses any path that would leave the
//! output folder.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Where rendered pages go. Implementations must accept writes from many
/// threads at once.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
}

/// `rel` joined to `base`, if it stays inside `base`.
pub fn safe_join(base: &Path, rel: &str) -> io::Result<PathBuf> {
    let path = Path::new(rel);
    let ok = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(base.join(path))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: `{rel}`"),
        ))
    }
}

/// A build in progress: a hidden folder next to the output.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Staging> {
        let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = output.file_name().map_or("public".into(), |n| n.to_string_lossy().to_string());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging { dir, output: output.to_path_buf(), committed: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Copies a folder of static files to `<output>/<prefix>/`.
    pub fn copy_dir(&self, from: &Path, prefix: &str) -> io::Result<usize> {
        let mut count = 0;
        for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
            let entry = entry.map_err(io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(from).map_err(io::Error::other)?;
            let rel = format!("{prefix}/{}", rel.to_string_lossy().replace('\\', "/"));
            let to = safe_join(&self.dir, &rel)?;
            if let Some(p) = to.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::copy(entry.path(), &to)?;
            count += 1;
        }
        Ok(count)
    }

    /// Replaces the output folder with the staged one.
    pub fn commit(mut self) -> io::Result<()> {
        let old = self
            .dir
            .with_file_name(self.dir.file_name().unwrap_or_default().to_string_lossy().replace(".staging-", ".old-"));
        let had_output = self.output.exists();
        if had_output {
            std::fs::rename(&self.output, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.output) {
            if had_output {
                let _ = std::fs::rename(&old, &self.output);
            }
            return Err(e);
        }
        self.committed = true;
        if had_output {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(path, bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        let base = Path::new("/out");
        assert!(safe_join(base, "speeches/a/index.html").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "./a"] {
            assert!(safe_join(base, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_uncommitted_build_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("index.html", b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "staging folder removed");
        let s = Staging::new(&out).unwrap();
        s.write("index.html", b"new").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
