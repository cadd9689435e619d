//! A UI-agnostic navigation model over a [`FileTree`]: which paths are shown for the selected
//! layer, which directories are expanded, the visible rows and the selection.
//!
//! The flattened list of visible rows is never built. Instead every node keeps the number of
//! rows its children would show (`inner`), so row `i` is found by descending from the root,
//! skipping whole sibling subtrees by their counts, and the rows on screen are walked from
//! there. That keeps every keystroke cheap on 500,000-node trees:
//!
//! - moving the selection changes one integer; drawing walks only the rows on screen;
//! - expanding or collapsing a directory adds or subtracts its count along its ancestors;
//! - changing the layer, mode, filter or toggles runs two linear sweeps over flat arrays (which
//!   nodes are shown, and the counts), with no sorting and no allocation per node;
//! - children are sorted (by size or name) only when a walk enters their directory, and the
//!   order is cached until the next change of what is shown.
//!
//! Everything drawn per row (name, size, colour, attributes) is computed by
//! [`NavModel::row_view`] for the rows on screen only.
//!
//! The model does not own the tree, so the app can hold both side by side; every method that
//! needs the tree takes it as an argument.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use imgslim_core::Kind;
use imgslim_core::tree::{Change, FileTree, NodeId, Version};

use crate::filter;

/// Which paths the tree shows for the selected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The whole filesystem as of the layer, coloured by what layers 1..=N changed relative to
    /// the base layer (dive's "aggregated changes").
    #[default]
    Aggregated,
    /// Only the paths this layer added, modified or removed (dive's "layer changes").
    Layer,
}

/// How siblings are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Largest first (size as of the selected layer), then by name. dive users asked for this.
    #[default]
    Size,
    /// By name, bytewise.
    Name,
}

/// Which kinds of change are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShowChanges {
    /// Paths added.
    pub added: bool,
    /// Paths modified.
    pub modified: bool,
    /// Paths removed.
    pub removed: bool,
    /// Paths present and untouched.
    pub unchanged: bool,
}

impl Default for ShowChanges {
    fn default() -> Self {
        ShowChanges {
            added: true,
            modified: true,
            removed: true,
            unchanged: true,
        }
    }
}

/// One visible row of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The node shown.
    pub node: NodeId,
    /// Depth below the root (top-level entries are 0).
    pub depth: u16,
    /// True when this is the last shown child of its parent (draws `└──` rather than `├──`).
    pub last: bool,
    /// Bit `d` set: the ancestor at depth `d` was a last child, so no `│` is drawn in that column.
    /// Depths past 31 draw no guides.
    pub guides: u32,
}

/// What a row shows, computed only for rows on screen.
#[derive(Debug, Clone)]
pub struct RowView<'t> {
    /// The node.
    pub node: NodeId,
    /// Base name (raw bytes).
    pub name: &'t [u8],
    /// Depth below the root.
    pub depth: u16,
    /// Last shown child of its parent.
    pub last: bool,
    /// Ancestor-last bits, see [`Row::guides`].
    pub guides: u32,
    /// What the mode says happened to the path.
    pub change: Change,
    /// The version whose attributes are shown: the live one, or for a removal the one removed.
    pub version: Option<&'t Version>,
    /// A directory (live, or the removed one).
    pub is_dir: bool,
    /// Expanded (directories only).
    pub expanded: bool,
    /// Size as of the layer (directories: everything below).
    pub size: u64,
    /// Whether some stored copy of this path is not visible in the final image.
    pub wasted: bool,
}

/// The navigation state. See the module docs.
#[derive(Debug, Clone)]
pub struct NavModel {
    layer: usize,
    mode: Mode,
    sort: SortOrder,
    show: ShowChanges,
    wasted_only: bool,
    filter: String,
    /// Per node: its parent's index (the root points at itself), copied out of the tree so the
    /// sweeps read one flat array.
    parents: Vec<u32>,
    /// Per node: shown on its own merits in this layer, mode and toggles (filter aside).
    base: Vec<bool>,
    /// Per node: its path contains the filter (empty when there is no filter).
    matches: Vec<bool>,
    /// Lower-case names for case-insensitive filtering, built on the first filter.
    lower: Option<filter::LowerNames>,
    /// Per node: shown (on its own merits and the filter, or for a shown descendant).
    included: Vec<bool>,
    /// Per node: rows its shown children take when it is expanded (their own rows plus the
    /// rows of those that are expanded). The root's count is the number of rows.
    inner: Vec<u32>,
    /// Per node: a stored copy of it is not in the final image.
    wasted: Vec<bool>,
    /// Expansion without a filter; kept while filtering so clearing the filter restores it.
    expanded: Vec<bool>,
    /// Expansion while filtering: everything starts expanded so matches are visible.
    expanded_filter: Vec<bool>,
    /// Shown children in display order, per directory a walk has entered.
    sorted: HashMap<u32, Arc<[NodeId]>>,
    selected: usize,
    /// The selected node, kept in step with `selected`.
    selected_node: Option<NodeId>,
    offset: usize,
    /// Sizes as of a layer, most recently used last; at most [`SIZE_CACHE`] layers are kept.
    sizes: Vec<(usize, Vec<u64>)>,
}

