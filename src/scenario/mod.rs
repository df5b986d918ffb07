//! Scenario files: the JSON format, validation into a runnable [`Scenario`], and the runner.

pub mod beats;
pub mod build;
pub mod check;
pub mod describe;
pub mod error;
pub mod format;
pub mod reachable;
pub mod report;
pub mod runner;
pub mod schema;
pub mod script;

pub use build::parse;
pub use error::ScenarioError;
pub use runner::{RunSummary, apply_step, narration, run};
pub use script::{
    EntryPattern, Expectation, FlightCounts, MessageDraft, MessageExpectation, MessageFilter,
    MessageOp, MessagePattern, Pick, Quiz, Scenario, Step,
};
