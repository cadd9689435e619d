//! The loader thread hands the analysis (or the error, or a panic) to the UI thread.

mod common;

use imgslim_tui::Loader;

#[test]
fn loader_delivers_the_analysis_and_progress_is_readable_meanwhile() {
    let loader = Loader::spawn(Box::new(|_progress| Ok(common::example_analysis())));
    let _ = loader.snapshot();
    let analysis = loader.wait().unwrap();
    assert_eq!(analysis.report.layers.len(), 6);
}

#[test]
fn loader_errors_and_panics_become_messages() {
    let loader = Loader::spawn(Box::new(|_| Err("app.tar: not an image".into())));
    assert_eq!(
        loader.wait().err().as_deref(),
        Some("app.tar: not an image")
    );
    let loader = Loader::spawn(Box::new(|_| panic!("boom")));
    assert_eq!(
        loader.wait().err().as_deref(),
        Some("the loader thread panicked")
    );
}

#[test]
fn cancel_reaches_the_analysis() {
    let loader = Loader::spawn(Box::new(|progress| {
        // Wait until the UI asks to stop, as the scanner checks between reads.
        while !progress.is_cancelled() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        Err("cancelled".into())
    }));
    loader.cancel();
    assert_eq!(loader.wait().err().as_deref(), Some("cancelled"));
}
