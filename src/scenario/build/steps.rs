//! The steps of a script, checked and resolved: actions on servers, selectors, hand-made
//! messages, links, partitions, quizzes (expectations are in `expect.rs`).

use super::{MAX_INDEX, MAX_TERM, Resolver, entry_patterns};
use crate::raft::{Action, Entries, Link, MessageFields, MessageKind, ServerAction, ServerId};
use crate::scenario::error::ScenarioError;
use crate::scenario::format::{
    EntrySpec, LinkSpec, QuizSpec, Selector, SendSpec, ServerRef, StepSpec,
};
use crate::scenario::script::{
    MessageDraft, MessageFilter, MessageOp, MessagePattern, Pick, Quiz, Step,
};
use std::sync::Arc;

/// One step of the file, resolved; `at` is where it is (`steps[3]`).
pub(super) fn resolve_step(
    step: &StepSpec,
    at: &str,
    r: &Resolver,
    clock_on: &mut super::time::ClockOn,
) -> Result<Step, ScenarioError> {
    if let Some(timed) = r.timed_step(step, at, clock_on) {
        return timed;
    }
    let server =
        |reference: &ServerRef, action: ServerAction, key: &str| -> Result<Step, ScenarioError> {
            Ok(Step::on(
                r.server(reference, &format!("{at}.{key}"))?,
                action,
            ))
        };
    let message = |op: MessageOp, sel: &Selector| -> Result<Step, ScenarioError> {
        Ok(Step::Message(
            op,
            r.filter(sel, &format!("{at}.{}", op.verb()))?,
        ))
    };
    Ok(match step {
        StepSpec::Timeout(s) => server(s, ServerAction::Timeout, "timeout")?,
        StepSpec::Crash(s) => server(s, ServerAction::Crash, "crash")?,
        StepSpec::Restart(s) => server(s, ServerAction::Restart, "restart")?,
        StepSpec::Heartbeat(s) => server(s, ServerAction::Heartbeat, "heartbeat")?,
        StepSpec::BecomeFollower(s) => server(s, ServerAction::BecomeFollower, "become_follower")?,
        StepSpec::BecomeCandidate(s) => {
            server(s, ServerAction::BecomeCandidate, "become_candidate")?
        }
        StepSpec::BecomeLeader(s) => server(s, ServerAction::BecomeLeader, "become_leader")?,
        StepSpec::Request(request) => server(
            &request.server,
            ServerAction::ClientRequest(Arc::from(request.command.as_str())),
            "request.server",
        )?,
        StepSpec::Deliver(sel) => message(MessageOp::Deliver, sel)?,
        StepSpec::Drop(sel) => message(MessageOp::Drop, sel)?,
        StepSpec::Duplicate(sel) => message(MessageOp::Duplicate, sel)?,
        StepSpec::DeliverAll => Step::Act(Action::DeliverAll),
        StepSpec::Heal => Step::Act(Action::Heal),
        StepSpec::Partition(groups) => Step::Act(Action::Partition(
            r.groups(groups, &format!("{at}.partition"))?,
        )),
        StepSpec::Cut(link) => Step::Act(Action::Cut(r.link(link, &format!("{at}.cut"))?)),
        StepSpec::Link(link) => Step::Act(Action::Restore(r.link(link, &format!("{at}.link"))?)),
        StepSpec::Send(send) => Step::Send(r.draft(send, &format!("{at}.send"))?),
        StepSpec::Say(text) => Step::Say(text.clone()),
        StepSpec::Quiz(quiz) => Step::Quiz(r.quiz(quiz, &format!("{at}.quiz"))?),
        StepSpec::Expect(spec) => {
            if spec.time.is_some() {
                r.needs_clock(clock_on, at, "expect.time")?;
            }
            Step::Expect(r.expectation(spec, &format!("{at}.expect"))?)
        }
        StepSpec::StartClock(_)
        | StepSpec::SetTiming(_)
        | StepSpec::Advance(_)
        | StepSpec::NextEvents(_)
        | StepSpec::RunUntil(_) => unreachable!("timed steps are resolved above"),
    })
}

