//! Row arithmetic: finding row `i` by descending from the root with the per-node row counts,
//! walking the rows on screen from there, and the inverse (a node's row index).

use std::sync::Arc;

use imgslim_core::tree::{FileTree, NodeId};

use super::{NavModel, Row, SortOrder};

/// One directory level of a walk over the visible rows.
struct Frame {
    kids: Arc<[NodeId]>,
    idx: usize,
    depth: u16,
    guides: u32,
}

/// The guide bits of the children of a row at `depth` with `guides` (see [`Row::guides`]).
fn child_guides(guides: u32, depth: u16, last: bool) -> u32 {
    if depth < 32 && last {
        guides | (1 << depth)
    } else {
        guides
    }
}

impl NavModel {
    /// Rows `start..start + count` (fewer at the end). Costs a descent from the root (skipping
    /// sibling subtrees by their counts) plus `count` steps.
    pub fn window(&mut self, tree: &FileTree, start: usize, count: usize) -> Vec<Row> {
        let mut out = Vec::with_capacity(count.min(self.len().saturating_sub(start)));
        if start >= self.len() || count == 0 {
            return out;
        }
        let mut stack: Vec<Frame> = Vec::new();
        let (mut parent, mut depth, mut guides) = (FileTree::ROOT, 0u16, 0u32);
        let mut rest = start;
        // Descend to the row `start`.
        loop {
            let kids = self.sorted_children(tree, parent);
            let mut idx = 0;
            while idx < kids.len() {
                let span = self.span(kids[idx]);
                if rest < span {
                    break;
                }
                rest -= span;
                idx += 1;
            }
            if idx == kids.len() {
                return out;
            }
            let child = kids[idx];
            let last = idx + 1 == kids.len();
            stack.push(Frame {
                kids,
                idx,
                depth,
                guides,
            });
            if rest == 0 {
                break;
            }
            // The row is inside this child: skip the child's own row and go down.
            rest -= 1;
            guides = child_guides(guides, depth, last);
            depth += 1;
            parent = child;
        }
        // Walk forward from there.
        while out.len() < count {
            let Some(f) = stack.last_mut() else {
                break;
            };
            if f.idx >= f.kids.len() {
                stack.pop();
                if let Some(up) = stack.last_mut() {
                    up.idx += 1;
                }
                continue;
            }
            let node = f.kids[f.idx];
            let last = f.idx + 1 == f.kids.len();
            let row = Row {
                node,
                depth: f.depth,
                last,
                guides: f.guides,
            };
            out.push(row);
            if self.span(node) > 1 {
                let kids = self.sorted_children(tree, node);
                stack.push(Frame {
                    kids,
                    idx: 0,
                    depth: row.depth + 1,
                    guides: child_guides(row.guides, row.depth, last),
                });
            } else if let Some(f) = stack.last_mut() {
                f.idx += 1;
            }
        }
        out
    }

    /// The row index of a node, if it is visible.
    pub fn index_of(&mut self, tree: &FileTree, node: NodeId) -> Option<usize> {
        if node == FileTree::ROOT || !self.included.get(node.0 as usize).copied()? {
            return None;
        }
        let mut chain = vec![node];
        let mut cur = tree.parent(node)?;
        while cur != FileTree::ROOT {
            if !self.is_expanded(cur) {
                return None;
            }
            chain.push(cur);
            cur = tree.parent(cur)?;
        }
        let mut index = 0usize;
        let mut parent = FileTree::ROOT;
        for (level, &c) in chain.iter().rev().enumerate() {
            if level > 0 {
                index += 1; // the parent's own row
            }
            let kids = self.sorted_children(tree, parent);
            for &k in kids.iter() {
                if k == c {
                    break;
                }
                index += self.span(k);
            }
            parent = c;
        }
        Some(index)
    }

    /// Rows a visible node takes: its own, plus its children's when expanded.
    pub(super) fn span(&self, node: NodeId) -> usize {
        let i = node.0 as usize;
        1 + if self.is_expanded(node) {
            self.inner[i] as usize
        } else {
            0
        }
    }

    /// The shown children of a directory in display order, cached until what is shown changes.
    pub(super) fn sorted_children(&mut self, tree: &FileTree, id: NodeId) -> Arc<[NodeId]> {
        if let Some(k) = self.sorted.get(&id.0) {
            return k.clone();
        }
        let mut kids: Vec<NodeId> = tree
            .children(id)
            .iter()
            .copied()
            .filter(|c| self.included[c.0 as usize])
            .collect();
        if self.sort == SortOrder::Size && kids.len() > 1 {
            let sizes = self.sizes(tree);
            // Children come sorted by name; a stable sort keeps that order among equal sizes.
            kids.sort_by(|a, b| sizes[b.0 as usize].cmp(&sizes[a.0 as usize]));
        }
        let kids: Arc<[NodeId]> = kids.into();
        self.sorted.insert(id.0, kids.clone());
        kids
    }
}
