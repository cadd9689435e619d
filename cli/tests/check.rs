//! `imgslim check`: every budget kind passes and fails where it should, with the right exit
//! code, on pairs of fixture images; configuration from imgslim.toml, .dive-ci and flags; every
//! output format; the documented example configuration.

mod pairs;

use std::path::Path;

use pairs::{expect_code, imgslim, stderr, stdout, write};
use serde_json::Value;

/// `imgslim check --format json ARGS` in `dir`: the exit code and the status of every budget.
fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--no-progress", "--format", "json"];
    all.extend_from_slice(args);
    let o = imgslim(dir, &all, &[]);
    let code = o.status.code().expect("exit code");
    assert!(code == 0 || code == 1, "exit {code}: {}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON result");
    (code, doc)
}

fn status<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == key)
        .unwrap_or_else(|| panic!("no {key}"))["status"]
        .as_str()
        .unwrap()
}

/// A directory with the release and its variants as archives.
fn images() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "release.tar", &pairs::release());
    write(dir.path(), "grown.tar", &pairs::grown_layer());
    write(dir.path(), "leaky.tar", &pairs::leaked_toolchain());
    write(dir.path(), "cache.tar", &pairs::added_cache());
    write(dir.path(), "wasteful.tar", &pairs::wasteful());
    dir
}

/// Passes with `pass` flags, fails (exit 1) with `fail` flags; only `key` is set.
fn pass_fail(dir: &Path, image: &str, key: &str, pass: &[&str], fail: &[&str]) {
    let mut a = vec![image];
    a.extend_from_slice(pass);
    let (code, doc) = check(dir, &a);
    assert_eq!(
        (code, status(&doc, key)),
        (0, "pass"),
        "{key} {pass:?}: {doc:#}"
    );
    let mut a = vec![image];
    a.extend_from_slice(fail);
    let (code, doc) = check(dir, &a);
    assert_eq!(
        (code, status(&doc, key)),
        (1, "fail"),
        "{key} {fail:?}: {doc:#}"
    );
    assert_eq!(doc["passed"], false);
}

// Sizes (dive's: sum of tar header sizes): base 65 546, app 204 800, toolchain 4 MiB,
// caches 3 MiB; the wasteful image stores 512 KiB in a layer that the next deletes and a
// 200 KiB duplicate.

#[test]
fn size_budgets() {
    let dir = images();
    let d = dir.path();
    pass_fail(
        d,
        "release.tar",
        "max_size",
        &["--max-size", "270346"],
        &["--max-size", "270345"],
    );
    pass_fail(
        d,
        "leaky.tar",
        "max_size",
        &["--max-size", "4.5MB"],
        &["--max-size", "4MiB"],
    );
    pass_fail(
        d,
        "leaky.tar",
        "max_layer_size",
        &["--max-layer-size", "4MiB"],
        &["--max-layer-size", "4.1MB"],
    );
    pass_fail(
        d,
        "leaky.tar",
        "max_layers",
        &["--max-layers", "3"],
        &["--max-layers", "2"],
    );
}

