//! Misbehaviours that change how a query is read: the filter as a non-conforming server
//! would understand it, before the strict evaluation runs.

use serde_json::Value;

use super::misbehave::Misbehaviour;
use super::provider::Ctx;
use crate::scim::{AttrPath, CompareOp, Filter};

const CORE_URN_PREFIX: &str = "urn:ietf:params:scim:schemas:core:";

/// The filter as the misbehaving server reads it; the same filter when none applies.
pub fn filter(ctx: &Ctx<'_>, filter: &Filter) -> Filter {
    let mut read = filter.clone();
    if ctx.misbehaves(Misbehaviour::FilterLeftToRight) {
        read = regroup(&read, Binding::LeftToRight);
    }
    if ctx.misbehaves(Misbehaviour::FilterParenthesesIgnored) {
        read = regroup(&read, Binding::AndFirst);
    }
    let leaves = Leaves {
        eq_only: ctx.misbehaves(Misbehaviour::FilterEqOnly),
        not_ignored: ctx.misbehaves(Misbehaviour::FilterNotIgnored),
        core_urn_unknown: ctx.misbehaves(Misbehaviour::CoreUrnUnknown),
        schemas_ignored: ctx.misbehaves(Misbehaviour::FilterSchemasIgnored),
        affix_as_contains: ctx.misbehaves(Misbehaviour::FilterAffixAsContains),
        value_path_spread: ctx.misbehaves(Misbehaviour::ValueFilterAnyValue),
        sub_attribute_unmatched: ctx.misbehaves(Misbehaviour::SubAttributeFilterUnmatched),
        unnormalized: ctx.misbehaves(Misbehaviour::FilterUnnormalized),
    };
    leaves.rewrite(read)
}

/// The resource as the `filter-first-value-only` server sees it when filtering: each
/// multi-valued attribute reduced to its first value.
pub fn first_values_only(resource: &Value) -> Value {
    match resource {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, value)| (name.clone(), first_values_only(value)))
                .collect(),
        ),
        Value::Array(values) => Value::Array(values.iter().take(1).cloned().collect()),
        other => other.clone(),
    }
}

/// A comparison inside `parent[...]` written against the parent itself
/// (`type eq "work"` inside `emails[...]` becomes `emails.type eq "work"`), so that each
/// one may hold on a different value.
fn spread(filter: Filter, parent: &AttrPath) -> Filter {
    let lift = |path: AttrPath| match parent.sub {
        None => AttrPath {
            urn: parent.urn.clone(),
            name: parent.name.clone(),
            sub: Some(path.name),
        },
        Some(_) => path,
    };
    let boxed = |filter: Box<Filter>| Box::new(spread(*filter, parent));
    match filter {
        Filter::And(left, right) => Filter::And(boxed(left), boxed(right)),
        Filter::Or(left, right) => Filter::Or(boxed(left), boxed(right)),
        Filter::Not(inner) => Filter::Not(boxed(inner)),
        Filter::Compare { path, op, value } => Filter::Compare {
            path: lift(path),
            op,
            value,
        },
        Filter::Present(path) => Filter::Present(lift(path)),
        nested @ Filter::ValuePath { .. } => nested,
    }
}

/// A path named with a core schema URN (`urn:...:core:2.0:User:userName`).
pub fn is_core_urn_path(path: &AttrPath) -> bool {
    path.urn.as_deref().is_some_and(|urn| {
        urn.len() >= CORE_URN_PREFIX.len()
            && urn.is_char_boundary(CORE_URN_PREFIX.len())
            && urn[..CORE_URN_PREFIX.len()].eq_ignore_ascii_case(CORE_URN_PREFIX)
    })
}

/// A filter that never holds: no resource has a value for an attribute without a name.
fn never() -> Filter {
    Filter::Present(AttrPath::new(""))
}

fn always() -> Filter {
    Filter::Not(Box::new(never()))
}

#[derive(Clone, Copy)]
enum Binding {
    /// `and` before `or`, as the RFC has it, but with the parentheses forgotten.
    AndFirst,
    /// No precedence at all: each operator applies to everything on its left.
    LeftToRight,
}

#[derive(Clone, Copy)]
enum Link {
    And,
    Or,
}

/// Rebuild the chain of `and`/`or` operands in written order with another binding.
/// `not (...)` and value paths stay whole, as their own brackets are still read.
fn regroup(filter: &Filter, binding: Binding) -> Filter {
    let mut operands = Vec::new();
    let mut links = Vec::new();
    chain(filter, &mut operands, &mut links);
    let mut operands = operands.into_iter();
    let Some(first) = operands.next() else {
        return filter.clone();
    };
    let joined = |link: Link, left: Filter, right: Filter| match link {
        Link::And => Filter::And(Box::new(left), Box::new(right)),
        Link::Or => Filter::Or(Box::new(left), Box::new(right)),
    };
    match binding {
        Binding::LeftToRight => links
            .into_iter()
            .zip(operands)
            .fold(first, |left, (link, right)| joined(link, left, right)),
        Binding::AndFirst => {
            let mut alternatives = Vec::new();
            let mut current = first;
            for (link, right) in links.into_iter().zip(operands) {
                match link {
                    Link::And => current = joined(Link::And, current, right),
                    Link::Or => alternatives.push(std::mem::replace(&mut current, right)),
                }
            }
            alternatives
                .into_iter()
                .rev()
                .fold(current, |right, left| joined(Link::Or, left, right))
        }
    }
}

