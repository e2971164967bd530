//! Serve stage: preview the site over HTTP and rebuild it while you edit.

use crate::cli::ServeArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Runs `archive serve`.
pub fn run(args: &ServeArgs, _quiet: bool) -> Result<(), Diagnostics> {
    Err(Diagnostics(vec![Diagnostic::new(&args.site.root, 1, 1, "serve is not implemented yet")]))
}
