//! The scenario file format, as read from JSON. Unknown fields are rejected. References to
//! servers are resolved and checked in `build.rs`.

use crate::raft::{Bug, Invariant, LogIndex, MessageFields, MessageKind, Role, Term};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a scenario: an object like {\"name\": \"...\", \"servers\": 3, \"steps\": [...]}"
)]
pub struct ScenarioFile {
    /// Optional pointer to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// A short title.
    pub name: String,
    /// Optional longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A count of fresh servers, or a list of server descriptions.
    pub servers: ServersSpec,
    /// The rule every server breaks on purpose (a mutant for teaching), e.g. `vote-twice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
    /// Start from a state Raft cannot reach (two leaders in a term, a commit index on an entry
    /// no majority holds, ...), for a lesson that shows a broken cluster on purpose. Without
    /// it such a file is refused, naming the rule it breaks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsafe_start: bool,
    /// The most entries one AppendEntries carries (1 or more; default: no limit, every entry
    /// to the end of the leader's log). With a cap, a follower's commit index can be held back
    /// by the batch (Figure 2, AppendEntries receiver rule 5), and a leader sends the next
    /// batch as soon as a follower accepts one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_entries_per_append: Option<usize>,
    /// Time: with it the clock runs from the start — election timers, heartbeats, messages
    /// that take time — and the timed steps (`advance`, `run_until`, `next_events`) apply.
    /// Without it nothing happens until a step (or a key) makes it happen.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object_or_none"
    )]
    pub timing: Option<TimingSpec>,
    /// The script.
    #[serde(default, deserialize_with = "one_key_steps")]
    pub steps: Vec<StepSpec>,
}

/// `"servers": 3` or `"servers": [ {...}, ... ]`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ServersSpec {
    /// That many fresh servers.
    Count(u64),
    /// One description per server.
    List(Vec<ServerSpec>),
}

/// One server's starting state; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a server: an object like {\"name\": \"S0\", \"term\": 2, \"log\": [1, 2]}"
)]
pub struct ServerSpec {
    /// Its name (default `S<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its current term (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
    /// Whom it voted for in its current term (default nobody).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voted_for: Option<ServerRef>,
    /// Its log: terms, or `{"term", "command"}` objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<EntrySpec>,
    /// Its commit index (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_index: Option<LogIndex>,
    /// Its role (default FOLLOWER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Whether it starts crashed (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashed: Option<bool>,
    /// A leader's next_index for some followers, by server (default: its last index + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_index: Option<Keyed<LogIndex>>,
    /// A leader's match_index for some followers, by server (default: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_index: Option<Keyed<LogIndex>>,
    /// A follower's leader: the one it last heard from in its term (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<ServerRef>,
}

/// What serde says when a server reference is neither form: the `expecting` of
/// [`ServerRef`] (an attribute cannot name a constant; a test keeps the two the same).
pub const SERVER_REF_EXPECTING: &str = "a server: its 0-based id (a number) or its name (a string)";

/// A server, by 0-based id or by name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a server: its 0-based id (a number) or its name (a string)"
)]
pub enum ServerRef {
    /// By id.
    Id(u64),
    /// By name.
    Name(String),
}

/// A log entry: a bare term, or a term with a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum EntrySpec {
    /// Just the term.
    Term(Term),
    /// Term and command.
    Full(FullEntry),
}

/// `{"term": N, "command": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a log entry: an object like {\"term\": 2, \"command\": \"x\"}"
)]
pub struct FullEntry {
    /// The term.
    pub term: Term,
    /// The command.
    #[serde(default)]
    pub command: String,
}

