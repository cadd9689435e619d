//! Journeys: keys from the key table go into the app, and the tests assert its state
//! (selection, expanded paths, filter, mode), as dua-cli's `journeys_readonly.rs` does.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use imgslim_tui::app::{App, Pane, Prompt};
use imgslim_tui::keys::{Action, KeyBindings};
use imgslim_tui::nav::{Mode, SortOrder};

#[test]
fn opens_on_the_last_layer_sorted_by_size_with_dirs_collapsed() {
    let mut app = example_app();
    assert_eq!(app.layer, 5);
    assert_eq!(app.nav.mode(), Mode::Aggregated);
    assert_eq!(app.nav.sort(), SortOrder::Size);
    assert_eq!(app.pane, Pane::Tree);
    assert_eq!(app.nav.selected(), 0);
    assert!(expanded(&mut app).is_empty());
    let rows = row_paths(&mut app);
    assert!(rows.iter().all(|p| p.matches('/').count() == 1), "{rows:?}");
    // Largest first: /usr holds cc1, the biggest file.
    assert_eq!(rows[0], "/usr");
}

#[test]
fn space_expands_and_collapses_and_left_goes_to_the_parent() {
    let mut app = example_app();
    select_path(&mut app, "/usr");
    press(&mut app, Action::ToggleDir);
    assert_eq!(expanded(&mut app), vec!["/usr"]);
    let rows = row_paths(&mut app);
    assert!(rows.contains(&"/usr/bin".to_owned()), "{rows:?}");
    press(&mut app, Action::Down);
    let child = selected_path(&app).unwrap();
    assert!(child.starts_with("/usr/"));
    press(&mut app, Action::Left);
    assert_eq!(selected_path(&app).as_deref(), Some("/usr"));
    press(&mut app, Action::Left);
    assert!(expanded(&mut app).is_empty());
    assert!(!row_paths(&mut app).contains(&"/usr/bin".to_owned()));
    // Right expands again; Ctrl+Space collapses everything, and again expands everything.
    press(&mut app, Action::Right);
    assert_eq!(expanded(&mut app), vec!["/usr"]);
    press(&mut app, Action::CollapseAll);
    assert!(expanded(&mut app).is_empty());
    press(&mut app, Action::CollapseAll);
    let expanded = expanded(&mut app);
    assert!(
        expanded.contains(&"/var/cache/apt/archives".to_owned()),
        "{expanded:?}"
    );
    assert_eq!(selected_path(&app).as_deref(), Some("/usr"));
}

#[test]
fn moving_and_paging_stay_in_bounds() {
    let mut app = example_app();
    press(&mut app, Action::Up);
    assert_eq!(app.nav.selected(), 0);
    // Nothing is open yet, so Ctrl+Space expands everything.
    press(&mut app, Action::CollapseAll);
    let n = app.nav.len();
    assert!(n > 40, "{n} rows");
    press(&mut app, Action::End);
    assert_eq!(app.nav.selected(), n - 1);
    press(&mut app, Action::Home);
    assert_eq!(app.nav.selected(), 0);
    press(&mut app, Action::PageDown);
    // One page is the tree's rows at 120x40: 40 - status line - 2 borders - header - footer.
    assert_eq!(app.nav.selected(), 35);
    press(&mut app, Action::PageUp);
    assert_eq!(app.nav.selected(), 0);
}

#[test]
fn filter_is_incremental_and_esc_clears_it() {
    let mut app = example_app();
    press(&mut app, Action::Filter);
    assert_eq!(app.prompt, Some(Prompt::Filter));
    type_text(&mut app, "hel");
    assert_eq!(app.nav.filter(), "hel");
    type_text(&mut app, "lo");
    assert_eq!(app.nav.filter(), "hello");
    let rows = row_paths(&mut app);
    assert!(
        rows.contains(&"/usr/local/bin/hello".to_owned()),
        "{rows:?}"
    );
    assert!(rows.contains(&"/src/hello.c".to_owned()), "{rows:?}");
    assert!(!rows.iter().any(|p| p.starts_with("/etc")), "{rows:?}");
    // Everything a match needs is expanded while filtering.
    assert!(expanded(&mut app).contains(&"/usr/local/bin".to_owned()));
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.nav.filter(), "hell");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.prompt, None);
    assert_eq!(app.nav.filter(), "hell");
    // Keys act normally again, and the filter stays.
    press(&mut app, Action::Down);
    assert_eq!(app.nav.filter(), "hell");
    press(&mut app, Action::Cancel);
    assert_eq!(app.nav.filter(), "");
    assert!(expanded(&mut app).is_empty());
}

