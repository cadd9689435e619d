//! Per-keystroke cost of the explorer on a synthetic image of 500,000 files (plain layers, built
//! with the fixture builder): moving, expanding, one filter keystroke, switching layers, each
//! followed by a render into a 120x40 TestBackend as the real loop does.
//!
//! `cargo bench -p imgslim-benches --bench explore`. The image is built and analysed once
//! (its time is printed); every bench then drives the same app, so the state each one sets up
//! is stated at its top. `IMGSLIM_SYNTHETIC_OUT=FILE` also writes the image, to time
//! `imgslim explore FILE` in a real terminal.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use imgslim_core::{Input, Options, Progress, analyze};
use imgslim_tests::fixtures::{Content, Entry, Flavour, Image, Layer, write_archive};
use imgslim_tui::app::{App, Pane};
use imgslim_tui::keys::{Action, KeyBindings};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 100 top directories × 50 subdirectories × 100 files.
const TOP: usize = 100;
const SUB: usize = 50;
const FILES: usize = 100;

fn synthetic_image() -> Image {
    let mut base = Vec::with_capacity(TOP * SUB * (FILES + 1) + TOP);
    let mut n = 0u64;
    for t in 0..TOP {
        base.push(Entry::dir(&format!("d{t:03}")));
        for s in 0..SUB {
            base.push(Entry::dir(&format!("d{t:03}/s{s:02}")));
            for f in 0..FILES {
                n += 1;
                // Sizes vary so sorting by size has work to do; one tar block at most.
                base.push(Entry::file_with(
                    &format!("d{t:03}/s{s:02}/file-{f:03}.dat"),
                    Content::Repeat {
                        byte: b'x',
                        len: (n * 37) % 500,
                    },
                    0o644,
                ));
            }
        }
    }
    // A second layer rewrites a thousand files and deletes one top directory, so the layer
    // and aggregated views differ.
    let mut top = Vec::new();
    for f in 0..1000 {
        top.push(Entry::file_with(
            &format!("d001/s{:02}/file-{:03}.dat", f / FILES, f % FILES),
            Content::Repeat {
                byte: b'y',
                len: 100,
            },
            0o644,
        ));
    }
    top.push(Entry::whiteout("d002"));
    Image::new(vec![
        Layer::new("ADD many files /", base),
        Layer::new("RUN rewrite and rm", top),
    ])
}

