//! The `raftwalk` command line.

use anyhow::Result;
use clap::{Parser, Subcommand};
use raftwalk::escape::{EscapingWriter, escape};
use raftwalk::scenario::{self, report::StateReport};
use raftwalk::{bench, builtin, explore, export, load};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicIsize, Ordering};

/// Step through Raft leader election, one message at a time.
///
/// With no arguments, opens the terminal UI on the brief's three fresh servers.
#[derive(Parser)]
#[command(
    name = "raftwalk",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// A scenario file or built-in scenario name to open in the terminal UI.
    scenario: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the terminal UI on a scenario file or built-in (default: three fresh servers).
    Tui {
        /// A scenario file or built-in scenario name.
        scenario: Option<String>,
    },
    /// List the built-in scenarios, in teaching order.
    List,
    /// Print the JSON Schema of scenario files (for editors).
    Schema,
    /// Play a scenario beat by beat and write one frame per beat (as the TUI draws it) plus an
    /// index.
    Export {
        /// The scenario file, or a built-in scenario's name.
        scenario: String,
        /// Frame format.
        #[arg(long, value_enum, default_value = "svg")]
        format: export::Format,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Frame size, WIDTHxHEIGHT.
        #[arg(long, default_value = "120x40", value_parser = export::parse_size)]
        size: (u16, u16),
    },
    /// Run a scenario file without the terminal UI; exit 0 if every expectation holds and no
    /// invariant breaks, 1 if not, 2 if the file is unreadable or invalid.
    Run {
        /// The scenario file (JSON), or a built-in scenario's name.
        scenario: String,
        /// Print the final state as JSON to stdout instead of the step log.
        #[arg(long)]
        json: bool,
    },
    /// Search every interleaving from a scenario's state (within bounds) for a broken
    /// invariant; exit 0 if none, 1 with the shortest counterexample, 2 on bad input.
    Check(explore::CheckArgs),
    /// Measure the model's throughput (elections and deliveries per second).
    Bench {
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
        /// Elections per run (each figure is the median of 5 runs).
        #[arg(long, default_value_t = 200_000)]
        elections: usize,
        /// Frames drawn for the render figure.
        #[arg(long, default_value_t = 500)]
        frames: usize,
        /// Steps in the random session whose undo history is measured.
        #[arg(long, default_value_t = 100_000)]
        undo_steps: usize,
        /// Distinct states at which each explorer run stops (3 servers, terms up to 4).
        #[arg(long, default_value_t = 1_000_000)]
        explore_states: usize,
        /// Explorer threads (default: every core).
        #[arg(long)]
        explore_threads: Option<usize>,
    },
}

/// Counts live heap bytes, so `bench` can report what the undo history holds.
struct CountingAllocator;

/// Live heap bytes, counted in one slot per thread (picked by the address of a thread-local)
/// so that threads do not fight over one cache line: the explorer allocates on every step of
/// every thread. A slot may go below zero; the sum cannot.
#[repr(align(64))]
struct Slot(AtomicIsize);

const SLOTS: usize = 16;
static LIVE_BYTES: [Slot; SLOTS] = [const { Slot(AtomicIsize::new(0)) }; SLOTS];

fn slot() -> &'static AtomicIsize {
    thread_local!(static MARK: u8 = const { 0 });
    let at = MARK
        .try_with(|mark| std::ptr::from_ref(mark) as usize)
        .unwrap_or(0);
    let index = ((at >> 6).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 60) % SLOTS;
    &LIVE_BYTES[index].0
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        slot().fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        slot().fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        slot().fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live_bytes() -> usize {
    let total: isize = LIVE_BYTES.iter().map(|s| s.0.load(Ordering::Relaxed)).sum();
    total.max(0) as usize
}

