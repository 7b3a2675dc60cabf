//! A summary of what a filter uses, so a vendor profile can accept or refuse it.

use crate::ast::{AttrOp, AttrPath, CompareOp, Filter};
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
    /// Deepest nesting of groups / `not` / brackets, counted on the canonical form
    /// (`a or b and c` is 0, `(a or b) and c` is 1, `not (x)` and `emails[x]` are 1 each).
    pub depth: usize,
}

impl Capabilities {
    /// Summarises `filter`.
    pub fn of(filter: &Filter) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.depth = caps.visit(filter, None);
        caps
    }

    /// Records `filter` (written inside the value path `within`, if any); returns its depth.
    fn visit(&mut self, filter: &Filter, within: Option<&AttrPath>) -> usize {
        match filter {
            Filter::Attr { path, op } => {
                let path = match within {
                    None => path.to_string(),
                    Some(outer) => format!("{outer}.{path}"),
                };
                self.record(path, op);
                0
            }
            Filter::ValuePath { attr, filter, then } => {
                self.uses_value_path = true;
                let depth = 1 + self.visit(filter, Some(attr));
                if let Some(then) = then {
                    self.record(format!("{attr}.{}", then.sub), &then.op);
                }
                depth
            }
            Filter::Not { filter } => {
                self.uses_not = true;
                1 + self.visit(filter, within)
            }
            Filter::And { .. } | Filter::Or { .. } => {
                let is_and = matches!(filter, Filter::And { .. });
                if is_and {
                    self.uses_and = true;
                } else {
                    self.uses_or = true;
                }
                // Iterative over the left spine: long chains are deep trees. Parentheses (one
                // more level) are needed exactly where the canonical printer puts them.
                let (first, rest) = filter.left_spine();
                let first_parens = is_and && matches!(first, Filter::Or { .. });
                let mut depth = self.visit(first, within) + usize::from(first_parens);
                for right in rest {
                    let parens = match right {
                        Filter::Or { .. } => true,
                        Filter::And { .. } => is_and,
                        _ => false,
                    };
                    depth = depth.max(self.visit(right, within) + usize::from(parens));
                }
                depth
            }
        }
    }

    fn record(&mut self, path: String, op: &AttrOp) {
        let op = match op {
            AttrOp::Pr => None,
            AttrOp::Compare { op, .. } => Some(*op),
        };
        self.attrs.push(AttrUse { path, op });
    }
}
