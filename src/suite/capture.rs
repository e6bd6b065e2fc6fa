//! The `capture` of a step read into `model::Capture`s, and the warning for captures
//! that nothing uses.

use crate::diag::Diagnostic;
use crate::suite::body_path;
use crate::suite::model::{Capture, CaptureSource, WrittenPath};
use crate::suite::reader::Reader;
use crate::suite::request::is_header_name;
use crate::suite::scenario::{check_name, field};
use crate::suite::scope::Names;
use crate::suite::yaml::{Node, NodeKind};

pub fn captures(r: &mut Reader, node: &Node, names: &Names<'_>) -> Vec<Capture> {
    let Some(entries) = r.entries(node, "'capture'") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries {
        if !check_name(r, e.key, e.key_pos, "capture") {
            continue;
        }
        if names.scenario_vars.iter().any(|v| v == e.key) {
            r.error(
                e.key_pos,
                format!("capture '{}' has the name of a scenario variable", e.key),
            );
            continue;
        }
        let Some(source_text) = r.string(e.value, "a capture source") else {
            continue;
        };
        let source = if source_text == "status" {
            Some(CaptureSource::Status)
        } else if source_text == "body" {
            Some(CaptureSource::Body(WrittenPath::whole()))
        } else if let Some(path) = source_text.strip_prefix("body.") {
            body_path::parse(r, path, e.value.pos, source_text, "body.".len())
                .map(CaptureSource::Body)
        } else if let Some(header) = source_text.strip_prefix("headers.")
            && is_header_name(header)
        {
            Some(CaptureSource::Header(header.to_ascii_lowercase()))
        } else {
            let d = Diagnostic::error(
                r.loc(e.value.pos),
                format!("invalid capture source '{source_text}'"),
            )
            .with_hint("a capture takes `body.PATH`, `headers.NAME` or `status`");
            r.push(d);
            None
        };
        if let Some(source) = source {
            out.push(Capture {
                name: e.key.to_owned(),
                source,
                loc: r.loc(e.key_pos),
            });
        }
    }
    out
}

pub fn warn_unused_captures(r: &mut Reader, step_nodes: &[Node], names: &Names<'_>) {
    for node in step_nodes {
        let Some(NodeKind::Map(entries)) = field(node, "capture").map(|c| &c.kind) else {
            continue;
        };
        for (key, _) in entries {
            if let Some(name) = key.as_str()
                && !names.capture_used(name)
            {
                let d = Diagnostic::warning(
                    r.loc(key.pos),
                    format!("capture '{name}' is never used by a later step"),
                );
                r.push(d);
            }
        }
    }
}
