//! dive-compatible figures: `efficiency_score` and `inefficient_bytes` computed exactly as dive
//! 0.13.1 computes them (`filetree/efficiency.go`, `filetree/file_tree.go`,
//! `image/docker/image_archive.go`), so dive users can compare numbers when they switch. Quirks
//! are reproduced on purpose here and only here; `docs/dive-compat.md` lists them and the honest
//! figures live in `waste.rs`.
//!
//! The algorithm, in short: each layer becomes its own tree of cleaned paths (with intermediate
//! directories created empty, opaque markers dropped, whiteouts kept as `.wh.` leaves). Every
//! *leaf* of every layer adds its size to a per-path tally; a whiteout leaf adds the size of the
//! subtree it deletes, measured in the stack of the layers below. A path seen at least twice is
//! "inefficient": its whole tally counts as wasted, and the score is Σ min / Σ total.
//!
//! Unlike dive, which re-stacks every lower layer for each whiteout, the lower stack is kept
//! incrementally, so this is linear in the number of entries.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::layer::scan::{Kind, LayerScan};

/// One of dive's inefficient paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DiveInefficiency {
    /// Path as dive prints it.
    pub path: String,
    /// How many layer entries touched it.
    pub count: u32,
    /// dive's cumulative size for it (including the surviving copy).
    pub size_bytes: u64,
}

/// dive's image-level figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiveFigures {
    /// `image.sizeBytes`: sum of every layer's tar header sizes.
    pub size_bytes: u64,
    /// `image.efficiencyScore`.
    pub efficiency_score: f64,
    /// `image.inefficientBytes`.
    pub inefficient_bytes: u64,
    /// Sum of layer sizes except the first (dive's "user size").
    pub user_size_bytes: u64,
    /// inefficient_bytes / user_size_bytes, dive's `highestUserWastedPercent` measure.
    pub user_wasted_ratio: f64,
    /// Per layer, dive's size.
    pub layer_sizes: Vec<u64>,
    /// dive's inefficient files, largest first.
    pub inefficiencies: Vec<DiveInefficiency>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Info {
    size: i64,
    is_dir: bool,
}

#[derive(Debug, Clone)]
struct DNode {
    children: BTreeMap<Box<[u8]>, u32>,
    info: Info,
}

/// A dive `FileTree`: children keyed by raw name, iterated in byte order like Go's
/// `sort.Strings`.
#[derive(Debug, Clone)]
struct DTree {
    nodes: Vec<DNode>,
}

const WHITEOUT: &[u8] = b".wh.";
const DOUBLE_WHITEOUT: &[u8] = b".wh..wh.";

impl DTree {
    fn new() -> Self {
        DTree {
            nodes: vec![DNode {
                children: BTreeMap::new(),
                info: Info::default(),
            }],
        }
    }

    fn names(path: &[u8]) -> impl Iterator<Item = &[u8]> {
        let trimmed = trim_slashes(path);
        trimmed.split(|&b| b == b'/').filter(|n| !n.is_empty())
    }

    /// `FileTree.AddPath`: create missing intermediate nodes with an empty FileInfo, stop silently
    /// at a `.wh..wh.` name, and set the payload on the last node.
    fn add_path(&mut self, path: &[u8], info: Info) {
        let names: Vec<&[u8]> = Self::names(path).collect();
        let mut node = 0u32;
        for (i, name) in names.iter().enumerate() {
            node = match self.nodes[node as usize].children.get(*name) {
                Some(&c) => c,
                None => {
                    if name.starts_with(DOUBLE_WHITEOUT) {
                        return;
                    }
                    let id = self.nodes.len() as u32;
                    self.nodes.push(DNode {
                        children: BTreeMap::new(),
                        info: Info::default(),
                    });
                    self.nodes[node as usize]
                        .children
                        .insert((*name).into(), id);
                    id
                }
            };
            if i == names.len() - 1 {
                self.nodes[node as usize].info = info;
            }
        }
    }