#[test]
fn filter_is_smart_case() {
    let mut app = example_app();
    press(&mut app, Action::Filter);
    type_text(&mut app, "HELLO");
    assert!(row_paths(&mut app).is_empty());
    key(&mut app, KeyCode::Esc);
    press(&mut app, Action::Filter);
    type_text(&mut app, "Hello");
    assert!(row_paths(&mut app).is_empty());
    key(&mut app, KeyCode::Esc);
    press(&mut app, Action::Filter);
    type_text(&mut app, "hello");
    assert!(!row_paths(&mut app).is_empty());
}

#[test]
fn layer_mode_shows_only_that_layers_changes() {
    let mut app = example_app();
    press(&mut app, Action::ToggleMode);
    assert_eq!(app.nav.mode(), Mode::Layer);
    press(&mut app, Action::CollapseAll); // expand all
    let rows = row_paths(&mut app);
    // The last layer is `chmod 755 /usr/local/bin/hello`.
    assert!(
        rows.contains(&"/usr/local/bin/hello".to_owned()),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|p| p.starts_with("/etc")), "{rows:?}");
    press(&mut app, Action::ToggleMode);
    assert_eq!(app.nav.mode(), Mode::Aggregated);
    assert!(row_paths(&mut app).iter().any(|p| p.starts_with("/etc")));
}

#[test]
fn tab_cycles_panes_and_the_layer_list_drives_the_tree() {
    let mut app = example_app();
    press(&mut app, Action::SwitchPane);
    assert_eq!(app.pane, Pane::Image);
    press(&mut app, Action::SwitchPane);
    assert_eq!(app.pane, Pane::Layers);
    press(&mut app, Action::Home);
    assert_eq!(app.layer, 0);
    assert_eq!(app.nav.layer(), 0);
    // Layer 0 is the base: no /src yet.
    assert!(!row_paths(&mut app).contains(&"/src".to_owned()));
    press(&mut app, Action::Down);
    press(&mut app, Action::Down);
    assert_eq!(app.nav.layer(), 2);
    assert!(row_paths(&mut app).contains(&"/src".to_owned()));
    press(&mut app, Action::SwitchPaneBack);
    assert_eq!(app.pane, Pane::Image);
    press(&mut app, Action::SwitchPaneBack);
    assert_eq!(app.pane, Pane::Tree);
}

#[test]
fn sort_toggles_between_size_and_name() {
    let mut app = example_app();
    press(&mut app, Action::ToggleSort);
    assert_eq!(app.nav.sort(), SortOrder::Name);
    let rows = row_paths(&mut app);
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted);
    press(&mut app, Action::ToggleSort);
    assert_eq!(app.nav.sort(), SortOrder::Size);
    assert_eq!(row_paths(&mut app)[0], "/usr");
}

#[test]
fn change_toggles_hide_and_show() {
    let mut app = example_app();
    press(&mut app, Action::CollapseAll);
    let all = row_paths(&mut app).len();
    press(&mut app, Action::ToggleUnchanged);
    assert!(!app.nav.show().unchanged);
    let changed = row_paths(&mut app).len();
    assert!(changed < all, "{changed} of {all}");
    press(&mut app, Action::ToggleAdded);
    press(&mut app, Action::ToggleModified);
    press(&mut app, Action::ToggleRemoved);
    let s = app.nav.show();
    assert!(!s.added && !s.modified && !s.removed && !s.unchanged);
    assert!(row_paths(&mut app).is_empty());
    for a in [
        Action::ToggleAdded,
        Action::ToggleModified,
        Action::ToggleRemoved,
        Action::ToggleUnchanged,
    ] {
        press(&mut app, a);
    }
    assert_eq!(row_paths(&mut app).len(), all);
}

#[test]
fn wasted_only_shows_the_deleted_debs() {
    let mut app = example_app();
    press(&mut app, Action::ToggleWasted);
    assert!(app.nav.wasted_only());
    press(&mut app, Action::CollapseAll);
    let rows = row_paths(&mut app);
    assert!(
        rows.iter()
            .any(|p| p.starts_with("/var/cache/apt/archives/") && p.ends_with(".deb")),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|p| p.starts_with("/etc")), "{rows:?}");
}

