//! Selecting values in a JSON body by a SCIM-style path.
//!
//! TEMPORARY: a minimal dotted-path reader (case-insensitive names, `[N]` indexes, URN
//! prefixes) until the `scim` module's `select` lands; then this delegates to it.

use serde_json::Value;

/// The values a path selected; `multi` when the path had a filter.
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
    if path.contains(' ') {
        return Err(format!("filters in paths are not supported yet: `{path}`"));
    }
    let mut current = vec![body];
    let mut rest = path;
    // A URN prefix is one key of the top-level object (an extension schema).
    if rest.to_ascii_lowercase().starts_with("urn:") {
        let Value::Object(map) = body else {
            return Ok(Selected::none());
        };
        let key = map
            .keys()
            .filter(|k| {
                rest.len() >= k.len()
                    && rest[..k.len()].eq_ignore_ascii_case(k)
                    && matches!(rest.as_bytes().get(k.len()), None | Some(b':') | Some(b'.'))
            })
            .max_by_key(|k| k.len());
        let Some(key) = key else {
            return Ok(Selected::none());
        };
        current = vec![&map[key]];
        rest = rest[key.len()..].trim_start_matches([':', '.']);
    }
    for segment in rest.split('.').filter(|s| !s.is_empty()) {
        let (name, index) = match segment.split_once('[') {
            Some((name, idx)) => {
                let idx = idx
                    .strip_suffix(']')
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| format!("invalid index in `{segment}`"))?;
                (name, Some(idx))
            }
            None => (segment, None),
        };
        let mut next = Vec::new();
        // A name applied to a multi-valued attribute applies to each of its items.
        let items = current.into_iter().flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        });
        for value in items {
            if let Value::Object(map) = value
                && let Some((_, v)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                match index {
                    Some(i) => next.extend(v.get(i)),
                    None => next.push(v),
                }
            }
        }
        current = next;
    }
    Ok(Selected {
        values: current,
        multi: false,
    })
}
