//! Renderers of an [`ImageDiff`] into text and Markdown, pure functions into `fmt::Write`.

use std::fmt::{self, Write};

use super::{Delta, ImageDiff, LayerDiff, LayerStatus, PathChange, PathStatus, SummaryDiff};
use crate::report::findings::Severity;
use crate::report::units::{bytes, command};

/// How many rows of each list the renderers show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    /// Directories.
    pub dirs: usize,
    /// Files.
    pub files: usize,
}

impl Default for Rows {
    fn default() -> Self {
        Rows {
            dirs: 10,
            files: 20,
        }
    }
}

/// A byte change with its sign: `+503.6 MB`, `-16.0 kB`, `0 B`.
pub fn signed_bytes(change: i64) -> String {
    match change {
        0 => "0 B".into(),
        c if c > 0 => format!("+{}", bytes(c.unsigned_abs())),
        c => format!("-{}", bytes(c.unsigned_abs())),
    }
}

/// A ratio change as a signed percentage (`+306.9 %`, `new` from nothing).
pub fn signed_percent(ratio: f64) -> String {
    if ratio.is_infinite() {
        "new".into()
    } else {
        format!("{:+.1} %", ratio * 100.0)
    }
}

/// The summary's rows in the order both formats print them: label, change, and whether it counts
/// bytes (else items).
fn summary_rows(s: &SummaryDiff) -> Vec<(&'static str, &Delta, bool)> {
    let mut rows = vec![
        ("total size", &s.size_bytes, true),
        ("final filesystem", &s.final_bytes, true),
        ("files", &s.final_files, false),
        ("layers", &s.layer_count, false),
        ("reclaimable", &s.reclaimable_bytes, true),
        ("duplicates", &s.duplicate_bytes, true),
    ];
    if let Some(w) = &s.inefficient_bytes {
        rows.push(("dive wasted", w, true));
    }
    rows
}

fn count_change(d: &Delta) -> String {
    format!("{:+}", d.change)
}

fn layer_index(i: Option<usize>) -> String {
    i.map_or_else(|| "-".into(), |i| i.to_string())
}

fn layer_command(l: &LayerDiff) -> String {
    l.command
        .as_deref()
        .map_or_else(|| "(no history)".into(), command)
}

fn status_word(l: &LayerDiff) -> &'static str {
    match l.status {
        LayerStatus::Unchanged => "same",
        LayerStatus::Changed => "changed",
        LayerStatus::Added => "added",
        LayerStatus::Removed => "removed",
    }
}

