//! The scenario model: what the loader produces and the planner and executor consume.
//!
//! Every node that a user wrote keeps its source location, so a load error, a lint
//! finding and a failed check at run time all point at the same `file:line:col`.
//! Templates are parsed into the tree at load time; nothing is substituted into raw text.

use std::sync::Arc;

use crate::scim::{BodyPath, GrammarError, parse_body_path};

use crate::vocabulary::{AuthMode, Capability, Loc, Located, Severity};

/// The prefix of an `expect.schema` name that is resolved against the target's own
/// declarations at run time.
pub const DECLARED_PREFIX: &str = "declared:";

/// The resource type named by a `declared:<ResourceType>` schema name.
pub fn declared_resource_type(schema_name: &str) -> Option<&str> {
    schema_name
        .strip_prefix(DECLARED_PREFIX)
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
}

/// All scenarios that were loaded, in file order then document order.
#[derive(Debug, Default)]
pub struct Suite {
    pub scenarios: Vec<Arc<Scenario>>,
}

#[derive(Debug)]
pub struct Scenario {
    /// Dotted id, unique across the loaded suites, e.g. `users.create.basic`.
    pub id: String,
    pub title: String,
    /// Requirement catalog ids, e.g. `RFC7644-3.3`.
    pub requirement: Vec<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    /// Capability gates: the scenario is skipped when the target lacks one.
    pub requires: Vec<Capability>,
    /// True when the scenario must not overlap with any other (it counts all users, ...).
    pub exclusive: bool,
    /// The area it belongs to (first id segment unless the file says otherwise): JUnit
    /// classname and testsuite grouping.
    pub area: String,
    /// Scenario-level variables with defaults; `--var` and the config file override them.
    pub vars: Vec<(String, TemplateValue)>,
    pub steps: Vec<Step>,
    pub loc: Loc,
}

#[derive(Debug)]
pub struct Step {
    pub name: String,
    /// `wait:` how long to pause before sending (so a server's clock moves on).
    pub wait: Option<std::time::Duration>,
    pub request: Request,
    pub expect: Expectation,
    /// Values taken from this step's exchange for later steps: `user: body.id`.
    pub capture: Vec<Capture>,
    /// False for a step whose created resource is deleted by the scenario itself.
    pub track_created: bool,
    /// A step that prepares what the scenario is about (the user a PATCH scenario
    /// patches): when it fails, the scenario is blocked, not failed.
    pub setup: bool,
    /// The shared fixture this step uses: its request is sent once per run, and every
    /// step that uses it checks and captures from that one answer.
    pub shared: Option<String>,
    /// `rereads: STEP`: this GET reads back what the earlier PUT or PATCH `STEP` answered,
    /// so it is judged on that answer first and sent only when that answer does not pass.
    pub rereads: Option<Located<String>>,
    pub loc: Loc,
}

#[derive(Debug)]
pub struct Request {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path relative to the base URL, e.g. `/Users/{{ user }}`; with `reference`, the
    /// `url:` template instead.
    pub path: Template,
    /// `url:` was given: `path` renders to a URL the server handed out (a meta.location, a
    /// $ref, an endpoint), followed only when it lies under the base URL.
    pub reference: bool,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub body: Option<Body>,
    pub auth: AuthMode,
    pub loc: Loc,
}

#[derive(Debug)]
pub enum Body {
    /// A JSON document written as YAML; strings inside are templates.
    Json(TemplateValue),
    /// Bytes sent verbatim (malformed JSON, wrong media types); the content type is
    /// given by the request headers or defaults to `application/scim+json`.
    Raw(Template),
}

#[derive(Debug, Default)]
pub struct Expectation {
    pub status: Option<StatusExpectation>,
    pub headers: Vec<HeaderCheck>,
    /// Name of a JSON Schema in `suites/schemas/` (e.g. `User`, `ListResponse`, `Error`).
    pub schema: Option<Located<String>>,
    pub body: Vec<BodyCheck>,
}

