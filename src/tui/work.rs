//! Long work in slices. A "deliver all" on a big cluster (9 servers with 25,000-entry logs)
//! takes seconds, so the TUI does it a slice of deliveries at a time between frames, shows how
//! far it got, and stops when the user presses `q` or `Esc`. So does a walkthrough beat that
//! holds a `deliver_all` step (`n`).
//!
//! The work runs on a copy of the cluster (see [`crate::session::DeliverAllSlices`]), so the
//! model is consistent wherever it stops. Undo treats the whole deliver-all as one step: it
//! is recorded once, when it ends — as `deliver_all` when it settled or reached its cap
//! (replay gives the same cluster), or, when the user stopped it, as that many deliveries of
//! the oldest message ([`Action::DeliverUpTo`]). A beat is recorded, as one step, only when it
//! has played to its end: the walkthrough plays whole beats, so a beat stopped part-way leaves
//! the session as it was, and `n` plays it again.

use crate::raft::{Action, Event, Names, explain};
use crate::session::{BeatWork, DeliverAllSlices, Session};

/// Deliveries done at once when a deliver-all starts: a small cluster settles within them, so
/// most deliver-alls finish before the next frame, as if there were no slicing.
pub const FIRST_SLICE: usize = 256;

/// Long work in progress.
#[derive(Clone, Debug)]
pub enum Work {
    /// A free "deliver all" (`a`).
    DeliverAll(Box<DeliverAllWork>),
    /// A walkthrough beat (`n`) with a `deliver_all` in it.
    Beat(Box<BeatWork>),
}

impl Work {
    /// Messages delivered so far.
    pub fn delivered(&self) -> usize {
        match self {
            Work::DeliverAll(work) => work.slices.delivered(),
            Work::Beat(work) => work.delivered(),
        }
    }

    /// Messages in flight now.
    pub fn in_flight(&self) -> usize {
        match self {
            Work::DeliverAll(work) => work.slices.in_flight(),
            Work::Beat(work) => work.in_flight(),
        }
    }

    /// The progress line while it runs.
    pub fn progress(&self) -> String {
        let what = match self {
            Work::DeliverAll(_) => "delivering".to_string(),
            Work::Beat(work) => format!("beat {}: delivering", work.beat() + 1),
        };
        format!(
            " … {what}: {} delivered, {} in flight · q or Esc stops",
            self.delivered(),
            self.in_flight()
        )
    }
}

/// A free "deliver all" in progress.
#[derive(Clone, Debug)]
pub struct DeliverAllWork {
    slices: DeliverAllSlices,
}

/// How a deliver-all ended, for the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// What to tell the user, if anything.
    pub text: Option<String>,
    /// Whether it is an alarm (a broken invariant, the cap reached) or just news.
    pub is_error: bool,
}

impl DeliverAllWork {
    /// Starts a deliver-all from the session's current cluster.
    pub fn start(session: &Session) -> DeliverAllWork {
        DeliverAllWork {
            slices: DeliverAllSlices::start(session.cluster().clone()),
        }
    }

    /// Whether there is nothing left to do: nothing in flight, or the cap reached.
    pub fn is_done(&self) -> bool {
        self.slices.is_done()
    }

    /// Delivers up to `budget` more messages (never past the cap).
    pub fn advance(&mut self, budget: usize) {
        self.slices.advance(budget);
    }

    /// Records the work in the session as one undoable step. `stopped` when the user stopped
    /// it before it was done.
    pub fn finish(self, session: &mut Session, stopped: bool) -> Ended {
        if stopped && !self.is_done() {
            let (cluster, events, delivered) = self.slices.stopped();
            if delivered == 0 {
                return Ended {
                    text: None,
                    is_error: false,
                };
            }
            let text = format!(
                "deliver all stopped after {delivered} deliveries; {} still in flight (u undoes them all)",
                cluster.in_flight().len()
            );
            session.record(Action::DeliverUpTo(delivered), cluster, events);
            return Ended {
                text: Some(text),
                is_error: false,
            };
        }
        let (cluster, events) = self.slices.finish();
        let alarm = alarm(&events, &cluster, Names(session.names()));
        session.record(Action::DeliverAll, cluster, events);
        Ended {
            is_error: alarm.is_some(),
            text: alarm,
        }
    }
}

