//! The select stage (RFC 7644 §3.4.2.2): a list request's filter checked against the
//! profile's filter policy (allow-list, logical operators, value paths) and against the
//! schemas (an attribute no schema defines is "not supported", RFC 7644 §3.12 Table 9
//! `invalidFilter`), compiled, and answered from an index for an `eq` on an indexed attribute,
//! else by a scan.

use crate::error::{ScimError, ScimResult};
use crate::schema::ResourceSchemas;
use crate::store::{Indexed, Kind, Stored};
use crate::tenant::Tenant;
use crate::violations::{Effect, note};
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, CompValue, CompareOp, CompiledFilter, Filter, SchemaInfo,
    parse_filter_with,
};
use scimock_profile::Profile;
use scimock_profile::vocab::{CORE_GROUP, CORE_USER};
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

/// The comparison operator of `op` (`None` for `pr`).
fn attr_op(op: &AttrOp) -> Option<CompareOp> {
    match op {
        AttrOp::Pr => None,
        AttrOp::Compare { op, .. } => Some(*op),
    }
}

fn is_core(p: &AttrPath) -> bool {
    p.urn
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(CORE_USER) || u.eq_ignore_ascii_case(CORE_GROUP))
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
                    return Some((p, attr_op(op).map_or("pr", CompareOp::as_str)));
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
                        return Some((sub, attr_op(&then.op).map_or("pr", CompareOp::as_str)));
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

/// What a vendor makes of a filter that parses.
pub enum Verdict {
    /// Accepted: the filter, compiled against the schema.
    Accepted(CompiledFilter),
    /// An attribute outside the allow-list or no schema defines, answered with an empty list
    /// (`filter.unknown_attr_empty`).
    Empty,
    /// Every resource (the `filter.undefined-matches` break).
    All,
}

/// How [`judge`] is bent by the mock's break switches; the default is the vendor as
/// documented (what `scimock filter --profile` uses).
#[derive(Debug, Clone, Copy, Default)]
pub struct JudgeOptions {
    /// Skip the vendor's filter policy (`filter.accept-unsupported`).
    pub skip_policy: bool,
    /// Attribute names compared with the schema case-sensitively.
    pub names_case_sensitive: bool,
    /// An attribute no schema defines matches every resource instead of being refused.
    pub undefined_matches: bool,
    /// Every attribute compared case-exact (`filter.case-sensitive`).
    pub case_exact: bool,
}

/// Notes a filter the vendor refuses as a client violation and returns the refusal.
fn refused(kind: Kind, e: ScimError) -> ScimError {
    let switch = match kind {
        Kind::Group => "filter.groups",
        Kind::User => "filter.users",
    };
    note(
        Effect::Refused,
        switch,
        format!("filter refused: {}", e.detail),
    );
    e
}

/// The vendor's verdict on a filter that parses: its filter policy first (allow-list,
/// constructs, and the refusal that names what is wrong, `scimock_profile::filter`), then
/// the schemas (an attribute no schema defines is "not supported", RFC 7644 §3.12 Table 9;
/// an operator the attribute's type does not allow, such as `gt` on a boolean, is 400
/// `invalidFilter`, §3.4.2.2). One function for the server and `scimock filter --profile`.
pub fn judge(
    profile: &Profile,
    schemas: &ResourceSchemas,
    kind: Kind,
    filter: &Filter,
    opts: JudgeOptions,
) -> ScimResult<Verdict> {
    let spec = &profile.filter;
    if !opts.skip_policy {
        match spec.check(filter, kind) {
            Ok(()) => {}
            Err(r) if r.is_attribute() && spec.unknown_attr_empty => {
                note(
                    Effect::Altered,
                    "filter.unknown_attr_empty",
                    format!(
                        "a filter on {} answers an empty list: the vendor does not filter by it",
                        r.attr()
                    ),
                );
                return Ok(Verdict::Empty);
            }
            Err(r) => {
                let e = ScimError::from_refusal(spec.refusal_for(&r, kind), r.attr(), r.op());
                return Err(refused(kind, e));
            }
        }
    }
    if let Some((path, op)) = undefined_attribute(filter, schemas, opts.names_case_sensitive) {
        if opts.undefined_matches {
            return Ok(Verdict::All);
        }
        if spec.unknown_attr_empty {
            note(
                Effect::Altered,
                "filter.unknown_attr_empty",
                format!("a filter on {path} answers an empty list: no schema defines it"),
            );
            return Ok(Verdict::Empty);
        }
        let refusal = spec.rules(kind).refusal.as_ref().unwrap_or(&spec.refusal);
        let e = ScimError::from_refusal(refusal, &path.to_string(), op);
        return Err(refused(kind, e));
    }
    let compiled = if opts.case_exact {
        CompiledFilter::new(filter, &CaseExact(schemas))
    } else {
        CompiledFilter::new(filter, schemas)
    };
    compiled
        .map(Verdict::Accepted)
        .map_err(|e| ScimError::invalid_filter(e.to_string()))
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
    let filter = match parse_filter_with(raw, &t.rules.filter_limits) {
        Ok(f) => f,
        Err(_) if bends.filter_malformed_accepted => return Ok(Selection::All),
        Err(e) => return Err(ScimError::invalid_filter(e.to_string())),
    };
    let opts = JudgeOptions {
        skip_policy: bends.filter_accept_unsupported,
        names_case_sensitive: bends.filter_names_case_sensitive,
        undefined_matches: bends.filter_undefined_matches,
        case_exact: bends.filter_case_sensitive,
    };
    Ok(
        match judge(&t.profile, t.schemas.of(kind), kind, &filter, opts)? {
            Verdict::Accepted(f) if opts.case_exact => Selection::Matching(f, None),
            Verdict::Accepted(f) => Selection::Matching(f, index_hint(kind, &filter)),
            Verdict::Empty => Selection::Nothing,
            Verdict::All => Selection::All,
        },
    )
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
