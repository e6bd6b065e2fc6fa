//! Rendering templates of the scenario model into JSON values and strings.
//!
//! A string that is exactly one hole renders to the referenced value unchanged (a number
//! stays a number, an object an object); holes inside text are spelled out.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::check::{Resolve, ResponseBody};
use crate::client::{HttpResponse, encode_segment};
use crate::suite::model::{
    ExchangeSide, Expr, Repeat, StepPart, Template, TemplatePart, TemplateValue, UniqueKind,
};

/// A `unique.*` value is fixed per kind and label within a scenario.
type UniqueKey = (UniqueKind, Option<String>);

/// Largest request or response body kept for later `steps.NAME.*.body` references: far
/// above any SCIM resource, so a scenario's memory does not grow with what a hostile
/// server sends at every step, nor with a generated (`$repeat`) request body.
pub const KEPT_FOR_REFERENCES: usize = 1024 * 1024;

/// What one finished step leaves for later `steps.NAME...` references.
#[derive(Debug, Clone, Default)]
pub struct StepRecord {
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<Arc<Value>>,
    /// The size of a request body too large to keep (`KEPT_FOR_REFERENCES`).
    pub request_body_dropped: Option<usize>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<Arc<Value>>,
    /// The size of a response body too large to keep (`KEPT_FOR_REFERENCES`).
    pub response_body_dropped: Option<usize>,
}

impl StepRecord {
    /// `request_body_len`: the bytes sent for `request_body`.
    pub fn new(
        request_headers: Vec<(String, String)>,
        request_body: Option<&Arc<Value>>,
        request_body_len: usize,
        response: &HttpResponse,
        body: &ResponseBody,
    ) -> StepRecord {
        let request_too_large = request_body_len > KEPT_FOR_REFERENCES;
        let response_too_large = response.body.len() > KEPT_FOR_REFERENCES;
        StepRecord {
            request_headers,
            request_body: request_body.filter(|_| !request_too_large).cloned(),
            request_body_dropped: request_too_large.then_some(request_body_len),
            status: Some(response.status),
            response_headers: response.headers.clone(),
            response_body: match body {
                ResponseBody::Json(json) if !response_too_large => Some(Arc::clone(json)),
                _ => None,
            },
            response_body_dropped: response_too_large.then_some(response.body.len()),
        }
    }
}

/// Everything a template of one scenario can refer to.
#[derive(Debug)]
pub struct RenderContext<'r> {
    run_id: &'r str,
    /// Shared by all scenarios of the run, so generated values never repeat.
    counter: &'r AtomicU64,
    vars: BTreeMap<String, Value>,
    captures: BTreeMap<String, Value>,
    steps: HashMap<String, StepRecord>,
    uniques: Mutex<Vec<(UniqueKey, String)>>,
}

