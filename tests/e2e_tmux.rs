//! End to end in a real terminal: the `raftwalk` binary runs in a detached tmux session
//! (120×40, a plain `sh`), is driven by keys sent to it, read back with `capture-pane`, and
//! must leave the shell usable and exit 0 when `q` is pressed.
//!
//! Without tmux the test is skipped with a note, except under CI (the `CI` variable set),
//! where a missing tmux is a failure: `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long the UI may take to react to anything.
const PATIENCE: Duration = Duration::from_secs(5);

/// A tmux server of our own, its socket in a temp dir, killed when dropped (on failure too).
struct Tmux {
    socket: PathBuf,
    session: String,
}

impl Tmux {
    /// Starts a detached 120×40 session running `sh` in `dir`, with the server's socket there.
    fn start(dir: &Path) -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            session: format!("raftwalk-e2e-{}-{nanos}", std::process::id()),
        };
        let dir = dir.to_str().expect("a UTF-8 temp dir");
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            &tmux.session,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            dir,
            "sh",
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    /// Runs a tmux command against our server (no user configuration).
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new("tmux");
        command
            .arg("-u")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args);
        // tmux wants to know the outer terminal even when detached.
        if std::env::var_os("TERM").is_none_or(|t| t.is_empty() || t == "dumb") {
            command.env("TERM", "xterm-256color");
        }
        command.output().expect("run tmux")
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", &self.session, "-l", text]);
        assert!(out.status.success(), "tmux send-keys failed");
    }

    /// Presses a key by tmux's name for it (`Enter`, `c`, …).
    fn key(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", &self.session, key]);
        assert!(out.status.success(), "tmux send-keys {key} failed");
    }

    /// The visible pane as text.
    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.session]);
        assert!(out.status.success(), "tmux capture-pane failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the pane until `done` holds, failing with `what` and the last screen after
    /// [`PATIENCE`].
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The line of S0's panel title: the row holding `S0` left of the first panel's border.
fn s0_title(screen: &str) -> Option<&str> {
    screen
        .lines()
        .find(|l| l.starts_with('┌') && l.split('┐').next().is_some_and(|p| p.contains("S0")))
}

#[test]
fn election_in_a_real_terminal_then_quit_with_exit_0() {
    if !have_tmux() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is not installed, and CI is set: .ci/run should have installed it"
        );
        eprintln!("note: tmux is not on PATH; skipping the end-to-end terminal test");
        return;
    }
    // The session's shell starts here (where `s` would save); dropped after the server.
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::start(dir.path());
    let size = tmux.run(&[
        "display-message",
        "-p",
        "-t",
        &tmux.session,
        "#{pane_width}x#{pane_height}",
    ]);
    assert_eq!(String::from_utf8_lossy(&size.stdout).trim(), "120x40");

    let binary = env!("CARGO_BIN_EXE_raftwalk");
    assert!(!binary.contains('\''), "a path sh cannot quote: {binary}");
    tmux.type_text(&format!("'{binary}'"));
    tmux.key("Enter");
    tmux.wait_for("the UI", |s| {
        s.contains("raftwalk ·") && s_0_is(s, "FOLLOWER") && s.contains("In flight")
    });

    tmux.key("c");
    tmux.wait_for("S0 to become a candidate", |s| s_0_is(s, "CANDIDATE"));
    tmux.key("a");
    let screen = tmux.wait_for("S0 to become leader", |s| s_0_is(s, "LEADER"));
    let title = s0_title(&screen).expect("S0's panel");
    assert!(title.contains("★ LEADER"), "S0's panel: {title}");
    assert!(screen.contains("In flight (0)"), "{screen}");

    tmux.key("q");
    tmux.wait_for("the UI to close", |s| !s.contains("In flight"));
    tmux.type_text("echo \"exit=$?\"");
    tmux.key("Enter");
    let screen = tmux.wait_for("the shell to answer", |s| {
        s.lines().any(|l| l.trim_start().starts_with("exit="))
    });
    assert!(
        screen.lines().any(|l| l.trim() == "exit=0"),
        "raftwalk did not exit 0, or the shell is not usable:\n{screen}"
    );
}

/// Whether S0's panel title shows `role`.
fn s_0_is(screen: &str, role: &str) -> bool {
    s0_title(screen).is_some_and(|t| t.contains(role))
}
