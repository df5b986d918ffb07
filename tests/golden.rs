//! Golden transcripts, as etcd's datadriven tests keep them: what `raftwalk run` prints for
//! every built-in lesson is pinned as an insta snapshot, so a change in an explanation, a
//! description or the order of events shows in review.
//!
//! After a deliberate change: `INSTA_UPDATE=always cargo test --test golden`, then read every
//! changed `.snap` file.

use std::process::Command;

#[test]
fn every_builtins_run_output_is_pinned() {
    let builtins = raftwalk::builtin::all();
    assert!(builtins.len() >= 20, "{} built-ins", builtins.len());
    for builtin in builtins {
        let out = Command::new(env!("CARGO_BIN_EXE_raftwalk"))
            .args(["run", builtin.name])
            .output()
            .expect("raftwalk runs");
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8");
        let scenario = raftwalk::scenario::parse(builtin.text, builtin.name).expect("valid");
        // Every lesson passes, a mutant's too: its violations are the ones its `expect`s
        // assert, read as expected.
        assert!(
            out.status.success() && stderr.is_empty(),
            "{}: {:?}\n{stderr}\n{stdout}",
            builtin.name,
            out.status
        );
        let expected = stdout.lines().any(|l| l.starts_with("EXPECTED (step "));
        assert_eq!(
            expected,
            scenario.config.bug.is_some(),
            "{}: only a mutant's lesson breaks an invariant on purpose\n{stdout}",
            builtin.name
        );
        insta::with_settings!({ snapshot_suffix => builtin.name }, {
            insta::assert_snapshot!("run", stdout);
        });
    }
}