impl<'r> RenderContext<'r> {
    /// A context whose variables are the run's; `declare_vars` adds scenario defaults.
    pub fn new(
        run_id: &'r str,
        counter: &'r AtomicU64,
        run_vars: &BTreeMap<String, Value>,
    ) -> RenderContext<'r> {
        RenderContext {
            run_id,
            counter,
            vars: run_vars.clone(),
            captures: BTreeMap::new(),
            steps: HashMap::new(),
            uniques: Mutex::new(Vec::new()),
        }
    }

    /// Scenario defaults, in order, for every variable the run did not set.
    pub fn declare_vars(&mut self, defaults: &[(String, TemplateValue)]) -> Result<(), String> {
        for (name, default) in defaults {
            if self.vars.contains_key(name) {
                continue;
            }
            let value = self
                .value(default)
                .map_err(|e| format!("variable `{name}`: {e}"))?;
            self.vars.insert(name.clone(), value);
        }
        Ok(())
    }

    pub fn capture(&mut self, name: &str, value: Value) {
        self.captures.insert(name.to_owned(), value);
    }

    pub fn record_step(&mut self, name: &str, record: StepRecord) {
        self.steps.insert(name.to_owned(), record);
    }

    fn expr(&self, expr: &Expr) -> Result<Value, String> {
        match expr {
            Expr::Unique { kind, label } => Ok(Value::String(self.unique(*kind, label.clone()))),
            Expr::Uuid => Ok(Value::String(crate::scim::random_uuid().to_string())),
            Expr::Now => time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .map(Value::String)
                .map_err(|e| format!("cannot format the current time: {e}")),
            Expr::RunId => Ok(Value::String(self.run_id.to_owned())),
            Expr::Var(name) => self.vars.get(name).cloned().ok_or_else(|| {
                format!("variable `{name}` has no value (set it with --var {name}=...)")
            }),
            Expr::Capture(name) => self.captures.get(name).cloned().ok_or_else(|| {
                format!("`{name}` was not captured (the step that captures it did not run or did not capture it)")
            }),
            Expr::StepRef { step, side, part } => self.step_ref(step, *side, part),
        }
    }

    /// A request path. Each hole becomes one percent-encoded path segment (a query value
    /// after `?`), so a value the server chose, such as a captured id, can never add a
    /// segment, climb out with `..`, start a query or a fragment: `/Users/{{ user }}`
    /// only ever names one resource under `/Users`.
    pub fn path(&self, template: &Template) -> Result<String, String> {
        let mut out = String::new();
        let mut in_query = false;
        // Where holes landed in the path part, to check the segments they make.
        let mut holes = Vec::new();
        for part in &template.parts {
            match part {
                TemplatePart::Text(text) => {
                    in_query |= text.contains('?');
                    out.push_str(text);
                }
                TemplatePart::Expr(expr) => {
                    let start = out.len();
                    out.push_str(&encode_segment(&spelled(&self.expr(expr)?)));
                    if !in_query {
                        holes.push(start);
                    }
                }
            }
        }
        let path_end = out.find('?').unwrap_or(out.len());
        let mut segment_start = 0;
        for segment in out[..path_end].split('/') {
            let segment_end = segment_start + segment.len();
            let has_hole = holes
                .iter()
                .any(|h| (segment_start..=segment_end).contains(h));
            if has_hole && matches!(segment, "" | "." | "..") {
                return Err(format!(
                    "a value in the path makes the segment `{segment}`, which names no \
                     resource (an empty id, or `.`/`..` that would leave the collection)"
                ));
            }
            segment_start = segment_end + 1;
        }
        Ok(out)
    }

    fn unique(&self, kind: UniqueKind, label: Option<String>) -> String {
        let mut uniques = self
            .uniques
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (kind, label);
        if let Some((_, value)) = uniques.iter().find(|(k, _)| *k == key) {
            return value.clone();
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let value = unique_value(self.run_id, kind, n);
        uniques.push((key, value.clone()));
        value
    }

    fn step_ref(&self, step: &str, side: ExchangeSide, part: &StepPart) -> Result<Value, String> {
        let side_name = match side {
            ExchangeSide::Request => "request",
            ExchangeSide::Response => "response",
        };
        let record = self
            .steps
            .get(step)
            .ok_or_else(|| format!("step `{step}` has not run, so `steps.{step}` has no value"))?;
        let (headers, body) = match side {
            ExchangeSide::Request => (&record.request_headers, &record.request_body),
            ExchangeSide::Response => (&record.response_headers, &record.response_body),
        };
        match part {
            StepPart::Status => match (side, record.status) {
                (ExchangeSide::Response, Some(status)) => Ok(Value::from(status)),
                _ => Err(format!("steps.{step}.{side_name} has no status")),
            },
            StepPart::Header(name) => headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| Value::String(v.clone()))
                .ok_or_else(|| format!("steps.{step}.{side_name} has no header `{name}`")),
            StepPart::Body(path) => {
                let where_ = format!("steps.{step}.{side_name}.body");
                let dropped = match side {
                    ExchangeSide::Request => record.request_body_dropped,
                    ExchangeSide::Response => record.response_body_dropped,
                };
                if let Some(size) = dropped {
                    return Err(format!(
                        "{where_} ({size} bytes) is larger than the {} KiB kept for later steps",
                        KEPT_FOR_REFERENCES / 1024
                    ));
                }
                let body = body
                    .as_ref()
                    .ok_or_else(|| format!("{where_} is not JSON"))?;
                let selected = crate::scim::select(body, &path.parsed);
                match selected.values.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err(format!("{where_}.{path} has no value")),
                    many => Err(format!("{where_}.{path} matched {} values", many.len())),
                }
            }
        }
    }
}

