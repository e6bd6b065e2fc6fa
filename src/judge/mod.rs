//! The client judge: the reference server, watching the SCIM client that talks to it.
//!
//! A [`Judge`] is a [`RequestHook`] for the reference server. Every request it sees is
//! checked against the client requirements of RFC 7643 and RFC 7644 (the `party: client`
//! entries of the requirement catalog), the HTTP and behaviour rules of
//! `suites/extra-requirements.catalog.yaml`, and the vendor profile's client rules. Each
//! broken rule becomes a [`Finding`] naming the request, the rule, its level and reference,
//! and the offending part of the request, secrets redacted. The judge can also inject
//! faults (429, 500, lost answers) and enforce the profile's declared rate, to show
//! whether the client copes. [`Judge::close`] ends the session with a [`Judgement`];
//! `summary` turns that into the report model `run` writes.

mod declared;
mod finding;
mod history;
mod inject;
mod request;
mod rulebook;
mod rules;
pub mod summary;
mod vendor;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

pub use declared::Declared;
pub use finding::{Finding, RequestRef, Verdict};
pub use inject::{DEFAULT_HOLD, Fault, Schedule, parse_faults};
pub use rulebook::{Rule, RuleBook, ids};

use crate::client::{RawExchange, Redactor};
use crate::profile::{ClientRule, Profile};
use crate::result::Exchange;
use crate::server::{Canned, Intervention, Published, RequestHook, SeenRequest, SeenResponse};
use history::History;
use inject::Injector;
use request::Incoming;

/// Everything a judge needs to know before the first request.
#[derive(Debug, Clone)]
pub struct JudgeConfig {
    /// The vendor profile: its client rules and declared rate.
    pub profile: Option<Profile>,
    /// What the judged server publishes for discovery.
    pub published: Published,
    /// The server's base path, e.g. `/scim/v2`.
    pub base_path: String,
    /// The bearer token clients send, so it can be kept out of every finding.
    pub secrets: Vec<String>,
    pub faults: Schedule,
}

/// Called with each finding as it is made (`serve --judge` prints them).
pub type FindingSink = Box<dyn Fn(&Finding) + Send + Sync>;

/// Judges the requests of a server's clients; see the module documentation.
pub struct Judge {
    rules: RuleBook,
    declared: Declared,
    vendor: Vec<ClientRule>,
    base_path: String,
    redactor: Redactor,
    closed: AtomicBool,
    state: Mutex<State>,
    sink: Option<FindingSink>,
}

#[derive(Debug)]
struct State {
    history: History,
    injector: Injector,
    findings: Vec<Finding>,
    exercised: BTreeSet<String>,
    injected: Vec<(u64, Fault)>,
    judged: HashSet<u64>,
    requests: u64,
    /// List requests whose next page is still owed, for findings at the end.
    open_lists: HashMap<u64, (RequestRef, Exchange)>,
}

/// How one rule came out.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    pub rule: Rule,
    /// No request gave the rule anything to check.
    pub exercised: bool,
    pub findings: Vec<Finding>,
}

/// The result of a judging session.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// Every rule, in report order.
    pub rules: Vec<RuleOutcome>,
    /// Requests judged.
    pub requests: u64,
    /// Faults injected, by request number.
    pub injected: Vec<(u64, Fault)>,
}

impl Judgement {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.rules.iter().flat_map(|r| r.findings.iter())
    }

    /// A rule of level `must` was broken.
    pub fn must_broken(&self) -> bool {
        self.findings()
            .any(|f| f.level == crate::catalog::Level::Must)
    }
}

impl Judge {
    pub fn new(config: JudgeConfig) -> Result<Judge, String> {
        let rules = RuleBook::new(config.profile.as_ref())?;
        let published = &config.published;
        let declared = Declared::from_json(
            &published.service_provider_config,
            &published.resource_types,
            &published.schemas,
        );
        let rate = config.profile.as_ref().and_then(|p| p.rate_limit);
        Ok(Judge {
            rules,
            declared,
            vendor: config.profile.map(|p| p.client_rules).unwrap_or_default(),
            base_path: crate::server::normalize_base_path(&config.base_path),
            redactor: Redactor::new(config.secrets, []),
            closed: AtomicBool::new(false),
            state: Mutex::new(State {
                history: History::new(rate),
                injector: Injector::new(config.faults),
                findings: Vec::new(),
                exercised: BTreeSet::new(),
                injected: Vec::new(),
                judged: HashSet::new(),
                requests: 0,
                open_lists: HashMap::new(),
            }),
            sink: None,
        })
    }

