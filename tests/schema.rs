//! Every scenario in `scenarios/` validates against the checked-in JSON Schema, and the schema
//! refuses what the loader refuses, so an editor's checks agree with raftwalk's.

use std::path::Path;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenario.schema.json"),
    )
    .expect("the schema is checked in");
    let value: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&value).expect("the schema is a valid JSON Schema")
}

#[test]
fn every_scenario_validates_against_the_schema() {
    let validator = schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).expect("scenarios/ exists") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn the_schema_refuses_mistakes_the_loader_refuses() {
    let validator = schema();
    for bad in [
        r#"{"servers": 3}"#,
        r#"{"name": "x", "servers": 3, "stepz": []}"#,
        r#"{"name": "x", "servers": 3, "steps": [{"timout": "S0"}]}"#,
        r#"{"name": "x", "servers": 3, "steps": ["deliver_al"]}"#,
        r#"{"name": "x", "servers": [{"role": "leader"}]}"#,
        r#"{"name": "x", "servers": 3, "steps": [{"deliver": {"kind": "Vote"}}]}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(bad).expect("JSON");
        assert!(!validator.is_valid(&value), "the schema accepts {bad}");
    }
}
