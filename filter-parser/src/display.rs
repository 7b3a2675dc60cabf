//! Canonical printing: operators lowercase, single spaces, parentheses only where needed.
//!
//! `and` binds tighter than `or` and both are left-associative, so an `or` operand of `and`
//! needs parentheses, and so does a right operand of the same operator (`a and (b and c)`).
//! `not (x)` always has its space and parentheses. Strings are re-escaped as JSON. Parsing the
//! printed form gives back the same AST.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{AttrOp, AttrPath, CompValue, CompareOp, Filter, PatchPath, SubAttrTest};

impl CompareOp {
    /// The lowercase operator as written in filters (`eq`, `ne`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }
}

impl Display for CompareOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Display for AttrPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            f.write_char(':')?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            f.write_char('.')?;
            f.write_str(sub)?;
        }
        Ok(())
    }
}

impl Display for CompValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => match serde_json::to_string(s) {
                Ok(json) => f.write_str(&json),
                Err(_) => Err(fmt::Error),
            },
        }
    }
}

impl Display for AttrOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AttrOp::Pr => f.write_str("pr"),
            AttrOp::Compare { op, value } => write!(f, "{op} {value}"),
        }
    }
}

impl Display for SubAttrTest {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.sub, self.op)
    }
}

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Attr { path, op } => write!(f, "{path} {op}"),
            Filter::ValuePath { attr, filter, then } => {
                write!(f, "{attr}[{filter}]")?;
                if let Some(then) = then {
                    write!(f, ".{then}")?;
                }
                Ok(())
            }
            Filter::Not { filter } => write!(f, "not ({filter})"),
            Filter::And { .. } | Filter::Or { .. } => {
                // Walk the left spine iteratively: long `a and b and c ...` chains are deep.
                let is_and = matches!(self, Filter::And { .. });
                let (first, rest) = self.left_spine();
                write_operand(f, first, is_and && matches!(first, Filter::Or { .. }))?;
                for right in rest {
                    f.write_str(if is_and { " and " } else { " or " })?;
                    let parens = match right {
                        Filter::Or { .. } => true,
                        Filter::And { .. } => is_and,
                        _ => false,
                    };
                    write_operand(f, right, parens)?;
                }
                Ok(())
            }
        }
    }
}

fn write_operand(f: &mut Formatter<'_>, operand: &Filter, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({operand})")
    } else {
        write!(f, "{operand}")
    }
}

impl Filter {
    /// For `And`/`Or`, the operands of the left-leaning chain of that same operator, in order:
    /// `((a and b) and c)` gives `(a, [b, c])`. Any other filter gives `(self, [])`.
    pub(crate) fn left_spine(&self) -> (&Filter, Vec<&Filter>) {
        let is_and = matches!(self, Filter::And { .. });
        let mut rights = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Filter::And { left, right } if is_and => {
                    rights.push(&**right);
                    cur = left;
                }
                Filter::Or { left, right } if !is_and => {
                    rights.push(&**right);
                    cur = left;
                }
                _ => break,
            }
        }
        rights.reverse();
        (cur, rights)
    }
}

impl Display for PatchPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