fn chain(filter: &Filter, operands: &mut Vec<Filter>, links: &mut Vec<Link>) {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            chain(left, operands, links);
            links.push(match filter {
                Filter::And(..) => Link::And,
                _ => Link::Or,
            });
            chain(right, operands, links);
        }
        other => operands.push(other.clone()),
    }
}

/// Rewrites of single comparisons.
struct Leaves {
    eq_only: bool,
    not_ignored: bool,
    core_urn_unknown: bool,
    schemas_ignored: bool,
    /// `filter-affix-as-contains`: sw and ew read as co.
    affix_as_contains: bool,
    /// `value-filter-any-value`: the brackets of a value path are dropped.
    value_path_spread: bool,
    /// `sub-attribute-filter-unmatched`: a dotted sub-attribute path never matches.
    sub_attribute_unmatched: bool,
    /// `filter-unnormalized`: a value not in NFC never equals the NFC values stored.
    unnormalized: bool,
}

impl Leaves {
    fn rewrite(&self, filter: Filter) -> Filter {
        let boxed = |filter: Box<Filter>| Box::new(self.rewrite(*filter));
        match filter {
            Filter::And(left, right) => Filter::And(boxed(left), boxed(right)),
            Filter::Or(left, right) => Filter::Or(boxed(left), boxed(right)),
            Filter::Not(inner) if self.not_ignored => self.rewrite(*inner),
            Filter::Not(inner) => Filter::Not(boxed(inner)),
            Filter::Compare { path, .. } | Filter::Present(path)
                if self.core_urn_unknown && is_core_urn_path(&path) =>
            {
                never()
            }
            Filter::ValuePath { path, .. } if self.core_urn_unknown && is_core_urn_path(&path) => {
                never()
            }
            Filter::Compare { path, .. } | Filter::Present(path)
                if self.schemas_ignored && is_schemas(&path) =>
            {
                always()
            }
            Filter::Compare { path, .. } | Filter::Present(path)
                if self.sub_attribute_unmatched && path.sub.is_some() =>
            {
                never()
            }
            Filter::Compare {
                value: Value::String(text),
                ..
            } if self.unnormalized && !is_nfc(&text) => never(),
            Filter::Present(_) if self.eq_only => always(),
            Filter::Compare { path, value, .. } if self.eq_only => Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            },
            Filter::Compare {
                path,
                op: CompareOp::Sw | CompareOp::Ew,
                value,
            } if self.affix_as_contains => Filter::Compare {
                path,
                op: CompareOp::Co,
                value,
            },
            Filter::ValuePath { path, filter } if self.value_path_spread => {
                self.rewrite(spread(*filter, &path))
            }
            Filter::ValuePath { path, filter } => Filter::ValuePath {
                path,
                filter: boxed(filter),
            },
            leaf => leaf,
        }
    }
}

fn is_nfc(text: &str) -> bool {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().is_normalized(text)
}

fn is_schemas(path: &AttrPath) -> bool {
    path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case("schemas")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::parse_filter;

    fn regrouped(text: &str, binding: Binding) -> String {
        regroup(&parse_filter(text).unwrap(), binding).to_string()
    }

    #[test]
    fn left_to_right_ignores_precedence_and_parentheses() {
        assert_eq!(
            regrouped("a pr or b pr and c pr", Binding::LeftToRight),
            "(a pr or b pr) and c pr"
        );
        assert_eq!(
            regrouped("a pr and (b pr or c pr)", Binding::LeftToRight),
            "a pr and b pr or c pr"
        );
    }

    #[test]
    fn a_spread_value_path_compares_each_sub_attribute_on_its_own() {
        let Filter::ValuePath { path, filter } =
            parse_filter(r#"emails[type eq "work" and not (value pr)]"#).unwrap()
        else {
            panic!("a value path");
        };
        assert_eq!(
            spread(*filter, &path).to_string(),
            r#"emails.type eq "work" and not (emails.value pr)"#
        );
    }

    #[test]
    fn first_values_only_keeps_one_value_of_each_list() {
        let resource = serde_json::json!({"emails": [{"value": "a"}, {"value": "b"}], "n": 1});
        assert_eq!(
            first_values_only(&resource),
            serde_json::json!({"emails": [{"value": "a"}], "n": 1})
        );
    }

    #[test]
    fn forgotten_parentheses_keep_and_before_or() {
        assert_eq!(
            regrouped("(a pr or b pr) and c pr", Binding::AndFirst),
            "a pr or b pr and c pr"
        );
        assert_eq!(
            regrouped("not (a pr or b pr) and c pr", Binding::AndFirst),
            "not (a pr or b pr) and c pr"
        );
    }
}
