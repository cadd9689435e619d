//! Shared test support: the example image loaded into an explorer, key presses taken from the
//! key table, and drawing into a fixed-size TestBackend.

#![allow(dead_code)]

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imgslim_core::{Analysis, Input, Options, Progress, analyze};
use imgslim_tests::fixtures::{Flavour, example::example_image, write_archive};
use imgslim_tui::app::App;
use imgslim_tui::keys::{Action, KeyBindings};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The example image (docker25 layout) analysed.
pub fn example_analysis() -> Analysis {
    let bytes = write_archive(&example_image(), Flavour::Docker25);
    analyze(
        Input::Archive {
            source: Arc::new(bytes),
            name: "example.tar".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .expect("the example image analyses")
}

/// An explorer over the example image, drawn once at 120x40 so pane sizes are known.
pub fn example_app() -> App {
    let mut app = App::new(example_analysis(), KeyBindings::default());
    draw(&mut app, 120, 40);
    app
}

/// Press the first key the table binds to `action`, then sync as the event loop does before
/// each draw.
pub fn press(app: &mut App, action: Action) {
    let key = app.keys.keys_for(action)[0];
    app.on_key(KeyEvent::new(key.code, key.mods));
    app.sync();
}

/// Type text as plain key presses, syncing after each as if each were drawn.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        app.sync();
    }
}

/// Press a raw key, then sync.
pub fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.sync();
}

/// Draw the app into a TestBackend and return the terminal.
pub fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    t.draw(|f| imgslim_tui::ui::draw(f, app)).expect("draw");
    t
}

/// Paths of the visible rows, in order.
pub fn row_paths(app: &mut App) -> Vec<String> {
    let tree = &app.analysis.tree;
    app.nav
        .all_rows(tree)
        .iter()
        .map(|r| tree.path_string(r.node))
        .collect()
}

/// Paths of the expanded directories on screen or scrolled away.
pub fn expanded(app: &mut App) -> Vec<String> {
    app.nav.expanded_paths(&app.analysis.tree)
}

/// The selected path.
pub fn selected_path(app: &App) -> Option<String> {
    app.nav.selected_node().map(|n| app.tree().path_string(n))
}

/// Select the row showing `path`, by pressing Down/Up as a user would.
pub fn select_path(app: &mut App, path: &str) {
    let rows = row_paths(app);
    let target = rows
        .iter()
        .position(|p| p == path)
        .unwrap_or_else(|| panic!("{path} not shown; rows: {rows:?}"));
    while app.nav.selected() < target {
        press(app, Action::Down);
    }
    while app.nav.selected() > target {
        press(app, Action::Up);
    }
}