    fn get(&self, path: &[u8]) -> Option<u32> {
        let mut node = 0u32;
        for name in Self::names(path) {
            node = *self.nodes[node as usize].children.get(name)?;
        }
        Some(node)
    }

    fn remove(&mut self, path: &[u8]) {
        let names: Vec<&[u8]> = Self::names(path).collect();
        let Some((last, parents)) = names.split_last() else {
            return;
        };
        let mut node = 0u32;
        for name in parents {
            match self.nodes[node as usize].children.get(*name) {
                Some(&c) => node = c,
                None => return,
            }
        }
        self.nodes[node as usize].children.remove(*last);
    }

    /// Children-first, sorted traversal of every node below `start` (and `start` itself unless it
    /// is the root), with each node's path: `VisitDepthChildFirst`.
    fn visit(&self, start: u32, start_path: &[u8], f: &mut dyn FnMut(u32, &[u8]) -> bool) -> bool {
        let mut path = start_path.to_vec();
        self.visit_inner(start, &mut path, f)
    }

    fn visit_inner(
        &self,
        node: u32,
        path: &mut Vec<u8>,
        f: &mut dyn FnMut(u32, &[u8]) -> bool,
    ) -> bool {
        for (name, &child) in &self.nodes[node as usize].children {
            let len = path.len();
            path.push(b'/');
            path.extend_from_slice(name);
            let go_on = self.visit_inner(child, path, f);
            path.truncate(len);
            if !go_on {
                return false;
            }
        }
        if node == 0 {
            return true;
        }
        f(node, path)
    }

    fn is_leaf(&self, node: u32) -> bool {
        self.nodes[node as usize].children.is_empty()
    }

    /// Stack `upper` onto this tree: `FileTree.Stack`.
    fn stack(&mut self, upper: &DTree) {
        upper.visit(0, b"", &mut |node, path| {
            match whiteout_target(path) {
                Some(target) => self.remove(&target),
                None => self.add_path(path, upper.nodes[node as usize].info),
            }
            true
        });
    }
}

fn trim_slashes(p: &[u8]) -> &[u8] {
    let start = p.iter().position(|&b| b != b'/').unwrap_or(p.len());
    let end = p.iter().rposition(|&b| b != b'/').map_or(start, |i| i + 1);
    &p[start..end.max(start)]
}

/// For a path whose last name is a whiteout, the path it deletes (`FileNode.Path` trims the prefix
/// of the leaf name only).
fn whiteout_target(path: &[u8]) -> Option<Vec<u8>> {
    let cut = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    let base = &path[cut..];
    base.strip_prefix(WHITEOUT).map(|name| {
        let mut p = path[..cut].to_vec();
        p.extend_from_slice(name);
        p
    })
}

/// Build dive's tree for one layer, and its size (`tree.FileSize`).
fn layer_tree(scan: &LayerScan) -> (DTree, u64) {
    let mut tree = DTree::new();
    let mut size = 0u64;
    for e in &scan.entries {
        let path = scan.bytes(e.path);
        if path == b"." {
            continue;
        }
        size = size.wrapping_add(e.size);
        let is_dir = e.kind == Kind::Dir || e.mode & 0o170000 == 0o040000;
        tree.add_path(
            path,
            Info {
                size: e.size as i64,
                is_dir,
            },
        );
    }
    (tree, size)
}

#[derive(Default)]
struct Tally {
    cumulative: i64,
    /// -1 until a size is discovered (dive's `minDiscoveredSize`).
    min: i64,
    nodes: u32,
    /// Order in which the path became inefficient (second sighting).
    inefficient_at: Option<usize>,
}

