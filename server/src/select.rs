//! The select stage (RFC 7644 §3.4.2.2): a list request's filter checked against the
//! profile's filter policy (allow-list, logical operators, value paths) and against the
//! schemas (an attribute no schema defines is "not supported", RFC 7644 §3.12 Table 9
//! `invalidFilter`), compiled, and answered from an index for an `eq` on an indexed attribute,
//! else by a scan.

use crate::error::{ScimError, ScimResult};
use crate::render::{GROUP_URN, USER_URN};
use crate::schema::ResourceSchemas;
use crate::store::{Indexed, Kind, Stored};
use crate::tenant::Tenant;
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, Capabilities, CompValue, CompareOp, CompiledFilter, Filter,
    SchemaInfo, parse_filter_with,
};
use scimock_profile::FilterRules;
use std::sync::Arc;

/// A schema view that makes every attribute case-exact (the `filter.case-sensitive` break).
struct CaseExact<'a>(&'a dyn SchemaInfo);

impl SchemaInfo for CaseExact<'_> {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        let mut info = self.0.attribute(path).unwrap_or(AttrInfo::DEFAULT);
        info.case_exact = true;
        Some(info)
    }
}

/// The attribute path as the allow-list spells it: core URN prefixes removed.
fn plain_path(p: &str) -> &str {
    for urn in [USER_URN, GROUP_URN] {
        if p.len() > urn.len() + 1
            && p[..urn.len()].eq_ignore_ascii_case(urn)
            && p.as_bytes()[urn.len()] == b':'
        {
            return &p[urn.len() + 1..];
        }
    }
    p
}

fn op_name(op: Option<CompareOp>) -> &'static str {
    match op {
        None => "pr",
        Some(CompareOp::Eq) => "eq",
        Some(CompareOp::Ne) => "ne",
        Some(CompareOp::Co) => "co",
        Some(CompareOp::Sw) => "sw",
        Some(CompareOp::Ew) => "ew",
        Some(CompareOp::Gt) => "gt",
        Some(CompareOp::Lt) => "lt",
        Some(CompareOp::Ge) => "ge",
        Some(CompareOp::Le) => "le",
    }
}

/// The comparison operator of `op` (`None` for `pr`).
fn attr_op(op: &AttrOp) -> Option<CompareOp> {
    match op {
        AttrOp::Pr => None,
        AttrOp::Compare { op, .. } => Some(*op),
    }
}

/// Why a profile refuses a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A logical operator or value path the vendor does not support.
    Construct(&'static str),
    /// An attribute/operator pair outside the allow-list.
    Attribute(String, &'static str),
}

/// Checks a parsed filter against a profile's rules for one resource type.
pub fn check_rules(caps: &Capabilities, rules: &FilterRules) -> Result<(), Refused> {
    if rules.any {
        return Ok(());
    }
    if caps.uses_and && !rules.logical {
        return Err(Refused::Construct("and"));
    }
    if caps.uses_or && !rules.logical {
        return Err(Refused::Construct("or"));
    }
    if caps.uses_not && !rules.not {
        return Err(Refused::Construct("not"));
    }
    if caps.uses_value_path && !rules.value_paths {
        return Err(Refused::Construct("[]"));
    }
    for u in &caps.attrs {
        let path = plain_path(&u.path);
        let op = op_name(u.op);
        let ok = rules.allow.iter().any(|a| {
            a.attr.eq_ignore_ascii_case(path) && a.ops.iter().any(|o| o.eq_ignore_ascii_case(op))
        });
        if !ok {
            return Err(Refused::Attribute(path.to_string(), op));
        }
    }
    Ok(())
}

fn is_core(p: &AttrPath) -> bool {
    p.urn
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(USER_URN) || u.eq_ignore_ascii_case(GROUP_URN))
}

/// An `eq` on a string the store has an index for.
fn string_eq(op: &AttrOp) -> Option<&String> {
    match op {
        AttrOp::Compare {
            op: CompareOp::Eq,
            value: CompValue::String(s),
        } => Some(s),
        _ => None,
    }
}

