//! Finding a scenario the user named: a file path, or the name of a built-in.

use crate::builtin;
use crate::scenario::{self, Scenario};
use anyhow::{Result, anyhow};
use std::path::Path;

/// Loads `what`: a scenario file if such a path exists, otherwise a built-in scenario by name.
/// Errors name the file and what is wrong, in the same words everywhere.
pub fn load(what: &str) -> Result<Scenario> {
    let path = Path::new(what);
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read {what}: {e}"))?;
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

/// The brief's cluster: three fresh servers, no script.
pub fn brief_cluster() -> Scenario {
    scenario::build::build(
        &scenario::format::ScenarioFile {
            schema: None,
            name: "three fresh servers".to_string(),
            description: Some("The brief's cluster: S0, S1, S2, followers in term 1.".to_string()),
            servers: scenario::format::ServersSpec::Count(3),
            bug: None,
            steps: Vec::new(),
        },
        "three fresh servers",
    )
    .expect("three fresh servers are a valid scenario")
}
