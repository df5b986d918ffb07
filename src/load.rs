//! Finding a scenario the user named: a file path, `-` for standard input, or the name of a
//! built-in. A file is untrusted: raftwalk reads at most [`MAX_SCENARIO_BYTES`] of it, and only
//! from a regular file (or standard input), so `/dev/zero`, an endless FIFO or a FIFO nobody
//! writes to is refused at once instead of eating memory or hanging.

use crate::builtin;
use crate::scenario::{self, Scenario};
use anyhow::{Result, anyhow, bail};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The most raftwalk reads of a scenario file or of standard input: 16 MiB. The longest
/// lesson is a few kilobytes; a log of a million entries still fits.
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// What standard input is called in errors.
pub const STDIN_ORIGIN: &str = "standard input";

/// Loads `what`: `-` for standard input, a scenario file if such a path exists, otherwise a
/// built-in scenario by name. Errors name the file and what is wrong, in the same words
/// everywhere, on one line.
pub fn load(what: &str) -> Result<Scenario> {
    if what == "-" {
        let text = read_capped(std::io::stdin().lock(), STDIN_ORIGIN)?;
        return Ok(scenario::parse(&text, STDIN_ORIGIN)?);
    }
    let path = Path::new(what);
    if path.symlink_metadata().is_ok() {
        let text = read_file(path, what)?;
        return Ok(scenario::parse(&text, what)?);
    }
    match builtin::find(what) {
        Some(b) => Ok(scenario::parse(b.text, b.name)?),
        None => {
            let names: Vec<&str> = builtin::all().iter().map(|b| b.name).collect();
            Err(anyhow!(
                "cannot read {what}: no such file, and no built-in scenario has that name (built-ins: {})",
                names.join(", ")
            ))
        }
    }
}

/// Reads a regular file of at most [`MAX_SCENARIO_BYTES`] as text.
fn read_file(path: &Path, what: &str) -> Result<String> {
    let file = open_without_blocking(path).map_err(|e| anyhow!("cannot read {what}: {e}"))?;
    // The type of what was opened, not of what the path named a moment before.
    let metadata = file
        .metadata()
        .map_err(|e| anyhow!("cannot read {what}: {e}"))?;
    if !metadata.is_file() {
        bail!(
            "cannot read {what}: it is {}, not a regular file (give `-` to read standard input)",
            describe_type(&metadata.file_type())
        );
    }
    if metadata.len() > MAX_SCENARIO_BYTES {
        bail!("{}", too_large(what));
    }
    read_capped(file, what)
}

/// Opens for reading without waiting: opening a FIFO that no one writes to would otherwise
/// block forever, before its type could be checked.
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Reads at most [`MAX_SCENARIO_BYTES`] (one more tells that there was more) as UTF-8 text.
fn read_capped(reader: impl Read, what: &str) -> Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        bail!("{}", too_large(what));
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "cannot read {what}: it is not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to() + 1
        )
    })
}

fn too_large(what: &str) -> String {
    format!(
        "cannot read {what}: it is larger than {} MiB, the most raftwalk reads of a scenario",
        MAX_SCENARIO_BYTES / (1024 * 1024)
    )
}

fn describe_type(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// The brief's cluster: three fresh servers, no script.
pub fn brief_cluster() -> Scenario {
    scenario::build::build(
        &scenario::format::ScenarioFile {
            schema: None,
            name: "three fresh servers".to_string(),
            description: Some("The brief's cluster: S0, S1, S2, followers in term 1.".to_string()),
            servers: scenario::format::ServersSpec::Count(3),
            bug: None,
            unsafe_start: false,
            timing: None,
            max_entries_per_append: None,
            steps: Vec::new(),
        },
        "three fresh servers",
    )
    .expect("three fresh servers are a valid scenario")
}
