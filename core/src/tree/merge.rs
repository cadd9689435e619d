//! Merging layer scans, in layer order, into the [`FileTree`]. The rules follow the OCI image spec
//! (`layer.md`, "Applying Changesets" and "Whiteouts") and Docker's applier:
//!
//! - whiteouts and opaque markers apply to lower layers only, so a layer's own entries are never
//!   hidden by its own markers: each layer is applied in two passes, markers first;
//! - an entry of another type replaces a path (a directory replaced by a file loses its subtree);
//!   a directory entry over a directory keeps the children;
//! - a missing parent directory is created implicitly; a parent that is a file is replaced;
//! - a hardlink shares its target's content, so the data lives until its last name goes;
//! - paths that climb out of the root (`../x`) are never applied, only reported.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use hashbrown::HashTable;

use super::arena::{
    Content, FileTree, NONE, Node, NodeId, RemovedBy, Version, VersionId, VersionKind,
};
use crate::layer::path::{self, Relative};
use crate::layer::scan::{Kind, LayerScan, ScanEntry, Span};
use crate::warning::{Warning, WarningKind};

/// How many individual oddities of one kind per layer are spelled out before they are counted.
const DETAIL_LIMIT: usize = 5;

struct Merger {
    tree: FileTree,
    /// (parent, name) → node, for lookups while merging.
    index: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    warnings: Vec<Warning>,
}

/// Merge scans (index = layer) into a tree. A scan's entries are freed as soon as its layer is
/// applied (unless a later layer is the same scan): the tree then grows beside one layer's
/// entries, not beside all of them.
pub(crate) fn merge(scans: &mut [Arc<LayerScan>]) -> (FileTree, Vec<Warning>) {
    let mut m = Merger {
        tree: FileTree {
            nodes: vec![Node {
                name: Span::default(),
                parent: NONE,
                latest: NONE,
                children: Vec::new(),
            }],
            layer_count: scans.len(),
            ..FileTree::default()
        },
        // The tree has about as many paths as its largest layer has entries, or more. Grown by
        // doubling from nothing, the index re-hashed every name at each step, about a third of
        // the merge on node-app; sized for the sum, it would be several times too large for
        // layers that rewrite the same paths.
        index: HashTable::with_capacity(scans.iter().map(|s| s.entries.len()).max().unwrap_or(0)),
        hasher: hashbrown::DefaultHashBuilder::default(),
        warnings: Vec::new(),
    };
    // Sized from the entry counts up front: grown by doubling, the arena's vectors carried up to
    // half their size in slack at the analysis' memory peak.
    let entries: usize = scans.iter().map(|s| s.entries.len()).sum();
    let files = scans
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| e.kind == Kind::File)
        .count();
    m.tree.versions.reserve_exact(entries);
    m.tree.contents.reserve_exact(files);
    for (layer, scan) in scans.iter_mut().enumerate() {
        m.apply_layer(layer as u16, scan);
        if let Some(scan) = Arc::get_mut(scan) {
            scan.release_entries();
        }
    }
    m.tree.nodes.shrink_to_fit();
    m.tree.names.shrink_to_fit();
    m.tree.versions.shrink_to_fit();
    m.tree.hashes.shrink_to_fit();
    // Sorted children make lookups and listings deterministic and binary-searchable.
    let FileTree { nodes, names, .. } = &mut m.tree;
    let spans: Vec<Span> = nodes.iter().map(|n| n.name).collect();
    for node in nodes.iter_mut() {
        node.children.sort_unstable_by(|a, b| {
            span_bytes(names, spans[a.0 as usize]).cmp(span_bytes(names, spans[b.0 as usize]))
        });
    }
    (m.tree, m.warnings)
}

fn span_bytes(names: &[u8], s: Span) -> &[u8] {
    &names[s.start as usize..(s.start + s.len) as usize]
}

/// Counts oddities per layer and spells out the first few.
struct Oddities {
    kind: WarningKind,
    what: &'static str,
    seen: usize,
    examples: Vec<String>,
}

impl Oddities {
    fn new(kind: WarningKind, what: &'static str) -> Self {
        Oddities {
            kind,
            what,
            seen: 0,
            examples: Vec::new(),
        }
    }

    fn note(&mut self, path: &[u8]) {
        self.seen += 1;
        if self.examples.len() < DETAIL_LIMIT {
            self.examples.push(path::display(path));
        }
    }

    fn flush(self, layer: u16, out: &mut Vec<Warning>) {
        if self.seen == 0 {
            return;
        }
        let more = self.seen - self.examples.len();
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(Warning::new(
            self.kind,
            format!(
                "layer {layer}: {} {}: {}{tail}",
                self.seen,
                self.what,
                self.examples.join(", ")
            ),
        ));
    }
}

