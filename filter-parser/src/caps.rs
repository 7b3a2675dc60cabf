//! A summary of what a filter uses, so a vendor profile can accept or refuse it.

use crate::ast::{CompareOp, Filter};
use serde::Serialize;

/// One use of an attribute in a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttrUse {
    /// Absolute dotted path as written (URN kept if present), e.g. `emails.value`;
    /// inside a value path `emails[type eq "work"]` this is `emails.type`.
    pub path: String,
    /// The operator, `None` for `pr`.
    pub op: Option<CompareOp>,
}

/// What a filter uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    /// Every attribute test, in source order.
    pub attrs: Vec<AttrUse>,
    /// Uses `and` (including inside value paths).
    pub uses_and: bool,
    /// Uses `or`.
    pub uses_or: bool,
    /// Uses `not`.
    pub uses_not: bool,
    /// Uses a value path `attr[...]`.
    pub uses_value_path: bool,
    /// Deepest nesting of groups / `not` / brackets.
    pub depth: usize,
}

impl Capabilities {
    /// Summarises `filter`.
    pub fn of(filter: &Filter) -> Capabilities {
        let _ = filter;
        todo!("caps")
    }
}
