//! `raftwalk export`: plays a scenario and writes one frame per beat of the walkthrough, drawn
//! exactly as the TUI draws it, as text or SVG, plus an index of each beat's narration and
//! quiz. For handouts and slides.

use crate::escape::escape;
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

/// Plays `scenario` beat by beat, as `n` does in the walkthrough, and writes `frame-000` (the
/// start) to `frame-N` (after beat N) into `out`, plus `index.md` with what each beat played,
/// its narration and its quiz. Returns the paths written. A size smaller than the screen can
/// be drawn in (80×24), or an `out` that is a file, is refused before anything is written.
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
    if out.exists() && !out.is_dir() {
        bail!("--out {}: is a file, not a directory", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let beats = Session::new(scenario.clone()).beats().len();
    let mut app = App::new(Session::new(scenario), out.to_path_buf());
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    let mut written = Vec::new();
    // The index quotes the file: every line of it is escaped.
    let mut index = format!("# {}\n\n", escape(&app.session.scenario().name));
    if let Some(description) = &app.session.scenario().description {
        for line in description.split('\n') {
            let _ = writeln!(index, "{}", escape(line));
        }
        index.push('\n');
    }
    let ext = match format {
        Format::Txt => "txt",
        Format::Svg => "svg",
    };
    for beat in 0..=beats {
        if beat > 0
            && let Err(e) = app.session.play_beat()
        {
            bail!("beat {beat} cannot be played: {e}");
        }
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
        let buffer = terminal.backend().buffer();
        let name = format!("frame-{beat:03}.{ext}");
        let path = out.join(&name);
        let content = match format {
            Format::Txt => to_text(buffer),
            Format::Svg => to_svg(buffer),
        };
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        let what = match beat {
            0 => "the start".to_string(),
            _ => app
                .session
                .describe_beat(beat - 1)
                .unwrap_or_else(|| "words only".to_string()),
        };
        let _ = writeln!(index, "- [{name}]({name}) — beat {beat}: {}", escape(&what));
        if beat > 0 {
            if let Some(narration) = app.session.narration() {
                let _ = writeln!(index, "  > {}", escape(narration));
            }
            if let Some((_, quiz)) = app.session.beat_quiz() {
                let _ = writeln!(index, "  >\n  > **Quiz:** {}", escape(&quiz.question));
                for (i, choice) in quiz.choices.iter().enumerate() {
                    let _ = writeln!(index, "  > {}) {}", i + 1, escape(choice));
                }
                let _ = writeln!(
                    index,
                    "  >\n  > *Answer:* {}) {} — {}",
                    quiz.answer,
                    escape(&quiz.choices[quiz.answer - 1]),
                    escape(&quiz.explain)
                );
            }
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
        out.push_str(&escape(line.trim_end()));
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
                xml_text(&text)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text for an SVG `<text>`: terminal-escaped like everything else, then XML-escaped.
fn xml_text(text: &str) -> String {
    escape(text)
        .replace('&', "&amp;")
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