/// The most bytes the copies of one `$repeat` may take: a target that declares a larger
/// limit is not sent a body that exceeds it.
pub const MAX_REPEATED_BYTES: usize = 10 * 1024 * 1024;

impl RenderContext<'_> {
    /// How many copies a `$repeat` writes, and the copy.
    fn repeated(&self, repeat: &Repeat) -> Result<(usize, Value), String> {
        let count = self.repeat_count(repeat)?;
        let copy = self.value(&repeat.item)?;
        let bytes = match &copy {
            Value::String(text) => text.len(),
            other => other.to_string().len(),
        };
        if count.saturating_mul(bytes.max(1)) > MAX_REPEATED_BYTES {
            return Err(oversized(count, bytes));
        }
        Ok((count, copy))
    }

    fn repeat_count(&self, repeat: &Repeat) -> Result<usize, String> {
        let times = match self.value(&repeat.times)? {
            Value::Number(n) => n.as_u64(),
            Value::String(text) => text.trim().parse::<u64>().ok(),
            _ => None,
        }
        .ok_or_else(|| "$repeat times is not a whole number".to_owned())?;
        usize::try_from(times.saturating_add(repeat.plus))
            .map_err(|_| "$repeat times is too large".to_owned())
    }

    /// Why the body of a step is not sent: a `$repeat` in it would write more than
    /// [`MAX_REPEATED_BYTES`] (a target declaring a huge limit is not tested against it).
    pub fn oversized_repeat(&self, value: &TemplateValue) -> Option<String> {
        match value {
            TemplateValue::Array(items) => items.iter().find_map(|i| self.oversized_repeat(i)),
            TemplateValue::Object(fields) => {
                fields.iter().find_map(|(_, v)| self.oversized_repeat(v))
            }
            TemplateValue::Repeat(repeat) => {
                let count = self.repeat_count(repeat).ok()?;
                let bytes = match self.value(&repeat.item).ok()? {
                    Value::String(text) => text.len(),
                    other => other.to_string().len(),
                };
                (count.saturating_mul(bytes.max(1)) > MAX_REPEATED_BYTES)
                    .then(|| oversized(count, bytes))
            }
            _ => None,
        }
    }
}

fn oversized(count: usize, bytes: usize) -> String {
    format!(
        "the request would repeat a {bytes}-byte value {count} times, more than the \
         {MAX_REPEATED_BYTES} bytes scimcheck writes for one $repeat"
    )
}

