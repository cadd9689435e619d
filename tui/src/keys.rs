//! The one key table: every key the explorer understands, the action it triggers and what the
//! help overlay says about it. The help overlay and the tests both read [`KeyBindings`], so they
//! cannot drift apart (gitui's `key_list.rs` is the model).
//!
//! Defaults follow dive's `keybinding` section. A TOML file remaps actions:
//!
//! ```toml
//! [keys]
//! filter = ["ctrl-f", "/"]
//! quit = ["q"]
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Something the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Leave the explorer.
    Quit,
    /// Show or hide the help overlay.
    Help,
    /// Move the focus to the next pane.
    SwitchPane,
    /// Move the focus to the previous pane.
    SwitchPaneBack,
    /// Edit the path filter.
    Filter,
    /// Expand or collapse the selected directory.
    ToggleDir,
    /// Collapse every directory, or expand all when none is open.
    CollapseAll,
    /// Show or hide added paths.
    ToggleAdded,
    /// Show or hide removed paths.
    ToggleRemoved,
    /// Show or hide modified paths.
    ToggleModified,
    /// Show or hide unchanged paths.
    ToggleUnchanged,
    /// Show or hide the permission and owner columns.
    ToggleAttributes,
    /// Sort by size or by name.
    ToggleSort,
    /// This layer's changes, or everything up to this layer.
    ToggleMode,
    /// Show only wasted paths.
    ToggleWasted,
    /// Open or close the findings view (the rules that fired).
    Findings,
    /// Extract the selected file to a directory.
    Extract,
    /// Move up.
    Up,
    /// Move down.
    Down,
    /// Move up a page.
    PageUp,
    /// Move down a page.
    PageDown,
    /// Go to the first entry.
    Home,
    /// Go to the last entry.
    End,
    /// Collapse the directory, or go to the parent.
    Left,
    /// Expand the directory.
    Right,
    /// Open the selected entry: jump to a wasted file's or a finding's path in the tree.
    Open,
    /// Close the overlay or prompt; clear the filter.
    Cancel,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 27] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Home,
        Action::End,
        Action::Left,
        Action::Right,
        Action::SwitchPane,
        Action::SwitchPaneBack,
        Action::ToggleDir,
        Action::CollapseAll,
        Action::Filter,
        Action::ToggleAdded,
        Action::ToggleRemoved,
        Action::ToggleModified,
        Action::ToggleUnchanged,
        Action::ToggleWasted,
        Action::Findings,
        Action::ToggleAttributes,
        Action::ToggleSort,
        Action::ToggleMode,
        Action::Open,
        Action::Extract,
        Action::Cancel,
        Action::Help,
        Action::Quit,
    ];

    /// The name used in the key file (`toggle-added`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::SwitchPane => "switch-pane",
            Action::SwitchPaneBack => "switch-pane-back",
            Action::Filter => "filter",
            Action::ToggleDir => "toggle-dir",
            Action::CollapseAll => "collapse-all",
            Action::ToggleAdded => "toggle-added",
            Action::ToggleRemoved => "toggle-removed",
            Action::ToggleModified => "toggle-modified",
            Action::ToggleUnchanged => "toggle-unchanged",
            Action::ToggleAttributes => "toggle-attributes",
            Action::ToggleSort => "toggle-sort",
            Action::ToggleMode => "toggle-mode",
            Action::ToggleWasted => "toggle-wasted",
            Action::Findings => "findings",
            Action::Extract => "extract",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Home => "home",
            Action::End => "end",
            Action::Left => "left",
            Action::Right => "right",
            Action::Open => "open",
            Action::Cancel => "cancel",
        }
    }

    /// What the help overlay says.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::SwitchPane => "next pane (layers, image, files)",
            Action::SwitchPaneBack => "previous pane",
            Action::Filter => "filter paths (Enter keeps, Esc clears)",
            Action::ToggleDir => "expand or collapse the directory",
            Action::CollapseAll => "collapse all directories (again: expand all)",
            Action::ToggleAdded => "show or hide added files",
            Action::ToggleRemoved => "show or hide removed files",
            Action::ToggleModified => "show or hide modified files",
            Action::ToggleUnchanged => "show or hide unchanged files",
            Action::ToggleAttributes => "show or hide permissions and owners",
            Action::ToggleSort => "sort by size or by name",
            Action::ToggleMode => "this layer's changes / everything up to it",
            Action::ToggleWasted => "show only wasted files",
            Action::Findings => "findings: the rules that fired (again: back)",
            Action::Extract => "extract the selected file to a directory",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Home => "first entry",
            Action::End => "last entry",
            Action::Left => "collapse, or go to the parent directory",
            Action::Right => "expand the directory",
            Action::Open => "open dir / show a wasted file or finding",
            Action::Cancel => "close help or prompt, clear the filter",
        }
    }

    /// The action a key-file name means.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A key with its modifiers, normalised so that a table lookup is an equality test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift is folded into the character).
    pub mods: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// Ctrl plus a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// The normalised key of a terminal event. Shift is dropped from characters because the
    /// character already says it (`A` is Shift+a), and BackTab is Shift+Tab already.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        if !matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods |= ev.modifiers & KeyModifiers::SHIFT;
        }
        let code = match ev.code {
            // Terminals report Ctrl+letter in either case; the table spells them lower-case.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        Key { code, mods }
    }

    /// Parse `ctrl-f`, `alt-x`, `q`, `?`, `space`, `ctrl-space`, `tab`, `pgup`, `f1`, …
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").or(lower.strip_prefix("ctrl+")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-").or(lower.strip_prefix("alt+")) {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" | "page-up" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" | "page-down" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("bad key {s:?}"))?)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if mods.contains(KeyModifiers::CONTROL) => {
                        KeyCode::Char(c.to_ascii_lowercase())
                    }
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key {s:?}")),
                }
            }
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The key table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBindings {
    bindings: Vec<(Key, Action)>,
}

