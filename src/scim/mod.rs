//! SCIM attribute paths and the filter grammar (parse + evaluate), shared by the checks
//! and the reference server.
//!
//! - [`parse_filter`] and [`Filter`]: the filter grammar of RFC 7644 3.4.2.2.
//! - [`parse_patch_path`] and [`PatchPath`]: PATCH paths of RFC 7644 3.5.2.
//! - [`matches()`], [`matches_value`] and [`resolve`]: evaluation against a resource, with
//!   attribute characteristics from [`AttributeTypes`] (RFC 7643 2.2).
//!
//! Input is limited to [`MAX_FILTER_LEN`] bytes and [`MAX_FILTER_DEPTH`] levels of
//! nesting, so hostile filters end in a [`GrammarError`], never a stack overflow.
//! - [`parse_body_path`] and [`select`]: paths into response bodies for check matchers.

mod attr;
mod attr_types;
mod body_path;
mod compare;
mod datetime;
mod error;
mod eval;
mod filter;
mod lexer;
mod parser;
mod path;
mod requote;

pub use attr::{AttrPath, get_attr, is_attr_name, parse_attr_path, parse_attr_path_with_schemas};
pub use attr_types::{AttrKind, AttributeTypes, NoSchema};
pub use body_path::{BodyPath, BodyStep, Selected, parse_body_path, select};
pub use compare::{fold_case, value_order};
pub use datetime::{Instant, parse_instant};
pub use error::GrammarError;
pub use eval::{matches, matches_value, resolve};
pub use filter::{CompareOp, Filter};
pub use parser::{MAX_FILTER_DEPTH, MAX_FILTER_LEN, parse_filter};
pub use path::{PatchPath, parse_patch_path, parse_patch_path_with_schemas};
pub use requote::requote_filter;

/// A version 4 UUID from the thread's random generator, for resource ids and unique test
/// values: `Uuid::new_v4` asks the kernel for every one.
pub fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}
