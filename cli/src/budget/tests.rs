use imgslim_core::Report;
use imgslim_core::diff::{DiffOptions, Side, diff};
use imgslim_core::report::findings::{Finding, Severity};
use serde_json::json;

use super::config::{Budgets, RawBudgets, WasteMeasure, parse_toml};
use super::render;
use super::*;

/// A saved report with these layers (diff_id, command, size) and figures.
fn report(layers: &[(&str, &str, u64)], reclaimable: u64, inefficient: Option<u64>) -> Report {
    let size: u64 = layers.iter().map(|l| l.2).sum();
    let user: u64 = layers.iter().skip(1).map(|l| l.2).sum();
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
        "schema_version": imgslim_core::SCHEMA_VERSION,
        "tool": {"name": "imgslim", "version": "0"},
        "image": {
            "source": "app.tar", "format": "docker-save", "repo_tags": ["app:2"],
            "platform": {"os": "linux", "architecture": "amd64", "variant": null},
            "config_digest": null, "manifest_digest": null, "created": null, "config": {}
        },
        "summary": {
            "size_bytes": size, "final_bytes": size - reclaimable, "final_files": 3,
            "stored_bytes": size, "uncompressed_bytes": size, "layer_count": layers.len(),
            "efficiency_score": inefficient.map(|w| 1.0 - w as f64 / size as f64),
            "inefficient_bytes": inefficient,
            "user_wasted_ratio": inefficient.map(|w| w as f64 / user as f64),
            "reclaimable_bytes": reclaimable, "reclaimable_files": 1, "duplicate_bytes": 300,
            "duplicate_groups": 1, "verified_layers": 0
        },
        "layers": layer_json,
        "wasted": [], "dive_inefficiencies": [], "duplicates": [], "warnings": []
    });
    Report::from_json(&v.to_string()).unwrap()
}

fn release() -> Report {
    report(
        &[
            ("sha256:base", "ADD / /", 10_000),
            ("sha256:a1", "/bin/sh -c make", 2_000),
        ],
        0,
        Some(0),
    )
}

fn grown() -> Report {
    report(
        &[
            ("sha256:base", "ADD / /", 10_000),
            ("sha256:a2", "/bin/sh -c make", 3_000),
            ("sha256:tc", "/bin/sh -c apt-get install gcc", 5_000),
        ],
        1_000,
        Some(1_500),
    )
}

fn budgets(toml: &str) -> Budgets {
    parse_toml(toml).unwrap()
}

fn status(outcomes: &[Outcome], key: &str) -> Status {
    outcomes
        .iter()
        .find(|o| o.budget == key)
        .unwrap_or_else(|| panic!("no outcome for {key}"))
        .status
}

fn check(r: &Report, base: Option<&Report>, toml: &str) -> Vec<Outcome> {
    let d = base.map(|b| {
        diff(
            Side {
                report: b,
                tree: None,
            },
            Side {
                report: r,
                tree: None,
            },
            DiffOptions::default(),
        )
    });
    evaluate(r, d.as_ref(), &budgets(toml))
}

#[test]
fn every_key_is_listed_once_in_order() {
    let o = check(&grown(), None, "");
    let keys: Vec<&str> = o.iter().map(|o| o.budget).collect();
    assert_eq!(keys, config::KEYS[..12].to_vec());
    assert!(o.iter().all(|o| o.status == Status::Skip));
}

#[test]
fn size_layer_and_count_budgets() {
    let r = grown(); // 18 000 bytes, largest layer 10 000, 3 layers
    let o = check(
        &r,
        None,
        "[budget]\nmax_size = \"18kB\"\nmax_layer_size = 10000\nmax_layers = 3\n",
    );
    assert_eq!(status(&o, "max_size"), Status::Pass);
    assert_eq!(status(&o, "max_layer_size"), Status::Pass);
    assert_eq!(status(&o, "max_layers"), Status::Pass);
    let o = check(
        &r,
        None,
        "[budget]\nmax_size = \"17.9kB\"\nmax_layer_size = \"9.9KB\"\nmax_layers = 2\n",
    );
    assert_eq!(status(&o, "max_size"), Status::Fail);
    assert_eq!(status(&o, "max_layer_size"), Status::Fail);
    assert_eq!(status(&o, "max_layers"), Status::Fail);
    let layer = o.iter().find(|o| o.budget == "max_layer_size").unwrap();
    assert!(layer.detail.contains("layer 0"), "{}", layer.detail);
}