impl Default for KeyBindings {
    /// dive's defaults, plus arrows-and-letters alternatives where a terminal cannot send the
    /// Ctrl key (Ctrl+M arrives as Enter in most terminals, so `M` also toggles modified).
    fn default() -> Self {
        use KeyCode as K;
        let p = Key::plain;
        let c = Key::ctrl;
        let bindings = vec![
            (p(K::Up), Action::Up),
            (p(K::Char('k')), Action::Up),
            (p(K::Down), Action::Down),
            (p(K::Char('j')), Action::Down),
            (p(K::PageUp), Action::PageUp),
            (p(K::PageDown), Action::PageDown),
            (p(K::Home), Action::Home),
            (p(K::End), Action::End),
            (p(K::Left), Action::Left),
            (p(K::Char('h')), Action::Left),
            (p(K::Right), Action::Right),
            (p(K::Char('l')), Action::Right),
            (p(K::Tab), Action::SwitchPane),
            (p(K::BackTab), Action::SwitchPaneBack),
            (p(K::Char(' ')), Action::ToggleDir),
            (c(' '), Action::CollapseAll),
            (c('f'), Action::Filter),
            (p(K::Char('/')), Action::Filter),
            (c('a'), Action::ToggleAdded),
            (p(K::Char('A')), Action::ToggleAdded),
            (c('r'), Action::ToggleRemoved),
            (p(K::Char('R')), Action::ToggleRemoved),
            (c('m'), Action::ToggleModified),
            (p(K::Char('M')), Action::ToggleModified),
            (c('u'), Action::ToggleUnchanged),
            (p(K::Char('U')), Action::ToggleUnchanged),
            (p(K::Char('w')), Action::ToggleWasted),
            (p(K::Char('f')), Action::Findings),
            (c('b'), Action::ToggleAttributes),
            (c('o'), Action::ToggleSort),
            (c('l'), Action::ToggleMode),
            (p(K::Enter), Action::Open),
            (p(K::Char('x')), Action::Extract),
            (p(K::Esc), Action::Cancel),
            (p(K::Char('?')), Action::Help),
            (p(K::F(1)), Action::Help),
            (p(K::Char('q')), Action::Quit),
            (c('c'), Action::Quit),
        ];
        KeyBindings { bindings }
    }
}

