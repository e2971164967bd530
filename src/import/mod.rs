//! Import stage: raw speech texts → clean content files with metadata.

use crate::cli::ImportArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Runs `archive import`.
pub fn run(args: &ImportArgs, _quiet: bool) -> Result<(), Diagnostics> {
    let first = args.files.first().cloned().unwrap_or_default();
    Err(Diagnostics(vec![Diagnostic::new(&first, 1, 1, "import is not implemented yet")]))
}
