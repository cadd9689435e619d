//! The first screen: progress while the loader thread analyses the image.

use imgslim_core::Snapshot;
use imgslim_core::report::units;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use super::pane_block;

/// Draw the loading screen for `name` with the counters now.
pub fn draw(frame: &mut Frame<'_>, name: &str, s: Snapshot, elapsed: std::time::Duration) {
    let [area] = Layout::vertical([Constraint::Length(6)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::horizontal([Constraint::Length(70.min(frame.area().width))])
        .flex(Flex::Center)
        .areas(area);
    let block = pane_block(&format!("Loading {name}"), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, gauge, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let total = if s.bytes_total == 0 {
        "?".to_owned()
    } else {
        units::bytes(s.bytes_total)
    };
    let layers = if s.layers_total == 0 {
        "reading the index".to_owned()
    } else {
        format!("layers {}/{}", s.layers_done, s.layers_total)
    };
    frame.render_widget(
        Paragraph::new(Line::raw(format!(
            "{} of {total} · {layers} · {:.1} s",
            units::bytes(s.bytes_done),
            elapsed.as_secs_f64()
        ))),
        text,
    );
    let ratio = if s.bytes_total == 0 {
        0.0
    } else {
        (s.bytes_done as f64 / s.bytes_total as f64).clamp(0.0, 1.0)
    };
    frame.render_widget(
        Gauge::default()
            .gauge_style(Style::new().fg(Color::Cyan))
            .ratio(ratio),
        gauge,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            "q or Ctrl+C cancels",
            Style::new().fg(Color::DarkGray),
        )),
        hint,
    );
}
