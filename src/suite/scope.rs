//! Which names a template may use at a given place in a scenario, and the resolution of
//! a written expression into the model's `Expr`.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::diag::did_you_mean;
use crate::suite::model::{ExchangeSide, Expr, StepPart, WrittenPath};
use crate::suite::template::{RawExpr, RawPart, is_name};

/// What is known about one step before the steps are converted.
#[derive(Debug)]
pub struct StepInfo {
    pub name: String,
    pub line: u32,
    pub captures: Vec<String>,
}

/// Where in the scenario a template is written.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    /// A default under `vars:`: only generated values.
    VarDefault,
    /// The request of step N: earlier steps and their captures.
    Request(usize),
    /// The expectations of step N: also step N's own request and response.
    Expect(usize),
}

/// The names of a scenario, shared by all its templates.
#[derive(Debug)]
pub struct Names<'a> {
    pub scenario_vars: Vec<String>,
    pub known_vars: &'a [String],
    pub steps: Vec<StepInfo>,
    used_captures: RefCell<BTreeSet<String>>,
}

/// Why an expression cannot be used where it is written.
#[derive(Debug)]
pub struct ScopeError {
    pub message: String,
    pub hint: Option<String>,
}

impl ScopeError {
    fn new(message: String) -> Self {
        ScopeError {
            message,
            hint: None,
        }
    }

    fn suggest(mut self, best: Option<&str>, prefix: &str) -> Self {
        if let Some(best) = best {
            self.hint = Some(format!("did you mean '{prefix}{best}'?"));
        }
        self
    }
}

impl<'a> Names<'a> {
    pub fn new(scenario_vars: Vec<String>, known_vars: &'a [String], steps: Vec<StepInfo>) -> Self {
        Names {
            scenario_vars,
            known_vars,
            steps,
            used_captures: RefCell::new(BTreeSet::new()),
        }
    }

    /// True when some template referred to this capture.
    pub fn capture_used(&self, name: &str) -> bool {
        self.used_captures.borrow().contains(name)
    }

    /// The step that first captures `name`, if any.
    fn capturing_step(&self, name: &str) -> Option<usize> {
        self.steps
            .iter()
            .position(|s| s.captures.iter().any(|c| c == name))
    }

    fn current_step(place: Place) -> Option<usize> {
        match place {
            Place::VarDefault => None,
            Place::Request(i) | Place::Expect(i) => Some(i),
        }
    }

    pub fn resolve(&self, expr: &RawExpr, place: Place) -> Result<Expr, ScopeError> {
        match expr {
            RawExpr::Unique { kind, label } => Ok(Expr::Unique {
                kind: *kind,
                label: label.clone(),
            }),
            RawExpr::Uuid => Ok(Expr::Uuid),
            RawExpr::Now => Ok(Expr::Now),
            RawExpr::RunId => Ok(Expr::RunId),
            _ if matches!(place, Place::VarDefault) => Err(ScopeError {
                message: "a variable default can only use generated values".to_owned(),
                hint: Some("use unique.*, uuid, now or run.id here".to_owned()),
            }),
            RawExpr::Var(name) => self.var(name),
            RawExpr::Name(name) => self.name(name, place),
            RawExpr::StepRef { step, side, part } => {
                self.step_ref(step, *side, place)?;
                Ok(Expr::StepRef {
                    step: step.clone(),
                    side: *side,
                    part: step_part(part)?,
                })
            }
        }
    }

    fn var(&self, name: &str) -> Result<Expr, ScopeError> {
        if self.scenario_vars.iter().any(|v| v == name) || self.known_vars.iter().any(|v| v == name)
        {
            return Ok(Expr::Var(name.to_owned()));
        }
        let candidates = self
            .scenario_vars
            .iter()
            .chain(self.known_vars)
            .map(String::as_str);
        let mut e = ScopeError::new(format!("undefined variable 'vars.{name}'"))
            .suggest(did_you_mean(name, candidates), "vars.");
        if e.hint.is_none() {
            e.hint = Some(format!(
                "declare it under the scenario's `vars:` or give it with `--var {name}=VALUE`"
            ));
        }
        Err(e)
    }

    fn name(&self, name: &str, place: Place) -> Result<Expr, ScopeError> {
        if self.scenario_vars.iter().any(|v| v == name) {
            return Ok(Expr::Var(name.to_owned()));
        }
        let current = Self::current_step(place).unwrap_or(0);
        if let Some(step) = self.capturing_step(name) {
            if step < current {
                self.used_captures.borrow_mut().insert(name.to_owned());
                return Ok(Expr::Capture(name.to_owned()));
            }
            let info = &self.steps[step];
            let when = if step == current {
                "this step; a capture is available from the next step on"
            } else {
                "a later step"
            };
            return Err(ScopeError::new(format!(
                "'{name}' is used before it is captured: step '{}' (line {}) captures it, {when}",
                info.name, info.line
            )));
        }
        let visible: Vec<&str> = self.steps[..current.min(self.steps.len())]
            .iter()
            .flat_map(|s| s.captures.iter().map(String::as_str))
            .chain(self.scenario_vars.iter().map(String::as_str))
            .collect();
        let mut e = ScopeError::new(format!("undefined variable '{name}'"))
            .suggest(did_you_mean(name, visible), "");
        if e.hint.is_none() && self.known_vars.iter().any(|v| v == name) {
            e.hint = Some(format!("run-level variables are written 'vars.{name}'"));
        }
        Err(e)
    }

    fn step_ref(&self, step: &str, side: ExchangeSide, place: Place) -> Result<(), ScopeError> {
        let current = Self::current_step(place).unwrap_or(0);
        let Some(index) = self.steps.iter().position(|s| s.name == step) else {
            // Only names that can be written after `steps.` are worth suggesting.
            let names = self
                .steps
                .iter()
                .map(|s| s.name.as_str())
                .filter(|n| is_name(n));
            return Err(ScopeError::new(format!("unknown step '{step}'"))
                .suggest(did_you_mean(step, names), "steps."));
        };
        let visible = match place {
            Place::VarDefault => false,
            Place::Request(_) => index < current,
            Place::Expect(_) => index <= current,
        };
        if visible {
            return Ok(());
        }
        let line = self.steps[index].line;
        let message = if index == current {
            let side = match side {
                ExchangeSide::Request => "request",
                ExchangeSide::Response => "response",
            };
            format!(
                "step '{step}' cannot refer to its own {side} in its request; \
                 use it in `expect` or in a later step"
            )
        } else {
            format!(
                "step '{step}' (line {line}) runs after this one; only earlier steps can be referred to"
            )
        };
        Err(ScopeError::new(message))
    }
}

/// The part of a step reference, its body path parsed once, here.
fn step_part(part: &RawPart) -> Result<StepPart, ScopeError> {
    Ok(match part {
        RawPart::Body(path) if path.is_empty() => StepPart::Body(WrittenPath::whole()),
        RawPart::Body(path) => {
            StepPart::Body(WrittenPath::parse(path).map_err(|e| ScopeError {
                message: format!("invalid body path '{path}': {}", e.message),
                hint: e.hint,
            })?)
        }
        RawPart::Header(name) => StepPart::Header(name.clone()),
        RawPart::Status => StepPart::Status,
    })
}
