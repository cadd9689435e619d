//! Drawing: one module per view. Every function reads the [`App`] and draws into a frame;
//! only the scroll offsets and pane areas (needed by the mouse and paging) are written back.

pub mod details;
pub mod findings;
pub mod help;
pub mod layers;
pub mod loading;
pub mod tree;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use crate::app::{App, Pane, Prompt};
use crate::keys::Action;
use crate::nav::{Mode, SortOrder};

/// Draw the whole explorer.
pub fn draw(frame: &mut Frame<'_>, app: &mut App) {
    draw_views(frame, app);
    if app.no_color {
        strip_colors(frame);
    }
}

/// `NO_COLOR` (no-color.org): every colour goes, after the views are drawn, so no view needs a
/// second style; a cell that was highlighted by its background is shown in reverse video
/// instead, so the selection stays visible.
fn strip_colors(frame: &mut Frame<'_>) {
    for cell in frame.buffer_mut().content.iter_mut() {
        if cell.bg != Color::Reset {
            cell.modifier |= Modifier::REVERSED;
        }
        cell.set_fg(Color::Reset);
        cell.set_bg(Color::Reset);
    }
}

fn draw_views(frame: &mut Frame<'_>, app: &mut App) {
    let [main, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    if app.pane == Pane::Findings {
        // The findings view covers the explorer: nothing else takes clicks.
        app.areas = crate::app::Areas::default();
        findings::draw(frame, app, main);
        draw_status(frame, app, status);
        if app.help {
            help::draw(frame, app);
        }
        return;
    }
    app.areas.findings = Rect::default();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(main);
    let layer_rows = app.analysis.report.layers.len() as u16 + 2;
    let [layers_area, layer_detail, image_area] = Layout::vertical([
        Constraint::Length(layer_rows.min(left.height / 3).max(3)),
        Constraint::Length(9.min(left.height / 3)),
        Constraint::Min(3),
    ])
    .areas(left);
    layers::draw_list(frame, app, layers_area);
    layers::draw_detail(frame, app, layer_detail);
    details::draw(frame, app, image_area);
    tree::draw(frame, app, right);
    draw_status(frame, app, status);
    if app.help {
        help::draw(frame, app);
    }
}

/// A bordered block whose title is highlighted when its pane has the focus.
pub(crate) fn pane_block(title: &str, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().fg(Color::DarkGray)
        })
        .title(Span::styled(format!(" {title} "), style))
}

/// Whether a pane has the focus.
pub(crate) fn focused(app: &App, pane: Pane) -> bool {
    app.pane == pane && !app.help
}

fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let key = Style::new().fg(Color::Black).bg(Color::Gray);
    let line = match &app.prompt {
        Some(Prompt::Filter) => Line::from(vec![
            Span::styled(" Filter: ", key),
            Span::raw(format!(" {}▏", app.filter_text)),
            Span::styled("  Enter keep · Esc clear", Style::new().fg(Color::DarkGray)),
        ]),
        Some(Prompt::Extract { node, dir }) => Line::from(vec![
            Span::styled(
                format!(" Extract {} into: ", app.tree().path_string(*node)),
                key,
            ),
            Span::raw(format!(" {dir}▏")),
            Span::styled(
                "  Enter write · Esc cancel",
                Style::new().fg(Color::DarkGray),
            ),
        ]),
        None => match &app.status {
            Some(msg) => Line::from(Span::styled(
                format!(" {msg}"),
                Style::new().fg(Color::Yellow),
            )),
            None => hints(app, key),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn hints(app: &App, key: Style) -> Line<'static> {
    let k = &app.keys;
    let mode = match app.nav.mode() {
        Mode::Aggregated => "all",
        Mode::Layer => "layer",
    };
    let sort = match app.nav.sort() {
        SortOrder::Size => "size",
        SortOrder::Name => "name",
    };
    let filter = if app.filter_text.is_empty() {
        "filter".to_owned()
    } else {
        format!("filter: {}", app.filter_text)
    };
    if app.pane == Pane::Findings {
        let items = [
            (Action::Quit, "quit"),
            (Action::Up, "up"),
            (Action::Down, "down"),
            (Action::Open, "show in tree"),
            (Action::Findings, "back"),
            (Action::Help, "help"),
        ];
        let mut spans = Vec::new();
        for (action, label) in items {
            spans.push(Span::styled(format!(" {} ", k.hint(action)), key));
            spans.push(Span::raw(format!(" {label} ")));
        }
        return Line::from(spans);
    }
    let items = [
        (Action::Quit, "quit".to_owned()),
        (Action::SwitchPane, "pane".to_owned()),
        (Action::Filter, filter),
        (Action::ToggleMode, format!("view: {mode}")),
        (Action::ToggleSort, format!("sort: {sort}")),
        (Action::ToggleWasted, "wasted".to_owned()),
        (Action::Extract, "extract".to_owned()),
        (Action::Findings, "rules".to_owned()),
        (Action::Help, "help".to_owned()),
    ];
    let mut spans = Vec::new();
    for (action, label) in items {
        spans.push(Span::styled(format!(" {} ", k.hint(action)), key));
        spans.push(Span::raw(format!(" {label} ")));
    }
    Line::from(spans)
}
