//! Undo/redo history: the list of entries plus checkpoints of the cluster. The cluster at any
//! position is the nearest checkpoint before it with the entries' actions replayed — the model
//! is deterministic, so replay is exact, and memory stays small. A checkpoint is a clone of
//! the cluster, which shares its logs and committed prefix with every other clone (they are
//! persistent vectors), so it costs about the same however long the logs are.

use crate::raft::{Action, Cluster, Event};
use crate::scenario::check::Mismatch;

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The scenario's step with this index.
    Script(usize),
    /// A free action by the user.
    Free,
}

/// One undoable step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Scripted or free.
    pub origin: Origin,
    /// What changed the cluster (`None` for `say` and `expect`).
    pub action: Option<Action>,
    /// What happened.
    pub events: Vec<Event>,
    /// For an `expect`, what did not hold.
    pub mismatches: Vec<Mismatch>,
    /// The simulated clock after it, when time is on (set when it is recorded).
    pub time: Option<crate::raft::Micros>,
}

/// A checkpoint every this many entries, so an undo replays at most this many actions...
const CHECKPOINT_EVERY_ENTRIES: usize = 64;
/// ... or after this many events' worth of work, so a replay is always short.
const CHECKPOINT_EVERY_EVENTS: usize = 20_000;

#[derive(Clone, Debug)]
pub(super) struct History {
    entries: Vec<HistoryEntry>,
    cursor: usize,
    /// (position, cluster at that position), sorted by position; the first is position 0.
    checkpoints: Vec<(usize, Cluster)>,
    events_since_checkpoint: usize,
    current: Cluster,
    previous: Option<Cluster>,
}

impl History {
    pub(super) fn new(initial: Cluster) -> History {
        History {
            entries: Vec::new(),
            cursor: 0,
            checkpoints: vec![(0, initial.clone())],
            events_since_checkpoint: 0,
            current: initial,
            previous: None,
        }
    }

    pub(super) fn current(&self) -> &Cluster {
        &self.current
    }

    /// The cluster before the latest entry that changed it.
    pub(super) fn previous(&self) -> Option<&Cluster> {
        self.previous.as_ref()
    }

