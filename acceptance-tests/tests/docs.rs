//! The documentation under `docs/` is generated from the provider's schema and the
//! examples; these tests fail when it is stale, when a description is missing, or
//! when an example does not apply.

use amisim_acceptance_tests::{docs, repo_root, Workspace};
use serde_json::Value;

fn schema() -> Value {
    let ws = Workspace::new("");
    let out = ws.tf_ok(&["providers", "schema", "-json"]);
    serde_json::from_str(&out.stdout).expect("schema JSON")
}

#[test]
fn docs_are_generated_from_the_schema() {
    let root = repo_root();
    let pages = docs::render(&schema(), &root);
    let update = std::env::var("AMISIM_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, content) in &pages {
        let file = root.join(path);
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, content).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(content.as_str()) {
            stale.push(path.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs are stale: {stale:?}; run `make docs` to regenerate them"
    );
    assert_eq!(
        pages.len(),
        1 + 15 + 4,
        "index, 15 resources, 4 data sources"
    );
}

fn walk(path: &str, block: &Value, missing: &mut Vec<String>) {
    let desc = block["description"].as_str().unwrap_or("");
    if desc.trim().len() < 10 || desc == "empty" {
        missing.push(path.to_string());
    }
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, a) in attrs {
            let d = a["description"].as_str().unwrap_or("");
            if d.trim().len() < 10 || d == "empty" {
                missing.push(format!("{path}.{name}"));
            }
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, b) in blocks {
            walk(&format!("{path}.{name}"), &b["block"], missing);
        }
    }
}

#[test]
fn every_attribute_has_a_real_description() {
    let schema = schema();
    let provider = &schema["provider_schemas"][docs::PROVIDER_ADDRESS];
    let mut missing = Vec::new();
    walk("provider", &provider["provider"]["block"], &mut missing);
    for key in ["resource_schemas", "data_source_schemas"] {
        for (name, s) in provider[key].as_object().unwrap() {
            walk(name, &s["block"], &mut missing);
        }
    }
    assert!(missing.is_empty(), "missing descriptions: {missing:?}");
}

#[test]
fn every_documented_example_applies_and_converges() {
    let root = repo_root();
    let provider = std::fs::read_to_string(root.join("examples/provider/provider.tf")).unwrap();
    for folder in ["resources", "data-sources"] {
        let mut dirs: Vec<_> = std::fs::read_dir(root.join("examples").join(folder))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        for dir in dirs {
            let ws = Workspace::empty();
            ws.write("provider.tf", &provider);
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                if entry.path().extension().is_some_and(|e| e == "tf") {
                    ws.write(
                        "example.tf",
                        &std::fs::read_to_string(entry.path()).unwrap(),
                    );
                }
            }
            ws.apply();
            ws.assert_plan_empty();
            ws.destroy();
        }
    }
}
