//! The client judge against recorded request sequences (tests/fixtures/judge/sequences.yaml),
//! sent over real HTTP to a judged reference server: one test per conformant sequence (no
//! finding at all) and one per rule (exactly that rule's finding, for the offending
//! request, with the rule's reference and level). A last test checks that every rule the
//! judge knows has a sequence that breaks it.

#[path = "support/mod.rs"]
mod support;

use support::judge as judged;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use judged::{Judged, Step, faults_at, fill, redeclare, require_extensions};
use libtest_mimic::{Arguments, Failed, Trial};
use scimcheck::judge::{RuleBook, Schedule, ids};
use serde::Deserialize;
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/judge/sequences.yaml"
);
/// How long an injected timeout holds its answer in these tests.
const HOLD: Duration = Duration::from_millis(150);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    conformant: Vec<Case>,
    violations: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: Option<String>,
    rule: Option<String>,
    steps: Vec<Step>,
    offending: Option<usize>,
    part: Option<String>,
    profile: Option<String>,
    #[serde(default)]
    inject: BTreeMap<u64, String>,
    #[serde(default)]
    declare: BTreeMap<String, Value>,
    #[serde(default)]
    require_extensions: bool,
}

fn main() {
    let args = Arguments::from_args();
    let text = std::fs::read_to_string(FIXTURE).expect("the fixture is readable");
    let fixture: Fixture = serde_saphyr::from_str(&text).expect("the fixture parses");
    let mut trials = Vec::new();
    for case in fixture.conformant.clone() {
        let name = format!("conformant: {}", case.name.clone().unwrap_or_default());
        trials.push(Trial::test(name, move || conformant(&case)));
    }
    let broken: BTreeSet<String> = fixture
        .violations
        .iter()
        .filter_map(|c| c.rule.clone())
        .collect();
    for case in fixture.violations {
        let mut name = format!("breaks {}", case.rule.clone().unwrap_or_default());
        if let Some(what) = &case.name {
            name.push_str(&format!(" ({what})"));
        }
        trials.push(Trial::test(name, move || violation(&case)));
    }
    trials.push(Trial::test(
        "every rule of the judge has a sequence that breaks it",
        move || every_rule_is_covered(&broken),
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn judged(case: &Case) -> Judged {
    let faults = if case.inject.is_empty() {
        Schedule::None
    } else {
        faults_at(&case.inject, HOLD)
    };
    let declare = case.declare.clone();
    let require = case.require_extensions;
    Judged::start_with(case.profile.as_deref(), faults, move |published| {
        for (attribute, declaration) in &declare {
            redeclare(published, attribute, declaration);
        }
        if require {
            require_extensions(published);
        }
    })
    .await
}

fn conformant(case: &Case) -> Result<(), Failed> {
    runtime().block_on(async {
        let server = judged(case).await;
        server.send_all(&case.steps).await;
        let judgement = server.judge.close();
        let findings: Vec<String> = judgement.findings().map(|f| f.render()).collect();
        if findings.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "a conformant sequence gave {} finding(s):\n{}",
                findings.len(),
                findings.join("\n")
            )
            .into())
        }
    })
}

fn violation(case: &Case) -> Result<(), Failed> {
    let rule = case.rule.clone().ok_or("a violation names its rule")?;
    let offending = case
        .offending
        .ok_or("a violation names its offending step")?;
    runtime().block_on(async {
        let server = judged(case).await;
        let sent = server.send_all(&case.steps).await;
        let judgement = server.judge.close();
        let findings: Vec<_> = judgement.findings().cloned().collect();
        let rendered: Vec<String> = findings.iter().map(|f| f.render()).collect();
        let [finding] = findings.as_slice() else {
            return Err(format!(
                "expected exactly one finding of {rule}, got {}:\n{}",
                findings.len(),
                rendered.join("\n")
            )
            .into());
        };
        let step = &case.steps[offending];
        let path = fill(&step.path, &sent[..offending]);
        let path = path.split('?').next().unwrap_or_default();
        let checks = [
            (finding.rule == rule, format!("rule {}", finding.rule)),
            (
                finding.request.seq == offending as u64 + 1,
                format!("request #{}", finding.request.seq),
            ),
            (
                finding.request.method == step.method,
                format!("method {}", finding.request.method),
            ),
            (
                finding
                    .request
                    .target
                    .starts_with(&format!("/scim/v2{path}")),
                format!("target {}", finding.request.target),
            ),
            (
                case.part.as_ref().is_none_or(|p| *p == finding.part),
                format!("part {}", finding.part),
            ),
        ];
        for (ok, what) in checks {
            if !ok {
                return Err(format!("wrong {what}:\n{}", finding.render()).into());
            }
        }
        let rules = server.judge.rules();
        let expected = rules.get(&rule).ok_or("the rule is in the rule book")?;
        if finding.reference != expected.reference || finding.level != expected.level {
            return Err(format!(
                "reference or level differ from the rule book ({}, {}):\n{}",
                expected.reference,
                expected.level.as_str(),
                finding.render()
            )
            .into());
        }
        if rule.starts_with("RFC764") && !finding.reference.starts_with("RFC 764") {
            return Err(format!("an RFC rule cites its section: {}", finding.reference).into());
        }
        if finding.exchange.is_none() {
            return Err("the finding carries its exchange".into());
        }
        Ok(())
    })
}

fn every_rule_is_covered(broken: &BTreeSet<String>) -> Result<(), Failed> {
    let talentech = scimcheck::profile::load("talentech")?;
    let talkdesk = scimcheck::profile::load("talkdesk")?;
    let mut missing: Vec<String> = ids::ALL
        .iter()
        .map(|id| (*id).to_owned())
        .chain(talentech.client_rules.iter().map(|r| r.id.clone()))
        .filter(|id| !broken.contains(id))
        .collect();
    missing.dedup();
    let _ = RuleBook::new(Some(&talkdesk))?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no sequence breaks {missing:?}").into())
    }
}
