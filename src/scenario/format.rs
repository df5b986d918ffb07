//! The scenario file format, as read from JSON. Unknown fields are rejected. References to
//! servers are resolved and checked in `build.rs`.

use crate::raft::{Bug, Invariant, LogIndex, MessageKind, Role, Term};
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
}

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
    /// Reconnect everyone.
    Heal,
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

/// Picks the oldest in-flight message matching every field given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a message selector: an object like {\"from\": \"S0\", \"kind\": \"RequestVote\"}"
)]
pub struct Selector {
    /// The message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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
    /// Its log's terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<Term>>,
    /// Its commit index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_index: Option<LogIndex>,
    /// Whether it is crashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashed: Option<bool>,
    /// The live leaders, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaders: Option<Vec<ServerRef>>,
    /// How many messages are in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<usize>,
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

/// Reads `T`, a struct, from an object only (see [`Object`]).
pub fn object_only<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(StructAsMap(deserializer))
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
