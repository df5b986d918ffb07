//! `raftwalk simulate`: figure16, or any scenario with timing, printed as tables or JSON lines
//! and drawn as SVG.

use super::figure16::{self, JsonLine, Network};
use super::plot::{Panel, Scale};
use super::{Summary, cumulative, report, run_trials};
use crate::raft::time::format_ms;
use crate::scenario::Scenario;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// What the command line asked for.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Trials per line.
    pub trials: usize,
    /// The seed, if given.
    pub seed: Option<u64>,
    /// One JSON object per line instead of tables.
    pub json: bool,
    /// Where to draw the distributions, if anywhere.
    pub svg: Option<&'a Path>,
}

/// figure16's seed when none is given.
const FIGURE16_SEED: u64 = 1;

/// Runs Figure 16, printing each line as soon as it is measured.
pub fn figure16(options: &Options, network: Network, out: &mut dyn Write) -> Result<()> {
    let seed = options.seed.unwrap_or(FIGURE16_SEED);
    if !options.json {
        for line in report::figure16_preamble(network, seed) {
            writeln!(out, "{line}")?;
        }
    }
    let mut graph = None;
    let mut written = Ok(());
    let measured = figure16::run(options.trials, seed, network, |m| {
        let text = if options.json {
            serde_json::to_string(&JsonLine::of(m)).map_err(anyhow::Error::from)
        } else {
            let mut text = String::new();
            if graph != Some(m.line.graph) {
                graph = Some(m.line.graph);
                text.push_str(&report::figure16_heading(m.line.graph));
            }
            text.push_str(&report::figure16_row(m));
            Ok(text)
        };
        if written.is_ok() {
            written = text.and_then(|t| {
                writeln!(out, "{t}")?;
                out.flush().map_err(anyhow::Error::from)
            });
        }
    })
    .map_err(anyhow::Error::msg)?;
    written?;
    if let Some(path) = options.svg {
        write_svg(path, &report::figure16_panels(&measured), options, out)?;
    }
    Ok(())
}

/// A scenario's trials as one JSON line.
#[derive(Serialize)]
struct ScenarioLine<'a> {
    scenario: &'a str,
    #[serde(flatten)]
    summary: &'a Summary,
}

/// Runs trials of `scenario` from its starting state with its timing (its steps are not
/// played), crashing its leader in each.
pub fn scenario(scenario: &Scenario, options: &Options, out: &mut dyn Write) -> Result<()> {
    let Some(timing) = scenario.timing else {
        bail!(
            "\"{}\" has no \"timing\": simulate needs a scenario whose clock runs (or try figure16)",
            scenario.name
        );
    };
    let seed = options.seed.unwrap_or(timing.seed);
    let initial = crate::raft::Cluster::from_states(scenario.initial.clone());
    let trials = run_trials(&initial, timing, options.trials, seed)
        .with_context(|| format!("\"{}\"", scenario.name))?;
    let summary = Summary::of(&trials);
    if options.json {
        let line = ScenarioLine {
            scenario: &scenario.name,
            summary: &summary,
        };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    } else {
        writeln!(
            out,
            "{}: {} trials, seed {seed}; timeouts {}–{}, heartbeat {}, latency {}–{}, disk writes {}–{}.",
            scenario.name,
            trials.len(),
            format_ms(timing.election_timeout.min),
            format_ms(timing.election_timeout.max),
            format_ms(timing.heartbeat),
            format_ms(timing.latency.min),
            format_ms(timing.latency.max),
            format_ms(timing.persist.min),
            format_ms(timing.persist.max),
        )?;
        writeln!(
            out,
            "Once the leader has sent a heartbeat it crashes within its heartbeat interval; times in ms from the crash to a new leader (unresolved after 10 s counts as 10 s).\n"
        )?;
        writeln!(out, "{}", report::summary_table("", &summary))?;
    }
    if let Some(path) = options.svg {
        let points = cumulative(&trials);
        let longest = points.last().map_or(1.0, |p| p.0).max(1.0);
        let shortest = points.first().map_or(1.0, |p| p.0).max(0.001);
        let scale = if longest > 10.0 * shortest {
            Scale::Log(shortest / 2.0, longest * 2.0)
        } else {
            Scale::Linear(0.0, longest * 1.1)
        };
        let panel = Panel {
            title: format!("{}: time without a leader after a crash", scenario.name),
            scale,
            lines: vec![(format!("{} trials", trials.len()), points)],
        };
        write_svg(path, &[panel], options, out)?;
    }
    Ok(())
}

/// Draws `panels` into `path` and, under a table, says so.
fn write_svg(path: &Path, panels: &[Panel], options: &Options, out: &mut dyn Write) -> Result<()> {
    let svg = super::plot::svg(panels).map_err(anyhow::Error::msg)?;
    std::fs::write(path, svg).with_context(|| format!("could not write {}", path.display()))?;
    if !options.json {
        let shown = path.display().to_string();
        writeln!(out, "\nwrote {}", crate::escape::escape(&shown))?;
    }
    Ok(())
}
