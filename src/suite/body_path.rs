//! Load-time check of the SCIM paths written in `expect.body` keys and `capture: body.PATH`.

use crate::diag::Diagnostic;
use crate::suite::reader::Reader;
use crate::suite::yaml::Pos;

/// Records an error and returns false when `path` is not a valid body path. `pos` is
/// where the path starts in the file.
pub fn check(r: &mut Reader, path: &str, pos: Pos, _is_key: bool) -> bool {
    // Until the SCIM path grammar lands in `scim/`, only the obvious is checked.
    let problem = if path.is_empty() {
        Some((0, "empty body path".to_owned()))
    } else if path.starts_with('.') || path.ends_with('.') || path.contains("..") {
        path.find('.').map(|i| {
            (
                i,
                "a body path cannot start or end with '.' or hold '..'".to_owned(),
            )
        })
    } else {
        None
    };
    let Some((offset, message)) = problem else {
        return true;
    };
    let col = pos.col + u32::try_from(path[..offset].chars().count()).unwrap_or(0);
    let loc = r.loc(Pos { col, ..pos });
    r.push(Diagnostic::error(
        loc,
        format!("invalid body path '{path}': {message}"),
    ));
    false
}
