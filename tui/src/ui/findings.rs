//! The findings view: the rules that fired, largest first as the report orders them, and the
//! selected one's paths, layer, command and rule docs (what, why, what to do instead).

use imgslim_core::report::findings::{Finding, Severity};
use imgslim_core::report::units;
use imgslim_core::rules;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{focused, pane_block};
use crate::app::{App, Pane};

/// At most this many paths are listed in the detail area; the rest are counted.
const MAX_PATHS: usize = 8;

/// A severity in words.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// The colour of a severity.
pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::High => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Severity::Medium => Style::new().fg(Color::Yellow),
        Severity::Low => Style::new().fg(Color::Cyan),
        Severity::Info => Style::new().fg(Color::DarkGray),
    }
}

/// First finding shown in the list: it scrolls only as far as needed to show the selection (the
/// mouse uses this too).
pub fn first_visible(app: &App) -> usize {
    let height = usize::from(app.areas.findings.height).max(1);
    (app.finding_selected + 1).saturating_sub(height)
}

/// Draw the findings view into `area` (the whole explorer above the status bar).
pub fn draw(frame: &mut Frame<'_>, app: &mut App, area: Rect) {
    let n = app.analysis.report.findings.len() as u16;
    let list_h = (n.max(1) + 2).min(area.height / 2).max(3);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(3)]).areas(area);
    draw_list(frame, app, list_area);
    draw_detail(frame, app, detail_area);
}

fn draw_list(frame: &mut Frame<'_>, app: &mut App, area: Rect) {
    let findings = &app.analysis.report.findings;
    let total: u64 = findings.iter().map(|f| f.bytes).sum();
    let title = format!(
        "Findings: {} ({} reclaimable) · Enter: show in tree",
        findings.len(),
        units::bytes(total)
    );
    let is_focused = focused(app, Pane::Findings);
    let block = pane_block(&title, is_focused);
    app.areas.findings = block.inner(area);
    let top = first_visible(app);
    let height = usize::from(app.areas.findings.height);
    let findings = &app.analysis.report.findings;
    let mut lines: Vec<Line<'_>> = findings
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, f)| {
            let mut line = Line::from(vec![
                Span::styled(
                    format!(" {:<6} ", severity_label(f.severity)),
                    severity_style(f.severity),
                ),
                Span::raw(format!(
                    "{:<6} {:>9}  {}",
                    f.rule,
                    units::bytes(f.bytes),
                    f.message
                )),
            ]);
            if i == app.finding_selected {
                line = line.patch_style(if is_focused {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new().add_modifier(Modifier::BOLD)
                });
            }
            line
        })
        .collect();
    if findings.is_empty() {
        lines.push(Line::styled(
            "  (no rule fired on this image)",
            Style::new().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let Some(f) = app.analysis.report.findings.get(app.finding_selected) else {
        frame.render_widget(pane_block("Finding", false), area);
        return;
    };
    let block = pane_block(&format!("{} {}", f.rule, f.name), false);
    frame.render_widget(
        Paragraph::new(detail_lines(f))
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The detail area's text for one finding.
pub fn detail_lines(f: &Finding) -> Vec<Line<'static>> {
    let label = Style::new().fg(Color::DarkGray);
    let heading = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Severity ", label),
            Span::styled(severity_label(f.severity), severity_style(f.severity)),
            Span::styled("  Reclaimable ", label),
            Span::raw(units::bytes(f.bytes)),
            Span::styled("  Layer ", label),
            Span::raw(f.layer.map_or_else(|| "n/a".to_owned(), |l| l.to_string())),
        ]),
        Line::raw(f.message.clone()),
    ];
    if let Some(cmd) = &f.command {
        lines.push(Line::from(vec![
            Span::styled("Layer command ", label),
            Span::raw(units::command(cmd)),
        ]));
    }
    if !f.paths.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("Paths ({})", f.paths.len()), heading));
        for p in f.paths.iter().take(MAX_PATHS) {
            lines.push(Line::raw(format!("  {p}")));
        }
        if f.paths.len() > MAX_PATHS {
            lines.push(Line::styled(
                format!("  … and {} more", f.paths.len() - MAX_PATHS),
                label,
            ));
        }
    }
    if let Some(doc) = rules::rule(&f.rule) {
        for (title, text) in [
            ("What it does", doc.what),
            ("Why it matters", doc.why),
            ("Instead", doc.instead),
        ] {
            lines.push(Line::raw(""));
            lines.push(Line::styled(title, heading));
            lines.extend(text.lines().map(|l| Line::raw(l.to_owned())));
        }
    }
    lines
}
