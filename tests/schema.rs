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
    for dir in ["scenarios", "tests/fixtures/gaps"] {
        validates(&validator, dir);
    }
}

fn validates(validator: &jsonschema::Validator, dir: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    for entry in std::fs::read_dir(dir).expect("the directory exists") {
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

/// Files that the loader and the schema must both refuse: structs written as arrays (serde's
/// sequence form), wrong shapes and unknown names.
const REFUSED_BY_BOTH: &[&str] = &[
    r#"["t", 3]"#,
    r#"{"name": "t", "servers": [["a", 2]]}"#,
    r#"{"name": "t", "servers": [[]]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": ["S1", null, 2]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": []}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": []}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"drop": [1]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"duplicate": [null, 0]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"request": [0, "x"]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"quiz": ["q", ["a", "b"], 1]}]}"#,
    r#"{"name": "t", "servers": [{"log": [[1, "x"]]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": 5}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"timeout": [0]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"partition": [0, 1]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [["timeout", 0]]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"say": ["a"]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"timeout": 0, "crash": 1}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{}]}"#,
    r#"{"name": "t", "servers": 3, "steps": {"timeout": 0}}"#,
    r#"{"name": ["t"], "servers": 3}"#,
    r#"{"name": "t", "servers": "3"}"#,
    r#"{"name": "t", "servers": -1}"#,
    r#"{"name": "t", "servers": 3.5}"#,
    r#"{"name": "t", "servers": [{"term": -1}]}"#,
    r#"{"name": "t", "servers": [{"crashed": "yes"}]}"#,
    r#"{"name": "t", "servers": [{"log": [{"term": 1, "cmd": "x"}]}]}"#,
    r#"{"name": "t", "servers": [{"voted_for": true}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"server": 0, "voted_for": [0]}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"leaders": "S0"}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": {"kind": "AppendEntriesReply"}}]}"#,
    r#"{"name": "t", "servers": 3, "unsafe_start": "yes"}"#,
    r#"{"name": "t", "servers": 3, "steps": ["timeout"]}"#,
    r#"{"name": "t", "servers": 3, "max_entries_per_append": -1}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"send": {"from": 0, "to": 1}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"send": [0, 1, "RequestVote"]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"send": {"from": 0, "to": 1, "kind": "RequestVote", "candidate": 0}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"cut": "S0"}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"cut": {"from": 0}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"link": [0, 1, 2]}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": {"newest": "yes"}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": {"nth": -1}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"messages": {"kind": "RequestVote"}}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"messages": [["RequestVote"]]}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"in_flight": {"kind": {"Vote": 1}}}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"in_flight": {"kind": [1]}}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"in_flight": [1]}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"server": 0, "next_index": [1, 2]}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"server": 0, "log": [[1, "x"]]}}]}"#,
    r#"{"name": "t", "servers": [{"leader": true}]}"#,
    r#"{"name": "t", "servers": [{"next_index": {"S1": "2"}}]}"#,
];

/// Files both must accept (the loader may still refuse something the schema cannot express,
/// like a reference to a server that is not there; none of these does).
const ACCEPTED_BY_BOTH: &[&str] = &[
    r#"{"name": "t", "servers": 3}"#,
    r#"{"$schema": "x", "name": "t", "description": "d", "servers": [{}, {"name": "b"}]}"#,
    r#"{"name": "t", "servers": [{"term": 2, "voted_for": 0, "role": "LEADER", "log": [1, {"term": 2, "command": "x"}], "commit_index": 0}, {"term": 2, "voted_for": 0}, {"crashed": true}]}"#,
    r#"{"name": "t", "servers": 3, "steps": ["deliver_all", "heal", {"deliver": {}}, {"drop": {"id": 1}}, {"duplicate": {"from": 0, "to": "S1", "kind": "RequestVote"}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"request": {"server": 0}}, {"partition": [[0], ["S1", 2]]}, {"say": "x"}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"quiz": {"question": "q", "choices": ["a", "b"], "answer": 2}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"server": 0, "voted_for": null, "log": [], "role": "FOLLOWER", "term": 1, "commit_index": 0, "crashed": false}}, {"expect": {"leaders": [], "in_flight": 0}}]}"#,
    r#"{"name": "t", "servers": 3, "unsafe_start": true}"#,
    r#"{"name": "t", "servers": 3, "unsafe_start": false}"#,
    r#"{"name": "t", "servers": 3, "max_entries_per_append": 2, "steps": [{"cut": {"from": 0, "to": "S1"}}, {"cut": [1, 2]}, {"link": ["S1", 2]}, {"link": {"from": 0, "to": 1}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"send": {"from": 0, "to": 1, "kind": "AppendEntries", "term": 2, "prev_log_index": 0, "prev_log_term": 0, "entries": [1, {"term": 2, "command": "x"}], "leader_commit": 1}}, {"send": {"from": 1, "to": 0, "kind": "AppendEntriesResponse", "success": true, "match_index": 2}}, {"send": {"from": 2, "to": 0, "kind": "RequestVote", "last_log_index": 0, "last_log_term": 0}}, {"send": {"from": 0, "to": 2, "kind": "RequestVoteResponse", "granted": false}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"deliver": {"newest": true, "kind": "AppendEntries", "entries": []}}, {"drop": {"nth": 1, "to": 2, "success": true}}, {"duplicate": {"term": 2, "granted": true}}]}"#,
    r#"{"name": "t", "servers": 3, "steps": [{"expect": {"server": 0, "leader": null, "log": [1, {"term": 2, "command": "x"}], "next_index": {"S1": 2}, "match_index": {"2": 0}}}, {"expect": {"in_flight": {"total": 1, "kind": {"RequestVote": 1}, "from": {"S0": 1}, "to": {"S1": 1}}, "messages": [{"kind": "RequestVote", "to": 1, "term": 2, "last_log_index": 0, "count": 1}, {}]}}]}"#,
    r#"{"name": "t", "servers": [{"term": 2, "role": "LEADER", "log": [1, 2], "next_index": {"S1": 2}, "match_index": {"S1": 1}}, {"term": 2, "voted_for": 0, "log": [1], "leader": "S0"}]}"#,
];

#[test]
fn the_loader_and_the_schema_refuse_the_same_files_arrays_included() {
    let validator = schema();
    for text in REFUSED_BY_BOTH {
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        assert!(!validator.is_valid(&value), "the schema accepts {text}");
        assert!(
            raftwalk::scenario::parse(text, "t.json").is_err(),
            "the loader accepts {text}"
        );
    }
    for text in ACCEPTED_BY_BOTH {
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "the schema refuses {text}: {errors:?}");
        if let Err(e) = raftwalk::scenario::parse(text, "t.json") {
            panic!("the loader refuses {text}: {e}");
        }
    }
}
