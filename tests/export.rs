//! `raftwalk export` writes one frame per beat of the walkthrough, as the TUI draws it, plus
//! an index.

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

fn beats_of(builtin: &str) -> usize {
    raftwalk::session::Session::new(raftwalk::load::load(builtin).expect("built-in"))
        .beats()
        .len()
}

#[test]
fn svg_export_writes_one_well_formed_picture_per_beat() {
    let dir = out_dir("svg");
    let out = export("seed-example", "svg", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let beats = beats_of("seed-example");
    for beat in 0..=beats {
        let path = dir.join(format!("frame-{beat:03}.svg"));
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
        !dir.join(format!("frame-{:03}.svg", beats + 1)).exists(),
        "one frame per beat, no more"
    );
    let index = std::fs::read_to_string(dir.join("index.md")).expect("an index");
    assert!(
        index.contains("frame-000.svg") && index.contains(&format!("frame-{beats:03}.svg")),
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
        std::fs::read_to_string(dir.join(format!("frame-{:03}.txt", beats_of("seed-example"))))
            .expect("last");
    assert!(
        last.lines()
            .any(|l| l.contains("S0") && l.contains("★ LEADER")),
        "{last}"
    );
    assert_eq!(last.lines().count(), 40);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each frame is one beat: its walkthrough box shows that beat's narration, and the index
/// lists the beat's actions, its narration and its quiz with the answer.
#[test]
fn each_frame_shows_the_narration_of_its_own_beat() {
    let dir = out_dir("beats");
    let out = export("figure7-a", "txt", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scenario = raftwalk::load::load("figure7-a").expect("built-in");
    let session = raftwalk::session::Session::new(scenario.clone());
    let index = std::fs::read_to_string(dir.join("index.md")).expect("an index");
    for (number, beat) in session.beats().iter().enumerate() {
        let number = number + 1;
        let frame = std::fs::read_to_string(dir.join(format!("frame-{number:03}.txt")))
            .expect("a frame per beat");
        assert!(
            frame.contains(&format!("beat {number} of {}", session.beats().len())),
            "frame {number}:\n{frame}"
        );
        for step in &scenario.steps[beat.clone()] {
            match step {
                raftwalk::scenario::Step::Say(text) => {
                    // The box wraps the narration: its first words are on screen.
                    let start: String = text.chars().take(40).collect();
                    assert!(
                        frame.contains(&start),
                        "frame {number} lacks {start:?}:\n{frame}"
                    );
                    assert!(index.contains(text.as_str()), "index lacks {text:?}");
                }
                raftwalk::scenario::Step::Quiz(quiz) => {
                    assert!(
                        index.contains(&quiz.question),
                        "index lacks {:?}",
                        quiz.question
                    );
                    let answer = format!(
                        "*Answer:* {}) {}",
                        quiz.answer,
                        quiz.choices[quiz.answer - 1]
                    );
                    assert!(index.contains(&answer), "index lacks {answer:?}");
                }
                _ => {}
            }
        }
    }
    assert!(
        index.contains("beat 6: deliver RequestVote a → e; deliver RequestVote a → f"),
        "{index}"
    );
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