/// Compute dive's figures from the scans, in manifest order (a layer listed twice counts twice, as
/// in dive). `None` when dive would refuse the image (it rejects named PAX global headers).
pub(crate) fn figures(scans: &[&LayerScan]) -> Option<DiveFigures> {
    if scans.iter().any(|s| s.dive_rejects) {
        return None;
    }
    let built: Vec<(DTree, u64)> = scans.iter().map(|s| layer_tree(s)).collect();
    let mut tallies: HashMap<Vec<u8>, Tally> = HashMap::new();
    let mut inefficient_order = 0usize;
    // dive's StackTreeRange(trees, 0, i-1) starts from a copy of the first tree and then stacks
    // trees 0..i-1 onto it (so for the first layer, the "lower" stack is the layer itself).
    let mut stacked = built
        .first()
        .map(|(t, _)| t.clone())
        .unwrap_or_else(DTree::new);
    for (i, (tree, _)) in built.iter().enumerate() {
        if i > 0 {
            stacked.stack(&built[i - 1].0);
        }
        tree.visit(0, b"", &mut |node, path| {
            if !tree.is_leaf(node) {
                return true;
            }
            let key = match whiteout_target(path) {
                Some(t) => t,
                None => path.to_vec(),
            };
            let key = collapse_double_slash(key);
            let is_whiteout = whiteout_target(path).is_some();
            let tally = tallies.entry(key.clone()).or_insert_with(|| Tally {
                min: -1,
                ..Tally::default()
            });
            let size = if is_whiteout {
                let Some(prev) = stacked.get(&key) else {
                    // dive: GetNode fails, the visitor returns the error and the rest of this
                    // layer is not visited. The tally keeps its -1 minimum.
                    return false;
                };
                let mut sum = 0i64;
                if stacked.nodes[prev as usize].info.is_dir {
                    stacked.visit(prev, &key, &mut |n, _| {
                        sum += stacked.nodes[n as usize].info.size;
                        true
                    });
                }
                sum
            } else {
                tree.nodes[node as usize].info.size
            };
            tally.cumulative += size;
            if tally.min < 0 || size < tally.min {
                tally.min = size;
            }
            tally.nodes += 1;
            if tally.nodes == 2 {
                tally.inefficient_at = Some(inefficient_order);
                inefficient_order += 1;
            }
            true
        });
    }
    let mut min_sum = 0i64;
    let mut total_sum = 0i64;
    let mut inefficient_bytes = 0u64;
    let mut list = Vec::new();
    for (path, t) in &tallies {
        min_sum += t.min;
        total_sum += t.cumulative;
        if t.nodes >= 2 {
            inefficient_bytes = inefficient_bytes.wrapping_add(t.cumulative as u64);
            list.push(DiveInefficiency {
                path: String::from_utf8_lossy(path).into_owned(),
                count: t.nodes,
                size_bytes: t.cumulative as u64,
            });
        }
    }
    let efficiency_score = if total_sum == 0 {
        1.0
    } else {
        min_sum as f64 / total_sum as f64
    };
    list.sort_by(|a, b| {
        b.size_bytes
            .cmp(&a.size_bytes)
            .then_with(|| a.path.cmp(&b.path))
    });
    let layer_sizes: Vec<u64> = built.iter().map(|(_, s)| *s).collect();
    let size_bytes = layer_sizes.iter().sum();
    let user_size_bytes = layer_sizes.iter().skip(1).sum::<u64>();
    Some(DiveFigures {
        size_bytes,
        efficiency_score,
        inefficient_bytes,
        user_size_bytes,
        user_wasted_ratio: if user_size_bytes == 0 {
            0.0
        } else {
            inefficient_bytes as f64 / user_size_bytes as f64
        },
        layer_sizes,
        inefficiencies: list,
    })
}

/// `strings.Replace(path, "//", "/", -1)`, as `FileNode.Path` does.
fn collapse_double_slash(p: Vec<u8>) -> Vec<u8> {
    if !p.windows(2).any(|w| w == b"//") {
        return p;
    }
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] == b'/' && p.get(i + 1) == Some(&b'/') {
            out.push(b'/');
            i += 2;
        } else {
            out.push(p[i]);
            i += 1;
        }
    }
    out
}
