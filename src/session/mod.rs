//! A session: a scenario being explored, with its whole history so that every action can be
//! undone and redone, and the scripted walkthrough stepped forward and back beat by beat. No
//! terminal here: the TUI, the export and the benchmarks drive it.

mod history;
pub mod save;
mod walk;

pub use walk::OffScript;

pub use history::{HistoryEntry, Origin};

use crate::raft::{Action, Cluster, Event, NetworkError};
use crate::scenario::describe::{describe_action, describe_played};
use crate::scenario::runner::{StepError, apply_step};
use crate::scenario::{Scenario, Step};
use history::History;
use std::ops::Range;

/// A scenario being explored.
#[derive(Clone, Debug)]
pub struct Session {
    scenario: Scenario,
    history: History,
    /// The script's beats (see [`crate::scenario::beats`]).
    beats: Vec<Range<usize>>,
    /// The cluster before the latest beat that changed it, when that beat took more than one
    /// action (otherwise the history's own "previous" is the same cluster).
    before_beat: Option<Cluster>,
}

/// What a free action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acted {
    /// The model's events.
    pub events: Vec<Event>,
    /// False when the action changed nothing and so was not kept in the history.
    pub recorded: bool,
}

/// Why the next scripted step could not be played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlayError {
    /// The walkthrough is over (or the scenario has no steps).
    NoMoreSteps,
    /// The step could not apply (e.g. no message matches its selector).
    Step(StepError),
}

impl std::fmt::Display for PlayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlayError::NoMoreSteps => f.write_str("the walkthrough has no more beats"),
            PlayError::Step(e) => write!(f, "{e}"),
        }
    }
}

impl Session {
    /// A session at the start of `scenario`.
    pub fn new(scenario: Scenario) -> Session {
        let history = History::new(scenario.cluster());
        let beats = crate::scenario::beats::beats(&scenario.steps);
        Session {
            scenario,
            history,
            beats,
            before_beat: None,
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Server names, by id.
    pub fn names(&self) -> &[String] {
        &self.scenario.names
    }

    /// The cluster now.
    pub fn cluster(&self) -> &Cluster {
        self.history.current()
    }

    /// The cluster before the latest change, for "what changed" highlights: before the whole
    /// beat when the walkthrough played it, before the one action when the user took it.
    pub fn previous(&self) -> Option<&Cluster> {
        self.before_beat
            .as_ref()
            .or_else(|| self.history.previous())
    }

    /// The entries up to now, oldest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        self.history.done()
    }

    /// How many entries are done (the position in the history).
    pub fn position(&self) -> usize {
        self.history.cursor()
    }

    /// Whether there is something to undo / redo.
    pub fn can_undo(&self) -> bool {
        self.history.cursor() > 0
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        self.history.cursor() < self.history.len()
    }

    /// Every event up to now, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.entries().iter().flat_map(|e| e.events.iter())
    }

    /// Takes a free action (not from the script); anything that had been undone is discarded.
    /// An action that changes nothing — one the model refused, like a timeout on a leader — is
    /// not recorded: there would be nothing to undo.
    pub fn act(&mut self, action: Action) -> Result<Acted, NetworkError> {
        let mut cluster = self.cluster().clone();
        let events = cluster.apply(&action)?;
        Ok(self.record(action, cluster, events))
    }

    /// Records `action`, already applied to a copy of the current cluster with `cluster` and
    /// `events` as the result (the TUI does a long "deliver all" so, in slices). Like
    /// [`Session::act`], an action that changed nothing is not recorded.
    pub fn record(&mut self, action: Action, cluster: Cluster, events: Vec<Event>) -> Acted {
        if cluster == *self.cluster() {
            return Acted {
                events,
                recorded: false,
            };
        }
        self.before_beat = None;
        let entry = self.history.push(
            HistoryEntry {
                origin: Origin::Free,
                action: Some(action),
                events,
                mismatches: Vec::new(),
                time: None,
            },
            cluster,
        );
        Acted {
            events: entry.events.clone(),
            recorded: true,
        }
    }

    /// The index of the next scripted step to play.
    pub fn script_position(&self) -> usize {
        self.entries()
            .iter()
            .rev()
            .find_map(|e| match e.origin {
                Origin::Script(i) => Some(i + 1),
                Origin::Free => None,
            })
            .unwrap_or(0)
    }

    /// Whether the scenario has a script to walk through.
    pub fn has_script(&self) -> bool {
        !self.scenario.steps.is_empty()
    }

    /// Plays the next scripted step alone, even in the middle of a beat (the walkthrough plays
    /// whole beats with [`Session::play_beat`]).
    pub fn play_next(&mut self) -> Result<&HistoryEntry, PlayError> {
        let index = self.script_position();
        let mut cluster = self.cluster().clone();
        let entry = self.plan_step(&mut cluster, index)?;
        self.history.push(entry, cluster);
        self.refresh_before_beat(None);
        Ok(self.history.done().last().expect("just pushed"))
    }

    /// Plays step `index` on `cluster`: the entry it makes, `cluster` changed by it.
    fn plan_step(&self, cluster: &mut Cluster, index: usize) -> Result<HistoryEntry, PlayError> {
        let step = self
            .scenario
            .steps
            .get(index)
            .ok_or(PlayError::NoMoreSteps)?;
        // The entry keeps the step's action made concrete (a selector resolved to the id it
        // picked now), so that replay is exact.
        let outcome = apply_step(cluster, step, &self.scenario.names).map_err(PlayError::Step)?;
        Ok(HistoryEntry {
            origin: Origin::Script(index),
            action: outcome.action,
            events: outcome.events,
            mismatches: outcome.mismatches,
            time: None,
        })
    }

    /// Expectations checked so far: (passed, failed).
    pub fn expectation_counts(&self) -> (usize, usize) {
        let mut passed = 0;
        let mut failed = 0;
        for entry in self.entries() {
            if let Origin::Script(i) = entry.origin
                && matches!(self.scenario.steps[i], Step::Expect(_))
            {
                if entry.mismatches.is_empty() {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
        }
        (passed, failed)
    }

    /// A short description of an entry: the scripted step, or the free action.
    pub fn describe(&self, entry: &HistoryEntry) -> String {
        let names = self.names();
        match (entry.origin, &entry.action) {
            (Origin::Script(i), action) => {
                describe_played(&self.scenario.steps[i], action.as_ref(), names)
            }
            (Origin::Free, Some(action)) => describe_action(action, names),
            (Origin::Free, None) => String::new(),
        }
    }
}
