//! Time in a scenario, checked and resolved: the `timing`, the timed steps (`start_clock`,
//! `set_timing`, `advance`, `next_events`, `run_until`) and `expect.time`. A timed step needs
//! the clock running where it stands: from the scenario's `timing`, or a `start_clock` before.

use super::Resolver;
use crate::raft::time::{Between, MS};
use crate::raft::{ADVANCE_CAP, Action, Micros, Timing};
use crate::scenario::error::ScenarioError;
use crate::scenario::format::{Goal, RunUntilSpec, StepSpec, TimeSpec, TimingSpec};
use crate::scenario::script::{RunGoal, RunUntil, Step};

/// The longest a timed step may let pass, or wait: an hour of simulated time.
const MAX_WAIT_MS: f64 = 3_600_000.0;
/// The longest duration in a timing: a minute.
const MAX_DURATION_MS: f64 = 60_000.0;
/// The run_until bound when the file gives none.
const DEFAULT_WITHIN: Micros = 10_000 * MS;

/// The timing in force at each step: `None` while the clock is off.
pub(super) type ClockOn = Option<Timing>;

impl Resolver<'_> {
    /// Fails unless the clock runs where step `at`'s `key` stands.
    pub(super) fn needs_clock(
        &self,
        clock_on: &ClockOn,
        at: &str,
        key: &str,
    ) -> Result<(), ScenarioError> {
        if clock_on.is_some() {
            Ok(())
        } else {
            Err(self.error(
                format!("{at}.{key}"),
                "time is off here: give the scenario \"timing\", or put a start_clock step before this one",
            ))
        }
    }

    /// A timed step resolved, keeping `clock_on` up to date; `None` for a step that is not one.
    pub(super) fn timed_step(
        &self,
        step: &StepSpec,
        at: &str,
        clock_on: &mut ClockOn,
    ) -> Option<Result<Step, ScenarioError>> {
        let resolved = match step {
            StepSpec::StartClock(spec) => (|| {
                if clock_on.is_some() {
                    return Err(self.error(
                        format!("{at}.start_clock"),
                        "the clock runs already (from the scenario's \"timing\" or an earlier start_clock)",
                    ));
                }
                let timing = self.timing(spec, &format!("{at}.start_clock"), Timing::CLASSROOM)?;
                *clock_on = Some(timing);
                Ok(Step::Act(Action::StartClock(Box::new(timing))))
            })(),
            StepSpec::SetTiming(spec) => (|| {
                self.needs_clock(clock_on, at, "set_timing")?;
                let current = clock_on.unwrap_or(Timing::CLASSROOM);
                let timing = self.timing(spec, &format!("{at}.set_timing"), current)?;
                *clock_on = Some(timing);
                Ok(Step::Act(Action::SetTiming(Box::new(timing))))
            })(),
            StepSpec::Advance(ms) => self.needs_clock(clock_on, at, "advance").and_then(|()| {
                Ok(Step::Act(Action::Advance(self.ms(
                    *ms,
                    &format!("{at}.advance"),
                    MAX_WAIT_MS,
                )?)))
            }),
            StepSpec::NextEvents(count) => {
                self.needs_clock(clock_on, at, "next_events")
                    .and_then(|()| {
                        if !(1..=ADVANCE_CAP as u64).contains(count) {
                            return Err(self.error(
                                format!("{at}.next_events"),
                                format!("from 1 to {ADVANCE_CAP} events, not {count}"),
                            ));
                        }
                        Ok(Step::Act(Action::NextEvents(*count as usize)))
                    })
            }
            StepSpec::RunUntil(spec) => {
                self.needs_clock(clock_on, at, "run_until").and_then(|()| {
                    Ok(Step::RunUntil(
                        self.run_until(spec, &format!("{at}.run_until"))?,
                    ))
                })
            }
            _ => return None,
        };
        Some(resolved)
    }

    /// A number of ms, to the µs: finite, not negative, at most `max`.
    fn ms(&self, value: f64, field: &str, max: f64) -> Result<Micros, ScenarioError> {
        if !value.is_finite() || !(0.0..=max).contains(&value) {
            return Err(self.error(field, format!("a time in ms from 0 to {max}, not {value}")));
        }
        Ok((value * 1e3).round() as Micros)
    }

    /// A [min, max] range of ms.
    fn range(&self, [min, max]: [f64; 2], field: &str) -> Result<Between, ScenarioError> {
        let (min, max) = (
            self.ms(min, &format!("{field}[0]"), MAX_DURATION_MS)?,
            self.ms(max, &format!("{field}[1]"), MAX_DURATION_MS)?,
        );
        if min > max {
            return Err(self.error(field, "a range is [min, max], the smaller first"));
        }
        Ok(Between { min, max })
    }

    /// A timing; what `spec` leaves out comes from `default`.
    pub(super) fn timing(
        &self,
        spec: &TimingSpec,
        field: &str,
        default: Timing,
    ) -> Result<Timing, ScenarioError> {
        let range = |value: Option<[f64; 2]>, key: &str, default: Between| {
            value.map_or(Ok(default), |v| self.range(v, &format!("{field}.{key}")))
        };
        let election_timeout = range(
            spec.election_timeout,
            "election_timeout",
            default.election_timeout,
        )?;
        if election_timeout.min == 0 {
            return Err(self.error(
                format!("{field}.election_timeout"),
                "an election timeout is more than 0 ms: one of 0 would start elections without end",
            ));
        }
        let heartbeat = spec.heartbeat.map_or(Ok(default.heartbeat), |h| {
            self.ms(h, &format!("{field}.heartbeat"), MAX_DURATION_MS)
        })?;
        if heartbeat == 0 {
            return Err(self.error(
                format!("{field}.heartbeat"),
                "a heartbeat interval is more than 0 ms",
            ));
        }
        Ok(Timing {
            election_timeout,
            heartbeat,
            latency: range(spec.latency, "latency", default.latency)?,
            persist: range(spec.persist, "persist", default.persist)?,
            seed: spec.seed.unwrap_or(default.seed),
        })
    }

    fn run_until(&self, spec: &RunUntilSpec, field: &str) -> Result<RunUntil, ScenarioError> {
        let goal = |g: Goal| match g {
            Goal::Leader => RunGoal::Leader,
            Goal::Quiet => RunGoal::Quiet,
        };
        match spec {
            RunUntilSpec::Goal(g) => Ok(RunUntil {
                goal: goal(*g),
                within: DEFAULT_WITHIN,
            }),
            RunUntilSpec::Full(full) => {
                let within = full
                    .within
                    .map(|w| self.ms(w, &format!("{field}.within"), MAX_WAIT_MS))
                    .transpose()?;
                match (full.until, full.time) {
                    (Some(g), None) => Ok(RunUntil {
                        goal: goal(g),
                        within: within.unwrap_or(DEFAULT_WITHIN),
                    }),
                    (None, Some(time)) if within.is_none() => Ok(RunUntil {
                        goal: RunGoal::Time(self.ms(
                            time,
                            &format!("{field}.time"),
                            MAX_WAIT_MS,
                        )?),
                        within: MAX_WAIT_MS as Micros * MS,
                    }),
                    (None, Some(_)) => Err(self.error(
                        format!("{field}.within"),
                        "a run until a time needs no bound: the time is one",
                    )),
                    _ => Err(self.error(
                        field,
                        "give either \"until\" (\"leader\" or \"quiet\") or \"time\"",
                    )),
                }
            }
        }
    }

    pub(super) fn time_check(
        &self,
        spec: &TimeSpec,
        field: &str,
    ) -> Result<(Micros, Micros), ScenarioError> {
        match *spec {
            TimeSpec::At(ms) => {
                let at = self.ms(ms, field, MAX_WAIT_MS)?;
                Ok((at, at))
            }
            TimeSpec::Between(range) => {
                let (min, max) = (
                    self.ms(range[0], &format!("{field}[0]"), MAX_WAIT_MS)?,
                    self.ms(range[1], &format!("{field}[1]"), MAX_WAIT_MS)?,
                );
                if min > max {
                    return Err(self.error(field, "a range is [min, max], the smaller first"));
                }
                Ok((min, max))
            }
        }
    }
}