/// An `eq` the store can answer from an index.
fn index_hint(kind: Kind, f: &Filter) -> Option<(Indexed, String)> {
    match f {
        Filter::Attr { path, op } if is_core(path) => {
            let s = string_eq(op)?;
            let is = |n: &str| path.name.eq_ignore_ascii_case(n);
            let sub_is = |n: &str| {
                path.sub
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(n))
            };
            let idx = match (kind, path.sub.is_some()) {
                (Kind::User, false) if is("userName") => Indexed::UserName,
                (Kind::User, false) if is("externalId") => Indexed::ExternalId,
                (Kind::User, true) if is("emails") && sub_is("value") => Indexed::Email,
                (Kind::Group, false) if is("displayName") => Indexed::GroupName,
                _ => return None,
            };
            Some((idx, s.clone()))
        }
        Filter::ValuePath {
            attr,
            filter,
            then: None,
        } if kind == Kind::User && is_core(attr) && attr.name.eq_ignore_ascii_case("emails") => {
            match &**filter {
                Filter::Attr { path, op }
                    if path.urn.is_none()
                        && path.sub.is_none()
                        && path.name.eq_ignore_ascii_case("value") =>
                {
                    string_eq(op).map(|s| (Indexed::Email, s.clone()))
                }
                _ => None,
            }
        }
        Filter::And { left, right } => index_hint(kind, left).or_else(|| index_hint(kind, right)),
        _ => None,
    }
}

/// The absolute path of `path` written inside the value path `within` (`emails[type ...]`
/// names `emails.type`); `None` for a sub-attribute inside a value path, which no schema
/// reaches (three levels).
fn absolute(path: &AttrPath, within: Option<&AttrPath>) -> Option<AttrPath> {
    match within {
        None => Some(path.clone()),
        Some(_) if path.sub.is_some() => None,
        Some(outer) => Some(AttrPath {
            urn: outer.urn.clone(),
            name: outer.name.clone(),
            sub: Some(path.name.clone()),
        }),
    }
}

/// True when the schemas define `path` (`schemas` too, which every resource carries, RFC 7643
/// §3); with `exact_names`, only when spelled as the schema spells it.
fn defined(schemas: &ResourceSchemas, path: &AttrPath, exact_names: bool) -> bool {
    if path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case("schemas") {
        return !exact_names || path.name == "schemas";
    }
    let Some(r) = schemas.resolve(path) else {
        return false;
    };
    if !exact_names {
        return true;
    }
    let same = |def: Option<&crate::schema::AttrDef>, name: Option<&str>| match (def, name) {
        (Some(d), Some(n)) => d.name == n,
        _ => true,
    };
    same(r.attr, Some(path.name.as_str()).filter(|n| !n.is_empty()))
        && same(r.sub, path.sub.as_deref())
}

/// The first attribute `filter` names that the schemas do not define (see [`defined`]), with
/// the operator applied to it (`[]` for a value path).
fn undefined_attribute(
    filter: &Filter,
    schemas: &ResourceSchemas,
    exact_names: bool,
) -> Option<(AttrPath, &'static str)> {
    // Iterative: long `and`/`or` chains are deep trees.
    let mut todo: Vec<(&Filter, Option<AttrPath>)> = vec![(filter, None)];
    while let Some((f, within)) = todo.pop() {
        let undefined = |p: &AttrPath| {
            absolute(p, within.as_ref()).filter(|abs| !defined(schemas, abs, exact_names))
        };
        match f {
            Filter::Attr { path, op } => {
                if let Some(p) = undefined(path) {
                    return Some((p, op_name(attr_op(op))));
                }
            }
            Filter::ValuePath { attr, filter, then } => {
                if let Some(p) = undefined(attr) {
                    return Some((p, "[]"));
                }
                let Some(outer) = absolute(attr, within.as_ref()) else {
                    continue;
                };
                if let Some(then) = then {
                    let sub = AttrPath {
                        sub: Some(then.sub.clone()),
                        ..outer.clone()
                    };
                    if !defined(schemas, &sub, exact_names) {
                        return Some((sub, op_name(attr_op(&then.op))));
                    }
                }
                todo.push((filter, Some(outer)));
            }
            Filter::Not { filter } => todo.push((filter, within)),
            Filter::And { left, right } | Filter::Or { left, right } => {
                todo.push((right, within.clone()));
                todo.push((left, within));
            }
        }
    }
    None
}

