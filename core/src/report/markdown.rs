//! The Markdown report, for pull-request comments and job summaries.

use std::fmt::{self, Write};

use super::Report;
use super::text::{TOP, reason_text};
use super::units::{bytes, command, name_of, percent, some_paths};
use crate::analysis::duplicates::SHOWN_PATHS;

/// Escape table-cell text: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Render the report as GitHub-flavoured Markdown.
pub fn render(r: &Report, out: &mut dyn Write) -> fmt::Result {
    let s = &r.summary;
    let name = r
        .image
        .repo_tags
        .first()
        .map_or(r.image.source.as_str(), String::as_str);
    writeln!(out, "## imgslim: `{}`\n", cell(name))?;
    writeln!(out, "| figure | value |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| total size | {} |", bytes(s.size_bytes))?;
    writeln!(out, "| layers | {} |", s.layer_count)?;
    match (s.efficiency_score, s.inefficient_bytes) {
        (Some(e), Some(w)) => writeln!(
            out,
            "| dive efficiency | {} ({} wasted) |",
            percent(e),
            bytes(w)
        )?,
        _ => writeln!(out, "| dive efficiency | n/a |")?,
    }
    writeln!(
        out,
        "| reclaimable | {} in {} files |",
        bytes(s.reclaimable_bytes),
        s.reclaimable_files
    )?;
    writeln!(
        out,
        "| duplicates | {} in {} groups |",
        bytes(s.duplicate_bytes),
        s.duplicate_groups
    )?;
    writeln!(out, "\n### Layers\n")?;
    writeln!(out, "| # | size | files | command |")?;
    writeln!(out, "|---:|---:|---:|---|")?;
    for l in &r.layers {
        let cmd = l
            .command
            .as_deref()
            .map_or_else(|| "(no history)".to_string(), command);
        writeln!(
            out,
            "| {} | {} | {} | `{}` |",
            l.index,
            bytes(l.size_bytes),
            l.files,
            cell(&cmd).replace('`', "'")
        )?;
    }
    if !r.wasted.is_empty() {
        writeln!(out, "\n### Top wasted files\n")?;
        writeln!(out, "| bytes | path | why |")?;
        writeln!(out, "|---:|---|---|")?;
        for w in r.wasted.iter().take(TOP) {
            writeln!(
                out,
                "| {} | `{}` | layer {}, {} |",
                bytes(w.bytes),
                cell(&w.path),
                w.layer,
                reason_text(w.reason, w.by_layer)
            )?;
        }
    }
    if !r.duplicates.is_empty() {
        writeln!(out, "\n### Top duplicates\n")?;
        writeln!(out, "| saved | copies | paths |")?;
        writeln!(out, "|---:|---:|---|")?;
        for d in r.duplicates.iter().take(TOP) {
            let paths: Vec<String> = d.paths.iter().map(|p| format!("`{}`", cell(p))).collect();
            writeln!(
                out,
                "| {} | {} | {} |",
                bytes(d.saved_bytes),
                d.count(),
                some_paths(&paths, d.count(), SHOWN_PATHS)
            )?;
        }
    }
    if !r.findings.is_empty() {
        writeln!(out, "\n### Findings\n")?;
        writeln!(out, "| rule | severity | bytes | layer | what |")?;
        writeln!(out, "|---|---|---:|---:|---|")?;
        for f in &r.findings {
            let sev = name_of(f.severity);
            writeln!(
                out,
                "| `{}` {} | {sev} | {} | {} | {} |",
                f.rule,
                f.name,
                bytes(f.bytes),
                f.layer.map_or(String::new(), |l| l.to_string()),
                cell(&f.message)
            )?;
        }
    }
    if !r.proposals.is_empty() {
        writeln!(out, "\n### Proposals\n")?;
        writeln!(out, "| kind | saves | size after | what |")?;
        writeln!(out, "|---|---:|---:|---|")?;
        for p in &r.proposals {
            let kind = name_of(p.kind);
            writeln!(
                out,
                "| {kind} | {} | {} | {} |",
                bytes(p.saved_bytes),
                bytes(p.estimated_size_bytes),
                cell(&p.title)
            )?;
        }
    }
    if !r.warnings.is_empty() {
        writeln!(out, "\n### Warnings\n")?;
        for w in &r.warnings {
            writeln!(out, "- {}", cell(&w.message))?;
        }
    }
    Ok(())
}
