//! `raftwalk check`: its options, its report and its exit status (0: no violation within
//! the bounds, 1: a violation, 2: bad input).

use super::moves::Bounds;
use super::search::Progress;
use super::{Counterexample, Options, Outcome, random, trace};
use crate::raft::explain::explain_violation;
use crate::raft::{Action, Bug, Cluster, Names, Term};
use crate::scenario::Scenario;
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Options of `raftwalk check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The scenario file, or a built-in scenario's name.
    pub scenario: String,
    /// Start from the state after the scenario's steps (default: its starting state).
    #[arg(long)]
    pub after_steps: bool,
    /// Run a mutant instead of the scenario's own model (vote-twice, no-log-check,
    /// commit-old-term, accept-stale-term, count-stale-votes, truncate-always).
    #[arg(long)]
    pub bug: Option<Bug>,
    /// No election timeout takes a server past this term (default: the start's highest
    /// term + 2).
    #[arg(long)]
    pub max_term: Option<Term>,
    /// Client requests on a leader, in all.
    #[arg(long, default_value_t = 0)]
    pub max_requests: u8,
    /// Crashes, in all (crashed servers may always restart).
    #[arg(long, default_value_t = 0)]
    pub max_crashes: u8,
    /// Duplicated messages, in all.
    #[arg(long, default_value_t = 0)]
    pub max_dups: u8,
    /// Steps from the start (default: no limit).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Stop after this many distinct states.
    #[arg(long, default_value_t = 20_000_000)]
    pub max_states: usize,
    /// Worker threads (default: every core). The result does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not merge servers that the starting state cannot tell apart.
    #[arg(long)]
    pub no_symmetry: bool,
    /// Keep what the reductions leave out (messages no server can act on, history no check
    /// can consult again) and try dropping messages: the same verdict, more states.
    #[arg(long)]
    pub no_reduction: bool,
    /// Try every move, even where sleep sets show it leads only to a state that another
    /// order of the same moves reaches at the same depth: the same states, more work.
    #[arg(long)]
    pub no_sleep_sets: bool,
    /// Write the counterexample, if one is found, to this file as a scenario.
    #[arg(long)]
    pub save_trace: Option<PathBuf>,
    /// Seeded random walks with faults instead of the exhaustive search.
    #[arg(long)]
    pub random: bool,
    /// With --random: how many walks (seeds first-seed, first-seed + 1, …).
    #[arg(long, default_value_t = 300)]
    pub seeds: u64,
    /// With --random: the first seed.
    #[arg(long, default_value_t = 0)]
    pub first_seed: u64,
    /// With --random: steps per walk.
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
}

/// Runs `raftwalk check`; returns the exit status (0 or 1). Bad input is an error.
pub fn run(args: &CheckArgs, scenario: Scenario, out: &mut dyn Write) -> Result<u8> {
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if threads == 0 {
        bail!("--threads must be at least 1");
    }
    let mut options = Options {
        bug: args.bug,
        after_steps: args.after_steps,
        bounds: Bounds {
            max_term: args.max_term.unwrap_or(0),
            max_requests: args.max_requests,
            max_crashes: args.max_crashes,
            max_dups: args.max_dups,
            max_depth: args.max_depth,
        },
        max_states: args.max_states,
        threads,
        symmetry: !args.no_symmetry,
        reduce: !args.no_reduction,
        sleep_sets: !args.no_sleep_sets,
    };
    // The default term bound is counted from where the search starts: after the steps, with
    // --after-steps.
    let (_, start) = super::starting_point(&scenario, &options).map_err(anyhow::Error::msg)?;
    let suggested = highest_term(&start).saturating_add(2);
    options.bounds.max_term = args.max_term.unwrap_or(suggested);
    let note = timing_note(&scenario);
    if args.random {
        return run_random(args, &scenario, &options, note, out);
    }
    let progress = Progress::default();
    let outcome = with_progress(
        || {
            format!(
                "explored {} states, {} distinct, depth {}",
                progress.explored.load(Ordering::Relaxed),
                progress.distinct.load(Ordering::Relaxed),
                progress.depth.load(Ordering::Relaxed)
            )
        },
        || super::check(&scenario, &options, &progress),
    )
    .map_err(anyhow::Error::msg)?;
    let status = report(args, &options, &outcome, note, out)?;
    if status == 0
        && let Some(line) = bounds_note(&start, &options.bounds, suggested, outcome.stats.explored)
    {
        writeln!(out, "{line}")?;
    }
    Ok(status)
}

/// The highest term of any server.
fn highest_term(cluster: &Cluster) -> Term {
    cluster
        .servers()
        .iter()
        .map(|s| s.current_term)
        .max()
        .unwrap_or(1)
}

/// A note for a search the bounds kept small without saying so: when the start has no
/// successor at all, which bounds stopped every step and what to pass; when only the term
/// bound blocks every election timeout (every live server that is not leader already sits at
/// or above it), that. `suggested` is the start's highest term + 2. Few states is then no sign
/// of safety.
fn bounds_note(start: &Cluster, bounds: &Bounds, suggested: Term, explored: u64) -> Option<String> {
    use crate::raft::Role;
    let live = || start.servers().iter().filter(|s| !s.crashed);
    let could_stand: Vec<_> = live().filter(|s| s.role != Role::Leader).collect();
    let terms_block = !could_stand.is_empty()
        && could_stand
            .iter()
            .all(|s| s.current_term >= bounds.max_term);
    let at_bound = format!(
        "every live server that is not leader is already at term {} or above",
        bounds.max_term
    );
    if explored > 0 || bounds.max_depth == Some(0) {
        return terms_block.then(|| {
            format!(
                "Note: the term bound (--max-term {}) allowed no election timeout from the start: {at_bound}, so no election could start in this search. Pass --max-term {suggested} (or higher) to search elections from this state.",
                bounds.max_term
            )
        });
    }
    let mut stopped = vec!["no message is in flight".to_string()];
    let mut pass = Vec::new();
    if terms_block {
        stopped.push(format!(
            "--max-term {} allowed no election timeout ({at_bound})",
            bounds.max_term
        ));
        pass.push(format!("--max-term {suggested}"));
    } else if could_stand.is_empty() {
        stopped.push("every live server is leader, so none can time out".to_string());
    }
    if bounds.max_requests == 0 && live().any(|s| s.role == Role::Leader) {
        stopped.push("--max-requests 0 allowed no client request to a leader".to_string());
        pass.push("--max-requests 1".to_string());
    }
    if bounds.max_crashes == 0 && live().next().is_some() {
        stopped.push("--max-crashes 0 allowed no crash".to_string());
        pass.push("--max-crashes 1".to_string());
    }
    if pass.is_empty() {
        return None;
    }
    Some(format!(
        "Note: nothing could happen from the start: {}. Pass any of {} to let the cluster move.",
        stopped.join("; "),
        pass.join(", ")
    ))
}

/// A line saying that the scenario's timing is not used, if it has any.
fn timing_note(scenario: &Scenario) -> Option<&'static str> {
    scenario.timing.is_some().then_some(
        "timing: left out (check runs without the clock and tries every order of events, \
         which includes every order the clock could produce)",
    )
}

fn report(
    args: &CheckArgs,
    options: &Options,
    outcome: &Outcome,
    note: Option<&str>,
    out: &mut dyn Write,
) -> Result<u8> {
    let b = &options.bounds;
    let scenario = &outcome.scenario;
    headline(out, args, "", scenario, note)?;
    writeln!(
        out,
        "bounds: terms up to {}, {} requests, {} crashes, {} duplicates, {}; {}; {} thread{}",
        b.max_term,
        b.max_requests,
        b.max_crashes,
        b.max_dups,
        b.max_depth
            .map_or("no depth limit".to_string(), |d| format!("depth up to {d}")),
        match outcome.symmetries {
            1 => "no symmetry merged".to_string(),
            n => format!("{n} renamings of the servers merged"),
        },
        options.threads,
        if options.threads == 1 { "" } else { "s" }
    )?;
    let s = &outcome.stats;
    writeln!(
        out,
        "explored {} states, {} distinct, depth {}, {:.2} s, {:.0} distinct states/s",
        s.explored,
        s.distinct,
        s.depth,
        s.seconds,
        s.distinct as f64 / s.seconds.max(1e-9)
    )?;
    match &outcome.counterexample {
        None => {
            if s.exhausted {
                writeln!(out, "No violation within these bounds.")?;
            } else {
                writeln!(
                    out,
                    "No violation in the {} states explored, but the search stopped at --max-states {} before exhausting the bounds.",
                    s.distinct, options.max_states
                )?;
            }
            if s.depth_limited {
                writeln!(
                    out,
                    "(Paths were cut at depth {}.)",
                    b.max_depth.unwrap_or(0)
                )?;
            }
            Ok(0)
        }
        Some(counterexample) => {
            print_counterexample(scenario, counterexample, out)?;
            save(args, scenario, &super::actions(counterexample), out)?;
            Ok(1)
        }
    }
}

/// The report's first line (what is checked, on which model) and the note on timing, if any.
fn headline(
    out: &mut dyn Write,
    args: &CheckArgs,
    mode: &str,
    scenario: &Scenario,
    note: Option<&str>,
) -> Result<()> {
    writeln!(
        out,
        "check {}{mode}: {} servers, {}",
        args.scenario,
        scenario.names.len(),
        model_name(scenario)
    )?;
    if let Some(note) = note {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

fn model_name(scenario: &Scenario) -> String {
    match scenario.config.bug {
        None => "Raft (no mutant)".to_string(),
        Some(bug) => format!("mutant {bug}: {}", bug.plain()),
    }
}

fn print_counterexample(
    scenario: &Scenario,
    counterexample: &Counterexample,
    out: &mut dyn Write,
) -> Result<()> {
    let names = &scenario.names;
    let text = explain_violation(&counterexample.violation, Names(names));
    let count = counterexample.steps.len();
    writeln!(
        out,
        "\nVIOLATION after {count} step{} ({}): {}",
        if count == 1 { "" } else { "s" },
        counterexample.violation.invariant(),
        text.trim_start_matches("INVARIANT VIOLATED: ")
    )?;
    for (i, step) in counterexample.steps.iter().enumerate() {
        writeln!(out, "  {}. {}", i + 1, describe(&step.action, step, names))?;
        for event in &step.events {
            writeln!(out, "       {}", crate::raft::explain(event, Names(names)))?;
        }
    }
    if let Some(bug) = scenario.config.bug {
        writeln!(out, "The rule that would have stopped it: {}.", bug.rule())?;
    }
    Ok(())
}

/// A step as a person reads it: `deliver #5 RequestVote S0 → S1`.
fn describe(action: &Action, step: &trace::TraceStep, names: &[String]) -> String {
    let n = |id| Names(names).of(id);
    let message = |verb: &str, id: u64| match step.message {
        Some((from, to, kind)) => format!("{verb} #{id} {kind} {} → {}", n(from), n(to)),
        None => format!("{verb} #{id}"),
    };
    match action {
        Action::Deliver(id) => message("deliver", *id),
        Action::Drop(id) => message("drop", *id),
        Action::Duplicate(id) => message("duplicate", *id),
        other => crate::scenario::describe::describe_action(other, names),
    }
}

