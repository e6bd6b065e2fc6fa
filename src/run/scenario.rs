//! One scenario: its steps in order, captures, the outcome, and the cleanup at the end.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::cleanup::{self, Cleaned};
use super::held::Held;
use super::ledger::CleanupLedger;
use super::pool::{Made, Pool};
use super::request;
use super::template::run_prefix;
use super::template::{RenderContext, StepRecord};
use super::unwind::{catching_panics, internal_error};
use crate::check::latitude::{self, Judged};
use crate::check::{Failed, ResponseBody, SchemaSet, check_response};
use crate::client::{Client, HttpResponse, Redactor};
use crate::plan::{PlannedScenario, Skip};
use crate::profile::Adapter;
use crate::result::{
    CheckFailure, Exchange, Outcome, ScenarioResult, SkipCause, failure_fails_run,
};
use crate::suite::model::{Body, Capture, CaptureSource, Scenario, Step};

/// What every scenario of a run shares.
#[derive(Debug)]
pub struct RunEnv {
    pub client: Arc<Client>,
    pub schemas: Arc<SchemaSet>,
    pub run_id: String,
    pub vars: BTreeMap<String, Value>,
    pub keep: bool,
    pub strict: bool,
    pub cancel: CancellationToken,
    /// Cleanup gives up too (see `ExecuteOptions::abandon`).
    pub abandon: CancellationToken,
    pub held: Held,
    /// The product's dialect, create template, field allow-list and cleanup mode.
    pub adapter: Arc<Adapter>,
    /// Numbers the `unique.*` values of the whole run.
    pub counter: AtomicU64,
    /// The shared fixtures, created on first use.
    pub pool: Pool,
    /// With Bulk cleanup: each scenario's ledger, by scenario id, cleaned up at the end
    /// of the run instead of after the scenario.
    pub deferred: Option<Mutex<Vec<(String, CleanupLedger)>>>,
}

