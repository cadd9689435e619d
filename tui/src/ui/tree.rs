//! The file tree: only the rows on screen are turned into text.

use imgslim_core::Kind;
use imgslim_core::report::units;
use imgslim_core::tree::{Change, Version};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{focused, pane_block};
use crate::app::{App, Pane};
use crate::nav::{Mode, RowView};

/// The colour of a change: added green, modified yellow, removed red, unchanged default.
pub fn change_style(change: Change) -> Style {
    match change {
        Change::Added => Style::new().fg(Color::Green),
        Change::Modified => Style::new().fg(Color::Yellow),
        Change::Removed => Style::new().fg(Color::Red),
        Change::Unchanged | Change::Absent => Style::new(),
    }
}

/// `drwxr-xr-x` from a version (type from its kind, permissions from its mode).
pub fn mode_string(v: &Version) -> String {
    let t = match v.entry_kind() {
        Some(Kind::Dir) => 'd',
        Some(Kind::Symlink) => 'l',
        Some(Kind::Char) => 'c',
        Some(Kind::Block) => 'b',
        Some(Kind::Fifo) => 'p',
        _ => '-',
    };
    let m = v.mode;
    let bit = |mask: u32, c: char| if m & mask != 0 { c } else { '-' };
    let exec = |x: u32, special: u32, set: char, unset: char| match (m & x != 0, m & special != 0) {
        (true, true) => set,
        (false, true) => unset,
        (true, false) => 'x',
        (false, false) => '-',
    };
    [
        t,
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        exec(0o100, 0o4000, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        exec(0o010, 0o2000, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        exec(0o001, 0o1000, 't', 'T'),
    ]
    .iter()
    .collect()
}

/// Draw the tree pane.
pub fn draw(frame: &mut Frame<'_>, app: &mut App, area: Rect) {
    let title = match app.nav.mode() {
        Mode::Layer => format!("Layer {} changes", app.layer),
        Mode::Aggregated => format!("Files as of layer {}", app.layer),
    };
    let mut flags = Vec::new();
    let show = app.nav.show();
    for (on, name) in [
        (show.added, "added"),
        (show.modified, "modified"),
        (show.removed, "removed"),
        (show.unchanged, "unchanged"),
    ] {
        if !on {
            flags.push(format!("-{name}"));
        }
    }
    if app.nav.wasted_only() {
        flags.push("wasted only".into());
    }
    if !app.nav.filter().is_empty() {
        flags.push(format!("filter {:?}", app.nav.filter()));
    }
    let title = if flags.is_empty() {
        title
    } else {
        format!("{title} [{}]", flags.join(", "))
    };
    let is_focused = focused(app, Pane::Tree);
    let block = pane_block(&title, is_focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let header_style = Style::new().fg(Color::DarkGray);
    let header = if app.attributes {
        "Permission  UID:GID        Size  Filetree"
    } else {
        "     Size  Filetree"
    };
    frame.render_widget(
        Paragraph::new(Line::styled(header, header_style)),
        Rect { height: 1, ..inner },
    );
    // The last line explains the selection: its full path, and why it counts as waste.
    let footer = inner.height >= 4;
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1 - u16::from(footer),
        ..inner
    };
    if footer {
        let area = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(selection_line(app)), area);
    }
    app.areas.tree = rows_area;
    let range = app.nav.scroll_into_view(usize::from(rows_area.height));
    let selected = app.nav.selected();
    let tree = &app.analysis.tree;
    let rows = app.nav.window(tree, range.start, range.len());
    let mut lines = Vec::with_capacity(rows.len());
    if rows.is_empty() {
        lines.push(Line::styled("  (nothing to show)", header_style));
    }
    for (i, row) in range.zip(rows) {
        let view = app.nav.row_view(tree, row);
        let mut line = render_row(tree, &view, app.attributes);
        if i == selected {
            line = line.patch_style(if is_focused {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            });
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), rows_area);
}

/// The selected path and, when a stored copy of it is wasted, how much and why.
fn selection_line(app: &App) -> Line<'static> {
    let Some(node) = app.nav.selected_node() else {
        return Line::raw("");
    };
    let path = app.tree().path_string(node);
    let mut spans = Vec::new();
    // Reasons first: a long path is cut at the pane's edge, the explanation must not be. The
    // report lists at most `list_limit` wasted files; scanning them per frame costs microseconds.
    for w in app.analysis.report.wasted.iter().filter(|w| w.path == path) {
        spans.push(Span::styled(
            format!(
                "✗ {} {}, stored in layer {} · ",
                units::bytes(w.bytes),
                super::details::reason(w.reason, w.by_layer),
                w.layer
            ),
            Style::new().fg(Color::Red),
        ));
    }
    spans.push(Span::styled(
        path,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    Line::from(spans)
}

fn render_row(
    tree: &imgslim_core::tree::FileTree,
    v: &RowView<'_>,
    attributes: bool,
) -> Line<'static> {
    let style = change_style(v.change);
    let mut spans = Vec::with_capacity(4);
    if attributes {
        let (mode, owner) = match v.version {
            Some(ver) => (mode_string(ver), format!("{}:{}", ver.uid, ver.gid)),
            None => ("----------".into(), String::new()),
        };
        spans.push(Span::styled(format!("{mode}  {owner:<11}"), style));
    }
    spans.push(Span::styled(
        format!("{:>9}  ", units::bytes(v.size)),
        style,
    ));
    let mut guide = String::with_capacity(usize::from(v.depth) * 4 + 4);
    for d in 0..v.depth {
        let last = d < 32 && v.guides & (1 << d) != 0;
        guide.push_str(if last { "    " } else { "│   " });
    }
    guide.push_str(if v.last { "└── " } else { "├── " });
    spans.push(Span::styled(guide, Style::new().fg(Color::DarkGray)));
    let mut name = String::from_utf8_lossy(v.name).into_owned();
    if v.is_dir {
        name.insert_str(0, if v.expanded { "▾ " } else { "▸ " });
    }
    if let Some(ver) = v.version.filter(|x| x.entry_kind() == Some(Kind::Symlink)) {
        name.push_str(" → ");
        name.push_str(&String::from_utf8_lossy(tree.link(ver)));
    }
    let mut name_style = style;
    if v.is_dir {
        name_style = name_style.add_modifier(Modifier::BOLD);
    }
    if v.wasted {
        name.push_str(" ✗");
    }
    spans.push(Span::styled(name, name_style));
    Line::from(spans)
}
