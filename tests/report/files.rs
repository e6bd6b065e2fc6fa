//! The file reports besides JUnit (JSON, transcripts) and the check of report paths made
//! before a run starts.

use crate::support::report as report_support;

use std::fs;
use std::path::Path;

use report_support::*;
use scimcheck::report::{
    JSON_FORMAT, ReportError, check_output_dir, check_output_path, json_string, read_summary,
    render_exchange, write_json, write_transcripts,
};

#[test]
fn json_of_a_mixed_run() {
    let mut settings = snapshot_settings();
    settings.add_filter(r#""duration_ms": \d+"#, r#""duration_ms": "[ms]""#);
    let text = json_string(&mixed_run()).expect("serializes");
    settings.bind(|| {
        insta::assert_snapshot!("json_mixed_run", text);
    });
}

/// `scimcheck report` and `merge` read a JSON report back into the run: everything the
/// document says survives, so a report written from it says the same.
#[test]
fn a_json_report_reads_back_into_the_run_it_describes() {
    let mut summary = mixed_run();
    summary.info.plan = Some(scimcheck::result::PlanRecord::of(
        summary.results.iter().map(|r| r.id.as_str()),
        Some(scimcheck::vocabulary::Partition { slice: 2, of: 3 }),
    ));
    summary.info.embedded = Some("embedded reference server misbehaving: etag-stale".into());
    summary.info.capabilities = Some(vec!["filter".into(), "users".into()]);
    let mut summary = crate::support::report::measured(summary);
    summary.requests = Some(scimcheck::result::RequestCount {
        total: 12,
        discovery: 3,
        scenarios: 6,
        cleanup: 2,
        shared: 1,
    });
    summary.leftovers.push(scimcheck::result::Leftover {
        what: "decoy user".into(),
        reason: "the delete answered 500".into(),
    });
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.json");
    write_json(&summary, &path).expect("written");
    let read = read_summary(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json_string(&read).expect("serializes"),
        json_string(&summary).expect("serializes")
    );
    assert_eq!(
        scimcheck::report::html_string(&read),
        scimcheck::report::html_string(&summary)
    );
}

#[test]
fn json_is_versioned_and_counts_agree_with_the_results() {
    let text = json_string(&mixed_run()).expect("serializes");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["format"], JSON_FORMAT);
    assert_eq!(JSON_FORMAT, "scimcheck-report/3");
    assert_eq!(doc["run"]["id"], RUN_ID);
    assert_eq!(doc["run"]["duration_ms"], 30_131);
    let totals = &doc["totals"];
    for (key, expected) in [
        ("scenarios", 5),
        ("judged", 3),
        ("passed", 1),
        ("failed", 1),
        ("warnings", 0),
        ("deviations", 1),
        ("skipped", 1),
        ("errors", 1),
        ("blocked", 0),
        ("requests", 6),
    ] {
        assert_eq!(totals[key], expected, "totals.{key}");
    }
    let kinds: Vec<&str> = doc["scenarios"]
        .as_array()
        .expect("a list of scenarios")
        .iter()
        .map(|s| s["outcome"]["kind"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(kinds, ["pass", "deviation", "fail", "skip", "error"]);
    let first_request = &doc["scenarios"][0]["exchanges"][0];
    assert_eq!(
        first_request["request_headers"][1]["value"],
        "Bearer [REDACTED]"
    );
}

#[test]
fn write_json_creates_its_directory_and_the_file_parses() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("out/report.json");
    write_json(&mixed_run(), &path).expect("written");
    let text = fs::read_to_string(&path).expect("readable");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(doc["format"], JSON_FORMAT);
}

#[test]
fn a_transcript_file_is_written_for_every_scenario() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let target = dir.path().join("transcripts");
    let written = write_transcripts(&mixed_run(), &target).expect("written");
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "users.create.basic.txt",
            "users.create.duplicate.txt",
            "groups.patch.add-member.txt",
            "bulk.basic.txt",
            "discovery.schemas.txt",
        ]
    );
    let mut on_disk: Vec<String> = fs::read_dir(&target)
        .expect("directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(on_disk, expected, "no temporary files left behind");
}

#[test]
fn a_transcript_holds_the_same_exchange_text_as_junit() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let summary = mixed_run();
    write_transcripts(&summary, dir.path()).expect("written");
    let text = fs::read_to_string(dir.path().join("users.create.basic.txt")).expect("readable");
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("transcript_passed", text);
    });
    for exchange in &summary.results[0].exchanges {
        assert!(text.contains(&render_exchange(exchange)));
    }
    // Redacted values pass through untouched, in headers and bodies.
    assert!(text.contains("authorization: Bearer [REDACTED]"));
    assert!(text.contains(r#""password":"[REDACTED]""#));
}

#[test]
fn a_skipped_scenario_transcript_says_why_and_that_nothing_was_sent() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_transcripts(&mixed_run(), dir.path()).expect("written");
    let text = fs::read_to_string(dir.path().join("bulk.basic.txt")).expect("readable");
    assert!(
        text.contains("# skipped: capability `bulk` not advertised by /ServiceProviderConfig\n")
    );
    assert!(text.ends_with("# no request was sent\n"));
}

