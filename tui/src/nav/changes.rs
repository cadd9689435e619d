//! What happened to a path as of a layer, as the views colour it, and which paths are waste.

use imgslim_core::tree::{Change, FileTree, NodeId, Version};

/// The version whose attributes describe a node at `layer`: the live one, else the newest one
/// that existed before (what a removal removed).
pub fn shown_version(tree: &FileTree, id: NodeId, layer: usize) -> Option<&Version> {
    tree.versions(id)
        .map(|(_, v)| v)
        .filter(|v| usize::from(v.layer) <= layer)
        .find(|v| v.exists())
}

/// The change of layers 1..=`layer` relative to the base layer, as dive's aggregated view
/// colours it. Layer 0 is its own change (everything added).
pub fn aggregate_change(tree: &FileTree, id: NodeId, layer: usize) -> Change {
    if layer == 0 {
        return tree.change_in(id, 0);
    }
    // One walk over the versions (newest first) answers all three questions; this runs for
    // every node on each layer switch.
    let mut now = None;
    let mut before = false;
    let mut touched = false;
    for (_, v) in tree.versions(id) {
        let l = usize::from(v.layer);
        if l > layer {
            continue;
        }
        now.get_or_insert(v.exists());
        if l == 0 {
            before = v.exists();
            break;
        }
        touched = true;
    }
    let now = now.unwrap_or(false);
    match (before, now) {
        (false, true) => Change::Added,
        (true, true) if touched => Change::Modified,
        (true, true) => Change::Unchanged,
        (true, false) => Change::Removed,
        // Added by one layer and removed by a later one: stored bytes nobody sees.
        (false, false) if touched => Change::Removed,
        (false, false) => Change::Absent,
    }
}

/// Nodes with a stored content that no path of the final image names (the reclaimable bytes of
/// the report, per path).
pub(super) fn wasted_nodes(tree: &FileTree) -> Vec<bool> {
    let mut live = vec![false; tree.contents().count()];
    for id in tree.node_ids() {
        if let Some(c) = tree.live_final(id).and_then(Version::content) {
            live[c.0 as usize] = true;
        }
    }
    let mut wasted = vec![false; tree.len()];
    for (cid, content) in tree.contents() {
        if !live[cid.0 as usize] && content.size > 0 {
            wasted[tree.version(content.version).node().0 as usize] = true;
        }
    }
    wasted
}

/// Whether `node` is strictly below `dir`.
pub(super) fn is_below(tree: &FileTree, node: NodeId, dir: NodeId) -> bool {
    let mut cur = tree.parent(node);
    while let Some(p) = cur {
        if p == dir {
            return true;
        }
        cur = tree.parent(p);
    }
    false
}

/// Per node, the bytes one layer wrote (added or modified files, at their new size) or
/// removed (at the size removed) at or below it.
pub(super) fn layer_change_sizes(tree: &FileTree, parents: &[u32], layer: usize) -> Vec<u64> {
    let n = tree.len();
    let mut sizes = vec![0u64; n];
    // Children have larger ids than their parents: one backwards sweep sums bottom-up.
    for i in (1..n).rev() {
        let id = NodeId(i as u32);
        let own = match tree.change_in(id, layer) {
            Change::Added | Change::Modified => tree.live_at(id, layer).map_or(0, |v| v.size),
            Change::Removed => shown_version(tree, id, layer).map_or(0, |v| v.size),
            Change::Unchanged | Change::Absent => 0,
        };
        sizes[i] += own;
        let total = sizes[i];
        sizes[parents[i] as usize] += total;
    }
    sizes
}
