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
        self.wait_within(PATIENCE, what, || self.screen(), done)
    }

    /// Polls `look` until `done` holds, failing with `what` and the last look after `patience`.
    fn wait_within(
        &self,
        patience: Duration,
        what: &str,
        look: impl Fn() -> String,
        done: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let seen = look();
            if done(&seen) {
                return seen;
            }
            assert!(
                start.elapsed() < patience,
                "timed out waiting for {what}; last seen:\n{seen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// tmux's view of the pane: `format` with its `#{...}` variables filled in.
    fn pane(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &self.session, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Types the binary's path and Enter at the shell, and waits until the UI has the terminal
    /// (alternate screen and mouse reporting on).
    fn start_raftwalk(&self) {
        let binary = env!("CARGO_BIN_EXE_raftwalk");
        assert!(!binary.contains('\''), "a path sh cannot quote: {binary}");
        self.type_text(&format!("'{binary}'"));
        self.key("Enter");
        self.wait_within(
            PATIENCE,
            "the UI to take the terminal",
            || self.pane("#{alternate_on} #{mouse_any_flag}"),
            |flags| flags == "1 1",
        );
    }

    /// The exit status of the last command, asked of the shell. The answer may follow the
    /// prompt on its line when the question was typed before the prompt came back.
    fn last_exit_status(&self) -> String {
        fn answer(screen: &str) -> Option<String> {
            screen.lines().rev().find_map(|line| {
                let (_, after) = line.split_once("exit=")?;
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                (!digits.is_empty()).then_some(digits)
            })
        }
        self.type_text("echo \"exit=$?\"");
        self.key("Enter");
        let screen = self.wait_for("the shell to answer", |s| answer(s).is_some());
        answer(&screen).unwrap_or_default()
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

fn skip_without_tmux() -> bool {
    if have_tmux() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "tmux is not installed, and CI is set: .ci/run should have installed it"
    );
    eprintln!("note: tmux is not on PATH; skipping the end-to-end terminal test");
    true
}

/// The pid of a process whose parent is `parent`, from /proc (no procps needed).
fn child_of(parent: i32) -> Option<i32> {
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid ...; comm may hold spaces, so split after its ')'.
        let ppid: i32 = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid == parent).then_some(pid)
    })
}

#[test]
fn sigterm_sighup_and_sigint_restore_the_terminal_and_exit_128_plus_the_signal() {
    if skip_without_tmux() {
        return;
    }
    for (signal, number) in [
        ("TERM", libc::SIGTERM),
        ("HUP", libc::SIGHUP),
        ("INT", libc::SIGINT),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let tmux = Tmux::start(dir.path());
        tmux.start_raftwalk();
        // The shell in the pane is raftwalk's parent.
        let shell: i32 = tmux.pane("#{pane_pid}").parse().expect("the pane's pid");
        let pid = child_of(shell).expect("raftwalk runs under the pane's shell");
        // SAFETY: kill(2) with a pid we just found and a valid signal number.
        let sent = unsafe { libc::kill(pid, number) };
        assert_eq!(sent, 0, "kill -{signal} {pid}");
        let flags = tmux.wait_within(
            PATIENCE,
            "the terminal to be restored",
            || tmux.pane("#{alternate_on} #{mouse_any_flag} #{cursor_flag}"),
            |flags| flags == "0 0 1",
        );
        assert_eq!(
            flags, "0 0 1",
            "SIG{signal}: alternate screen, mouse, cursor"
        );
        assert_eq!(
            tmux.last_exit_status(),
            (128 + number).to_string(),
            "SIG{signal}"
        );
    }
}

#[test]
fn a_burst_of_3000_keys_is_handled_whole() {
    if skip_without_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::start(dir.path());
    tmux.start_raftwalk();
    // 3,000 crash/restart keys, then save and quit, all at once: crossterm's reader used to
    // stop at 1,024 bytes until one more key came, which never comes here. The saved session
    // counts the keys handled.
    tmux.type_text(&format!("{}sq", "k".repeat(3000)));
    tmux.wait_within(
        Duration::from_secs(120),
        "raftwalk to handle every key and quit",
        || tmux.pane("#{alternate_on}"),
        |flag| flag == "0",
    );
    assert_eq!(tmux.last_exit_status(), "0");
    let saved = std::fs::read_dir(dir.path())
        .expect("the directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a saved session");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("read")).expect("JSON");
    let steps = file["steps"].as_array().expect("steps");
    let toggles = steps
        .iter()
        .filter(|s| s.get("crash").is_some() || s.get("restart").is_some())
        .count();
    assert_eq!(toggles, 3000, "every key was handled");
}