impl Resolve for RenderContext<'_> {
    fn value(&self, value: &TemplateValue) -> Result<Value, String> {
        Ok(match value {
            TemplateValue::Null => Value::Null,
            TemplateValue::Bool(b) => Value::Bool(*b),
            TemplateValue::Number(n) => Value::Number(n.clone()),
            TemplateValue::String(template) => match template.parts.as_slice() {
                [TemplatePart::Expr(expr)] => self.expr(expr)?,
                _ => Value::String(self.text(template)?),
            },
            TemplateValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        // Each copy is rendered anew: `{{ uuid }}` differs in each.
                        TemplateValue::Repeat(repeat) => {
                            let (count, first) = self.repeated(repeat)?;
                            if count > 0 {
                                out.push(first);
                            }
                            for _ in 1..count {
                                out.push(self.value(&repeat.item)?);
                            }
                        }
                        _ => out.push(self.value(item)?),
                    }
                }
                Value::Array(out)
            }
            TemplateValue::Repeat(repeat) => match self.repeated(repeat)? {
                (count, Value::String(text)) => Value::String(text.repeat(count)),
                _ => return Err("a $repeat outside a list repeats text only".to_owned()),
            },
            TemplateValue::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }

    fn text(&self, template: &Template) -> Result<String, String> {
        let mut out = String::new();
        for part in &template.parts {
            match part {
                TemplatePart::Text(text) => out.push_str(text),
                TemplatePart::Expr(expr) => out.push_str(&spelled(&self.expr(expr)?)),
            }
        }
        Ok(out)
    }
}

