//! Every file in `scenarios/` must load and pass: every expectation holds, every step applies
//! and no invariant breaks — except in a lesson that runs a mutant (`"bug"`), which must break
//! the invariant it expects broken. So must every file in `tests/fixtures/gaps/`: one short
//! scenario for each gap the scenario language closed (issue 9).

use raftwalk::scenario;
use std::path::Path;

#[test]
fn every_scenario_file_passes() {
    every_file_passes("scenarios", 4);
}

#[test]
fn every_gap_fixture_passes() {
    every_file_passes("tests/fixtures/gaps", 7);
}

fn every_file_passes(dir: &str, at_least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= at_least,
        "expected at least {at_least} scenarios, found {}",
        files.len()
    );
    for path in files {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable scenario");
        let scenario = scenario::parse(&text, &origin).unwrap_or_else(|e| panic!("{e}"));
        let mut log = Vec::new();
        let (cluster, summary) = scenario::run(&scenario, &mut log).expect("writing to memory");
        if scenario.config.bug.is_some() {
            let expected_broken = scenario
                .steps
                .iter()
                .any(|step| matches!(step, scenario::Step::Expect(e) if e.broken.is_some()));
            assert!(
                summary.passed()
                    && !cluster.violations().is_empty()
                    && summary.expected_violations.len() == cluster.violations().len()
                    && expected_broken,
                "{origin} (a mutant's lesson) must expect the invariant it breaks: {summary:?}\n{}",
                String::from_utf8_lossy(&log)
            );
            continue;
        }
        assert!(
            summary.passed(),
            "{origin} failed: {summary:?}\n{}",
            String::from_utf8_lossy(&log)
        );
        assert!(summary.expectations > 0, "{origin} checks nothing");
    }
}
