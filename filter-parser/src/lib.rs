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
//! ```
//! use scimock_filter::{parse_filter, Capabilities, CompiledFilter, CoreSchema};
//! use serde_json::json;
//!
//! let filter = parse_filter(r#"userName Eq "bjensen" and not(emails[type eq "work"])"#).unwrap();
//! assert_eq!(filter.to_string(), r#"userName eq "bjensen" and not (emails[type eq "work"])"#);
//! assert!(Capabilities::of(&filter).uses_value_path);
//! let compiled = CompiledFilter::new(&filter, &CoreSchema).unwrap();
//! assert!(compiled.matches(&json!({"userName": "BJensen", "emails": []})));
//!
//! let err = parse_filter(r#"userName eqq "bjensen""#).unwrap_err();
//! assert_eq!(err.to_string(), r#"error at column 10: expected a comparison operator, found "eqq""#);
//! ```
//!
//! Grammar notes: operators and keywords (`and or not pr true false null`) are
//! case-insensitive; a keyword only counts when followed by a non-name character, so
//! `orgUnit`, `notes` or `andrew` are attribute names (an attribute named exactly `not`
//! cannot be written bare). One or more spaces or tabs are accepted wherever the RFC asks for
//! one space, and around the whole input; `not(`, `(a pr)` and `[type eq "x"]` need none.
//! Value filters (`emails[...]`) do not nest. Errors carry the 1-based column, in characters,
//! of the token where the problem was found.
//!
//! Canonical form ([`Filter`]'s `Display`): operators and keywords lowercase, single spaces,
//! strings re-escaped as JSON, `not (x)` always with its space, and parentheses only where
//! needed (`and` binds tighter than `or`, both are left-associative). Parsing the printed form
//! gives back the same AST.
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
mod view;

pub use ast::{AttrOp, AttrPath, CompValue, CompareOp, Filter, PatchPath, SubAttrTest};
pub use caps::{AttrUse, Capabilities};
pub use error::{EvalError, ParseError, ParseErrorKind};
pub use eval::{CompiledFilter, resolve_values, resolve_view};
pub use schema::{AttrInfo, AttrKind, CoreSchema, SchemaInfo};
pub use view::{JsonKind, JsonView, key_matches};

/// Bounds applied while parsing untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted input, in bytes (default 8 KiB). Longer input fails with
    /// [`ParseErrorKind::TooLong`] before parsing; its column is that of the first character
    /// that does not fit entirely within `max_len` bytes (`max_len + 1` for ASCII input).
    /// This also bounds `a and b and ...` chains, which are deep left-leaning trees that
    /// dropping or serialising the AST walks recursively: keep it in the tens of KiB at most.
    pub max_len: usize,
    /// Deepest accepted nesting of parentheses, `not` and value-path brackets, each counting
    /// one level (default 64). Deeper input fails with [`ParseErrorKind::TooDeep`] at the
    /// opening token that goes too deep; the parser never recurses further than this.
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
