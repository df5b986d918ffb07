//! The JSON Schema of scenario files, generated from the Rust types, so an editor can complete
//! and check a lesson as a teacher writes it. `assets/scenario.schema.json` is a copy that a
//! test keeps current.

use super::format::ScenarioFile;

/// The schema, as pretty JSON.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ScenarioFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/scenario.schema.json");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == json_schema(),
            "assets/scenario.schema.json is out of date: run `cargo run -- schema > assets/scenario.schema.json`"
        );
    }

    #[test]
    fn the_schema_knows_every_step() {
        let schema = json_schema();
        for step in [
            "timeout",
            "deliver",
            "deliver_all",
            "partition",
            "request",
            "become_leader",
            "say",
            "quiz",
            "expect",
            "send",
            "cut",
            "link",
            "max_entries_per_append",
            "newest",
            "nth",
            "messages",
            "next_index",
            "match_index",
            "timing",
            "start_clock",
            "advance",
            "next_events",
            "run_until",
            "set_timing",
        ] {
            assert!(
                schema.contains(&format!("\"{step}\"")),
                "the schema lacks {step}"
            );
        }
    }
}
