//! Running the `scimcheck` binary on the embedded server and reading its JSON report.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

pub struct Run {
    pub exit_code: i32,
    pub report: Value,
    pub stdout: String,
    pub stderr: String,
}

/// The binary with no `SCIMCHECK_*` variable of the caller's environment.
pub fn scimcheck() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimcheck"));
    for (name, _) in std::env::vars() {
        if name.starts_with("SCIMCHECK_") {
            command.env_remove(name);
        }
    }
    command
}

/// `scimcheck run` on the embedded server with `extra` flags and a JSON report. One job
/// at a time: with `filter-ignored`, say, what a list returns would otherwise depend on
/// which other scenarios happen to run beside it.
pub fn run(extra: &[&str]) -> Result<Run, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let report = dir.path().join("report.json");
    let output = scimcheck()
        .args(["run", "--no-progress", "--jobs", "1", "--report-json"])
        .arg(&report)
        .args(extra)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report =
        read_report(&report).map_err(|e| format!("{e}\nstdout:\n{stdout}\nstderr:\n{stderr}"))?;
    Ok(Run {
        exit_code: output.status.code().unwrap_or(-1),
        report,
        stdout,
        stderr,
    })
}

fn read_report(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("no JSON report: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("the JSON report does not parse: {e}"))
}

pub fn scenarios(report: &Value) -> impl Iterator<Item = &Value> {
    report["scenarios"].as_array().into_iter().flatten()
}

pub fn outcome(scenario: &Value) -> &str {
    scenario["outcome"]["kind"].as_str().unwrap_or("?")
}

/// `<scenario-id> <outcome>` for every scenario that did not pass.
pub fn not_passing(report: &Value) -> std::collections::BTreeSet<String> {
    scenarios(report)
        .filter(|s| outcome(s) != "pass")
        .map(|s| format!("{} {}", s["id"].as_str().unwrap_or("?"), outcome(s)))
        .collect()
}
