use serde_json::json;

use super::render::{Rows, markdown, signed_bytes, text};
use super::*;
use crate::report::findings::Severity;

/// A report with the given layers (diff_id, command, size) and listed paths, built from JSON
/// the way a saved report is read.
pub(crate) fn report(
    name: &str,
    layers: &[(&str, &str, u64)],
    files: &[(&str, u64, usize)],
    dirs: &[(&str, u64)],
) -> Report {
    let size: u64 = layers.iter().map(|l| l.2).sum();
    let layer_json: Vec<_> = layers
        .iter()
        .enumerate()
        .map(|(i, (d, c, s))| {
            json!({
                "index": i, "diff_id": d, "digest": null, "media_type": null,
                "compression": "none", "compressed_bytes": null, "uncompressed_bytes": s,
                "size_bytes": s, "files": 1, "command": c, "created": null, "comment": null,
                "empty_history_before": [],
                "added": {"files": 1, "bytes": s}, "modified": {"files": 0, "bytes": 0},
                "removed": {"files": 0, "bytes": 0}, "verified": false
            })
        })
        .collect();
    let v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "imgslim", "version": "0"},
        "image": {
            "source": format!("{name}.tar"), "format": "docker-save", "repo_tags": [name],
            "platform": {"os": "linux", "architecture": "amd64", "variant": null},
            "config_digest": null, "manifest_digest": null, "created": null, "config": {}
        },
        "summary": {
            "size_bytes": size, "final_bytes": size, "final_files": files.len(),
            "stored_bytes": size, "uncompressed_bytes": size, "layer_count": layers.len(),
            "efficiency_score": 1.0, "inefficient_bytes": 0, "user_wasted_ratio": 0.0,
            "reclaimable_bytes": 0, "reclaimable_files": 0, "duplicate_bytes": 0,
            "duplicate_groups": 0, "verified_layers": 0
        },
        "layers": layer_json,
        "wasted": [], "dive_inefficiencies": [], "duplicates": [], "warnings": [],
        "paths": {
            "min_file_bytes": 4096, "dir_depth": 4, "truncated": false,
            "files": files.iter().map(|(p, b, l)| json!({"path": p, "bytes": b, "layer": l})).collect::<Vec<_>>(),
            "dirs": dirs.iter().map(|(p, b)| json!({"path": p, "bytes": b})).collect::<Vec<_>>(),
        }
    });
    Report::from_json(&v.to_string()).expect("test report parses")
}

fn side(r: &Report) -> Side<'_> {
    Side {
        report: r,
        tree: None,
    }
}

fn finding(rule: &str, paths: &[&str]) -> Finding {
    Finding {
        rule: rule.into(),
        name: "test-rule".into(),
        severity: Severity::High,
        bytes: 10,
        layer: None,
        command: None,
        paths: paths.iter().map(|p| (*p).to_string()).collect(),
        message: format!("{rule} fired"),
    }
}

fn release() -> Report {
    report(
        "app:1",
        &[
            ("sha256:base", "ADD rootfs.tar /", 1000),
            (
                "sha256:app1",
                "COPY file:0123456789abcdef0123456789abcdef in /app",
                200,
            ),
        ],
        &[("/usr/lib/libc.so", 800, 0), ("/app/bin", 200, 1)],
        &[("/usr", 800), ("/usr/lib", 800), ("/app", 200)],
    )
}

fn leaky() -> Report {
    report(
        "app:2",
        &[
            ("sha256:base", "ADD rootfs.tar /", 1000),
            ("sha256:gcc", "RUN /bin/sh -c apt-get install -y gcc", 5000),
            (
                "sha256:app2",
                "COPY file:fedcba9876543210fedcba9876543210 in /app",
                300,
            ),
        ],
        &[
            ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", 4000, 1),
            ("/usr/bin/gcc-12", 1000, 1),
            ("/usr/lib/libc.so", 800, 0),
            ("/app/bin", 300, 2),
        ],
        &[
            ("/usr", 5800),
            ("/usr/lib", 4800),
            ("/usr/lib/gcc", 4000),
            ("/usr/bin", 1000),
            ("/app", 300),
        ],
    )
}

#[test]
fn layers_match_by_diff_id_then_by_command() {
    let d = diff(side(&release()), side(&leaky()), DiffOptions::default());
    let summary: Vec<_> = d
        .layers
        .iter()
        .map(|l| (l.old, l.new, l.status, l.size_bytes.change))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some(0), Some(0), LayerStatus::Unchanged, 0),
            (None, Some(1), LayerStatus::Added, 5000),
            // `COPY file:<hash>`: the hash differs, the step is the same.
            (Some(1), Some(2), LayerStatus::Changed, 100),
        ]
    );
    assert_eq!(d.summary.size_bytes.change, 5100);
    assert_eq!(d.grown_layers()[0].new, Some(1));
}

#[test]
fn removed_layers_come_last() {
    let d = diff(side(&leaky()), side(&release()), DiffOptions::default());
    let last = d.layers.last().unwrap();
    assert_eq!(
        (last.old, last.new, last.status),
        (Some(1), None, LayerStatus::Removed)
    );
    assert_eq!(last.size_bytes.change, -5000);
}

