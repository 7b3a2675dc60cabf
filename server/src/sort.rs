//! The sort stage (RFC 7644 §3.4.2.3): `sortBy` / `sortOrder` as far as the profile honours
//! them; missing values last, multi-valued attributes by their primary value.

use crate::doc::DocView;
use crate::error::{ScimError, ScimResult};
use crate::query::ListRequest;
use crate::store::{Kind, Stored};
use crate::tenant::Tenant;
use crate::violations::{Effect, note};
use scimock_filter::{AttrPath, JsonKind, JsonView, SchemaInfo, parse_attr_path, resolve_view};
use std::cmp::Ordering;
use std::sync::Arc;

/// What to sort by: the attribute and whether descending.
#[derive(Debug, Clone, PartialEq)]
pub struct SortSpec {
    /// `sortBy`.
    pub path: AttrPath,
    /// `sortOrder=descending`.
    pub descending: bool,
}

/// `sortBy` / `sortOrder` as far as the profile honours them (None: insertion order).
pub fn spec(t: &Tenant, req: &ListRequest) -> ScimResult<Option<SortSpec>> {
    let p = &t.profile;
    match req.sort_by.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(_) if !p.sort.supported && p.sort.reject_when_unsupported => {
            note(
                Effect::Refused,
                "sort.supported",
                "sortBy is refused: the vendor does not sort",
            );
            Err(ScimError::invalid_value("Sorting is not supported"))
        }
        Some(by) if !p.sort.supported => {
            note(
                Effect::Altered,
                "sort.supported",
                format!("sortBy={by} is ignored: the vendor does not sort"),
            );
            Ok(None)
        }
        Some(by) if p.sort.supported && !t.shared.faults.bends().sort_ignored => {
            let path = parse_attr_path(by)
                .map_err(|e| ScimError::invalid_value(format!("sortBy: {e}")))?;
            let descending = match req
                .sort_order
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                None | Some("ascending") => false,
                Some("descending") => true,
                Some(other) => {
                    return Err(ScimError::invalid_value(format!(
                        "sortOrder must be ascending or descending, got {other:?}"
                    )));
                }
            };
            Ok(Some(SortSpec { path, descending }))
        }
        _ => Ok(None),
    }
}

/// A sort key: missing values sort last ascending (RFC 7644 §3.4.2.3).
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Bool(bool),
    Num(f64),
    Str(String),
    Missing,
}

fn cmp_keys(a: &SortKey, b: &SortKey) -> Ordering {
    use SortKey::*;
    match (a, b) {
        (Missing, Missing) => Ordering::Equal,
        (Missing, _) => Ordering::Greater,
        (_, Missing) => Ordering::Less,
        (Num(x), Num(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Str(x), Str(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Num(_), _) => Ordering::Less,
        (_, Num(_)) => Ordering::Greater,
        (Str(_), _) => Ordering::Less,
        (_, Str(_)) => Ordering::Greater,
    }
}

fn sort_key(v: DocView<'_>, path: &AttrPath, case_exact: bool) -> SortKey {
    // Multi-valued complex attributes sort by the primary element if one is marked, else the
    // first (RFC 7644 §3.4.2.3).
    let parent = AttrPath {
        urn: path.urn.clone(),
        name: path.name.clone(),
        sub: None,
    };
    let elements = resolve_view(v, &parent);
    let primary = elements
        .iter()
        .copied()
        .find(|e| e.get_ci("primary").and_then(|p| p.as_bool()) == Some(true));
    let chosen = match (primary, path.sub.as_deref()) {
        (Some(e), Some(sub)) => e.get_ci(sub),
        (Some(e), None) => Some(e),
        (None, _) => resolve_view(v, path).first().copied(),
    };
    let Some(first) = chosen else {
        return SortKey::Missing;
    };
    match first.kind() {
        JsonKind::String => match first.str() {
            Some(s) if case_exact => SortKey::Str(s.to_string()),
            Some(s) => SortKey::Str(crate::store::fold(s)),
            None => SortKey::Missing,
        },
        JsonKind::Number => SortKey::Num(first.number().and_then(|n| n.as_f64()).unwrap_or(0.0)),
        JsonKind::Bool => first.boolean().map_or(SortKey::Missing, SortKey::Bool),
        JsonKind::Object => match first.get("value").and_then(DocView::str) {
            Some(s) => SortKey::Str(crate::store::fold(s)),
            None => SortKey::Missing,
        },
        _ => SortKey::Missing,
    }
}

/// Sorts resources (possibly of both kinds) by `spec`; missing values last.
pub fn sort(t: &Tenant, items: &mut Vec<(Kind, Arc<Stored>)>, spec: &SortSpec) {
    let mut keyed: Vec<(SortKey, (Kind, Arc<Stored>))> = items
        .drain(..)
        .map(|(k, s)| {
            let case_exact = t
                .schemas
                .of(k)
                .attribute(&spec.path)
                .is_some_and(|i| i.case_exact);
            (sort_key(s.view(), &spec.path, case_exact), (k, s))
        })
        .collect();
    keyed.sort_by(|a, b| {
        let o = cmp_keys(&a.0, &b.0);
        if spec.descending && a.0 != SortKey::Missing && b.0 != SortKey::Missing {
            o.reverse()
        } else {
            o
        }
    });
    items.extend(keyed.into_iter().map(|(_, x)| x));
}

/// Sorts resources of one kind.
pub fn sort_kind(
    t: &Tenant,
    kind: Kind,
    items: Vec<Arc<Stored>>,
    spec: &SortSpec,
) -> Vec<Arc<Stored>> {
    let mut tagged: Vec<(Kind, Arc<Stored>)> = items.into_iter().map(|s| (kind, s)).collect();
    sort(t, &mut tagged, spec);
    tagged.into_iter().map(|(_, s)| s).collect()
}
