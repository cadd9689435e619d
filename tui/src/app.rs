//! The explorer's state and what each key does to it. Nothing here draws or touches the
//! terminal, so the journey tests drive it with plain key events.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use imgslim_core::Analysis;
use imgslim_core::tree::{FileTree, NodeId};
use ratatui::layout::{Position, Rect};

use crate::keys::{Action, KeyBindings};
use crate::nav::{Mode, NavModel, SortOrder};

/// The panes Tab cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The layer list (selecting a layer changes the tree).
    Layers,
    /// Image details and the wasted-file list.
    Image,
    /// The file tree.
    Tree,
    /// The findings view: the rules that fired, drawn over the whole explorer. Not in the Tab
    /// cycle; its own key opens it, and that key, Tab or Esc go back.
    Findings,
}

/// A line being edited at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// The path filter; each keystroke refilters.
    Filter,
    /// The destination directory for an extraction.
    Extract {
        /// The file to extract.
        node: NodeId,
        /// The directory typed so far.
        dir: String,
    },
}

/// Where the last frame drew each pane, for mouse clicks and page sizes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    /// The layer list's inner area.
    pub layers: Rect,
    /// The wasted-file list's inner area.
    pub image: Rect,
    /// The tree's row area (below the column header).
    pub tree: Rect,
    /// The findings list's inner area (empty unless the findings view is shown).
    pub findings: Rect,
}

/// The explorer.
pub struct App {
    /// The loaded image.
    pub analysis: Analysis,
    /// Tree navigation.
    pub nav: NavModel,
    /// The key table.
    pub keys: KeyBindings,
    /// The focused pane.
    pub pane: Pane,
    /// Selected layer in the layer list (the tree shows this layer).
    pub layer: usize,
    /// Selected entry of the wasted-file list.
    pub wasted_selected: usize,
    /// Selected entry of the findings list.
    pub finding_selected: usize,
    /// The pane the findings view returns to.
    pub findings_back: Pane,
    /// Show permission and owner columns.
    pub attributes: bool,
    /// The help overlay is open.
    pub help: bool,
    /// A line being edited, if any.
    pub prompt: Option<Prompt>,
    /// The filter text being edited (applied on each keystroke).
    pub filter_text: String,
    /// A one-line message for the status bar (extraction results, errors).
    pub status: Option<String>,
    /// Set when the user asked to quit.
    pub quit: bool,
    /// Where panes were last drawn.
    pub areas: Areas,
    /// The directory the extract prompt starts with.
    pub extract_dir: PathBuf,
    /// Draw without colours (`NO_COLOR` is set): highlights become reverse video.
    pub no_color: bool,
}

impl App {
    /// An explorer over a finished analysis, showing the last layer.
    pub fn new(analysis: Analysis, keys: KeyBindings) -> App {
        let nav = NavModel::new(&analysis.tree);
        let layer = nav.layer();
        App {
            analysis,
            nav,
            keys,
            pane: Pane::Tree,
            layer,
            wasted_selected: 0,
            finding_selected: 0,
            findings_back: Pane::Tree,
            attributes: true,
            help: false,
            prompt: None,
            filter_text: String::new(),
            status: None,
            quit: false,
            areas: Areas::default(),
            extract_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The tree being explored.
    pub fn tree(&self) -> &FileTree {
        &self.analysis.tree
    }

    /// Rows of the tree on screen (at least 1), for paging.
    fn tree_page(&self) -> usize {
        usize::from(self.areas.tree.height).max(1)
    }

    /// Handle one key.
    pub fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        let action = self.keys.action(&ev);
        // Ctrl+C quits from anywhere, even if the key file rebinds it, so the user is never stuck.
        if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.prompt.is_some() {
            self.on_prompt_key(ev, action);
            return;
        }
        if self.help {
            // Any key closes the help; the one that opened it too.
            if matches!(action, Some(Action::Quit)) {
                self.quit = true;
            }
            self.help = false;
            return;
        }
        if let Some(a) = action {
            self.on_action(a);
        }
    }

    fn on_prompt_key(&mut self, ev: KeyEvent, action: Option<Action>) {
        let Some(prompt) = self.prompt.clone() else {
            return;
        };
        match ev.code {
            KeyCode::Esc => {
                if prompt == Prompt::Filter {
                    self.filter_text.clear();
                    self.apply_filter();
                }
                self.prompt = None;
            }
            KeyCode::Enter => {
                self.prompt = None;
                if let Prompt::Extract { node, dir } = prompt {
                    self.extract(node, &dir);
                }
            }
            KeyCode::Backspace => {
                match &mut self.prompt {
                    Some(Prompt::Extract { dir, .. }) => {
                        dir.pop();
                    }
                    _ => {
                        self.filter_text.pop();
                    }
                };
            }
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                match &mut self.prompt {
                    Some(Prompt::Extract { dir, .. }) => dir.push(c),
                    _ => self.filter_text.push(c),
                };
            }
            // Moving and quitting still work while typing a filter.
            _ => match action {
                Some(
                    a @ (Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Home
                    | Action::End),
                ) if prompt == Prompt::Filter => self.on_action(a),
                Some(Action::Quit) => self.quit = true,
                _ => {}
            },
        }
    }

