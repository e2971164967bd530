//! Keeps ARCHITECTURE.md true: its module table is read here and checked
//! against `src/`. Every library module has a row; a row names as imports
//! only rows above it, so the table is the order of the stages and the
//! graph has no cycle; and every `crate::<module>` a module's code names
//! (comments aside) is one its row allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows of the module table, in order: module → the modules it may import.
fn table(doc: &str) -> Vec<(String, BTreeSet<String>)> {
    let ticked = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').collect();
            let name = ticked(cells[1]).remove(0);
            let imports = ticked(cells.get(3).copied().unwrap_or_default()).into_iter().collect();
            (name, imports)
        })
        .collect()
}

/// The library's modules, as `src/lib.rs` declares them.
fn modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';')).map(str::to_string).collect()
}

/// Every `.rs` file of a module: `src/<m>.rs` or everything under `src/<m>/`.
fn files(module: &str) -> Vec<PathBuf> {
    let file = root().join("src").join(format!("{module}.rs"));
    if file.exists() {
        return vec![file];
    }
    let mut found = Vec::new();
    let mut dirs = vec![root().join("src").join(module)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

/// The modules a file names through `crate::<m>` or `crate::{<m>, …}`,
/// comment lines left out.
fn imports(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
    let code = code.join("\n");
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        // `speech_archive::…` and `…_crate::` are other crates.
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut start) = (0, 0);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.insert(ident(group[start..].trim_start()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(ident(group[start..].trim_start()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn every_module_imports_only_what_architecture_md_allows() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let rows = table(&doc);
    let listed: Vec<&str> = rows.iter().map(|(m, _)| m.as_str()).collect();
    let mut problems = Vec::new();

    let mut seen = BTreeSet::new();
    for (module, allowed) in &rows {
        if !seen.insert(module.as_str()) {
            problems.push(format!("`{module}` has two rows"));
        }
        for a in allowed {
            if !seen.contains(a.as_str()) {
                problems.push(format!("`{module}` may import `{a}`, which is not a row above it"));
            }
        }
    }
    let modules = modules();
    for m in &modules {
        if !listed.contains(&m.as_str()) {
            problems.push(format!("src/lib.rs declares `{m}`, which ARCHITECTURE.md does not list"));
        }
    }
    let allowed: BTreeMap<&str, &BTreeSet<String>> = rows.iter().map(|(m, a)| (m.as_str(), a)).collect();
    for module in &modules {
        let Some(allowed) = allowed.get(module.as_str()) else { continue };
        for file in files(module) {
            for import in imports(&file) {
                if import != *module && modules.contains(&import) && !allowed.contains(&import) {
                    let rel = file.strip_prefix(root()).unwrap().display();
                    problems.push(format!(
                        "{rel} imports `{import}`, which ARCHITECTURE.md does not let `{module}` import"
                    ));
                }
            }
        }
    }
    assert!(modules.len() > 10 && rows.len() == modules.len(), "{} rows, {} modules", rows.len(), modules.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn imports_are_read_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.rs");
    let code = "use crate::model::Archive;\nuse crate::{index::Index, words::{Words, format_date}};\n\
                // crate::write in a comment\n/// [`crate::serve`] in a doc\nlet x = crate::render::views::f();\n\
                use speech_archive::load;\n";
    std::fs::write(&file, code).unwrap();
    let want: BTreeSet<String> = ["model", "index", "words", "render"].map(String::from).into();
    assert_eq!(imports(&file), want);
}
