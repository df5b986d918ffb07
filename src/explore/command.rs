//! `raftwalk check`: its options, its report and its exit status (0: no violation within
//! the bounds, 1: a violation, 2: bad input).

use super::moves::Bounds;
use super::search::{Progress, Stats};
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
    /// term + 2; with --random: no limit).
    #[arg(long)]
    pub max_term: Option<Term>,
    /// Client requests on a leader, in all (default: 0; with --random: no limit).
    #[arg(long)]
    pub max_requests: Option<u8>,
    /// Crashes, in all; crashed servers may always restart (default: 0; with --random: no
    /// limit).
    #[arg(long)]
    pub max_crashes: Option<u8>,
    /// Duplicated messages, in all (default: 0; with --random: no limit).
    #[arg(long)]
    pub max_dups: Option<u8>,
    /// Steps from the start (default: no limit). Not with --random.
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Stop after this many distinct states (default: 20,000,000). Not with --random.
    #[arg(long)]
    pub max_states: Option<usize>,
    /// Stop when the states stored take about this many MiB, 16 to 1,048,576 (default:
    /// 2,048; the whole process takes up to about 2.5 times as much). Not with --random.
    #[arg(long, value_parser = clap::value_parser!(u32).range(16..=1_048_576))]
    pub max_memory: Option<u32>,
    /// Worker threads, 1 to 256 (default: every core). The result does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS as i64))]
    pub threads: Option<u16>,
    /// Do not merge servers that the starting state cannot tell apart. Not with --random.
    #[arg(long)]
    pub no_symmetry: bool,
    /// Keep what the reductions leave out (messages no server can act on, history no check
    /// can consult again) and try dropping messages: the same verdict, more states. Not with
    /// --random.
    #[arg(long)]
    pub no_reduction: bool,
    /// Try every move, even where sleep sets show it leads only to a state that another
    /// order of the same moves reaches at the same depth: the same states, more work. Not
    /// with --random.
    #[arg(long)]
    pub no_sleep_sets: bool,
    /// Decode every state and run the model for every move, instead of reading states as
    /// numbered server states and messages and reusing the steps already taken from equal
    /// server states: the same result, slower. Not with --random.
    #[arg(long)]
    pub no_interning: bool,
    /// Check every successor read through interned parts against the same move taken on the
    /// decoded state, and stop at the first difference (slow; for testing raftwalk).
    #[arg(long, hide = true)]
    pub verify_interning: bool,
    /// Find the states already stored by their whole compact key instead of by a 128-bit
    /// fingerprint of it (worked out before the key is written; two different states share
    /// one with a chance of about 2^-128): exact, a little slower. Without interned parts
    /// (--no-interning) states are always found by their canonical form. Not with --random.
    #[arg(long)]
    pub no_fingerprints: bool,
    /// Write the counterexample, if one is found, to this file as a scenario (it must not
    /// exist yet).
    #[arg(long)]
    pub save_trace: Option<PathBuf>,
    /// Seeded random walks with faults instead of the exhaustive search.
    #[arg(long)]
    pub random: bool,
    /// With --random: how many walks, seeds first-seed, first-seed + 1, … (default: 300).
    #[arg(long)]
    pub seeds: Option<u64>,
    /// With --random: the first seed (default: 0).
    #[arg(long)]
    pub first_seed: Option<u64>,
    /// With --random: steps taken per walk (default: 200); a draw a bound skips, or one that
    /// changes nothing, is not a step.
    #[arg(long)]
    pub steps: Option<usize>,
}

/// The most worker threads `--threads` takes: more only adds the cost of starting them.
pub const MAX_THREADS: u16 = 256;
/// `--max-states` when not given.
const DEFAULT_MAX_STATES: usize = 20_000_000;

/// The default bound on the memory the stored states take, in MiB: a search this large
/// runs on a laptop.
const DEFAULT_MAX_MEMORY_MIB: u32 = 2048;

const MIB: usize = 1 << 20;

/// Refuses an option that the chosen mode (exhaustive search or `--random`) would ignore.
fn refuse_options_that_do_not_apply(args: &CheckArgs) -> Result<()> {
    let walk_only = [
        ("--seeds", args.seeds.is_some()),
        ("--first-seed", args.first_seed.is_some()),
        ("--steps", args.steps.is_some()),
    ];
    let search_only = [
        ("--max-depth", args.max_depth.is_some()),
        ("--max-states", args.max_states.is_some()),
        ("--max-memory", args.max_memory.is_some()),
        ("--no-symmetry", args.no_symmetry),
        ("--no-reduction", args.no_reduction),
        ("--no-sleep-sets", args.no_sleep_sets),
        ("--no-interning", args.no_interning),
        ("--no-fingerprints", args.no_fingerprints),
    ];
    if args.random {
        if let Some((name, _)) = search_only.iter().find(|(_, given)| *given) {
            bail!(
                "{name} only applies to the exhaustive search, not with --random (a walk's length is --steps)"
            );
        }
    } else if let Some((name, _)) = walk_only.iter().find(|(_, given)| *given) {
        bail!("{name} only applies with --random");
    }
    Ok(())
}