    /// Bring the tree up to date with the filter being typed. The event loop calls this once
    /// before each draw, after handling every key already waiting, so a burst of typing or a
    /// paste costs one pass over the tree rather than one per character.
    pub fn sync(&mut self) {
        if self.nav.filter() != self.filter_text {
            self.apply_filter();
        }
    }

    fn apply_filter(&mut self) {
        let text = self.filter_text.clone();
        self.nav.set_filter(&self.analysis.tree, &text);
    }

    /// Perform an action.
    pub fn on_action(&mut self, action: Action) {
        self.status = None;
        // Act on the rows the user sees: apply a filter still pending from typing.
        self.sync();
        let tree = &self.analysis.tree;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = true,
            Action::Cancel if self.pane == Pane::Findings => self.pane = self.findings_back,
            Action::Cancel => {
                if !self.filter_text.is_empty() {
                    self.filter_text.clear();
                    self.apply_filter();
                }
            }
            Action::SwitchPane => {
                self.pane = match self.pane {
                    Pane::Layers => Pane::Tree,
                    Pane::Tree => Pane::Image,
                    Pane::Image => Pane::Layers,
                    Pane::Findings => self.findings_back,
                }
            }
            Action::SwitchPaneBack => {
                self.pane = match self.pane {
                    Pane::Layers => Pane::Image,
                    Pane::Image => Pane::Tree,
                    Pane::Tree => Pane::Layers,
                    Pane::Findings => self.findings_back,
                }
            }
            Action::Findings => {
                if self.pane == Pane::Findings {
                    self.pane = self.findings_back;
                } else {
                    self.findings_back = self.pane;
                    self.pane = Pane::Findings;
                }
            }
            Action::Filter => {
                self.pane = Pane::Tree;
                self.prompt = Some(Prompt::Filter);
            }
            Action::ToggleDir => self.nav.toggle_selected(tree),
            Action::CollapseAll => self.nav.toggle_collapse_all(tree),
            Action::ToggleAdded | Action::ToggleRemoved | Action::ToggleModified => {
                let mut s = self.nav.show();
                match action {
                    Action::ToggleAdded => s.added = !s.added,
                    Action::ToggleRemoved => s.removed = !s.removed,
                    _ => s.modified = !s.modified,
                }
                self.nav.set_show(tree, s);
            }
            Action::ToggleUnchanged => {
                let mut s = self.nav.show();
                s.unchanged = !s.unchanged;
                self.nav.set_show(tree, s);
            }
            Action::ToggleWasted => {
                let on = !self.nav.wasted_only();
                self.nav.set_wasted_only(tree, on);
            }
            Action::ToggleAttributes => self.attributes = !self.attributes,
            Action::ToggleSort => {
                let next = match self.nav.sort() {
                    SortOrder::Size => SortOrder::Name,
                    SortOrder::Name => SortOrder::Size,
                };
                self.nav.set_sort(tree, next);
            }
            Action::ToggleMode => {
                let next = match self.nav.mode() {
                    Mode::Aggregated => Mode::Layer,
                    Mode::Layer => Mode::Aggregated,
                };
                self.nav.set_mode(tree, next);
            }
            Action::Extract => self.start_extract(),
            Action::Open => self.open(),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page() as isize)),
            Action::PageDown => self.move_by(self.page() as isize),
            Action::Home => self.move_by(isize::MIN / 2),
            Action::End => self.move_by(isize::MAX / 2),
            Action::Left => {
                if self.pane == Pane::Tree {
                    self.nav.collapse_selected(tree);
                }
            }
            Action::Right => {
                if self.pane == Pane::Tree {
                    self.nav.expand_selected(tree);
                }
            }
        }
    }

    fn page(&self) -> usize {
        match self.pane {
            Pane::Tree => self.tree_page(),
            Pane::Layers => usize::from(self.areas.layers.height).max(1),
            Pane::Image => usize::from(self.areas.image.height).max(1),
            Pane::Findings => usize::from(self.areas.findings.height).max(1),
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.pane {
            Pane::Tree => self.nav.move_by(&self.analysis.tree, delta),
            Pane::Layers => {
                let n = self.analysis.report.layers.len();
                let next = clamp_add(self.layer, delta, n);
                self.select_layer(next);
            }
            Pane::Image => {
                let n = self.analysis.report.wasted.len();
                self.wasted_selected = clamp_add(self.wasted_selected, delta, n);
            }
            Pane::Findings => {
                let n = self.analysis.report.findings.len();
                self.finding_selected = clamp_add(self.finding_selected, delta, n);
            }
        }
    }

    /// Show another layer in the tree.
    pub fn select_layer(&mut self, layer: usize) {
        self.layer = layer;
        self.nav.set_layer(&self.analysis.tree, layer);
    }

    /// Enter: open a directory in the tree; on a wasted file, show the layer that stored it and
    /// select its path; on a finding, do the same for its first path.
    fn open(&mut self) {
        match self.pane {
            Pane::Tree => self.nav.toggle_selected(&self.analysis.tree),
            Pane::Layers => {}
            Pane::Image => {
                let Some(w) = self.analysis.report.wasted.get(self.wasted_selected) else {
                    return;
                };
                let (path, layer) = (w.path.clone(), w.layer);
                self.show_in_tree(&path, layer);
            }
            Pane::Findings => self.open_finding(),
        }
    }

    /// Enter on a finding: show its first path in the tree, as of the layer that brought it in
    /// (or the last layer when no one layer did).
    fn open_finding(&mut self) {
        let Some(f) = self.analysis.report.findings.get(self.finding_selected) else {
            return;
        };
        let Some(path) = f.paths.first().cloned() else {
            self.status = Some(format!("{}: no path to show", f.rule));
            return;
        };
        let last = self.analysis.report.layers.len().saturating_sub(1);
        let layer = f.layer.unwrap_or(last).min(last);
        self.show_in_tree(&path, layer);
    }

    /// Show `path` in the tree as of `layer`: clear what could hide it, expand its ancestors,
    /// select it and focus the tree. Says in the status bar when it cannot.
    pub fn show_in_tree(&mut self, path: &str, layer: usize) {
        let Some(node) = self.analysis.tree.lookup(path.as_bytes()) else {
            self.status = Some(format!("{path}: not in the tree"));
            return;
        };
        // Clear whatever could hide it: the filter and the change toggles.
        self.filter_text.clear();
        self.apply_filter();
        self.nav
            .set_show(&self.analysis.tree, crate::nav::ShowChanges::default());
        self.nav.set_wasted_only(&self.analysis.tree, false);
        self.select_layer(layer);
        let mut shown = self.nav.reveal(&self.analysis.tree, node);
        if !shown && self.nav.mode() == Mode::Layer {
            // Not one of this layer's changes: show everything up to the layer instead.
            self.nav.set_mode(&self.analysis.tree, Mode::Aggregated);
            shown = self.nav.reveal(&self.analysis.tree, node);
        }
        if shown {
            self.pane = Pane::Tree;
        } else {
            self.status = Some(format!("{path}: hidden in this view"));
        }
    }

    fn start_extract(&mut self) {
        let Some(node) = self.nav.selected_node() else {
            return;
        };
        if self.content_of(node).is_none() {
            self.status = Some("only regular files can be extracted".into());
            return;
        }
        if !self.analysis.can_extract() {
            self.status = Some("read from a stream: save the image to a file to extract".into());
            return;
        }
        self.prompt = Some(Prompt::Extract {
            node,
            dir: self.extract_dir.display().to_string(),
        });
    }

    /// The stored file behind a node as of the selected layer: the live version, or for a
    /// path this view shows as removed, the version that was removed (its bytes are still in
    /// the archive, which is the point of looking at waste).
    pub fn content_of(&self, node: NodeId) -> Option<imgslim_core::tree::ContentId> {
        let tree = &self.analysis.tree;
        tree.live_at(node, self.layer)
            .or_else(|| crate::nav::shown_version(tree, node, self.layer))
            .and_then(|v| v.content())
    }

    fn extract(&mut self, node: NodeId, dir: &str) {
        let tree = &self.analysis.tree;
        let Some(content) = self.content_of(node) else {
            return;
        };
        let dir = PathBuf::from(dir);
        self.status = Some(
            match crate::extract::extract_to(&self.analysis, content, tree.name(node), &dir) {
                Ok(path) => {
                    self.extract_dir = dir;
                    format!("extracted to {}", path.display())
                }
                Err(e) => format!("extract failed: {e}"),
            },
        );
    }

    /// Handle a mouse event: the wheel scrolls the pane under the pointer, a click selects.
    pub fn on_mouse(&mut self, ev: MouseEvent) {
        let at = Position::new(ev.column, ev.row);
        let pane = if self.areas.findings.contains(at) {
            Pane::Findings
        } else if self.areas.tree.contains(at) {
            Pane::Tree
        } else if self.areas.layers.contains(at) {
            Pane::Layers
        } else if self.areas.image.contains(at) {
            Pane::Image
        } else {
            return;
        };
        match ev.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if ev.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if pane == Pane::Tree {
                    let page = self.tree_page();
                    self.nav.scroll_by(&self.analysis.tree, delta, page);
                } else {
                    let keep = self.pane;
                    self.pane = pane;
                    self.move_by(delta);
                    self.pane = keep;
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.pane = pane;
                match pane {
                    Pane::Tree => {
                        let row = self.nav.offset() + usize::from(ev.row - self.areas.tree.y);
                        if row < self.nav.len() {
                            if row == self.nav.selected() {
                                // A second click on the selected directory opens or closes it.
                                self.nav.toggle_selected(&self.analysis.tree);
                            } else {
                                self.nav.select(&self.analysis.tree, row);
                            }
                        }
                    }
                    Pane::Layers => {
                        // The layer list scrolls so the selection stays visible; see ui::layers.
                        let top = crate::ui::layers::first_visible(self);
                        let i = top + usize::from(ev.row - self.areas.layers.y);
                        if i < self.analysis.report.layers.len() {
                            self.select_layer(i);
                        }
                    }
                    Pane::Findings => {
                        let top = crate::ui::findings::first_visible(self);
                        let i = top + usize::from(ev.row - self.areas.findings.y);
                        if i < self.analysis.report.findings.len() {
                            self.finding_selected = i;
                        }
                    }
                    Pane::Image => {}
                }
            }
            _ => {}
        }
    }
}

fn clamp_add(cur: usize, delta: isize, len: usize) -> usize {
    cur.saturating_add_signed(delta).min(len.saturating_sub(1))
}
