//! RFC 7644 SCIM filter parsing and evaluation.
//!
//! What it is for: turning the `filter` query parameter (§3.4.2.2), the `attributes` /
//! `excludedAttributes` lists (§3.4.2.5) and PATCH operation paths (§3.5.2) into an AST,
//! printing that AST in a canonical form, summarising which attributes/operators a filter
//! uses (so a vendor profile can accept or refuse it), and evaluating a filter against a
//! `serde_json::Value` resource with RFC 7643 case-sensitivity and type rules.
//!
//! What it is not for: HTTP, storage or vendor knowledge. Those live in `scimock-server`
//! and `scimock-profile`.
//!
//! Parsing is bounded: inputs longer than [`Limits::max_len`] or nested deeper than
//! [`Limits::max_depth`] are rejected before any deep recursion, and every operand is
//! parsed once, so the time taken is linear in the input.

pub mod ast;
mod caps;
mod display;
mod error;
mod eval;
mod parse;
pub mod schema;

pub use ast::{AttrOp, AttrPath, CompValue, CompareOp, Filter, PatchPath, SubAttrTest};
pub use caps::{AttrUse, Capabilities};
pub use error::{EvalError, ParseError, ParseErrorKind};
pub use eval::{CompiledFilter, resolve_values};
pub use schema::{AttrInfo, AttrKind, CoreSchema, SchemaInfo};

/// Bounds applied while parsing untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted input, in bytes (default 8 KiB).
    pub max_len: usize,
    /// Deepest accepted nesting of parentheses, `not` and value-path brackets (default 64).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_len: 8 * 1024,
            max_depth: 64,
        }
    }
}

/// Parses a filter with the default [`Limits`].
pub fn parse_filter(input: &str) -> Result<Filter, ParseError> {
    parse_filter_with(input, &Limits::default())
}

/// Parses a filter with explicit [`Limits`].
pub fn parse_filter_with(input: &str, limits: &Limits) -> Result<Filter, ParseError> {
    parse::filter(input, limits)
}

/// Parses a single attribute path such as `name.givenName` or a URN-qualified path.
pub fn parse_attr_path(input: &str) -> Result<AttrPath, ParseError> {
    parse::attr_path_only(input)
}

/// Parses a comma-separated `attributes` / `excludedAttributes` list (whitespace around commas allowed).
pub fn parse_attr_list(input: &str) -> Result<Vec<AttrPath>, ParseError> {
    parse::attr_list(input)
}

/// Parses a PATCH operation `path` (RFC 7644 §3.5.2) with the default [`Limits`].
pub fn parse_patch_path(input: &str) -> Result<PatchPath, ParseError> {
    parse::patch_path(input, &Limits::default())
}
