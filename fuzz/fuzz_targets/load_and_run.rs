//! Any bytes as a scenario file: loading never panics, and a scenario that loads runs to the
//! end (every loop in the model is bounded) with nothing raw in what `run` prints: its step log
//! goes through the same escaping writer as the CLI's, and its errors through `escape`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use raftwalk::escape::{EscapingWriter, escape};
use raftwalk::scenario::{self, report::StateReport};

/// Whether `text` holds a character a terminal would act on (a newline is allowed where a
/// step log has several lines).
fn has_raw(text: &str, newlines_allowed: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(newlines_allowed && c == '\n'))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scenario = match scenario::parse(text, "fuzz.json") {
        Ok(scenario) => scenario,
        Err(error) => {
            let line = escape(&error.to_string()).into_owned();
            assert!(!has_raw(&line, false), "raw error: {line:?}");
            return;
        }
    };
    let mut log = EscapingWriter(Vec::new());
    let (cluster, summary) = scenario::run(&scenario, &mut log).expect("writing to memory");
    let log = String::from_utf8(log.0).expect("the log is UTF-8");
    assert!(!has_raw(&log, true), "raw step log: {log:?}");
    for failure in summary.failures.iter().map(|(_, m)| m.to_string()) {
        assert!(!has_raw(&escape(&failure), false));
    }
    // `run --json`: the names it prints cannot hold control characters.
    let report = StateReport::new(&cluster, &scenario.names);
    let json = serde_json::to_string(&report).expect("a report is JSON");
    assert!(!has_raw(&json, false), "raw JSON: {json:?}");
    for name in &scenario.names {
        assert!(
            !name.chars().any(raftwalk::escape::is_unsafe),
            "name {name:?}"
        );
    }
});