/// Layers whose directory sizes stay cached (8 bytes per node each).
const SIZE_CACHE: usize = 4;

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
    /// A model for `tree`, showing the last layer with top-level directories collapsed.
    pub fn new(tree: &FileTree) -> Self {
        let n = tree.len();
        let parents = tree
            .node_ids()
            .map(|id| tree.parent(id).map_or(0, |p| p.0))
            .collect();
        let mut m = NavModel {
            layer: tree.layer_count().saturating_sub(1),
            mode: Mode::default(),
            sort: SortOrder::default(),
            show: ShowChanges::default(),
            wasted_only: false,
            filter: String::new(),
            parents,
            base: Vec::new(),
            matches: Vec::new(),
            lower: None,
            included: Vec::new(),
            inner: Vec::new(),
            wasted: wasted_nodes(tree),
            expanded: vec![false; n],
            expanded_filter: Vec::new(),
            sorted: HashMap::new(),
            selected: 0,
            selected_node: None,
            offset: 0,
            sizes: Vec::new(),
        };
        m.compute_base(tree);
        m.rebuild(tree);
        m
    }

    // ---- state getters -------------------------------------------------------------------

    /// The layer whose filesystem is shown.
    pub fn layer(&self) -> usize {
        self.layer
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The sort order.
    pub fn sort(&self) -> SortOrder {
        self.sort
    }

    /// Which changes are shown.
    pub fn show(&self) -> ShowChanges {
        self.show
    }

    /// Whether only wasted paths (and their directories) are shown.
    pub fn wasted_only(&self) -> bool {
        self.wasted_only
    }

    /// The path filter (empty: none).
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Number of visible rows.
    pub fn len(&self) -> usize {
        self.inner.first().copied().unwrap_or(0) as usize
    }

    /// True when no row is visible.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of the selected row (0 when there are no rows).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected node, if any row is shown.
    pub fn selected_node(&self) -> Option<NodeId> {
        self.selected_node
    }

    /// First row on screen, as last adjusted by [`NavModel::scroll_into_view`].
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Whether a directory is expanded in the current (filtered or not) view.
    pub fn is_expanded(&self, id: NodeId) -> bool {
        let i = id.0 as usize;
        if self.filter.is_empty() {
            self.expanded.get(i).copied().unwrap_or(false)
        } else {
            self.expanded_filter.get(i).copied().unwrap_or(false)
        }
    }

    /// Whether a node's stored bytes are partly not in the final image.
    pub fn is_wasted(&self, id: NodeId) -> bool {
        self.wasted.get(id.0 as usize).copied().unwrap_or(false)
    }

    /// Every visible row, in order. O(rows): for tests and small trees, not for drawing.
    pub fn all_rows(&mut self, tree: &FileTree) -> Vec<Row> {
        self.window(tree, 0, self.len())
    }

    /// Paths of the expanded directories among the visible rows, in row order (for tests).
    pub fn expanded_paths(&mut self, tree: &FileTree) -> Vec<String> {
        self.all_rows(tree)
            .into_iter()
            .filter(|r| self.is_expanded(r.node) && self.inner[r.node.0 as usize] > 0)
            .map(|r| tree.path_string(r.node))
            .collect()
    }

    // ---- settings that change what is shown ------------------------------------------------

    /// Show the filesystem as of another layer.
    pub fn set_layer(&mut self, tree: &FileTree, layer: usize) {
        let layer = layer.min(tree.layer_count().saturating_sub(1));
        if layer != self.layer {
            self.layer = layer;
            self.compute_base(tree);
            self.rebuild(tree);
        }
    }

    /// Switch between this layer's changes and everything up to it.
    pub fn set_mode(&mut self, tree: &FileTree, mode: Mode) {
        if mode != self.mode {
            self.mode = mode;
            self.compute_base(tree);
            self.rebuild(tree);
        }
    }

    /// Change the sort order.
    pub fn set_sort(&mut self, tree: &FileTree, sort: SortOrder) {
        if sort != self.sort {
            self.sort = sort;
            self.rebuild(tree);
        }
    }

    /// Change which changes are shown.
    pub fn set_show(&mut self, tree: &FileTree, show: ShowChanges) {
        if show != self.show {
            self.show = show;
            self.compute_base(tree);
            self.rebuild(tree);
        }
    }

    /// Show only wasted paths, or everything.
    pub fn set_wasted_only(&mut self, tree: &FileTree, on: bool) {
        if on != self.wasted_only {
            self.wasted_only = on;
            self.compute_base(tree);
            self.rebuild(tree);
        }
    }

    /// Filter by path substring (case-insensitive unless the filter has an upper-case letter).
    /// While a filter is set every directory starts expanded, so matches are on screen.
    pub fn set_filter(&mut self, tree: &FileTree, text: &str) {
        if text == self.filter {
            return;
        }
        // Typing one more character can only shrink the matches, so only previous matches
        // need searching again; anything else (deleting, pasting) searches every path.
        let narrowing = !self.filter.is_empty()
            && text.starts_with(self.filter.as_str())
            && filter::smart_case(text) == filter::smart_case(&self.filter);
        self.filter = text.to_owned();
        if self.filter.is_empty() {
            self.matches = Vec::new();
            self.expanded_filter = Vec::new();
        } else {
            let previous = narrowing.then(|| std::mem::take(&mut self.matches));
            let mut matches = Vec::new();
            let lower = self
                .lower
                .get_or_insert_with(|| filter::LowerNames::new(tree));
            filter::compute(
                tree,
                &self.parents,
                lower,
                &self.filter,
                previous.as_deref(),
                &mut matches,
            );
            self.matches = matches;
            self.expanded_filter.clear();
            self.expanded_filter.resize(tree.len(), true);
        }
        self.rebuild(tree);
    }

    // ---- expansion --------------------------------------------------------------------------

    /// Expand or collapse the directory at the selected row.
    pub fn toggle_selected(&mut self, tree: &FileTree) {
        if let Some(node) = self.selected_node {
            if self.is_expanded(node) {
                self.set_expanded(tree, node, false);
            } else {
                self.set_expanded(tree, node, true);
            }
        }
    }

    /// Expand the selected directory (no-op for files and open directories).
    pub fn expand_selected(&mut self, tree: &FileTree) {
        if let Some(node) = self.selected_node {
            self.set_expanded(tree, node, true);
        }
    }

    /// Collapse the selected directory; on a file or a collapsed directory, select its parent.
    pub fn collapse_selected(&mut self, tree: &FileTree) {
        let Some(node) = self.selected_node else {
            return;
        };
        if self.is_expanded(node) && self.inner[node.0 as usize] > 0 {
            self.set_expanded(tree, node, false);
        } else if let Some(p) = tree.parent(node).filter(|&p| p != FileTree::ROOT) {
            if let Some(i) = self.index_of(tree, p) {
                self.select(tree, i);
            }
        }
    }

    /// Collapse every directory when any top-level one is open; otherwise expand everything
    /// (dive's Ctrl+Space toggles the same way).
    pub fn toggle_collapse_all(&mut self, tree: &FileTree) {
        let top = self.sorted_children(tree, FileTree::ROOT);
        let any_open = top
            .iter()
            .any(|&c| self.is_expanded(c) && self.inner[c.0 as usize] > 0);
        self.expanded_mut().fill(!any_open);
        self.rebuild(tree);
    }

    /// Expand the ancestors of `node` and select it. Returns false when the node is not shown
    /// in this layer, mode and filter.
    pub fn reveal(&mut self, tree: &FileTree, node: NodeId) -> bool {
        let mut cur = tree.parent(node);
        while let Some(p) = cur {
            if p != FileTree::ROOT {
                self.expanded_mut()[p.0 as usize] = true;
            }
            cur = tree.parent(p);
        }
        self.rebuild(tree);
        match self.index_of(tree, node) {
            Some(i) => {
                self.select(tree, i);
                true
            }
            None => false,
        }
    }

    fn expanded_mut(&mut self) -> &mut Vec<bool> {
        if self.filter.is_empty() {
            &mut self.expanded
        } else {
            &mut self.expanded_filter
        }
    }

    /// Open or close one visible directory: its row count is added to or taken from its
    /// ancestors', up to the root (all of them are expanded, since it is visible).
    fn set_expanded(&mut self, tree: &FileTree, node: NodeId, open: bool) {
        let i = node.0 as usize;
        if self.is_expanded(node) == open || self.inner[i] == 0 {
            return;
        }
        // Keep the selection on the same node, or on this directory if it was inside.
        let keep = self.selected_node;
        self.expanded_mut()[i] = open;
        let delta = i64::from(self.inner[i]);
        let mut p = self.parents[i] as usize;
        loop {
            let v = i64::from(self.inner[p]) + if open { delta } else { -delta };
            self.inner[p] = v as u32;
            if p == 0 {
                break;
            }
            p = self.parents[p] as usize;
        }
        let target = keep.map(|k| {
            if !open && is_below(tree, k, node) {
                node
            } else {
                k
            }
        });
        if let Some(t) = target.and_then(|t| self.index_of(tree, t)) {
            self.select(tree, t);
        } else {
            self.select(tree, self.selected);
        }
    }

    // ---- selection --------------------------------------------------------------------------

    /// Select a row (clamped).
    pub fn select(&mut self, tree: &FileTree, index: usize) {
        self.selected = index.min(self.len().saturating_sub(1));
        self.selected_node = self.window(tree, self.selected, 1).first().map(|r| r.node);
    }

    /// Move the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, tree: &FileTree, delta: isize) {
        let target = self.selected.saturating_add_signed(delta);
        self.select(tree, target);
    }

    /// Select the first row.
    pub fn home(&mut self, tree: &FileTree) {
        self.select(tree, 0);
    }

    /// Select the last row.
    pub fn end(&mut self, tree: &FileTree) {
        self.select(tree, usize::MAX);
    }

    /// Adjust the scroll offset so the selection is on a screen `height` rows tall, and return
    /// the range of rows to draw.
    pub fn scroll_into_view(&mut self, height: usize) -> Range<usize> {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        // After a collapse near the end, pull the view up rather than leave blank rows.
        let max_offset = self.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
        self.offset..(self.offset + height).min(self.len())
    }

    /// Scroll the view by `delta` rows without moving past the rows; the selection follows
    /// when it would leave the screen (mouse wheel).
    pub fn scroll_by(&mut self, tree: &FileTree, delta: isize, height: usize) {
        let height = height.max(1);
        let max_offset = self.len().saturating_sub(height);
        self.offset = self.offset.saturating_add_signed(delta).min(max_offset);
        let sel = self
            .selected
            .clamp(self.offset, (self.offset + height).saturating_sub(1));
        self.select(tree, sel);
    }

    // ---- rows -------------------------------------------------------------------------------

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
    fn span(&self, node: NodeId) -> usize {
        let i = node.0 as usize;
        1 + if self.is_expanded(node) {
            self.inner[i] as usize
        } else {
            0
        }
    }

    /// The shown children of a directory in display order, cached until what is shown changes.
    fn sorted_children(&mut self, tree: &FileTree, id: NodeId) -> Arc<[NodeId]> {
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
            let sizes = self.sizes_for(tree, self.layer);
            // Children come sorted by name; a stable sort keeps that order among equal sizes.
            kids.sort_by(|a, b| sizes[b.0 as usize].cmp(&sizes[a.0 as usize]));
        }
        let kids: Arc<[NodeId]> = kids.into();
        self.sorted.insert(id.0, kids.clone());
        kids
    }

    // ---- per-row data -----------------------------------------------------------------------

    /// Directory sizes as of `layer` (index by `NodeId.0`), cached for a few layers.
    pub fn sizes_for(&mut self, tree: &FileTree, layer: usize) -> &[u64] {
        if let Some(pos) = self.sizes.iter().position(|(l, _)| *l == layer) {
            if pos + 1 != self.sizes.len() {
                let entry = self.sizes.remove(pos);
                self.sizes.push(entry);
            }
        } else {
            if self.sizes.len() >= SIZE_CACHE {
                self.sizes.remove(0);
            }
            self.sizes.push((layer, tree.sizes_at(layer)));
        }
        &self.sizes.last().expect("just pushed").1
    }

    /// What the mode says happened to a node in the selected layer.
    pub fn change(&self, tree: &FileTree, id: NodeId) -> Change {
        match self.mode {
            Mode::Layer => tree.change_in(id, self.layer),
            Mode::Aggregated => aggregate_change(tree, id, self.layer),
        }
    }

    /// Everything drawn for one row.
    pub fn row_view<'t>(&mut self, tree: &'t FileTree, row: Row) -> RowView<'t> {
        let id = row.node;
        let version = shown_version(tree, id, self.layer);
        let is_dir = version.is_some_and(|v| v.entry_kind() == Some(Kind::Dir));
        let change = self.change(tree, id);
        let size = if change == Change::Removed {
            // A removed path has no size as of this layer; show what was removed.
            version.map_or(0, |v| v.size)
        } else {
            self.sizes_for(tree, self.layer)[id.0 as usize]
        };
        RowView {
            node: id,
            name: tree.name(id),
            depth: row.depth,
            last: row.last,
            guides: row.guides,
            change,
            version,
            is_dir,
            expanded: self.is_expanded(id) && self.inner[id.0 as usize] > 0,
            size,
            wasted: self.is_wasted(id),
        }
    }

    // ---- the O(n) passes --------------------------------------------------------------------

    /// Which nodes pass the layer, mode and toggles on their own (the filter aside). Runs on a
    /// change of layer, mode or toggles, not on filter keystrokes.
    fn compute_base(&mut self, tree: &FileTree) {
        let n = tree.len();
        let mut base = std::mem::take(&mut self.base);
        base.clear();
        base.extend((0..n).map(|i| i != 0 && self.passes(tree, NodeId(i as u32))));
        self.base = base;
    }

    /// Whether a node is shown on its own merits (directories are also shown for a shown
    /// descendant).
    fn passes(&self, tree: &FileTree, id: NodeId) -> bool {
        if self.wasted_only && !self.wasted[id.0 as usize] {
            return false;
        }
        match self.change(tree, id) {
            Change::Absent => false,
            Change::Added => self.show.added,
            Change::Modified => self.show.modified,
            Change::Removed => self.show.removed,
            Change::Unchanged => self.show.unchanged && self.mode == Mode::Aggregated,
        }
    }

    /// Recompute which nodes are shown and the row counts, keeping the selection on the same
    /// node (or its nearest shown ancestor).
    fn rebuild(&mut self, tree: &FileTree) {
        let keep = self.selected_node;
        let n = tree.len();
        let filtering = !self.filter.is_empty();
        let mut included = std::mem::take(&mut self.included);
        let mut inner = std::mem::take(&mut self.inner);
        included.clear();
        included.extend(
            (0..n).map(|i| self.base[i] && (!filtering || self.matches.get(i) == Some(&true))),
        );
        inner.clear();
        inner.resize(n, 0);
        let expanded = if filtering {
            &self.expanded_filter
        } else {
            &self.expanded
        };
        // Children have larger ids than their parents, so one backwards sweep carries "has a
        // shown descendant" and the row counts up to every ancestor.
        for i in (1..n).rev() {
            if included[i] {
                let p = self.parents[i] as usize;
                included[p] = true;
                let rows = 1 + if expanded[i] { inner[i] } else { 0 };
                inner[p] += rows;
            }
        }
        if n > 0 {
            included[0] = true;
        }
        self.included = included;
        self.inner = inner;
        self.sorted.clear();
        self.selected = 0;
        self.selected_node = None;
        if let Some(keep) = keep {
            // The node itself, else its nearest shown ancestor.
            let mut cur = Some(keep);
            while let Some(c) = cur {
                if let Some(i) = self.index_of(tree, c) {
                    self.select(tree, i);
                    return;
                }
                cur = tree.parent(c);
            }
        }
        self.select(tree, 0);
    }
}

/// Whether `node` is strictly below `dir`.
fn is_below(tree: &FileTree, node: NodeId, dir: NodeId) -> bool {
    let mut cur = tree.parent(node);
    while let Some(p) = cur {
        if p == dir {
            return true;
        }
        cur = tree.parent(p);
    }
    false
}

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
    let now = tree.live_at(id, layer).is_some();
    let before = tree.live_at(id, 0).is_some();
    let touched = tree.versions(id).any(|(_, v)| {
        let l = usize::from(v.layer);
        l >= 1 && l <= layer
    });
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
fn wasted_nodes(tree: &FileTree) -> Vec<bool> {
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