    pub(super) fn cursor(&self) -> usize {
        self.cursor
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn done(&self) -> &[HistoryEntry] {
        &self.entries[..self.cursor]
    }

    /// Records an entry whose result is `cluster`, discarding anything undone.
    pub(super) fn push(&mut self, mut entry: HistoryEntry, cluster: Cluster) -> &HistoryEntry {
        // Long sessions keep every entry: hold no spare capacity.
        entry.events.shrink_to_fit();
        entry.time = cluster.now();
        if self.cursor < self.entries.len() {
            // Discard what was undone, and the checkpoints taken in it.
            self.entries.truncate(self.cursor);
            let kept = self
                .checkpoints
                .partition_point(|(at, _)| *at <= self.cursor);
            self.checkpoints.truncate(kept);
        }
        self.events_since_checkpoint += entry.events.len();
        let changes_cluster = entry.action.is_some();
        self.entries.push(entry);
        self.cursor += 1;
        // "Previous" is the state before the latest change: narration and checks change nothing.
        if changes_cluster {
            self.previous = Some(std::mem::replace(&mut self.current, cluster));
        }
        let last_checkpoint = self.checkpoints.last().map_or(0, |(at, _)| *at);
        if self.cursor - last_checkpoint >= CHECKPOINT_EVERY_ENTRIES
            || self.events_since_checkpoint >= CHECKPOINT_EVERY_EVENTS
        {
            self.checkpoints.push((self.cursor, self.current.clone()));
            self.events_since_checkpoint = 0;
        }
        &self.entries[self.cursor - 1]
    }

    pub(super) fn undo(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.go_to(self.cursor - 1);
        true
    }

    pub(super) fn redo(&mut self) -> bool {
        if self.cursor == self.entries.len() {
            return false;
        }
        if let Some(action) = &self.entries[self.cursor].action {
            let mut next = self.current.clone();
            // Replaying an action that applied once cannot fail: the model is deterministic.
            let _ = next.apply(action);
            self.previous = Some(std::mem::replace(&mut self.current, next));
        }
        self.cursor += 1;
        true
    }

    /// Moves to `position` (at most the number of entries).
    pub(super) fn go_to(&mut self, position: usize) {
        let position = position.min(self.entries.len());
        let last_change = self.entries[..position]
            .iter()
            .rposition(|e| e.action.is_some());
        let (current, previous) = self.replay(position, last_change);
        self.current = current;
        self.previous = previous;
        self.cursor = position;
    }

    /// The cluster at `position`, and at `also` (before `position`) if given: one replay from
    /// the nearest checkpoint when both follow it.
    fn replay(&self, position: usize, also: Option<usize>) -> (Cluster, Option<Cluster>) {
        let (start, base) = self.checkpoint_before(position);
        let mut cluster = base.clone();
        let mut earlier = None;
        let mut at = start;
        if let Some(also) = also {
            if also < start {
                earlier = Some(self.replay(also, None).0);
            } else {
                self.apply_entries(&mut cluster, at, also);
                at = also;
                earlier = Some(cluster.clone());
            }
        }
        self.apply_entries(&mut cluster, at, position);
        (cluster, earlier)
    }

    fn checkpoint_before(&self, position: usize) -> (usize, &Cluster) {
        let at = self.checkpoints.partition_point(|(at, _)| *at <= position);
        let (start, base) = &self.checkpoints[at.saturating_sub(1)];
        (*start, base)
    }

    fn apply_entries(&self, cluster: &mut Cluster, from: usize, to: usize) {
        for entry in &self.entries[from..to] {
            if let Some(action) = &entry.action {
                // Replaying an action that applied once cannot fail: the model is
                // deterministic.
                let _ = cluster.apply(action);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A seeded random history of `len` entries on 5 servers, some of them narration (no
    /// action), and the cluster after each position, replayed from scratch.
    fn random_history(len: usize) -> (History, Vec<Cluster>) {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        let mut cluster = Cluster::new(5);
        let mut history = History::new(cluster.clone());
        let mut states = vec![cluster.clone()];
        for step in 0..len {
            // Runs of narration, some longer than the checkpoint spacing.
            let narration = (step / 100) % 3 == 2;
            let action = (!narration)
                .then(|| crate::random_actions::random_action(&cluster, &mut rng, step));
            let events = match &action {
                Some(action) => cluster.apply(action).unwrap_or_default(),
                None => Vec::new(),
            };
            let entry = HistoryEntry {
                origin: Origin::Free,
                action,
                events,
                mismatches: Vec::new(),
                time: None,
            };
            history.push(entry, cluster.clone());
            states.push(cluster.clone());
        }
        (history, states)
    }

    #[test]
    fn every_position_replays_to_the_cluster_it_had_and_its_previous() {
        let (mut history, states) = random_history(700);
        assert!(
            history.checkpoints.len() > 5,
            "{}",
            history.checkpoints.len()
        );
        for position in (0..=700)
            .rev()
            .step_by(7)
            .chain([700, 0, 1, 64, 65, 299, 300])
        {
            history.go_to(position);
            assert_eq!(history.cursor(), position);
            assert!(*history.current() == states[position], "at {position}");
            let last_change = history.entries[..position]
                .iter()
                .rposition(|e| e.action.is_some());
            assert_eq!(
                history.previous(),
                last_change.map(|p| &states[p]),
                "previous at {position}"
            );
        }
        // Undo and redo step by step agree with the states too.
        history.go_to(700);
        for position in (600..700).rev() {
            assert!(history.undo());
            assert!(*history.current() == states[position], "undo to {position}");
        }
        for (position, state) in states.iter().enumerate().skip(601) {
            assert!(history.redo());
            assert!(history.current() == state, "redo to {position}");
        }
        assert!(!history.redo());
    }

    #[test]
    fn acting_after_undo_discards_the_undone_entries_and_their_checkpoints() {
        let (mut history, mut states) = random_history(400);
        history.go_to(130);
        states.truncate(131);
        let mut cluster = states[130].clone();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
        for step in 0..100 {
            let action = crate::random_actions::random_action(&cluster, &mut rng, step);
            let events = cluster.apply(&action).unwrap_or_default();
            let entry = HistoryEntry {
                origin: Origin::Free,
                action: Some(action),
                events,
                mismatches: Vec::new(),
                time: None,
            };
            history.push(entry, cluster.clone());
            states.push(cluster.clone());
        }
        assert_eq!(history.len(), 230);
        assert!(history.checkpoints.iter().all(|(at, _)| *at <= 230));
        for position in (0..=230).rev().step_by(3) {
            history.go_to(position);
            assert!(*history.current() == states[position], "at {position}");
        }
    }
}
