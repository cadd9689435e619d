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

/// 32 bytes: two trees of every path are alive at once, and most nodes are leaves, so child
/// lists live out of line and only directories have one.
#[derive(Debug, Clone)]
struct DNode {
    /// Name as a range of `DTree::names`.
    name: (u32, u32),
    /// The name's first eight bytes, big-endian and zero-padded: it orders names as their bytes
    /// do wherever it differs, so most comparisons in a child list never read the name arena.
    head: u64,
    /// Index of the child list in `DTree::kids`, or `NO_KIDS`.
    kids: u32,
    is_dir: bool,
    /// Whether the path is in the tree. Only the stacked tree has other nodes: paths deleted
    /// from it, and paths of the upper layer not stacked yet. They keep their node, which numbers
    /// the path for its tally (see [`Tallies`]).
    alive: bool,
    size: i64,
}

const NO_KIDS: u32 = u32::MAX;

/// A name's [`DNode::head`].
fn head(name: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let n = name.len().min(8);
    bytes[..n].copy_from_slice(&name[..n]);
    u64::from_be_bytes(bytes)
}

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
                head: 0,
                kids: NO_KIDS,
                is_dir: false,
                alive: true,
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
        let kids = self.children(node);
        let head = head(name);
        let cmp = |c: u32| {
            self.nodes[c as usize]
                .head
                .cmp(&head)
                .then_with(|| self.name(c).cmp(name))
        };
        // Tar writers mostly list a directory in name order, so a new name usually goes last.
        match kids.last() {
            None => Err(0),
            Some(&last) if cmp(last) == std::cmp::Ordering::Less => Err(kids.len()),
            Some(_) => kids.binary_search_by(|&c| cmp(c)),
        }
    }

    /// A new empty child named `name` at sorted position `pos` of `node`'s children.
    fn insert_child(&mut self, node: u32, pos: usize, name: &[u8], alive: bool) -> u32 {
        let id = self.nodes.len() as u32;
        let start = self.names.len() as u32;
        self.names.extend_from_slice(name);
        self.nodes.push(DNode {
            name: (start, name.len() as u32),
            head: head(name),
            kids: NO_KIDS,
            is_dir: false,
            alive,
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

    /// The child of `node` named `name`, if it is in the tree.
    fn child(&self, node: u32, name: &[u8]) -> Option<u32> {
        let i = self.find(node, name).ok()?;
        let c = self.children(node)[i];
        self.nodes[c as usize].alive.then_some(c)
    }

    /// The child of `node` named `name`, created empty in its sorted place when it is not in the
    /// tree. A node that left the tree comes back as a new empty one: what was below it stays
    /// gone.
    fn child_or_insert(&mut self, node: u32, name: &[u8]) -> u32 {
        match self.find(node, name) {
            Ok(pos) => {
                let c = self.children(node)[pos];
                if !self.nodes[c as usize].alive {
                    self.revive(c);
                }
                c
            }
            Err(pos) => self.insert_child(node, pos, name, true),
        }
    }

    /// Put a node that left the tree back, empty. Its children leave with it; theirs are only
    /// reachable through them, so they need no visit.
    fn revive(&mut self, node: u32) {
        let n = &mut self.nodes[node as usize];
        n.alive = true;
        n.size = 0;
        n.is_dir = false;
        if n.kids != NO_KIDS {
            let k = n.kids as usize;
            for &c in &self.kids[k] {
                self.nodes[c as usize].alive = false;
            }
        }
    }

    /// The node that numbers the path of `node`'s child `name`, whether or not it is in the
    /// tree: one is made outside the tree when there is none.
    fn key(&mut self, node: u32, name: &[u8]) -> u32 {
        match self.find(node, name) {
            Ok(pos) => self.children(node)[pos],
            Err(pos) => self.insert_child(node, pos, name, false),
        }
    }

    /// `FileTree.AddPath`: create missing intermediate nodes with an empty FileInfo, stop silently
    /// at a `.wh..wh.` name, and set the payload on the last node. The names `cursor` shares with
    /// the path added before are not searched again.
    fn add_path(&mut self, cursor: &mut Cursor, path: &[u8], info: Info) {
        let mut names = Self::names(path);
        let mut node = 0u32;
        let mut kept = 0;
        let mut start = 0;
        let mut next = None;
        for name in names.by_ref() {
            match cursor.parts.get(kept) {
                Some(&(end, n)) if &cursor.names[start..end] == name => {
                    node = n;
                    start = end;
                    kept += 1;
                }
                _ => {
                    next = Some(name);
                    break;
                }
            }
        }
        cursor.parts.truncate(kept);
        cursor.names.truncate(start);
        let mut any = kept > 0;
        for name in next.into_iter().chain(names) {
            node = match self.find(node, name) {
                Ok(pos) => self.children(node)[pos],
                Err(pos) => {
                    if name.starts_with(DOUBLE_WHITEOUT) {
                        return;
                    }
                    self.insert_child(node, pos, name, true)
                }
            };
            cursor.names.extend_from_slice(name);
            cursor.parts.push((cursor.names.len(), node));
            any = true;
        }
        if any {
            let n = &mut self.nodes[node as usize];
            n.size = info.size;
            n.is_dir = info.is_dir;
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
            let c = self.children(node)[pos];
            self.nodes[c as usize].alive = false;
        }
    }

    fn is_leaf(&self, node: u32) -> bool {
        self.children(node).is_empty()
    }

    /// Stack `upper` onto this tree: `FileTree.Stack`.
    fn stack(&mut self, upper: &DTree) {
        self.stack_below(upper, 0, 0, &mut Vec::new());
    }

    /// `FileTree.Stack` for the children of `upper`'s node `from`, which lands on this tree's
    /// node `onto` (the same path, `path`). Walking both trees together replaces a search from
    /// the root per node, in dive's order: children first, by name.
    fn stack_below(&mut self, upper: &DTree, from: u32, mut onto: u32, path: &mut Vec<u8>) {
        for &child in upper.children(from) {
            let name = upper.name(child);
            let len = path.len();
            path.push(b'/');
            path.extend_from_slice(name);
            if !upper.is_leaf(child) {
                // Adding the first child would create it empty.
                let below = self.child_or_insert(onto, name);
                self.stack_below(upper, child, below, path);
            }
            match whiteout_target(path) {
                Some(target) => {
                    self.remove(&target);
                    // A bare `.wh.` deletes its own directory: the siblings still to come land
                    // on a new one, as AddPath would create it.
                    if name == WHITEOUT && from != 0 {
                        onto = self.intern(&path[..len]);
                    }
                }
                // A `.wh..wh.` name also starts with `.wh.`, so AddPath's stop never applies here.
                None => {
                    // Searched again rather than reusing the recursion's node: a bare `.wh.`
                    // inside may have replaced the directory it landed on.
                    let node = self.child_or_insert(onto, name);
                    let n = &mut self.nodes[node as usize];
                    n.size = upper.nodes[child as usize].size;
                    n.is_dir = upper.nodes[child as usize].is_dir;
                }
            }
            path.truncate(len);
        }
    }
}

/// The names of the path added last to a layer's tree and their nodes: tar entries mostly come
/// directory by directory, so a path shares most of its names with the one before.
#[derive(Default)]
struct Cursor {
    names: Vec<u8>,
    /// Per name: where it ends in `names`, and its node.
    parts: Vec<(usize, u32)>,
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
    let mut cursor = Cursor::default();
    let mut size = 0u64;
    for e in &scan.entries {
        let path = scan.bytes(e.path);
        if path == b"." {
            continue;
        }
        size = size.wrapping_add(e.size);
        let is_dir = e.kind == Kind::Dir || e.mode & 0o170000 == 0o040000;
        tree.add_path(
            &mut cursor,
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
    /// Put a path in the tree, creating the missing directories empty.
    fn intern(&mut self, path: &[u8]) -> u32 {
        self.walk(path, Self::child_or_insert)
    }

    /// The node that numbers a path, in the tree or not ([`DTree::key`]).
    fn key_of(&mut self, path: &[u8]) -> u32 {
        self.walk(path, Self::key)
    }

    /// Follow a path from the root, taking each name with `step`.
    fn walk(&mut self, path: &[u8], step: fn(&mut DTree, u32, &[u8]) -> u32) -> u32 {
        Self::names(path).fold(0, |node, name| step(self, node, name))
    }

    /// The total size of `node` and everything below it (the root itself not included), as dive
    /// sums a deleted directory.
    fn subtree_size(&self, node: u32) -> i64 {
        let own = if node == 0 {
            0
        } else {
            self.nodes[node as usize].size
        };
        self.children(node)
            .iter()
            .filter(|&&c| self.nodes[c as usize].alive)
            .fold(own, |sum, &c| sum + self.subtree_size(c))
    }
}

/// dive's per-path records over all layers so far.
///
/// Tallies are indexed by a path's node in the stacked tree, which keeps a node for every path
/// it ever saw: a deleted path leaves the tree but keeps its node, and the paths of the layer
/// being tallied get theirs before it is stacked. A trie of its own for the tallies was as large
/// as the stacked tree and the analysis peaked while both were alive.
struct Tallies {
    tallies: Vec<Tally>,
    /// Paths seen twice, in the order they became so.
    inefficient: Vec<(u32, Vec<u8>)>,
}

impl Tallies {
    /// Tally the leaves below `node` of one layer's `tree` (whose path `path` is numbered by
    /// `key` in `stacked`) in dive's order, children first and by name; `stacked` is the tree of
    /// the layers below. Returns false where dive's visitor fails and stops visiting this layer.
    fn layer(
        &mut self,
        tree: &DTree,
        stacked: &mut DTree,
        node: u32,
        key: u32,
        path: &mut Vec<u8>,
    ) -> bool {
        for &child in tree.children(node) {
            let name = tree.name(child);
            let len = path.len();
            path.push(b'/');
            path.extend_from_slice(name);
            let go_on = if !tree.is_leaf(child) {
                let below = stacked.key(key, name);
                self.layer(tree, stacked, child, below, path)
            } else if let Some(target) = whiteout_target(path) {
                self.whiteout(stacked, collapse_double_slash(target))
            } else {
                let id = stacked.key(key, name);
                self.add(id, tree.nodes[child as usize].size, || path.clone());
                true
            };
            path.truncate(len);
            if !go_on {
                return false;
            }
        }
        true
    }

    /// A whiteout counts the size of what it deletes, measured in the layers below.
    fn whiteout(&mut self, stacked: &mut DTree, key: Vec<u8>) -> bool {
        let id = stacked.key_of(&key);
        let Some(prev) = stacked.get(&key) else {
            // dive: GetNode fails, the visitor returns the error and the rest of this layer is
            // not visited. The tally keeps its -1 minimum.
            self.tally(id).min = self.tally(id).min.max(-1);
            return false;
        };
        let size = if stacked.nodes[prev as usize].is_dir {
            stacked.subtree_size(prev)
        } else {
            0
        };
        self.add(id, size, || key);
        true
    }

    fn tally(&mut self, id: u32) -> &mut Tally {
        let id = id as usize;
        if self.tallies.len() <= id {
            self.tallies.resize(
                id + 1,
                Tally {
                    cumulative: 0,
                    min: ABSENT,
                    nodes: 0,
                },
            );
        }
        &mut self.tallies[id]
    }

    fn add(&mut self, id: u32, size: i64, path: impl FnOnce() -> Vec<u8>) {
        let tally = self.tally(id);
        if tally.min < 0 || size < tally.min {
            tally.min = size;
        }
        tally.cumulative += size;
        tally.nodes += 1;
        if tally.nodes == 2 {
            self.inefficient.push((id, path()));
        }
    }
}

/// Compute dive's figures from the scans, in manifest order (a layer listed twice counts twice, as
/// in dive). `None` when dive would refuse the image (it rejects named PAX global headers).
pub(crate) fn figures(scans: &[&LayerScan]) -> Option<DiveFigures> {
    if scans.iter().any(|s| s.dive_rejects) {
        return None;
    }
    let mut t = Tallies {
        tallies: Vec::new(),
        inefficient: Vec::new(),
    };
    let mut layer_sizes = Vec::with_capacity(scans.len());
    // dive's StackTreeRange(trees, 0, i-1) starts from a copy of the first tree and then stacks
    // trees 0..i-1 onto it (so for the first layer, the "lower" stack is the layer itself). Each
    // layer's tree is built, visited, stacked and dropped in turn, so only two trees are alive.
    let mut stacked: Option<DTree> = None;
    for scan in scans {
        let (tree, size) = layer_tree(scan);
        layer_sizes.push(size);
        let stacked = stacked.get_or_insert_with(|| tree.clone());
        t.layer(&tree, stacked, 0, 0, &mut Vec::new());
        stacked.stack(&tree);
    }
    let Tallies {
        tallies,
        inefficient,
    } = t;
    drop(stacked);
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
