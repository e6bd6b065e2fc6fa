//! SCIM errors (RFC 7644 3.12): the status, the scimType where the RFC defines one, a
//! detail that names what was wrong, and any header the status needs.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use serde_json::{Value, json};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The scimType values of RFC 7644 table 9 that this server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    TooMany,
}

impl ScimType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::TooMany => "tooMany",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<ScimType>,
    pub detail: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ScimError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::BAD_REQUEST, detail).typed(scim_type)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        ScimError::bad_request(ScimType::InvalidValue, detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        ScimError::bad_request(ScimType::InvalidSyntax, detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        ScimError::bad_request(ScimType::InvalidPath, detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        ScimError::bad_request(ScimType::NoTarget, detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        ScimError::bad_request(ScimType::Mutability, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn uniqueness(detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::CONFLICT, detail).typed(ScimType::Uniqueness)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    pub fn typed(mut self, scim_type: ScimType) -> Self {
        self.scim_type = Some(scim_type);
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The error with its scimType kept only where RFC 7644's text names the keyword for
    /// the error (the `no-scim-type` misbehaviour: elsewhere scimType is OPTIONAL).
    pub fn scim_type_only_where_named(mut self) -> Self {
        if !matches!(
            self.scim_type,
            Some(
                ScimType::Uniqueness
                    | ScimType::NoTarget
                    | ScimType::InvalidFilter
                    | ScimType::Mutability
            )
        ) {
            self.scim_type = None;
        }
        self
    }

    /// The SCIM Error message. `status_as_integer` is the misbehaviour of that name; the
    /// RFC makes `status` a string.
    pub fn to_body(&self, status_as_integer: bool) -> Value {
        let status = if status_as_integer {
            json!(self.status.as_u16())
        } else {
            json!(self.status.as_u16().to_string())
        };
        let mut body = json!({ "schemas": [ERROR_SCHEMA], "status": status });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type.as_str());
        }
        body["detail"] = json!(self.detail);
        body
    }

    /// The same error as a small HTML page (the `html-errors` misbehaviour).
    pub fn to_html(&self) -> String {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        format!(
            "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\n<body><h1>{code} {reason}</h1><p>{detail}</p></body></html>\n",
            code = self.status.as_u16(),
            detail = escape_html(&self.detail)
        )
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_string_status_and_scim_type() {
        let body = ScimError::uniqueness("userName 'ada' is taken").to_body(false);
        assert_eq!(body["schemas"][0], ERROR_SCHEMA);
        assert_eq!(body["status"], "409");
        assert_eq!(body["scimType"], "uniqueness");
        assert_eq!(body["detail"], "userName 'ada' is taken");
        assert_eq!(ScimError::not_found("x").to_body(true)["status"], 404);
        assert!(
            ScimError::not_found("x")
                .to_body(false)
                .get("scimType")
                .is_none()
        );
    }

    #[test]
    fn html_page_escapes_the_detail() {
        let page = ScimError::not_found("<script>").to_html();
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("404 Not Found"));
    }
}