#[test]
fn waste_budgets_on_both_measures() {
    let dir = images();
    let d = dir.path();
    // Reclaimable: 524 288 of 1 000 346 bytes (52.4 %).
    pass_fail(
        d,
        "wasteful.tar",
        "max_wasted",
        &["--max-wasted", "512KiB"],
        &["--max-wasted", "500KiB"],
    );
    pass_fail(
        d,
        "wasteful.tar",
        "max_wasted_percent",
        &["--max-wasted-percent", "53"],
        &["--max-wasted-percent", "52%"],
    );
    pass_fail(
        d,
        "wasteful.tar",
        "min_efficiency",
        &["--min-efficiency", "0.47"],
        &["--min-efficiency", "48%"],
    );
    // dive: the same bytes, counted by path (the deleted file and its whiteout).
    let (_, doc) = check(
        d,
        &[
            "wasteful.tar",
            "--waste-measure",
            "dive",
            "--max-wasted",
            "1",
        ],
    );
    let b = doc["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "max_wasted")
        .unwrap()
        .clone();
    assert_eq!(b["measure"], "dive");
    assert_eq!(b["status"], "fail");
    assert_eq!(b["measured"], 524_288.0);
    // The release wastes nothing on either measure.
    for m in ["dive", "reclaimable"] {
        let (code, doc) = check(
            d,
            &[
                "release.tar",
                "--waste-measure",
                m,
                "--max-wasted",
                "0",
                "--min-efficiency",
                "1",
                "--max-wasted-percent",
                "0",
            ],
        );
        assert_eq!(code, 0, "{m}: {doc:#}");
    }
}

#[test]
fn duplicate_budget() {
    let dir = images();
    pass_fail(
        dir.path(),
        "wasteful.tar",
        "max_duplicate_bytes",
        &["--max-duplicate-bytes", "200KiB"],
        &["--max-duplicate-bytes", "204799"],
    );
}

#[test]
fn growth_budgets_against_an_image_or_a_report() {
    let dir = images();
    let d = dir.path();
    let o = imgslim(
        d,
        &[
            "analyze",
            "--no-progress",
            "-f",
            "json",
            "-o",
            "release.json",
            "release.tar",
        ],
        &[],
    );
    expect_code(&o, 0, "analyze");
    for base in ["release.tar", "release.json"] {
        // Grown layer: +200 KiB (+75.8 %), the app layer +100 % (matched by command).
        pass_fail(
            d,
            "grown.tar",
            "max_growth",
            &["--baseline", base, "--max-growth", "200KiB"],
            &["--baseline", base, "--max-growth", "200kB"],
        );
        pass_fail(
            d,
            "grown.tar",
            "max_growth_percent",
            &["--baseline", base, "--max-growth-percent", "76"],
            &["--baseline", base, "--max-growth-percent", "75"],
        );
        pass_fail(
            d,
            "grown.tar",
            "max_layer_growth",
            &["--baseline", base, "--max-layer-growth", "200KiB"],
            &["--baseline", base, "--max-layer-growth", "100KiB"],
        );
        pass_fail(
            d,
            "grown.tar",
            "max_layer_growth_percent",
            &["--baseline", base, "--max-layer-growth-percent", "100"],
            &["--baseline", base, "--max-layer-growth-percent", "99.9"],
        );
        // Leaked toolchain: a new 4 MiB layer; no layer of the baseline grew.
        pass_fail(
            d,
            "leaky.tar",
            "max_layer_growth",
            &["--baseline", base, "--max-layer-growth", "5MB"],
            &["--baseline", base, "--max-layer-growth", "4MB"],
        );
        let (code, doc) = check(
            d,
            &[
                "leaky.tar",
                "--baseline",
                base,
                "--max-layer-growth-percent",
                "0",
            ],
        );
        assert_eq!(
            (code, status(&doc, "max_layer_growth_percent")),
            (0, "pass")
        );
        // Added cache: +3 MiB.
        pass_fail(
            d,
            "cache.tar",
            "max_growth",
            &["--baseline", base, "--max-growth", "3MiB"],
            &["--baseline", base, "--max-growth", "3MB"],
        );
    }
    // No baseline: skipped, and the check passes.
    let (code, doc) = check(d, &["grown.tar", "--max-growth", "1"]);
    assert_eq!((code, status(&doc, "max_growth")), (0, "skip"));
}

#[test]
fn failure_explains_the_growth() {
    let dir = images();
    let o = imgslim(
        dir.path(),
        &[
            "check",
            "--no-progress",
            "leaky.tar",
            "--baseline",
            "release.tar",
            "--max-growth-percent",
            "10",
        ],
        &[],
    );
    expect_code(&o, 1, "check");
    let t = stdout(&o);
    assert!(t.contains("  FAIL  max_growth_percent"), "{t}");
    assert!(t.contains("  SKIP  max_size"), "{t}");
    assert!(
        t.contains("1 of 1 checked budgets failed: max_growth_percent."),
        "{t}"
    );
    assert!(t.contains("Why it grew"), "{t}");
    assert!(
        t.contains("+4.2 MB  layer 1: RUN apt-get update && apt-get install -y gcc (new)"),
        "{t}"
    );
    assert!(
        t.contains("+3.1 MB  /usr/lib/gcc/x86_64-linux-gnu\n"),
        "{t}"
    );
    assert!(
        t.contains("+3.1 MB  /usr/lib/gcc/x86_64-linux-gnu/12/cc1 (added)"),
        "{t}"
    );

    let o = imgslim(
        dir.path(),
        &[
            "check",
            "--no-progress",
            "cache.tar",
            "--baseline",
            "release.tar",
            "--max-growth",
            "1MB",
        ],
        &[],
    );
    expect_code(&o, 1, "check cache");
    let t = stdout(&o);
    assert!(t.contains("/var/lib/apt/lists"), "{t}");
    assert!(t.contains("/root/.npm/_cacache"), "{t}");
}

/// A report with findings, as the rules engine writes them, to test deny_rules.
fn report_with_findings(dir: &Path) -> &'static str {
    let o = imgslim(
        dir,
        &[
            "analyze",
            "--no-progress",
            "-f",
            "json",
            "-o",
            "leaky.json",
            "leaky.tar",
        ],
        &[],
    );
    expect_code(&o, 0, "analyze");
    let mut r: Value =
        serde_json::from_slice(&std::fs::read(dir.join("leaky.json")).unwrap()).unwrap();
    r["findings"] = serde_json::json!([
        {"rule": "TC900", "name": "toolchain-test", "severity": "high", "bytes": 4194304,
         "layer": 1, "command": null, "paths": ["/usr/lib/gcc", "/usr/bin/gcc-12"],
         "message": "compiler in the final image"},
        {"rule": "DC900", "name": "docs-test", "severity": "low", "bytes": 10,
         "layer": 0, "command": null, "paths": ["/usr/share/doc"], "message": "docs"}
    ]);
    std::fs::write(dir.join("findings.json"), r.to_string()).unwrap();
    "findings.json"
}

