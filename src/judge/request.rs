//! A received request as the rules read it: which endpoint it addresses (by the server's
//! declared resource types), its query parameters and its JSON body.

use axum::extract::Query;
use axum::http::Method;
use serde_json::Value;

use super::declared::{Declared, ResourceTypeDecl};
use crate::server::{SeenRequest, percent_decode};

/// What the request addresses, relative to the base path.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint<'d> {
    /// `/Users`.
    Collection(&'d ResourceTypeDecl),
    /// `/Users/{id}`.
    Resource(&'d ResourceTypeDecl, String),
    /// `/.search` or `/Users/.search`.
    Search(Option<&'d ResourceTypeDecl>),
    Bulk,
    /// /ServiceProviderConfig, /ResourceTypes, /Schemas and their entries.
    Discovery,
    Me,
    /// Under the base path, but nothing the server declares.
    Unknown(String),
    /// Not under the base path at all.
    Outside,
}

/// The request body as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    None,
    Json(Value),
    /// Bytes that are not JSON; the reason.
    NotJson(String),
}

/// One request, ready for the rules.
#[derive(Debug)]
pub struct Incoming<'a> {
    pub seen: &'a SeenRequest,
    pub endpoint: Endpoint<'a>,
    /// Decoded query parameters; empty when the query could not be decoded.
    pub params: Vec<(String, String)>,
    pub body: Body,
}

impl<'a> Incoming<'a> {
    pub fn read(seen: &'a SeenRequest, declared: &'a Declared, base_path: &str) -> Self {
        let params = Query::<Vec<(String, String)>>::try_from_uri(&seen.uri)
            .map(|Query(params)| params)
            .unwrap_or_default();
        let body = if seen.body.iter().all(u8::is_ascii_whitespace) {
            Body::None
        } else {
            match serde_json::from_slice::<Value>(&seen.body) {
                Ok(mut value) => {
                    // Rules never need a password, and so never show one.
                    mask_passwords(&mut value);
                    Body::Json(value)
                }
                Err(e) if seen.truncated => Body::NotJson(format!(
                    "larger than the server accepts, so not read whole ({e})"
                )),
                Err(e) => Body::NotJson(e.to_string()),
            }
        };
        Incoming {
            endpoint: endpoint(seen.uri.path(), declared, base_path),
            seen,
            params,
            body,
        }
    }

    pub fn method(&self) -> &Method {
        &self.seen.method
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.seen.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first query parameter of that name, any case (as the server reads them).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(value) => Some(value),
            _ => None,
        }
    }

    /// POST to a resource type's endpoint.
    pub fn creates(&self) -> Option<&'a ResourceTypeDecl> {
        match (&self.endpoint, self.seen.method == Method::POST) {
            (Endpoint::Collection(rt), true) => Some(rt),
            _ => None,
        }
    }

    /// A read of a list: GET on a collection or POST /.search.
    pub fn lists(&self) -> bool {
        matches!(
            (&self.endpoint, &self.seen.method),
            (Endpoint::Collection(_), &Method::GET | &Method::HEAD)
                | (Endpoint::Search(_), &Method::POST)
        )
    }

    /// PUT, PATCH, POST or DELETE.
    pub fn writes(&self) -> bool {
        is_write(&self.seen.method)
    }
}

pub fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

fn endpoint<'d>(path: &str, declared: &'d Declared, base_path: &str) -> Endpoint<'d> {
    let Some(rest) = path
        .strip_prefix(base_path)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    else {
        return Endpoint::Outside;
    };
    let segments: Vec<String> = rest
        .trim_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        [".search"] => Endpoint::Search(None),
        ["ServiceProviderConfig" | "ResourceTypes" | "Schemas"]
        | ["ResourceTypes" | "Schemas", _] => Endpoint::Discovery,
        ["Bulk"] => Endpoint::Bulk,
        ["Me", ..] => Endpoint::Me,
        [segment] => declared
            .by_endpoint(segment)
            .map_or_else(|| Endpoint::Unknown(rest.to_owned()), Endpoint::Collection),
        [segment, ".search"] => declared.by_endpoint(segment).map_or_else(
            || Endpoint::Unknown(rest.to_owned()),
            |rt| Endpoint::Search(Some(rt)),
        ),
        [segment, id] => declared.by_endpoint(segment).map_or_else(
            || Endpoint::Unknown(rest.to_owned()),
            |rt| Endpoint::Resource(rt, (*id).to_owned()),
        ),
        _ => Endpoint::Unknown(rest.to_owned()),
    }
}

/// Replaces the value of every `password` member (any case, any depth).
pub fn mask_passwords(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key.eq_ignore_ascii_case("password") && member.is_string() {
                    *member = Value::String(crate::client::REDACTED.to_owned());
                } else {
                    mask_passwords(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_passwords),
        _ => {}
    }
}