pub fn lock_deferred<T>(deferred: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    deferred
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How the steps ended, before known deviations are applied.
enum StepsEnd {
    Passed,
    Failed(Vec<CheckFailure>),
    Errored(String),
    /// The target made a choice the RFCs allow that leaves the feature unjudgeable.
    Skipped(String),
    /// A setup step failed: the feature was never reached.
    Blocked {
        precondition: String,
        failures: Vec<CheckFailure>,
    },
}

/// What the steps leave behind, kept outside the steps' future so that even a panic in
/// it cannot lose the ledger.
struct Trail {
    ledger: CleanupLedger,
    exchanges: Vec<Exchange>,
    /// Failures the RFCs' latitude excused, one sentence each.
    excused: Vec<String>,
    /// What the report says besides the exchanges: a read judged on a write's answer.
    notes: Vec<String>,
}

type SharedTrail = Arc<Mutex<Trail>>;

fn lock(trail: &SharedTrail) -> std::sync::MutexGuard<'_, Trail> {
    trail
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A result for a scenario that did not run.
pub fn skipped(planned: &PlannedScenario, skip: Skip) -> ScenarioResult {
    result(
        planned,
        Outcome::Skip {
            reason: skip.reason,
            cause: skip.cause,
        },
        Default::default(),
        Vec::new(),
        Cleaned::default(),
    )
}

/// Runs the scenario's steps, then its cleanup (always, unless `keep`).
pub async fn run(planned: &PlannedScenario, env: Arc<RunEnv>) -> ScenarioResult {
    let started = Instant::now();
    let scenario = planned.scenario.clone();
    let trail: SharedTrail = Arc::new(Mutex::new(Trail {
        ledger: CleanupLedger::new(run_prefix(&env.run_id), env.held.clone()),
        exchanges: Vec::new(),
        excused: Vec::new(),
        notes: Vec::new(),
    }));
    let steps = run_steps(scenario.clone(), env.clone(), trail.clone());
    let end = match catching_panics(steps).await {
        Ok(end) => end,
        Err(e) => StepsEnd::Errored(internal_error(&e)),
    };
    let (mut exchanges, ledger, excused, notes) = {
        let mut trail = lock(&trail);
        (
            std::mem::take(&mut trail.exchanges),
            std::mem::take(&mut trail.ledger),
            std::mem::take(&mut trail.excused),
            std::mem::take(&mut trail.notes),
        )
    };
    let mut cleaned = if env.keep {
        cleanup::kept(&ledger)
    } else if let Some(deferred) = &env.deferred {
        lock_deferred(deferred).push((scenario.id.clone(), ledger));
        Cleaned::default()
    } else {
        cleanup::clean_up(ledger, &env.client, &env.adapter, &env.abandon).await
    };
    exchanges.append(&mut cleaned.exchanges);
    let outcome = match (end, planned.known_deviation.clone()) {
        // Everything required held, but what the scenario is about was excused: saying
        // it passed would claim more than was seen.
        (StepsEnd::Passed, _) if !excused.is_empty() => Outcome::Skip {
            reason: excused.join("; "),
            cause: SkipCause::Latitude,
        },
        (StepsEnd::Passed, _) => Outcome::Pass,
        (StepsEnd::Skipped(reason), _) => Outcome::Skip {
            reason,
            cause: SkipCause::Latitude,
        },
        (
            StepsEnd::Blocked {
                precondition,
                failures,
            },
            _,
        ) => Outcome::Blocked {
            precondition,
            failures,
        },
        (StepsEnd::Failed(failures), Some(reason)) => Outcome::Deviation { failures, reason },
        (StepsEnd::Failed(failures), None) if failure_fails_run(planned.severity, env.strict) => {
            Outcome::Fail { failures }
        }
        (StepsEnd::Failed(failures), None) => Outcome::Warn { failures },
        (StepsEnd::Errored(message), _) => Outcome::Error { message },
    };
    ScenarioResult {
        notes,
        ..result(planned, outcome, started.elapsed(), exchanges, cleaned)
    }
}

fn result(
    planned: &PlannedScenario,
    outcome: Outcome,
    duration: std::time::Duration,
    exchanges: Vec<Exchange>,
    cleaned: Cleaned,
) -> ScenarioResult {
    let scenario = &planned.scenario;
    ScenarioResult {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        area: scenario.area.clone(),
        severity: planned.severity,
        requirement: scenario.requirement.clone(),
        tags: scenario.tags.clone(),
        file: scenario.loc.file.name.clone(),
        outcome,
        duration,
        exchanges,
        cleanup_errors: cleaned.problems,
        leftovers: cleaned.leftovers,
        notes: Vec::new(),
    }
}

async fn run_steps(scenario: Arc<Scenario>, env: Arc<RunEnv>, trail: SharedTrail) -> StepsEnd {
    let redactor = env.client.redactor().clone();
    let mut ctx = RenderContext::new(&env.run_id, &env.counter, &env.vars);
    if let Err(problem) = ctx.declare_vars(&scenario.vars) {
        let failure = Failed::new("vars", "variables the templates can render", problem)
            .at("(scenario)", &scenario.loc);
        return StepsEnd::Failed(vec![redact_failure(&redactor, failure)]);
    }
    let mut written = Written::for_scenario(&scenario);
    for step in &scenario.steps {
        if env.cancel.is_cancelled() {
            return StepsEnd::Errored(format!("run interrupted before step `{}`", step.name));
        }
        match run_step(step, &scenario, &env, &mut ctx, &trail, &mut written).await {
            Ok(()) => {}
            Err(StepsEnd::Failed(failures)) => {
                let request = request_shape(step);
                let failures = failures
                    .into_iter()
                    .map(|f| CheckFailure {
                        request: request.clone(),
                        ..redact_failure(&redactor, f)
                    })
                    .collect();
                if step.setup {
                    return StepsEnd::Blocked {
                        precondition: format!(
                            "setup step `{}` ({request}) did not succeed",
                            step.name
                        ),
                        failures,
                    };
                }
                return StepsEnd::Failed(failures);
            }
            Err(end) => return end,
        }
    }
    StepsEnd::Passed
}

async fn run_step(
    step: &Step,
    scenario: &Scenario,
    env: &RunEnv,
    ctx: &mut RenderContext<'_>,
    trail: &SharedTrail,
    written: &mut Written,
) -> Result<(), StepsEnd> {
    if let Some(wait) = step.wait {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = env.cancel.cancelled() => {
                return Err(StepsEnd::Errored(format!(
                    "run interrupted while step `{}` waited",
                    step.name
                )));
            }
        }
    }
    if let Some(write) = written.reread_by(step)
        && let Some(captures) = judged_on_write(step, write, env, ctx)
    {
        for (name, value) in captures {
            ctx.capture(&name, value);
        }
        lock(trail).notes.push(format!(
            "step `{}` was judged on the answer to step `{}`, which carried the whole \
             resource (RFC 7644 3.5.1, 3.5.2): no GET was sent",
            step.name, write.step
        ));
        return Ok(());
    }
    let (rendered, response, body, screened) = match &step.shared {
        Some(name) => shared_answer(name, step, env, trail).await?,
        None => sent_answer(step, env, ctx, trail).await?,
    };
    // From here on the response may be quoted in failures and kept for later steps: if
    // it echoes a secret, the secret goes before anything can quote or cut it. An answer
    // its record shows clean (`screened`) was scanned whole already.
    let echoed = if screened {
        None
    } else {
        echoing_secrets(env.client.redactor(), &response, &body)
    };
    let (response, body) = match &echoed {
        Some((response, body)) => (response, body),
        None => (&response, &body),
    };
    ctx.record_step(
        &step.name,
        StepRecord::new(
            rendered.request.headers.clone(),
            rendered.body_value.as_ref(),
            rendered.request.body.as_ref().map_or(0, Vec::len),
            response,
            body,
        ),
    );
    written.keep(step, &rendered.request.path, response, body);
    let failures = check_response(
        &step.name,
        &step.expect,
        response,
        body,
        &env.schemas,
        &*ctx,
    );
    if !failures.is_empty() {
        let attempt = latitude::Attempt {
            method: &rendered.request.method,
            path: &rendered.request.path,
            query: &rendered.request.query,
            request_body: rendered.body_value.as_deref(),
            expected_status: step
                .expect
                .status
                .as_ref()
                .map_or(&[][..], |s| s.any_of.as_slice()),
            status: response.status,
            body,
            requirements: &scenario.requirement,
        };
        match latitude::judge(&attempt, failures) {
            Judged::Skip(reason) => return Err(StepsEnd::Skipped(reason)),
            Judged::Stands { failures, excused } => {
                lock(trail).excused.extend(excused);
                if !failures.is_empty() {
                    let failures = failures.into_iter().map(|f| located(f, step)).collect();
                    return Err(StepsEnd::Failed(reproducible(failures, env, &rendered)));
                }
            }
        }
    }
    for capture in &step.capture {
        let value = captured(capture, response, body).map_err(|failed| {
            let failures = vec![failed.at(&step.name, &capture.loc)];
            StepsEnd::Failed(reproducible(failures, env, &rendered))
        })?;
        ctx.capture(&capture.name, value);
    }
    Ok(())
}

