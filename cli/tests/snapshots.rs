//! Snapshots of the three report formats for the project's example image
//! (`imgslim_tests::fixtures::example`), generated here rather than read from a committed file.

mod common;

use imgslim_tests::fixtures::{Flavour, example, write_archive};

/// The report of the example image in `format`, with the tool version redacted so a release
/// does not churn the snapshots.
fn report(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let bytes = write_archive(&example::example_image(), Flavour::Docker25);
    std::fs::write(dir.path().join("example.tar"), bytes).unwrap();
    let out = common::run_in(
        dir.path(),
        &[
            "analyze",
            "--no-progress",
            "--format",
            format,
            "example.tar",
        ],
    );
    out.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn text_report() {
    insta::assert_snapshot!(report("text"));
}

#[test]
fn json_report() {
    insta::assert_snapshot!(report("json"));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(report("markdown"));
}