/// One step of the script: a bare string for steps without arguments, otherwise a one-key
/// object.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StepSpec {
    /// The server's election timer fires.
    Timeout(ServerRef),
    /// Deliver the oldest matching message.
    #[serde(deserialize_with = "object_only")]
    Deliver(Selector),
    /// Drop the oldest matching message.
    #[serde(deserialize_with = "object_only")]
    Drop(Selector),
    /// Duplicate the oldest matching message.
    #[serde(deserialize_with = "object_only")]
    Duplicate(Selector),
    /// Deliver everything in FIFO order.
    DeliverAll,
    /// Crash a server.
    Crash(ServerRef),
    /// Restart a crashed server.
    Restart(ServerRef),
    /// Split the network; servers not listed are each alone.
    Partition(Vec<Vec<ServerRef>>),
    /// Reconnect everyone: the partition goes, and every cut link is restored.
    Heal,
    /// Cut a link: `{"from": A, "to": B}` one way, `[A, B]` both ways. A message over a cut
    /// link is lost when it is sent and when it is delivered.
    Cut(LinkSpec),
    /// Restore a cut link: `{"from": A, "to": B}` one way, `[A, B]` both ways.
    Link(LinkSpec),
    /// Put a hand-made message in flight; fields not given come from the sender's state.
    #[serde(deserialize_with = "object_only")]
    Send(SendSpec),
    /// A client request to a server.
    #[serde(deserialize_with = "object_only")]
    Request(RequestSpec),
    /// The leader sends AppendEntries to everyone.
    Heartbeat(ServerRef),
    /// The brief's `become_follower`, applied directly.
    BecomeFollower(ServerRef),
    /// The brief's `become_candidate`, applied directly.
    BecomeCandidate(ServerRef),
    /// The brief's `become_leader`, applied directly (may break safety on purpose).
    BecomeLeader(ServerRef),
    /// Narration.
    Say(String),
    /// A question for the class: the walkthrough waits for an answer.
    #[serde(deserialize_with = "object_only")]
    Quiz(QuizSpec),
    /// Expectations about the state.
    #[serde(deserialize_with = "object_only")]
    Expect(ExpectSpec),
    /// Start the clock here, with this timing (for a scenario without `timing`).
    #[serde(deserialize_with = "object_only")]
    StartClock(TimingSpec),
    /// Change the running clock's timing from here on; fields left out keep their values.
    #[serde(deserialize_with = "object_only")]
    SetTiming(TimingSpec),
    /// Let this many ms of simulated time pass; what falls due on the way happens, in order.
    Advance(f64),
    /// Make the next N timed events happen (a message arrives, a heartbeat, a timeout).
    NextEvents(u64),
    /// Let time run until a leader is elected, until nothing is in flight, or until a time;
    /// the step fails if that takes longer than its bound (`within`, 10 s by default).
    RunUntil(RunUntilSpec),
}

/// How time behaves: durations in ms of simulated time (to the µs), each a draw from its
/// range with a generator seeded by `seed`. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "timing: an object like {\"election_timeout\": [150, 300], \"heartbeat\": 50, \"latency\": [5, 10]}"
)]
pub struct TimingSpec {
    /// The election timeout's range, [min, max] ms (default [150, 300]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_timeout: Option<[f64; 2]>,
    /// How often a leader sends AppendEntries to every follower, in ms (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<f64>,
    /// How long a message takes one way, [min, max] ms (default [10, 20]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<[f64; 2]>,
    /// How long a server takes to write a change of its term, vote or log to disk, [min, max]
    /// ms (default [0, 0]); an answer that follows such a change waits for the write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist: Option<[f64; 2]>,
    /// The seed of every draw (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// `"leader"`, `"quiet"`, `{"time": T}` or `{"until": "leader", "within": MS}`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "what to run until: \"leader\", \"quiet\", {\"time\": T} or {\"until\": \"leader\", \"within\": 2000}"
)]
pub enum RunUntilSpec {
    /// Until this, within 10 s.
    Goal(Goal),
    /// In full.
    Full(RunUntilObject),
}

/// What `run_until` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// A live leader exists.
    Leader,
    /// No message is in flight.
    Quiet,
}

/// `{"until": "leader", "within": 2000}` or `{"time": 500}`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunUntilObject {
    /// Run until this holds…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Goal>,
    /// … or until the clock reads this many ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
    /// Fail the step if `until` does not hold within this many ms (default 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
}

