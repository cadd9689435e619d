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

/// 24 bytes: three trees of every path are alive at once, and most nodes are leaves, so child
/// lists live out of line and only directories have one.
#[derive(Debug, Clone)]
struct DNode {
    /// Name as a range of `DTree::names`.
    name: (u32, u32),
    /// Index of the child list in `DTree::kids`, or `NO_KIDS`.
    kids: u32,
    is_dir: bool,
    size: i64,
}

const NO_KIDS: u32 = u32::MAX;

/// A dive `FileTree`: children kept sorted by raw name, iterated in byte order like Go's
/// `sort.Strings`. Names live in one arena and children in sorted vectors: a map per node cost
/// several times the memory of the layer data it describes.
#[derive(Debug, Clone)]
struct DTree {
    nodes: Vec<DNode>,
    names: Vec<u8>,
    /// Children sorted by name bytes (Go's `sort.Strings` order), one list per parent.
    kids: Vec<Vec<u32>>,
}

const WHITEOUT: &[u8] = b".wh.";
const DOUBLE_WHITEOUT: &[u8] = b".wh..wh.";

impl DTree {
    fn new() -> Self {
        DTree {
            nodes: vec![DNode {
                name: (0, 0),
                kids: NO_KIDS,
                is_dir: false,
                size: 0,
            }],
            names: Vec::new(),
            kids: Vec::new(),
        }
    }

    /// A node's children, sorted.
    fn children(&self, node: u32) -> &[u32] {
        match self.nodes[node as usize].kids {
            NO_KIDS => &[],
            k => &self.kids[k as usize],
        }
    }

    fn info(&self, node: u32) -> Info {
        let n = &self.nodes[node as usize];
        Info {
            size: n.size,
            is_dir: n.is_dir,
        }
    }

    fn names(path: &[u8]) -> impl Iterator<Item = &[u8]> {
        let trimmed = trim_slashes(path);
        trimmed.split(|&b| b == b'/').filter(|n| !n.is_empty())
    }

    fn name(&self, node: u32) -> &[u8] {
        let (start, len) = self.nodes[node as usize].name;
        &self.names[start as usize..(start + len) as usize]
    }

    /// Position of `name` among `node`'s children: `Ok(i)` found, `Err(i)` where to insert.
    fn find(&self, node: u32, name: &[u8]) -> Result<usize, usize> {
        self.children(node)
            .binary_search_by(|&c| self.name(c).cmp(name))
    }

    /// A new empty child named `name` at sorted position `pos` of `node`'s children.
    fn insert_child(&mut self, node: u32, pos: usize, name: &[u8]) -> u32 {
        let id = self.nodes.len() as u32;
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        self.nodes.push(DNode {
            name: (start, name.len() as u32),
            kids: NO_KIDS,
            is_dir: false,
            size: 0,
        });
        let parent = &mut self.nodes[node as usize];
        if parent.kids == NO_KIDS {
            parent.kids = self.kids.len() as u32;
            self.kids.push(Vec::new());
        }
        self.kids[parent.kids as usize].insert(pos, id);
        id
    }

    fn child(&self, node: u32, name: &[u8]) -> Option<u32> {
        let i = self.find(node, name).ok()?;
        Some(self.children(node)[i])
    }

    /// `FileTree.AddPath`: create missing intermediate nodes with an empty FileInfo, stop silently
    /// at a `.wh..wh.` name, and set the payload on the last node.
    fn add_path(&mut self, path: &[u8], info: Info) {
        let names: Vec<&[u8]> = Self::names(path).collect();
        let mut node = 0u32;
        for (i, name) in names.iter().enumerate() {
            node = match self.find(node, name) {
                Ok(pos) => self.children(node)[pos],
                Err(pos) => {
                    if name.starts_with(DOUBLE_WHITEOUT) {
                        return;
                    }
                    self.insert_child(node, pos, name)
                }
            };
            if i == names.len() - 1 {
                let n = &mut self.nodes[node as usize];
                n.size = info.size;
                n.is_dir = info.is_dir;
            }
        }
    }

