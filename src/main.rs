//! The `raftwalk` command line.

use anyhow::Result;
use clap::{Parser, Subcommand};
use raftwalk::escape::{EscapingWriter, escape};
use raftwalk::scenario::{self, report::StateReport};
use raftwalk::{bench, builtin, explore, export, load, simulate};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

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
    /// Run many seeded trials of a timed cluster whose leader crashes, and measure how long it
    /// is without one: `figure16` reproduces Figure 16 of the Raft paper.
    Simulate {
        /// `figure16`, or a scenario file (or built-in) with "timing".
        what: String,
        /// Trials per line (the 150–150 line of figure16 gets a tenth, as in the paper).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        trials: u64,
        /// The seed every trial's is derived from (default: figure16 1, a scenario its own).
        #[arg(long)]
        seed: Option<u64>,
        /// Print one JSON object per line of the figure instead of the tables.
        #[arg(long)]
        json: bool,
        /// Also draw the cumulative distributions into this SVG file.
        #[arg(long)]
        svg: Option<std::path::PathBuf>,
        /// figure16's one-way message latency, MIN-MAX ms (default 2-3).
        #[arg(long, value_parser = parse_ms_range)]
        latency: Option<raftwalk::raft::Between>,
        /// figure16's disk write before a reply, MIN-MAX ms (default 7-11).
        #[arg(long, value_parser = parse_ms_range)]
        persist: Option<raftwalk::raft::Between>,
    },
    /// Measure the model's costs on fixed workloads (each figure the median of several runs).
    Bench {
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
        /// Run only these workloads (comma-separated or repeated; default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        only: Vec<bench::Workload>,
        /// Runs per figure; each figure is their median.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=99))]
        runs: u64,
        /// Elections per run of the election workload.
        #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        elections: u64,
        /// Client requests in the requests workload.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        steps: u64,
        /// Entries per log in the divergent-election and forced-leaders workloads.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
        log: u64,
        /// Frames drawn at each size for the render figures.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        frames: u64,
        /// Steps in the random session whose undo history is measured.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        undo_steps: u64,
        /// Distinct states at which each run of the explore workload stops (3 servers, terms
        /// up to 4).
        #[arg(long, default_value_t = 20_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
        explore_states: u64,
        /// Threads of the explore workload (default: every core).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=64))]
        explore_threads: Option<u64>,
        /// Trials per line of the figure16 workload (the paper's 1,000; 150–150 gets a tenth).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        figure16_trials: u64,
    },
}

/// Counts live heap bytes while `bench` runs, so it can report what the undo history holds.
/// Other commands pay one relaxed load per allocation and deallocation.
struct CountingAllocator;

/// Set once, before anything else, when the command is `bench`.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Live heap bytes since counting began, in one slot per thread (picked by the address of a
/// thread-local) so that the explorer's threads, which allocate as they go, do not fight over
/// one cache line. A slot may go below zero (a block freed by another thread, or allocated
/// before counting began); differences of the wrapping sum are what was held.
#[repr(align(64))]
struct Slot(AtomicIsize);

const SLOTS: usize = 16;
static LIVE_BYTES: [Slot; SLOTS] = [const { Slot(AtomicIsize::new(0)) }; SLOTS];

