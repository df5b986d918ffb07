//! The walkthrough: the script played beat by beat (see [`crate::scenario::beats`]), undone
//! and redone a beat at a time, and what happens when the user leaves the script by acting
//! freely: the session knows where it was left and can return there.

use super::{HistoryEntry, Origin, PlayError, Session};
use crate::raft::Cluster;
use crate::scenario::beats::{beat_of, is_action};
use crate::scenario::{Quiz, Step};
use std::ops::Range;

/// The user has acted freely during a walkthrough: the state is no longer the script's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffScript {
    /// The position in the history of the first free action: where the script was left, and
    /// where [`Session::return_to_script`] goes back to.
    pub left_at: usize,
    /// Free actions taken since.
    pub free_actions: usize,
    /// Beats that had been played when the user left the script.
    pub beats_played: usize,
    /// Whether the latest entry is a free action, so no beat has yet been played on the
    /// changed state.
    pub fresh: bool,
}

impl Session {
    /// The script's beats, as ranges of step indices.
    pub fn beats(&self) -> &[Range<usize>] {
        &self.beats
    }

    /// How many beats have been played (the walkthrough's position).
    pub fn beats_played(&self) -> usize {
        let at = self.script_position();
        self.beats.partition_point(|b| b.end <= at)
    }

    /// The beat just played, by index.
    pub fn current_beat(&self) -> Option<usize> {
        let at = self.script_position();
        (at > 0).then(|| beat_of(&self.beats, at - 1))
    }

    /// The beat `n` plays next, by index.
    pub fn next_beat(&self) -> Option<usize> {
        let at = self.script_position();
        (at < self.scenario.steps.len()).then(|| beat_of(&self.beats, at))
    }

