//! `imgslim diff`: pairs of fixture images, and saved reports on either side.

mod pairs;

use pairs::{expect_code, imgslim, stderr, stdout, write};
use serde_json::Value;

fn json_diff(dir: &std::path::Path, old: &str, new: &str) -> Value {
    let o = imgslim(
        dir,
        &["diff", "--no-progress", "--format", "json", old, new],
        &[],
    );
    expect_code(&o, 0, "diff");
    serde_json::from_str(&stdout(&o)).expect("JSON diff")
}

#[test]
fn leaked_toolchain_is_the_growth() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "leaky.tar", &pairs::leaked_toolchain());
    let o = imgslim(
        dir.path(),
        &["diff", "--no-progress", "release.tar", "leaky.tar"],
        &[],
    );
    expect_code(&o, 0, "diff");
    let t = stdout(&o);
    assert!(
        t.contains("+4.2 MB  added    RUN apt-get update && apt-get install -y gcc"),
        "{t}"
    );
    assert!(t.contains("+3.1 MB  /usr/lib/gcc/x86_64-linux-gnu"), "{t}");
    assert!(
        t.contains("+3.1 MB  added    /usr/lib/gcc/x86_64-linux-gnu/12/cc1  (layer 1)"),
        "{t}"
    );
    assert!(
        t.contains("+1.0 MB  added    /usr/bin/gcc-12  (layer 1)"),
        "{t}"
    );

    let d = json_diff(dir.path(), "release.tar", "leaky.tar");
    assert_eq!(d["kind"], "imgslim-diff");
    assert_eq!(d["schema_version"], 1);
    assert_eq!(d["exact_paths"], true);
    assert_eq!(d["summary"]["layer_count"]["change"], 1);
    let layers: Vec<(Value, Value, String)> = d["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["old"].clone(),
                l["new"].clone(),
                l["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        layers,
        vec![
            (0.into(), 0.into(), "unchanged".into()),
            (Value::Null, 1.into(), "added".into()),
            (1.into(), 2.into(), "unchanged".into()),
        ]
    );
    // Biggest change first; the symlink adds no bytes and is not a size change.
    let files: Vec<&str> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        vec!["/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/bin/gcc-12"]
    );
    assert_eq!(d["file_totals"]["added"]["bytes"], 4 * 1024 * 1024);
}

#[test]
fn grown_layer_matched_by_command() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "grown.tar", &pairs::grown_layer());
    let d = json_diff(dir.path(), "release.tar", "grown.tar");
    let app = &d["layers"][1];
    assert_eq!(app["status"], "changed");
    assert_eq!(app["matched_by"], "command");
    assert_eq!(app["size_bytes"]["change"], 200 * 1024);
    let files: Vec<(&str, &str, i64)> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
                f["size_bytes"]["change"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![
            ("/app/assets.bin", "added", 100 * 1024),
            ("/app/server", "changed", 100 * 1024),
        ]
    );
}

#[test]
fn added_cache_and_its_removal() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "cache.tar", &pairs::added_cache());
    let o = imgslim(
        dir.path(),
        &["diff", "--no-progress", "release.tar", "cache.tar"],
        &[],
    );
    let t = stdout(&o);
    assert!(t.contains("/var/lib/apt/lists"), "{t}");
    assert!(t.contains("/root/.npm"), "{t}");
    // The other way round everything is removed.
    let d = json_diff(dir.path(), "cache.tar", "release.tar");
    assert_eq!(d["file_totals"]["removed"]["files"], 2);
    assert_eq!(d["file_totals"]["removed"]["bytes"], 3 * 1024 * 1024);
    assert_eq!(
        d["layers"].as_array().unwrap().last().unwrap()["status"],
        "removed"
    );
}

#[test]
fn saved_reports_on_either_side() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "leaky.tar", &pairs::leaked_toolchain());
    for (img, json) in [("release.tar", "release.json"), ("leaky.tar", "leaky.json")] {
        let o = imgslim(
            dir.path(),
            &[
                "analyze",
                "--no-progress",
                "--format",
                "json",
                "-o",
                json,
                img,
            ],
            &[],
        );
        expect_code(&o, 0, "analyze");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("leaky.json")).unwrap()).unwrap();
    assert_eq!(report["paths"]["min_file_bytes"], 4096);
    assert_eq!(
        report["paths"]["files"][0]["path"],
        "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"
    );
    assert_eq!(report["paths"]["files"][0]["layer"], 1);

    for (old, new) in [
        ("release.json", "leaky.json"),
        ("release.json", "leaky.tar"),
        ("release.tar", "leaky.json"),
    ] {
        let d = json_diff(dir.path(), old, new);
        assert_eq!(d["exact_paths"], false, "{old} {new}");
        assert_eq!(d["paths_compared"], true);
        assert_eq!(
            d["files"][0]["path"], "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
            "{old} {new}"
        );
        assert_eq!(d["summary"]["size_bytes"]["change"], 4 * 1024 * 1024);
    }
    // A report read from stdin.
    let report = std::fs::read(dir.path().join("release.json")).unwrap();
    let mut child = std::process::Command::new(pairs::BIN)
        .args(["diff", "--no-progress", "-", "leaky.tar"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&report).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("/usr/lib/gcc"));
}

#[test]
fn markdown_for_pull_requests() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "leaky.tar", &pairs::leaked_toolchain());
    let o = imgslim(
        dir.path(),
        &[
            "diff",
            "--no-progress",
            "-f",
            "markdown",
            "release.tar",
            "leaky.tar",
        ],
        &[],
    );
    let m = stdout(&o);
    assert!(
        m.starts_with("## imgslim diff: `example/app:latest` → `example/app:latest`"),
        "{m}"
    );
    assert!(
        m.contains("| total size | 270.3 kB | 4.5 MB | +4.2 MB (+1551.5 %) |"),
        "{m}"
    );
    assert!(
        m.contains("| - | 1 | +4.2 MB | added | `RUN apt-get update && apt-get install -y gcc` |"),
        "{m}"
    );
    assert!(
        m.contains("| +3.1 MB | added | `/usr/lib/gcc/x86_64-linux-gnu/12/cc1` | 1 |"),
        "{m}"
    );
}

#[test]
fn bad_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    std::fs::write(dir.path().join("other.json"), "{\"hello\": 1}").unwrap();
    std::fs::write(dir.path().join("future.json"), "{\"schema_version\": 99}").unwrap();
    std::fs::write(
        dir.path().join("diff.json"),
        "{\"schema_version\": 1, \"kind\": \"imgslim-diff\"}",
    )
    .unwrap();
    for (arg, want) in [
        (
            "other.json",
            "other.json: not a readable imgslim report: not an imgslim report",
        ),
        ("future.json", "unsupported schema_version 99"),
        ("missing.tar", "missing.tar: cannot open"),
        (
            "diff.json",
            "diff.json: an `imgslim-diff` document, not a report",
        ),
    ] {
        let o = imgslim(
            dir.path(),
            &["diff", "--no-progress", "release.tar", arg],
            &[],
        );
        expect_code(&o, 2, arg);
        assert!(stderr(&o).contains(want), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}