    fn get(&self, path: &[u8]) -> Option<u32> {
        let mut node = 0u32;
        for name in Self::names(path) {
            node = self.child(node, name)?;
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
            match self.child(node, name) {
                Some(c) => node = c,
                None => return,
            }
        }
        if let Ok(pos) = self.find(node, last) {
            let k = self.nodes[node as usize].kids;
            self.kids[k as usize].remove(pos);
        }
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
        for &child in self.children(node) {
            let len = path.len();
            path.push(b'/');
            path.extend_from_slice(self.name(child));
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
        self.children(node).is_empty()
    }

    /// Stack `upper` onto this tree: `FileTree.Stack`.
    fn stack(&mut self, upper: &DTree) {
        upper.visit(0, b"", &mut |node, path| {
            match whiteout_target(path) {
                Some(target) => self.remove(&target),
                None => self.add_path(path, upper.info(node)),
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

/// dive's per-path record (`EfficiencyData`).
#[derive(Clone, Copy)]
struct Tally {
    cumulative: i64,
    /// dive's `minDiscoveredSize`: -1 until a size is discovered; `ABSENT` before the path is seen.
    min: i64,
    nodes: u32,
}

const ABSENT: i64 = i64::MIN;

impl DTree {
    /// Intern a path as a node of this tree (no whiteout rules: this tree only numbers paths).
    fn intern(&mut self, path: &[u8]) -> u32 {
        let mut node = 0u32;
        for name in Self::names(path) {
            node = match self.find(node, name) {
                Ok(pos) => self.children(node)[pos],
                Err(pos) => self.insert_child(node, pos, name),
            };
        }
        node
    }
}

/// Compute dive's figures from the scans, in manifest order (a layer listed twice counts twice, as
/// in dive). `None` when dive would refuse the image (it rejects named PAX global headers).
pub(crate) fn figures(scans: &[&LayerScan]) -> Option<DiveFigures> {
    if scans.iter().any(|s| s.dive_rejects) {
        return None;
    }
    // Tallies are indexed by a path's node in `keys`, a trie of every path seen: far smaller than
    // a map from full path strings.
    let mut keys = DTree::new();
    let mut tallies: Vec<Tally> = Vec::new();
    let mut inefficient: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut layer_sizes = Vec::with_capacity(scans.len());
    // dive's StackTreeRange(trees, 0, i-1) starts from a copy of the first tree and then stacks
    // trees 0..i-1 onto it (so for the first layer, the "lower" stack is the layer itself). Each
    // layer's tree is built, visited, stacked and dropped in turn, so only two trees are alive.
    let mut stacked: Option<DTree> = None;
    for scan in scans {
        let (tree, size) = layer_tree(scan);
        layer_sizes.push(size);
        let stacked = stacked.get_or_insert_with(|| tree.clone());
        tree.visit(0, b"", &mut |node, path| {
            if !tree.is_leaf(node) {
                return true;
            }
            let target = whiteout_target(path);
            let is_whiteout = target.is_some();
            let key = collapse_double_slash(target.unwrap_or_else(|| path.to_vec()));
            let id = keys.intern(&key) as usize;
            if tallies.len() <= id {
                tallies.resize(
                    id + 1,
                    Tally {
                        cumulative: 0,
                        min: ABSENT,
                        nodes: 0,
                    },
                );
            }
            let tally = &mut tallies[id];
            if tally.min == ABSENT {
                tally.min = -1;
            }
            let size = if is_whiteout {
                let Some(prev) = stacked.get(&key) else {
                    // dive: GetNode fails, the visitor returns the error and the rest of this
                    // layer is not visited. The tally keeps its -1 minimum.
                    return false;
                };
                let mut sum = 0i64;
                if stacked.nodes[prev as usize].is_dir {
                    stacked.visit(prev, &key, &mut |n, _| {
                        sum += stacked.nodes[n as usize].size;
                        true
                    });
                }
                sum
            } else {
                tree.nodes[node as usize].size
            };
            tally.cumulative += size;
            if tally.min < 0 || size < tally.min {
                tally.min = size;
            }
            tally.nodes += 1;
            if tally.nodes == 2 {
                inefficient.push((id as u32, key));
            }
            true
        });
        stacked.stack(&tree);
    }
    drop(stacked);
    drop(keys);
    let mut min_sum = 0i64;
    let mut total_sum = 0i64;
    for t in tallies.iter().filter(|t| t.min != ABSENT) {
        min_sum += t.min;
        total_sum += t.cumulative;
    }
    let mut inefficient_bytes = 0u64;
    let mut list = Vec::with_capacity(inefficient.len());
    for (id, path) in inefficient {
        let t = tallies[id as usize];
        inefficient_bytes = inefficient_bytes.wrapping_add(t.cumulative as u64);
        list.push(DiveInefficiency {
            path: String::from_utf8_lossy(&path).into_owned(),
            count: t.nodes,
            size_bytes: t.cumulative as u64,
        });
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
