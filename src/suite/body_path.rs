//! Load-time check of the SCIM paths written in `expect.body` keys and `capture: body.PATH`,
//! with the grammar of `scim::parse_body_path`, so an error points at its character.

use crate::diag::Diagnostic;
use crate::scim::parse_body_path;
use crate::suite::reader::Reader;
use crate::suite::yaml::Pos;

/// Records an error and returns false when `path` is not a valid body path. `pos` is
/// where `path` is written (a mapping key or a scalar), `offset` the byte offset of the
/// path inside that scalar's value and `written` the whole value.
pub fn check(r: &mut Reader, path: &str, pos: Pos, written: &str, offset: usize) -> bool {
    let Err(e) = parse_body_path(path) else {
        return true;
    };
    let at = r.pos_in_string(pos, written, offset + e.offset);
    let mut d = Diagnostic::error(r.loc(at), format!("invalid body path: {}", e.message));
    if let Some(found) = e.found {
        d = d.with_label(format!("found {found}"));
    }
    if let Some(hint) = e.hint {
        d = d.with_hint(hint);
    }
    r.push(d);
    false
}
