//! The help overlay, read from the same key table that handles keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::pane_block;
use crate::app::App;

/// Draw the overlay centred over the explorer.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let entries = app.keys.help_lines();
    let height = (entries.len() as u16 + 3).min(frame.area().height);
    let [area] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::horizontal([Constraint::Length(72.min(frame.area().width))])
        .flex(Flex::Center)
        .areas(area);
    let key_style = Style::new().fg(Color::Cyan);
    let mut lines: Vec<Line<'_>> = entries
        .iter()
        .map(|(action, keys)| {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            Line::from(vec![
                Span::styled(format!(" {:<22}", keys.join(" ")), key_style),
                Span::raw(action.description()),
            ])
        })
        .collect();
    lines.push(Line::styled(
        " any key closes · remap in ~/.config/imgslim/keys.toml",
        Style::new().fg(Color::DarkGray),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(pane_block("Keys", true)), area);
}