#[test]
fn a_failed_scenario_transcript_lists_its_failures_and_cleanup_problems() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_transcripts(&mixed_run(), dir.path()).expect("written");
    let text =
        fs::read_to_string(dir.path().join("groups.patch.add-member.txt")).expect("readable");
    assert!(text.contains("# outcome: fail in 63 ms\n"), "{text}");
    assert_eq!(text.matches("# failure: add member: ").count(), 2, "{text}");
    assert!(text.contains("# cleanup: DELETE /Groups/g-1 answered 500\n"));
}

#[test]
fn transcripts_into_a_file_are_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("not-a-dir");
    fs::write(&file, "x").expect("a file");
    let error = write_transcripts(&mixed_run(), &file).expect_err("a file");
    assert!(
        matches!(error, ReportError::NotADirectory { .. }),
        "{error}"
    );
}

// Checks before the run.

#[test]
fn a_report_in_an_existing_directory_is_fine() {
    let dir = tempfile::tempdir().expect("temporary directory");
    assert!(check_output_path(&dir.path().join("junit.xml")).is_ok());
}

#[test]
fn a_report_under_missing_directories_is_fine_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("a/b/junit.xml");
    assert!(check_output_path(&path).is_ok());
    assert!(!dir.path().join("a").exists());
    assert_eq!(fs::read_dir(dir.path()).expect("readable").count(), 0);
}

#[test]
fn an_existing_report_file_is_fine_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("junit.xml");
    fs::write(&path, "old").expect("old report");
    assert!(check_output_path(&path).is_ok());
    assert_eq!(fs::read_to_string(&path).expect("readable"), "old");
}

#[test]
fn a_directory_is_not_a_report_path() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let error = check_output_path(dir.path()).expect_err("a directory");
    assert!(matches!(error, ReportError::IsDirectory { .. }), "{error}");
    let with_slash = format!("{}/missing/", dir.path().display());
    let error = check_output_path(Path::new(&with_slash)).expect_err("names a directory");
    assert!(matches!(error, ReportError::IsDirectory { .. }), "{error}");
}

#[test]
fn a_file_in_the_way_of_the_parent_directory_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let blocker = dir.path().join("reports");
    fs::write(&blocker, "x").expect("a file");
    let error = check_output_path(&blocker.join("sub/junit.xml")).expect_err("blocked");
    match &error {
        ReportError::ParentNotDirectory { blocker: b, .. } => assert_eq!(b, &blocker),
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("is not a directory"), "{error}");
}

#[test]
fn an_empty_path_is_refused() {
    assert!(matches!(
        check_output_path(Path::new("")),
        Err(ReportError::EmptyPath)
    ));
}

#[cfg(unix)]
#[test]
fn the_check_agrees_with_the_operating_system_about_a_read_only_directory() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().expect("temporary directory");
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).expect("directory");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root may write anyway; whatever the OS says, the check must say the same.
    let os_allows = fs::write(locked.join("try"), "x").is_ok();
    let _ = fs::remove_file(locked.join("try"));

    let checked = check_output_path(&locked.join("junit.xml"));
    assert_eq!(checked.is_ok(), os_allows, "{checked:?}");
    if let Err(error) = &checked {
        assert!(matches!(error, ReportError::NotWritable { .. }), "{error}");
        assert!(error.to_string().contains("not writable"), "{error}");
    }
    assert_eq!(check_output_dir(&locked.join("sub")).is_ok(), os_allows);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
}

#[test]
fn a_transcript_directory_may_exist_or_be_missing_but_not_be_a_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    assert!(check_output_dir(dir.path()).is_ok());
    assert!(check_output_dir(&dir.path().join("new/deeper")).is_ok());
    let file = dir.path().join("file");
    fs::write(&file, "x").expect("a file");
    assert!(matches!(
        check_output_dir(&file),
        Err(ReportError::NotADirectory { .. })
    ));
}

#[test]
fn the_json_report_holds_no_raw_bidi_or_c1_character_and_still_parses() {
    let mut forged = forged();
    forged.cleanup_errors = vec!["x\u{202e}y\u{85}z".into()];
    let text = json_string(&summary_of(vec![forged], false)).expect("serializes");
    assert!(
        !text.chars().any(scimcheck::printable::is_unsafe),
        "{text:?}"
    );
    let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
    assert_eq!(
        back["scenarios"][0]["cleanup_errors"][0],
        "x\u{202e}y\u{85}z"
    );
}