/// Runs `raftwalk check`; returns the exit status (0 or 1). Bad input is an error.
pub fn run(args: &CheckArgs, scenario: Scenario, out: &mut dyn Write) -> Result<u8> {
    refuse_options_that_do_not_apply(args)?;
    if let Some(path) = &args.save_trace {
        // Before the search, so a bad path cannot hide its verdict after a long run.
        check_can_create(path)?;
    }
    // Within 1..=MAX_THREADS: clap checks a given number, and every core is capped too.
    let threads = args.threads.map_or_else(
        || {
            std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(usize::from(MAX_THREADS))
        },
        usize::from,
    );
    let mut options = Options {
        bug: args.bug,
        after_steps: args.after_steps,
        bounds: Bounds {
            max_term: args.max_term.unwrap_or(0),
            max_requests: args.max_requests.unwrap_or(0),
            max_crashes: args.max_crashes.unwrap_or(0),
            max_dups: args.max_dups.unwrap_or(0),
            max_depth: args.max_depth,
        },
        max_states: args.max_states.unwrap_or(DEFAULT_MAX_STATES),
        max_memory: args.max_memory.unwrap_or(DEFAULT_MAX_MEMORY_MIB) as usize * MIB,
        threads,
        symmetry: !args.no_symmetry,
        reduce: !args.no_reduction,
        sleep_sets: !args.no_sleep_sets,
        interning: !args.no_interning,
        verify: args.verify_interning,
        fingerprints: !args.no_fingerprints,
    };
    // The default term bound is counted from where the search starts: after the steps, with
    // --after-steps.
    let (searched, start) =
        super::starting_point(&scenario, &options).map_err(anyhow::Error::msg)?;
    let suggested = highest_term(&start).saturating_add(2);
    options.bounds.max_term = args.max_term.unwrap_or(suggested);
    let note = timing_note(&scenario);
    if args.random {
        return run_random(args, &searched, &start, threads, note, out);
    }
    // What is checked, and how, before the search starts (a long one shows only its progress
    // line meanwhile).
    headline(out, args, "", &searched, note)?;
    let requests = super::request_commands(options.bounds.max_requests);
    let codec = super::codec_for(&start, &requests, &options);
    search_bounds_line(out, &options, codec.symmetries())?;
    out.flush()?;
    let progress = Progress::default();
    let outcome = with_progress(
        || {
            format!(
                "explored {} states, {} distinct, depth {}",
                thousands(progress.explored.load(Ordering::Relaxed)),
                thousands(progress.distinct.load(Ordering::Relaxed)),
                progress.depth.load(Ordering::Relaxed)
            )
        },
        || {
            super::check_from(
                searched.clone(),
                &start,
                &codec,
                &requests,
                &options,
                &progress,
            )
        },
    )
    .map_err(anyhow::Error::msg)?;
    let status = report(args, &options, &outcome, out)?;
    if status == 0 {
        let notes = [
            bounds_note(&start, &options.bounds, suggested, outcome.stats.explored),
            log_note(&searched, &start, options.bounds.max_requests),
        ];
        for line in notes.into_iter().flatten() {
            writeln!(out, "{line}")?;
        }
        if let Some(line) = cut_short(&outcome.stats, &options) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(status)
}

/// For a search that stopped at --max-states or --max-memory with no violation: the last line
/// of its report, which says plainly that the bounds were not exhausted (it still exits 0).
fn cut_short(s: &Stats, options: &Options) -> Option<String> {
    let (stop, option) = if s.exhausted {
        return None;
    } else if s.memory_limited {
        (
            format!(
                "--max-memory {} MiB (the states stored)",
                thousands((options.max_memory / MIB) as u64)
            ),
            "--max-memory",
        )
    } else {
        (
            format!("--max-states {}", thousands(options.max_states as u64)),
            "--max-states",
        )
    };
    Some(format!(
        "No violation in the {} distinct states found, but the search stopped at {stop}: the bounds were not exhausted, so a violation may still lie within them (raise {option} to search further).",
        thousands(s.distinct)
    ))
}

/// `n` with a comma between groups of three digits: `284,292`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `1 request`, `2 requests`, `2 crashes`.
fn count_of(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {}", thousands(n), plural(noun))
    }
}

/// `requests`, `crashes`.
fn plural(noun: &str) -> String {
    let ending = if noun.ends_with(['s', 'h']) {
        "es"
    } else {
        "s"
    };
    format!("{noun}{ending}")
}

