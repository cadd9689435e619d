//! The layer list and the selected layer's details (full command, digests, change counts).

use imgslim_core::report::units;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{focused, pane_block};
use crate::app::{App, Pane};

/// First layer shown in the list: the list scrolls only as far as needed to show the selection,
/// so this is a pure function of the selection and the height (the mouse uses it too).
pub fn first_visible(app: &App) -> usize {
    let height = usize::from(app.areas.layers.height).max(1);
    (app.layer + 1).saturating_sub(height)
}

/// Draw the layer list.
pub fn draw_list(frame: &mut Frame<'_>, app: &mut App, area: Rect) {
    let block = pane_block("Layers", focused(app, Pane::Layers));
    app.areas.layers = block.inner(area);
    let top = first_visible(app);
    let height = usize::from(app.areas.layers.height);
    let lines: Vec<Line<'_>> = app
        .analysis
        .report
        .layers
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, l)| {
            let cmd = l.command.as_deref().map(units::command).unwrap_or_default();
            let text = format!("{i:>3} {:>9}  {cmd}", units::bytes(l.size_bytes));
            if i == app.layer {
                let style = if focused(app, Pane::Layers) {
                    Style::new().fg(Color::Black).bg(Color::Cyan)
                } else {
                    Style::new().add_modifier(Modifier::REVERSED)
                };
                Line::styled(text, style)
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Draw the selected layer's details, with the full command wrapped.
pub fn draw_detail(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let block = pane_block(&format!("Layer {}", app.layer), false);
    let Some(l) = app.analysis.report.layers.get(app.layer) else {
        frame.render_widget(block, area);
        return;
    };
    let label = Style::new().fg(Color::DarkGray);
    let counts = |name: &str, c: &imgslim_core::ChangeCounts, color: Color| {
        Span::styled(
            format!("{name} {} ({})  ", c.files, units::bytes(c.bytes)),
            Style::new().fg(color),
        )
    };
    let mut lines = vec![
        Line::from(vec![
            counts("+", &l.added, Color::Green),
            counts("~", &l.modified, Color::Yellow),
            counts("-", &l.removed, Color::Red),
        ]),
        Line::from(vec![
            Span::styled("Size ", label),
            Span::raw(units::bytes(l.size_bytes)),
            Span::styled("  Files ", label),
            Span::raw(l.files.to_string()),
        ]),
        Line::from(vec![
            Span::styled("Diff ID ", label),
            Span::raw(l.diff_id.clone().unwrap_or_else(|| "unknown".into())),
        ]),
    ];
    for e in &l.empty_history_before {
        lines.push(Line::styled(units::command(e), label));
    }
    lines.push(Line::raw(
        l.command
            .as_deref()
            .map_or_else(|| "(no history entry)".to_owned(), units::command),
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