/// The clock's reading: exactly this many ms, or a `[min, max]` range.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged, expecting = "a time: a number of ms, or [min, max] ms")]
pub enum TimeSpec {
    /// Exactly (to the µs).
    At(f64),
    /// Within, both ends included.
    Between([f64; 2]),
}

/// `{"question": "...", "choices": ["...", "..."], "answer": N, "explain": "..."}`; `answer` is
/// the number of the right choice, counting from 1 as the choices are shown.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a quiz: an object like {\"question\": \"...\", \"choices\": [\"...\", \"...\"], \"answer\": 1}"
)]
pub struct QuizSpec {
    /// The question.
    pub question: String,
    /// 2 to 9 choices.
    pub choices: Vec<String>,
    /// The right choice, counting from 1.
    pub answer: usize,
    /// Why it is right.
    #[serde(default)]
    pub explain: String,
}

/// Writes a struct with the fields of a message every kind may have, each optional, after
/// the struct's own fields: one list for hand-made messages, selectors and expected messages.
macro_rules! with_message_fields {
    // A pattern: `from`, `to` and `kind` are optional too.
    (
        optional ends;
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        with_message_fields! {
            $(#[$meta])*
            pub struct $name {
                $($(#[$field_meta])* pub $field: $ty,)*
                /// The sender.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub from: Option<ServerRef>,
                /// The recipient.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub to: Option<ServerRef>,
                /// The kind.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub kind: Option<MessageKind>,
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
            /// The term it carries (every kind).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub term: Option<Term>,
            /// RequestVote: the index of the candidate's last entry.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub last_log_index: Option<LogIndex>,
            /// RequestVote: the term of the candidate's last entry.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub last_log_term: Option<Term>,
            /// RequestVoteResponse: whether the vote is granted.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub granted: Option<bool>,
            /// AppendEntries: the index of the entry before the new ones.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub prev_log_index: Option<LogIndex>,
            /// AppendEntries: the term of that entry.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub prev_log_term: Option<Term>,
            /// AppendEntries: the entries, as terms or `{"term", "command"}` objects.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub entries: Option<Vec<EntrySpec>>,
            /// AppendEntries: the leader's commit index.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub leader_commit: Option<LogIndex>,
            /// AppendEntriesResponse: whether the follower's log matched.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub success: Option<bool>,
            /// AppendEntriesResponse: how far the follower's log now matches the leader's.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub match_index: Option<LogIndex>,
        }

        impl $name {
            /// One from its own fields and the message fields.
            #[allow(clippy::too_many_arguments)]
            pub fn from_parts(
                $($field: $ty,)*
                fields: MessageFields<Vec<EntrySpec>>,
            ) -> $name {
                $name {
                    $($field,)*
                    term: fields.term,
                    last_log_index: fields.last_log_index,
                    last_log_term: fields.last_log_term,
                    granted: fields.granted,
                    prev_log_index: fields.prev_log_index,
                    prev_log_term: fields.prev_log_term,
                    entries: fields.entries,
                    leader_commit: fields.leader_commit,
                    success: fields.success,
                    match_index: fields.match_index,
                }
            }

            /// The message fields given.
            pub fn fields_given(&self) -> MessageFields<&[EntrySpec]> {
                MessageFields {
                    term: self.term,
                    last_log_index: self.last_log_index,
                    last_log_term: self.last_log_term,
                    granted: self.granted,
                    prev_log_index: self.prev_log_index,
                    prev_log_term: self.prev_log_term,
                    entries: self.entries.as_deref(),
                    leader_commit: self.leader_commit,
                    success: self.success,
                    match_index: self.match_index,
                }
            }
        }
    };
}

with_message_fields! {
    optional ends;
    /// Picks an in-flight message matching every field given: the oldest, the newest
    /// (`"newest": true`) or the nth (`"nth": k`, 0-based, oldest first) of the matches.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
    #[serde(
        deny_unknown_fields,
        expecting = "a message selector: an object like {\"from\": \"S0\", \"kind\": \"RequestVote\"}"
    )]
    pub struct Selector {
        /// The message id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<u64>,
        /// Pick the newest match instead of the oldest.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub newest: bool,
        /// Pick the match with this position, 0-based, oldest first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub nth: Option<usize>,
    }
}

with_message_fields! {
    /// A hand-made message: `from`, `to` and `kind`, and any of the kind's fields; the others
    /// come from the sender's state.
    #[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
    #[serde(
        deny_unknown_fields,
        expecting = "a message: an object like {\"from\": \"a\", \"to\": \"b\", \"kind\": \"AppendEntries\", \"leader_commit\": 3}"
    )]
    pub struct SendSpec {
        /// The server it comes from (the candidateId / leaderId).
        pub from: ServerRef,
        /// The recipient.
        pub to: ServerRef,
        /// The kind.
        pub kind: MessageKind,
    }
}

