//! `-o` onto something that is not a regular file (a FIFO, `/dev/null`) writes into it and
//! leaves it what it was; replacing it by a rename once turned this machine's /dev/null into a
//! regular file.
#![cfg(unix)]

mod common;

use std::os::unix::fs::FileTypeExt;

use imgslim_tests::fixtures::{Flavour, example::example_image, write_archive};

#[test]
fn output_to_a_fifo_writes_into_it_and_keeps_it_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("example.tar");
    std::fs::write(&image, write_archive(&example_image(), Flavour::Docker25)).unwrap();
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipping");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = common::run(
        &common::args(&[
            "analyze",
            "--format",
            "json",
            "-o",
            fifo.to_str().unwrap(),
            image.to_str().unwrap(),
        ]),
        None,
    );
    common::assert_ok(&out, "analyze -o FIFO");
    // Checked first: had the FIFO been renamed over, the reader would never see a writer.
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO was replaced"
    );
    let written = reader.join().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(report["schema_version"], 1);
}
