//! raftwalk: a model of Raft leader election and log replication you can step through, with
//! scenario files, a headless runner, a terminal UI for the classroom (log grid, network
//! picture, walkthrough in beats with quizzes), frame export for handouts and benchmarks.
//!
//! `raft` is the pure model; `scenario` reads, validates and plays scenario files on it;
//! `session` keeps an exploration's history; `tui` draws and drives it.

pub mod bench;
pub mod builtin;
pub mod cli_error;
pub mod escape;
pub mod explore;
pub mod export;
pub mod ledger;
pub mod load;
pub mod raft;
pub mod random_actions;
pub mod scenario;
pub mod session;
pub mod simulate;
pub mod tui;