with_message_fields! {
    optional ends;
    /// Messages that must be in flight: every field given must match; `count` says how many
    /// (default: at least one).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
    #[serde(
        deny_unknown_fields,
        expecting = "a message pattern: an object like {\"kind\": \"AppendEntriesResponse\", \"success\": true}"
    )]
    pub struct MessagePatternSpec {
        /// Exactly this many in flight match (0: none does).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub count: Option<usize>,
    }
}

/// A link: `{"from": A, "to": B}` one way, `[A, B]` both ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LinkSpec {
    /// From one server to another.
    OneWay(OneWayLink),
    /// Between two servers, both ways.
    BothWays([ServerRef; 2]),
}

/// `{"from": A, "to": B}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a one-way link: an object like {\"from\": \"a\", \"to\": \"b\"}"
)]
pub struct OneWayLink {
    /// The sender's end.
    pub from: ServerRef,
    /// The recipient's end.
    pub to: ServerRef,
}

impl<'de> Deserialize<'de> for LinkSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = LinkSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a link: {\"from\": A, \"to\": B} for one way, or [A, B] for both ways")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<LinkSpec, A::Error> {
                OneWayLink::deserialize(MapAccessDeserializer::new(map)).map(LinkSpec::OneWay)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<LinkSpec, A::Error> {
                let ends: Vec<ServerRef> =
                    Deserialize::deserialize(SeqAccessDeserializer::new(seq))?;
                let count = ends.len();
                <[ServerRef; 2]>::try_from(ends).map(LinkSpec::BothWays).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "a link both ways is a list of two servers, like [\"a\", \"b\"], not of {count}"
                    ))
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A map from servers (by name, or by id written as a string) to values, in the file's order.
/// A server named twice is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Keyed<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object from servers to values, like {\"b\": 4, \"c\": 2}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Keyed<T>, A::Error> {
                let mut entries: Vec<(String, T)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(serde::de::Error::custom(format!(
                            "`{}` is given twice",
                            crate::escape::escape(&key)
                        )));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(Keyed(entries))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Keyed<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, T>>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, T>>::json_schema(generator)
    }
    fn inline_schema() -> bool {
        true
    }
}

/// `"in_flight"`: a count of every message, or an object counting some of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum InFlightSpec {
    /// How many messages are in flight.
    Count(usize),
    /// Counts by kind, sender and recipient.
    Counts(InFlightCounts),
}

/// `{"total": N, "kind": {K: n}, "from": {S: n}, "to": {S: n}}`, every part optional: how
/// many messages in flight there are in all, of each kind listed, from each server listed and
/// to each server listed (a kind or server not listed is not checked).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "counts of messages in flight: an object like {\"kind\": {\"AppendEntries\": 2}, \"to\": {\"b\": 1}}"
)]
pub struct InFlightCounts {
    /// How many in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// How many of each kind listed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "some_object"
    )]
    pub kind: Option<KindCounts>,
    /// How many from each server listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Keyed<usize>>,
    /// How many to each server listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Keyed<usize>>,
}

