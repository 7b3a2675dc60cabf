//! A profile's filter rules applied to a parsed filter: the parser's bounds ([`Limits`]) and the
//! allow-list check that decides whether the vendor would accept a filter that parses.
//!
//! One implementation for everyone who asks "would this vendor accept this filter?": the
//! `scimock filter --profile` command and the mock server.

use crate::model::{FilterRules, FilterSpec, Refusal};
use crate::vocab::{CORE_GROUP, CORE_USER, ResourceKind, ScimType};
use scimock_filter::{Capabilities, CompareOp, Filter, Limits};

/// Why a profile refuses a filter that parses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterRefusal {
    /// A logical operator or value path the vendor does not support (`and`, `or`, `not`, `[]`).
    #[error("{0} is not supported")]
    Construct(&'static str),
    /// An attribute/operator pair outside the allow-list.
    #[error("{attr} {op} is not supported")]
    Attribute {
        /// The attribute path as the allow-list spells it (core URN prefixes removed).
        attr: String,
        /// The operator (`eq`, `pr`, ...).
        op: &'static str,
    },
}

impl FilterRefusal {
    /// What the refusal template's `{attr}` becomes: the attribute, or the construct.
    pub fn attr(&self) -> &str {
        match self {
            FilterRefusal::Construct(c) => c,
            FilterRefusal::Attribute { attr, .. } => attr,
        }
    }

    /// What the refusal template's `{op}` becomes: the operator, or the construct.
    pub fn op(&self) -> &'static str {
        match self {
            FilterRefusal::Construct(c) => c,
            FilterRefusal::Attribute { op, .. } => op,
        }
    }

    /// True for an attribute outside the allow-list (which [`FilterSpec::unknown_attr_empty`]
    /// may answer with an empty list instead).
    pub fn is_attribute(&self) -> bool {
        matches!(self, FilterRefusal::Attribute { .. })
    }
}

/// A [`Refusal`] filled in: the status, `scimType` and detail a vendor answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalAnswer {
    /// HTTP status (400 when the profile's is not a valid status code).
    pub status: u16,
    /// `scimType`, when the profile gives a known one.
    pub scim_type: Option<ScimType>,
    /// `detail` with `{attr}` and `{op}` replaced.
    pub detail: String,
}

impl Refusal {
    /// This refusal for `attr` and `op` (`{attr}` / `{op}` in the detail replaced).
    pub fn answer(&self, attr: &str, op: &str) -> RefusalAnswer {
        RefusalAnswer {
            status: if (100..=999).contains(&self.status) {
                self.status
            } else {
                400
            },
            scim_type: self.scim_type.as_deref().and_then(ScimType::parse),
            detail: self.detail.replace("{attr}", attr).replace("{op}", op),
        }
    }
}

impl FilterSpec {
    /// The parser's bounds for this vendor (`max_length`, `max_depth`).
    pub fn limits(&self) -> Limits {
        Limits {
            max_len: self.max_length,
            max_depth: self.max_depth,
        }
    }

    /// The rules for one resource type.
    pub fn rules(&self, kind: ResourceKind) -> &FilterRules {
        match kind {
            ResourceKind::User => &self.users,
            ResourceKind::Group => &self.groups,
        }
    }

    /// Checks `filter` against the rules for `kind`.
    pub fn check(&self, filter: &Filter, kind: ResourceKind) -> Result<(), FilterRefusal> {
        self.rules(kind).check(filter)
    }

    /// The vendor's answer to `refused` on `/Users`: its refusal template filled in.
    pub fn answer(&self, refused: &FilterRefusal) -> RefusalAnswer {
        self.answer_for(refused, ResourceKind::User)
    }

    /// The vendor's answer to `refused` on `kind`: [`refusal_for`](Self::refusal_for)
    /// filled in.
    pub fn answer_for(&self, refused: &FilterRefusal, kind: ResourceKind) -> RefusalAnswer {
        self.refusal_for(refused, kind)
            .answer(refused.attr(), refused.op())
    }

    /// The template that names what is wrong: a construct (`construct_refusal`), an operator
    /// on an allowed attribute (`operator_refusal`), or an attribute (the resource type's
    /// `refusal`, else `refusal`).
    pub fn refusal_for(&self, refused: &FilterRefusal, kind: ResourceKind) -> &Refusal {
        let rules = self.rules(kind);
        let attribute = rules.refusal.as_ref().unwrap_or(&self.refusal);
        match refused {
            FilterRefusal::Construct(_) => self.construct_refusal.as_ref().unwrap_or(attribute),
            FilterRefusal::Attribute { attr, .. } if rules.allows_attr(attr) => {
                self.operator_refusal.as_ref().unwrap_or(attribute)
            }
            FilterRefusal::Attribute { .. } => attribute,
        }
    }
}