#[test]
fn files_biggest_change_first_with_totals() {
    let d = diff(side(&release()), side(&leaky()), DiffOptions::default());
    let files: Vec<_> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status, f.size_bytes.change))
        .collect();
    assert_eq!(
        files,
        vec![
            (
                "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
                PathStatus::Added,
                4000
            ),
            ("/usr/bin/gcc-12", PathStatus::Added, 1000),
            ("/app/bin", PathStatus::Changed, 100),
        ]
    );
    assert_eq!(
        d.file_totals.added,
        Count {
            files: 2,
            bytes: 5000
        }
    );
    assert_eq!(
        d.file_totals.changed,
        Count {
            files: 1,
            bytes: 100
        }
    );
    assert_eq!(d.file_totals.removed, Count::default());
    assert!(!d.exact_paths);
}

#[test]
fn grown_dirs_name_the_most_specific_directory() {
    let d = diff(side(&release()), side(&leaky()), DiffOptions::default());
    let dirs: Vec<_> = d.grown_dirs(10).iter().map(|x| x.path.as_str()).collect();
    // /usr grew 5000 and /usr/lib 4000, 80 % and all of it in /usr/lib/gcc: only the
    // deeper one is shown.
    assert_eq!(dirs, vec!["/usr/lib/gcc", "/usr/bin", "/app"]);
}

#[test]
fn list_limit_caps_lists_not_totals() {
    let d = diff(
        side(&release()),
        side(&leaky()),
        DiffOptions { list_limit: 1 },
    );
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.dirs.len(), 1);
    assert_eq!(d.file_totals.added.files, 2);
}

#[test]
fn findings_new_and_resolved_by_rule_and_paths() {
    let mut old = release();
    let mut new = leaky();
    old.findings = vec![finding("A1", &["/x", "/y"]), finding("B2", &["/z"])];
    new.findings = vec![
        finding("A1", &["/y", "/x"]),
        finding("C3", &["/usr/bin/gcc"]),
    ];
    let d = diff(side(&old), side(&new), DiffOptions::default());
    let rules = |v: &[Finding]| v.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
    assert_eq!(rules(&d.findings.new), vec!["C3"]);
    assert_eq!(rules(&d.findings.resolved), vec!["B2"]);
}

#[test]
fn diff_round_trips_through_json() {
    let d = diff(side(&release()), side(&leaky()), DiffOptions::default());
    let s = serde_json::to_string(&d).unwrap();
    assert!(s.contains("\"kind\":\"imgslim-diff\""));
    let back: ImageDiff = serde_json::from_str(&s).unwrap();
    assert_eq!(back, d);
}

#[test]
fn renderers_name_the_growth() {
    let d = diff(side(&release()), side(&leaky()), DiffOptions::default());
    let mut t = String::new();
    text(&d, Rows::default(), &mut t).unwrap();
    assert!(t.contains("RUN apt-get install -y gcc"), "{t}");
    assert!(t.contains("+4.0 kB  /usr/lib/gcc"), "{t}");
    assert!(
        t.contains("added    /usr/lib/gcc/x86_64-linux-gnu/12/cc1"),
        "{t}"
    );
    let mut m = String::new();
    markdown(&d, Rows::default(), &mut m).unwrap();
    assert!(
        m.contains("| +5.0 kB | - | 1 | added |") || m.contains("| - | 1 | +5.0 kB | added |"),
        "{m}"
    );
    assert!(m.contains("`/usr/lib/gcc`"), "{m}");
}

#[test]
fn signed_units() {
    assert_eq!(signed_bytes(0), "0 B");
    assert_eq!(signed_bytes(1500), "+1.5 kB");
    assert_eq!(signed_bytes(-16_000), "-16.0 kB");
    assert_eq!(ratio(0, 0), 0.0);
    assert!(ratio(0, 1).is_infinite());
    assert_eq!(ratio(100, 110), 0.1);
}

#[test]
fn commands_normalise_content_hashes() {
    assert_eq!(
        normalize_command("/bin/sh -c #(nop) COPY file:0123456789abcdef0123456789abcdef0123 in /"),
        "COPY file:<hash> in /"
    );
    assert_eq!(
        normalize_command("RUN /bin/sh -c make # buildkit"),
        "RUN make"
    );
}

#[test]
fn old_reports_without_paths_diff_without_paths() {
    let mut old = release();
    old.paths = PathSizes::default();
    let text_old = serde_json::to_string(&old).unwrap();
    assert!(!text_old.contains("\"paths\""));
    let back = Report::from_json(&text_old).unwrap();
    let d = diff(side(&back), side(&leaky()), DiffOptions::default());
    // Without a summary on one side nothing can be said about paths (not "all added").
    assert!(!d.paths_compared);
    assert!(d.files.is_empty() && d.dirs.is_empty());
    assert_eq!(d.file_totals, FileTotals::default());
    assert_eq!(d.summary.size_bytes.change, 5100);
}

#[test]
fn files_cut_by_a_cap_are_not_added_or_removed() {
    let old = release();
    let mut new = leaky();
    // The new listing was capped after its two largest files: /usr/lib/libc.so (800) and
    // /app/bin (300) may exist there, unlisted.
    new.paths.files.truncate(2);
    new.paths.truncated = true;
    let d = diff(side(&old), side(&new), DiffOptions::default());
    let files: Vec<_> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status))
        .collect();
    assert_eq!(
        files,
        vec![
            ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", PathStatus::Added),
            ("/usr/bin/gcc-12", PathStatus::Added),
        ]
    );
    assert_eq!(d.file_totals.removed, Count::default());
}
