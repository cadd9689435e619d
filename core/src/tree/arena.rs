//! The merged file tree: an arena of nodes (one per path ever seen), each with a chain of
//! versions (one per layer that wrote or removed it). Every view the front ends need comes from
//! this one structure: the final image, the filesystem as of any layer, one layer's changes, and
//! the earlier versions a path shadows.

use serde::Serialize;

use crate::layer::scan::{Kind, Span};

/// Index of a node in the arena. The root is `NodeId(0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

/// Index of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct VersionId(pub u32);

/// Index of a stored content (the data of a regular file, shared by its hardlinks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ContentId(pub u32);

pub(crate) const NONE: u32 = u32::MAX;

/// Why a path stopped existing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemovedBy {
    /// A `.wh.NAME` whiteout of the path or of a directory above it.
    Whiteout,
    /// An opaque directory marker above it.
    Opaque,
    /// A later entry of another type replaced it or a directory above it.
    Replaced,
}

/// What a version of a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionKind {
    /// The path exists as this kind of entry.
    Entry(Kind),
    /// The path was removed in this layer.
    Removed(RemovedBy),
}

/// One layer's version of a path.
#[derive(Debug, Clone)]
pub struct Version {
    /// 0-based layer index that wrote it.
    pub layer: u16,
    /// What it is.
    pub kind: VersionKind,
    /// True for a directory the layer did not list but needed for a child.
    pub implicit: bool,
    /// Permission and type bits from the tar header.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size from the tar header (0 for hardlinks, directories, removals).
    pub size: u64,
    pub(crate) content: u32,
    pub(crate) link: Span,
    pub(crate) prev: u32,
    pub(crate) node: u32,
}

impl Version {
    /// True unless this version is a removal.
    pub fn exists(&self) -> bool {
        matches!(self.kind, VersionKind::Entry(_))
    }

    /// The entry kind, or `None` for a removal.
    pub fn entry_kind(&self) -> Option<Kind> {
        match self.kind {
            VersionKind::Entry(k) => Some(k),
            VersionKind::Removed(_) => None,
        }
    }

    /// The content this version names (regular files and hardlinks).
    pub fn content(&self) -> Option<ContentId> {
        (self.content != NONE).then_some(ContentId(self.content))
    }

    /// The node this version belongs to.
    pub fn node(&self) -> NodeId {
        NodeId(self.node)
    }

    /// True for a live directory.
    pub fn is_dir(&self) -> bool {
        self.kind == VersionKind::Entry(Kind::Dir)
    }
}

/// The bytes of a regular file as stored in one layer.
#[derive(Debug, Clone)]
pub struct Content {
    /// Size in bytes.
    pub size: u64,
    /// Layer that stores it.
    pub layer: u16,
    /// Offset of the data in that layer's uncompressed stream.
    pub data_offset: u64,
    /// Where its sha256 is in [`FileTree::hashes`], or [`NO_SHA`] where none was computed. Out
    /// of line: most contents never need one, and 32 bytes inline made a content half as large
    /// again.
    pub(crate) sha: u32,
    /// xxh3-128 of the data, for contents hashed while their layer streamed (see
    /// `layer::contents`).
    pub fingerprint: Option<[u8; 16]>,
    /// The version that wrote it (its first name).
    pub version: VersionId,
}

/// [`Content::sha`] of a content without a sha256.
pub(crate) const NO_SHA: u32 = u32::MAX;

impl Content {
    /// Whether its sha256 is known.
    pub fn has_sha256(&self) -> bool {
        self.sha != NO_SHA
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: Span,
    pub parent: u32,
    pub latest: u32,
    pub children: Vec<NodeId>,
}

/// The merged tree of an image.
#[derive(Debug, Clone, Default)]
pub struct FileTree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) names: Vec<u8>,
    pub(crate) versions: Vec<Version>,
    pub(crate) contents: Vec<Content>,
    /// The sha256 digests [`Content::sha`] points at. A content that took an equal content's
    /// sha256 after the scans ([`FileTree::settle_hashes`]) shares its entry.
    pub(crate) hashes: Vec<[u8; 32]>,
    pub(crate) layer_count: usize,
}