/// What a class must not miss in what a deliver-all did: stopping at its cap, and why; or
/// else the first invariant broken on the way. `cluster` is where it ended.
pub fn alarm(events: &[Event], cluster: &crate::raft::Cluster, names: Names) -> Option<String> {
    cap_reached(events, cluster, names).or_else(|| {
        events
            .iter()
            .find(|e| matches!(e, Event::Violation(_)))
            .map(|e| explain(e, names))
    })
}

/// A deliver-all in `events` that stopped at its cap, and why (`cluster` is where it ended).
pub fn cap_reached(
    events: &[Event],
    cluster: &crate::raft::Cluster,
    names: Names,
) -> Option<String> {
    events.iter().rev().find_map(|e| match e {
        Event::DeliverAllStopped { .. } => Some(format!(
            "{}: {}",
            explain(e, names).trim_end_matches('.'),
            explain::why_deliver_all_stopped(cluster, names)
        )),
        _ => None,
    })
}

impl super::app::App {
    /// Starts a deliver-all and does its first slice at once: most finish within it.
    pub fn start_deliver_all(&mut self) {
        self.scroll_back = 0;
        let mut work = DeliverAllWork::start(&self.session);
        work.advance(FIRST_SLICE);
        self.work = Some(Work::DeliverAll(Box::new(work)));
        self.advance_work(0);
    }

    /// Starts playing the next beat and plays its first slice at once: a beat finishes within
    /// it unless it holds a long `deliver_all`.
    pub(super) fn start_beat_work(&mut self) {
        let started = self.session.start_beat().and_then(|mut work| {
            work.advance(&self.session, FIRST_SLICE)?;
            Ok(work)
        });
        match started {
            Ok(work) => {
                self.work = Some(Work::Beat(Box::new(work)));
                self.advance_work(0);
            }
            Err(e) => self.beat_ended(Err(e)),
        }
    }

    /// Whether long work is in progress (the event loop then keeps calling
    /// [`advance_work`](Self::advance_work) between frames instead of waiting for a key).
    pub fn is_working(&self) -> bool {
        self.work.is_some()
    }

    /// Does up to `budget` more deliveries of the work in progress, and records it when it is
    /// done.
    pub fn advance_work(&mut self, budget: usize) {
        let done = match self.work.as_mut() {
            None => return,
            Some(Work::DeliverAll(work)) => {
                work.advance(budget);
                work.is_done()
            }
            Some(Work::Beat(work)) => {
                if let Err(e) = work.advance(&self.session, budget) {
                    // A step of the beat cannot apply: nothing of it is played.
                    self.work = None;
                    return self.beat_ended(Err(e));
                }
                work.is_done()
            }
        };
        if done {
            self.end_work(false);
        }
    }

    /// A key while work runs: `q`, `Ctrl-c` or `Esc` stop it (a deliver-all keeps what was
    /// delivered; a beat is not played); the rest wait for it to end.
    pub(super) fn key_while_working(&mut self, key: crossterm::event::KeyEvent) {
        let stop = key.code == crossterm::event::KeyCode::Esc
            || super::keymap::command_for(key) == Some(super::keymap::Command::Quit);
        if stop {
            self.end_work(true);
        }
    }

    fn end_work(&mut self, stopped: bool) {
        match self.work.take() {
            None => {}
            Some(Work::DeliverAll(work)) => {
                let ended = (*work).finish(&mut self.session, stopped);
                self.status = ended.text.map(|text| super::app::Status {
                    text,
                    is_error: ended.is_error,
                });
            }
            Some(Work::Beat(work)) if stopped && !work.is_done() => {
                let beat = work.beat() + 1;
                let delivered = work.delivered();
                self.info(format!(
                    "beat {beat} stopped after {delivered} deliveries: not played, nothing changed (n plays it again)"
                ));
            }
            Some(Work::Beat(work)) => {
                self.session.finish_beat(*work);
                self.beat_ended(Ok(()));
            }
        }
    }
}