fn save(
    args: &CheckArgs,
    scenario: &Scenario,
    actions: &[Action],
    out: &mut dyn Write,
) -> Result<()> {
    let Some(path) = &args.save_trace else {
        return Ok(());
    };
    let file = trace::scenario_file(scenario, args.after_steps, actions, &args.scenario)
        .map_err(anyhow::Error::msg)?;
    let text = serde_json::to_string_pretty(&file)? + "\n";
    write_file(path, &text)?;
    writeln!(
        out,
        "Saved the trace to {}: `raftwalk run {}` replays it, `raftwalk {}` steps through it.",
        path.display(),
        path.display(),
        path.display()
    )?;
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn run_random(
    args: &CheckArgs,
    scenario: &Scenario,
    options: &Options,
    note: Option<&str>,
    out: &mut dyn Write,
) -> Result<u8> {
    let (scenario, start) = super::starting_point(scenario, options).map_err(anyhow::Error::msg)?;
    if args.steps == 0 || args.seeds == 0 {
        bail!("--seeds and --steps must be at least 1");
    }
    let seeds = args.first_seed..args.first_seed.saturating_add(args.seeds);
    let done = AtomicU64::new(0);
    let begun = Instant::now();
    let (stats, broken) = with_progress(
        || format!("{} of {} walks", done.load(Ordering::Relaxed), args.seeds),
        || walks_from(&start, seeds.clone(), args.steps, options.threads, &done),
    );
    headline(out, args, " --random", &scenario, note)?;
    writeln!(
        out,
        "ran {} walks (seeds {}..{}) of up to {} steps: {} steps, {:.2} s",
        stats.walks,
        seeds.start,
        seeds.end,
        args.steps,
        stats.steps,
        begun.elapsed().as_secs_f64()
    )?;
    match broken {
        None => {
            writeln!(out, "No violation in these walks.")?;
            Ok(0)
        }
        Some(walk) => {
            writeln!(out, "The walk with seed {} broke an invariant:", walk.seed)?;
            // Replay for the events: the walk is deterministic.
            let mut cluster = start.clone();
            let steps: Vec<trace::TraceStep> = walk
                .actions
                .iter()
                .map(|action| trace::step(&mut cluster, action.clone()))
                .collect::<std::result::Result<_, _>>()
                .map_err(anyhow::Error::msg)?;
            let counterexample = Counterexample {
                violation: walk.violation,
                steps,
            };
            print_counterexample(&scenario, &counterexample, out)?;
            writeln!(
                out,
                "Replay it with: raftwalk check {}{}{} --random --first-seed {} --seeds 1 --steps {}",
                args.scenario,
                if args.after_steps {
                    " --after-steps"
                } else {
                    ""
                },
                args.bug.map(|b| format!(" --bug {b}")).unwrap_or_default(),
                walk.seed,
                args.steps
            )?;
            save(args, &scenario, &walk.actions, out)?;
            Ok(1)
        }
    }
}

fn walks_from(
    start: &Cluster,
    seeds: std::ops::Range<u64>,
    steps: usize,
    threads: usize,
    done: &AtomicU64,
) -> (random::WalkStats, Option<random::BrokenWalk>) {
    if start.violations().is_empty() {
        random::walks(start, seeds, steps, threads, done)
    } else {
        let broken = random::BrokenWalk {
            seed: seeds.start,
            actions: Vec::new(),
            violation: start.violations()[0],
        };
        (random::WalkStats { walks: 0, steps: 0 }, Some(broken))
    }
}

/// Runs `work`, showing `line()` on stderr every quarter second if stderr is a terminal.
fn with_progress<T>(line: impl Fn() -> String + Sync, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let finished = AtomicBool::new(false);
    let begun = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut shown = false;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                if finished.load(Ordering::Relaxed) {
                    break;
                }
                eprint!(
                    "\r\x1b[K{} ({:.0} s)",
                    line(),
                    begun.elapsed().as_secs_f64()
                );
                shown = true;
            }
            if shown {
                eprint!("\r\x1b[K");
            }
        });
        let result = work();
        finished.store(true, Ordering::Relaxed);
        result
    })
}
