//! The pure Raft model: no terminal, files, clock, global state or randomness. All state is
//! `Clone + Eq + Hash + Debug`, so undo, replay and exhaustive exploration are cheap.

pub mod bug;
pub mod cluster;
pub mod event;
pub mod explain;
pub mod invariant;
pub mod invariants;
pub mod log;
pub mod message;
pub mod network;
pub mod pvec;
pub mod quorum;
pub mod rng;
pub mod server;
pub mod time;
pub mod types;

pub use bug::Bug;
pub use cluster::{ADVANCE_CAP, Action, Cluster, ClusterConfig, Restoring};
pub use event::{Deviation, Event, Violation};
pub use explain::{Names, explain};
pub use invariant::Invariant;
pub use log::{ClientCommand, Entries, Entry, Log};
pub use message::{Envelope, Message, MessageFields, MessageKind};
pub use network::{DELIVER_ALL_CAP, Link, NetworkError, RaftNetwork};
pub use pvec::PVec;
pub use server::{Node, RaftServer, ServerAction, ServerRecord, ServerState};
pub use time::{Between, Clock, Micros, Timing};
pub use types::{LogIndex, LogPosition, MAX_SERVERS, MessageId, Role, ServerId, ServerSet, Term};