impl FileTree {
    /// Give a content that has only a fingerprint the sha256 of another with the same size and
    /// fingerprint; a content equal to no hashed one keeps none (it is unique).
    pub(crate) fn settle_hashes(&mut self) {
        let wanted: hashbrown::HashSet<(u64, [u8; 16])> = self
            .contents
            .iter()
            .filter_map(|c| Some((c.size, c.fingerprint?)).filter(|_| !c.has_sha256()))
            .collect();
        let mut known: hashbrown::HashMap<(u64, [u8; 16]), u32> = hashbrown::HashMap::new();
        for c in &self.contents {
            if let Some(f) = c.fingerprint.filter(|_| c.has_sha256()) {
                if wanted.contains(&(c.size, f)) {
                    known.insert((c.size, f), c.sha);
                }
            }
        }
        for c in &mut self.contents {
            if let Some(f) = c.fingerprint.filter(|_| !c.has_sha256()) {
                c.sha = known.get(&(c.size, f)).copied().unwrap_or(NO_SHA);
            }
        }
    }

    /// A content's sha256, where it was computed.
    pub fn sha256(&self, c: &Content) -> Option<[u8; 32]> {
        self.hashes.get(c.sha as usize).copied()
    }

    /// Record a content's sha256 (or that it has none).
    pub(crate) fn set_sha256(&mut self, c: ContentId, sha: Option<[u8; 32]>) {
        let at = self.store_sha256(sha);
        self.contents[c.0 as usize].sha = at;
    }

    /// Keep a sha256 for a content about to be added: its [`Content::sha`].
    pub(crate) fn store_sha256(&mut self, sha: Option<[u8; 32]>) -> u32 {
        match sha {
            Some(h) => {
                self.hashes.push(h);
                (self.hashes.len() - 1) as u32
            }
            None => NO_SHA,
        }
    }

    /// Whether two contents hold the same bytes, where their digests tell.
    pub(crate) fn same_data(&self, a: ContentId, b: ContentId) -> Option<bool> {
        let (a, b) = (self.content(a), self.content(b));
        match (self.sha256(a), self.sha256(b), a.fingerprint, b.fingerprint) {
            (Some(x), Some(y), _, _) => Some(x == y),
            (_, _, Some(x), Some(y)) => Some(x == y && a.size == b.size),
            _ => None,
        }
    }

    /// The root directory.
    pub const ROOT: NodeId = NodeId(0);

    /// Number of nodes (every path that existed in any layer).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the tree holds only the root.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Number of layers merged.
    pub fn layer_count(&self) -> usize {
        self.layer_count
    }

    /// A node's base name (raw bytes; empty for the root).
    pub fn name(&self, id: NodeId) -> &[u8] {
        let s = self.nodes[id.0 as usize].name;
        &self.names[s.start as usize..(s.start + s.len) as usize]
    }

