//! dive's quirks, one tiny archive each (written by `tests/data/dive-quirks/make_fixtures.py`),
//! against the figures dive 0.13.1 itself printed for them (`dive-0.13.1-figures.tsv`).
//! Where dive refuses an archive, imgslim must still analyse it; where imgslim deliberately
//! differs (docs/dive-compat.md), the test says so.

use std::path::Path;
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/dive-quirks");

/// Archives where imgslim's dive-compatible figures differ from dive's on purpose.
const DELIBERATE: &[(&str, &str)] = &[
    (
        "E1-paxglobal.tar",
        "dive refuses named PAX global headers; imgslim reports null figures",
    ),
    (
        "G-legacy-dup-symlink.tar",
        "dive reads a symlinked repeated layer as empty",
    ),
    (
        "S2-gzip-named-tar.tar",
        "dive refuses a gzip layer named .tar; imgslim sniffs magic",
    ),
];

#[test]
fn dive_compatible_figures_match_dive_on_every_quirk() {
    let out = tempfile::tempdir().unwrap();
    let made = Command::new("python3")
        .arg(Path::new(DIR).join("make_fixtures.py"))
        .arg(out.path())
        .output();
    let Ok(made) = made else {
        eprintln!("python3 is not available; skipping");
        return;
    };
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let tsv = std::fs::read_to_string(Path::new(DIR).join("dive-0.13.1-figures.tsv")).unwrap();
    let mut checked = 0;
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, exit) = (f[0], f[1]);
        let report = Command::new(env!("CARGO_BIN_EXE_imgslim"))
            .args(["analyze", "--format", "json"])
            .arg(out.path().join(file))
            .output()
            .unwrap();
        assert!(
            report.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&report.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        let s = &v["summary"];
        if let Some((_, why)) = DELIBERATE.iter().find(|(n, _)| *n == file) {
            eprintln!("{file}: deliberate difference: {why}");
            if file.starts_with("E1") {
                assert!(s["efficiency_score"].is_null(), "{file}");
            }
            continue;
        }
        assert_eq!(
            exit, "0",
            "{file}: dive failed but imgslim is expected to match it"
        );
        assert_eq!(
            s["size_bytes"].as_u64().unwrap().to_string(),
            f[2],
            "{file} size"
        );
        assert_eq!(
            s["inefficient_bytes"].as_u64().unwrap().to_string(),
            f[3],
            "{file} wasted"
        );
        let want: f64 = f[4].parse().unwrap();
        assert_eq!(
            s["efficiency_score"].as_f64().unwrap(),
            want,
            "{file} efficiency"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures compared");
}
