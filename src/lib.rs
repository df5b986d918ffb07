//! raftwalk: a model of Raft leader election and log replication you can step through, with
//! scenario files, a headless runner and (later) a terminal UI.

pub mod bench;
pub mod builtin;
pub mod escape;
pub mod explore;
pub mod export;
pub mod ledger;
pub mod load;
pub mod raft;
pub mod random_actions;
pub mod scenario;
pub mod session;
pub mod tui;
