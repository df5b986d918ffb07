//! Scenario files: the JSON format, validation into a runnable [`Scenario`], and the runner.

pub mod beats;
pub mod build;
pub mod error;
pub mod format;
pub mod reachable;
pub mod report;
pub mod runner;
pub mod schema;

pub use build::{Expectation, MessageFilter, Quiz, Scenario, Step, parse};
pub use error::ScenarioError;
pub use runner::{RunSummary, apply_step, run};
