//! `raftwalk export` writes one frame per step, as the TUI draws it, plus an index.

use std::path::PathBuf;
use std::process::Command;

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raftwalk-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn export(scenario: &str, format: &str, dir: &PathBuf) -> std::process::Output {
    export_at(scenario, format, "120x40", dir)
}

fn export_at(scenario: &str, format: &str, size: &str, dir: &PathBuf) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_raftwalk"))
        .args([
            "export", scenario, "--format", format, "--size", size, "--out",
        ])
        .arg(dir)
        .output()
        .expect("raftwalk runs")
}

fn steps_of(builtin: &str) -> usize {
    raftwalk::load::load(builtin).expect("built-in").steps.len()
}

#[test]
fn svg_export_writes_one_well_formed_picture_per_step() {
    let dir = out_dir("svg");
    let out = export("seed-example", "svg", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps = steps_of("seed-example");
    for step in 0..=steps {
        let path = dir.join(format!("frame-{step:03}.svg"));
        let svg =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc =
            roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert!(
            svg.contains("raftwalk"),
            "{} shows no header",
            path.display()
        );
    }
    assert!(
        !dir.join(format!("frame-{:03}.svg", steps + 1)).exists(),
        "one frame per step, no more"
    );
    let index = std::fs::read_to_string(dir.join("index.md")).expect("an index");
    assert!(
        index.contains("frame-000.svg") && index.contains(&format!("frame-{steps:03}.svg")),
        "{index}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_export_matches_the_tui_and_ends_with_a_leader() {
    let dir = out_dir("txt");
    let out = export("seed-example", "txt", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(dir.join("frame-000.txt")).expect("first frame");
    assert!(
        first
            .lines()
            .any(|l| l.contains("S0") && l.contains("· FOLLOWER")),
        "{first}"
    );
    let last =
        std::fs::read_to_string(dir.join(format!("frame-{:03}.txt", steps_of("seed-example"))))
            .expect("last");
    assert!(
        last.lines()
            .any(|l| l.contains("S0") && l.contains("★ LEADER")),
        "{last}"
    );
    assert_eq!(last.lines().count(), 40);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A size the screen cannot be drawn in is refused with one line naming the smallest size, and
/// nothing is written.
#[test]
fn a_size_too_small_to_draw_exits_2_naming_the_smallest() {
    let dir = out_dir("small");
    for size in ["80x23", "79x24", "60x20"] {
        let out = export_at("figure7-a", "txt", size, &dir);
        assert_eq!(out.status.code(), Some(2), "{size}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{size}: {stderr}");
        assert!(
            stderr.contains("smallest size is 80x24"),
            "{size}: {stderr}"
        );
        assert!(!dir.exists(), "{size}: nothing is written");
    }
    // The smallest size itself draws every frame, none of them a notice.
    let out = export_at("figure7-a", "txt", "80x24", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for entry in std::fs::read_dir(&dir).expect("frames") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("a frame");
        assert!(!text.contains("too small"), "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_size_or_scenario_exits_2() {
    let dir = out_dir("bad");
    for args in [
        vec!["export", "seed-example", "--size", "12by4", "--out"],
        vec!["export", "no-such-lesson", "--out"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_raftwalk"))
            .args(&args)
            .arg(&dir)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}