/// The answers of the PUT and PATCH steps a later step rereads (`rereads:`), by step.
struct Written {
    wanted: Vec<String>,
    answers: Vec<WriteAnswer>,
}

struct WriteAnswer {
    step: String,
    path: String,
    response: HttpResponse,
    body: ResponseBody,
}

impl Written {
    fn for_scenario(scenario: &Scenario) -> Written {
        Written {
            wanted: scenario
                .steps
                .iter()
                .filter_map(|s| s.rereads.as_ref().map(|r| r.value.clone()))
                .collect(),
            answers: Vec::new(),
        }
    }

    fn keep(&mut self, step: &Step, path: &str, response: &HttpResponse, body: &ResponseBody) {
        if !self.wanted.contains(&step.name) {
            return;
        }
        self.answers.retain(|a| a.step != step.name);
        self.answers.push(WriteAnswer {
            step: step.name.clone(),
            path: path.to_owned(),
            response: response.clone(),
            body: body.clone(),
        });
    }

    fn reread_by(&self, step: &Step) -> Option<&WriteAnswer> {
        let rereads = step.rereads.as_ref()?;
        self.answers.iter().find(|a| a.step == rereads.value)
    }
}

/// The captures of a step that rereads a write, when the write's answer is the resource
/// the step reads (a 2xx SCIM resource whose id is the path's last segment, at the same
/// path) and passes every check of the step; None sends the GET, so a server is never
/// failed on the write's answer alone.
fn judged_on_write(
    step: &Step,
    write: &WriteAnswer,
    env: &RunEnv,
    ctx: &mut RenderContext<'_>,
) -> Option<Vec<(String, Value)>> {
    let rendered = request::render(step, ctx, env.client.base_url()).ok()?;
    if rendered.request.path != write.path || !(200..300).contains(&write.response.status) {
        return None;
    }
    let resource = write.body.json()?;
    let id = resource.get("id")?.as_str()?;
    let last_segment = write.path.rsplit('/').next()?;
    if resource.get("schemas").is_none() || crate::client::encode_segment(id) != last_segment {
        return None;
    }
    ctx.record_step(
        &step.name,
        StepRecord::new(
            rendered.request.headers.clone(),
            None,
            0,
            &write.response,
            &write.body,
        ),
    );
    let failures = check_response(
        &step.name,
        &step.expect,
        &write.response,
        &write.body,
        &env.schemas,
        &*ctx,
    );
    if !failures.is_empty() {
        return None;
    }
    step.capture
        .iter()
        .map(|capture| {
            captured(capture, &write.response, &write.body)
                .ok()
                .map(|value| (capture.name.clone(), value))
        })
        .collect()
}

