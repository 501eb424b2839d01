//! Renders the registry-layout documentation (`docs/`) from `terraform providers schema -json`
//! and the examples under `examples/`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The provider's address in `terraform providers schema -json`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/amisim/amisim";

/// Every documentation page, by path relative to the repository root.
pub fn render(schema_json: &Value, root: &Path) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    let provider = &schema_json["provider_schemas"][PROVIDER_ADDRESS];
    pages.insert(
        "docs/index.md".to_string(),
        render_index(&provider["provider"], root),
    );
    for (kind, key, folder, example_file) in [
        ("Resource", "resource_schemas", "resources", "resource.tf"),
        (
            "Data Source",
            "data_source_schemas",
            "data-sources",
            "data-source.tf",
        ),
    ] {
        if let Some(map) = provider[key].as_object() {
            for (name, schema) in map {
                let short = name.trim_start_matches("amisim_");
                let example_dir = root.join("examples").join(folder).join(name);
                pages.insert(
                    format!("docs/{folder}/{short}.md"),
                    render_page(name, kind, schema, &example_dir, example_file),
                );
            }
        }
    }
    pages
}

fn render_index(provider: &Value, root: &Path) -> String {
    let description = provider["block"]["description"].as_str().unwrap_or("");
    let mut out = String::new();
    out.push_str("---\npage_title: \"amisim Provider\"\ndescription: |-\n");
    out.push_str(&indent(description));
    out.push_str("---\n\n# amisim Provider\n\n");
    out.push_str(description);
    out.push_str("\n\nThe simulated cloud lives in one SQLite file (the `store`), created on first use and shared by every provider block and by the `amisim` command-line tool; a classroom or a team shares one through `amisim serve`, with claimed accounts, or on a PostgreSQL server (`store = \"postgres://…\"`; see [classroom](classroom.md)). It is deterministic: the same commands on a new store give the same IDs, dates, state, event log, listings and bill, byte for byte, at any `-parallelism` (see [determinism](determinism.md)). Refusals are Terraform errors whose summary carries the AWS error code. A call AWS refuses for a while (`RequestLimitExceeded`, `InternalError`, `ServiceUnavailable`, or `InsufficientInstanceCapacity` for a launch: made on purpose with `amisim faults add`, see [cli](cli.md#faults-on-purpose)) is retried as hashicorp/aws retries it, up to 25 attempts in all, at once (the simulated cloud needs no real wait, and a refused call moves no clock, so the state ends as without the fault); a new object a rule keeps unseen is described again (20 times at most), and a new image a rule keeps pending is waited for in simulated time (up to hashicorp/aws's 40-minute create timeout); a warning names what was retried or waited for.\n\n");
    out.push_str(PRICE_BOOK);
    out.push_str("## Example Usage\n\n");
    if let Ok(example) = std::fs::read_to_string(root.join("examples/provider/provider.tf")) {
        out.push_str(&format!(
            "```terraform\n{}```\n\n",
            ensure_newline(&example)
        ));
    }
    out.push_str("## Resources and data sources\n\n");
    out.push_str("- [amisim_image](resources/image.md), [amisim_image_copy](resources/image_copy.md), [amisim_launch_permission](resources/launch_permission.md), [amisim_storage_permission](resources/storage_permission.md), [amisim_kms_key](resources/kms_key.md), [amisim_kms_grant](resources/kms_grant.md), [amisim_instance](resources/instance.md), [amisim_organization](resources/organization.md), [amisim_organizational_unit](resources/organizational_unit.md)\n");
    out.push_str("- Today's AMI life cycle: [amisim_image_block_public_access](resources/image_block_public_access.md), [amisim_recycle_bin_rule](resources/recycle_bin_rule.md), [amisim_allowed_images_settings](resources/allowed_images_settings.md), [amisim_image_usage_report](resources/image_usage_report.md), [amisim_image_store_task](resources/image_store_task.md), [amisim_image_restore](resources/image_restore.md), on both image resources `deregistration_protection`, `enabled`, `deprecation_time`, and on `amisim_image` `supported_instance_types`, `unsupported_instance_types` and `watermarks`\n");
    out.push_str("- Data sources: [amisim_image](data-sources/image.md), [amisim_images](data-sources/images.md), [amisim_image_ancestry](data-sources/image_ancestry.md), [amisim_image_usage_reports](data-sources/image_usage_reports.md)\n\n");
    out.push_str(&schema_section(&provider["block"]));
    out
}