    /// A node's parent (`None` for the root).
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.nodes[id.0 as usize].parent;
        (p != NONE).then_some(NodeId(p))
    }

    /// Children sorted by name, including ones that do not exist in every layer.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.0 as usize].children
    }

    /// The absolute path of a node, `/usr/bin/gcc` (raw bytes).
    pub fn path(&self, id: NodeId) -> Vec<u8> {
        // Rules ask for the path of every node: one walk up to size it, one to fill it from the
        // end, and a single allocation.
        let mut len = 0;
        let mut cur = id;
        while cur != Self::ROOT {
            len += 1 + self.name(cur).len();
            cur = self.parent(cur).unwrap_or(Self::ROOT);
        }
        if len == 0 {
            return b"/".to_vec();
        }
        let mut out = vec![0u8; len];
        let mut end = len;
        cur = id;
        while cur != Self::ROOT {
            let name = self.name(cur);
            out[end - name.len()..end].copy_from_slice(name);
            end -= name.len() + 1;
            out[end] = b'/';
            cur = self.parent(cur).unwrap_or(Self::ROOT);
        }
        out
    }

    /// The path shown lossily as text.
    pub fn path_string(&self, id: NodeId) -> String {
        String::from_utf8(self.path(id))
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// A version by id.
    pub fn version(&self, id: VersionId) -> &Version {
        &self.versions[id.0 as usize]
    }

    /// A content by id.
    pub fn content(&self, id: ContentId) -> &Content {
        &self.contents[id.0 as usize]
    }

    /// Every content stored in any layer.
    pub fn contents(&self) -> impl Iterator<Item = (ContentId, &Content)> {
        self.contents
            .iter()
            .enumerate()
            .map(|(i, c)| (ContentId(i as u32), c))
    }

    /// The link target of a version (raw bytes; empty when it is not a link).
    pub fn link(&self, v: &Version) -> &[u8] {
        &self.names[v.link.start as usize..(v.link.start + v.link.len) as usize]
    }

    /// Versions of a node, newest first.
    pub fn versions(&self, id: NodeId) -> impl Iterator<Item = (VersionId, &Version)> {
        let mut cur = self.nodes[id.0 as usize].latest;
        std::iter::from_fn(move || {
            if cur == NONE {
                return None;
            }
            let v = &self.versions[cur as usize];
            let out = (VersionId(cur), v);
            cur = v.prev;
            Some(out)
        })
    }

    /// The newest version written in or before `layer`.
    pub fn version_at(&self, id: NodeId, layer: usize) -> Option<(VersionId, &Version)> {
        self.versions(id)
            .find(|(_, v)| usize::from(v.layer) <= layer)
    }

    /// The version visible as of `layer`, if the path exists then. The root always exists.
    pub fn live_at(&self, id: NodeId, layer: usize) -> Option<&Version> {
        self.version_at(id, layer)
            .map(|(_, v)| v)
            .filter(|v| v.exists())
    }

    /// The version in the final image, if the path exists there.
    pub fn live_final(&self, id: NodeId) -> Option<&Version> {
        let latest = self.nodes[id.0 as usize].latest;
        if latest == NONE {
            return None;
        }
        Some(&self.versions[latest as usize]).filter(|v| v.exists())
    }

    /// All node ids, parents before children.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// What a layer did to a path.
    pub fn change_in(&self, id: NodeId, layer: usize) -> Change {
        let mut this: Option<&Version> = None;
        let mut before: Option<&Version> = None;
        for (_, v) in self.versions(id) {
            let l = usize::from(v.layer);
            if l > layer {
                continue;
            }
            if l == layer {
                this.get_or_insert(v);
            } else {
                before = Some(v);
                break;
            }
        }
        let existed = before.is_some_and(Version::exists);
        match this {
            None if existed => Change::Unchanged,
            None => Change::Absent,
            Some(v) if !v.exists() => {
                if existed {
                    Change::Removed
                } else {
                    Change::Absent
                }
            }
            Some(_) if existed => Change::Modified,
            Some(_) => Change::Added,
        }
    }

    /// Find a node by absolute or relative path (`/usr/bin/gcc`).
    pub fn lookup(&self, path: &[u8]) -> Option<NodeId> {
        let mut cur = Self::ROOT;
        for part in path
            .split(|&b| b == b'/')
            .filter(|p| !p.is_empty() && *p != b".")
        {
            let kids = self.children(cur);
            let i = kids.binary_search_by(|&c| self.name(c).cmp(part)).ok()?;
            cur = kids[i];
        }
        Some(cur)
    }

    /// Size of each node's subtree as of `layer` (files' header sizes summed; a removed or absent
    /// node counts 0). Index by `NodeId.0`.
    pub fn sizes_at(&self, layer: usize) -> Vec<u64> {
        let mut sizes = vec![0u64; self.nodes.len()];
        // Children always have larger ids than their parents, so one backwards sweep sums bottom-up.
        for i in (0..self.nodes.len()).rev() {
            let own = match self.live_at(NodeId(i as u32), layer) {
                Some(v) if v.entry_kind() != Some(Kind::Hardlink) => v.size,
                Some(_) => 0,
                None if i == 0 => 0,
                None => {
                    sizes[i] = 0;
                    continue;
                }
            };
            sizes[i] += own;
            let p = self.nodes[i].parent;
            if p != NONE {
                sizes[p as usize] += sizes[i];
            }
        }
        sizes
    }
}

/// What one layer did to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// The layer created it.
    Added,
    /// The layer rewrote it (content or metadata).
    Modified,
    /// The layer deleted it.
    Removed,
    /// It exists and the layer did not touch it.
    Unchanged,
    /// It does not exist as of this layer and was not removed by it.
    Absent,
}
