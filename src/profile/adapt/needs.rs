//! What a product's dialect needs from a server, and how the server under test took it:
//! each request the dialect changed is counted under what it changed, with the answers
//! that refused it. A run's report states both, so a run of a product's profile against
//! a server that does not speak the dialect says why it fails.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;

use super::{Adapter, PATCH_OP_SCHEMA};

/// One thing a dialect asks of a server, beyond or against the RFCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    PatchOps,
    PatchWithoutSchemas,
    ContentType,
    UnquotedFilters,
    CreateTemplate,
}

/// Statuses that refuse a request for what it is (not for where it went or who sent it).
const REFUSING: &[u16] = &[400, 415, 422, 501];

/// Requests the dialect changed, by need.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<BTreeMap<Need, Count>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Count {
    sent: usize,
    refused: usize,
    /// Refused with no other need met by the request: this need alone can be why.
    refused_alone: usize,
}

impl Tally {
    /// One request written with `needs`, answered `status` (`None`: no answer).
    pub fn record(&self, needs: &[Need], status: Option<u16>) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let refused = status.is_some_and(|s| REFUSING.contains(&s));
        for need in needs {
            let count = counts.entry(*need).or_default();
            count.sent += 1;
            if refused {
                count.refused += 1;
                if needs.len() == 1 {
                    count.refused_alone += 1;
                }
            }
        }
    }

    fn of(&self, need: Need) -> Count {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(&need).copied().unwrap_or_default()
    }
}

/// A request's parts the dialect may change, as they were before it did.
#[derive(Debug, Clone)]
pub struct Before {
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Adapter {
    /// What the merged dialect asks of a server, each as a sentence naming where the
    /// RFCs say otherwise; empty for a profile without a dialect or template.
    pub fn needs(&self) -> Vec<(Need, String)> {
        let d = &self.dialect;
        let mut needs = Vec::new();
        let spelt: Vec<String> = d
            .patch_ops
            .iter()
            .filter(|(rfc, spelt)| rfc != spelt)
            .map(|(_, spelt)| format!("`{spelt}`"))
            .collect();
        let forced: Vec<String> = d
            .path_ops
            .iter()
            .map(|(attribute, op)| format!("`{attribute}` only by `{op}`"))
            .collect();
        if !spelt.is_empty() || !forced.is_empty() {
            let mut text = String::from("PATCH ops");
            if !spelt.is_empty() {
                text.push_str(&format!(" spelt {}", spelt.join(", ")));
            }
            if !forced.is_empty() {
                let glue = if spelt.is_empty() { " with" } else { ", with" };
                text.push_str(&format!("{glue} {}", forced.join(", ")));
            }
            text.push_str(" (RFC 7644 section 3.5.2 writes them lower case)");
            needs.push((Need::PatchOps, text));
        }
        if d.patch_without_schemas {
            needs.push((
                Need::PatchWithoutSchemas,
                "PatchOp bodies without `schemas` (RFC 7644 section 3.5.2 names the PatchOp \
                 message schema there)"
                    .to_owned(),
            ));
        }
        if let Some(content_type) = &d.content_type {
            needs.push((
                Need::ContentType,
                format!(
                    "request bodies sent as `{content_type}` (RFC 7644 section 8.1 registers \
                     application/scim+json for SCIM)"
                ),
            ));
        }
        if !d.unquoted_filters.is_empty() {
            needs.push((
                Need::UnquotedFilters,
                format!(
                    "`eq` filter values without quotes for {} (RFC 7644 section 3.4.2.2 \
                     writes string values in quotes)",
                    d.unquoted_filters
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for (resource, template) in &self.create_template {
            let members: Vec<String> = template
                .as_object()
                .map(|m| m.keys().map(|k| format!("`{k}`")).collect())
                .unwrap_or_default();
            if !members.is_empty() {
                needs.push((
                    Need::CreateTemplate,
                    format!(
                        "every {resource} created carries {} (the product's own attributes, \
                         outside the RFC 7643 schemas)",
                        members.join(", ")
                    ),
                ));
            }
        }
        needs
    }

    /// The needs a request met, by comparing it before and after `apply`.
    pub fn needs_met(
        &self,
        method: &str,
        before: &Before,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: Option<&Value>,
    ) -> Vec<Need> {
        let mut met = Vec::new();
        if before.query != query {
            met.push(Need::UnquotedFilters);
        }
        if before.headers.len() != headers.len() && self.dialect.content_type.is_some() {
            met.push(Need::ContentType);
        }
        let (Some(was), Some(is)) = (&before.body, body) else {
            return met;
        };
        if method.eq_ignore_ascii_case("PATCH") {
            if was.get("schemas") != is.get("schemas") && is.get("schemas").is_none() {
                let had_patch_op = was
                    .get("schemas")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(PATCH_OP_SCHEMA)));
                if had_patch_op {
                    met.push(Need::PatchWithoutSchemas);
                }
            }
            if was.get("Operations") != is.get("Operations") {
                met.push(Need::PatchOps);
            }
        } else if was != is && !self.create_template.is_empty() {
            let added = is
                .as_object()
                .zip(was.as_object())
                .is_some_and(|(is, was)| is.keys().any(|k| !was.contains_key(k)));
            if added {
                met.push(Need::CreateTemplate);
            }
        }
        met
    }

    /// One line per need of the dialect for the run's report, with what this server did
    /// with the requests written so.
    pub fn needs_report(&self) -> Vec<String> {
        self.needs()
            .into_iter()
            .map(|(need, text)| {
                let Count {
                    sent,
                    refused,
                    refused_alone,
                } = self.tally.of(need);
                let seen = match (sent, refused) {
                    (0, _) => "no request of this run needed it".to_owned(),
                    (sent, 0) => format!("{sent} requests written so, none refused"),
                    (sent, refused) => format!(
                        "{sent} requests written so, {refused} refused by this server \
                         (400, 415, 422 or 501), {refused_alone} of them with nothing else \
                         of the dialect in the request"
                    ),
                };
                format!("the profile's dialect needs from a server: {text}: {seen}")
            })
            .collect()
    }
}
