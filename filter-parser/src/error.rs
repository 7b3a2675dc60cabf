//! Errors from parsing and evaluating filters.

use thiserror::Error;

/// Why a parse failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The input does not follow the grammar.
    Syntax,
    /// The input is longer than `Limits::max_len`.
    TooLong,
    /// The input nests deeper than `Limits::max_depth`.
    TooDeep,
}

/// A parse failure with the 1-based column (in characters) where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("error at column {column}: {message}")]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// 1-based column, counted in characters, where the problem was found.
    pub column: usize,
    /// A short description of what was expected there (e.g. `a comparison operator`).
    pub expected: String,
    /// The full human message (e.g. `expected a comparison operator, found "eqq"`).
    pub message: String,
}

impl ParseError {
    /// The RFC 7644 `scimType` for a bad filter.
    pub fn scim_type(&self) -> &'static str {
        "invalidFilter"
    }
}

/// A filter that parses but cannot be evaluated (e.g. `gt` on a boolean), RFC 7644 `invalidFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct EvalError {
    /// The human message.
    pub message: String,
}

impl EvalError {
    /// The RFC 7644 `scimType` for this error.
    pub fn scim_type(&self) -> &'static str {
        "invalidFilter"
    }
}