#[test]
fn enter_on_a_wasted_file_jumps_to_it_in_the_tree() {
    let mut app = example_app();
    press(&mut app, Action::SwitchPane);
    assert_eq!(app.pane, Pane::Image);
    let w = app.analysis.report.wasted[0].clone();
    press(&mut app, Action::Open);
    assert_eq!(app.pane, Pane::Tree);
    assert_eq!(app.layer, w.layer);
    assert_eq!(selected_path(&app).as_deref(), Some(w.path.as_str()));
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut app = example_app();
    press(&mut app, Action::Help);
    assert!(app.help);
    press(&mut app, Action::Down);
    assert!(!app.help);
    assert_eq!(app.nav.selected(), 0, "the closing key does nothing else");
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = example_app();
    press(&mut app, Action::Quit);
    assert!(app.quit);
    let mut app = example_app();
    press(&mut app, Action::Filter);
    app.on_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    ));
    assert!(app.quit, "Ctrl+C quits even while typing");
}

#[test]
fn extract_writes_the_selected_file_into_the_chosen_directory() {
    let mut app = example_app();
    let dir = tempfile::tempdir().unwrap();
    press(&mut app, Action::Filter);
    type_text(&mut app, "hello.c");
    key(&mut app, KeyCode::Enter);
    select_path(&mut app, "/src/hello.c");
    press(&mut app, Action::Extract);
    let Some(Prompt::Extract { dir: typed, .. }) = app.prompt.clone() else {
        panic!("no prompt: {:?}", app.prompt);
    };
    for _ in typed.chars() {
        key(&mut app, KeyCode::Backspace);
    }
    let target = dir.path().join("out");
    type_text(&mut app, &target.display().to_string());
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.prompt, None);
    let written = std::fs::read_to_string(target.join("hello.c")).unwrap();
    assert_eq!(written, imgslim_tests::fixtures::example::HELLO_C);
    assert!(
        app.status.as_deref().unwrap().starts_with("extracted to"),
        "{:?}",
        app.status
    );
    // A second extraction never overwrites.
    press(&mut app, Action::Extract);
    key(&mut app, KeyCode::Enter);
    assert!(target.join("hello.c.1").is_file(), "{:?}", app.status);
}

#[test]
fn extract_refuses_directories() {
    let mut app = example_app();
    select_path(&mut app, "/usr");
    press(&mut app, Action::Extract);
    assert_eq!(app.prompt, None);
    assert!(app.status.is_some());
}

#[test]
fn remapped_keys_drive_the_app() {
    let mut keys = KeyBindings::default();
    keys.apply_toml("[keys]\nfilter = [\"f\"]\nquit = [\"ctrl-q\"]\n")
        .unwrap();
    let mut app = App::new(example_analysis(), keys);
    type_text(&mut app, "f");
    assert_eq!(app.prompt, Some(Prompt::Filter));
    key(&mut app, KeyCode::Esc);
    type_text(&mut app, "q");
    assert!(!app.quit, "q is no longer bound");
    press(&mut app, Action::Quit);
    assert!(app.quit);
}

#[test]
fn mouse_wheel_scrolls_and_click_selects() {
    let mut app = example_app();
    press(&mut app, Action::CollapseAll);
    let tree = app.areas.tree;
    let at = |kind| MouseEvent {
        kind,
        column: tree.x + 5,
        row: tree.y + 2,
        modifiers: KeyModifiers::NONE,
    };
    app.on_mouse(at(MouseEventKind::ScrollDown));
    assert_eq!(app.nav.offset(), 3);
    assert_eq!(app.nav.selected(), 3, "the selection follows the view");
    app.on_mouse(at(MouseEventKind::Down(MouseButton::Left)));
    assert_eq!(app.nav.selected(), 5);
    let layers = app.areas.layers;
    app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: layers.x + 2,
        row: layers.y + 1,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.pane, Pane::Layers);
    assert_eq!(app.layer, 1);
}

#[test]
fn removed_files_can_be_extracted_from_the_layer_that_stored_them() {
    let mut app = example_app();
    let dir = tempfile::tempdir().unwrap();
    app.extract_dir = dir.path().to_path_buf();
    // At the last layer the .deb files are gone (shown red); their bytes are still stored.
    press(&mut app, Action::ToggleWasted);
    press(&mut app, Action::CollapseAll);
    let deb = row_paths(&mut app)
        .into_iter()
        .find(|p| p.ends_with("gcc-12_12.2.0-14_amd64.deb"))
        .unwrap();
    select_path(&mut app, &deb);
    press(&mut app, Action::Extract);
    key(&mut app, KeyCode::Enter);
    let written = std::fs::metadata(dir.path().join("gcc-12_12.2.0-14_amd64.deb")).unwrap();
    let node = app.tree().lookup(deb.as_bytes()).unwrap();
    let stored = app.content_of(node).unwrap();
    assert_eq!(written.len(), app.tree().content(stored).size);
}