#[test]
fn waste_budgets_on_both_measures() {
    let r = grown(); // reclaimable 1000 of 18000 (5.56 %); dive wasted 1500, user ratio 1500/8000
    let o = check(
        &r,
        None,
        "[budget]\nmin_efficiency = 0.944\nmax_wasted = 1000\nmax_wasted_percent = 5.6\n",
    );
    assert_eq!(status(&o, "min_efficiency"), Status::Pass);
    assert_eq!(status(&o, "max_wasted"), Status::Pass);
    assert_eq!(status(&o, "max_wasted_percent"), Status::Pass);
    let o = check(
        &r,
        None,
        "[budget]\nmin_efficiency = 0.945\nmax_wasted = 999\nmax_wasted_percent = 5.5\n",
    );
    assert_eq!(status(&o, "min_efficiency"), Status::Fail);
    assert_eq!(status(&o, "max_wasted"), Status::Fail);
    assert_eq!(status(&o, "max_wasted_percent"), Status::Fail);
    assert!(
        o.iter()
            .filter(|o| o.measure == Some("reclaimable"))
            .count()
            == 3
    );
    let dive = check(
        &r,
        None,
        "[budget]\nwaste_measure = \"dive\"\nmin_efficiency = 0.95\nmax_wasted = 1000\nmax_wasted_percent = 10\n",
    );
    // dive: efficiency 1 - 1500/18000 = 0.9167 < 0.95, 1500 > 1000, 18.75 % > 10 %.
    assert_eq!(status(&dive, "min_efficiency"), Status::Fail);
    assert_eq!(status(&dive, "max_wasted"), Status::Fail);
    assert_eq!(status(&dive, "max_wasted_percent"), Status::Fail);
    assert!(dive.iter().filter(|o| o.measure == Some("dive")).count() == 3);
}

#[test]
fn reclaimable_efficiency_fails_below_limit() {
    let o = check(&grown(), None, "[budget]\nmin_efficiency = \"95%\"\n");
    // 1 - 1000/18000 = 94.4 %.
    assert_eq!(status(&o, "min_efficiency"), Status::Fail);
}

#[test]
fn dive_figures_missing_skip() {
    let r = report(&[("sha256:x", "ADD / /", 100)], 0, None);
    let o = check(
        &r,
        None,
        "[budget]\nwaste_measure = \"dive\"\nmin_efficiency = 0.9\nmax_wasted = 1\n",
    );
    assert_eq!(status(&o, "min_efficiency"), Status::Skip);
    assert_eq!(status(&o, "max_wasted"), Status::Skip);
}

#[test]
fn nan_limits_never_fail_like_dive() {
    let r = grown();
    let b = RawBudgets {
        min_efficiency: Some("NaN".into()),
        max_wasted_percent: Some("NaN".into()),
        waste_measure: Some("dive".into()),
        ..RawBudgets::default()
    }
    .parse(WasteMeasure::Reclaimable)
    .unwrap();
    let o = evaluate(&r, None, &b);
    assert_eq!(status(&o, "min_efficiency"), Status::Pass);
    assert_eq!(status(&o, "max_wasted_percent"), Status::Pass);
}

#[test]
fn duplicate_budget() {
    assert_eq!(
        status(
            &check(&grown(), None, "[budget]\nmax_duplicate_bytes = 300\n"),
            "max_duplicate_bytes"
        ),
        Status::Pass
    );
    assert_eq!(
        status(
            &check(&grown(), None, "[budget]\nmax_duplicate_bytes = 299\n"),
            "max_duplicate_bytes"
        ),
        Status::Fail
    );
}

#[test]
fn growth_budgets_need_a_baseline() {
    let o = check(&grown(), None, "[budget]\nmax_growth = \"1MB\"\n");
    let g = o.iter().find(|o| o.budget == "max_growth").unwrap();
    assert_eq!(g.status, Status::Skip);
    assert_eq!(g.detail, "needs --baseline");
    assert_eq!(g.limit_text, "1.0 MB");
}

