//! An image's lineage drawn as a picture: a tree laid out left to right.

use amisim_simulator::inventory::{Derivation, LineageNode};

use super::links::href;

/// A node of a drawn lineage graph, placed in the picture.
pub struct Node {
    pub x: i64,
    pub y: i64,
    pub href: String,
    pub id: String,
    pub name: String,
    pub place: String,
    pub state: String,
    pub selected: bool,
}

/// An edge of a drawn lineage graph, from a parent's right side to a child's left.
pub struct Edge {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub label: String,
    pub lx: i64,
    pub ly: i64,
}

/// A lineage tree laid out left to right: one column per generation, one row per leaf.
pub struct Graph {
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

const NODE_W: i64 = 270;
const NODE_H: i64 = 58;
const COL: i64 = 330;
const ROW: i64 = 74;

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

pub fn graph(tree: &LineageNode) -> Graph {
    fn place(n: &LineageNode, depth: i64, next_row: &mut i64, g: &mut Graph) -> (i64, i64) {
        let x = 10 + depth * COL;
        let mut child_ys = Vec::new();
        for c in &n.children {
            child_ys.push(place(c, depth + 1, next_row, g));
        }
        let y = match child_ys.first() {
            Some(&(_, y)) => y,
            None => {
                let y = 10 + *next_row * ROW;
                *next_row += 1;
                y
            }
        };
        for (c, (cx, cy)) in n.children.iter().zip(&child_ys) {
            let label = match &c.derivation {
                Derivation::Copy => "copy".to_string(),
                Derivation::Restore { .. } => "from S3".to_string(),
                Derivation::FromInstance { instance_id } => format!("image of {instance_id}"),
                Derivation::Original => String::new(),
            };
            let (x1, y1, x2, y2) = (x + NODE_W, y + NODE_H / 2, *cx, cy + NODE_H / 2);
            g.edges.push(Edge {
                x1,
                y1,
                x2,
                y2,
                label,
                lx: x1 + 8,
                ly: y2 - 6,
            });
        }
        g.nodes.push(Node {
            x,
            y,
            href: href(&n.image_id).unwrap_or_default(),
            id: n.image_id.clone(),
            name: shorten(n.name.as_deref().unwrap_or("(not in the store)"), 28),
            place: format!(
                "{} · {}",
                n.region.as_deref().unwrap_or("?"),
                n.owner_id.as_deref().unwrap_or("?")
            ),
            state: n.state.map_or("unknown", |s| s.as_str()).to_string(),
            selected: n.selected,
        });
        (x, y)
    }
    let mut g = Graph {
        width: 0,
        height: 0,
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    let mut rows = 0;
    place(tree, 0, &mut rows, &mut g);
    g.nodes.sort_by_key(|n| (n.x, n.y));
    g.width = g.nodes.iter().map(|n| n.x + NODE_W + 10).max().unwrap_or(0);
    g.height = 10 + rows.max(1) * ROW;
    g
}