/// How many messages of each kind listed are in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "counts by kind: an object like {\"RequestVote\": 2}"
)]
pub struct KindCounts {
    /// RequestVote messages.
    #[serde(
        rename = "RequestVote",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_vote: Option<usize>,
    /// RequestVoteResponse messages.
    #[serde(
        rename = "RequestVoteResponse",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_vote_response: Option<usize>,
    /// AppendEntries messages.
    #[serde(
        rename = "AppendEntries",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub append_entries: Option<usize>,
    /// AppendEntriesResponse messages.
    #[serde(
        rename = "AppendEntriesResponse",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub append_entries_response: Option<usize>,
}

impl KindCounts {
    /// The count of one kind.
    pub fn slot(&mut self, kind: MessageKind) -> &mut Option<usize> {
        match kind {
            MessageKind::RequestVote => &mut self.request_vote,
            MessageKind::RequestVoteResponse => &mut self.request_vote_response,
            MessageKind::AppendEntries => &mut self.append_entries,
            MessageKind::AppendEntriesResponse => &mut self.append_entries_response,
        }
    }

    /// The counts given, by kind.
    pub fn listed(&self) -> Vec<(MessageKind, usize)> {
        [
            (MessageKind::RequestVote, self.request_vote),
            (MessageKind::RequestVoteResponse, self.request_vote_response),
            (MessageKind::AppendEntries, self.append_entries),
            (
                MessageKind::AppendEntriesResponse,
                self.append_entries_response,
            ),
        ]
        .into_iter()
        .filter_map(|(kind, count)| count.map(|c| (kind, c)))
        .collect()
    }
}

/// `{"server": S, "command": "x"}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a client request: an object like {\"server\": \"S0\", \"command\": \"x\"}"
)]
pub struct RequestSpec {
    /// The server asked.
    pub server: ServerRef,
    /// The command.
    #[serde(default)]
    pub command: String,
}

/// What should hold at this point. Server fields need `server`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "expectations: an object like {\"server\": \"S0\", \"role\": \"LEADER\"}"
)]
pub struct ExpectSpec {
    /// The server the server fields are about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerRef>,
    /// Its role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Its current term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
    /// Its vote: a server, or `null` for nobody.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[schemars(with = "Option<ServerRef>")]
    pub voted_for: Option<Option<ServerRef>>,
    /// The leader it knows in its term: a server, or `null` for none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[schemars(with = "Option<ServerRef>")]
    pub leader: Option<Option<ServerRef>>,
    /// Its log: terms (the term alone is checked) or `{"term", "command"}` objects (both are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<EntrySpec>>,
    /// Its commit index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_index: Option<LogIndex>,
    /// Whether it is crashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashed: Option<bool>,
    /// As leader: its next_index for the followers listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_index: Option<Keyed<LogIndex>>,
    /// As leader: its match_index for the followers listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_index: Option<Keyed<LogIndex>>,
    /// The live leaders, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaders: Option<Vec<ServerRef>>,
    /// How many messages are in flight: a count, or counts by kind, sender and recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlightSpec>,
    /// Messages that must be in flight, each a pattern with an optional `count`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "some_objects"
    )]
    pub messages: Option<Vec<MessagePatternSpec>>,
    /// The simulated clock's reading, in ms (needs timing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeSpec>,
    /// An invariant that has been broken by now (in a scenario that runs a `bug`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken: Option<Invariant>,
}

/// Deserializes "a number, or something else": numbers go to `from_number`; lists and objects
/// are handed to `T`'s own deserializer, so errors inside them keep their detail and path
/// (serde's untagged enums would replace them with one vague message).
macro_rules! number_or {
    ($ty:ident, $expecting:literal, $number:expr, seq => $seq:expr) => {
        number_or!(@impl $ty, $expecting, $number, visit_seq, SeqAccess, SeqAccessDeserializer, $seq);
    };
    ($ty:ident, $expecting:literal, $number:expr, map => $map:expr) => {
        number_or!(@impl $ty, $expecting, $number, visit_map, MapAccess, MapAccessDeserializer, $map);
    };
    (@impl $ty:ident, $expecting:literal, $number:expr, $visit:ident, $access:ident, $wrapper:ident, $other:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<$ty, E> {
                        Ok($number(n))
                    }
                    fn $visit<A: serde::de::$access<'de>>(self, access: A) -> Result<$ty, A::Error> {
                        Deserialize::deserialize(serde::de::value::$wrapper::new(access)).map($other)
                    }
                }
                deserializer.deserialize_any(Visitor)
            }
        }
    };
}

