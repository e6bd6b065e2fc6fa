//! IdP and vendor profiles: data that adapts a plan to one product. A profile raises the
//! severity of what an IdP needs, excludes what a product does not offer, and declares
//! documented behaviour as known deviations (reported, never hidden). It can also set a
//! default rate limit, and rules for client requests that the client judge checks.
//! Several profiles compose (`compose`): they apply in order, a later one overriding.

mod adapt;
mod builtin;
mod client_rules;
mod compose;
mod emulation;
mod load;
mod product;

use std::num::NonZeroU32;

use crate::suite::model::{Scenario, Suite};
use crate::vocabulary::Severity;

pub use adapt::{Adapter, Before, Need, Outgoing, requote_filter, unquote_filter};
pub use builtin::names as builtin_names;
pub use builtin::scenarios as builtin_scenarios;
pub use client_rules::{ClientCheck, ClientRule, ValueFormat};
pub use compose::{Decision, Decisions, Profiles};
pub use emulation::{apply_to, product_setup};
pub use load::{load, load_all, parse};
pub use product::{Cleanup, Dialect, Emulation, Product};

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub title: String,
    /// Where the profile's claims come from (vendor documentation, IdP docs).
    pub source: Option<String>,
    /// Requests per second when the user gives no `--rate-limit`.
    pub rate_limit: Option<NonZeroU32>,
    pub rules: Vec<Rule>,
    /// What the product's document asks of client requests, for the client judge.
    pub client_rules: Vec<ClientRule>,
    /// What the product is like: dialect, create template, fields, cleanup, emulation.
    pub product: Product,
    /// Where the profile was read from (a file's folder), for its own scenario files;
    /// `None` for a built-in profile.
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub scope: RuleScope,
    pub effect: Effect,
    /// `file:line:col` of the rule, for warnings about rules that match nothing.
    pub place: String,
}

/// The scenarios a rule applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleScope {
    /// A scenario id, or an id prefix when it ends in `*`.
    Scenario(String),
    Tag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Not run; reported as skipped with the reason.
    Exclude(String),
    /// A failure becomes a deviation with the reason (and the vendor's own words).
    Deviation(String),
    /// The scenario counts with this severity.
    Severity(Severity),
}

impl RuleScope {
    pub fn matches(&self, scenario: &Scenario) -> bool {
        match self {
            RuleScope::Scenario(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) => scenario.id.starts_with(prefix),
                None => scenario.id == *pattern,
            },
            RuleScope::Tag(tag) => scenario.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)),
        }
    }
}

impl Profile {
    /// Rules that match no scenario of the suite: most likely a typo in an id or tag.
    pub fn unmatched_rules<'a>(&'a self, suite: &Suite) -> Vec<&'a Rule> {
        self.rules
            .iter()
            .filter(|rule| !suite.scenarios.iter().any(|s| rule.scope.matches(s)))
            .collect()
    }
}

impl std::fmt::Display for RuleScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleScope::Scenario(id) => write!(f, "scenario '{id}'"),
            RuleScope::Tag(tag) => write!(f, "tag '{tag}'"),
        }
    }
}
