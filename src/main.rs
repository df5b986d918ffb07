//! The `raftwalk` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use raftwalk::bench;
use raftwalk::scenario::{self, report::StateReport};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Step through Raft leader election, one message at a time.
#[derive(Parser)]
#[command(name = "raftwalk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario file without the terminal UI; exit 0 if every expectation holds and no
    /// invariant breaks, 1 if not, 2 if the file is unreadable or invalid.
    Run {
        /// The scenario file (JSON).
        scenario: PathBuf,
        /// Print the final state as JSON to stdout instead of the step log.
        #[arg(long)]
        json: bool,
    },
    /// Measure the model's throughput (elections and deliveries per second).
    Bench {
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
        /// Elections per run (each figure is the median of 5 runs).
        #[arg(long, default_value_t = 200_000)]
        elections: usize,
    },
}

/// Exit status for input the user must fix.
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { scenario, json } => run(&scenario, json),
        Command::Bench { json, elections } => run_bench(json, elections),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("raftwalk: {error:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn run(path: &PathBuf, json: bool) -> Result<ExitCode> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {origin}"))?;
    let scenario = scenario::parse(&text, &origin)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let (cluster, summary) = if json {
        scenario::run(&scenario, &mut io::sink())?
    } else {
        scenario::run(&scenario, &mut out)?
    };
    if json {
        serde_json::to_writer_pretty(&mut out, &StateReport::new(&cluster, &scenario.names))?;
        writeln!(out)?;
    }
    for (step, mismatch) in &summary.failures {
        eprintln!("FAIL step {step}: {mismatch}");
    }
    if let Some((step, error)) = &summary.error {
        eprintln!("FAIL step {step}: {error}");
    }
    for violation in &summary.violations {
        eprintln!("FAIL {violation}");
    }
    if summary.passed() {
        if !json {
            writeln!(
                out,
                "\nPASS: {} steps, {} expectations held, no invariant broken.",
                summary.steps_run, summary.expectations
            )?;
        }
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn run_bench(json: bool, elections: usize) -> Result<ExitCode> {
    for servers in [3, 5] {
        let figure = bench::election_figure(servers, elections).map_err(anyhow::Error::msg)?;
        if json {
            println!("{}", serde_json::to_string(&figure)?);
        } else {
            println!(
                "election, {servers} servers: {:.0} elections/s, {:.0} deliveries/s (median of {} runs of {elections})",
                figure.elections_per_sec,
                figure.deliveries_per_sec,
                bench::RUNS
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
