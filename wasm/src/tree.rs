//! Tree rows for the page: one directory's children at a time, and a path search. Sizes come
//! from `FileTree::sizes_at` (computed once per layer and cached by the handle).

use imgslim_core::tree::{Change, FileTree, NodeId};
use serde::Serialize;
use wasm_bindgen::JsError;

use crate::{change_name, kind_name};

/// One row of the file tree.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChildRow {
    /// Node id, to ask for its children.
    pub id: u32,
    /// File name (lossy UTF-8); in search results, the absolute path.
    pub name: String,
    /// Subtree size in bytes as of the layer (0 for removed paths).
    pub size: u64,
    /// What the layer did: added, modified, removed, unchanged.
    pub change: &'static str,
    /// dir, file, symlink, hardlink, other.
    pub kind: &'static str,
    /// Whether expanding it shows anything.
    pub has_children: bool,
}

/// Row order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortBy {
    /// Biggest first, then by name.
    Size,
    /// By name (bytewise, as the arena stores them).
    Name,
}

impl SortBy {
    pub(crate) fn parse(s: Option<&str>) -> Result<SortBy, JsError> {
        match s {
            None | Some("size") => Ok(SortBy::Size),
            Some("name") => Ok(SortBy::Name),
            Some(other) => Err(JsError::new(&format!(
                "unknown sort {other:?}: use \"size\" or \"name\""
            ))),
        }
    }
}

/// Visible at `layer`: it exists then, or the layer removed it.
fn shown(tree: &FileTree, id: NodeId, layer: usize) -> Option<Change> {
    match tree.change_in(id, layer) {
        Change::Absent => None,
        c => Some(c),
    }
}

fn row(
    tree: &FileTree,
    id: NodeId,
    layer: usize,
    change: Change,
    sizes: &[u64],
    name: String,
) -> ChildRow {
    let kind = match tree.live_at(id, layer) {
        Some(v) => v.entry_kind(),
        // Removed by this layer: show what it was.
        None => tree
            .versions(id)
            .map(|(_, v)| v)
            .find(|v| usize::from(v.layer) < layer && v.exists())
            .and_then(|v| v.entry_kind()),
    };
    let has_children = tree
        .children(id)
        .iter()
        .any(|&c| shown(tree, c, layer).is_some());
    ChildRow {
        id: id.0,
        name,
        size: if change == Change::Removed {
            0
        } else {
            sizes[id.0 as usize]
        },
        change: change_name(change),
        kind: kind_name(kind),
        has_children,
    }
}

fn sort_rows(rows: &mut [ChildRow], sort: SortBy) {
    match sort {
        SortBy::Size => rows.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name))),
        SortBy::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
    }
}

/// The children of `id` shown at `layer`.
pub(crate) fn children(
    tree: &FileTree,
    id: NodeId,
    layer: usize,
    sizes: &[u64],
    sort: SortBy,
) -> Vec<ChildRow> {
    let mut rows: Vec<ChildRow> = tree
        .children(id)
        .iter()
        .filter_map(|&c| {
            let change = shown(tree, c, layer)?;
            let name = String::from_utf8_lossy(tree.name(c)).into_owned();
            Some(row(tree, c, layer, change, sizes, name))
        })
        .collect();
    sort_rows(&mut rows, sort);
    rows
}

/// Paths containing `query`, case-insensitively, biggest first.
pub(crate) fn search(
    tree: &FileTree,
    query: &str,
    layer: usize,
    sizes: &[u64],
    limit: usize,
) -> Vec<ChildRow> {
    let needle = query.to_lowercase();
    let mut rows: Vec<ChildRow> = tree
        .node_ids()
        .filter(|&id| id != FileTree::ROOT)
        .filter_map(|id| {
            let change = shown(tree, id, layer)?;
            let path = tree.path_string(id);
            path.to_lowercase()
                .contains(&needle)
                .then(|| row(tree, id, layer, change, sizes, path))
        })
        .collect();
    sort_rows(&mut rows, SortBy::Size);
    rows.truncate(limit);
    rows
}