/// Sends a request the dialect rewrote and tallies how the server took what it needed.
pub(super) async fn send_tallying(
    env: &RunEnv,
    request: &crate::client::HttpRequest,
    needs: &[crate::profile::Need],
) -> crate::client::Sent {
    let sent = env.client.send_until(request, &env.cancel).await;
    if !needs.is_empty() {
        let status = sent.outcome.as_ref().ok().map(|response| response.status);
        env.adapter.tally.record(needs, status);
    }
    sent
}

/// Sends the step's request, records what it created or deleted, and gives back the
/// answer to judge, and whether its record shows it holds no secret.
async fn sent_answer(
    step: &Step,
    env: &RunEnv,
    ctx: &RenderContext<'_>,
    trail: &SharedTrail,
) -> Result<(request::Rendered, HttpResponse, ResponseBody, bool), StepsEnd> {
    if let Some(Body::Json(body)) = &step.request.body
        && let Some(reason) = ctx.oversized_repeat(body)
    {
        return Err(StepsEnd::Skipped(reason));
    }
    let mut rendered = request::render(step, ctx, env.client.base_url()).map_err(|problem| {
        StepsEnd::Failed(vec![
            Failed::new("request", "a request the templates can render", problem)
                .at(&step.name, &step.request.loc),
        ])
    })?;
    let needs = request::adapt(&mut rendered, step, &env.adapter).map_err(StepsEnd::Skipped)?;
    let sent = send_tallying(env, &rendered.request, &needs).await;
    let shown_url = sent.exchanges.last().map(|e| e.url.clone());
    let screened = sent
        .exchanges
        .last()
        .is_some_and(crate::client::recorded_without_secrets);
    let answer = sent.outcome.map(|response| {
        let body = ResponseBody::parse(&response).normalized();
        (response, body)
    });
    {
        let mut trail = lock(trail);
        trail.exchanges.extend(sent.exchanges);
        if step.track_created {
            trail.ledger.record(
                &env.client,
                &rendered.request,
                rendered.body_value.as_deref(),
                answer.as_ref().map(|(response, body)| (response, body)),
            );
        }
        if let Ok((response, _)) = &answer {
            let method = rendered.request.method.as_str();
            if method.eq_ignore_ascii_case("DELETE") && (200..300).contains(&response.status) {
                trail.ledger.deleted(&response.url);
            }
            if method.eq_ignore_ascii_case("GET") && matches!(response.status, 404 | 410) {
                trail.ledger.seen_gone(&response.url);
            }
        }
    }
    if sent.interrupted {
        return Err(StepsEnd::Errored(format!(
            "run interrupted while step `{}` waited to retry",
            step.name
        )));
    }
    let (response, body) = answer.map_err(|e| {
        let place = shown_url
            .map(|url| format!("{} {url}", rendered.request.method))
            .unwrap_or_else(|| rendered.request.method.clone());
        StepsEnd::Errored(format!("step `{}`: {place}: {e}", step.name))
    })?;
    Ok((rendered, response, body, screened))
}

/// The answer to the run's one create of a shared fixture (sent now if this is its
/// first use), and whether its record shows it holds no secret; a create that got no
/// answer blocks every scenario that uses it.
async fn shared_answer(
    name: &str,
    step: &Step,
    env: &RunEnv,
    trail: &SharedTrail,
) -> Result<(request::Rendered, HttpResponse, ResponseBody, bool), StepsEnd> {
    let (made, exchanges) = env.pool.made(name, step, env).await;
    lock(trail).exchanges.extend(exchanges);
    match &*made {
        Made::Answered {
            request,
            body_value,
            response,
            body,
            screened,
        } => Ok((
            request::Rendered {
                request: request.clone(),
                body_value: body_value.clone(),
            },
            response.clone(),
            body.clone(),
            *screened,
        )),
        Made::Refused(reason) => Err(StepsEnd::Skipped(reason.clone())),
        // No answer to judge, as when a scenario's own request gets none: an error.
        Made::Failed(problem) => Err(StepsEnd::Errored(format!(
            "the shared fixture `{name}` could not be created: {problem}"
        ))),
    }
}

