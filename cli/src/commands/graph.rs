//! `amisim graph`: images, copies across regions and accounts, shares, key
//! grants and instances, drawn as Mermaid (which GitHub and GitLab render in
//! Markdown) or as Graphviz DOT.
//!
//! Nodes and edges are gathered first, in the listings' canonical order, so
//! the same cloud always draws the same text. DOT strings are escaped here:
//! the DOT writer crates leave escaping to their caller, and an ID-only
//! quoting rule (backslash, double quote, new line) is all the language needs.

use std::collections::BTreeMap;
use std::io::Write;

use amisim_simulator::inventory;
use amisim_simulator::model::{Image, Principal};

use super::{filter, Ctx};
use crate::args::{GraphArgs, GraphFormat};
use crate::open;

/// What a node stands for, which decides its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Instance,
    Key,
    Principal,
}

#[derive(Debug, Default)]
struct Graph {
    /// Node ID → (kind, label lines).
    nodes: BTreeMap<String, (Kind, Vec<String>)>,
    /// (from, to, label), in the order found.
    edges: Vec<(String, String, String)>,
}

impl Graph {
    /// The node for `id`, added with `label` unless it is there already.
    fn node(&mut self, id: &str, kind: Kind, label: Vec<String>) -> String {
        let key = node_key(id, kind);
        self.nodes.entry(key.clone()).or_insert((kind, label));
        key
    }

    /// The node for `id`, with `label` whatever it had (a placeholder gets its full label).
    fn set_node(&mut self, id: &str, kind: Kind, label: Vec<String>) -> String {
        let key = node_key(id, kind);
        self.nodes.insert(key.clone(), (kind, label));
        key
    }

    fn edge(&mut self, from: String, to: String, label: impl Into<String>) {
        self.edges.push((from, to, label.into()));
    }
}

/// The node ID of `id`: its kind, then the ID as [`node_id`] writes it.
fn node_key(id: &str, kind: Kind) -> String {
    let prefix = match kind {
        Kind::Image => "image",
        Kind::Instance => "instance",
        Kind::Key => "key",
        Kind::Principal => "to",
    };
    format!("{prefix}_{}", node_id(id))
}

/// A node ID that Mermaid and DOT both take bare: letters, digits and `_`.
fn node_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn image_label(i: &Image) -> Vec<String> {
    let owner = i.owner_alias.clone().unwrap_or_else(|| i.owner_id.clone());
    let mut label = vec![
        i.name.clone(),
        i.id.clone(),
        format!("{} · {owner}", i.region),
    ];
    if !i.is_available() {
        label.push(i.state.as_str().to_string());
    }
    label
}