/// This thread's slot.
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
        if COUNTING.load(Ordering::Relaxed) {
            slot().fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            slot().fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            slot().fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn live_bytes() -> usize {
    // Wrapping, like the slots: callers take differences.
    LIVE_BYTES.iter().fold(0usize, |sum, s| {
        sum.wrapping_add(s.0.load(Ordering::Relaxed) as usize)
    })
}

/// Exit status for input the user must fix.
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    if std::env::args_os().nth(1).is_some_and(|a| a == "bench") {
        COUNTING.store(true, Ordering::Relaxed);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
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
        Some(Command::Simulate {
            what,
            trials,
            seed,
            json,
            svg,
            latency,
            persist,
        }) => {
            let defaults = simulate::figure16::Network::default();
            let network = simulate::figure16::Network {
                latency: latency.unwrap_or(defaults.latency),
                persist: persist.unwrap_or(defaults.persist),
            };
            // Capped by its clap range.
            simulate_command(&what, trials as usize, seed, json, svg.as_deref(), network)
        }
        Some(Command::Bench {
            json,
            only,
            runs,
            elections,
            steps,
            log,
            frames,
            undo_steps,
            explore_states,
            explore_threads,
            figure16_trials,
        }) => {
            // Each is capped by its clap range, far below usize::MAX.
            let settings = bench::Settings {
                runs: runs as usize,
                elections: elections as usize,
                steps: steps as usize,
                log: log as usize,
                frames: frames as usize,
                undo_steps: undo_steps as usize,
                explore_states: explore_states as usize,
                explore_threads: explore_threads.map_or_else(
                    || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
                    |n| n as usize,
                ),
                figure16_trials: figure16_trials as usize,
            };
            run_bench(json, &only, settings)
        }
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

/// `raftwalk list | head` and `raftwalk run X | head` end quietly when the reader goes away,
/// as Unix tools do, instead of panicking in `println!` or reporting "Broken pipe" as bad input:
/// Rust ignores SIGPIPE by default, so put back its default action (end the process).
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
    if !json {
        // Broken on purpose (a mutant's lesson, a saved counterexample): said, not failed.
        if !summary.expected_violations.is_empty() {
            writeln!(out)?;
        }
        for (step, violation) in &summary.expected_violations {
            writeln!(out, "EXPECTED (step {step}): {violation}")?;
        }
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
            let broken = match summary.expected_violations.len() {
                0 => "no invariant broken".to_string(),
                1 => "1 invariant broken as the scenario expects".to_string(),
                n => format!("{n} invariants broken as the scenario expects"),
            };
            writeln!(
                out,
                "\nPASS: {} steps, {} expectations held, {broken}.",
                summary.steps_run, summary.expectations
            )?;
        }
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn run_bench(json: bool, only: &[bench::Workload], settings: bench::Settings) -> Result<ExitCode> {
    let workloads = if only.is_empty() {
        &bench::Workload::ALL[..]
    } else {
        only
    };
    let mut printed = Ok(());
    bench::run(workloads, settings, live_bytes, |figure| {
        let line = if json {
            serde_json::to_string(figure).map_err(anyhow::Error::from)
        } else {
            Ok(figure.human())
        };
        if printed.is_ok() {
            printed = line.and_then(|line| {
                let mut out = io::stdout().lock();
                writeln!(out, "{line}")?;
                out.flush().map_err(anyhow::Error::from)
            });
        }
    })
    .map_err(anyhow::Error::msg)?;
    printed?;
    Ok(ExitCode::SUCCESS)
}

/// `MIN-MAX` milliseconds (to the microsecond: `0.5-1.5` is allowed).
fn parse_ms_range(text: &str) -> Result<raftwalk::raft::Between, String> {
    let (min, max) = text
        .split_once(['-', ','])
        .ok_or_else(|| format!("`{text}` is not MIN-MAX (say 2-5)"))?;
    let micros = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|ms| (0.0..=60_000.0).contains(ms))
            .map(|ms| (ms * 1e3).round() as u64)
            .ok_or_else(|| format!("`{t}` is not a number of ms from 0 to 60000"))
    };
    let (min, max) = (micros(min)?, micros(max)?);
    if min > max {
        return Err(format!("`{text}` puts the high end first"));
    }
    Ok(raftwalk::raft::Between { min, max })
}

fn simulate_command(
    what: &str,
    trials: usize,
    seed: Option<u64>,
    json: bool,
    svg: Option<&std::path::Path>,
    network: simulate::figure16::Network,
) -> Result<ExitCode> {
    let options = simulate::command::Options {
        trials,
        seed,
        json,
        svg,
    };
    let mut out = io::stdout().lock();
    if what == "figure16" {
        simulate::command::figure16(&options, network, &mut out)?;
    } else {
        let scenario = load::load(what)?;
        // The scenario's name is quoted in the table: escape what the file says.
        simulate::command::scenario(&scenario, &options, &mut EscapingWriter(&mut out))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A command line clap refuses is one line, like every other input error (`raftwalk: ...`,
/// exit 2), with anything clap echoes from the arguments escaped; help and version are
/// printed as clap prints them.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => error.exit(),
        _ => {
            // clap echoes the arguments, and drops escape sequences from what it renders
            // (a newline in one would split the line). Parsed again with each argument
            // escaped, the same error shows them as visible escapes.
            let escaped: Vec<String> = std::env::args_os()
                .map(|arg| escape(&arg.to_string_lossy()).into_owned())
                .collect();
            let shown = match Cli::try_parse_from(&escaped) {
                Err(again)
                    if again.kind() == error.kind() && error.kind() != ErrorKind::InvalidUtf8 =>
                {
                    again
                }
                _ => error,
            };
            let line = raftwalk::cli_error::one_line(&shown.render().to_string());
            eprintln!("raftwalk: {}", escape(&line));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
