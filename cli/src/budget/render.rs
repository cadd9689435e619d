//! `imgslim check` output: text, JSON, JUnit XML, Markdown and GitHub workflow commands. When a
//! budget fails, every format explains it: against a baseline, the layers, directories and
//! files that grew most (as `imgslim diff` shows them); without one, the largest layers and
//! directories.

use std::fmt::{self, Write};

use imgslim_core::SCHEMA_VERSION;
use imgslim_core::diff::render::signed_bytes;
use imgslim_core::report::findings::Severity;
use imgslim_core::report::units::{bytes, command};
use serde::Serialize;

use super::{Outcome, Status, Verdict};

/// The `kind` of the JSON document.
pub const CHECK_KIND: &str = "imgslim-check";

/// One line of the explanation: a size change (or size) and what it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Bytes (a change against the baseline, or a size without one).
    pub bytes: i64,
    /// The layer command, directory or file.
    pub what: String,
}

/// Why a budget failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// True when the lines are growth against the baseline; false when they are sizes.
    pub growth: bool,
    /// Layers.
    pub layers: Vec<Line>,
    /// Directories.
    pub dirs: Vec<Line>,
    /// Files.
    pub files: Vec<Line>,
    /// Findings the baseline did not have (rule, severity, message).
    pub findings: Vec<Line>,
}