static APP: LazyLock<Mutex<App>> = LazyLock::new(|| {
    let t = Instant::now();
    let bytes = write_archive(&synthetic_image(), Flavour::DockerPodman);
    let built = t.elapsed();
    // For timing the real `imgslim explore` on the same image (under tmux, as dive is timed).
    if let Some(out) = std::env::var_os("IMGSLIM_SYNTHETIC_OUT") {
        std::fs::write(&out, &bytes).expect("writing IMGSLIM_SYNTHETIC_OUT");
    }
    let t = Instant::now();
    let analysis = analyze(
        Input::Archive {
            source: Arc::new(bytes),
            name: "synthetic.tar".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .expect("synthetic image analyses");
    let analysed = t.elapsed();
    let t = Instant::now();
    let nodes = analysis.tree.len();
    let app = App::new(analysis, KeyBindings::default());
    eprintln!(
        "synthetic image: {nodes} nodes; written in {built:.2?}, analysed in {analysed:.2?}, explorer opened in {:.2?}",
        t.elapsed()
    );
    Mutex::new(app)
});

fn press(app: &mut App, action: Action) {
    let key = app.keys.keys_for(action)[0];
    app.on_key(KeyEvent::new(key.code, key.mods));
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(120, 40)).expect("test backend")
}

/// What the event loop does after handling keys: apply a pending filter, then draw.
fn render(t: &mut Terminal<TestBackend>, app: &mut App) {
    app.sync();
    t.draw(|f| imgslim_tui::ui::draw(f, app)).expect("draw");
}

/// Everything expanded (505,100 rows) on the last layer, no filter, tree focused.
fn expanded_all(app: &mut App) {
    app.pane = Pane::Tree;
    app.filter_text.clear();
    app.prompt = None;
    app.select_layer(0);
    let tree = &app.analysis.tree;
    app.nav.set_filter(tree, "");
    if app.nav.len() < 1000 {
        press(app, Action::CollapseAll);
    }
    assert!(app.nav.len() > 500_000, "{} rows", app.nav.len());
}

fn main() {
    LazyLock::force(&APP);
    divan::main();
}

/// Down arrow plus a render, on the fully expanded tree.
#[divan::bench(sample_count = 200)]
fn move_down(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    bencher.bench_local(|| {
        if app.nav.selected() + 1 >= app.nav.len() {
            app.nav.home(&app.analysis.tree);
        }
        press(app, Action::Down);
        render(&mut t, app);
    });
}

/// Page down plus a render, on the fully expanded tree.
#[divan::bench(sample_count = 200)]
fn page_down(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    render(&mut t, app);
    bencher.bench_local(|| {
        if app.nav.selected() + 100 >= app.nav.len() {
            app.nav.home(&app.analysis.tree);
        }
        press(app, Action::PageDown);
        render(&mut t, app);
    });
}

/// Space on a top directory (5,050 rows below it) near the start of the fully expanded tree:
/// alternately collapses and expands it, splicing rows out of and into a 505,100-row list.
#[divan::bench(sample_count = 100)]
fn toggle_dir(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    app.nav.home(&app.analysis.tree);
    let mut t = terminal();
    bencher.bench_local(|| {
        press(app, Action::ToggleDir);
        render(&mut t, app);
    });
}

/// One filter keystroke plus a render: alternately types `7` after `file-0` (narrowing: only
/// previous matches are searched) and deletes it (the previous matches are kept).
#[divan::bench(sample_count = 50)]
fn filter_keystroke(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    press(app, Action::Filter);
    for c in "file-0".chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.sync();
    let mut typed = false;
    bencher.bench_local(|| {
        let key = if typed {
            KeyCode::Backspace
        } else {
            KeyCode::Char('7')
        };
        typed = !typed;
        app.on_key(KeyEvent::new(key, KeyModifiers::NONE));
        render(&mut t, app);
    });
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
}

/// The worst filter keystroke: the first character (`f`, which every file matches) searches
/// every path; Backspace then clears the filter. Each followed by a render.
#[divan::bench(sample_count = 50)]
fn filter_first_char(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    press(app, Action::Filter);
    let mut typed = false;
    bencher.bench_local(|| {
        let key = if typed {
            KeyCode::Backspace
        } else {
            KeyCode::Char('f')
        };
        typed = !typed;
        app.on_key(KeyEvent::new(key, KeyModifiers::NONE));
        render(&mut t, app);
    });
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
}

/// The same with a filter that spans path components (`s01/f` then `s01/fi`), which has to
/// look at the end of each parent's path too.
#[divan::bench(sample_count = 50)]
fn filter_keystroke_path(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    press(app, Action::Filter);
    for c in "s01/f".chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.sync();
    let mut typed = false;
    bencher.bench_local(|| {
        let key = if typed {
            KeyCode::Backspace
        } else {
            KeyCode::Char('i')
        };
        typed = !typed;
        app.on_key(KeyEvent::new(key, KeyModifiers::NONE));
        render(&mut t, app);
    });
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
}

/// Selecting the other layer in the layer list (recomputes which paths show, rebuilds 505,100
/// rows, sizes cached per layer) plus a render.
#[divan::bench(sample_count = 50)]
fn switch_layer(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    app.pane = Pane::Layers;
    let mut t = terminal();
    let mut up = false;
    bencher.bench_local(|| {
        press(app, if up { Action::Up } else { Action::Down });
        up = !up;
        render(&mut t, app);
    });
}

/// Ctrl+L: this layer's changes / everything up to it (recomputes which paths show; the layer
/// view's size table is cached after the first switch) plus a render.
#[divan::bench(sample_count = 50)]
fn toggle_mode(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    bencher.bench_local(|| {
        press(app, Action::ToggleMode);
        render(&mut t, app);
    });
    if app.nav.mode() != imgslim_tui::nav::Mode::Aggregated {
        press(app, Action::ToggleMode);
    }
}

/// A render alone (what a resize or an idle redraw costs).
#[divan::bench(sample_count = 200)]
fn render_only(bencher: Bencher) {
    let mut guard = APP.lock().unwrap();
    let app = &mut *guard;
    expanded_all(app);
    let mut t = terminal();
    bencher.bench_local(|| render(&mut t, app));
}