/// The index's hash of a (parent, name) key: for lookups, and again when the table grows.
fn key_hash(hasher: &hashbrown::DefaultHashBuilder, parent: u32, name: &[u8]) -> u64 {
    let mut h = hasher.build_hasher();
    parent.hash(&mut h);
    name.hash(&mut h);
    h.finish()
}

impl Merger {
    fn hash_key(&self, parent: u32, name: &[u8]) -> u64 {
        key_hash(&self.hasher, parent, name)
    }

    fn child(&self, parent: u32, name: &[u8]) -> Option<u32> {
        self.child_hashed(parent, name, self.hash_key(parent, name))
    }

    fn child_hashed(&self, parent: u32, name: &[u8], hash: u64) -> Option<u32> {
        let t = &self.tree;
        self.index
            .find(hash, |&id| {
                let n = &t.nodes[id as usize];
                n.parent == parent && span_bytes(&t.names, n.name) == name
            })
            .copied()
    }

    fn intern(&mut self, bytes: &[u8]) -> Span {
        let start = self.tree.names.len() as u32;
        self.tree.names.extend_from_slice(bytes);
        Span {
            start,
            len: bytes.len() as u32,
        }
    }

    fn child_or_create(&mut self, parent: u32, name: &[u8]) -> u32 {
        let hash = self.hash_key(parent, name);
        if let Some(id) = self.child_hashed(parent, name, hash) {
            return id;
        }
        let id = self.tree.nodes.len() as u32;
        let span = self.intern(name);
        self.tree.nodes.push(Node {
            name: span,
            parent,
            latest: NONE,
            children: Vec::new(),
        });
        self.tree.nodes[parent as usize].children.push(NodeId(id));
        let Merger {
            index,
            tree,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, id, |&nid| {
            let n = &tree.nodes[nid as usize];
            key_hash(hasher, n.parent, span_bytes(&tree.names, n.name))
        });
        id
    }

    /// Look up an existing path without creating anything.
    fn find(&self, rel: &[u8]) -> Option<u32> {
        let mut cur = 0u32;
        for part in rel.split(|&b| b == b'/') {
            cur = self.child(cur, part)?;
        }
        Some(cur)
    }

    fn live(&self, node: u32) -> Option<&Version> {
        let latest = self.tree.nodes[node as usize].latest;
        (latest != NONE)
            .then(|| &self.tree.versions[latest as usize])
            .filter(|v| v.exists())
    }

    fn push_version(&mut self, node: u32, mut v: Version) -> u32 {
        let id = self.tree.versions.len() as u32;
        v.prev = self.tree.nodes[node as usize].latest;
        v.node = node;
        self.tree.versions.push(v);
        self.tree.nodes[node as usize].latest = id;
        id
    }

    /// A version with no metadata of its own (removals, implied directories).
    fn bare(layer: u16, kind: VersionKind) -> Version {
        Version {
            layer,
            kind,
            implicit: false,
            mode: 0,
            uid: 0,
            gid: 0,
            size: 0,
            content: NONE,
            link: Span::default(),
            prev: NONE,
            node: NONE,
        }
    }

    fn removal(layer: u16, by: RemovedBy) -> Version {
        Self::bare(layer, VersionKind::Removed(by))
    }

