//! The library's one error type: the cases a caller acts on differently.
//! Problems in the archive's files are `Input` (each at its path:line:col);
//! everything else is an operation that failed, named for what it is, so
//! that no failure to write `public/` poses as a line of some file. The
//! binary chooses the exit code and prints; this module prints nothing.

use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};

/// What went wrong in a run of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the archive's own files (content, site.toml, templates),
    /// every one found, sorted.
    #[error("{0}")]
    Input(Diagnostics),
    /// A file or folder could not be read or written.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The command asks for something the archive refuses to do (a bad
    /// option, an output folder it may not write): nothing was done.
    #[error("{0}")]
    Usage(String),
    /// A file changed while the build was reading it: building again
    /// builds what was saved.
    #[error("{}: the file changed while the site was being built; build again", path.display())]
    Changed { path: PathBuf },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Reading or writing `path` failed: `action` is the verb (`read`,
    /// `write`, `create`…).
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io { action, path: path.as_ref().to_path_buf(), source }
    }

    /// One input problem.
    pub fn at(diagnostic: Diagnostic) -> Error {
        Error::Input(Diagnostics(vec![diagnostic]))
    }

    /// The input problems, if that is what this is.
    pub fn diagnostics(&self) -> Option<&Diagnostics> {
        match self {
            Error::Input(d) => Some(d),
            _ => None,
        }
    }

    /// The error as lines for a terminal or the browser overlay: one per
    /// input problem, else one line with its causes (`cannot write x: …`),
    /// control and bidi characters escaped.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Error::Input(d) => d.0.iter().map(ToString::to_string).collect(),
            other => {
                let mut line = other.to_string();
                let mut cause = std::error::Error::source(other);
                while let Some(c) = cause {
                    line.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                vec![crate::diagnostics::sanitize(&line).into_owned()]
            }
        }
    }

    /// Several stages' errors as one: every input problem together, unless
    /// an operation failed (that one is reported instead: the input
    /// problems may be its consequence).
    pub fn merge(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
        let mut problems = Vec::new();
        for error in errors {
            match error {
                Error::Input(d) => problems.extend(d.0),
                other => return Some(other),
            }
        }
        (!problems.is_empty()).then(|| Error::Input(Diagnostics::sorted(problems)))
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Error {
        Error::Input(d)
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::at(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_problems_are_merged_and_an_operation_wins() {
        let d = |p: &str, line| Error::at(Diagnostic::new(Path::new(p), line, 1, "x"));
        let merged = Error::merge([d("b.md", 1), d("a.md", 2)]).unwrap();
        let lines: Vec<String> = merged.diagnostics().unwrap().0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines, ["a.md:2:1: x", "b.md:1:1: x"]);
        let changed = Error::merge([d("a.md", 1), Error::Changed { path: "c.md".into() }]).unwrap();
        assert!(matches!(changed, Error::Changed { .. }));
        assert!(Error::merge([]).is_none());
    }

    #[test]
    fn an_io_error_names_what_and_where_and_keeps_its_cause() {
        let e = Error::io("write", "public/a.html", io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(e.to_string(), "cannot write public/a.html");
        assert_eq!(e.lines(), ["cannot write public/a.html: permission denied"]);
    }
}