const PRICE_BOOK: &str = "## Prices\n\n\
The bill (`amisim bill`) and the `monthly_storage_cost_usd` and `hourly_cost_usd` attributes come from one price book, whose defaults are AWS us-east-1 list prices:\n\n\
| what | default price |\n|---|---:|\n\
| EBS snapshot storage (EBS-backed images) | $0.05 per GB-month |\n\
| snapshots waiting in the Recycle Bin (`recycle-bin-storage`) | as EBS snapshot storage, until their retention ends |\n\
| S3 Standard storage of instance-store bundles, per account and region | $0.023 per GB-month for the first 50 TB, $0.022 for the next 450 TB, $0.021 beyond |\n\
| data transfer of a cross-region copy, charged to the source image's owner | $0.02 per GB |\n\
| copying an image | free |\n\
| instance hours | the type's on-demand Linux price (for example t3.micro $0.0104, t4g.micro $0.0084 per hour), 730 hours a month |\n\
| Windows Server licence (billing product `bp-6ba54002`) | $0.0046 per vCPU-hour |\n\
| Marketplace software fees | per product, per hour (for example `prod-wordpress-bitnami` $0.01) |\n\n\
Deregistering an image stops no charge by itself: running instances and kept snapshots go on costing. \
`amisim prices show --json` prints the price book in force and `amisim prices set FILE` overrides any of its fields (micro-dollars) for one store.\n\n";

fn render_page(
    name: &str,
    kind: &str,
    schema: &Value,
    example_dir: &Path,
    example_file: &str,
) -> String {
    let block = &schema["block"];
    let description = block["description"].as_str().unwrap_or("");
    let mut out = String::new();
    out.push_str(&format!(
        "---\npage_title: \"{name} {kind} - amisim\"\nsubcategory: \"\"\ndescription: |-\n{}---\n\n# {name} ({kind})\n\n{description}\n\n",
        indent(description)
    ));
    if let Ok(example) = std::fs::read_to_string(example_dir.join(example_file)) {
        out.push_str(&format!(
            "## Example Usage\n\n```terraform\n{}```\n\n",
            ensure_newline(&example)
        ));
    }
    out.push_str(&schema_section(block));
    if let Ok(import) = std::fs::read_to_string(example_dir.join("import.sh")) {
        out.push_str(&format!(
            "\n## Import\n\nImport is supported using the following syntax:\n\n```shell\n{}```\n\nIn Terraform 1.5 and later an `import` block with the same ID works as well.\n",
            ensure_newline(&import)
        ));
    }
    out
}

fn schema_section(block: &Value) -> String {
    let mut out = String::from("## Schema\n\n");
    out.push_str(&attribute_lists(block, ""));
    nested_sections(block, "", &mut out);
    out
}

/// The sections of the blocks nested in `block` (at `prefix`), and of theirs.
fn nested_sections(block: &Value, prefix: &str, out: &mut String) {
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, nested) in blocks {
            let path = nested_path(prefix, name);
            out.push_str(&format!(
                "\n<a id=\"nestedblock--{}\"></a>\n### Nested Schema for `{path}`\n\n",
                path.replace('.', "--")
            ));
            out.push_str(&attribute_lists(&nested["block"], &path));
            nested_sections(&nested["block"], &path, out);
        }
    }
}

fn nested_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn attribute_lists(block: &Value, prefix: &str) -> String {
    let mut groups: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, a) in attrs {
            let flag = |k: &str| a[k].as_bool().unwrap_or(false);
            let group = if flag("required") {
                0
            } else if flag("optional") {
                1
            } else {
                2
            };
            let line = format!(
                "- `{name}` ({}) {}",
                type_name(&a["type"]),
                a["description"].as_str().unwrap_or("").replace('\n', " ")
            );
            groups.entry(group).or_default().push(line);
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, nested) in blocks {
            let desc = nested["block"]["description"].as_str().unwrap_or("");
            let mode = capitalise(nested["nesting_mode"].as_str().unwrap_or("set"));
            let anchor = nested_path(prefix, name).replace('.', "--");
            groups.entry(1).or_default().push(format!(
                "- `{name}` (Block {mode}) {desc} (see [below for nested schema](#nestedblock--{anchor}))"
            ));
        }
    }
    let mut out = String::new();
    for (group, title) in [(0u8, "Required"), (1, "Optional"), (2, "Read-Only")] {
        if let Some(lines) = groups.get_mut(&group) {
            lines.sort();
            out.push_str(&format!("### {title}\n\n{}\n\n", lines.join("\n")));
        }
    }
    out
}

fn type_name(t: &Value) -> String {
    match t {
        Value::String(s) => capitalise(s),
        Value::Array(parts) if parts.len() == 2 => {
            format!(
                "{} of {}",
                capitalise(parts[0].as_str().unwrap_or("")),
                type_name(&parts[1])
            )
        }
        _ => "Dynamic".to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}
