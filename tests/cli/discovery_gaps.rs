//! Discovery that is missing or written in an unusual form never empties a run: the
//! standard endpoints are probed and their scenarios run, the report says so, and a run
//! that still judges too little says what blocked it.

use crate::support::cli;

use cli::{RefServer, finish, outcome, scenarios, scimcheck};
use scimcheck::exit;

const TOKEN: &str = "gaps-token-77c1";

#[test]
fn without_discovery_the_standard_endpoints_are_probed_and_their_scenarios_run() {
    let run = cli::run_json(&["--misbehave", "no-discovery"]).unwrap();
    let notices: Vec<&str> = run.report["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    for probed in ["GET /Users answers 200", "GET /Groups answers 200"] {
        assert!(
            notices.iter().any(|n| n.contains(probed)),
            "{probed} not in {notices:?}"
        );
    }
    for id in [
        "users.create.basic",
        "groups.create.basic",
        "users.read.by-id",
    ] {
        let scenario = scenarios(&run.report).find(|s| s["id"] == id).unwrap();
        assert_eq!(outcome(scenario), "pass", "{scenario}");
    }
    // The discovery defect fails the discovery scenarios and nothing else.
    for scenario in scenarios(&run.report).filter(|s| matches!(outcome(s), "fail" | "warn")) {
        let id = scenario["id"].as_str().unwrap_or_default();
        assert!(
            id.starts_with("discovery.") || id == "media-type.discovery-response",
            "{id} failed"
        );
    }
    // Too little could be judged, and the verdict says what stood in the way.
    let reasons = run.report["verdict"]["reasons"].to_string();
    assert!(
        reasons.contains("runnable scenarios were judged"),
        "{reasons}"
    );
    assert!(
        reasons.contains("capability unknown: patch (/ServiceProviderConfig answered 404)"),
        "{reasons}"
    );
    assert_eq!(run.finished.code, exit::CONFORMANCE_FAILURE);
    assert!(
        run.finished
            .stdout
            .contains("note: /ResourceTypes cannot be read, but GET /Users"),
        "{}",
        run.finished.stdout
    );
}

#[test]
fn resource_types_with_base_prefixed_or_absolute_endpoints_are_recognised() {
    for switch in ["endpoint-base-path", "endpoint-absolute"] {
        let server = RefServer::misbehaving(Some(TOKEN), switch);
        let mut command = scimcheck();
        command
            .args(["discover", "--url", &server.base, "--token-env", "TOK"])
            .args(["--format", "json"])
            .env("TOK", TOKEN);
        let out = finish(command);
        out.assert_code(exit::SUCCESS);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let capabilities = doc["capabilities"].to_string();
        assert!(
            capabilities.contains("\"users\"") && capabilities.contains("\"groups\""),
            "{switch}: {capabilities}"
        );
        assert!(!out.all().contains("probe"), "{switch}: {}", out.show());
    }
}