#[test]
fn growth_budgets_per_image_and_per_layer() {
    let (r, base) = (grown(), release());
    // 12 000 → 18 000: +6000 (+50 %); layer "/bin/sh -c make" 2000 → 3000 (+50 %); new layer +5000.
    let pass = check(
        &r,
        Some(&base),
        "[budget]\nmax_growth = 6000\nmax_growth_percent = 50\nmax_layer_growth = 5000\nmax_layer_growth_percent = 50\n",
    );
    for k in [
        "max_growth",
        "max_growth_percent",
        "max_layer_growth",
        "max_layer_growth_percent",
    ] {
        assert_eq!(status(&pass, k), Status::Pass, "{k}");
    }
    let fail = check(
        &r,
        Some(&base),
        "[budget]\nmax_growth = 5999\nmax_growth_percent = 49.9\nmax_layer_growth = 4999\nmax_layer_growth_percent = 49\n",
    );
    for k in [
        "max_growth",
        "max_growth_percent",
        "max_layer_growth",
        "max_layer_growth_percent",
    ] {
        assert_eq!(status(&fail, k), Status::Fail, "{k}");
    }
    let layer = fail
        .iter()
        .find(|o| o.budget == "max_layer_growth")
        .unwrap();
    assert!(
        layer.detail.contains("new layer") && layer.detail.contains("apt-get install gcc"),
        "{}",
        layer.detail
    );
    // Shrinking never fails.
    let shrink = check(
        &base,
        Some(&r),
        "[budget]\nmax_growth = 0\nmax_growth_percent = 0\n",
    );
    assert_eq!(status(&shrink, "max_growth"), Status::Pass);
    assert_eq!(status(&shrink, "max_growth_percent"), Status::Pass);
}

fn finding(rule: &str, severity: Severity, paths: &[&str]) -> Finding {
    Finding {
        rule: rule.into(),
        name: format!("{}-name", rule.to_lowercase()),
        severity,
        bytes: 100,
        layer: Some(1),
        command: None,
        paths: paths.iter().map(|p| (*p).to_string()).collect(),
        message: format!("{rule} fired"),
    }
}

fn with_findings() -> Report {
    let mut r = grown();
    r.findings = vec![
        finding(
            "TC001",
            Severity::High,
            &["/usr/lib/gcc", "/usr/bin/gcc-12"],
        ),
        finding("CA001", Severity::Medium, &["/var/lib/apt/lists"]),
        finding("DOC01", Severity::Low, &[]),
    ];
    r
}

#[test]
fn deny_rules_by_code_and_severity() {
    let r = with_findings();
    let denied = |toml: &str| {
        let o = check(&r, None, toml);
        let d = o.iter().find(|o| o.budget == "deny_rules").unwrap().clone();
        (d.status, d.measured)
    };
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"tc001\"]\n"),
        (Status::Fail, Some(1.0))
    );
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"XX999\"]\n"),
        (Status::Pass, Some(0.0))
    );
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"medium\"]\n"),
        (Status::Fail, Some(2.0))
    );
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"low\"]\n"),
        (Status::Fail, Some(3.0))
    );
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"*\"]\n"),
        (Status::Fail, Some(3.0))
    );
    assert_eq!(
        denied("[budget]\ndeny_rules = [\"ca001-name\"]\n"),
        (Status::Fail, Some(1.0))
    );
    assert_eq!(denied("[budget]\ndeny_rules = []\n").0, Status::Skip);
    assert_eq!(denied("").0, Status::Skip);
}

