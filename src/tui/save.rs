//! Saving a session as a scenario file: a fresh name that never overwrites, written
//! atomically (a temporary file renamed into place), so a crash never leaves half a file.

use crate::session::Session;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes the session into `dir` as `raftwalk-<scenario>-<n>.json` with the first free n.
pub fn save_session(session: &Session, dir: &Path) -> Result<PathBuf> {
    let file = session.to_scenario_file();
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    let slug = slug(&session.scenario().name);
    for n in 1..10_000 {
        let path = dir.join(format!("raftwalk-{slug}-{n}.json"));
        if path.exists() {
            continue;
        }
        let mut temp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        temp.write_all(text.as_bytes())?;
        temp.as_file().sync_all()?;
        match temp.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            // Someone took the name meanwhile: try the next one.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e.error).with_context(|| format!("cannot write {}", path.display()));
            }
        }
    }
    anyhow::bail!("no free file name left in {}", dir.display())
}

/// A file-name-safe version of a scenario name.
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "session".to_string()
    } else {
        slug.chars().take(40).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            slug("Figure 7: the leader crashes"),
            "figure-7-the-leader-crashes"
        );
        assert_eq!(slug("!!!"), "session");
    }
}