impl FilterRules {
    /// True when the allow-list names `attr` (with any operator).
    pub fn allows_attr(&self, attr: &str) -> bool {
        self.allow.iter().any(|a| a.attr.eq_ignore_ascii_case(attr))
    }

    /// Checks a parsed filter against these rules.
    pub fn check(&self, filter: &Filter) -> Result<(), FilterRefusal> {
        self.check_capabilities(&Capabilities::of(filter))
    }

    /// Checks what a filter uses (see [`Capabilities::of`]) against these rules: logical
    /// operators, `not` and value paths first, then each attribute/operator pair in source order.
    pub fn check_capabilities(&self, caps: &Capabilities) -> Result<(), FilterRefusal> {
        if self.any {
            return Ok(());
        }
        if caps.uses_and && !self.logical {
            return Err(FilterRefusal::Construct("and"));
        }
        if caps.uses_or && !self.logical {
            return Err(FilterRefusal::Construct("or"));
        }
        if caps.uses_not && !self.not {
            return Err(FilterRefusal::Construct("not"));
        }
        if caps.uses_value_path && !self.value_paths {
            return Err(FilterRefusal::Construct("[]"));
        }
        for u in &caps.attrs {
            let path = plain_path(&u.path);
            let op = u.op.map_or("pr", CompareOp::as_str);
            let ok = self.allow.iter().any(|a| {
                a.attr.eq_ignore_ascii_case(path)
                    && a.ops.iter().any(|o| o.eq_ignore_ascii_case(op))
            });
            if !ok {
                return Err(FilterRefusal::Attribute {
                    attr: path.to_string(),
                    op,
                });
            }
        }
        Ok(())
    }
}

/// The attribute path as the allow-list spells it: a core User or Group URN prefix removed.
fn plain_path(p: &str) -> &str {
    for urn in [CORE_USER, CORE_GROUP] {
        if p.len() > urn.len() + 1
            && p.as_bytes()[..urn.len()].eq_ignore_ascii_case(urn.as_bytes())
            && p.as_bytes()[urn.len()] == b':'
        {
            return &p[urn.len() + 1..];
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use scimock_filter::parse_filter;

    fn check(vendor: &str, filter: &str) -> Result<(), FilterRefusal> {
        let p = Profile::builtin(vendor).expect("builtin profile");
        let f = parse_filter(filter).expect("parses");
        p.filter.check(&f, ResourceKind::User)
    }

    #[test]
    fn the_generic_profile_accepts_any_filter() {
        assert_eq!(
            check("generic", r#"not (emails[type eq "work"]) or title co "x""#),
            Ok(())
        );
    }

    #[test]
    fn constructs_are_refused_before_attributes() {
        assert_eq!(
            check("elfsquad", r#"title eq "a" and userName eq "b""#),
            Err(FilterRefusal::Construct("and"))
        );
        assert_eq!(
            check("elfsquad", r#"emails[type eq "work"]"#),
            Err(FilterRefusal::Construct("[]"))
        );
    }

    #[test]
    fn attributes_outside_the_allow_list_name_the_plain_path_and_operator() {
        assert_eq!(check("elfsquad", r#"USERNAME eq "a""#), Ok(()));
        assert_eq!(
            check("elfsquad", &format!(r#"{CORE_USER}:userName eq "a""#)),
            Ok(())
        );
        assert_eq!(
            check("elfsquad", "title pr"),
            Err(FilterRefusal::Attribute {
                attr: "title".into(),
                op: "pr"
            })
        );
        assert_eq!(
            check("elfsquad", r#"userName sw "a""#),
            Err(FilterRefusal::Attribute {
                attr: "userName".into(),
                op: "sw"
            })
        );
    }

    #[test]
    fn answers_fill_the_profile_refusal_template() {
        let p = Profile::builtin("elfsquad").expect("builtin profile");
        let a = p.filter.answer(&FilterRefusal::Construct("and"));
        assert_eq!(
            a,
            RefusalAnswer {
                status: 400,
                scim_type: Some(ScimType::InvalidFilter),
                detail: "Complex filters are not supported".into()
            }
        );
        let templated = Refusal {
            status: 7,
            scim_type: Some("nonsense".into()),
            detail: "{attr} with {op}".into(),
        };
        assert_eq!(
            templated.answer("title", "co"),
            RefusalAnswer {
                status: 400,
                scim_type: None,
                detail: "title with co".into()
            }
        );
    }

    #[test]
    fn limits_come_from_the_profile() {
        let p = Profile::builtin("elfsquad").expect("builtin profile");
        assert_eq!(
            p.filter.limits(),
            Limits {
                max_len: p.filter.max_length,
                max_depth: p.filter.max_depth
            }
        );
    }
}