#[test]
fn a_burst_of_typing_filters_once_when_synced() {
    let mut app = example_app();
    press(&mut app, Action::Filter);
    for c in "hello".chars() {
        app.on_key(crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        ));
    }
    // Not applied until the loop syncs before drawing...
    assert_eq!(app.nav.filter(), "");
    assert_eq!(app.filter_text, "hello");
    // ...or until a key that acts on the rows arrives.
    press(&mut app, Action::Down);
    assert_eq!(app.nav.filter(), "hello");
}

#[test]
fn findings_view_enter_jumps_to_the_findings_first_path() {
    let mut app = example_app();
    assert!(
        !app.analysis.report.findings.is_empty(),
        "the example image has findings"
    );
    press(&mut app, Action::Findings);
    assert_eq!(app.pane, Pane::Findings);
    draw(&mut app, 120, 40);
    // The apt cache finding: stored by layer 1, deleted again by layer 4.
    let target = app
        .analysis
        .report
        .findings
        .iter()
        .position(|f| f.paths.first().is_some_and(|p| p == "/var/cache/apt"))
        .expect("an apt cache finding");
    while app.finding_selected < target {
        press(&mut app, Action::Down);
    }
    let f = app.analysis.report.findings[target].clone();
    assert_eq!(f.layer, Some(1));
    press(&mut app, Action::Open);
    assert_eq!(app.pane, Pane::Tree);
    assert_eq!(app.layer, 1);
    assert_eq!(app.nav.layer(), 1);
    assert_eq!(selected_path(&app).as_deref(), Some("/var/cache/apt"));
    assert!(expanded(&mut app).contains(&"/var/cache".to_owned()));
    assert_eq!(app.status, None);
}

#[test]
fn findings_jump_clears_the_filter_even_in_layer_mode() {
    let mut app = example_app();
    press(&mut app, Action::Filter);
    type_text(&mut app, "hello");
    key(&mut app, KeyCode::Enter);
    press(&mut app, Action::ToggleMode);
    assert_eq!(app.nav.mode(), Mode::Layer);
    press(&mut app, Action::Findings);
    press(&mut app, Action::Home);
    let f = app.analysis.report.findings[0].clone();
    press(&mut app, Action::Open);
    assert_eq!(app.pane, Pane::Tree);
    assert_eq!(app.filter_text, "");
    assert_eq!(Some(app.layer), f.layer);
    assert_eq!(selected_path(&app).as_ref(), f.paths.first());
}

#[test]
fn findings_key_esc_and_tab_go_back_to_the_previous_pane() {
    let mut app = example_app();
    press(&mut app, Action::SwitchPane);
    assert_eq!(app.pane, Pane::Image);
    press(&mut app, Action::Findings);
    assert_eq!(app.pane, Pane::Findings);
    press(&mut app, Action::Findings);
    assert_eq!(app.pane, Pane::Image);
    press(&mut app, Action::Findings);
    press(&mut app, Action::Cancel);
    assert_eq!(app.pane, Pane::Image);
    press(&mut app, Action::Findings);
    press(&mut app, Action::SwitchPane);
    assert_eq!(app.pane, Pane::Image);
    // The list stays in bounds.
    press(&mut app, Action::Findings);
    press(&mut app, Action::End);
    assert_eq!(app.finding_selected, app.analysis.report.findings.len() - 1);
    press(&mut app, Action::PageDown);
    assert_eq!(app.finding_selected, app.analysis.report.findings.len() - 1);
}

#[test]
fn findings_view_takes_clicks_and_the_explorer_panes_do_not() {
    let mut app = example_app();
    press(&mut app, Action::Findings);
    draw(&mut app, 120, 40);
    assert_eq!(app.areas.tree, ratatui::layout::Rect::default());
    let list = app.areas.findings;
    app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: list.x + 2,
        row: list.y + 2,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.pane, Pane::Findings);
    assert_eq!(app.finding_selected, 2);
    // Back in the explorer, the findings list no longer takes clicks.
    press(&mut app, Action::Findings);
    draw(&mut app, 120, 40);
    assert_eq!(app.areas.findings, ratatui::layout::Rect::default());
}