impl Resolver<'_> {
    /// An optional server reference.
    pub(super) fn maybe_server(
        &self,
        reference: Option<&ServerRef>,
        field: &str,
    ) -> Result<Option<ServerId>, ScenarioError> {
        reference.map(|s| self.server(s, field)).transpose()
    }

    fn filter(&self, sel: &Selector, field: &str) -> Result<MessageFilter, ScenarioError> {
        let pick = match (sel.newest, sel.nth) {
            (true, Some(_)) => {
                return Err(self.error(
                    format!("{field}.nth"),
                    "pick either the newest match or the nth, not both",
                ));
            }
            (true, None) => Pick::Newest,
            (false, Some(n)) => Pick::Nth(n),
            (false, None) => Pick::Oldest,
        };
        Ok(MessageFilter {
            id: sel.id,
            pattern: self.pattern(
                sel.from.as_ref(),
                sel.to.as_ref(),
                sel.kind,
                sel.fields_given(),
                field,
            )?,
            pick,
        })
    }

    /// A message pattern: its servers resolved, its fields checked against its kind (or, with
    /// no kind, against each other: fields no message carries together match nothing).
    pub(super) fn pattern(
        &self,
        from: Option<&ServerRef>,
        to: Option<&ServerRef>,
        kind: Option<MessageKind>,
        given: MessageFields<&[EntrySpec]>,
        field: &str,
    ) -> Result<MessagePattern, ScenarioError> {
        let names = given.names();
        match kind {
            Some(kind) => self.fields_of(kind, &names, field)?,
            None => {
                let carried_by = |name: &&str| -> Vec<MessageKind> {
                    MessageKind::ALL
                        .into_iter()
                        .filter(|k| k.fields().contains(name))
                        .collect()
                };
                let fits = MessageKind::ALL
                    .into_iter()
                    .any(|k| names.iter().all(|n| k.fields().contains(n)));
                if !fits {
                    let first = names.iter().find(|n| carried_by(n).len() == 1);
                    let kinds: Vec<String> = names
                        .iter()
                        .filter(|n| carried_by(n).len() == 1)
                        .map(|n| format!("{n} ({})", carried_by(n)[0]))
                        .collect();
                    return Err(self.error(
                        format!("{field}.{}", first.unwrap_or(&"kind")),
                        format!(
                            "no message carries all of these: {}; a pattern with them matches nothing",
                            kinds.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(MessagePattern {
            from: self.maybe_server(from, &format!("{field}.from"))?,
            to: self.maybe_server(to, &format!("{field}.to"))?,
            kind,
            fields: given.map_entries(entry_patterns),
        })
    }

    /// Refuses a field the kind does not carry, naming the ones it does.
    fn fields_of(
        &self,
        kind: MessageKind,
        names: &[&str],
        field: &str,
    ) -> Result<(), ScenarioError> {
        match names.iter().find(|n| !kind.fields().contains(n)) {
            Some(bad) => Err(self.error(
                format!("{field}.{bad}"),
                format!(
                    "{} {kind} carries no {bad}; its fields are {}",
                    if kind.as_str().starts_with('A') {
                        "an"
                    } else {
                        "a"
                    },
                    kind.fields().join(", ")
                ),
            )),
            None => Ok(()),
        }
    }

    /// A hand-made message: two different servers, the kind's own fields, values in range.
    fn draft(&self, send: &SendSpec, field: &str) -> Result<MessageDraft, ScenarioError> {
        let from = self.server(&send.from, &format!("{field}.from"))?;
        let to = self.server(&send.to, &format!("{field}.to"))?;
        if from == to {
            return Err(self.error(
                format!("{field}.to"),
                format!("{} does not send messages to itself", self.names[from]),
            ));
        }
        let given = send.fields_given();
        self.fields_of(send.kind, &given.names(), field)?;
        let at = |name: &str| format!("{field}.{name}");
        if send.term == Some(0) {
            return Err(self.error(at("term"), "terms start at 1"));
        }
        for (name, term) in [
            ("term", send.term),
            ("last_log_term", send.last_log_term),
            ("prev_log_term", send.prev_log_term),
        ] {
            if let Some(term) = term.filter(|&t| t > MAX_TERM) {
                return Err(self.error(at(name), format!("terms go up to {MAX_TERM}, not {term}")));
            }
        }
        for (name, index) in [
            ("last_log_index", send.last_log_index),
            ("prev_log_index", send.prev_log_index),
            ("leader_commit", send.leader_commit),
            ("match_index", send.match_index),
        ] {
            if let Some(index) = index.filter(|&i| i > MAX_INDEX) {
                return Err(self.error(
                    at(name),
                    format!("indices go up to {MAX_INDEX}, not {index}"),
                ));
            }
        }
        let entries = given
            .entries
            .map(|list| self.entries(list, &at("entries"), None))
            .transpose()?;
        let mut fields = given.map_entries(|_| Entries::new());
        fields.entries = entries.map(Entries::from);
        Ok(MessageDraft {
            from,
            to,
            kind: send.kind,
            fields,
        })
    }

    /// A link between two different servers, one way or both.
    fn link(&self, link: &LinkSpec, field: &str) -> Result<Link, ScenarioError> {
        let (from, to, both_ways, to_field) = match link {
            LinkSpec::OneWay(one) => (
                self.server(&one.from, &format!("{field}.from"))?,
                self.server(&one.to, &format!("{field}.to"))?,
                false,
                format!("{field}.to"),
            ),
            LinkSpec::BothWays([a, b]) => (
                self.server(a, &format!("{field}[0]"))?,
                self.server(b, &format!("{field}[1]"))?,
                true,
                format!("{field}[1]"),
            ),
        };
        if from == to {
            return Err(self.error(
                to_field,
                format!(
                    "a link joins two servers, and both ends here are {}",
                    self.names[from]
                ),
            ));
        }
        Ok(Link {
            from,
            to,
            both_ways,
        })
    }

    fn groups(
        &self,
        groups: &[Vec<ServerRef>],
        field: &str,
    ) -> Result<Vec<Vec<ServerId>>, ScenarioError> {
        let mut seen = vec![false; self.names.len()];
        let mut resolved = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let mut ids = Vec::with_capacity(group.len());
            for (i, reference) in group.iter().enumerate() {
                let at = format!("{field}[{g}][{i}]");
                let id = self.server(reference, &at)?;
                if std::mem::replace(&mut seen[id], true) {
                    return Err(
                        self.error(at, format!("{} is in more than one group", self.names[id]))
                    );
                }
                ids.push(id);
            }
            resolved.push(ids);
        }
        Ok(resolved)
    }

    fn quiz(&self, spec: &QuizSpec, field: &str) -> Result<Quiz, ScenarioError> {
        let count = spec.choices.len();
        if !(2..=9).contains(&count) {
            return Err(self.error(
                format!("{field}.choices"),
                format!(
                    "a quiz has 2 to 9 choices (the class answers with a number key), not {count}"
                ),
            ));
        }
        if !(1..=count).contains(&spec.answer) {
            return Err(self.error(
                format!("{field}.answer"),
                format!(
                    "the answer is the number of a choice, 1 to {count}, not {}",
                    spec.answer
                ),
            ));
        }
        Ok(Quiz {
            question: spec.question.clone(),
            choices: spec.choices.clone(),
            answer: spec.answer,
            explain: spec.explain.clone(),
        })
    }
}
