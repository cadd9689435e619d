//! The terminal report. Colour is the caller's choice (`Style`), so the same function serves a
//! TTY, `NO_COLOR` and files.

use std::fmt::{self, Write};

use super::Report;
use super::units::{bytes, command, name_of, percent, some_paths};
use crate::analysis::duplicates::SHOWN_PATHS;
use crate::analysis::waste::WasteReason;

/// ANSI styling on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI escape codes.
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    fn warn(self, s: &str) -> String {
        self.paint("33", s)
    }
}

/// How many rows of each list the text report shows.
pub const TOP: usize = 10;

/// Why a file is wasted, in words.
pub fn reason_text(reason: WasteReason, by_layer: usize) -> String {
    match reason {
        WasteReason::Overwritten => format!("overwritten in layer {by_layer}"),
        WasteReason::Deleted => format!("deleted in layer {by_layer}"),
        WasteReason::HiddenByOpaqueDir => {
            format!("hidden by an opaque directory in layer {by_layer}")
        }
        WasteReason::Replaced => format!("replaced in layer {by_layer}"),
    }
}

/// Render the report for a terminal.
pub fn render(r: &Report, style: Style, out: &mut dyn Write) -> fmt::Result {
    let s = &r.summary;
    let name = r
        .image
        .repo_tags
        .first()
        .map_or(r.image.source.as_str(), String::as_str);
    writeln!(out, "{} {name}", style.bold("Image"))?;
    writeln!(
        out,
        "  {} {}   {} {}   {}",
        style.dim("format"),
        name_of(r.image.format),
        style.dim("platform"),
        r.image.platform,
        r.image.config_digest.as_deref().unwrap_or("")
    )?;
    writeln!(out)?;
    writeln!(out, "{}", style.bold("Summary"))?;
    let row =
        |out: &mut dyn Write, label: &str, value: String| writeln!(out, "  {label:<22} {value}");
    row(
        out,
        "total size",
        format!(
            "{} (sum of layer sizes, as dive counts)",
            bytes(s.size_bytes)
        ),
    )?;
    row(
        out,
        "final filesystem",
        format!("{} in {} files", bytes(s.final_bytes), s.final_files),
    )?;
    row(
        out,
        "layers",
        format!("{} ({} stored)", s.layer_count, bytes(s.stored_bytes)),
    )?;
    match (s.efficiency_score, s.inefficient_bytes) {
        (Some(e), Some(w)) => row(
            out,
            "dive efficiency",
            format!("{} ({} wasted, dive-compatible)", percent(e), bytes(w)),
        )?,
        _ => row(
            out,
            "dive efficiency",
            "n/a (dive refuses this image)".into(),
        )?,
    }
    row(
        out,
        "reclaimable",
        format!(
            "{} in {} files stored but not in the final image",
            bytes(s.reclaimable_bytes),
            s.reclaimable_files
        ),
    )?;
    row(
        out,
        "duplicates",
        format!(
            "{} in {} groups of identical files",
            bytes(s.duplicate_bytes),
            s.duplicate_groups
        ),
    )?;
    row(
        out,
        "verified layers",
        format!("{} of {}", s.verified_layers, s.layer_count),
    )?;
    writeln!(out)?;

    writeln!(out, "{}", style.bold("Layers"))?;
    writeln!(out, "  {:>3}  {:>10}  {:>8}  command", "#", "size", "files")?;
    for l in &r.layers {
        let cmd = l
            .command
            .as_deref()
            .map_or_else(|| "(no history)".to_string(), command);
        writeln!(
            out,
            "  {:>3}  {:>10}  {:>8}  {}",
            l.index,
            bytes(l.size_bytes),
            l.files,
            cmd
        )?;
    }
    writeln!(out)?;

    if !r.wasted.is_empty() {
        writeln!(
            out,
            "{}",
            style.bold(&format!("Top wasted files ({} total)", s.reclaimable_files))
        )?;
        for w in r.wasted.iter().take(TOP) {
            writeln!(
                out,
                "  {:>10}  {}  {}",
                bytes(w.bytes),
                w.path,
                style.dim(&format!(
                    "layer {}, {}",
                    w.layer,
                    reason_text(w.reason, w.by_layer)
                ))
            )?;
        }
        writeln!(out)?;
    }
    if !r.duplicates.is_empty() {
        writeln!(
            out,
            "{}",
            style.bold(&format!("Top duplicates ({} groups)", s.duplicate_groups))
        )?;
        for d in r.duplicates.iter().take(TOP) {
            writeln!(
                out,
                "  {:>10}  {} copies of {}: {}",
                bytes(d.saved_bytes),
                d.count(),
                bytes(d.size),
                some_paths(&d.paths, d.count(), SHOWN_PATHS)
            )?;
        }
        writeln!(out)?;
    }
    findings(r, style, out)?;
    if !r.warnings.is_empty() {
        writeln!(out, "{}", style.bold("Warnings"))?;
        for w in &r.warnings {
            writeln!(out, "  {} {}", style.warn("!"), w.message)?;
        }
    }
    Ok(())
}

/// The findings and proposals sections (shared by `analyze` and `suggest`).
pub fn findings(r: &Report, style: Style, out: &mut dyn Write) -> fmt::Result {
    if !r.findings.is_empty() {
        let total: u64 = r.findings.iter().map(|f| f.bytes).sum();
        writeln!(
            out,
            "{}",
            style.bold(&format!(
                "Findings ({}, {} in all)",
                r.findings.len(),
                bytes(total)
            ))
        )?;
        for f in &r.findings {
            let sev = name_of(f.severity);
            let sev = if f.severity >= super::findings::Severity::Medium {
                style.warn(&format!("{sev:<6}"))
            } else {
                format!("{sev:<6}")
            };
            let at = f.layer.map_or(String::new(), |l| format!("layer {l}"));
            writeln!(
                out,
                "  {} {sev} {:>10}  {:<24} {}",
                f.rule,
                if f.bytes > 0 {
                    bytes(f.bytes)
                } else {
                    "-".into()
                },
                f.name,
                style.dim(&at)
            )?;
            writeln!(out, "        {}", f.message)?;
            if let Some(c) = &f.command {
                writeln!(out, "        {}", style.dim(&format!("by: {}", command(c))))?;
            }
        }
        writeln!(out)?;
    }
    if !r.proposals.is_empty() {
        writeln!(
            out,
            "{}",
            style.bold("Proposals (imgslim suggest prints the Dockerfiles)")
        )?;
        for p in &r.proposals {
            let kind = name_of(p.kind);
            writeln!(
                out,
                "  {:<12} {:>10} -> {:>10}  {}",
                kind,
                format!("-{}", bytes(p.saved_bytes)),
                bytes(p.estimated_size_bytes),
                p.title
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
