//! Quotes put back into a look-up filter whose vendor documents it without them.

/// The server side of `unquote_filter`: a bare value after `eq` gets its quotes back, so
/// an emulated product can accept what the vendor documents.
pub fn requote_filter(filter: &str) -> String {
    let parts: Vec<&str> = filter.splitn(3, ' ').collect();
    let [attribute, op, value] = parts.as_slice() else {
        return filter.to_owned();
    };
    let bare = !value.starts_with('"')
        && !value.contains([' ', '"', '(', ')'])
        && !matches!(*value, "true" | "false" | "null")
        && value.parse::<f64>().is_err();
    if op.eq_ignore_ascii_case("eq") && bare {
        format!("{attribute} {op} \"{value}\"")
    } else {
        filter.to_owned()
    }
}
