//! Screen snapshots: each view drawn into a TestBackend at a fixed size (text only; colours
//! are checked by the journeys through `change_style`).

mod common;

use std::time::Duration;

use common::*;
use crossterm::event::KeyCode;
use imgslim_core::Snapshot;
use imgslim_tui::keys::Action;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[test]
fn main_view_120x40() {
    let mut app = example_app();
    press(&mut app, Action::CollapseAll); // expand everything
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn main_view_80x24() {
    let mut app = example_app();
    insta::assert_snapshot!(draw(&mut app, 80, 24).backend());
}

#[test]
fn layer_changes_without_attributes() {
    let mut app = example_app();
    press(&mut app, Action::SwitchPane);
    press(&mut app, Action::SwitchPane);
    press(&mut app, Action::Up); // layer 4: rm -rf the .deb cache
    press(&mut app, Action::ToggleMode);
    press(&mut app, Action::ToggleAttributes);
    press(&mut app, Action::CollapseAll);
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn filter_prompt() {
    let mut app = example_app();
    press(&mut app, Action::Filter);
    type_text(&mut app, "apt");
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn image_pane_focused_with_wasted_files() {
    let mut app = example_app();
    press(&mut app, Action::SwitchPane);
    press(&mut app, Action::Down);
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn help_overlay() {
    let mut app = example_app();
    press(&mut app, Action::Help);
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn extract_prompt() {
    let mut app = example_app();
    app.extract_dir = "/tmp/out".into();
    press(&mut app, Action::Filter);
    type_text(&mut app, "hello.c");
    key(&mut app, KeyCode::Enter);
    select_path(&mut app, "/src/hello.c");
    press(&mut app, Action::Extract);
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn loading_screen() {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let snap = Snapshot {
        bytes_done: 300 << 20,
        bytes_total: 1200 << 20,
        layers_done: 3,
        layers_total: 9,
    };
    t.draw(|f| {
        imgslim_tui::ui::loading::draw(f, "gcc-single.tar", snap, Duration::from_millis(1500))
    })
    .unwrap();
    insta::assert_snapshot!(t.backend());
}

#[test]
fn wasted_only_explains_the_selection() {
    let mut app = example_app();
    press(&mut app, Action::ToggleWasted);
    press(&mut app, Action::CollapseAll);
    select_path(
        &mut app,
        "/var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb",
    );
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn findings_view_120x40() {
    let mut app = example_app();
    press(&mut app, Action::Findings);
    press(&mut app, Action::Down); // the apt cache, deleted again in a later layer
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn no_color_draws_no_colours_and_keeps_the_selection_visible() {
    use ratatui::style::{Color, Modifier};
    let mut app = example_app();
    let coloured = draw(&mut app, 120, 40);
    let cells = &coloured.backend().buffer().content;
    assert!(
        cells
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset),
        "the default screen uses colour"
    );
    app.no_color = true;
    let plain = draw(&mut app, 120, 40);
    let cells = &plain.backend().buffer().content;
    assert!(
        cells
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR leaves a colour on screen"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.modifier.contains(Modifier::REVERSED)),
        "the selection must stay visible without colour"
    );
}