/// A value inside text: strings as they are, null as nothing, the rest as JSON.
pub fn spelled(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A generated value carrying the run prefix, e.g. `scimcheck-k3x9q2-7@example.com`.
pub fn unique_value(run_id: &str, kind: UniqueKind, n: u64) -> String {
    match kind {
        UniqueKind::Email => format!("scimcheck-{run_id}-{n}@example.com"),
        UniqueKind::Id | UniqueKind::Name | UniqueKind::ExternalId => {
            format!("scimcheck-{run_id}-{n}")
        }
    }
}

/// The prefix every value of this run starts with (for filters such as `sw`).
pub fn run_prefix(run_id: &str) -> String {
    format!("scimcheck-{run_id}-")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::suite::model::WrittenPath;
    use crate::vocabulary::{Loc, SourceFile};

    fn path(text: &str) -> WrittenPath {
        WrittenPath::parse(text).unwrap()
    }

    fn loc() -> Loc {
        Loc {
            file: Arc::new(SourceFile {
                name: "t.yaml".into(),
                text: String::new(),
            }),
            line: 1,
            col: 1,
        }
    }

    fn hole(expr: Expr) -> TemplateValue {
        TemplateValue::String(Template {
            parts: vec![TemplatePart::Expr(expr)],
            loc: loc(),
        })
    }

    fn mixed(before: &str, expr: Expr) -> Template {
        Template {
            parts: vec![TemplatePart::Text(before.into()), TemplatePart::Expr(expr)],
            loc: loc(),
        }
    }

    fn unique(kind: UniqueKind, label: Option<&str>) -> Expr {
        Expr::Unique {
            kind,
            label: label.map(str::to_owned),
        }
    }

    #[test]
    fn unique_values_carry_the_run_prefix_and_stay_fixed_per_label() {
        let counter = AtomicU64::new(0);
        let ctx = RenderContext::new("abc123", &counter, &BTreeMap::new());
        let email = ctx.value(&hole(unique(UniqueKind::Email, None))).unwrap();
        assert_eq!(email, json!("scimcheck-abc123-1@example.com"));
        assert_eq!(
            ctx.value(&hole(unique(UniqueKind::Email, None))).unwrap(),
            email
        );
        let second = ctx
            .value(&hole(unique(UniqueKind::Email, Some("second"))))
            .unwrap();
        assert_eq!(second, json!("scimcheck-abc123-2@example.com"));
        let external = ctx
            .value(&hole(unique(UniqueKind::ExternalId, None)))
            .unwrap();
        assert_eq!(external, json!("scimcheck-abc123-3"));
        // Another scenario of the same run never repeats a value.
        let other = RenderContext::new("abc123", &counter, &BTreeMap::new());
        let again = other.value(&hole(unique(UniqueKind::Email, None))).unwrap();
        assert_eq!(again, json!("scimcheck-abc123-4@example.com"));
        assert!(again.as_str().unwrap().starts_with(&run_prefix("abc123")));
    }

    #[test]
    fn a_single_hole_keeps_the_json_type_and_text_spells_it_out() {
        let counter = AtomicU64::new(0);
        let mut ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        ctx.capture("n", json!(42));
        ctx.capture("obj", json!({"a": [1, true]}));
        ctx.capture("nothing", Value::Null);
        assert_eq!(
            ctx.value(&hole(Expr::Capture("n".into()))).unwrap(),
            json!(42)
        );
        assert_eq!(
            ctx.value(&hole(Expr::Capture("obj".into()))).unwrap(),
            json!({"a": [1, true]})
        );
        assert_eq!(
            ctx.text(&mixed("n=", Expr::Capture("n".into()))).unwrap(),
            "n=42"
        );
        assert_eq!(
            ctx.text(&mixed("o=", Expr::Capture("obj".into()))).unwrap(),
            r#"o={"a":[1,true]}"#
        );
        assert_eq!(
            ctx.text(&mixed("x", Expr::Capture("nothing".into())))
                .unwrap(),
            "x"
        );
    }

    #[test]
    fn run_vars_override_scenario_defaults() {
        let counter = AtomicU64::new(0);
        let run_vars = BTreeMap::from([("dept".to_owned(), json!("Sales"))]);
        let mut ctx = RenderContext::new("r", &counter, &run_vars);
        let text = |s: &str| {
            TemplateValue::String(Template {
                parts: vec![TemplatePart::Text(s.into())],
                loc: loc(),
            })
        };
        ctx.declare_vars(&[
            ("dept".into(), text("Research")),
            ("site".into(), text("Paris")),
        ])
        .unwrap();
        assert_eq!(
            ctx.value(&hole(Expr::Var("dept".into()))).unwrap(),
            json!("Sales")
        );
        assert_eq!(
            ctx.value(&hole(Expr::Var("site".into()))).unwrap(),
            json!("Paris")
        );
        let missing = ctx.value(&hole(Expr::Var("nope".into()))).unwrap_err();
        assert!(missing.contains("--var nope="), "{missing}");
    }

    #[test]
    fn a_captured_value_in_a_path_is_one_encoded_segment() {
        let counter = AtomicU64::new(0);
        let mut ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        let path = |ctx: &RenderContext<'_>, parts: Vec<TemplatePart>| {
            ctx.path(&Template { parts, loc: loc() })
        };
        let users = |value: &str, ctx: &mut RenderContext<'_>| {
            ctx.capture("user", json!(value));
            path(
                ctx,
                vec![
                    TemplatePart::Text("/Users/".into()),
                    TemplatePart::Expr(Expr::Capture("user".into())),
                ],
            )
        };
        assert_eq!(users("42", &mut ctx).unwrap(), "/Users/42");
        assert_eq!(
            users("../Groups/g-1", &mut ctx).unwrap(),
            "/Users/..%2FGroups%2Fg-1"
        );
        assert_eq!(users("a?b#c", &mut ctx).unwrap(), "/Users/a%3Fb%23c");
        assert_eq!(users("%2e%2e", &mut ctx).unwrap(), "/Users/%252e%252e");
        for refused in ["", ".", ".."] {
            let err = users(refused, &mut ctx).unwrap_err();
            assert!(err.contains("names no resource"), "{refused:?}: {err}");
        }
        ctx.capture("q", json!("a&b=c"));
        let query = path(
            &ctx,
            vec![
                TemplatePart::Text("/Users?filter=".into()),
                TemplatePart::Expr(Expr::Capture("q".into())),
            ],
        )
        .unwrap();
        assert_eq!(query, "/Users?filter=a%26b%3Dc");
        ctx.capture("empty", json!(""));
        let empty_query = path(
            &ctx,
            vec![
                TemplatePart::Text("/Users?x=".into()),
                TemplatePart::Expr(Expr::Capture("empty".into())),
            ],
        );
        assert_eq!(empty_query.unwrap(), "/Users?x=");
    }

    #[test]
    fn uuid_is_fresh_and_now_is_rfc3339() {
        let counter = AtomicU64::new(0);
        let ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        let a = ctx.value(&hole(Expr::Uuid)).unwrap();
        let b = ctx.value(&hole(Expr::Uuid)).unwrap();
        assert_ne!(a, b);
        assert!(uuid::Uuid::parse_str(a.as_str().unwrap()).is_ok());
        let now = ctx.value(&hole(Expr::Now)).unwrap();
        assert!(
            crate::scim::parse_instant(now.as_str().unwrap()).is_some(),
            "{now}"
        );
        assert_eq!(ctx.value(&hole(Expr::RunId)).unwrap(), json!("r"));
    }

    #[test]
    fn step_references_read_recorded_exchanges_and_explain_what_is_missing() {
        let counter = AtomicU64::new(0);
        let mut ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        let step_ref = |side, part| Expr::StepRef {
            step: "create".into(),
            side,
            part,
        };
        let early = ctx
            .value(&hole(step_ref(ExchangeSide::Response, StepPart::Status)))
            .unwrap_err();
        assert!(early.contains("step `create` has not run"), "{early}");
        ctx.record_step(
            "create",
            StepRecord {
                request_headers: vec![],
                request_body: Some(json!({"userName": "ada"}).into()),
                request_body_dropped: None,
                status: Some(201),
                response_headers: vec![("etag".into(), "W/\"1\"".into())],
                response_body: Some(
                    json!({"id": "7", "emails": [{"type": "work", "value": "a@x"}]}).into(),
                ),
                response_body_dropped: None,
            },
        );
        let get = |side, part| ctx.value(&hole(step_ref(side, part)));
        assert_eq!(
            get(ExchangeSide::Response, StepPart::Status).unwrap(),
            json!(201)
        );
        assert_eq!(
            get(ExchangeSide::Request, StepPart::Body(path("userName"))).unwrap(),
            json!("ada")
        );
        assert_eq!(
            get(ExchangeSide::Response, StepPart::Header("ETag".into())).unwrap(),
            json!("W/\"1\"")
        );
        assert_eq!(
            get(
                ExchangeSide::Response,
                StepPart::Body(path(r#"emails[type eq "work"].value"#))
            )
            .unwrap(),
            json!("a@x")
        );
        assert_eq!(
            get(ExchangeSide::Response, StepPart::Body(WrittenPath::whole())).unwrap()["id"],
            json!("7")
        );
        let missing = get(ExchangeSide::Response, StepPart::Body(path("nickName"))).unwrap_err();
        assert_eq!(missing, "steps.create.response.body.nickName has no value");
    }

    #[test]
    fn a_request_body_over_the_kept_size_is_not_kept_and_a_reference_says_why() {
        let counter = AtomicU64::new(0);
        let mut ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        let response = HttpResponse {
            url: "http://h/Bulk".into(),
            status: 413,
            headers: vec![],
            body: vec![],
        };
        let sent = Arc::new(json!({"Operations": []}));
        let record = StepRecord::new(
            vec![],
            Some(&sent),
            KEPT_FOR_REFERENCES + 1,
            &response,
            &ResponseBody::parse(&response),
        );
        assert!(record.request_body.is_none());
        ctx.record_step("bulk", record);
        let reference = Expr::StepRef {
            step: "bulk".into(),
            side: ExchangeSide::Request,
            part: StepPart::Body(WrittenPath::whole()),
        };
        let refused = ctx.value(&hole(reference)).unwrap_err();
        assert!(
            refused.contains(&format!(
                "({} bytes) is larger than",
                KEPT_FOR_REFERENCES + 1
            )),
            "{refused}"
        );
    }
}

#[cfg(test)]
mod repeat_tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::AtomicU64;

    use serde_json::json;

    use super::{MAX_REPEATED_BYTES, RenderContext};
    use crate::check::Resolve;
    use crate::suite::model::{Body, TemplateValue};
    use crate::suite::{LoadOptions, load_source};

    /// The JSON body of the last step of a scenario whose body says `BODY`.
    fn body_of(body: &str) -> TemplateValue {
        let text = format!(
            "format: 2\nid: a.b\ntitle: t\nvars: {{ max: 1 }}\nsteps:\n  - name: send\n    request:\n      method: POST\n      path: /Bulk\n      body:\n{body}\n    expect: {{ status: 200 }}\n"
        );
        let scenarios = load_source("r.yaml", &text, &LoadOptions::default()).unwrap_or_else(|e| {
            panic!(
                "{:?}",
                e.0.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
            )
        });
        match &scenarios[0].steps[0].request.body {
            Some(Body::Json(value)) => value.clone(),
            other => panic!("not a JSON body: {other:?}"),
        }
    }

    fn load_error(body: &str) -> String {
        let text = format!(
            "format: 2\nid: a.b\ntitle: t\nvars: {{ max: 1 }}\nsteps:\n  - name: send\n    request:\n      method: POST\n      path: /Bulk\n      body:\n{body}\n    expect: {{ status: 200 }}\n"
        );
        match load_source("r.yaml", &text, &LoadOptions::default()) {
            Ok(_) => panic!("loaded"),
            Err(e) => {
                e.0.iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }

    #[test]
    fn a_repeat_in_a_list_writes_its_item_times_plus_times_each_rendered_anew() {
        let body = body_of(
            "        Operations:\n          - { method: DELETE }\n          - $repeat: { times: \"{{ vars.max }}\", plus: 1, item: { bulkId: \"{{ uuid }}\" } }",
        );
        let counter = AtomicU64::new(0);
        let vars = BTreeMap::from([("max".to_owned(), json!("3"))]);
        let ctx = RenderContext::new("r", &counter, &vars);
        let value = ctx.value(&body).unwrap();
        let operations = value["Operations"].as_array().unwrap();
        assert_eq!(operations.len(), 5);
        assert_eq!(operations[0], json!({ "method": "DELETE" }));
        let ids: std::collections::BTreeSet<String> = operations[1..]
            .iter()
            .map(|op| op["bulkId"].to_string())
            .collect();
        assert_eq!(ids.len(), 4, "each copy has its own uuid");
    }

    #[test]
    fn a_repeat_of_text_outside_a_list_joins_the_copies() {
        let body = body_of("        displayName: { $repeat: { times: 4, item: ab } }");
        let counter = AtomicU64::new(0);
        let ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        assert_eq!(
            ctx.value(&body).unwrap(),
            json!({ "displayName": "abababab" })
        );
        assert_eq!(ctx.oversized_repeat(&body), None);
    }

    #[test]
    fn a_repeat_beyond_the_byte_cap_is_not_rendered_and_says_why() {
        let times = MAX_REPEATED_BYTES + 1;
        let body = body_of(&format!(
            "        displayName: {{ $repeat: {{ times: {times}, item: x }} }}"
        ));
        let counter = AtomicU64::new(0);
        let ctx = RenderContext::new("r", &counter, &BTreeMap::new());
        let reason = ctx.oversized_repeat(&body).expect("oversized");
        assert!(reason.contains(&times.to_string()), "{reason}");
        assert!(ctx.value(&body).is_err());
    }

    #[test]
    fn a_malformed_repeat_is_a_load_error_naming_what_it_takes() {
        assert!(load_error("        x: { $repeat: { times: 2 } }").contains("needs both"));
        assert!(
            load_error("        x: { $repeat: { times: 2, item: a, count: 3 } }")
                .contains("unknown key 'count' in $repeat")
        );
        assert!(
            load_error("        x: { $repeat: { times: 2, item: a, plus: -1 } }")
                .contains("whole number")
        );
    }
}