    /// Remove a node and every live node below it.
    fn remove_subtree(&mut self, node: u32, layer: u16, by: RemovedBy) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if self.live(n).is_none() {
                continue;
            }
            stack.extend(self.tree.nodes[n as usize].children.iter().map(|c| c.0));
            self.push_version(n, Self::removal(layer, by));
        }
    }

    fn remove_children(&mut self, dir: u32, layer: u16, by: RemovedBy) {
        let kids: Vec<u32> = self.tree.nodes[dir as usize]
            .children
            .iter()
            .map(|c| c.0)
            .collect();
        for k in kids {
            self.remove_subtree(k, layer, by);
        }
    }

    /// A directory a layer needs for a child but does not list; Docker's applier creates it 0755.
    fn implicit_dir(layer: u16) -> Version {
        Version {
            implicit: true,
            mode: 0o755,
            ..Self::bare(layer, VersionKind::Entry(Kind::Dir))
        }
    }

    /// Walk to the parent directory of `rel`, creating or un-shadowing directories as needed.
    fn ensure_parents(&mut self, rel: &[u8], layer: u16) -> u32 {
        let (parent, _) = path::split_parent(rel);
        let mut cur = 0u32;
        if parent.is_empty() {
            return cur;
        }
        for part in parent.split(|&b| b == b'/') {
            let next = self.child_or_create(cur, part);
            match self.live(next).map(Version::is_dir) {
                Some(true) => {}
                Some(false) => {
                    // A file where a directory is needed: Docker's applier removes it.
                    self.push_version(next, Self::implicit_dir(layer));
                }
                None => {
                    self.push_version(next, Self::implicit_dir(layer));
                }
            }
            cur = next;
        }
        cur
    }

    fn apply_layer(&mut self, layer: u16, scan: &LayerScan) {
        let mut escapes = Oddities::new(
            WarningKind::PathEscapesRoot,
            "entries with paths outside the image root were not applied",
        );
        let mut missing = Oddities::new(
            WarningKind::WhiteoutOfMissingPath,
            "whiteouts name paths that do not exist below",
        );
        let mut dangling = Oddities::new(
            WarningKind::DanglingHardlink,
            "hardlinks name missing targets",
        );
        let mut dupes = Oddities::new(
            WarningKind::DuplicateEntry,
            "paths appear twice in the layer (the last one wins)",
        );

        // Pass 1: whiteouts and opaque markers, against the lower layers only.
        for e in scan
            .entries
            .iter()
            .filter(|e| matches!(e.kind, Kind::Whiteout | Kind::Opaque))
        {
            let cleaned = scan.bytes(e.path);
            let Relative::Inside(rel) = path::relative(cleaned) else {
                escapes.note(cleaned);
                continue;
            };
            let (parent, base) = path::split_parent(rel);
            match e.kind {
                Kind::Whiteout => {
                    let name = &base[path::WHITEOUT_PREFIX.len()..];
                    let mut target = parent.to_vec();
                    if !target.is_empty() {
                        target.push(b'/');
                    }
                    target.extend_from_slice(name);
                    match self.find(&target).filter(|&n| self.live(n).is_some()) {
                        Some(n) => self.remove_subtree(n, layer, RemovedBy::Whiteout),
                        None => missing.note(&target),
                    }
                }
                _ => {
                    let dir = if parent.is_empty() {
                        Some(0)
                    } else {
                        self.find(parent)
                    };
                    if let Some(d) =
                        dir.filter(|&d| d == 0 || self.live(d).is_some_and(Version::is_dir))
                    {
                        self.remove_children(d, layer, RemovedBy::Opaque);
                    }
                }
            }
        }

        // Pass 2: the layer's own entries, in archive order.
        let mut written_here: hashbrown::HashSet<u32> = hashbrown::HashSet::new();
        for e in &scan.entries {
            if matches!(e.kind, Kind::Whiteout | Kind::Opaque | Kind::Meta) {
                continue;
            }
            let cleaned = scan.bytes(e.path);
            let rel = match path::relative(cleaned) {
                Relative::Inside(rel) => rel,
                Relative::Root => continue,
                Relative::Escapes => {
                    escapes.note(cleaned);
                    continue;
                }
            };
            let parent = self.ensure_parents(rel, layer);
            let (_, base) = path::split_parent(rel);
            let node = self.child_or_create(parent, base);
            if !written_here.insert(node) && e.kind != Kind::Dir {
                dupes.note(rel);
            }
            self.apply_entry(node, layer, e, scan, &mut dangling);
        }
        for o in [escapes, missing, dangling, dupes] {
            o.flush(layer, &mut self.warnings);
        }
    }

    fn apply_entry(
        &mut self,
        node: u32,
        layer: u16,
        e: &ScanEntry,
        scan: &LayerScan,
        dangling: &mut Oddities,
    ) {
        let was_dir = self.live(node).map(Version::is_dir);
        if e.kind != Kind::Dir && was_dir == Some(true) {
            // A directory replaced by a non-directory loses everything below it.
            self.remove_children(node, layer, RemovedBy::Replaced);
        }
        let mut v = Version {
            layer,
            kind: VersionKind::Entry(e.kind),
            implicit: false,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            content: NONE,
            link: Span::default(),
            prev: NONE,
            node: NONE,
        };
        match e.kind {
            Kind::Symlink => v.link = self.intern(scan.bytes(e.link)),
            Kind::Hardlink => {
                let target = scan.bytes(e.link);
                v.link = self.intern(target);
                let found = match path::relative(target) {
                    Relative::Inside(t) => self.find(t),
                    _ => None,
                };
                match found
                    .and_then(|t| self.live(t))
                    .map(|tv| (tv.content, tv.size, tv.entry_kind()))
                {
                    Some((content, _, _)) if content != NONE => {
                        v.content = content;
                        v.size = 0;
                    }
                    Some(_) => {}
                    None => dangling.note(target),
                }
            }
            Kind::File => {
                let cid = self.tree.contents.len() as u32;
                let digests = scan.digests_of(e);
                let sha = self.tree.store_sha256(digests.and_then(|d| d.sha256));
                self.tree.contents.push(Content {
                    size: e.size,
                    layer,
                    data_offset: e.data_offset,
                    sha,
                    fingerprint: digests.map(|d| d.fingerprint),
                    version: VersionId(self.tree.versions.len() as u32),
                });
                v.content = cid;
            }
            _ => {}
        }
        self.push_version(node, v);
    }
}