/// The key file's shape.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    keys: BTreeMap<String, Vec<String>>,
}

impl KeyBindings {
    /// The action a key event triggers. Key releases trigger nothing.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// The keys bound to an action, in table order.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The first key bound to an action, for hints in the status bar (`?` for help).
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
            .map_or_else(|| "unbound".to_owned(), ToString::to_string)
    }

    /// Every (action, keys) pair for the help overlay, in [`Action::ALL`] order.
    pub fn help_lines(&self) -> Vec<(Action, Vec<Key>)> {
        Action::ALL
            .into_iter()
            .map(|a| (a, self.keys_for(a)))
            .collect()
    }

    /// Remap from the TOML text of a key file: each action named replaces all its keys; a key
    /// taken from another action is removed from it, so one key never means two things.
    pub fn apply_toml(&mut self, text: &str) -> Result<(), String> {
        let file: KeyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (name, keys) in file.keys {
            let action = Action::from_name(&name).ok_or_else(|| {
                format!(
                    "unknown action {name:?}; actions: {}",
                    Action::ALL.map(Action::name).join(", ")
                )
            })?;
            let keys = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            self.bindings
                .retain(|(k, a)| *a != action && !keys.contains(k));
            self.bindings.extend(keys.into_iter().map(|k| (k, action)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(Key::parse("Ctrl-F").unwrap(), Key::ctrl('f'));
        assert_eq!(Key::parse("ctrl-space").unwrap(), Key::ctrl(' '));
        assert_eq!(Key::parse("pgdn").unwrap(), Key::plain(KeyCode::PageDown));
        assert_eq!(Key::parse("M").unwrap(), Key::plain(KeyCode::Char('M')));
        assert_eq!(Key::parse("f1").unwrap(), Key::plain(KeyCode::F(1)));
        assert_eq!(Key::ctrl(' ').to_string(), "Ctrl+Space");
        assert_eq!(Key::ctrl('f').to_string(), "Ctrl+F");
        assert!(Key::parse("nonsense").is_err());
    }

    #[test]
    fn every_action_has_a_default_key() {
        let k = KeyBindings::default();
        for a in Action::ALL {
            assert!(!k.keys_for(a).is_empty(), "{a:?} unbound");
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn no_key_means_two_actions() {
        let k = KeyBindings::default();
        for (i, (key, _)) in k.bindings.iter().enumerate() {
            assert!(
                !k.bindings[i + 1..].iter().any(|(other, _)| other == key),
                "{key} bound twice"
            );
        }
    }

    #[test]
    fn shifted_letters_and_ctrl_letters_normalise() {
        let k = KeyBindings::default();
        let ev = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(k.action(&ev), Some(Action::ToggleAdded));
        let ev = KeyEvent::new(KeyCode::Char('F'), KeyModifiers::CONTROL);
        assert_eq!(k.action(&ev), Some(Action::Filter));
    }

    #[test]
    fn toml_remaps_and_steals_keys() {
        let mut k = KeyBindings::default();
        k.apply_toml("[keys]\nquit = [\"ctrl-q\"]\nfilter = [\"q\"]\n")
            .unwrap();
        assert_eq!(k.keys_for(Action::Quit), vec![Key::ctrl('q')]);
        assert_eq!(
            k.action(&KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Filter)
        );
        assert!(k.apply_toml("[keys]\nfly = [\"f\"]\n").is_err());
        assert!(k.apply_toml("[keys]\nquit = [\"nonsense\"]\n").is_err());
    }
}