#[derive(Debug)]
pub struct StatusExpectation {
    /// Any of these codes passes.
    pub any_of: Vec<u16>,
    pub loc: Loc,
}

#[derive(Debug)]
pub struct HeaderCheck {
    /// Lower-case header name.
    pub name: String,
    pub matcher: Matcher,
    pub loc: Loc,
}

#[derive(Debug)]
pub struct BodyCheck {
    /// SCIM-style path into the response body, e.g. `emails[type eq "work"].value`.
    pub path: WrittenPath,
    pub matcher: Matcher,
    pub loc: Loc,
}

/// One assertion on a selected value (body path or header).
#[derive(Debug)]
pub enum Matcher {
    /// Deep equality; numbers compare by value.
    Equals(TemplateValue),
    NotEquals(TemplateValue),
    /// String equality ignoring ASCII/Unicode case.
    EqualsIgnoreCase(Template),
    Present,
    Absent,
    Type(JsonType),
    /// The selected string matches the pattern.
    Regex(Pattern),
    /// Substring of a string, element of an array (deep subset match for objects).
    Contains(TemplateValue),
    /// Length of a string or array, or number of values a filter selected.
    Length(LengthBound),
    /// Numeric comparison.
    Compare(NumberOp, f64),
    /// Equal to one of the options; an option that is one hole giving a list (a capture
    /// of several values) stands for its elements.
    OneOf(Vec<TemplateValue>),
    /// The matcher holds for every element (of an array, or of a filter's selection).
    Every(Box<Matcher>),
    Not(Box<Matcher>),
    /// All of these hold (a mapping with several matcher keys).
    All(Vec<Matcher>),
    /// The header is the SCIM media type `application/scim+json`, parameters allowed.
    ScimJson,
}

/// A regular expression as written, compiled when the scenario loads unless it has
/// holes (then it is compiled after rendering).
#[derive(Debug)]
pub struct Pattern {
    pub template: Template,
    pub compiled: Option<regex::Regex>,
}

/// A SCIM-style path into a JSON body as written and as parsed when the scenario
/// loads: the text for messages, the parsed path for selecting. Empty text is the whole
/// body.
#[derive(Clone, PartialEq)]
pub struct WrittenPath {
    pub text: String,
    pub parsed: BodyPath,
}

impl WrittenPath {
    /// The whole body (`body`).
    pub fn whole() -> WrittenPath {
        WrittenPath {
            text: String::new(),
            parsed: BodyPath::whole(),
        }
    }

    /// `text` parsed; the error points into `text`.
    pub fn parse(text: &str) -> Result<WrittenPath, GrammarError> {
        Ok(WrittenPath {
            text: text.to_owned(),
            parsed: parse_body_path(text)?,
        })
    }

    pub fn is_whole(&self) -> bool {
        self.text.is_empty()
    }
}

// As written: the parsed form is the same path, and repeating it drowns debug output.
impl std::fmt::Debug for WrittenPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.text, f)
    }
}

impl std::fmt::Display for WrittenPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

/// How a number compares with a bound (`gt`, `ge`, `lt`, `le`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOp {
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthBound {
    pub min: Option<usize>,
    pub max: Option<usize>,
}

#[derive(Debug)]
pub struct Capture {
    pub name: String,
    pub source: CaptureSource,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum CaptureSource {
    /// A SCIM-style path into the response body (`body.id` in YAML); the whole body for
    /// `body`.
    Body(WrittenPath),
    /// A response header, lower-case (`headers.etag`).
    Header(String),
    /// The response status code (`status`).
    Status,
}

/// A string with `{{ expr }}` holes, parsed at load time.
#[derive(Debug, Clone)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub loc: Loc,
}