    /// Calls `sink` with every finding as soon as it is made.
    pub fn with_sink(mut self, sink: FindingSink) -> Self {
        self.sink = Some(sink);
        self
    }

    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    /// The findings so far.
    pub fn findings(&self) -> Vec<Finding> {
        self.lock().findings.clone()
    }

    /// Stops judging (later requests are served, unjudged and without faults) and gives
    /// the judgement, with the findings only the end can show (pages never followed).
    pub fn close(&self) -> Judgement {
        self.closed.store(true, Ordering::SeqCst);
        let mut state = self.lock();
        let pages: Vec<history::OpenPage> = state.history.open_pages().to_vec();
        for page in pages {
            let Some((request, exchange)) = state.open_lists.get(&page.seq).cloned() else {
                continue;
            };
            state.exercised.insert(ids::READS_ALL_PAGES.to_owned());
            let finding = self.finding(
                ids::READS_ALL_PAGES,
                finding::Violation {
                    rule: ids::READS_ALL_PAGES,
                    part: "paging".to_owned(),
                    found: format!(
                        "this page ended at result {} of {}; results {} to {} were never asked for",
                        page.next - 1,
                        page.total,
                        page.next,
                        page.total
                    ),
                    expected: format!(
                        "the same request with startIndex={} (and so on to the end)",
                        page.next
                    ),
                },
                request,
                Some(exchange),
            );
            if let Some(finding) = finding {
                if let Some(sink) = &self.sink {
                    sink(&finding);
                }
                state.findings.push(finding);
            }
        }
        let rules = self
            .rules
            .iter()
            .map(|rule| RuleOutcome {
                rule: rule.clone(),
                exercised: state.exercised.contains(&rule.id),
                findings: state
                    .findings
                    .iter()
                    .filter(|f| f.rule == rule.id)
                    .cloned()
                    .collect(),
            })
            .collect();
        Judgement {
            rules,
            requests: state.requests,
            injected: state.injected.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn finding(
        &self,
        rule_id: &str,
        violation: finding::Violation,
        request: RequestRef,
        exchange: Option<Exchange>,
    ) -> Option<Finding> {
        let rule = self.rules.get(rule_id)?;
        Some(Finding {
            rule: rule.id.clone(),
            level: rule.level,
            reference: rule.reference.clone(),
            request,
            part: violation.part,
            found: self.redactor.text(&violation.found),
            expected: self.redactor.text(&violation.expected),
            exchange,
        })
    }

    fn request_ref(&self, seen: &SeenRequest) -> RequestRef {
        let target = seen
            .uri
            .path_and_query()
            .map_or_else(|| seen.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        RequestRef {
            seq: seen.seq,
            method: seen.method.to_string(),
            target: self.redactor.text(&target),
            time: rfc3339_millis(seen.received),
        }
    }

    /// The exchange as reports show it: secrets and passwords out.
    fn exchange(&self, seen: &SeenRequest, answer: Option<&SeenResponse>) -> Exchange {
        let headers = |map: &axum::http::HeaderMap| {
            map.iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect()
        };
        let raw = RawExchange {
            step: format!("request #{}", seen.seq),
            method: seen.method.to_string(),
            url: seen.uri.to_string(),
            request_headers: headers(&seen.headers),
            request_body: (!seen.body.is_empty()).then(|| without_passwords(&seen.body)),
            request_body_len: seen.body.len(),
            status: answer.map(|a| a.status.as_u16()),
            response_headers: answer.map(|a| headers(&a.headers)).unwrap_or_default(),
            response_body: answer
                .filter(|a| !a.body.is_empty())
                .map(|a| without_passwords(&a.body)),
            response_body_len: answer.map_or(0, |a| a.body.len()),
            duration: answer
                .map(|a| a.sent.saturating_duration_since(seen.arrived))
                .unwrap_or_default(),
            error: None,
            attempt: 1,
        };
        self.redactor.exchange(&raw)
    }
}

impl RequestHook for Judge {
    fn arrived(&self, seen: &SeenRequest) -> Intervention {
        if self.closed.load(Ordering::SeqCst) {
            return Intervention::Serve;
        }
        let req = Incoming::read(seen, &self.declared, &self.base_path);
        let mut state = self.lock();
        state.requests += 1;
        state.judged.insert(seen.seq);
        let mut verdict = Verdict::default();
        rules::check(
            &req,
            &rules::Context {
                declared: &self.declared,
                history: &state.history,
            },
            &mut verdict,
        );
        state.history.duplicates(&req, &mut verdict);
        state
            .history
            .unseen_version(&req, self.declared.etag, &mut verdict);
        vendor::check(&req, &self.vendor, &mut verdict);
        let refused = state.history.pace(seen.arrived, seen.seq, &mut verdict);
        state.history.note_arrival(&req);
        let intervention = match refused {
            Some(wait) => rate_refusal(wait),
            None => match state.injector.next(req.writes()) {
                Some((fault, hold)) => {
                    state.injected.push((seen.seq, fault));
                    fault.intervention(hold)
                }
                None => Intervention::Serve,
            },
        };
        let request = self.request_ref(seen);
        let exchange = self.exchange(seen, None);
        state.exercised.extend(verdict.exercised.iter().cloned());
        let violations = verdict
            .violations
            .into_iter()
            .map(|v| (v.rule.to_owned(), v))
            .chain(verdict.vendor);
        for (rule, violation) in violations {
            if let Some(finding) =
                self.finding(&rule, violation, request.clone(), Some(exchange.clone()))
            {
                if let Some(sink) = &self.sink {
                    sink(&finding);
                }
                state.findings.push(finding);
            }
        }
        intervention
    }

    fn answered(&self, seen: &SeenRequest, answer: &SeenResponse, withheld: Option<&SeenResponse>) {
        let mut state = self.lock();
        if !state.judged.remove(&seen.seq) {
            return;
        }
        let req = Incoming::read(seen, &self.declared, &self.base_path);
        state.history.learn(&req, answer, withheld);
        let exchange = self.exchange(seen, Some(answer));
        for finding in state
            .findings
            .iter_mut()
            .filter(|f| f.request.seq == seen.seq)
        {
            finding.exchange = Some(exchange.clone());
        }
        if state.history.open_pages().iter().any(|p| p.seq == seen.seq) {
            let request = self.request_ref(seen);
            state.open_lists.insert(seen.seq, (request, exchange));
        }
    }
}

/// The vendor's own answer to a request beyond its declared rate.
fn rate_refusal(wait: Duration) -> Intervention {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    Intervention::Answer(Canned {
        status: StatusCode::TOO_MANY_REQUESTS,
        headers: vec![(RETRY_AFTER, HeaderValue::from(seconds))],
        body: json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "429",
            "detail": "too many requests: beyond the rate the profile declares",
        }),
    })
}

/// A JSON body with every `password` value replaced; other bodies as they are.
fn without_passwords(bytes: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            request::mask_passwords(&mut value);
            value.to_string().into_bytes()
        }
        Err(_) => bytes.to_vec(),
    }
}