#[test]
fn deny_rules_with_allowlists() {
    let dir = images();
    let d = dir.path();
    let r = report_with_findings(d);
    pass_fail(
        d,
        r,
        "deny_rules",
        &["--deny-rules", "XX000"],
        &["--deny-rules", "tc900"],
    );
    let (code, doc) = check(d, &[r, "--deny-rules", "disabled"]);
    assert_eq!((code, status(&doc, "deny_rules")), (0, "skip"));
    let (code, doc) = check(d, &[r, "--deny-rules", "low"]);
    assert_eq!((code, status(&doc, "deny_rules")), (1, "fail"));
    // A severity denies that severity and higher: `medium` catches the high finding.
    let (code, doc) = check(d, &[r, "--deny-rules", "XX000,medium"]);
    assert_eq!((code, status(&doc, "deny_rules")), (1, "fail"));
    let denied = doc["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"] == "deny_rules")
        .unwrap()
        .clone();
    assert_eq!(denied["measured"], 1.0);
    assert!(
        denied["detail"]
            .as_str()
            .unwrap()
            .contains("TC900 toolchain-test (high): /usr/lib/gcc, /usr/bin/gcc-12"),
        "{denied}"
    );
    let toml = |allow: &str| {
        std::fs::write(
            d.join("imgslim.toml"),
            format!("[budget]\ndeny_rules = [\"high\"]\n{allow}"),
        )
        .unwrap();
        let (code, doc) = check(d, &[r]);
        (code, status(&doc, "deny_rules").to_string())
    };
    assert_eq!(toml(""), (1, "fail".into()));
    assert_eq!(
        toml("[[budget.allow]]\nrule = \"TC900\"\npaths = [\"/usr/lib/gcc\"]\n"),
        (1, "fail".into())
    );
    assert_eq!(
        toml(
            "[[budget.allow]]\nrule = \"TC900\"\npaths = [\"/usr/lib/gcc\", \"/usr/bin/gcc-*\"]\n"
        ),
        (0, "pass".into())
    );
}