pub fn draw(ctx: &Ctx<'_>, out: &mut dyn Write, args: &GraphArgs) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let scope = filter(&args.scope);
    let graph = cloud.read(|tx| {
        let mut g = Graph::default();
        let images = inventory::images(tx, scope, false, true)?;
        let add_image = |g: &mut Graph, i: &Image| g.node(&i.id, Kind::Image, image_label(i));
        for i in &images {
            let me = add_image(&mut g, i);
            if let Some(source_id) = &i.source_image_id {
                if let Some(source) = tx.get::<Image>(source_id)? {
                    let from = add_image(&mut g, &source);
                    let mut label = match &i.restored_from {
                        Some(object) => format!("restore from s3://{object}"),
                        None => String::from("copy"),
                    };
                    if source.region != i.region {
                        label.push_str(&format!(" {} → {}", source.region, i.region));
                    }
                    if source.owner_id != i.owner_id {
                        label.push_str(&format!(" · account {} → {}", source.owner_id, i.owner_id));
                    }
                    g.edge(from, me.clone(), label);
                }
            }
            if let Some(instance_id) = &i.source_instance_id {
                let from = g.node(instance_id, Kind::Instance, vec![instance_id.clone()]);
                g.edge(from, me.clone(), "image of");
            }
        }
        for i in inventory::instances(tx, scope)? {
            // An image's source instance may have a placeholder already.
            let me = g.set_node(
                &i.id,
                Kind::Instance,
                vec![
                    i.id.clone(),
                    format!("{} · {}", i.instance_type, i.state.as_str()),
                    format!("{} · {}", i.region, i.owner_id),
                ],
            );
            let image = match tx.get::<Image>(&i.image_id)? {
                Some(image) => add_image(&mut g, &image),
                None => g.node(&i.image_id, Kind::Image, vec![i.image_id.clone()]),
            };
            g.edge(image, me, "launch");
        }
        for p in inventory::launch_permissions(tx, scope, false)? {
            let image = match tx.get::<Image>(&p.image_id)? {
                Some(image) => add_image(&mut g, &image),
                None => continue,
            };
            let (id, label) = match &p.principal {
                Principal::Account(a) => (format!("account {a}"), format!("account {a}")),
                Principal::Group(_) => ("public".to_string(), "everyone (group all)".to_string()),
                Principal::Organization(arn) | Principal::OrganizationalUnit(arn) => {
                    (arn.clone(), arn.clone())
                }
            };
            let who = g.node(&id, Kind::Principal, vec![label]);
            g.edge(image, who, "launch permission");
        }
        for p in inventory::storage_permissions(tx, scope)? {
            let Some(storage) = tx.get::<amisim_simulator::Storage>(&p.storage_id)? else {
                continue;
            };
            let Some(image) = tx.get::<Image>(&storage.created_for_image)? else {
                continue;
            };
            let from = add_image(&mut g, &image);
            let label = format!("account {}", p.account_id);
            let who = g.node(&label, Kind::Principal, vec![label.clone()]);
            g.edge(from, who, format!("storage read ({})", p.storage_id));
        }
        for v in inventory::keys(tx, scope)? {
            if v.key.aws_managed || v.grants.is_empty() {
                continue;
            }
            let key = g.node(
                &v.key.id,
                Kind::Key,
                vec![
                    format!("KMS key {}", v.key.id),
                    format!("{} · {}", v.key.region, v.key.owner_id),
                ],
            );
            for grant in &v.grants {
                let label = format!("account {}", grant.grantee_account_id);
                let who = g.node(&label, Kind::Principal, vec![label.clone()]);
                g.edge(key.clone(), who, "grant");
            }
        }
        Ok(g)
    })?;
    let text = match args.format {
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Dot => dot(&graph),
    };
    write!(out, "{text}")?;
    Ok(())
}

/// Mermaid text for a label: entity codes for what its syntax would read.
fn mermaid_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(g: &Graph) -> String {
    let mut text = String::from("flowchart LR\n");
    for (id, (kind, label)) in &g.nodes {
        let body = label
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match kind {
            Kind::Instance => ("([\"", "\"])"),
            Kind::Key => ("{{\"", "\"}}"),
            Kind::Principal => ("[/\"", "\"/]"),
            Kind::Image => ("[\"", "\"]"),
        };
        text.push_str(&format!("  {id}{open}{body}{close}\n"));
    }
    for (from, to, label) in &g.edges {
        text.push_str(&format!("  {from} -->|\"{}\"| {to}\n", mermaid_text(label)));
    }
    text
}

/// A DOT quoted string of `lines`: backslash and double quote escaped, control
/// characters dropped, the lines joined by DOT's line break `\n`.
fn dot_text(lines: &[&str]) -> String {
    let mut out = String::from("\"");
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push_str("\\n");
        }
        for c in line.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

fn dot(g: &Graph) -> String {
    let mut text =
        String::from("digraph amisim {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (id, (kind, label)) in &g.nodes {
        let shape = match kind {
            Kind::Instance => "ellipse",
            Kind::Key => "hexagon",
            Kind::Principal => "parallelogram",
            Kind::Image => "box",
        };
        let lines: Vec<&str> = label.iter().map(String::as_str).collect();
        text.push_str(&format!(
            "  {id} [shape={shape}, label={}];\n",
            dot_text(&lines)
        ));
    }
    for (from, to, label) in &g.edges {
        text.push_str(&format!(
            "  {from} -> {to} [label={}];\n",
            dot_text(&[label])
        ));
    }
    text.push_str("}\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_for_each_syntax() {
        assert_eq!(
            mermaid_text("a \"b\" <c> #d | e"),
            "a #quot;b#quot; #lt;c#gt; #35;d #124; e"
        );
        assert_eq!(dot_text(&["a \"b\" \\c", "d"]), "\"a \\\"b\\\" \\\\c\\nd\"");
        assert_eq!(node_id("ami-0123/all"), "ami_0123_all");
    }
}
