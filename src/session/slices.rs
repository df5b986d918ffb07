//! Long work a slice at a time, so that a front end stays responsive: a "deliver all" on a
//! big cluster (9 servers with 25,000-entry logs, or two leaders of one term bouncing until
//! the cap) takes seconds. [`DeliverAllSlices`] is one deliver-all so; [`BeatWork`] is a
//! walkthrough beat whose `deliver_all` steps run so. Each slice is whole deliveries, each
//! checked by the invariant monitor, so the model is consistent wherever the work stops, and
//! the result when it ends is exactly what the one-go action gives.

use super::{HistoryEntry, Origin, PlayError, Session};
use crate::raft::network::DeliverAllOutcome;
use crate::raft::{Action, Cluster, DELIVER_ALL_CAP, Event};
use crate::scenario::Step;
use std::ops::Range;

/// A "deliver all" in progress, on its own copy of the cluster.
#[derive(Clone, Debug)]
pub struct DeliverAllSlices {
    /// The cluster as the deliveries so far left it.
    cluster: Cluster,
    /// What they did.
    events: Vec<Event>,
    /// How many were made.
    delivered: usize,
}

impl DeliverAllSlices {
    /// A deliver-all starting from `cluster`.
    pub fn start(cluster: Cluster) -> DeliverAllSlices {
        DeliverAllSlices {
            cluster,
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

    /// Delivers up to `budget` more messages (never past the cap); returns how many.
    pub fn advance(&mut self, budget: usize) -> usize {
        let budget = budget.min(DELIVER_ALL_CAP - self.delivered.min(DELIVER_ALL_CAP));
        // Delivering the oldest message cannot fail: it is taken from the queue itself.
        let done = self
            .cluster
            .deliver_up_to(budget, &mut self.events)
            .unwrap_or(0);
        self.delivered += done;
        done
    }

    /// The finished deliver-all: the cluster and events [`Action::DeliverAll`] gives, the
    /// cap's event included when it stopped there. Call when [`DeliverAllSlices::is_done`].
    pub fn finish(mut self) -> (Cluster, Vec<Event>) {
        DeliverAllOutcome::ended(self.delivered, self.in_flight(), &mut self.events);
        (self.cluster, self.events)
    }

    /// Stopped part-way: the cluster, the events and the deliveries made (which
    /// [`Action::DeliverUpTo`] replays).
    pub fn stopped(self) -> (Cluster, Vec<Event>, usize) {
        (self.cluster, self.events, self.delivered)
    }
}

/// The next beat of the walkthrough being played a slice at a time. Steps other than
/// `deliver_all` play whole (each counts as one unit of a slice's budget); a `deliver_all`
/// delivers as many messages as the budget allows. Nothing is recorded until
/// [`Session::finish_beat`], so a beat stopped part-way leaves the session as it was.
#[derive(Clone, Debug)]
pub struct BeatWork {
    /// The beat, by index.
    beat: usize,
    /// The steps still to play when it started, and its end.
    steps: Range<usize>,
    /// The next step to play.
    next: usize,
    /// The cluster before the beat.
    before: Cluster,
    /// The cluster after the steps played so far.
    cluster: Cluster,
    /// The entries played so far, each with the cluster after it.
    planned: Vec<(HistoryEntry, Cluster)>,
    /// The `deliver_all` of step `next`, when it has started.
    delivering: Option<DeliverAllSlices>,
    /// Deliveries made by the beat's finished `deliver_all`s.
    delivered_before: usize,
}

impl BeatWork {
    /// The beat being played, by index.
    pub fn beat(&self) -> usize {
        self.beat
    }

    /// Whether every step of the beat has played.
    pub fn is_done(&self) -> bool {
        self.next >= self.steps.end
    }

    /// The `deliver_all` in progress, if the beat is at one.
    pub fn delivering(&self) -> Option<&DeliverAllSlices> {
        self.delivering.as_ref()
    }

    /// Deliveries made by the beat so far, its finished `deliver_all`s included.
    pub fn delivered(&self) -> usize {
        self.delivered_before + self.delivering.as_ref().map_or(0, |d| d.delivered())
    }

    /// Messages in flight now.
    pub fn in_flight(&self) -> usize {
        match &self.delivering {
            Some(d) => d.in_flight(),
            None => self.cluster.in_flight().len(),
        }
    }

    /// Plays on for about `budget` units: a delivery, or a whole step that is not a
    /// `deliver_all`. A step that cannot apply ends the work with its error.
    pub fn advance(&mut self, session: &Session, budget: usize) -> Result<(), PlayError> {
        let mut budget = budget;
        while budget > 0 && !self.is_done() {
            if let Some(delivering) = self.delivering.as_mut() {
                let made = delivering.advance(budget);
                budget -= made.min(budget);
                // (None made while not done cannot happen: something is in flight.)
                if delivering.is_done() || made == 0 {
                    if let Some(done) = self.delivering.take() {
                        self.delivered_before += done.delivered();
                        let (cluster, events) = done.finish();
                        self.push(Some(Action::DeliverAll), events, cluster);
                    }
                } else if budget == 0 {
                    break;
                }
                continue;
            }
            if let Some(Step::Act(Action::DeliverAll)) = session.scenario.steps.get(self.next) {
                self.delivering = Some(DeliverAllSlices::start(self.cluster.clone()));
                continue;
            }
            let entry = session.plan_step(&mut self.cluster, self.next)?;
            self.planned.push((entry, self.cluster.clone()));
            self.next += 1;
            budget -= 1;
        }
        Ok(())
    }

    /// Records the finished `deliver_all` of step `next`.
    fn push(&mut self, action: Option<Action>, events: Vec<Event>, cluster: Cluster) {
        let entry = HistoryEntry {
            origin: Origin::Script(self.next),
            action,
            events,
            mismatches: Vec::new(),
            time: None,
        };
        self.cluster = cluster.clone();
        self.planned.push((entry, cluster));
        self.next += 1;
    }
}

impl Session {
    /// Starts playing the rest of the next beat a slice at a time (see [`BeatWork`]);
    /// [`Session::play_beat`] plays it in one go.
    pub fn start_beat(&self) -> Result<BeatWork, PlayError> {
        let from = self.script_position();
        let beat = self.next_beat().ok_or(PlayError::NoMoreSteps)?;
        Ok(BeatWork {
            beat,
            steps: from..self.beats[beat].end,
            next: from,
            before: self.cluster().clone(),
            cluster: self.cluster().clone(),
            planned: Vec::new(),
            delivering: None,
            delivered_before: 0,
        })
    }

    /// Records a beat played to its end as the walkthrough's next beat (one step for undo);
    /// returns the steps played. A beat not done is not recorded (`None`): stopping a beat
    /// part-way leaves the session as it was.
    pub fn finish_beat(&mut self, work: BeatWork) -> Option<Range<usize>> {
        if !work.is_done() || work.steps.start != self.script_position() {
            return None;
        }
        let changes = work.planned.iter().any(|(e, _)| e.action.is_some());
        for (entry, after) in work.planned {
            self.history.push(entry, after);
        }
        // A beat of words only leaves the highlights of the beat before it.
        if changes {
            let starts_run = work.steps.start == self.beats[work.beat].start;
            self.refresh_before_beat(starts_run.then_some(work.before));
        }
        Some(work.steps)
    }
}
