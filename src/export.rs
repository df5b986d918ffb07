//! `raftwalk export`: plays a scenario and writes one frame per step, drawn exactly as the TUI
//! draws it, as text or SVG, plus an index of each step's narration. For handouts and slides.

use crate::scenario::Scenario;
use crate::session::Session;
use crate::tui::app::App;
use anyhow::{Context, Result, bail};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file format of the frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain text, one file per frame.
    Txt,
    /// SVG with colours, one file per frame.
    Svg,
}

/// Plays `scenario` and writes `frame-000` (the start) to `frame-N` (after step N) into `out`,
/// plus `index.md`. Returns the paths written. A size smaller than the screen can be drawn in
/// (80×24) is refused before anything is written.
pub fn export(
    scenario: Scenario,
    format: Format,
    out: &Path,
    width: u16,
    height: u16,
) -> Result<Vec<PathBuf>> {
    let (min_width, min_height) = (
        crate::tui::availability::MIN_WIDTH,
        crate::tui::availability::MIN_HEIGHT,
    );
    if width < min_width || height < min_height {
        bail!(
            "{width}x{height} is too small to draw the screen: the smallest size is {min_width}x{min_height}"
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let total = scenario.steps.len();
    let mut app = App::new(Session::new(scenario), out.to_path_buf());
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    let mut written = Vec::new();
    let mut index = format!("# {}\n\n", app.session.scenario().name);
    if let Some(description) = &app.session.scenario().description {
        let _ = writeln!(index, "{description}\n");
    }
    let ext = match format {
        Format::Txt => "txt",
        Format::Svg => "svg",
    };
    for step in 0..=total {
        if step > 0
            && let Err(e) = app.session.play_next()
        {
            bail!("step {step} cannot be played: {e}");
        }
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
        let buffer = terminal.backend().buffer();
        let name = format!("frame-{step:03}.{ext}");
        let path = out.join(&name);
        let content = match format {
            Format::Txt => to_text(buffer),
            Format::Svg => to_svg(buffer),
        };
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        let what = match app.session.entries().last() {
            Some(entry) if step > 0 => app.session.describe(entry),
            _ => "the start".to_string(),
        };
        let narration = app.session.narration().unwrap_or("");
        let _ = writeln!(index, "- [{name}]({name}) — step {step}: {what}");
        if step > 0 && !narration.is_empty() && what.starts_with("say:") {
            let _ = writeln!(index, "  > {narration}");
        }
    }
    let index_path = out.join("index.md");
    std::fs::write(&index_path, index)
        .with_context(|| format!("cannot write {}", index_path.display()))?;
    written.push(index_path);
    Ok(written)
}

/// The buffer as text, trailing spaces trimmed.
pub fn to_text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::new();
    for row in buffer.content().chunks(width.max(1)) {
        let line: String = row.iter().map(|cell| cell.symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

const CELL_WIDTH: f32 = 8.4;
const CELL_HEIGHT: f32 = 17.0;
const BACKGROUND: &str = "#1e1e1e";
const FOREGROUND: &str = "#d4d4d4";

/// The buffer as an SVG picture: a dark terminal with the same colours.
pub fn to_svg(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let height = buffer.area.height as usize;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{BACKGROUND}\"/>\n",
        width as f32 * CELL_WIDTH,
        height as f32 * CELL_HEIGHT
    );
    for (y, row) in buffer.content().chunks(width.max(1)).enumerate() {
        for (x, cell) in row.iter().enumerate() {
            if let Some(bg) = hex(cell.bg) {
                let _ = writeln!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{CELL_WIDTH}\" height=\"{CELL_HEIGHT}\" fill=\"{bg}\"/>",
                    x as f32 * CELL_WIDTH,
                    y as f32 * CELL_HEIGHT
                );
            }
        }
        // One <text> per run of cells with the same look; each glyph placed on its cell.
        let mut x = 0;
        while x < row.len() {
            let look = (row[x].fg, row[x].modifier);
            let start = x;
            while x < row.len() && (row[x].fg, row[x].modifier) == look {
                x += 1;
            }
            let text: String = row[start..x].iter().map(|c| c.symbol()).collect();
            if text.trim().is_empty() {
                continue;
            }
            let fill = hex(look.0).unwrap_or_else(|| FOREGROUND.to_string());
            let weight = if look.1.contains(Modifier::BOLD) {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let underline = if look.1.contains(Modifier::UNDERLINED) {
                " text-decoration=\"underline\""
            } else {
                ""
            };
            let positions: Vec<String> = (start..x)
                .map(|i| format!("{:.1}", i as f32 * CELL_WIDTH))
                .collect();
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{:.1}\" fill=\"{fill}\"{weight}{underline} xml:space=\"preserve\">{}</text>",
                positions.join(" "),
                (y as f32 + 0.78) * CELL_HEIGHT,
                escape(&text)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A terminal colour as SVG hex; `None` for the default.
fn hex(color: Color) -> Option<String> {
    let rgb = match color {
        Color::Reset => return None,
        Color::Black => (0, 0, 0),
        Color::Red => (205, 49, 49),
        Color::Green => (13, 188, 121),
        Color::Yellow => (229, 229, 16),
        Color::Blue => (36, 114, 200),
        Color::Magenta => (188, 63, 188),
        Color::Cyan => (17, 168, 205),
        Color::Gray => (204, 204, 204),
        Color::DarkGray => (118, 118, 118),
        Color::LightRed => (241, 76, 76),
        Color::LightGreen => (35, 209, 139),
        Color::LightYellow => (245, 245, 67),
        Color::LightBlue => (59, 142, 234),
        Color::LightMagenta => (214, 112, 214),
        Color::LightCyan => (41, 184, 219),
        Color::White => (242, 242, 242),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => (i, i, i),
    };
    Some(format!("#{:02x}{:02x}{:02x}", rgb.0, rgb.1, rgb.2))
}

/// Parses `120x40`.
pub fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let (w, h) = text
        .split_once(['x', '×'])
        .ok_or_else(|| format!("a size is WIDTHxHEIGHT, like 120x40, not {text}"))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<u16>()
            .map_err(|_| format!("a size is WIDTHxHEIGHT, like 120x40, not {text}"))
    };
    let (w, h) = (parse(w)?, parse(h)?);
    if !(20..=500).contains(&w) || !(10..=300).contains(&h) {
        return Err(format!("{text} is outside 20x10 to 500x300"));
    }
    Ok((w, h))
}