impl Template {
    /// The template as written, holes spelled `{{ name }}`: the same text in every
    /// scenario that writes it, whatever the values.
    pub fn shape(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => text.clone(),
                TemplatePart::Expr(expr) => format!("{{{{ {} }}}}", expr.shape()),
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub enum TemplatePart {
    Text(String),
    Expr(Expr),
}

/// What a `{{ ... }}` hole refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `unique.email`, `unique.id`, `unique.name`, `unique.externalId`, each with an
    /// optional label (`unique.email.second`): one value per scenario run and label,
    /// carrying the run prefix.
    Unique {
        kind: UniqueKind,
        label: Option<String>,
    },
    /// `uuid`: a fresh UUID v4 at every evaluation.
    Uuid,
    /// `now`: the current time, RFC 3339.
    Now,
    /// `run.id`, the run prefix shared by all generated values.
    RunId,
    /// A variable by name, without the `vars.` prefix: written `vars.NAME`, or a bare
    /// `NAME` declared under the scenario's `vars:`. Run-level values (`--var`, config)
    /// override the scenario's defaults.
    Var(String),
    /// A value captured by an earlier step (`capture: { user: body.id }` → `{{ user }}`).
    /// The loader resolves a bare name to this or to `Var` and refuses a capture name that
    /// is also a scenario variable, so the two never shadow each other.
    Capture(String),
    /// `steps.<name>.(request|response).(body|headers|status)[.path]`
    StepRef {
        step: String,
        side: ExchangeSide,
        part: StepPart,
    },
}

impl Expr {
    fn shape(&self) -> String {
        match self {
            Expr::Unique { kind, label } => {
                let kind = match kind {
                    UniqueKind::Email => "email",
                    UniqueKind::Id => "id",
                    UniqueKind::Name => "name",
                    UniqueKind::ExternalId => "externalId",
                };
                match label {
                    Some(label) => format!("unique.{kind}.{label}"),
                    None => format!("unique.{kind}"),
                }
            }
            Expr::Uuid => "uuid".into(),
            Expr::Now => "now".into(),
            Expr::RunId => "run.id".into(),
            Expr::Var(name) => format!("vars.{name}"),
            Expr::Capture(name) => name.clone(),
            Expr::StepRef { step, side, part } => {
                let side = match side {
                    ExchangeSide::Request => "request",
                    ExchangeSide::Response => "response",
                };
                let part = match part {
                    StepPart::Body(path) if path.is_whole() => "body".to_owned(),
                    StepPart::Body(path) => format!("body.{path}"),
                    StepPart::Header(name) => format!("headers.{name}"),
                    StepPart::Status => "status".to_owned(),
                };
                format!("steps.{step}.{side}.{part}")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKind {
    Email,
    Id,
    Name,
    ExternalId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeSide {
    Request,
    Response,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepPart {
    /// A SCIM-style path into the body, or the whole body.
    Body(WrittenPath),
    Header(String),
    Status,
}

/// A YAML value whose strings are templates. A string that is exactly one hole
/// (`"{{ user }}"`) renders to the referenced JSON value unchanged (number, object, ...).
#[derive(Debug, Clone)]
pub enum TemplateValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Template),
    Array(Vec<TemplateValue>),
    Object(Vec<(String, TemplateValue)>),
    /// `{ $repeat: { times, plus, item } }`: `item` written `times + plus` times; in a
    /// list the copies take its place, elsewhere the copies of a text item are joined.
    Repeat(Box<Repeat>),
}

/// A value written many times, so a body can follow a limit the target declares
/// (`times: "{{ max }}"`, `plus: 1`).
#[derive(Debug, Clone)]
pub struct Repeat {
    /// A whole number, or a template giving one.
    pub times: TemplateValue,
    pub plus: u64,
    pub item: TemplateValue,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_schema_names_name_a_resource_type() {
        assert_eq!(declared_resource_type("declared:User"), Some("User"));
        assert_eq!(declared_resource_type("declared:"), None);
        assert_eq!(declared_resource_type("declared:Us er"), None);
        assert_eq!(declared_resource_type("User"), None);
    }
}
