//! The select stage (RFC 7644 §3.4.2.2): a list request's filter checked against the
//! profile's filter policy (allow-list, logical operators, value paths), compiled against the
//! schemas, and answered from an index for an `eq` on an indexed attribute, else by a scan.

use crate::error::{ScimError, ScimResult};
use crate::render::{GROUP_URN, USER_URN};
use crate::store::{Indexed, Kind, Stored};
use crate::tenant::Tenant;
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, CompValue, CompareOp, CompiledFilter, Filter, SchemaInfo,
    parse_filter_with,
};
use scimock_profile::Profile;
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
    /// An attribute outside the allow-list, answered with an empty list
    /// (`filter.unknown_attr_empty`).
    Empty,
}

/// The vendor's verdict on a filter that parses: its filter policy first (allow-list,
/// constructs, and the refusal that names what is wrong, `scimock_profile::filter`; skipped
/// when `policy` is false), then the schema (RFC 7644 §3.4.2.2: an operator the attribute's
/// type does not allow, such as `gt` on a boolean, is 400 `invalidFilter`). One function for
/// the server and `scimock filter --profile`.
pub fn judge(
    profile: &Profile,
    schema: &dyn SchemaInfo,
    kind: Kind,
    filter: &Filter,
    policy: bool,
) -> ScimResult<Verdict> {
    let spec = &profile.filter;
    if policy {
        match spec.check(filter, kind) {
            Ok(()) => {}
            Err(r) if r.is_attribute() && spec.unknown_attr_empty => return Ok(Verdict::Empty),
            Err(r) => {
                return Err(ScimError::from_refusal(
                    spec.refusal_for(&r, kind),
                    r.attr(),
                    r.op(),
                ));
            }
        }
    }
    CompiledFilter::new(filter, schema)
        .map(Verdict::Accepted)
        .map_err(|e| ScimError::invalid_filter(e.to_string()))
}

/// The selection a `filter` asks for, under the profile's filter policy.
pub fn select(t: &Tenant, kind: Kind, raw: Option<&str>) -> ScimResult<Selection> {
    let Some(raw) = raw.filter(|f| !f.trim().is_empty()) else {
        return Ok(Selection::All);
    };
    let bends = t.shared.faults.bends();
    if bends.filter_ignored {
        return Ok(Selection::All);
    }
    let filter = match parse_filter_with(raw, &t.rules.filter_limits) {
        Ok(f) => f,
        Err(_) if bends.filter_malformed_accepted => return Ok(Selection::All),
        Err(e) => return Err(ScimError::invalid_filter(e.to_string())),
    };
    let schema = t.schemas.of(kind);
    let policy = !bends.filter_accept_unsupported;
    if bends.filter_case_sensitive {
        return Ok(
            match judge(&t.profile, &CaseExact(schema), kind, &filter, policy)? {
                Verdict::Accepted(f) => Selection::Matching(f, None),
                Verdict::Empty => Selection::Nothing,
            },
        );
    }
    Ok(match judge(&t.profile, schema, kind, &filter, policy)? {
        Verdict::Accepted(f) => Selection::Matching(f, index_hint(kind, &filter)),
        Verdict::Empty => Selection::Nothing,
    })
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
