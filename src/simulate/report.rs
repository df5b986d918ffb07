//! What `simulate` prints: the tables, and the panels its SVG draws.

use super::figure16::{Graph, Measured, Network, paper_says};
use super::plot::{Panel, Scale};
use super::{ROW_HEADINGS, Summary, cumulative, row_cells};
use crate::raft::time::Between;

fn range_ms(r: Between) -> String {
    let (min, max) = (r.min as f64 / 1e3, r.max as f64 / 1e3);
    if min == max {
        format!("{min} ms")
    } else {
        format!("{min}–{max} ms")
    }
}

/// The lines before figure16's tables: what is measured and with which model.
pub fn figure16_preamble(network: Network, seed: u64) -> Vec<String> {
    vec![
        "Figure 16 of the Raft paper (§9.3), reproduced: five servers, the leader crashed at a \
         random moment of its heartbeat interval (half the minimum timeout), just after a \
         heartbeat."
            .to_string(),
        format!(
            "Network: {} each way; a vote is written to disk ({}) before it is sent back; mean \
             broadcast time (RequestVote to 4 servers and all answers back) {:.1} ms.",
            range_ms(network.latency),
            range_ms(network.persist),
            network.broadcast_ms(seed)
        ),
        format!(
            "Seed {seed}. Times in ms from the crash to a new leader; percentiles by nearest rank; \
             a trial with no leader after 10 s counts as 10 s (unresolved)."
        ),
    ]
}

fn row(first: [String; 2], cells: [String; 8], last: &str) -> String {
    let mut text = format!("{:<9} {:>6}", first[0], first[1]);
    for (cell, heading) in cells.iter().zip(ROW_HEADINGS) {
        let width = heading.len().max(6);
        text.push_str(&format!(" {cell:>width$}"));
    }
    if !last.is_empty() {
        text.push_str("  ");
        text.push_str(last);
    }
    text
}

/// A graph's title and column headings.
pub fn figure16_heading(graph: Graph) -> String {
    format!(
        "\n{}\n{}\n",
        graph.title(),
        row(
            ["timeout".to_string(), "trials".to_string()],
            ROW_HEADINGS.map(str::to_string),
            "paper"
        )
    )
}

/// One line of a figure16 table, with what the paper says beside it.
pub fn figure16_row(m: &Measured) -> String {
    row(
        [m.line.label(), m.summary.trials.to_string()],
        row_cells(&m.summary),
        paper_says(m.line).unwrap_or(""),
    )
}

/// A summary as one table with its heading (for a scenario's trials).
pub fn summary_table(label: &str, summary: &Summary) -> String {
    format!(
        "{}\n{}",
        row(
            ["".to_string(), "trials".to_string()],
            ROW_HEADINGS.map(str::to_string),
            ""
        ),
        row(
            [label.to_string(), summary.trials.to_string()],
            row_cells(summary),
            ""
        )
    )
}

/// The figure's two graphs, as the paper draws them: the top one on a log scale up to past
/// 10 s, the bottom one linear up to 600 ms.
pub fn figure16_panels(measured: &[Measured]) -> Vec<Panel> {
    [Graph::Top, Graph::Bottom]
        .into_iter()
        .filter_map(|graph| {
            let lines: Vec<(String, Vec<(f64, f64)>)> = measured
                .iter()
                .filter(|m| m.line.graph == graph)
                .map(|m| (format!("{} ms", m.line.label()), cumulative(&m.trials)))
                .collect();
            (!lines.is_empty()).then(|| Panel {
                title: format!("Figure 16, {}", graph.title()),
                scale: match graph {
                    Graph::Top => Scale::Log(100.0, 20_000.0),
                    Graph::Bottom => Scale::Linear(0.0, 600.0),
                },
                lines,
            })
        })
        .collect()
}
