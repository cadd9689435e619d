//! Image details: the headline figures and the wasted files, each with the reason it counts.

use imgslim_core::WasteReason;
use imgslim_core::report::units;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{focused, pane_block};
use crate::app::{App, Pane};

/// Why a wasted file counts, in words.
pub fn reason(r: WasteReason, by_layer: usize) -> String {
    match r {
        WasteReason::Overwritten => format!("overwritten by layer {by_layer}"),
        WasteReason::Deleted => format!("deleted by layer {by_layer}"),
        WasteReason::HiddenByOpaqueDir => format!("hidden by an opaque dir in layer {by_layer}"),
        WasteReason::Replaced => format!("replaced by layer {by_layer}"),
    }
}

/// Draw the image pane.
pub fn draw(frame: &mut Frame<'_>, app: &mut App, area: Rect) {
    let block = pane_block("Image", focused(app, Pane::Image));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let r = &app.analysis.report;
    let s = &r.summary;
    let label = Style::new().fg(Color::DarkGray);
    let opt = |v: Option<String>| v.unwrap_or_else(|| "n/a".into());
    let head = vec![
        Line::from(vec![
            Span::styled("Total ", label),
            Span::raw(units::bytes(s.size_bytes)),
            Span::styled("  Layers ", label),
            Span::raw(s.layer_count.to_string()),
            Span::styled("  Efficiency ", label),
            Span::raw(opt(s.efficiency_score.map(units::percent))),
        ]),
        Line::from(vec![
            Span::styled("Reclaimable ", label),
            Span::styled(
                format!(
                    "{} ({} files)",
                    units::bytes(s.reclaimable_bytes),
                    s.reclaimable_files
                ),
                Style::new().fg(Color::Red),
            ),
            Span::styled("  dive wasted ", label),
            Span::raw(opt(s.inefficient_bytes.map(units::bytes))),
        ]),
        Line::from(vec![
            Span::styled("Duplicates ", label),
            Span::raw(format!(
                "{} ({} groups)",
                units::bytes(s.duplicate_bytes),
                s.duplicate_groups
            )),
            Span::styled("  Findings ", label),
            // The rules' findings (the `f` view), not the wasted/duplicate lists shown below.
            Span::raw(r.findings.len().to_string()),
        ]),
        Line::styled("Wasted files (Enter: show in tree)", label),
    ];
    let head_h = (head.len() as u16).min(inner.height);
    frame.render_widget(
        Paragraph::new(head),
        Rect {
            height: head_h,
            ..inner
        },
    );
    let list = Rect {
        y: inner.y + head_h,
        height: inner.height - head_h,
        ..inner
    };
    app.areas.image = list;
    let height = usize::from(list.height);
    let top = (app.wasted_selected + 1).saturating_sub(height.max(1));
    let r = &app.analysis.report;
    let mut lines: Vec<Line<'_>> = r
        .wasted
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, w)| {
            let text = format!(
                "{:>9}  {}  ({}, stored in {})",
                units::bytes(w.bytes),
                w.path,
                reason(w.reason, w.by_layer),
                w.layer
            );
            if i == app.wasted_selected && focused(app, Pane::Image) {
                Line::styled(text, Style::new().fg(Color::Black).bg(Color::Cyan))
            } else if i == app.wasted_selected {
                Line::styled(text, Style::new().add_modifier(Modifier::REVERSED))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    // Duplicates follow the wasted files when there is room: they are the other half of
    // "why is it big" and need no selection.
    if lines.len() < height && !r.duplicates.is_empty() {
        lines.push(Line::styled("Duplicates", label));
        for d in &r.duplicates {
            if lines.len() >= height {
                break;
            }
            lines.push(Line::raw(format!(
                "{:>9}  {} copies of {}: {}",
                units::bytes(d.saved_bytes),
                d.count(),
                units::bytes(d.size),
                units::some_paths(&d.paths, d.count(), 5)
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), list);
}