    /// The steps of the beat just played that have been played, with their indices.
    pub fn current_beat_steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        let at = self.script_position();
        let start = self.current_beat().map_or(at, |b| self.beats[b].start);
        (start..at).map(|i| (i, &self.scenario.steps[i]))
    }

    /// The narration of the beat just played: its `say`, if it has one. It explains the state
    /// the beat reached; it is never an earlier beat's.
    pub fn narration(&self) -> Option<&str> {
        self.current_beat_steps().find_map(|(_, step)| match step {
            Step::Say(text) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The quiz of the beat just played, with its step index.
    pub fn beat_quiz(&self) -> Option<(usize, &Quiz)> {
        self.current_beat_steps().find_map(|(i, step)| match step {
            Step::Quiz(quiz) => Some((i, quiz)),
            _ => None,
        })
    }

    /// The entries the beat just played made, when nothing free came after them.
    pub fn current_beat_entries(&self) -> &[HistoryEntry] {
        let done = self.entries();
        match done.last().map(|e| e.origin) {
            Some(Origin::Script(_)) => &done[self.run_start(done.len())..],
            _ => &[],
        }
    }

    /// What a beat does, in short: its actions (`deliver RequestVote a → b; …`), or `None` for
    /// a beat of words only.
    pub fn describe_beat(&self, beat: usize) -> Option<String> {
        let names = self.names();
        let actions: Vec<String> = self
            .beats
            .get(beat)?
            .clone()
            .map(|i| &self.scenario.steps[i])
            .filter(|step| is_action(step))
            .map(|step| crate::scenario::describe::describe_step(step, names))
            .collect();
        (!actions.is_empty()).then(|| actions.join("; "))
    }

    /// Plays the rest of the next beat: its actions, checks and words, all or nothing. A step
    /// that cannot apply (no message matches, after the user changed the state) leaves the
    /// session as it was. Returns the steps played.
    pub fn play_beat(&mut self) -> Result<Range<usize>, PlayError> {
        let from = self.script_position();
        let beat = self.next_beat().ok_or(PlayError::NoMoreSteps)?;
        let end = self.beats[beat].end;
        let before = self.cluster().clone();
        let mut cluster = before.clone();
        let mut planned = Vec::with_capacity(end - from);
        for index in from..end {
            let entry = self.plan_step(&mut cluster, index)?;
            planned.push((entry, cluster.clone()));
        }
        let changes = planned.iter().any(|(e, _)| e.action.is_some());
        for (entry, after) in planned {
            self.history.push(entry, after);
        }
        // A beat of words only leaves the highlights of the beat before it.
        if changes {
            let starts_run = from == self.beats[beat].start;
            self.refresh_before_beat(starts_run.then_some(before));
        }
        Ok(from..end)
    }

    /// Goes back to just before the latest beat played, undoing any free actions after it too.
    /// False if no beat was played.
    pub fn back_one_beat(&mut self) -> bool {
        let Some(last) = self
            .entries()
            .iter()
            .rposition(|e| matches!(e.origin, Origin::Script(_)))
        else {
            return false;
        };
        let start = self.run_start(last + 1);
        self.history.go_to(start);
        self.refresh_before_beat(None);
        true
    }

    /// Undoes the last free action, or the whole of the last beat played. False if there was
    /// nothing to undo.
    pub fn undo(&mut self) -> bool {
        let cursor = self.history.cursor();
        let Some(last) = self.entries().last() else {
            return false;
        };
        let target = match last.origin {
            Origin::Script(_) => self.run_start(cursor),
            Origin::Free => cursor - 1,
        };
        self.history.go_to(target);
        self.refresh_before_beat(None);
        true
    }

    /// Redoes the next undone free action, or the whole next undone beat. False if there was
    /// nothing to redo.
    pub fn redo(&mut self) -> bool {
        let before = self.cluster().clone();
        if !self.history.redo() {
            return false;
        }
        let mut known = None;
        if let Some(Origin::Script(first)) = self.entries().last().map(|e| e.origin) {
            let beat = &self.beats[beat_of(&self.beats, first)];
            let end = beat.end;
            if first == beat.start {
                known = Some(before);
            }
            let mut step = first;
            while step + 1 < end && self.history.redo() {
                match self.entries().last().map(|e| e.origin) {
                    Some(Origin::Script(next)) if next == step + 1 => step = next,
                    // Not this beat's next step: leave it undone.
                    _ => {
                        self.history.undo();
                        break;
                    }
                }
            }
        }
        self.refresh_before_beat(known);
        true
    }

    /// Whether, and where, the user has left the script.
    pub fn off_script(&self) -> Option<OffScript> {
        if !self.has_script() {
            return None;
        }
        let done = self.entries();
        let left_at = done.iter().position(|e| e.origin == Origin::Free)?;
        let free_actions = done[left_at..]
            .iter()
            .filter(|e| e.origin == Origin::Free)
            .count();
        let at = done[..left_at]
            .iter()
            .rev()
            .find_map(|e| match e.origin {
                Origin::Script(i) => Some(i + 1),
                Origin::Free => None,
            })
            .unwrap_or(0);
        Some(OffScript {
            left_at,
            free_actions,
            beats_played: self.beats.partition_point(|b| b.end <= at),
            fresh: done.last().is_some_and(|e| e.origin == Origin::Free),
        })
    }

    /// Returns to the script where the user left it: the free actions (and anything played
    /// after them) are undone, and can be redone. False if the session is on the script.
    pub fn return_to_script(&mut self) -> bool {
        let Some(off) = self.off_script() else {
            return false;
        };
        self.history.go_to(off.left_at);
        self.refresh_before_beat(None);
        true
    }

    /// The first position of the run of scripted entries, consecutive steps of one beat, that
    /// ends at `end` (exclusive). `end - 1` itself if that entry is free.
    fn run_start(&self, end: usize) -> usize {
        let done = self.history.done();
        let Some(Origin::Script(last)) = end.checked_sub(1).map(|i| done[i].origin) else {
            return end.saturating_sub(1);
        };
        let first = self.beats[beat_of(&self.beats, last)].start;
        let (mut start, mut step) = (end - 1, last);
        while start > 0 && step > first {
            match done[start - 1].origin {
                Origin::Script(j) if j + 1 == step => {
                    start -= 1;
                    step = j;
                }
                _ => break,
            }
        }
        start
    }

    /// Sets what [`Session::previous`] gives after the history moved: the cluster before the
    /// latest beat that changed it, when that beat took more than one action. `known` is that
    /// cluster when the caller has it.
    pub(super) fn refresh_before_beat(&mut self, known: Option<Cluster>) {
        self.before_beat = None;
        let done = self.history.done();
        let Some(last_change) = done.iter().rposition(|e| e.action.is_some()) else {
            return;
        };
        if done[last_change].origin == Origin::Free {
            return;
        }
        let start = self.run_start(last_change + 1);
        let actions = done[start..=last_change]
            .iter()
            .filter(|e| e.action.is_some())
            .count();
        if actions < 2 {
            return;
        }
        self.before_beat = Some(known.unwrap_or_else(|| self.cluster_at(start)));
    }

    /// The cluster at `position` of the history, leaving the session where it is.
    fn cluster_at(&mut self, position: usize) -> Cluster {
        let cursor = self.history.cursor();
        self.history.go_to(position);
        let cluster = self.history.current().clone();
        while self.history.cursor() < cursor && self.history.redo() {}
        cluster
    }
}