/// Exit status for input the user must fix.
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => tui(cli.scenario.as_deref()),
        Some(Command::Tui { scenario }) => tui(scenario.as_deref()),
        Some(Command::List) => list(),
        Some(Command::Export {
            scenario,
            format,
            out,
            size,
        }) => load::load(&scenario).and_then(|s| {
            let written = export::export(s, format, &out, size.0, size.1)?;
            println!(
                "wrote {} files to {}",
                written.len(),
                escape(&out.display().to_string())
            );
            Ok(ExitCode::SUCCESS)
        }),
        Some(Command::Schema) => {
            print!("{}", scenario::schema::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Run { scenario, json }) => run(&scenario, json),
        Some(Command::Check(args)) => load::load(&args.scenario).and_then(|scenario| {
            // The report quotes the file (names, commands): every line is escaped.
            let mut out = EscapingWriter(io::stdout().lock());
            let code = explore::command::run(&args, scenario, &mut out)?;
            Ok(ExitCode::from(code))
        }),
        Some(Command::Bench {
            json,
            elections,
            frames,
            undo_steps,
            explore_states,
            explore_threads,
        }) => run_bench(json, elections, frames, undo_steps).and_then(|code| {
            explore_bench(json, explore_states, explore_threads)?;
            Ok(code)
        }),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // One line, whatever the file or the path held.
            eprintln!("raftwalk: {}", escape(&format!("{error:#}")));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Opens the TUI. A scenario that cannot load is reported before the terminal is touched.
fn tui(what: Option<&str>) -> Result<ExitCode> {
    let scenario = match what {
        Some(what) => load::load(what)?,
        None => load::brief_cluster(),
    };
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        anyhow::bail!(
            "the terminal UI needs a terminal; to play a scenario without one, use `raftwalk run SCENARIO`"
        );
    }
    raftwalk::tui::run(scenario)?;
    Ok(ExitCode::SUCCESS)
}

fn list() -> Result<ExitCode> {
    for builtin in builtin::all() {
        let about = scenario::parse(builtin.text, builtin.name)
            .map(|s| s.description.unwrap_or(s.name))
            .unwrap_or_else(|e| format!("(invalid: {e})"));
        println!("{:<24} {}", builtin.name, escape(&about));
    }
    Ok(ExitCode::SUCCESS)
}

fn run(what: &str, json: bool) -> Result<ExitCode> {
    let scenario = load::load(what)?;
    // The step log quotes the file (names, narration, commands): every line is escaped.
    let mut out = EscapingWriter(io::stdout().lock());
    let (cluster, summary) = if json {
        scenario::run(&scenario, &mut io::sink())?
    } else {
        scenario::run(&scenario, &mut out)?
    };
    if json {
        // JSON escapes control characters itself, and names cannot hold any.
        let mut raw = io::stdout().lock();
        serde_json::to_writer_pretty(&mut raw, &StateReport::new(&cluster, &scenario.names))?;
        writeln!(raw)?;
    }
    let fail = |text: String| eprintln!("FAIL {}", escape(&text));
    for (step, mismatch) in &summary.failures {
        fail(format!("step {step}: {mismatch}"));
    }
    if let Some((step, error)) = &summary.error {
        fail(format!("step {step}: {error}"));
    }
    for violation in &summary.violations {
        fail(violation.clone());
    }
    for (step, stopped) in &summary.stopped {
        fail(format!("step {step}: {stopped}"));
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

/// The explorer's line of `bench` (see `explore::bench`).
fn explore_bench(json: bool, states: usize, threads: Option<usize>) -> Result<()> {
    let threads = threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let figure = explore::bench::bench_figure(4, states, threads).map_err(anyhow::Error::msg)?;
    if json {
        println!("{}", serde_json::to_string(&figure)?);
    } else {
        println!(
            "explore, {} servers, terms up to {}: {:.0} distinct states/s, {} states in {:.2} s{} (median of {}, {} threads)",
            figure.servers,
            figure.max_term,
            figure.states_per_sec,
            figure.distinct_states,
            figure.seconds,
            if figure.exhausted {
                ", exhausted"
            } else {
                ", stopped at the state limit"
            },
            explore::bench::RUNS,
            figure.threads
        );
    }
    Ok(())
}

fn run_bench(json: bool, elections: usize, frames: usize, undo_steps: usize) -> Result<ExitCode> {
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
    let render = bench::render_figure(frames).map_err(anyhow::Error::msg)?;
    let undo = bench::undo_figure(undo_steps, live_bytes).map_err(anyhow::Error::msg)?;
    if json {
        println!("{}", serde_json::to_string(&render)?);
        println!("{}", serde_json::to_string(&undo)?);
    } else {
        println!(
            "render, Figure 7 ({} servers) at 160×50: {:.0} µs per frame (median of {frames})",
            render.servers, render.median_us
        );
        println!(
            "undo, {} steps of a random session on 5 servers: {:.1} MB held",
            undo.steps,
            undo.bytes as f64 / 1e6
        );
    }
    Ok(ExitCode::SUCCESS)
}
