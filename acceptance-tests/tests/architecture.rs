//! ARCHITECTURE.md's code map stays true: every source file of the simulator
//! and the server is named in its crate's section, and every file a section
//! names exists.

use std::path::{Path, PathBuf};

use amisim_acceptance_tests::repo_root;

/// The `.rs` files under `dir`, as paths relative to it (`store/sqlite.rs`).
fn sources(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under the root");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The text of the section headed `### \`crate/\``, up to the next heading of its level.
fn section<'a>(doc: &'a str, krate: &str) -> &'a str {
    let heading = format!("### `{krate}/`");
    let start = doc
        .find(&heading)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no section {heading}"));
    let rest = &doc[start + heading.len()..];
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n### "))
        .min();
    &rest[..end.unwrap_or(rest.len())]
}

/// The backticked names of Rust files in `text` (`call.rs`, `store/held.rs`).
fn named_files(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.ends_with(".rs") && !t.contains(' '))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_code_map_names_every_source_file_and_only_files_that_exist() {
    let root = repo_root();
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut problems = Vec::new();
    for krate in ["simulator", "server"] {
        let src: PathBuf = root.join(krate).join("src");
        let text = section(&doc, krate);
        let named = named_files(text);
        for file in sources(&src) {
            let full = format!("{krate}/src/{file}");
            if !named.iter().any(|n| *n == file || *n == full) {
                problems.push(format!("{full} is not in the `{krate}/` section"));
            }
        }
        for name in named {
            let exists = src.join(&name).is_file() || root.join(&name).is_file();
            if !exists {
                problems.push(format!(
                    "the `{krate}/` section names {name}, which does not exist"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "ARCHITECTURE.md's code map is out of date:\n{}",
        problems.join("\n")
    );
}