/// A note for a mutant whose broken rule is about logs, when no log can grow: every log is
/// empty at the start and no client request is allowed, so the mutant cannot show.
fn log_note(scenario: &Scenario, start: &Cluster, max_requests: u8) -> Option<String> {
    use crate::raft::Bug::{AcceptStaleTerm, CommitOldTerm, NoLogCheck, TruncateAlways};
    let bug = scenario.config.bug?;
    let about_logs = matches!(
        bug,
        NoLogCheck | CommitOldTerm | AcceptStaleTerm | TruncateAlways
    );
    let logs_empty = start.servers().iter().all(|s| s.log.is_empty());
    (about_logs && logs_empty && max_requests == 0).then(|| {
        format!(
            "Note: mutant {bug} breaks a rule about logs, and with --max-requests 0 no log grows from this start (every log is empty), so it cannot show here; try --max-requests 1 (and more terms or requests if that is not enough)."
        )
    })
}

/// Refuses a `--save-trace` path that exists, or where no file can be created: found out
/// before the search, not after it. Creates the file to know, and removes it again.
fn check_can_create(path: &Path) -> Result<()> {
    let shown = path.display();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => std::fs::remove_file(path)
            .with_context(|| format!("--save-trace {shown}: cannot remove the test file")),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("--save-trace {shown}: the file already exists; remove it or choose another path")
        }
        Err(e) => Err(e).with_context(|| format!("--save-trace {shown}: cannot create it")),
    }
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

/// The exhaustive search's bounds, merged renamings and threads.
fn search_bounds_line(out: &mut dyn Write, options: &Options, symmetries: usize) -> Result<()> {
    let b = &options.bounds;
    writeln!(
        out,
        "bounds: terms up to {}, {}, {}, {}, {}; {}; {}",
        b.max_term,
        count_of(b.max_requests.into(), "request"),
        count_of(b.max_crashes.into(), "crash"),
        count_of(b.max_dups.into(), "duplicate"),
        b.max_depth
            .map_or("no depth limit".to_string(), |d| format!("depth up to {d}")),
        match symmetries {
            1 => "servers not merged by symmetry".to_string(),
            n => format!("{n} renamings of the servers merged"),
        },
        count_of(options.threads as u64, "thread"),
    )?;
    Ok(())
}

