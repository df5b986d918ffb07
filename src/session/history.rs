//! Undo/redo history: the list of entries plus checkpoints of the cluster. The cluster at any
//! position is the nearest checkpoint before it with the entries' actions replayed — the model
//! is deterministic, so replay is exact, and memory stays small.

use crate::raft::{Action, Cluster, Event};
use crate::scenario::runner::Mismatch;

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
pub struct Entry {
    /// Scripted or free.
    pub origin: Origin,
    /// What changed the cluster (`None` for `say` and `expect`).
    pub action: Option<Action>,
    /// What happened.
    pub events: Vec<Event>,
    /// For an `expect`, what did not hold.
    pub mismatches: Vec<Mismatch>,
}

/// A checkpoint every this many entries at least...
const CHECKPOINT_EVERY_ENTRIES: usize = 256;
/// ... and, for a big cluster (long logs), only after its size in bytes divided by this many
/// entries, so checkpoints cost about this many bytes per entry whatever the cluster's size.
const CHECKPOINT_BYTES_PER_ENTRY: usize = 256;
/// ... or after this many events' worth of work, so a replay is always short.
const CHECKPOINT_EVERY_EVENTS: usize = 20_000;

#[derive(Clone, Debug)]
pub(super) struct History {
    entries: Vec<Entry>,
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

    pub(super) fn done(&self) -> &[Entry] {
        &self.entries[..self.cursor]
    }

    /// Records an entry whose result is `cluster`, discarding anything undone.
    pub(super) fn push(&mut self, mut entry: Entry, cluster: Cluster) -> &Entry {
        // Long sessions keep every entry: hold no spare capacity.
        entry.events.shrink_to_fit();
        self.entries.truncate(self.cursor);
        self.checkpoints.retain(|(at, _)| *at <= self.cursor);
        self.events_since_checkpoint += entry.events.len();
        let changes_cluster = entry.action.is_some();
        self.entries.push(entry);
        self.cursor += 1;
        // "Previous" is the state before the latest change: narration and checks change nothing.
        if changes_cluster {
            self.previous = Some(std::mem::replace(&mut self.current, cluster));
        }
        let last_checkpoint = self.checkpoints.last().map_or(0, |(at, _)| *at);
        let spacing = CHECKPOINT_EVERY_ENTRIES
            .max(approximate_bytes(&self.current) / CHECKPOINT_BYTES_PER_ENTRY);
        if self.cursor - last_checkpoint >= spacing
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
            let _ = next.apply(action.clone());
            self.previous = Some(std::mem::replace(&mut self.current, next));
        }
        self.cursor += 1;
        true
    }

    /// Moves to `position` (at most the number of entries).
    pub(super) fn go_to(&mut self, position: usize) {
        let position = position.min(self.entries.len());
        self.current = self.replay(position);
        let last_change = self.entries[..position]
            .iter()
            .rposition(|e| e.action.is_some());
        self.previous = last_change.map(|p| self.replay(p));
        self.cursor = position;
    }

    fn replay(&self, position: usize) -> Cluster {
        let (start, base) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(at, _)| *at <= position)
            .expect("the first checkpoint is at position 0");
        let mut cluster = base.clone();
        for entry in &self.entries[*start..position] {
            if let Some(action) = &entry.action {
                let _ = cluster.apply(action.clone());
            }
        }
        cluster
    }
}

/// Roughly what a copy of the cluster costs: its logs and messages in flight.
fn approximate_bytes(cluster: &Cluster) -> usize {
    let entries: usize = cluster.servers().iter().map(|s| s.log.len()).sum();
    std::mem::size_of::<Cluster>()
        + std::mem::size_of_val(cluster.servers())
        // Each server's log, plus the monitor's record of what is committed.
        + entries * std::mem::size_of::<crate::raft::Entry>() * 2
        + cluster.in_flight().len() * std::mem::size_of::<crate::raft::Envelope>()
}
