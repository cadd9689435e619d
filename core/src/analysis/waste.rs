//! Reclaimable bytes: file data stored in some layer but not visible in the final image. This is
//! what really disappears if the waste is removed, and it fixes dive's blind spots:
//!
//! - a directory deleted with `rm -rf` (one whiteout for many files) counts every file below it;
//! - files hidden by an opaque directory count;
//! - a hardlinked file counts only once its last name is gone;
//! - the surviving copy is never counted (dive counts it, wagoodman/dive#684).

use serde::Serialize;

use crate::tree::{Change, ContentId, FileTree, RemovedBy, VersionKind};

/// Why stored bytes are not in the final image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WasteReason {
    /// A later layer wrote the same path again.
    Overwritten,
    /// A later layer deleted it with a whiteout (of the file or of a directory above it).
    Deleted,
    /// A later opaque directory hid it.
    HiddenByOpaqueDir,
    /// A later entry of another type replaced it or a directory above it.
    Replaced,
}

/// One stored file that the final image does not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct WastedFile {
    /// Path where the data was written.
    pub path: String,
    /// Bytes of data.
    pub bytes: u64,
    /// Layer that stored it.
    pub layer: usize,
    /// Why it is not visible.
    pub reason: WasteReason,
    /// Layer that overwrote or removed it.
    pub by_layer: usize,
}

/// The reclaimable figure and its parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Waste {
    pub bytes: u64,
    pub files: Vec<WastedFile>,
}

/// Contents that some path of the final image still names.
pub(crate) fn live_contents(tree: &FileTree) -> Vec<bool> {
    let mut live = vec![false; tree.contents.len()];
    for id in tree.node_ids() {
        if let Some(c) = tree.live_final(id).and_then(|v| v.content()) {
            live[c.0 as usize] = true;
        }
    }
    live
}

/// Every stored content that no final path names, with the reason its first name lost it.
pub(crate) fn reclaimable(tree: &FileTree, live: &[bool]) -> Waste {
    let mut waste = Waste::default();
    for (cid, content) in tree.contents() {
        if live[cid.0 as usize] || content.size == 0 {
            continue;
        }
        let (reason, by_layer) = why_gone(tree, cid);
        let node = tree.version(content.version).node();
        waste.bytes += content.size;
        waste.files.push(WastedFile {
            path: tree.path_string(node),
            bytes: content.size,
            layer: usize::from(content.layer),
            reason,
            by_layer,
        });
    }
    waste
        .files
        .sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    waste
}

/// The version that superseded the one that wrote `cid`, as a reason.
fn why_gone(tree: &FileTree, cid: ContentId) -> (WasteReason, usize) {
    let content = tree.content(cid);
    let writer = content.version;
    let node = tree.version(writer).node();
    // Versions are newest first: the one just before the writer in this order superseded it.
    let mut next = None;
    for (vid, v) in tree.versions(node) {
        if vid == writer {
            break;
        }
        next = Some(v);
    }
    match next {
        Some(v) => {
            let reason = match v.kind {
                VersionKind::Entry(_) => WasteReason::Overwritten,
                VersionKind::Removed(RemovedBy::Whiteout) => WasteReason::Deleted,
                VersionKind::Removed(RemovedBy::Opaque) => WasteReason::HiddenByOpaqueDir,
                VersionKind::Removed(RemovedBy::Replaced) => WasteReason::Replaced,
            };
            (reason, usize::from(v.layer))
        }
        // Still named by its first path only through a hardlink that was later removed.
        None => (WasteReason::Deleted, usize::from(content.layer)),
    }
}

/// Files and bytes one layer added, modified and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChangeCounts {
    /// Non-directory paths.
    pub files: u64,
    /// Their data bytes (header sizes; for removals, the size of what was removed).
    pub bytes: u64,
}

/// Per-layer change counts: (added, modified, removed) for each layer.
pub(crate) fn layer_changes(tree: &FileTree) -> Vec<[ChangeCounts; 3]> {
    let mut out = vec![[ChangeCounts::default(); 3]; tree.layer_count()];
    for id in tree.node_ids().skip(1) {
        // Each layer that has a version of this node.
        let mut layers: Vec<usize> = tree
            .versions(id)
            .map(|(_, v)| usize::from(v.layer))
            .collect();
        layers.dedup();
        for layer in layers {
            let change = tree.change_in(id, layer);
            let slot = match change {
                Change::Added => 0,
                Change::Modified => 1,
                Change::Removed => 2,
                _ => continue,
            };
            let v = match change {
                Change::Removed => tree.live_at(id, layer.wrapping_sub(1)),
                _ => tree.live_at(id, layer),
            };
            let Some(v) = v else { continue };
            if v.is_dir() {
                continue;
            }
            let c = &mut out[layer][slot];
            c.files += 1;
            c.bytes += v.size;
        }
    }
    out
}
