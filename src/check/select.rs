//! Selecting values in a JSON body by a SCIM-style path, through the `scim` grammar.

use serde_json::Value;

/// The values a path selected; `multi` when they are a set (filter, or through an array).
#[derive(Debug, Clone)]
pub struct Selected<'a> {
    pub values: Vec<&'a Value>,
    pub multi: bool,
}

impl<'a> Selected<'a> {
    pub fn one(value: &'a Value) -> Selected<'a> {
        Selected {
            values: vec![value],
            multi: false,
        }
    }

    pub fn none() -> Selected<'a> {
        Selected {
            values: Vec::new(),
            multi: false,
        }
    }
}

/// The values at `path` in `body`; an empty path selects the whole body.
pub fn select<'a>(body: &'a Value, path: &str) -> Result<Selected<'a>, String> {
    if path.trim().is_empty() {
        return Ok(Selected::one(body));
    }
    let parsed =
        crate::scim::parse_body_path(path).map_err(|e| format!("invalid path `{path}`: {e}"))?;
    let selection = crate::scim::select(body, &parsed);
    Ok(Selected {
        values: selection.values,
        multi: selection.multi,
    })
}