#[test]
fn config_file_flags_and_dive_ci() {
    let dir = images();
    let d = dir.path();
    // ./imgslim.toml is found; flags override it; `disabled` turns a budget off.
    std::fs::write(
        d.join("imgslim.toml"),
        "[budget]\nmax_size = \"1MB\"\nmax_layers = 2\n",
    )
    .unwrap();
    let (code, doc) = check(d, &["leaky.tar"]);
    assert_eq!(
        (code, status(&doc, "max_size"), status(&doc, "max_layers")),
        (1, "fail", "fail")
    );
    let (code, doc) = check(
        d,
        &["leaky.tar", "--max-size", "1GB", "--max-layers", "disabled"],
    );
    assert_eq!(
        (code, status(&doc, "max_size"), status(&doc, "max_layers")),
        (0, "pass", "skip")
    );
    // --config names another file.
    std::fs::write(d.join("other.toml"), "[budget]\nmax_size = \"1GiB\"\n").unwrap();
    let (code, doc) = check(d, &["leaky.tar", "--config", "other.toml"]);
    assert_eq!((code, status(&doc, "max_layers")), (0, "skip"));
    std::fs::remove_file(d.join("imgslim.toml")).unwrap();

    // .dive-ci: dive's keys, defaults and units, on dive's figures.
    std::fs::write(
        d.join(".dive-ci"),
        "rules:\n  # fail when wasted bytes exceed this\n  highestWastedBytes: 500KiB\n  lowestEfficiency: disabled\n",
    )
    .unwrap();
    let (code, doc) = check(d, &["wasteful.tar", "--dive-ci", ".dive-ci"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(status(&doc, "max_wasted"), "fail");
    assert_eq!(status(&doc, "min_efficiency"), "skip");
    // highestUserWastedPercent defaults to dive's 0.1 (10 %): 512 KiB of 934 810 user bytes.
    assert_eq!(status(&doc, "max_wasted_percent"), "fail");
    // imgslim.toml and flags beat the .dive-ci.
    let (code, _) = check(
        d,
        &[
            "wasteful.tar",
            "--dive-ci",
            ".dive-ci",
            "--max-wasted",
            "1MB",
            "--max-wasted-percent",
            "disabled",
        ],
    );
    assert_eq!(code, 0);
    let (code, _) = check(d, &["release.tar", "--dive-ci", ".dive-ci"]);
    assert_eq!(code, 0);
}

#[test]
fn errors_exit_2_before_reading_the_image() {
    let dir = images();
    let d = dir.path();
    std::fs::write(d.join("typo.toml"), "[budget]\nmax_sise = \"1MB\"\n").unwrap();
    std::fs::write(d.join("bad.dive-ci"), "rules:\n  lowestEfficiency: 2\n").unwrap();
    for (args, want) in [
        (
            vec!["release.tar", "--config", "typo.toml"],
            "typo.toml: budget.max_sise: unknown key",
        ),
        (
            vec!["release.tar", "--max-size", "12 parsecs"],
            "--max-size: `12 parsecs` is not a size",
        ),
        (
            vec!["release.tar", "--waste-measure", "honest"],
            "--waste-measure",
        ),
        (
            vec!["release.tar", "--dive-ci", "bad.dive-ci"],
            "rules.lowestEfficiency",
        ),
        (
            vec!["release.tar", "--config", "missing.toml"],
            "missing.toml: cannot read",
        ),
        (vec!["missing.tar"], "missing.tar: cannot open"),
        (
            vec!["release.tar", "--baseline", "missing.json"],
            "missing.json: cannot open",
        ),
    ] {
        let mut a = vec!["check", "--no-progress"];
        a.extend(args.iter().copied());
        let o = imgslim(d, &a, &[]);
        expect_code(&o, 2, &a.join(" "));
        assert!(stderr(&o).contains(want), "{a:?}: {}", stderr(&o));
    }
}

#[test]
fn output_formats_and_job_summary() {
    let dir = images();
    let d = dir.path();
    let args = [
        "leaky.tar",
        "--baseline",
        "release.tar",
        "--max-growth-percent",
        "10",
        "--max-size",
        "1GB",
    ];
    let run = |format: &str| {
        let mut a = vec!["check", "--no-progress", "--format", format];
        a.extend_from_slice(&args);
        let o = imgslim(d, &a, &[]);
        expect_code(&o, 1, format);
        stdout(&o)
    };
    let junit = run("junit");
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(
        junit.contains(r#"tests="12" failures="1" skipped="10""#),
        "{junit}"
    );
    assert!(
        junit.contains(r#"<testcase classname="imgslim.budget" name="max_size" />"#),
        "{junit}"
    );
    assert!(
        junit.contains(
            "<failure message=\"max_growth_percent: measured +1551.46 %, limit 10.00 %\""
        ),
        "{junit}"
    );
    assert!(
        junit.contains(
            "layers: +4.2 MB layer 1: RUN apt-get update &amp;&amp; apt-get install -y gcc (new)"
        ),
        "{junit}"
    );

    let gh = run("github");
    let first = gh.lines().next().unwrap();
    assert!(first.starts_with("::error title=imgslim budget max_growth_percent::max_growth_percent: measured +1551.46 %25, limit 10.00 %25."), "{first}");
    assert!(
        first.contains("%0Afiles: +3.1 MB /usr/lib/gcc/x86_64-linux-gnu/12/cc1 (added)"),
        "{first}"
    );
    assert!(gh.contains("  FAIL  max_growth_percent"), "{gh}");

    let md = run("markdown");
    assert!(
        md.starts_with("## ❌ imgslim check: `example/app:latest (leaky.tar)`"),
        "{md}"
    );
    assert!(
        md.contains("| ✅ pass | `max_size` | 4.5 MB | 1.0 GB |"),
        "{md}"
    );
    assert!(
        md.contains("| +3.1 MB | `/usr/lib/gcc/x86_64-linux-gnu` |"),
        "{md}"
    );

    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["kind"], "imgslim-check");
    assert_eq!(json["baseline"], "release.tar");
    assert_eq!(json["diff"]["kind"], "imgslim-diff");

    // $GITHUB_STEP_SUMMARY gets the Markdown appended, whatever the format.
    let summary = d.join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let mut a = vec!["check", "--no-progress", "-o", "out.txt"];
    a.extend_from_slice(&args);
    let o = imgslim(d, &a, &[("GITHUB_STEP_SUMMARY", &summary)]);
    expect_code(&o, 1, "summary");
    assert!(o.stdout.is_empty());
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.starts_with("# earlier step\n## ❌ imgslim check"), "{s}");
    assert!(
        std::fs::read_to_string(d.join("out.txt"))
            .unwrap()
            .contains("FAIL  max_growth_percent")
    );
}

#[test]
fn unwritable_job_summary_only_warns() {
    let dir = images();
    let d = dir.path();
    // A directory cannot be appended to: the verdict (exit 0 here) still stands.
    let o = imgslim(
        d,
        &["check", "--no-progress", "release.tar", "--max-size", "1GB"],
        &[("GITHUB_STEP_SUMMARY", d)],
    );
    expect_code(&o, 0, "summary is a directory");
    assert!(
        stderr(&o).contains("cannot append the job summary"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("PASS  max_size"));
}

/// The example in docs/ci.md is examples/imgslim.toml, verbatim, and it works.
#[test]
fn documented_example_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/imgslim.toml")).unwrap();
    let docs = std::fs::read_to_string(root.join("docs/ci.md")).unwrap();
    assert!(
        docs.contains(&format!("```toml\n{example}```")),
        "docs/ci.md must include examples/imgslim.toml verbatim in a ```toml block"
    );
    let dir = images();
    let d = dir.path();
    std::fs::copy(root.join("examples/imgslim.toml"), d.join("imgslim.toml")).unwrap();
    // Every key is set, so every budget is checked; the release passes all of them.
    let (code, doc) = check(d, &["release.tar", "--baseline", "release.tar"]);
    assert_eq!(code, 0, "{doc:#}");
    for b in doc["budgets"].as_array().unwrap() {
        assert_ne!(b["status"], "skip", "{b}");
    }
    // The leaky image grows 1551 %: the example's growth budgets catch it.
    let (code, doc) = check(d, &["leaky.tar", "--baseline", "release.tar"]);
    assert_eq!(code, 1);
    assert_eq!(status(&doc, "max_growth_percent"), "fail");
    assert_eq!(status(&doc, "max_size"), "pass");
}