/// The failures of a step that sent its request, each with the command that sends it
/// again.
fn reproducible(
    failures: Vec<CheckFailure>,
    env: &RunEnv,
    rendered: &request::Rendered,
) -> Vec<CheckFailure> {
    let curl = env.client.curl(&rendered.request);
    failures
        .into_iter()
        .map(|f| CheckFailure {
            curl: curl.clone(),
            ..f
        })
        .collect()
}

/// A failure the latitude rules wrote is placed at the step's request.
fn located(failure: CheckFailure, step: &Step) -> CheckFailure {
    if !failure.location.is_empty() {
        return failure;
    }
    Failed::new(failure.subject, failure.expected, failure.actual).at(&step.name, &step.request.loc)
}

pub(super) fn captured(
    capture: &Capture,
    response: &HttpResponse,
    body: &ResponseBody,
) -> Result<Value, Failed> {
    let subject = format!("capture {}", capture.name);
    match &capture.source {
        CaptureSource::Status => Ok(Value::from(response.status)),
        CaptureSource::Header(name) => response
            .header(name)
            .map(Value::String)
            .ok_or_else(|| Failed::new(subject, format!("a `{name}` header to capture"), "absent")),
        CaptureSource::Body(path) => {
            let expected = format!("a value at body.{path} to capture");
            let json = match body {
                ResponseBody::Json(json) => json,
                ResponseBody::NotJson(what) => {
                    return Err(Failed::new(subject, expected, what.clone()));
                }
            };
            let selected = crate::scim::select(json, &path.parsed);
            match selected.values.as_slice() {
                [one] if !one.is_null() => Ok((*one).clone()),
                [] | [_] => Err(Failed::new(subject, expected, "absent")),
                // Several values (through a filter or a multi-valued attribute): the list.
                many => Ok(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
            }
        }
    }
}

/// The response with every secret it echoes replaced, or None when it echoes none (the
/// usual case, which costs one scan).
pub(super) fn echoing_secrets(
    redactor: &Redactor,
    response: &HttpResponse,
    body: &ResponseBody,
) -> Option<(HttpResponse, ResponseBody)> {
    let echoes = redactor.holds_secret(&response.body)
        || response.headers.iter().any(|(k, v)| {
            redactor.holds_secret(k.as_bytes()) || redactor.holds_secret(v.as_bytes())
        });
    if !echoes {
        return None;
    }
    let shown = HttpResponse {
        url: redactor.secrets_out(&response.url),
        status: response.status,
        headers: response
            .headers
            .iter()
            .map(|(k, v)| (redactor.secrets_out(k), redactor.secrets_out(v)))
            .collect(),
        body: redactor
            .secrets_out(&String::from_utf8_lossy(&response.body))
            .into_bytes(),
    };
    let body = match body {
        ResponseBody::Json(value) => ResponseBody::Json(Arc::new(redactor.value(value))),
        ResponseBody::NotJson(_) => ResponseBody::parse(&shown),
    };
    Some((shown, body))
}

/// `GET /Users/{{ user }}`: the step's request as the scenario writes it.
fn request_shape(step: &Step) -> String {
    format!("{} {}", step.request.method, step.request.path.shape())
}

/// Check failures may quote bodies and headers: they go through the target's redactor.
fn redact_failure(redactor: &Redactor, failure: CheckFailure) -> CheckFailure {
    CheckFailure {
        step: failure.step,
        subject: failure.subject,
        expected: redactor.text(&failure.expected),
        actual: redactor.text(&failure.actual),
        location: failure.location,
        rendered: redactor.text(&failure.rendered),
        request: failure.request,
        hint: failure.hint.map(|h| redactor.text(&h)),
        // Already redacted by the client; once more costs little and makes it certain.
        curl: failure.curl.map(|c| redactor.secrets_out(&c)),
    }
}
