//! Time mode: the clock playing in (scaled) real time, paused, or stepped one timed event at a
//! time, and the breakpoints that pause it.
//!
//! The model's clock only moves when something happens (or a step lets time pass), so the
//! screen keeps how far past the last event it has run ([`Play::ahead`]): the timers drain and
//! the messages move smoothly between events. Every timed event is its own entry in the
//! history, so undo and redo step one event. A free action taken while the screen is ahead
//! first lets that time pass in the model (an entry of its own), so it happens when the screen
//! says it does. No real clock here: the event loop tells [`App::tick`] how much real time
//! passed, so tests drive it directly.

use super::app::App;
use crate::raft::time::{MS, format_ms};
use crate::raft::{Action, Event, Micros, Names, Role, Timing, explain};
use std::time::Duration;

/// The speeds `+` and `-` step through: simulated time per real time.
pub const SPEEDS: [f64; 7] = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];

/// 0.2×: a 150–300 ms election timeout drains in 0.75–1.5 s, slow enough to follow.
pub const DEFAULT_SPEED: usize = 1;

/// How often the screen is redrawn while time plays.
pub const FRAME: Duration = Duration::from_millis(40);

/// At most this many timed events per frame; past it the screen falls behind real time
/// rather than stop answering keys.
pub const EVENTS_PER_FRAME: usize = 400;

/// What pauses the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breakpoints {
    /// A server becomes leader.
    pub new_leader: bool,
    /// A candidate's timer runs out with no winner in its term.
    pub split_vote: bool,
    /// An invariant breaks.
    pub violation: bool,
}

impl Default for Breakpoints {
    fn default() -> Breakpoints {
        Breakpoints {
            new_leader: true,
            split_vote: true,
            violation: true,
        }
    }
}

/// Which breakpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Breakpoint {
    /// [`Breakpoints::new_leader`].
    NewLeader,
    /// [`Breakpoints::split_vote`].
    SplitVote,
    /// [`Breakpoints::violation`].
    Violation,
}

impl Breakpoint {
    /// Every breakpoint, in the help's order.
    pub const ALL: [Breakpoint; 3] = [
        Breakpoint::NewLeader,
        Breakpoint::SplitVote,
        Breakpoint::Violation,
    ];

    /// What it pauses on, for the help and the status line.
    pub fn describe(self) -> &'static str {
        match self {
            Breakpoint::NewLeader => "a new leader",
            Breakpoint::SplitVote => "a split vote",
            Breakpoint::Violation => "a broken invariant",
        }
    }
}

impl Breakpoints {
    /// Whether `which` is on.
    pub fn is_on(&self, which: Breakpoint) -> bool {
        match which {
            Breakpoint::NewLeader => self.new_leader,
            Breakpoint::SplitVote => self.split_vote,
            Breakpoint::Violation => self.violation,
        }
    }

    fn toggle(&mut self, which: Breakpoint) -> bool {
        let flag = match which {
            Breakpoint::NewLeader => &mut self.new_leader,
            Breakpoint::SplitVote => &mut self.split_vote,
            Breakpoint::Violation => &mut self.violation,
        };
        *flag = !*flag;
        *flag
    }

    /// The first event of `events` that one that is on pauses at.
    fn hit<'a>(&self, events: &'a [Event]) -> Option<(Breakpoint, &'a Event)> {
        events.iter().find_map(|e| {
            let which = match e {
                Event::BecameLeader { .. } => Breakpoint::NewLeader,
                Event::TimerFired {
                    role: Role::Candidate,
                    ..
                } => Breakpoint::SplitVote,
                Event::Violation(_) => Breakpoint::Violation,
                _ => return None,
            };
            self.is_on(which).then_some((which, e))
        })
    }
}

/// The state of time mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Play {
    /// Whether the clock runs in real time.
    pub playing: bool,
    /// The speed, as an index into [`SPEEDS`].
    pub speed: usize,
    /// How far past the cluster's clock the screen is: time that passed with nothing due.
    pub ahead: Micros,
    /// What pauses it.
    pub breakpoints: Breakpoints,
}

impl Default for Play {
    fn default() -> Play {
        Play {
            playing: false,
            speed: DEFAULT_SPEED,
            ahead: 0,
            breakpoints: Breakpoints::default(),
        }
    }
}

impl Play {
    /// The speed as a factor.
    pub fn factor(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// `0.2×`.
    pub fn speed_label(&self) -> String {
        format!("{}×", self.factor())
    }
}

impl App {
    /// The simulated time on screen: the clock, plus what ran past it while playing.
    pub fn shown_time(&self) -> Option<Micros> {
        self.session
            .cluster()
            .now()
            .map(|now| now + self.play.ahead)
    }

    /// Whether time is playing (the event loop then wakes every [`FRAME`]).
    pub fn is_playing(&self) -> bool {
        self.play.playing
    }

