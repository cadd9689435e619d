//! `imgslim analyze --fail-on SEVERITY`: exit 1 when a finding reaches the severity, else 0.
//! The example image leaks a C toolchain (a high-severity finding) and apt caches.

mod common;

use imgslim_tests::fixtures::{Flavour, example::example_image, write_archive};

#[test]
fn analyze_fails_on_findings_at_or_above_the_severity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("example.tar");
    std::fs::write(&path, write_archive(&example_image(), Flavour::Docker25)).unwrap();
    let p = path.to_str().unwrap();
    let code = |extra: &[&str]| {
        let mut a = vec!["analyze", "--format", "json", p];
        a.extend_from_slice(extra);
        common::run(&common::args(&a), None).status.code()
    };
    assert_eq!(code(&[]), Some(0), "a report alone is not a verdict");
    assert_eq!(code(&["--fail-on", "high"]), Some(1));
    assert_eq!(code(&["--fail-on", "low"]), Some(1));
    // A clean image never fails.
    let clean = dir.path().join("clean.tar");
    let image = imgslim_tests::fixtures::Image::new(vec![imgslim_tests::fixtures::Layer::new(
        "COPY app /app",
        vec![imgslim_tests::fixtures::Entry::file(
            "app",
            b"#!/bin/true\n".to_vec(),
        )],
    )]);
    std::fs::write(&clean, write_archive(&image, Flavour::Docker25)).unwrap();
    let out = common::run(
        &common::args(&["analyze", "--fail-on", "info", clean.to_str().unwrap()]),
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