#[test]
fn allowlists_need_every_path() {
    let r = with_findings();
    let st = |toml: &str| status(&check(&r, None, toml), "deny_rules");
    let deny = "[budget]\ndeny_rules = [\"high\"]\n";
    assert_eq!(st(deny), Status::Fail);
    // One of two paths allowed: still denied.
    assert_eq!(
        st(&format!(
            "{deny}[[budget.allow]]\nrule = \"TC001\"\npaths = [\"/usr/lib/gcc/**\"]\n"
        )),
        Status::Fail
    );
    assert_eq!(
        st(&format!(
            "{deny}[[budget.allow]]\nrule = \"TC001\"\npaths = [\"/usr/lib/gcc\", \"/usr/bin/gcc*\"]\n"
        )),
        Status::Pass
    );
    // Another rule's allowlist does not apply; `*` does; an entry without paths allows all.
    assert_eq!(
        st(&format!(
            "{deny}[[budget.allow]]\nrule = \"CA001\"\npaths = [\"/usr/**\"]\n"
        )),
        Status::Fail
    );
    assert_eq!(
        st(&format!(
            "{deny}[[budget.allow]]\nrule = \"*\"\npaths = [\"/usr/**\"]\n"
        )),
        Status::Pass
    );
    assert_eq!(
        st(&format!("{deny}[[budget.allow]]\nrule = \"TC001\"\n")),
        Status::Pass
    );
    // A finding without paths is only allowed by an entry without paths.
    let low = "[budget]\ndeny_rules = [\"DOC01\"]\n";
    assert_eq!(
        st(&format!(
            "{low}[[budget.allow]]\nrule = \"DOC01\"\npaths = [\"**\"]\n"
        )),
        Status::Fail
    );
}

fn verdict_text(r: &Report, base: Option<&Report>, toml: &str) -> (bool, [String; 5]) {
    let d = base.map(|b| {
        diff(
            Side {
                report: b,
                tree: None,
            },
            Side {
                report: r,
                tree: None,
            },
            DiffOptions::default(),
        )
    });
    let v = Verdict {
        report: r,
        diff: d.as_ref(),
        outcomes: evaluate(r, d.as_ref(), &budgets(toml)),
    };
    let mut t = String::new();
    render::text(&v, &mut t).unwrap();
    let j = render::json(&v).unwrap();
    let mut x = String::new();
    render::junit(&v, &mut x).unwrap();
    let mut m = String::new();
    render::markdown(&v, &mut m).unwrap();
    let mut g = String::new();
    render::github(&v, &mut g).unwrap();
    (v.failed(), [t, j, x, m, g])
}

#[test]
fn every_format_explains_a_failure() {
    let (failed, [t, j, x, m, g]) = verdict_text(
        &grown(),
        Some(&release()),
        "[budget]\nmax_growth_percent = 10\nmax_size = \"1GB\"\n",
    );
    assert!(failed);
    assert!(t.contains("FAIL  max_growth_percent"), "{t}");
    assert!(t.contains("PASS  max_size"), "{t}");
    assert!(t.contains("Why it grew"), "{t}");
    assert!(t.contains("RUN apt-get install gcc (new)"), "{t}");
    let doc: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(doc["kind"], "imgslim-check");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["budgets"].as_array().unwrap().len(), 12);
    assert!(
        doc["explanation"]["layers"][0]["what"]
            .as_str()
            .unwrap()
            .contains("apt-get")
    );
    assert!(
        x.contains("<failure message=\"max_growth_percent: measured +50.00 %, limit 10.00 %\""),
        "{x}"
    );
    assert!(x.contains("<skipped"), "{x}");
    assert!(m.contains("| ❌ fail | `max_growth_percent` |"), "{m}");
    assert!(m.contains("### Why it grew"), "{m}");
    let first = g.lines().next().unwrap();
    assert!(
        first.starts_with("::error title=imgslim budget max_growth_percent::"),
        "{first}"
    );
    // A multi-line message is one line with %0A escapes.
    assert!(first.contains("%0Alayers: +5.0 kB"), "{first}");
}

#[test]
fn passing_verdict_has_no_explanation() {
    let (failed, [t, j, _, _, g]) = verdict_text(&grown(), None, "[budget]\nmax_size = \"1GB\"\n");
    assert!(!failed);
    assert!(t.contains("All 1 checked budgets pass."), "{t}");
    assert!(!t.contains("Why"), "{t}");
    assert!(j.contains("\"explanation\": null"), "{j}");
    assert!(g.starts_with("::notice title=imgslim check::"), "{g}");
}

#[test]
fn without_a_baseline_the_size_is_shown() {
    let (_, [t, ..]) = verdict_text(&grown(), None, "[budget]\nmax_size = \"1kB\"\n");
    assert!(t.contains("Where the size is"), "{t}");
    assert!(t.contains("layer 0: ADD / /"), "{t}");
}