number_or!(
    ServersSpec,
    "a server count (1 to 9) or a list of servers",
    ServersSpec::Count,
    seq => |list: Vec<Object<ServerSpec>>| ServersSpec::List(list.into_iter().map(|o| o.0).collect())
);

number_or!(
    InFlightSpec,
    "a count of messages in flight, or an object like {\"kind\": {\"AppendEntries\": 2}}",
    |n: u64| InFlightSpec::Count(usize::try_from(n).unwrap_or(usize::MAX)),
    map => InFlightSpec::Counts
);

number_or!(
    EntrySpec,
    "a log entry: a term number, or {\"term\": N, \"command\": \"...\"}",
    EntrySpec::Term,
    map => EntrySpec::Full
);

/// Reads the step list, refusing a step object with more than one key by name (serde alone
/// would only say "expected value" at the second key).
fn one_key_steps<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<StepSpec>, D::Error> {
    let steps: Vec<OneKeyStep> = Deserialize::deserialize(deserializer)?;
    Ok(steps.into_iter().map(|OneKeyStep(step)| step).collect())
}

struct OneKeyStep(StepSpec);

impl<'de> Deserialize<'de> for OneKeyStep {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IntoDeserializer, MapAccess, value::MapAccessDeserializer};

        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneKeyStep;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a step: a name like \"deliver_all\", or an object with one key like {\"timeout\": \"S0\"}")
            }
            fn visit_str<E: Error>(self, name: &str) -> Result<OneKeyStep, E> {
                StepSpec::deserialize(name.into_deserializer()).map(OneKeyStep)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OneKeyStep, A::Error> {
                let first = FirstEntryOnly {
                    map: &mut map,
                    taken: false,
                };
                let step = StepSpec::deserialize(MapAccessDeserializer::new(first))?;
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(A::Error::custom(format!(
                        "a step has exactly one key, but this one also has `{extra}`; put it in a step of its own"
                    )));
                }
                Ok(OneKeyStep(step))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A view of a map that ends after its first entry.
struct FirstEntryOnly<'a, A> {
    map: &'a mut A,
    taken: bool,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for FirstEntryOnly<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if std::mem::replace(&mut self.taken, true) {
            return Ok(None);
        }
        self.map.next_key_seed(seed)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A struct read from a JSON object only. serde's derive also reads a struct from an array of
/// its fields in order (`{"expect": ["S1", null, 2]}`), which the schema refuses and no author
/// means; every struct of the format is read through this (or [`object_only`]).
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_only(deserializer).map(Object)
    }
}

/// Reads an optional struct from an object only (see [`Object`]).
fn object_or_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    object_only(deserializer).map(Some)
}

/// Reads `T`, a struct, from an object only (see [`Object`]).
pub fn object_only<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(StructAsMap(deserializer))
}

/// Reads `Some(T)`, a struct, from an object only (for an optional struct field).
pub fn some_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    object_only(deserializer).map(Some)
}

/// Reads `Some(list)` of structs, each from an object only (for an optional list field).
pub fn some_objects<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list: Vec<Object<T>> = Deserialize::deserialize(deserializer)?;
    Ok(Some(list.into_iter().map(|Object(t)| t).collect()))
}

/// A deserializer that asks for a map where a struct is asked for: serde_json then refuses an
/// array ("invalid type: sequence, expected ...") instead of reading the fields by position.
struct StructAsMap<D>(D);

impl<'de, D: serde::Deserializer<'de>> serde::Deserializer<'de> for StructAsMap<D> {
    type Error = D::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