fn report(
    args: &CheckArgs,
    options: &Options,
    outcome: &Outcome,
    out: &mut dyn Write,
) -> Result<u8> {
    let b = &options.bounds;
    let scenario = &outcome.scenario;
    let s = &outcome.stats;
    let broken_at_start = outcome
        .counterexample
        .as_ref()
        .is_some_and(|c| c.steps.is_empty());
    if broken_at_start && s.explored == 0 {
        writeln!(
            out,
            "Nothing searched: the start already breaks an invariant."
        )?;
    } else {
        // A rate over less than the time shown (0.00 s) would be noise.
        let rate = if s.explored > 0 && s.seconds >= 0.005 {
            format!(
                ", {} distinct states/s",
                thousands((s.distinct as f64 / s.seconds) as u64)
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "explored {}, {} distinct, depth {}, {:.2} s{rate}",
            count_of(s.explored, "state"),
            thousands(s.distinct),
            s.depth,
            s.seconds,
        )?;
    }
    match &outcome.counterexample {
        None => {
            // A search cut short says so on the report's last line (see `run`).
            if s.exhausted {
                writeln!(out, "No violation within these bounds.")?;
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
        "check {}{mode}: {}, {}",
        args.scenario,
        count_of(scenario.names.len() as u64, "server"),
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
    let invariant = counterexample.violation.invariant();
    // The invariant is named once, in the parentheses.
    let what = text.trim_start_matches("INVARIANT VIOLATED: ");
    let what = what
        .strip_prefix(&format!("{invariant} broken: "))
        .unwrap_or(what);
    writeln!(
        out,
        "\nVIOLATION after {} ({invariant}): {what}",
        count_of(counterexample.steps.len() as u64, "step")
    )?;
    // The last step may break more than one invariant; `run` of the trace reports them all.
    let mut also: Vec<String> = Vec::new();
    for event in counterexample
        .steps
        .last()
        .map_or(&[][..], |s| &s.events[..])
    {
        if let crate::raft::Event::Violation(v) = event {
            let other = v.invariant().to_string();
            if v.invariant() != invariant && !also.contains(&other) {
                also.push(other);
            }
        }
    }
    if !also.is_empty() {
        writeln!(out, "The same step also breaks: {}.", also.join(", "))?;
    }
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

/// Writes a new file: one made meanwhile at the path is not overwritten.
fn write_file(path: &Path, text: &str) -> Result<()> {
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        file.write_all(text.as_bytes())
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// The walks' limits, from the options (what is not given is not limited).
fn walk_limits(args: &CheckArgs) -> random::Limits {
    random::Limits {
        max_term: args.max_term,
        max_requests: args.max_requests,
        max_crashes: args.max_crashes,
        max_dups: args.max_dups,
    }
}

/// The options that shaped the walks, as they are written on the command line.
fn walk_options(args: &CheckArgs) -> String {
    let mut shown = String::new();
    if args.after_steps {
        shown.push_str(" --after-steps");
    }
    if let Some(bug) = args.bug {
        shown.push_str(&format!(" --bug {bug}"));
    }
    let limits = [
        ("--max-term", args.max_term),
        ("--max-requests", args.max_requests.map(u64::from)),
        ("--max-crashes", args.max_crashes.map(u64::from)),
        ("--max-dups", args.max_dups.map(u64::from)),
    ];
    for (name, value) in limits {
        if let Some(value) = value {
            shown.push_str(&format!(" {name} {value}"));
        }
    }
    shown
}

fn run_random(
    args: &CheckArgs,
    scenario: &Scenario,
    start: &Cluster,
    threads: usize,
    note: Option<&str>,
    out: &mut dyn Write,
) -> Result<u8> {
    let count = args.seeds.unwrap_or(300);
    let steps = args.steps.unwrap_or(200);
    let first = args.first_seed.unwrap_or(0);
    if steps == 0 || count == 0 {
        bail!("--seeds and --steps must be at least 1");
    }
    let limits = walk_limits(args);
    let seeds = first..first.saturating_add(count);
    headline(out, args, " --random", scenario, note)?;
    let limit = |value: Option<u8>, noun: &str| {
        value.map_or(format!("any number of {}", plural(noun)), |n| {
            count_of(n.into(), noun)
        })
    };
    writeln!(
        out,
        "bounds: {}, {}, {}, {}; walks of up to {}; {}",
        limits
            .max_term
            .map_or("no term limit".to_string(), |t| format!("terms up to {t}")),
        limit(limits.max_requests, "request"),
        limit(limits.max_crashes, "crash"),
        limit(limits.max_dups, "duplicate"),
        count_of(steps as u64, "step"),
        count_of(threads as u64, "thread"),
    )?;
    out.flush()?;
    let done = AtomicU64::new(0);
    let begun = Instant::now();
    let (stats, broken) = with_progress(
        || format!("{} of {} walks", done.load(Ordering::Relaxed), count),
        || walks_from(start, seeds.clone(), steps, &limits, threads, &done),
    );
    writeln!(
        out,
        "ran {} (seeds {}..{}): {}, {:.2} s",
        count_of(stats.walks, "walk"),
        seeds.start,
        seeds.end,
        count_of(stats.steps, "step"),
        begun.elapsed().as_secs_f64()
    )?;
    if stats.stuck > 0 {
        writeln!(
            out,
            "{} ended before {}: {} draws in a row took none (nothing could happen within the bounds).",
            count_of(stats.stuck, "walk"),
            count_of(steps as u64, "step"),
            thousands(random::MISSES_IN_A_ROW as u64)
        )?;
    }
    match broken {
        None => {
            writeln!(out, "No violation in these walks.")?;
            if let Some(line) = log_note(scenario, start, args.max_requests.unwrap_or(1)) {
                writeln!(out, "{line}")?;
            }
            Ok(0)
        }
        Some(walk) => {
            writeln!(out, "The walk with seed {} broke an invariant:", walk.seed)?;
            // Replay for the events: the walk is deterministic.
            let mut cluster = start.clone();
            let steps_taken: Vec<trace::TraceStep> = walk
                .actions
                .iter()
                .map(|action| trace::step(&mut cluster, action.clone()))
                .collect::<std::result::Result<_, _>>()
                .map_err(anyhow::Error::msg)?;
            let counterexample = Counterexample {
                violation: walk.violation,
                steps: steps_taken,
            };
            print_counterexample(scenario, &counterexample, out)?;
            writeln!(
                out,
                "Replay it with: raftwalk check {}{} --random --first-seed {} --seeds 1 --steps {steps}",
                args.scenario,
                walk_options(args),
                walk.seed,
            )?;
            save(args, scenario, &walk.actions, out)?;
            Ok(1)
        }
    }
}

fn walks_from(
    start: &Cluster,
    seeds: std::ops::Range<u64>,
    steps: usize,
    limits: &random::Limits,
    threads: usize,
    done: &AtomicU64,
) -> (random::WalkStats, Option<random::BrokenWalk>) {
    if start.violations().is_empty() {
        random::walks(start, seeds, steps, limits, threads, done)
    } else {
        let broken = random::BrokenWalk {
            seed: seeds.start,
            actions: Vec::new(),
            violation: start.violations()[0],
        };
        (random::WalkStats::default(), Some(broken))
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