/// A filter ready to run.
pub enum Selection {
    /// Every resource.
    All,
    /// Nothing (an allow-list miss answered with an empty list).
    Nothing,
    /// Resources matching the compiled filter, optionally starting from index candidates.
    Matching(CompiledFilter, Option<(Indexed, String)>),
}

/// The selection a `filter` asks for, under the profile's filter policy.
pub fn select(t: &Tenant, kind: Kind, raw: Option<&str>) -> ScimResult<Selection> {
    let Some(raw) = raw.filter(|f| !f.trim().is_empty()) else {
        return Ok(Selection::All);
    };
    let bends = t.shared.faults.bends();
    if bends.filter_ignored || (kind == Kind::Group && bends.group_filter_ignored) {
        return Ok(Selection::All);
    }
    let spec = &t.profile.filter;
    let filter = match parse_filter_with(raw, &t.rules.filter_limits) {
        Ok(f) => f,
        Err(_) if bends.filter_malformed_accepted => return Ok(Selection::All),
        Err(e) => return Err(ScimError::invalid_filter(e.to_string())),
    };
    let rules = match kind {
        Kind::User => &spec.users,
        Kind::Group => &spec.groups,
    };
    if !bends.filter_accept_unsupported {
        match check_rules(&Capabilities::of(&filter), rules) {
            Ok(()) => {}
            Err(Refused::Attribute(_, _)) if spec.unknown_attr_empty => {
                return Ok(Selection::Nothing);
            }
            Err(Refused::Attribute(attr, op)) => {
                return Err(ScimError::from_refusal(&spec.refusal, &attr, op));
            }
            Err(Refused::Construct(what)) => {
                return Err(ScimError::from_refusal(&spec.refusal, what, what));
            }
        }
    }
    let schema = t.schemas.of(kind);
    if let Some((path, op)) =
        undefined_attribute(&filter, schema, bends.filter_names_case_sensitive)
    {
        if bends.filter_undefined_matches {
            return Ok(Selection::All);
        }
        if spec.unknown_attr_empty {
            return Ok(Selection::Nothing);
        }
        return Err(ScimError::from_refusal(
            &spec.refusal,
            &path.to_string(),
            op,
        ));
    }
    if bends.filter_case_sensitive {
        let compiled = CompiledFilter::new(&filter, &CaseExact(schema))
            .map_err(|e| ScimError::invalid_filter(e.to_string()))?;
        return Ok(Selection::Matching(compiled, None));
    }
    let compiled = CompiledFilter::new(&filter, schema)
        .map_err(|e| ScimError::invalid_filter(e.to_string()))?;
    Ok(Selection::Matching(compiled, index_hint(kind, &filter)))
}

/// Resources matching `sel`, in insertion order (None: all of them, not materialised).
pub fn matching(t: &Tenant, kind: Kind, sel: &Selection) -> Option<Vec<Arc<Stored>>> {
    let store = t.read();
    let coll = store.collection(kind);
    match sel {
        Selection::All => None,
        Selection::Nothing => Some(Vec::new()),
        Selection::Matching(f, Some((idx, value))) => {
            let mut v: Vec<Arc<Stored>> = store
                .lookup(*idx, value)
                .iter()
                .filter_map(|id| coll.get(id))
                .filter(|s| f.matches_view(s.view()))
                .cloned()
                .collect();
            v.sort_by_key(|s| s.seq);
            Some(v)
        }
        Selection::Matching(f, None) => Some(coll.scan(|s| f.matches_view(s.view()))),
    }
}

/// Every resource of `kind` matching a filter, in insertion order (materialised).
pub fn all_matching(t: &Tenant, kind: Kind, sel: &Selection) -> Vec<Arc<Stored>> {
    matching(t, kind, sel).unwrap_or_else(|| t.read().collection(kind).iter().cloned().collect())
}
