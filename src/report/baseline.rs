//! Reading back a JSON report (`--baseline`, `scimcheck diff`): the scenarios, their
//! outcomes and failed checks, and nothing else. A file that is not a scimcheck JSON
//! report is an error naming the file and what is wrong with it.

use std::path::Path;

use serde_json::Value;

use super::JSON_FORMAT;
use super::json::READABLE_FORMATS;
use crate::result::{Baseline, RunRecord, ScenarioRecord, check_name};

/// Largest report read back; far above any real run's report.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// The JSON report at `path` as an earlier run to compare with.
pub fn read_baseline(path: &Path) -> Result<Baseline, String> {
    Ok(Baseline {
        file: path.display().to_string(),
        record: read_report(path)?,
    })
}

/// The scenarios of the JSON report at `path`.
pub fn read_report(path: &Path) -> Result<RunRecord, String> {
    let document = read_document(path)?;
    record_of(&document).map_err(|why| not_a_report(path, &why))
}

/// The JSON of the report at `path`, whose `format` this version reads; errors name the
/// file and what is wrong with it.
pub(crate) fn read_document(path: &Path) -> Result<Value, String> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(format!(
            "{shown} is {size} bytes, more than a scimcheck JSON report can be"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let document: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: not JSON ({e}); expected a JSON report written by \
             scimcheck run --report-json",
            e.line(),
            e.column()
        )
    })?;
    check_format(&document).map_err(|why| not_a_report(path, &why))?;
    Ok(document)
}

pub(crate) fn not_a_report(path: &Path, why: &str) -> String {
    format!("{}: not a scimcheck JSON report: {why}", path.display())
}

fn check_format(document: &Value) -> Result<(), String> {
    let format = document.get("format").and_then(Value::as_str);
    let family = JSON_FORMAT.split('/').next().unwrap_or(JSON_FORMAT);
    match format {
        Some(f) if READABLE_FORMATS.contains(&f) => Ok(()),
        Some(f) if f.starts_with(&format!("{family}/")) => Err(format!(
            "field `format` is `{f}`; this version reads `{JSON_FORMAT}`"
        )),
        _ => Err(format!("field `format` is not `{JSON_FORMAT}`")),
    }
}

fn record_of(document: &Value) -> Result<RunRecord, String> {
    check_format(document)?;
    let scenarios = document
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or("field `scenarios` is not a list")?;
    let mut record = RunRecord::default();
    for (index, scenario) in scenarios.iter().enumerate() {
        let field = |name: &str| format!("field `scenarios[{index}].{name}`");
        let id = scenario
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{} is not a string", field("id")))?;
        let outcome = scenario
            .get("outcome")
            .ok_or_else(|| format!("{} is missing", field("outcome")))?;
        let kind = outcome
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{} is not a string", field("outcome.kind")))?;
        let checks = outcome
            .get("failures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let text = |name| f.get(name).and_then(Value::as_str).unwrap_or("");
                check_name(text("step"), text("subject"))
            })
            .collect();
        let skip_reason = (kind == "skip").then(|| {
            outcome
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        });
        record.scenarios.insert(
            id.to_owned(),
            ScenarioRecord {
                outcome: kind.to_owned(),
                checks,
                skip_reason,
            },
        );
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_as_outcomes_and_failed_checks() {
        let document = serde_json::json!({
            "format": JSON_FORMAT,
            "scenarios": [
                {"id": "a", "outcome": {"kind": "fail", "failures": [
                    {"step": "create", "subject": "status"}
                ]}},
                {"id": "b", "outcome": {"kind": "skip", "reason": "no sort", "cause": "declared"}},
            ]
        });
        let record = record_of(&document).unwrap();
        assert_eq!(
            record.scenarios["a"].checks.iter().collect::<Vec<_>>(),
            ["create: status"]
        );
        assert_eq!(
            record.scenarios["b"].skip_reason.as_deref(),
            Some("no sort")
        );
    }

    #[test]
    fn other_json_is_refused_saying_which_field_is_wrong() {
        let other = serde_json::json!({"format": "scimcheck-report/1", "scenarios": []});
        assert!(
            record_of(&other)
                .unwrap_err()
                .contains("this version reads")
        );
        let junk = serde_json::json!({"name": "package.json"});
        assert!(record_of(&junk).unwrap_err().contains("field `format`"));
        let broken = serde_json::json!({"format": JSON_FORMAT, "scenarios": [{"outcome": {}}]});
        assert!(
            record_of(&broken)
                .unwrap_err()
                .contains("`scenarios[0].id`")
        );
    }
}