fn short(c: &str, max: usize) -> String {
    if c.chars().count() <= max {
        c.to_string()
    } else {
        let mut t: String = c.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The explanation, when a budget failed.
pub fn explain(v: &Verdict<'_>) -> Option<Explanation> {
    if !v.failed() {
        return None;
    }
    let layer_name = |i: Option<usize>, c: &Option<String>| {
        format!(
            "layer {}: {}",
            i.map_or_else(|| "-".into(), |i| i.to_string()),
            short(
                &c.as_deref().map_or_else(|| "(no history)".into(), command),
                100
            )
        )
    };
    if let Some(d) = v.diff {
        return Some(Explanation {
            growth: true,
            layers: d
                .grown_layers()
                .into_iter()
                .take(5)
                .map(|l| Line {
                    bytes: l.size_bytes.change,
                    what: format!(
                        "{}{}",
                        layer_name(l.new, &l.command),
                        match l.old {
                            None => " (new)".to_string(),
                            Some(o) => format!(" (was layer {o})"),
                        }
                    ),
                })
                .collect(),
            dirs: d
                .grown_dirs(8)
                .into_iter()
                .map(|x| Line {
                    bytes: x.size_bytes.change,
                    what: x.path.clone(),
                })
                .collect(),
            files: d
                .grown_files(10)
                .into_iter()
                .map(|f| Line {
                    bytes: f.size_bytes.change,
                    what: format!(
                        "{}{}",
                        f.path,
                        if f.size_bytes.old == 0 {
                            " (added)"
                        } else {
                            ""
                        }
                    ),
                })
                .collect(),
            findings: d
                .findings
                .new
                .iter()
                .take(5)
                .map(|f| Line {
                    bytes: i64::try_from(f.bytes).unwrap_or(i64::MAX),
                    what: format!(
                        "{} ({}): {}",
                        f.rule,
                        severity(f.severity),
                        short(&f.message, 160)
                    ),
                })
                .collect(),
        });
    }
    let r = v.report;
    let mut layers: Vec<_> = r.layers.iter().collect();
    layers.sort_by_key(|l| std::cmp::Reverse(l.size_bytes));
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Some(Explanation {
        growth: false,
        layers: layers
            .iter()
            .take(3)
            .map(|l| Line {
                bytes: as_i64(l.size_bytes),
                what: layer_name(Some(l.index), &l.command),
            })
            .collect(),
        dirs: r
            .paths
            .dirs
            .iter()
            .filter(|d| d.path.matches('/').count() >= 2)
            .take(5)
            .map(|d| Line {
                bytes: as_i64(d.bytes),
                what: d.path.clone(),
            })
            .collect(),
        files: r
            .paths
            .files
            .iter()
            .take(5)
            .map(|f| Line {
                bytes: as_i64(f.bytes),
                what: f.path.clone(),
            })
            .collect(),
        findings: Vec::new(),
    })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

fn amount(e: &Explanation, n: i64) -> String {
    if e.growth {
        signed_bytes(n)
    } else {
        bytes(n.unsigned_abs())
    }
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Skip => "SKIP",
    }
}

fn title(v: &Verdict<'_>) -> String {
    let r = v.report;
    r.image.repo_tags.first().map_or_else(
        || r.image.source.clone(),
        |t| format!("{t} ({})", r.image.source),
    )
}

fn baseline_title(v: &Verdict<'_>) -> Option<String> {
    v.diff.map(|d| {
        if d.old.name == d.old.source {
            d.old.name.clone()
        } else {
            format!("{} ({})", d.old.name, d.old.source)
        }
    })
}

fn failed_names(v: &Verdict<'_>) -> Vec<&'static str> {
    v.outcomes
        .iter()
        .filter(|o| o.status == Status::Fail)
        .map(|o| o.budget)
        .collect()
}

fn headline(v: &Verdict<'_>) -> String {
    let failed = failed_names(v);
    let checked = v
        .outcomes
        .iter()
        .filter(|o| o.status != Status::Skip)
        .count();
    if failed.is_empty() {
        format!("All {checked} checked budgets pass.")
    } else {
        format!(
            "{} of {checked} checked budgets failed: {}.",
            failed.len(),
            failed.join(", ")
        )
    }
}

/// Human-readable text.
pub fn text(v: &Verdict<'_>, out: &mut dyn Write) -> fmt::Result {
    writeln!(out, "imgslim check: {}", title(v))?;
    if let Some(b) = baseline_title(v) {
        writeln!(out, "  baseline: {b}")?;
    }
    writeln!(out)?;
    for o in &v.outcomes {
        let measure = o.measure.map(|m| format!(" [{m}]")).unwrap_or_default();
        writeln!(
            out,
            "  {}  {:<26} {:>16}   limit {:<16} {}{measure}",
            word(o.status),
            o.budget,
            o.measured_text,
            o.limit_text,
            o.detail
        )?;
    }
    writeln!(out, "\n{}", headline(v))?;
    if let Some(e) = explain(v) {
        if e.growth {
            writeln!(
                out,
                "\nWhy it grew (against {}):",
                baseline_title(v).unwrap_or_default()
            )?;
        } else {
            writeln!(out, "\nWhere the size is (no --baseline to compare with):")?;
        }
        for (label, lines) in [
            ("layers", &e.layers),
            ("directories", &e.dirs),
            ("files", &e.files),
            ("new findings", &e.findings),
        ] {
            if lines.is_empty() {
                continue;
            }
            writeln!(out, "  {label}:")?;
            for l in lines {
                writeln!(out, "    {:>11}  {}", amount(&e, l.bytes), l.what)?;
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    schema_version: u32,
    kind: &'static str,
    image: String,
    baseline: Option<String>,
    passed: bool,
    budgets: &'a [Outcome],
    explanation: Option<Explanation>,
    diff: Option<&'a imgslim_core::diff::ImageDiff>,
}

/// The JSON document (`kind: imgslim-check`).
pub fn json(v: &Verdict<'_>) -> serde_json::Result<String> {
    let doc = JsonDoc {
        schema_version: SCHEMA_VERSION,
        kind: CHECK_KIND,
        image: v.report.image.source.clone(),
        baseline: v.diff.map(|d| d.old.source.clone()),
        passed: !v.failed(),
        budgets: &v.outcomes,
        explanation: explain(v),
        diff: v.diff,
    };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push('?'),
            c => o.push(c),
        }
    }
    o
}

fn explanation_text(v: &Verdict<'_>) -> String {
    let mut s = String::new();
    if let Some(e) = explain(v) {
        for (label, lines) in [
            ("layers", &e.layers),
            ("directories", &e.dirs),
            ("files", &e.files),
            ("new finding", &e.findings),
        ] {
            for l in lines {
                let _ = writeln!(s, "{label}: {} {}", amount(&e, l.bytes), l.what);
            }
        }
    }
    s
}

/// JUnit XML: one test case per budget, skipped when not checked.
pub fn junit(v: &Verdict<'_>, out: &mut dyn Write) -> fmt::Result {
    let n = v.outcomes.len();
    let failures = failed_names(v).len();
    let skipped = v
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Skip)
        .count();
    let why = explanation_text(v);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="imgslim check" tests="{n}" failures="{failures}" skipped="{skipped}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{n}" failures="{failures}" skipped="{skipped}" errors="0">"#,
        xml(&format!("imgslim budgets: {}", title(v)))
    )?;
    for o in &v.outcomes {
        let message = format!(
            "{}: measured {}, limit {}",
            o.budget, o.measured_text, o.limit_text
        );
        write!(
            out,
            r#"    <testcase classname="imgslim.budget" name="{}""#,
            xml(o.budget)
        )?;
        match o.status {
            Status::Pass => writeln!(out, " />")?,
            Status::Skip => writeln!(
                out,
                ">\n      <skipped message=\"{}\" />\n    </testcase>",
                xml(&o.detail)
            )?,
            Status::Fail => writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"budget\">{}\n{}</failure>\n    </testcase>",
                xml(&message),
                xml(&o.detail),
                xml(&why)
            )?,
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
pub fn markdown(v: &Verdict<'_>, out: &mut dyn Write) -> fmt::Result {
    let icon = if v.failed() { "❌" } else { "✅" };
    writeln!(out, "## {icon} imgslim check: `{}`\n", cell(&title(v)))?;
    if let Some(b) = baseline_title(v) {
        writeln!(out, "Baseline: `{}`\n", cell(&b))?;
    }
    writeln!(out, "{}\n", headline(v))?;
    writeln!(out, "| | budget | measured | limit | detail |")?;
    writeln!(out, "|---|---|---:|---:|---|")?;
    for o in &v.outcomes {
        let mark = match o.status {
            Status::Pass => "✅ pass",
            Status::Fail => "❌ fail",
            Status::Skip => "➖ skip",
        };
        let measure = o.measure.map(|m| format!(" ({m})")).unwrap_or_default();
        writeln!(
            out,
            "| {mark} | `{}` | {} | {} | {}{measure} |",
            o.budget,
            cell(&o.measured_text),
            cell(&o.limit_text),
            cell(&o.detail)
        )?;
    }
    if let Some(e) = explain(v) {
        writeln!(
            out,
            "\n### {}\n",
            if e.growth {
                "Why it grew"
            } else {
                "Where the size is"
            }
        )?;
        for (label, lines) in [
            ("Layers", &e.layers),
            ("Directories", &e.dirs),
            ("Files", &e.files),
            ("New findings", &e.findings),
        ] {
            if lines.is_empty() {
                continue;
            }
            writeln!(out, "| {label} | |\n|---:|---|")?;
            for l in lines {
                writeln!(out, "| {} | `{}` |", amount(&e, l.bytes), cell(&l.what))?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `%`, CR and LF escaped as GitHub workflow commands need.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: an `::error` annotation per failed budget (with the
/// explanation), then the text report for the log.
pub fn github(v: &Verdict<'_>, out: &mut dyn Write) -> fmt::Result {
    let why = explanation_text(v);
    for o in v.outcomes.iter().filter(|o| o.status == Status::Fail) {
        writeln!(
            out,
            "::error title={}::{}",
            gh_property(&format!("imgslim budget {}", o.budget)),
            gh_data(&format!(
                "{}: measured {}, limit {}. {}\n{}",
                o.budget, o.measured_text, o.limit_text, o.detail, why
            ))
        )?;
    }
    if !v.failed() {
        writeln!(
            out,
            "::notice title=imgslim check::{}",
            gh_data(&headline(v))
        )?;
    }
    text(v, out)
}
