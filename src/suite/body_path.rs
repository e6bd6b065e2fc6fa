//! Body paths written in `expect.body` keys and `capture: body.PATH`, parsed once at load
//! with the grammar of `scim::parse_body_path`, so an error points at its character and
//! the checks select with the parsed path.

use crate::diag::Diagnostic;
use crate::suite::model::WrittenPath;
use crate::suite::reader::Reader;
use crate::suite::yaml::Pos;

/// `path` parsed, or None with an error recorded. `pos` is where `path` is written (a
/// mapping key or a scalar), `offset` the byte offset of the path inside that scalar's
/// value and `written` the whole value.
pub fn parse(
    r: &mut Reader,
    path: &str,
    pos: Pos,
    written: &str,
    offset: usize,
) -> Option<WrittenPath> {
    let e = match WrittenPath::parse(path) {
        Ok(parsed) => return Some(parsed),
        Err(e) => e,
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
    None
}
