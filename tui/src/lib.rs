//! imgslim's terminal explorer: dive's layer browsing, fast on huge images.
//!
//! The CLI calls [`run`] with a closure that loads the image; the explorer shows progress at
//! once while the closure runs on a [`loader`] thread, then hands the analysis to an
//! [`app::App`]. Navigation lives in [`nav`] (UI-agnostic), keys in [`keys`] (one table for the
//! handler, the help overlay and the tests), drawing in [`ui`].

pub mod app;
pub mod extract;
pub mod filter;
pub mod keys;
pub mod loader;
pub mod nav;
pub mod terminal;
pub mod ui;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

pub use app::App;
pub use keys::KeyBindings;
pub use loader::{LoadFn, Loader};

/// How often the loading screen redraws.
const LOADING_TICK: Duration = Duration::from_millis(50);

/// The default key file: `$XDG_CONFIG_HOME/imgslim/keys.toml` or `~/.config/imgslim/keys.toml`.
pub fn default_key_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("imgslim").join("keys.toml"))
}

/// The key table: the defaults, remapped by `path` (which must exist) or else by the default
/// key file when there is one.
pub fn load_keys(path: Option<&Path>) -> Result<KeyBindings, String> {
    let mut keys = KeyBindings::default();
    let (file, required) = match path {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_key_file(), false),
    };
    let Some(file) = file else {
        return Ok(keys);
    };
    match std::fs::read_to_string(&file) {
        Ok(text) => keys
            .apply_toml(&text)
            .map_err(|e| format!("{}: {e}", file.display()))?,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {e}", file.display())),
    }
    Ok(keys)
}

/// Run the explorer on the terminal until the user quits. `name` titles the loading screen.
/// Returns the load's error message if loading failed (the terminal is restored first).
pub fn run(name: &str, keys: KeyBindings, load: LoadFn) -> Result<(), String> {
    let loader = Loader::spawn(load);
    let mut term = terminal::Session::start().map_err(|e| format!("terminal: {e}"))?;
    let io = |e: std::io::Error| format!("terminal: {e}");
    // The loading screen: redraw on a tick, cancel on q / Esc / Ctrl+C.
    let analysis = loop {
        if let Some(result) = loader.try_finish() {
            break result?;
        }
        let (snap, elapsed) = (loader.snapshot(), loader.elapsed());
        term.terminal
            .draw(|f| ui::loading::draw(f, name, snap, elapsed))
            .map_err(io)?;
        if event::poll(LOADING_TICK).map_err(io)? {
            if let Event::Key(k) = event::read().map_err(io)? {
                let ctrl_c =
                    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                if k.kind != KeyEventKind::Release
                    && (ctrl_c || matches!(k.code, KeyCode::Char('q') | KeyCode::Esc))
                {
                    loader.cancel();
                    return Ok(());
                }
            }
        }
    };
    let mut app = App::new(analysis, keys);
    while !app.quit {
        app.sync();
        term.terminal.draw(|f| ui::draw(f, &mut app)).map_err(io)?;
        // Handle every event already waiting before drawing again: held-down keys and pastes
        // then cost one draw (and one filter pass), not one each.
        let mut next = Some(event::read().map_err(io)?);
        while let Some(ev) = next.take() {
            match ev {
                Event::Key(k) => app.on_key(k),
                Event::Mouse(m) => app.on_mouse(m),
                // The next draw lays out for the new size.
                _ => {}
            }
            if !app.quit && event::poll(Duration::ZERO).map_err(io)? {
                next = Some(event::read().map_err(io)?);
            }
        }
    }
    Ok(())
}
