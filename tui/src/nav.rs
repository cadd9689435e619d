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

mod changes;
mod rows;

pub use changes::{aggregate_change, shown_version};
use changes::{is_below, layer_change_sizes, wasted_nodes};

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
    /// What happened to each node, for the last few (layer, mode) pairs.
    change_cache: Vec<(ViewKey, Arc<[Change]>)>,
    /// The table of the current layer and mode, for drawing rows.
    changes: Option<Arc<[Change]>>,
    /// Per node: its path contains the filter (empty when there is no filter).
    matches: Vec<bool>,
    /// The matches of the shorter filters typed on the way to this one (1 byte a node each),
    /// for Backspace.
    filter_stack: Vec<(String, Vec<bool>)>,
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
    /// Size tables per (layer, mode), most recently used last; at most [`VIEW_CACHE`] kept.
    sizes: Vec<(ViewKey, Vec<u64>)>,
}

/// (layer, mode) pairs whose size tables (8 bytes a node) and change tables (1 byte a node)
/// stay cached.
const VIEW_CACHE: usize = 4;

/// Shorter filters whose matches are kept for Backspace.
const FILTER_STACK: usize = 32;

/// The layer and mode a cached table belongs to.
type ViewKey = (usize, Mode);

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
            change_cache: Vec::new(),
            changes: None,
            matches: Vec::new(),
            filter_stack: Vec::new(),
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
        // need searching again; the previous ones are kept, so Backspace just takes them back.
        // Anything else (pasting, editing the middle) searches every path.
        let narrowing = !self.filter.is_empty()
            && text.starts_with(self.filter.as_str())
            && filter::smart_case(text) == filter::smart_case(&self.filter);
        let old = std::mem::replace(&mut self.filter, text.to_owned());
        if self.filter.is_empty() {
            self.matches = Vec::new();
            self.filter_stack.clear();
            self.expanded_filter = Vec::new();
        } else {
            if let Some(pos) = self
                .filter_stack
                .iter()
                .rposition(|(f, _)| *f == self.filter)
            {
                self.matches = self.filter_stack.swap_remove(pos).1;
                self.filter_stack.truncate(pos);
            } else {
                let previous = std::mem::take(&mut self.matches);
                let lower = self
                    .lower
                    .get_or_insert_with(|| filter::LowerNames::new(tree));
                let mut matches = Vec::new();
                filter::compute(
                    tree,
                    &self.parents,
                    lower,
                    &self.filter,
                    narrowing.then_some(previous.as_slice()),
                    &mut matches,
                );
                self.matches = matches;
                if narrowing {
                    if self.filter_stack.len() >= FILTER_STACK {
                        self.filter_stack.remove(0);
                    }
                    self.filter_stack.push((old, previous));
                } else {
                    self.filter_stack.clear();
                }
            }
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

    // ---- per-row data -----------------------------------------------------------------------

    /// Sizes for the current layer and mode (index by `NodeId.0`): everything up to the layer
    /// in the aggregated view, the bytes this layer wrote or removed in the layer view (so a
    /// directory shows what the layer did below it). Cached for a few layer-mode pairs.
    pub fn sizes(&mut self, tree: &FileTree) -> &[u64] {
        let key = (self.layer, self.mode);
        if let Some(pos) = self.sizes.iter().position(|(k, _)| *k == key) {
            if pos + 1 != self.sizes.len() {
                let entry = self.sizes.remove(pos);
                self.sizes.push(entry);
            }
        } else {
            if self.sizes.len() >= VIEW_CACHE {
                self.sizes.remove(0);
            }
            let table = match self.mode {
                Mode::Aggregated => tree.sizes_at(self.layer),
                Mode::Layer => layer_change_sizes(tree, &self.parents, self.layer),
            };
            self.sizes.push((key, table));
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
        let change = match &self.changes {
            Some(table) => table[id.0 as usize],
            None => self.change(tree, id),
        };
        let size = if change == Change::Removed && self.mode == Mode::Aggregated {
            // A removed path has no size as of this layer; show what was removed.
            version.map_or(0, |v| v.size)
        } else {
            self.sizes(tree)[id.0 as usize]
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
        let changes = self.changes(tree);
        let mut base = std::mem::take(&mut self.base);
        base.clear();
        base.extend(
            changes
                .iter()
                .enumerate()
                .map(|(i, &c)| i != 0 && self.passes(i, c)),
        );
        self.base = base;
        self.changes = Some(changes);
    }

    /// What happened to every node in this layer and mode. The version walks behind it are
    /// the costly part of switching layers (about 10 ns a node), so the last few layer-mode
    /// pairs are kept: paging back and forth through the layer list costs a flat-array pass.
    fn changes(&mut self, tree: &FileTree) -> Arc<[Change]> {
        let key = (self.layer, self.mode);
        if let Some(pos) = self.change_cache.iter().position(|(k, _)| *k == key) {
            return self.change_cache[pos].1.clone();
        }
        let table: Arc<[Change]> = tree.node_ids().map(|id| self.change(tree, id)).collect();
        if self.change_cache.len() >= VIEW_CACHE {
            self.change_cache.remove(0);
        }
        self.change_cache.push((key, table.clone()));
        table
    }

    /// Whether a node with this change is shown on its own merits (directories are also shown
    /// for a shown descendant).
    fn passes(&self, i: usize, change: Change) -> bool {
        if self.wasted_only && !self.wasted[i] {
            return false;
        }
        match change {
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
