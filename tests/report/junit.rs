//! The JUnit report: its XML, its validity against the schema Jenkins and GitLab read,
//! and its counts read back.

use crate::support::report as report_support;
use crate::support::xsd;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use report_support::*;
use scimcheck::report::{ReportError, junit_string, write_junit};

const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/junit/junit.xsd"
);

fn mixed_xml() -> String {
    junit_string(&mixed_run()).expect("the mixed run serializes")
}

#[test]
fn junit_of_a_mixed_run() {
    let mut settings = snapshot_settings();
    settings.add_filter(r#"time="\d+\.\d+""#, r#"time="[secs]""#);
    settings.bind(|| {
        insta::assert_snapshot!("mixed_run", mixed_xml());
    });
}

/// The problems `xml` has against the Jenkins schema (the file CI also gives xmllint).
fn validate(xml: &str) -> Result<(), String> {
    let xsd = fs::read_to_string(XSD).expect("the JUnit schema is readable");
    let schema = xsd::Schema::read(&xsd).expect("the JUnit schema is in the subset we read");
    let problems = schema.validate(xml);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn junit_of_a_mixed_run_validates_against_the_jenkins_schema() {
    if let Err(problems) = validate(&mixed_xml()) {
        panic!("the JUnit report does not validate:\n{problems}");
    }
}

#[test]
fn junit_of_an_empty_interrupted_run_validates() {
    let xml = junit_string(&summary_of(vec![], true)).expect("serializes");
    if let Err(problems) = validate(&xml) {
        panic!("{problems}\n{xml}");
    }
}

#[test]
fn junit_of_a_whole_run_through_the_binary_validates() {
    // What CI also gives xmllint: the built-in suite against the embedded server, with
    // a misbehaviour so that failures are in it too.
    let dir = tempfile::tempdir().expect("temporary directory");
    let junit = dir.path().join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["run", "--no-progress", "--misbehave", "filter-ignored"])
        .arg("--report-junit")
        .arg(&junit)
        .env_remove("SCIMCHECK_URL")
        .output()
        .expect("scimcheck runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let xml = fs::read_to_string(&junit).expect("the report was written");
    if let Err(problems) = validate(&xml) {
        panic!("{problems}");
    }
    assert_eq!(count_problems(&xml), Vec::<String>::new());
    assert!(xml.contains("<failure"), "the misbehaviour left no failure");
}

#[test]
fn the_schema_reader_refuses_what_it_does_not_understand() {
    let xsd = fs::read_to_string(XSD).expect("the JUnit schema is readable");
    for (from, to) in [
        (r#"type="xs:string"/>"#, r#"type="xs:int"/>"#),
        ("<xs:sequence>", "<xs:all>"),
        (
            r#"<xs:pattern value="[0-9]+"/>"#,
            r#"<xs:maxLength value="9"/>"#,
        ),
        (r#"type="testcaseType"/>"#, r#"type="testcaseTyp"/>"#),
    ] {
        assert!(xsd.contains(from), "{from}");
        let changed = xsd.replacen(from, to, 1);
        assert!(
            xsd::Schema::read(&changed).is_err(),
            "a schema with {to} was read"
        );
    }
}

/// The mixed run's report with `from` replaced by `to` (once each time it is listed).
fn doctored(edits: &[(&str, &str)]) -> String {
    let mut xml = mixed_xml();
    for (from, to) in edits {
        assert!(xml.contains(from), "the report has no {from:?} to change");
        xml = xml.replacen(from, to, 1);
    }
    xml
}

#[test]
fn the_schema_check_rejects_what_jenkins_would_not_read() {
    let cases: &[(&str, String, &str)] = &[
        (
            "an unknown element inside a testcase",
            doctored(&[
                ("<system-out>", "<stdout-and-more>"),
                ("</system-out>", "</stdout-and-more>"),
            ]),
            "<stdout-and-more> is not allowed in <testcase>",
        ),
        (
            "a testcase without a name",
            doctored(&[(r#"<testcase name="bulk.basic" "#, "<testcase ")]),
            "lacks the required attribute name",
        ),
        (
            "a testsuite without its test count",
            doctored(&[(
                r#"<testsuite name="users" tests="2" "#,
                r#"<testsuite name="users" "#,
            )]),
            "lacks the required attribute tests",
        ),
        (
            "a count that is not a whole number",
            doctored(&[(r#"failures="1""#, r#"failures="one""#)]),
            r#"failures="one" is not a valid count"#,
        ),
        (
            "a duration that is not in seconds",
            doctored(&[(
                r#"classname="users" time=""#,
                r#"classname="users" time="1m"#,
            )]),
            "is not a valid seconds",
        ),
        (
            "an attribute the schema does not know",
            doctored(&[("<testcase ", r#"<testcase colour="red" "#)]),
            "attribute colour is not allowed on <testcase>",
        ),
        (
            "properties after the outcome",
            doctored(&[(
                "<properties>\n                <property name=\"title\" value=\"title of bulk.basic\"/>",
                "<skipped/><properties>\n                <property name=\"title\" value=\"title of bulk.basic\"/>",
            )]),
            "are not in an order or number the schema allows",
        ),
        (
            "text straight inside a testsuite",
            doctored(&[("<testcase ", "stray text<testcase ")]),
            "text is not allowed directly in <testsuite>",
        ),
        (
            "a property without its value",
            doctored(&[(
                r#"<property name="severity" value="must"/>"#,
                r#"<property name="severity"/>"#,
            )]),
            "lacks the required attribute value",
        ),
        (
            "a testcase as the root",
            "<testcase name=\"alone\"/>".to_owned(),
            "not a root element the schema declares",
        ),
        (
            "a document that is not well-formed",
            doctored(&[("</testsuites>", "")]),
            "never closed",
        ),
    ];
    for (what, xml, expected) in cases {
        match validate(xml) {
            Ok(()) => panic!("{what}: accepted"),
            Err(problems) => assert!(
                problems.contains(expected),
                "{what}: expected a problem saying {expected:?}, got:\n{problems}"
            ),
        }
    }
}

/// Where the counts Jenkins and GitLab show disagree with the testcases they sum up.
fn count_problems(xml: &str) -> Vec<String> {
    let root = xsd::parse(xml).expect("well-formed XML");
    let count = |node: &xsd::Node, key: &str| -> usize {
        node.attribute(key)
            .unwrap_or("0")
            .parse()
            .unwrap_or(usize::MAX)
    };
    let with = |suite: &xsd::Node, outcome: &str| {
        suite
            .children_named("testcase")
            .filter(|case| case.children_named(outcome).next().is_some())
            .count()
    };
    let mut problems = Vec::new();
    let mut totals = BTreeMap::<&str, usize>::new();
    for suite in root.children_named("testsuite") {
        let name = suite.attribute("name").unwrap_or("?");
        let actual = [
            ("tests", suite.children_named("testcase").count()),
            ("failures", with(suite, "failure")),
            ("errors", with(suite, "error")),
            ("skipped", with(suite, "skipped")),
        ];
        for (key, actual) in actual {
            *totals.entry(key).or_default() += actual;
            if count(suite, key) != actual {
                problems.push(format!(
                    "testsuite {name}: {key}={} but {actual} testcase(s)",
                    count(suite, key)
                ));
            }
        }
    }
    for (key, total) in totals {
        if count(&root, key) != total {
            problems.push(format!(
                "testsuites: {key}={} but the testsuites hold {total}",
                count(&root, key)
            ));
        }
    }
    problems
}

#[test]
fn the_counts_on_every_suite_and_the_root_agree_with_the_testcases() {
    assert_eq!(count_problems(&mixed_xml()), Vec::<String>::new());
    let empty = junit_string(&summary_of(vec![], true)).expect("serializes");
    assert_eq!(count_problems(&empty), Vec::<String>::new());
}

#[test]
fn the_count_check_catches_a_count_that_disagrees() {
    let xml = doctored(&[(
        r#"<testsuite name="users" tests="2""#,
        r#"<testsuite name="users" tests="3""#,
    )]);
    assert_eq!(
        count_problems(&xml),
        ["testsuite users: tests=3 but 2 testcase(s)",]
    );
    let xml = doctored(&[(r#"failures="1""#, r#"failures="0""#)]);
    assert_eq!(
        count_problems(&xml),
        ["testsuites: failures=0 but the testsuites hold 1"]
    );
}

/// What a JUnit consumer would count, read back with an XML parser.
#[derive(Debug, Default)]
struct Reading {
    root: BTreeMap<String, String>,
    suites: Vec<BTreeMap<String, String>>,
    /// testcase name -> child element names, in order
    cases: BTreeMap<String, Vec<String>>,
    /// testcase name -> its properties
    case_properties: BTreeMap<String, BTreeMap<String, String>>,
    /// testcase name -> text of each child element
    case_texts: BTreeMap<String, BTreeMap<String, String>>,
    /// testcase name -> attributes of the testcase and of its children, `child@attr`
    case_attributes: BTreeMap<String, BTreeMap<String, String>>,
}

fn attributes(element: &BytesStart) -> BTreeMap<String, String> {
    element
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .expect("unescapable value")
                .into_owned();
            (key, value)
        })
        .collect()
}

fn read(xml: &str) -> Reading {
    let mut reader = Reader::from_str(xml);
    let mut reading = Reading::default();
    let mut stack: Vec<String> = Vec::new();
    let mut case = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (element, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = element {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let attrs = attributes(e);
            match (name.as_str(), stack.last().map(String::as_str)) {
                ("testsuites", _) => reading.root = attrs,
                ("testsuite", _) => reading.suites.push(attrs),
                ("testcase", _) => {
                    case = attrs["name"].clone();
                    reading.cases.insert(case.clone(), vec![]);
                    reading.case_attributes.insert(case.clone(), attrs);
                }
                ("property", Some("properties")) if stack.iter().any(|s| s == "testcase") => {
                    reading
                        .case_properties
                        .entry(case.clone())
                        .or_default()
                        .insert(attrs["name"].clone(), attrs["value"].clone());
                }
                (child, Some("testcase")) => {
                    reading
                        .cases
                        .entry(case.clone())
                        .or_default()
                        .push(child.into());
                    let all = reading.case_attributes.entry(case.clone()).or_default();
                    for (k, v) in attrs {
                        all.insert(format!("{child}@{k}"), v);
                    }
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
        }
        match event {
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) if stack.len() >= 2 && stack[stack.len() - 2] == "testcase" => {
                let text = t.decode().expect("decodable text");
                let text = quick_xml::escape::unescape(&text).expect("unescapable text");
                let child = stack.last().cloned().unwrap_or_default();
                reading
                    .case_texts
                    .entry(case.clone())
                    .or_default()
                    .entry(child)
                    .or_default()
                    .push_str(&text);
            }
            Event::GeneralRef(r) if stack.len() >= 2 && stack[stack.len() - 2] == "testcase" => {
                // quick-xml reports entity references (&lt; ...) apart from the text.
                let entity = format!("&{};", r.decode().expect("decodable reference"));
                let text = quick_xml::escape::unescape(&entity).expect("known entity");
                let child = stack.last().cloned().unwrap_or_default();
                reading
                    .case_texts
                    .entry(case.clone())
                    .or_default()
                    .entry(child)
                    .or_default()
                    .push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    reading
}

fn count(reading: &Reading, child: &str) -> usize {
    reading
        .cases
        .values()
        .filter(|children| children.iter().any(|c| c == child))
        .count()
}

#[test]
fn counts_read_back_match_the_run_and_deviations_are_not_failures() {
    let reading = read(&mixed_xml());

    assert_eq!(reading.cases.len(), 5);
    assert_eq!(count(&reading, "failure"), 1, "only the real failure");
    assert_eq!(count(&reading, "error"), 1);
    assert_eq!(count(&reading, "skipped"), 1);
    for (attribute, expected) in [
        ("tests", "5"),
        ("failures", "1"),
        ("errors", "1"),
        ("skipped", "1"),
    ] {
        assert_eq!(reading.root[attribute], expected, "testsuites@{attribute}");
    }
    let suite_tests: usize = reading
        .suites
        .iter()
        .map(|s| s["tests"].parse::<usize>().unwrap_or(0))
        .sum();
    assert_eq!(suite_tests, 5);

    // One testsuite per area, in the order the areas first finished.
    let names: Vec<&str> = reading.suites.iter().map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["users", "groups", "bulk", "discovery"]);
    let users = &reading.suites[0];
    assert_eq!(
        (users["tests"].as_str(), users["failures"].as_str()),
        ("2", "0")
    );
    assert_eq!(users["timestamp"], STARTED_AT);

    let deviation = &reading.cases["users.create.duplicate"];
    assert!(!deviation.iter().any(|c| c == "failure" || c == "error"));
    assert_eq!(
        reading.case_properties["users.create.duplicate"]["deviation"],
        "Acme answers a uniqueness conflict with 500 (documented)"
    );
    let out = &reading.case_texts["users.create.duplicate"]["system-out"];
    assert!(out.starts_with("known deviation: Acme answers"), "{out}");
    assert!(out.contains("expected 409, got 500"), "{out}");
}

#[test]
fn a_failure_carries_its_summary_type_and_every_rendered_failure() {
    let reading = read(&mixed_xml());
    let attrs = &reading.case_attributes["groups.patch.add-member"];
    assert_eq!(attrs["classname"], "groups");
    assert_eq!(attrs["time"], "0.063");
    assert_eq!(attrs["failure@type"], "conformance");
    assert_eq!(
        attrs["failure@message"],
        r#"add member: body.members[value eq "u-1"]: expected present, got absent (and 1 more)"#
    );
    let text = &reading.case_texts["groups.patch.add-member"];
    assert!(text["failure"].contains("48 |"), "{}", text["failure"]);
    assert!(text["failure"].contains("49 |"), "{}", text["failure"]);
    // The transcript, with the body's XML-hostile text intact after escaping.
    assert!(text["system-out"].contains(r#""note":"a < b & c > d""#));
    assert!(text["system-out"].contains("authorization: Bearer [REDACTED]"));
    assert_eq!(
        text["system-err"],
        "cleanup: DELETE /Groups/g-1 answered 500\nleft on the target: http://127.0.0.1:8080/scim/v2/Groups/g-1: DELETE answered 500; GET answered 200\n"
    );
}

#[test]
fn testcases_carry_severity_requirements_tags_and_file() {
    let reading = read(&mixed_xml());
    let properties = &reading.case_properties["users.create.basic"];
    assert_eq!(properties["severity"], "must");
    assert_eq!(properties["requirement"], "RFC7644-3.3, RFC7643-3.1");
    assert_eq!(properties["tags"], "users, create");
    assert_eq!(properties["file"], "builtin:core/users.yaml");
    assert_eq!(
        reading.case_properties["discovery.schemas"]["severity"],
        "must"
    );
}

#[test]
fn passing_and_skipped_testcases_carry_no_transcript() {
    let reading = read(&mixed_xml());
    assert_eq!(reading.cases["users.create.basic"], ["properties"]);
    assert_eq!(reading.cases["bulk.basic"], ["properties", "skipped"]);
    assert_eq!(
        reading.case_attributes["bulk.basic"]["skipped@message"],
        "capability `bulk` not advertised by /ServiceProviderConfig"
    );
}

#[test]
fn an_error_is_reported_as_error_with_its_transcript() {
    let reading = read(&mixed_xml());
    assert_eq!(
        reading.cases["discovery.schemas"],
        ["properties", "error", "system-out"]
    );
    let text = &reading.case_texts["discovery.schemas"]["system-out"];
    assert!(text.contains("# no response after 30000 ms: operation timed out"));
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn write_junit_creates_missing_directories_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("reports/nested/junit.xml");
    write_junit(&mixed_run(), &path).expect("written");
    assert_eq!(fs::read_to_string(&path).expect("readable"), mixed_xml());
    assert_eq!(leftovers(&dir.path().join("reports/nested")), ["junit.xml"]);
}

#[test]
fn write_junit_replaces_an_earlier_report_whole() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("junit.xml");
    fs::write(&path, "x".repeat(100_000)).expect("old report");
    write_junit(&summary_of(vec![passed()], false), &path).expect("written");
    let text = fs::read_to_string(&path).expect("readable");
    assert!(text.starts_with("<?xml") && text.trim_end().ends_with("</testsuites>"));
    assert_eq!(leftovers(dir.path()), ["junit.xml"]);
}

#[test]
fn write_junit_to_a_directory_is_refused_and_touches_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let error = write_junit(&mixed_run(), dir.path()).expect_err("a directory");
    assert!(matches!(error, ReportError::IsDirectory { .. }), "{error}");
    assert!(error.to_string().contains("is a directory"));
    assert!(leftovers(dir.path()).is_empty());
}