    /// `t`: starts the clock (with the scenario's timing, else [`Timing::CLASSROOM`]) and plays;
    /// once it runs, plays or pauses.
    pub fn toggle_play(&mut self) {
        if self.session.cluster().clock().is_none() {
            let timing = self.session.scenario().timing.unwrap_or(Timing::CLASSROOM);
            self.act(Action::StartClock(Box::new(timing)));
            if self.session.cluster().clock().is_none() {
                return;
            }
            self.play.ahead = 0;
            self.play.playing = true;
            return self.info(format!(
                "time runs: timeouts {}–{}, heartbeat {}, at {} (t pauses, + and - change the speed)",
                format_ms(timing.election_timeout.min),
                format_ms(timing.election_timeout.max),
                format_ms(timing.heartbeat),
                self.play.speed_label()
            ));
        }
        self.play.playing = !self.play.playing;
    }

    /// `+` / `-`: one speed up or down (availability has checked there is one).
    pub fn change_speed(&mut self, faster: bool) {
        self.play.speed = if faster {
            (self.play.speed + 1).min(SPEEDS.len() - 1)
        } else {
            self.play.speed.saturating_sub(1)
        };
        self.info(format!("speed {}", self.play.speed_label()));
    }

    /// `.`: the next timed event, now (pauses first).
    pub fn next_event(&mut self) {
        self.play.playing = false;
        self.play.ahead = 0;
        if let Some(events) = self.act_recorded(Action::NextEvents(1)) {
            self.say_what_fired(&events);
        }
    }

    /// Turns a breakpoint on or off.
    pub fn toggle_breakpoint(&mut self, which: Breakpoint) {
        let on = self.play.breakpoints.toggle(which);
        self.info(format!(
            "{} on {}",
            if on { "pause" } else { "no pause" },
            which.describe()
        ));
    }

    /// Lets `elapsed` of real time pass while playing: every timed event due by then happens,
    /// each recorded on its own, until a breakpoint pauses.
    pub fn tick(&mut self, elapsed: Duration) {
        if !self.play.playing || self.session.cluster().clock().is_none() {
            return;
        }
        let step = (elapsed.as_secs_f64() * self.play.factor() * 1e6) as Micros;
        let Some(target) = self.shown_time().map(|t| t.saturating_add(step)) else {
            return;
        };
        for _ in 0..EVENTS_PER_FRAME {
            let due = self
                .session
                .cluster()
                .clock()
                .and_then(|c| c.next_due())
                .filter(|&(at, _)| at <= target);
            if due.is_none() {
                let now = self.session.cluster().now().unwrap_or(target);
                self.play.ahead = target.saturating_sub(now);
                return;
            }
            let Some(events) = self.act_recorded(Action::NextEvents(1)) else {
                self.play.playing = false;
                return;
            };
            if let Some((which, event)) = self.play.breakpoints.hit(&events) {
                self.play.playing = false;
                self.play.ahead = 0;
                let names = Names(self.session.names());
                let text = format!(
                    "paused on {}: {} t plays on; the help (?) turns breakpoints off",
                    which.describe(),
                    explain(event, names)
                );
                return self.info(text);
            }
        }
        // Behind: the events of this frame ran out; the screen shows the clock as it is.
        self.play.ahead = 0;
    }

    /// Before a free action in time mode: time the screen ran past the clock passes in the
    /// model too, so the action happens when the screen says.
    pub(super) fn catch_up(&mut self) {
        if self.play.ahead > 0 && self.session.cluster().clock().is_some() {
            let ahead = std::mem::take(&mut self.play.ahead);
            let _ = self.session.act(Action::Advance(ahead));
        }
    }

    /// The history moved (undo, redo, a beat): the screen shows the clock as it is, paused.
    pub(super) fn history_moved(&mut self) {
        self.play.ahead = 0;
        self.play.playing = false;
    }

    /// The status line after `.`: what happened, and when.
    fn say_what_fired(&mut self, events: &[Event]) {
        let names = Names(self.session.names());
        let Some(first) = events.first() else { return };
        let when = self
            .session
            .cluster()
            .now()
            .map(format_ms)
            .unwrap_or_default();
        let text = format!("{when}: {}", explain(first, names));
        self.info(text);
    }

    /// A message's progress from its sender (0) to its receiver (1) on screen, in time mode.
    pub fn message_progress(&self, id: crate::raft::MessageId) -> Option<f64> {
        let times = self.session.cluster().clock()?.message(id)?;
        let now = self.shown_time()?;
        Some(
            crate::raft::time::Interval {
                start: times.sent,
                end: times.due,
            }
            .fraction_at(now),
        )
    }

    /// Whether a timed event is scheduled (for `.`).
    pub fn something_scheduled(&self) -> bool {
        self.session
            .cluster()
            .clock()
            .is_some_and(|c| c.next_due().is_some())
    }
}

/// A duration in whole ms for tight places: `183`, or `1.2k` past 9,999.
pub fn short_ms(micros: Micros) -> String {
    let ms = micros / MS;
    if ms > 9_999 {
        format!("{:.1}k", ms as f64 / 1e3)
    } else {
        ms.to_string()
    }
}
