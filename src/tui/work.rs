//! Long work in slices. A "deliver all" on a big cluster (9 servers with 25,000-entry logs)
//! takes seconds, so the TUI does it a slice of deliveries at a time between frames, shows how
//! far it got, and stops when the user presses `q` or `Esc`.
//!
//! The work runs on a copy of the cluster; each slice is whole deliveries, each checked by the
//! invariant monitor, so the model is consistent wherever it stops. Undo treats the whole
//! deliver-all as one step: it is recorded once, when it ends — as `deliver_all` when it
//! settled or reached its cap (replay gives the same cluster), or, when the user stopped it,
//! as that many deliveries of the oldest message ([`Action::DeliverUpTo`]). (A walkthrough's
//! `deliver_all` step still plays in one go, within its beat.)

use crate::raft::{Action, Cluster, DELIVER_ALL_CAP, Event, Names, explain};
use crate::session::Session;

/// Deliveries done at once when a deliver-all starts: a small cluster settles within them, so
/// most deliver-alls finish before the next frame, as if there were no slicing.
pub const FIRST_SLICE: usize = 256;

/// A "deliver all" in progress.
#[derive(Clone, Debug)]
pub struct DeliverAllWork {
    /// The cluster as the deliveries so far left it.
    cluster: Cluster,
    /// What they did.
    events: Vec<Event>,
    /// How many were made.
    delivered: usize,
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
            cluster: session.cluster().clone(),
            events: Vec::new(),
            delivered: 0,
        }
    }

    /// Messages delivered so far.
    pub fn delivered(&self) -> usize {
        self.delivered
    }

    /// Messages still in flight.
    pub fn in_flight(&self) -> usize {
        self.cluster.in_flight().len()
    }

    /// Whether there is nothing left to do: nothing in flight, or the cap reached.
    pub fn is_done(&self) -> bool {
        self.in_flight() == 0 || self.delivered >= DELIVER_ALL_CAP
    }

    /// Delivers up to `budget` more messages (never past the cap).
    pub fn advance(&mut self, budget: usize) {
        let budget = budget.min(DELIVER_ALL_CAP - self.delivered.min(DELIVER_ALL_CAP));
        // Delivering the oldest message cannot fail: it is taken from the queue itself.
        if let Ok(done) = self.cluster.deliver_up_to(budget, &mut self.events) {
            self.delivered += done;
        }
    }

    /// The progress line while it runs.
    pub fn progress(&self) -> String {
        format!(
            " … delivering: {} delivered, {} in flight · q or Esc stops",
            self.delivered,
            self.in_flight()
        )
    }

    /// Records the work in the session as one undoable step. `stopped` when the user stopped
    /// it before it was done.
    pub fn finish(mut self, session: &mut Session, stopped: bool) -> Ended {
        if stopped && !self.is_done() {
            if self.delivered == 0 {
                return Ended {
                    text: None,
                    is_error: false,
                };
            }
            let text = format!(
                "deliver all stopped after {} deliveries; {} still in flight (u undoes them all)",
                self.delivered,
                self.in_flight()
            );
            let action = Action::DeliverUpTo(self.delivered);
            session.record(action, self.cluster, self.events);
            return Ended {
                text: Some(text),
                is_error: false,
            };
        }
        let remaining = self.in_flight();
        if remaining > 0 {
            // The same event the model's own deliver-all ends with at its cap.
            self.events.push(Event::DeliverAllStopped {
                delivered: self.delivered,
                remaining,
            });
        }
        let names = Names(session.names());
        // Stopping at the cap says why; otherwise the first invariant broken on the way.
        let stopped = self.events.last().and_then(|e| match e {
            Event::DeliverAllStopped { .. } => Some(format!(
                "{}: {}",
                explain(e, names).trim_end_matches('.'),
                explain::why_deliver_all_stopped(&self.cluster, names)
            )),
            _ => None,
        });
        let alarm = stopped.or_else(|| {
            self.events
                .iter()
                .find(|e| matches!(e, Event::Violation(_)))
                .map(|e| explain(e, names))
        });
        session.record(Action::DeliverAll, self.cluster, self.events);
        Ended {
            is_error: alarm.is_some(),
            text: alarm,
        }
    }
}

impl super::app::App {
    /// Starts a deliver-all and does its first slice at once: most finish within it.
    pub fn start_deliver_all(&mut self) {
        self.scroll_back = 0;
        let mut work = DeliverAllWork::start(&self.session);
        work.advance(FIRST_SLICE);
        self.work = Some(work);
        self.advance_work(0);
    }

    /// Whether a deliver-all is in progress (the event loop then keeps calling
    /// [`App::advance_work`] between frames instead of waiting for a key).
    pub fn is_working(&self) -> bool {
        self.work.is_some()
    }

    /// Delivers up to `budget` more messages of the deliver-all in progress, and records it
    /// when it is done.
    pub fn advance_work(&mut self, budget: usize) {
        let Some(work) = self.work.as_mut() else {
            return;
        };
        work.advance(budget);
        if work.is_done() {
            self.end_work(false);
        }
    }

    /// A key while a deliver-all runs: `q`, `Ctrl-c` or `Esc` stop it (keeping what was
    /// delivered); the rest wait for it to end.
    pub(super) fn key_while_working(&mut self, key: crossterm::event::KeyEvent) {
        let stop = key.code == crossterm::event::KeyCode::Esc
            || super::keymap::command_for(key) == Some(super::keymap::Command::Quit);
        if stop {
            self.end_work(true);
        }
    }

    fn end_work(&mut self, stopped: bool) {
        let Some(work) = self.work.take() else {
            return;
        };
        let ended = work.finish(&mut self.session, stopped);
        self.status = ended.text.map(|text| super::app::Status {
            text,
            is_error: ended.is_error,
        });
    }
}