fn rfc3339_millis(time: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from(time)
        .format(&format)
        .unwrap_or_default()
}

/// How a judged server is set up besides the server itself.
#[derive(Default)]
pub struct JudgeOptions {
    pub profile: Option<Profile>,
    pub faults: Option<Schedule>,
    pub sink: Option<FindingSink>,
}

/// Starts the reference server with a judge watching every request it receives. The
/// judge knows the server's token (to keep it out of findings) and what it publishes.
pub async fn start(
    mut server: crate::server::ServerConfig,
    options: JudgeOptions,
) -> Result<(crate::server::ServerHandle, std::sync::Arc<Judge>), String> {
    let config = JudgeConfig {
        profile: options.profile,
        published: crate::server::published(&server),
        base_path: server.base_path.clone(),
        secrets: server.token.iter().cloned().collect(),
        faults: options.faults.unwrap_or(Schedule::None),
    };
    let mut judge = Judge::new(config)?;
    if let Some(sink) = options.sink {
        judge = judge.with_sink(sink);
    }
    let judge = std::sync::Arc::new(judge);
    // A hook already there (a request log) keeps watching, beside the judge.
    server.hook = Some(crate::server::join_hooks(server.hook.take(), judge.clone()));
    let (host, port) = (server.host, server.port);
    let handle = crate::server::start(server)
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    Ok((handle, judge))
}
