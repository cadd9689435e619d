//! `imgslim suggest`, `imgslim rules` and `imgslim rule CODE` on the project's example image:
//! snapshots of the output and the exit codes.

mod common;

use std::path::Path;

use imgslim_tests::fixtures::{Flavour, example, write_archive};

fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bytes = write_archive(&example::example_image(), Flavour::Docker25);
    std::fs::write(dir.path().join("example.tar"), bytes).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(common::BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("spawn imgslim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).replace(env!("CARGO_PKG_VERSION"), "[version]"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn suggest_text() {
    let dir = example_dir();
    insta::assert_snapshot!(common::run_in(
        dir.path(),
        &["suggest", "--no-progress", "example.tar"]
    ));
}

#[test]
fn suggest_json() {
    let dir = example_dir();
    let out = common::run_in(
        dir.path(),
        &[
            "suggest",
            "--no-progress",
            "--format",
            "json",
            "example.tar",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
    insta::assert_snapshot!(out);
}

#[test]
fn suggest_with_a_dockerfile_maps_lines_and_diffs() {
    let dir = example_dir();
    let dockerfile = "FROM debian:12\nRUN apt-get update && apt-get install -y gcc libc6-dev\nCOPY hello.c /src/\nRUN gcc -o /usr/local/bin/hello /src/hello.c\nRUN rm -rf /var/cache/apt/archives/*.deb\nRUN chmod 755 /usr/local/bin/hello\nENTRYPOINT [\"/usr/local/bin/hello\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let out = common::run_in(
        dir.path(),
        &[
            "suggest",
            "--no-progress",
            "--dockerfile",
            "Dockerfile",
            "example.tar",
        ],
    );
    insta::assert_snapshot!(out);
}

#[test]
fn rule_docs() {
    let dir = example_dir();
    insta::assert_snapshot!(common::run_in(dir.path(), &["rule", "IS301"]));
    let list = common::run_in(dir.path(), &["rules"]);
    assert!(list.contains("IS101") && list.contains("IS902"), "{list}");
    let json = common::run_in(dir.path(), &["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(v.as_array().is_some_and(|a| a.len() >= 30));
}

#[test]
fn exit_codes() {
    let dir = example_dir();
    let (code, _, _) = run(dir.path(), &["suggest", "--no-progress", "example.tar"]);
    assert_eq!(code, Some(0), "a report is not a verdict");
    let (code, _, _) = run(
        dir.path(),
        &[
            "suggest",
            "--no-progress",
            "--fail-on",
            "medium",
            "example.tar",
        ],
    );
    assert_eq!(code, Some(1), "medium findings fire on the example");
    let (code, _, err) = run(dir.path(), &["rule", "IS999"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no rule"), "{err}");
    let (code, _, _) = run(dir.path(), &["suggest", "--no-progress", "missing.tar"]);
    assert_eq!(code, Some(2));
}