fn path_word(p: &PathChange) -> &'static str {
    match p.status {
        PathStatus::Added => "added",
        PathStatus::Removed => "removed",
        PathStatus::Changed => "changed",
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Render the diff as text for a terminal.
pub fn text(d: &ImageDiff, rows: Rows, out: &mut dyn Write) -> fmt::Result {
    writeln!(out, "Diff {} → {}", d.old.name, d.new.name)?;
    if d.old.name != d.old.source || d.new.name != d.new.source {
        writeln!(out, "  ({} → {})", d.old.source, d.new.source)?;
    }
    let s = &d.summary;
    writeln!(out, "\nSummary")?;
    let size = |label: &str, x: &Delta, out: &mut dyn Write| {
        let line = format!(
            "  {label:<20} {:>10} → {:>10}  {:>11}  {}",
            bytes(x.old),
            bytes(x.new),
            signed_bytes(x.change),
            if x.change == 0 {
                String::new()
            } else {
                format!("({})", signed_percent(x.ratio()))
            }
        );
        writeln!(out, "{}", line.trim_end())
    };
    for (label, x, is_bytes) in summary_rows(s) {
        if is_bytes {
            size(label, x, out)?;
        } else {
            writeln!(
                out,
                "  {label:<20} {:>10} → {:>10}  {:>11}",
                x.old,
                x.new,
                count_change(x)
            )?;
        }
    }

    writeln!(out, "\nLayers (matched by diff_id, then by command)")?;
    writeln!(
        out,
        "  {:>3} {:>3}  {:>10} {:>10} {:>11}  {:<7}  command",
        "old", "new", "old size", "new size", "change", "status"
    )?;
    for l in &d.layers {
        writeln!(
            out,
            "  {:>3} {:>3}  {:>10} {:>10} {:>11}  {:<7}  {}",
            layer_index(l.old),
            layer_index(l.new),
            if l.old.is_some() {
                bytes(l.size_bytes.old)
            } else {
                "-".into()
            },
            if l.new.is_some() {
                bytes(l.size_bytes.new)
            } else {
                "-".into()
            },
            signed_bytes(l.size_bytes.change),
            status_word(l),
            truncate(&layer_command(l), 90)
        )?;
    }

    let grown = d.grown_dirs(rows.dirs);
    if !grown.is_empty() {
        writeln!(out, "\nDirectories that grew most")?;
        for g in grown {
            writeln!(
                out,
                "  {:>11}  {}  ({} → {})",
                signed_bytes(g.size_bytes.change),
                g.path,
                bytes(g.size_bytes.old),
                bytes(g.size_bytes.new)
            )?;
        }
    }
    let shrunk: Vec<_> = d
        .dirs
        .iter()
        .filter(|x| x.size_bytes.change < 0)
        .take(rows.dirs.min(5))
        .collect();
    if !shrunk.is_empty() {
        writeln!(out, "\nDirectories that shrank most")?;
        for g in shrunk {
            writeln!(
                out,
                "  {:>11}  {}",
                signed_bytes(g.size_bytes.change),
                g.path
            )?;
        }
    }

    let t = &d.file_totals;
    writeln!(
        out,
        "\nFiles{}: {} added ({}), {} removed ({}), {} resized ({})",
        if d.exact_paths {
            ""
        } else {
            " (from saved reports: files ≥ 4 KiB only)"
        },
        t.added.files,
        signed_bytes(t.added.bytes),
        t.removed.files,
        signed_bytes(-t.removed.bytes),
        t.changed.files,
        signed_bytes(t.changed.bytes)
    )?;
    for p in d.files.iter().take(rows.files) {
        let layer = p
            .layer
            .map(|l| {
                let side = if p.status == PathStatus::Removed {
                    "old "
                } else {
                    ""
                };
                format!("  ({side}layer {l})")
            })
            .unwrap_or_default();
        writeln!(
            out,
            "  {:>11}  {:<7}  {}{layer}",
            signed_bytes(p.size_bytes.change),
            path_word(p),
            p.path
        )?;
    }
    let total = t.added.files + t.removed.files + t.changed.files;
    let shown = d.files.len().min(rows.files) as u64;
    if total > shown {
        writeln!(out, "  … {} more", total - shown)?;
    }

    let f = &d.findings;
    if !f.new.is_empty() || !f.resolved.is_empty() {
        writeln!(
            out,
            "\nFindings: {} new, {} resolved",
            f.new.len(),
            f.resolved.len()
        )?;
        for (word, list) in [("new", &f.new), ("resolved", &f.resolved)] {
            for x in list {
                writeln!(
                    out,
                    "  {word:<8}  {} {:<6}  {}",
                    x.rule,
                    severity(x.severity),
                    x.message
                )?;
            }
        }
    }
    Ok(())
}

/// Escape table-cell text: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Render the diff as GitHub-flavoured Markdown.
pub fn markdown(d: &ImageDiff, rows: Rows, out: &mut dyn Write) -> fmt::Result {
    writeln!(
        out,
        "## imgslim diff: `{}` → `{}`\n",
        cell(&d.old.name),
        cell(&d.new.name)
    )?;
    let s = &d.summary;
    writeln!(out, "| figure | old | new | change |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    let size = |label: &str, x: &Delta, out: &mut dyn Write| {
        writeln!(
            out,
            "| {label} | {} | {} | {} |",
            bytes(x.old),
            bytes(x.new),
            if x.change == 0 {
                "0 B".to_string()
            } else {
                format!("{} ({})", signed_bytes(x.change), signed_percent(x.ratio()))
            }
        )
    };
    for (label, x, is_bytes) in summary_rows(s) {
        if is_bytes {
            size(label, x, out)?;
        } else {
            writeln!(
                out,
                "| {label} | {} | {} | {} |",
                x.old,
                x.new,
                count_change(x)
            )?;
        }
    }

    writeln!(out, "\n### Layers\n")?;
    writeln!(out, "| old | new | change | status | command |")?;
    writeln!(out, "|---:|---:|---:|---|---|")?;
    for l in &d.layers {
        writeln!(
            out,
            "| {} | {} | {} | {} | `{}` |",
            layer_index(l.old),
            layer_index(l.new),
            signed_bytes(l.size_bytes.change),
            status_word(l),
            cell(&truncate(&layer_command(l), 120)).replace('`', "'")
        )?;
    }
    let grown = d.grown_dirs(rows.dirs);
    if !grown.is_empty() {
        writeln!(out, "\n### Directories that grew most\n")?;
        writeln!(out, "| change | directory | old | new |")?;
        writeln!(out, "|---:|---|---:|---:|")?;
        for g in grown {
            writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                signed_bytes(g.size_bytes.change),
                cell(&g.path),
                bytes(g.size_bytes.old),
                bytes(g.size_bytes.new)
            )?;
        }
    }
    let t = &d.file_totals;
    writeln!(
        out,
        "\n### Files\n\n{} added ({}), {} removed ({}), {} resized ({}){}.\n",
        t.added.files,
        signed_bytes(t.added.bytes),
        t.removed.files,
        signed_bytes(-t.removed.bytes),
        t.changed.files,
        signed_bytes(t.changed.bytes),
        if d.exact_paths {
            ""
        } else {
            "; from saved reports, so only files of 4 KiB or more are compared"
        }
    )?;
    if !d.files.is_empty() {
        writeln!(out, "| change | status | path | layer |")?;
        writeln!(out, "|---:|---|---|---:|")?;
        for p in d.files.iter().take(rows.files) {
            writeln!(
                out,
                "| {} | {} | `{}` | {} |",
                signed_bytes(p.size_bytes.change),
                path_word(p),
                cell(&p.path),
                layer_index(p.layer)
            )?;
        }
    }
    let f = &d.findings;
    if !f.new.is_empty() || !f.resolved.is_empty() {
        writeln!(out, "\n### Findings\n")?;
        writeln!(out, "| | rule | severity | bytes | message |")?;
        writeln!(out, "|---|---|---|---:|---|")?;
        for (word, list) in [("new", &f.new), ("resolved", &f.resolved)] {
            for x in list {
                writeln!(
                    out,
                    "| {word} | {} | {} | {} | {} |",
                    cell(&x.rule),
                    severity(x.severity),
                    bytes(x.bytes),
                    cell(&x.message)
                )?;
            }
        }
    }
    Ok(())
}
