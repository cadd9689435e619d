//! Helpers shared by the CLI tests: run the built `imgslim` binary and read what it wrote.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_imgslim");

/// Run `imgslim ARGS` with `stdin` piped in (or none), colour off, no progress bar.
pub fn run(args: &[&std::ffi::OsStr], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn imgslim");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // The binary may stop reading early on bad input; a broken pipe here is fine.
        let _ = pipe.write_all(bytes);
        drop(pipe);
    }
    child.wait_with_output().expect("wait for imgslim")
}

/// `imgslim analyze --no-progress --format json PATH EXTRA...`, which must succeed; the parsed
/// report.
pub fn analyze_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "analyze".as_ref(),
        "--no-progress".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        path.as_os_str(),
    ];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    let out = run(&args, None);
    assert_ok(&out, &path.display().to_string());
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// Panic with both streams unless the run exited 0.
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Helper for `&str` argument lists.
pub fn args<'a>(a: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    a.iter().map(std::ffi::OsStr::new).collect()
}

/// The figures that must not depend on how an image is packaged: the summary's size, waste,
/// duplicate and dive figures, and each layer's size, file count and changes.
pub fn figures(report: &serde_json::Value) -> serde_json::Value {
    let s = &report["summary"];
    let pick = |v: &serde_json::Value, keys: &[&str]| -> serde_json::Value {
        keys.iter()
            .map(|k| {
                let x = v.get(*k).unwrap_or_else(|| panic!("report lacks {k}"));
                ((*k).to_owned(), x.clone())
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let summary = pick(
        s,
        &[
            "size_bytes",
            "final_bytes",
            "final_files",
            "layer_count",
            "efficiency_score",
            "inefficient_bytes",
            "user_wasted_ratio",
            "reclaimable_bytes",
            "reclaimable_files",
            "duplicate_bytes",
            "duplicate_groups",
        ],
    );
    let layers: Vec<serde_json::Value> = report["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| {
            pick(
                l,
                &[
                    "index",
                    "size_bytes",
                    "files",
                    "added",
                    "modified",
                    "removed",
                    "command",
                ],
            )
        })
        .collect();
    serde_json::json!({
        "summary": summary,
        "layers": layers,
        "wasted": report["wasted"],
        "duplicates": report["duplicates"],
        "dive_inefficiencies": report["dive_inefficiencies"],
    })
}

/// Run `imgslim ARGS` in `dir`, colour off; returns stdout, which must be the only output.
pub fn run_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("spawn imgslim");
    assert_ok(&out, &args.join(" "));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
