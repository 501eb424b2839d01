//! ARCHITECTURE.md's code map stays true: every source file of the
//! simulator, the client and the server is named in its crate's section, and
//! every file a section names exists.

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
    for krate in ["simulator", "client", "server"] {
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

/// The simulator's modules each imports, read from its source outside its
/// unit tests and comments: `crate::x` paths and `use crate::{x, …}` lists.
fn simulator_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = repo_root().join("simulator/src");
    let modules: Vec<String> = sources(&src)
        .into_iter()
        .filter(|f| !f.contains('/') && f != "lib.rs")
        .map(|f| f.trim_end_matches(".rs").to_string())
        .collect();
    let mut graph = std::collections::BTreeMap::new();
    for module in &modules {
        let text = std::fs::read_to_string(src.join(format!("{module}.rs"))).expect("a module");
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut named: std::collections::BTreeSet<String> = code
            .split("crate::")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect();
        for list in code.split("use crate::{").skip(1) {
            let list = list.split('}').next().unwrap_or("");
            named.extend(
                list.split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or("").to_string()),
            );
        }
        named.retain(|m| m != module && modules.contains(m));
        graph.insert(module.clone(), named);
    }
    graph
}

#[test]
fn no_module_of_the_simulator_imports_another_in_a_circle() {
    // Modules sit on floors: a helper two rule modules share lives below
    // both (`access.rs`, `filters.rs`), and the floor (`model.rs`,
    // `dates.rs`, `store.rs`, `call.rs`) imports no rule.
    let graph = simulator_imports();
    assert!(graph.len() > 20, "the simulator's modules: {graph:?}");
    // Depth-first, keeping the path: a module met again on its own path closes a circle.
    fn visit(
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        module: &str,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut circle = path[at..].to_vec();
            circle.push(module.to_string());
            return Some(circle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in &graph[module] {
            if let Some(circle) = visit(graph, next, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for module in graph.keys() {
        if let Some(circle) = visit(&graph, module, &mut Vec::new(), &mut done) {
            panic!(
                "the simulator's modules import one another in a circle: {}",
                circle.join(" -> ")
            );
        }
    }
    for floor in ["model", "dates", "error"] {
        let above: Vec<_> = graph[floor]
            .iter()
            .filter(|m| !["dates", "error"].contains(&m.as_str()))
            .collect();
        assert!(above.is_empty(), "{floor}.rs imports {above:?}");
    }
}
