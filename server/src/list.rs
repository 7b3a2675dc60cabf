//! List and search (RFC 7644 §3.4.2, RFC 9865): filter with the profile's allow-list, index
//! lookups for `eq`, sorting, index or cursor pagination, and the ListResponse envelope.

use crate::doc::DocView;
use crate::error::{ScimError, ScimResult, ScimType};
use crate::faults::Break;
use crate::projection::Projection;
use crate::query::ListRequest;
use crate::shape::LIST_URN;
use crate::store::{Indexed, Kind, Stored};
use crate::tenant::Tenant;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, Capabilities, CompValue, CompareOp, CompiledFilter, Filter,
    JsonKind, JsonView, Limits, SchemaInfo, parse_attr_path, parse_filter_with, resolve_view,
};
use scimock_profile::{FilterRules, ItemsPerPage, OverMax, Pagination};
use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write as _;
use std::sync::Arc;

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

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
    for urn in [CORE_USER, CORE_GROUP] {
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
        .is_none_or(|u| u.eq_ignore_ascii_case(CORE_USER) || u.eq_ignore_ascii_case(CORE_GROUP))
}

/// An `eq` the store can answer from an index.
fn index_hint(kind: Kind, f: &Filter) -> Option<(Indexed, String)> {
    match f {
        Filter::Attr {
            path,
            op:
                AttrOp::Compare {
                    op: CompareOp::Eq,
                    value: CompValue::String(s),
                },
        } if is_core(path) => {
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
                Filter::Attr {
                    path,
                    op:
                        AttrOp::Compare {
                            op: CompareOp::Eq,
                            value: CompValue::String(s),
                        },
                } if path.urn.is_none()
                    && path.sub.is_none()
                    && path.name.eq_ignore_ascii_case("value") =>
                {
                    Some((Indexed::Email, s.clone()))
                }
                _ => None,
            }
        }
        Filter::And { left, right } => index_hint(kind, left).or_else(|| index_hint(kind, right)),
        _ => None,
    }
}

/// A filter ready to run.
enum Selection {
    /// Every resource.
    All,
    /// Nothing (an allow-list miss answered with an empty list).
    Nothing,
    /// Resources matching the compiled filter, optionally starting from index candidates.
    Matching(CompiledFilter, Option<(Indexed, String)>),
}

impl Tenant {
    fn select(&self, kind: Kind, raw: Option<&str>) -> ScimResult<Selection> {
        let Some(raw) = raw.filter(|f| !f.trim().is_empty()) else {
            return Ok(Selection::All);
        };
        let faults = &self.shared.faults;
        if faults.is_broken(Break::FilterIgnored) {
            return Ok(Selection::All);
        }
        let spec = &self.profile.filter;
        let limits = Limits {
            max_len: spec.max_length,
            max_depth: spec.max_depth,
        };
        let filter = match parse_filter_with(raw, &limits) {
            Ok(f) => f,
            Err(_) if faults.is_broken(Break::FilterMalformedAccepted) => {
                return Ok(Selection::All);
            }
            Err(e) => return Err(ScimError::invalid_filter(e.to_string())),
        };
        let rules = match kind {
            Kind::User => &spec.users,
            Kind::Group => &spec.groups,
        };
        if !faults.is_broken(Break::FilterAcceptUnsupported) {
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
        let schema = self.schemas(kind);
        if faults.is_broken(Break::FilterCaseSensitive) {
            let compiled = CompiledFilter::new(&filter, &CaseExact(schema))
                .map_err(|e| ScimError::invalid_filter(e.to_string()))?;
            return Ok(Selection::Matching(compiled, None));
        }
        let compiled = CompiledFilter::new(&filter, schema)
            .map_err(|e| ScimError::invalid_filter(e.to_string()))?;
        Ok(Selection::Matching(compiled, index_hint(kind, &filter)))
    }

    /// Resources matching `sel`, in insertion order (None: all of them, not materialised).
    fn matching(&self, kind: Kind, sel: &Selection) -> Option<Vec<Arc<Stored>>> {
        let store = self.read();
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

/// An RFC 9865 cursor: a position (sequence number, or offset for sorted queries), the time it
/// was issued, and a MAC over both plus the query, so tampering and query changes are detected.
struct Cursor {
    pos: u64,
    issued: u64,
}

fn mac(secret: u64, pos: u64, issued: u64, qhash: u64) -> u64 {
    let mut h = DefaultHasher::new();
    (secret, pos, issued, qhash).hash(&mut h);
    h.finish()
}

impl Cursor {
    fn encode(&self, secret: u64, qhash: u64) -> String {
        format!(
            "{:x}.{:x}.{:x}",
            self.pos,
            self.issued,
            mac(secret, self.pos, self.issued, qhash)
        )
    }

    fn decode(s: &str, secret: u64, qhash: u64, timeout: u64) -> ScimResult<Cursor> {
        let invalid = || {
            ScimError::bad_request(
                ScimType::InvalidCursor,
                format!("Cursor {s:?} is not valid for this query"),
            )
        };
        let mut parts = s.split('.');
        let mut next = || parts.next().and_then(|p| u64::from_str_radix(p, 16).ok());
        let (pos, issued, m) = (
            next().ok_or_else(invalid)?,
            next().ok_or_else(invalid)?,
            next().ok_or_else(invalid)?,
        );
        if parts.next().is_some() || mac(secret, pos, issued, qhash) != m {
            return Err(invalid());
        }
        if crate::clock::now_secs().saturating_sub(issued) > timeout {
            return Err(ScimError::bad_request(
                ScimType::ExpiredCursor,
                format!("Cursor has expired; cursors are valid for {timeout} seconds"),
            ));
        }
        Ok(Cursor { pos, issued })
    }
}

/// A fetched page: what a list request selects, before rendering.
pub struct Fetched {
    /// Matching resources in all pages.
    pub total: usize,
    /// This page.
    pub items: Vec<Arc<Stored>>,
    page: Page,
    matched: Option<Vec<Arc<Stored>>>,
    qhash: u64,
    sorted: bool,
}

impl Fetched {
    /// 0-based index of the first item of this page in the whole result.
    pub fn start(&self) -> usize {
        self.page.start
    }
}

/// The page to return, resolved from the request.
struct Page {
    start: usize,
    count: usize,
    cursor_mode: bool,
    requested: usize,
}

impl Tenant {
    /// `attributes` / `excludedAttributes`, as far as the profile honours them.
    pub fn projection(
        &self,
        kind: Kind,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> ScimResult<Projection> {
        let p = &self.profile.projection;
        if self.shared.faults.is_broken(Break::ProjectionIgnored) {
            return Ok(Projection::default());
        }
        // Attio documents `excludedAttributes=members` on Groups only (D:A9).
        let group_excludes = kind == Kind::Group
            && self
                .profile
                .groups
                .as_ref()
                .is_some_and(|g| g.excluded_attributes);
        let a = attributes.filter(|_| p.attributes);
        let e = excluded.filter(|_| p.excluded_attributes || group_excludes);
        if p.mutually_exclusive && a.is_some() && e.is_some() {
            return Err(ScimError::invalid_value(
                "attributes and excludedAttributes are mutually exclusive",
            ));
        }
        Projection::parse(a, e)
    }

    /// GET /Users, GET /Groups, POST .search.
    pub fn list(&self, kind: Kind, req: &ListRequest) -> ScimResult<Response> {
        let proj = self.projection(kind, req.attributes.as_deref(), req.excluded.as_deref())?;
        let f = self.fetch(kind, req)?;
        let body = self.render_list(kind, &f, &proj);
        Ok(self.json(StatusCode::OK, body))
    }

    /// The page a list request selects, with the vendor's filter rules, caps and paging.
    pub fn fetch(&self, kind: Kind, req: &ListRequest) -> ScimResult<Fetched> {
        let sort = self.sort_spec(req)?;
        let sel = self.select(kind, req.filter.as_deref())?;
        let mut matched = self.matching(kind, &sel);
        if let Some((path, descending)) = &sort {
            let all = matched
                .take()
                .unwrap_or_else(|| self.read().collection(kind).iter().cloned().collect());
            let mut tagged: Vec<(Kind, Arc<Stored>)> = all.into_iter().map(|s| (kind, s)).collect();
            self.sort_resources(&mut tagged, path, *descending);
            matched = Some(tagged.into_iter().map(|(_, s)| s).collect());
        }
        let total = match &matched {
            Some(m) => m.len(),
            None => self.read().collection(kind).len(),
        };
        // The query's hash binds cursors to it; only cursor pages need it.
        let cursor_mode = req.cursor.is_some() && self.profile.list.cursor.is_some();
        let qhash = if !cursor_mode {
            0
        } else {
            let mut h = DefaultHasher::new();
            (
                kind.endpoint(),
                &req.filter,
                &req.sort_by,
                &req.sort_order,
                &req.count,
                &req.attributes,
                &req.excluded,
            )
                .hash(&mut h);
            h.finish()
        };
        let page = self.page(kind, req, total, &matched, qhash, sort.is_some())?;
        let end = page.start.saturating_add(page.count).min(total);
        let items: Vec<Arc<Stored>> = match &matched {
            Some(m) => m
                .get(page.start.min(total)..end)
                .unwrap_or_default()
                .to_vec(),
            None => {
                let store = self.read();
                let coll = store.collection(kind);
                (page.start..end)
                    .filter_map(|i| coll.at(i).cloned())
                    .collect()
            }
        };
        Ok(Fetched {
            total,
            items,
            page,
            matched,
            qhash,
            sorted: sort.is_some(),
        })
    }

    /// `sortBy` / `sortOrder` as far as the profile honours them.
    fn sort_spec(&self, req: &ListRequest) -> ScimResult<Option<(AttrPath, bool)>> {
        let p = &self.profile;
        match req.sort_by.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(_) if !p.sort.supported && p.sort.reject_when_unsupported => {
                Err(ScimError::invalid_value("Sorting is not supported"))
            }
            Some(by) if p.sort.supported && !self.shared.faults.is_broken(Break::SortIgnored) => {
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
                Ok(Some((path, descending)))
            }
            _ => Ok(None),
        }
    }

    /// Sorts resources (possibly of both kinds) by `path`; missing values last (RFC 7644 §3.4.2.3).
    fn sort_resources(
        &self,
        items: &mut Vec<(Kind, Arc<Stored>)>,
        path: &AttrPath,
        descending: bool,
    ) {
        let mut keyed: Vec<(SortKey, (Kind, Arc<Stored>))> = items
            .drain(..)
            .map(|(k, s)| {
                let case_exact = self
                    .schemas(k)
                    .attribute(path)
                    .is_some_and(|i| i.case_exact);
                (sort_key(s.view(), path, case_exact), (k, s))
            })
            .collect();
        keyed.sort_by(|a, b| {
            let o = cmp_keys(&a.0, &b.0);
            if descending && a.0 != SortKey::Missing && b.0 != SortKey::Missing {
                o.reverse()
            } else {
                o
            }
        });
        items.extend(keyed.into_iter().map(|(_, x)| x));
    }

    /// POST /.search at the root: every resource type the tenant has (RFC 7644 §3.4.2.1, §3.4.3).
    /// A filter a type's rules refuse matches none of that type; if every type refuses, the
    /// first refusal is the answer. Index pagination only.
    pub fn list_root(&self, req: &ListRequest) -> ScimResult<Response> {
        let proj = self.projection(
            Kind::User,
            req.attributes.as_deref(),
            req.excluded.as_deref(),
        )?;
        let sort = self.sort_spec(req)?;
        let mut kinds = vec![Kind::User];
        if self.profile.groups.is_some() {
            kinds.push(Kind::Group);
        }
        let mut all: Vec<(Kind, Arc<Stored>)> = Vec::new();
        let mut refused = None;
        let mut accepted = false;
        for kind in kinds {
            match self.select(kind, req.filter.as_deref()) {
                Ok(sel) => {
                    accepted = true;
                    let m = self
                        .matching(kind, &sel)
                        .unwrap_or_else(|| self.read().collection(kind).iter().cloned().collect());
                    all.extend(m.into_iter().map(|s| (kind, s)));
                }
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        if let (false, Some(e)) = (accepted, refused) {
            return Err(e);
        }
        if let Some((path, descending)) = &sort {
            self.sort_resources(&mut all, path, *descending);
        }
        let index_only = ListRequest {
            cursor: None,
            ..req.clone()
        };
        let page = self.page(Kind::User, &index_only, all.len(), &None, 0, false)?;
        let end = page.start.saturating_add(page.count).min(all.len());
        let resources: Vec<Bytes> = all
            .get(page.start.min(end)..end)
            .unwrap_or_default()
            .iter()
            .map(|(k, s)| self.render(*k, s, &proj))
            .collect();
        Ok(self.json(
            StatusCode::OK,
            self.envelope(&page, all.len(), &resources, (None, None)),
        ))
    }

    fn page(
        &self,
        kind: Kind,
        req: &ListRequest,
        total: usize,
        matched: &Option<Vec<Arc<Stored>>>,
        qhash: u64,
        sorted: bool,
    ) -> ScimResult<Page> {
        let p = &self.profile;
        let faults = &self.shared.faults;
        let max = p.list.max_count.map(|m| m as usize);
        let default = p.list.default_count.map_or(usize::MAX, |d| d as usize);
        let cursor_mode = req.cursor.is_some() && self.profile.list.cursor.is_some();
        if p.list.pagination == Pagination::None {
            return Ok(Page {
                start: 0,
                count: total,
                cursor_mode: false,
                requested: total,
            });
        }
        let mut count = match req.count {
            None => default,
            Some(c) if cursor_mode && c < 1 => {
                return Err(ScimError::bad_request(
                    ScimType::InvalidCount,
                    format!("count must be between 1 and {}", max.unwrap_or(usize::MAX)),
                ));
            }
            Some(c) if c < 0 => 0,
            Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
        };
        if let Some(m) = max.filter(|m| count > *m) {
            if faults.is_broken(Break::ListIgnoreCount) {
                count = count.saturating_add(1);
            } else if p.list.over_max == OverMax::Reject {
                let t = if cursor_mode {
                    ScimType::InvalidCount
                } else {
                    ScimType::InvalidValue
                };
                return Err(ScimError::bad_request(
                    t,
                    format!("count must not exceed {m}"),
                ));
            } else {
                count = m;
            }
        } else if faults.is_broken(Break::ListIgnoreCount) && req.count.is_some() {
            count = count.saturating_add(1);
        }
        let requested = count;
        if cursor_mode {
            let timeout = p.list.cursor.as_ref().map_or(600, |c| c.timeout_secs);
            let raw = req.cursor.as_deref().unwrap_or_default();
            let start = if raw.is_empty() {
                0
            } else {
                match Cursor::decode(raw, self.cursor_secret, qhash, timeout) {
                    Ok(c) if sorted => usize::try_from(c.pos).unwrap_or(usize::MAX).min(total),
                    Ok(c) => self.position_of(kind, matched, c.pos),
                    Err(_) if faults.is_broken(Break::CursorInvalidAccepted) => 0,
                    Err(e) => return Err(e),
                }
            };
            return Ok(Page {
                start,
                count,
                cursor_mode,
                requested,
            });
        }
        let mut start =
            usize::try_from(req.start_index.unwrap_or(1).max(1) - 1).unwrap_or(usize::MAX);
        if start > 0 && faults.is_broken(Break::ListPagesOverlap) {
            start -= 1;
        }
        Ok(Page {
            start,
            count,
            cursor_mode,
            requested,
        })
    }

    /// Index of the first resource with sequence number `>= seq` in the (unsorted) result.
    fn position_of(&self, kind: Kind, matched: &Option<Vec<Arc<Stored>>>, seq: u64) -> usize {
        match matched {
            Some(m) => m.partition_point(|s| s.seq < seq),
            None => self.read().collection(kind).position_of_seq(seq),
        }
    }

    fn render_list(&self, kind: Kind, f: &Fetched, proj: &Projection) -> Vec<u8> {
        let resources: Vec<Bytes> = f.items.iter().map(|s| self.render(kind, s, proj)).collect();
        let cursors = if f.page.cursor_mode {
            self.cursors(kind, f)
        } else {
            (None, None)
        };
        self.envelope(&f.page, f.total, &resources, cursors)
    }

    /// RFC 9865 `nextCursor` / `previousCursor` for a fetched cursor page.
    fn cursors(&self, kind: Kind, f: &Fetched) -> (Option<String>, Option<String>) {
        let faults = &self.shared.faults;
        let (page, total) = (&f.page, f.total);
        let issued = crate::clock::now_secs();
        let pos_at = |i: usize| -> u64 {
            if f.sorted {
                i as u64
            } else {
                match &f.matched {
                    Some(m) => m.get(i).map_or(u64::MAX, |s| s.seq),
                    None => self
                        .read()
                        .collection(kind)
                        .at(i)
                        .map_or(u64::MAX, |s| s.seq),
                }
            }
        };
        let encode = |pos| Cursor { pos, issued }.encode(self.cursor_secret, f.qhash);
        let end = page.start + f.items.len();
        // The next page starts after this page's last resource: taken from the page itself, so a
        // delete elsewhere between the fetch and now cannot shift it (no gaps, RFC 9865).
        let after_last = match (f.sorted, f.items.last()) {
            (false, Some(last)) => last.seq + 1,
            _ => pos_at(end),
        };
        let next = if faults.is_broken(Break::CursorRepeats) {
            Some(encode(pos_at(0)))
        } else {
            (end < total).then(|| encode(after_last))
        };
        let prev =
            (page.start > 0).then(|| encode(pos_at(page.start.saturating_sub(page.count.max(1)))));
        (next, prev)
    }

    /// The ListResponse envelope around already-rendered resources.
    fn envelope(
        &self,
        page: &Page,
        total: usize,
        resources: &[Bytes],
        (next, prev): (Option<String>, Option<String>),
    ) -> Vec<u8> {
        let p = &self.profile;
        let faults = &self.shared.faults;
        let size: usize = resources.iter().map(Bytes::len).sum();
        let mut out: Vec<u8> = Vec::with_capacity(160 + size + resources.len());
        out.push(b'{');
        if !faults.is_broken(Break::ListSchemasMissing) {
            out.extend_from_slice(b"\"schemas\":[\"");
            out.extend_from_slice(LIST_URN.as_bytes());
            out.extend_from_slice(b"\"],");
        }
        let reported_total = total + usize::from(faults.is_broken(Break::ListTotalResultsWrong));
        let _ = write!(out, "\"totalResults\":{reported_total}");
        if !page.cursor_mode {
            let si = if faults.is_broken(Break::ListStartIndexZero) {
                0
            } else {
                page.start + 1
            };
            let _ = write!(out, ",\"startIndex\":{si}");
        }
        let mut ipp = match p.list.items_per_page {
            ItemsPerPage::Returned => resources.len(),
            ItemsPerPage::Requested => page.requested.min(1_000_000),
        };
        if faults.is_broken(Break::ListItemsPerPageWrong) {
            ipp += 1;
        }
        let _ = write!(out, ",\"itemsPerPage\":{ipp}");
        // count=0 returns no resources "except for totalResults" (RFC 7644 §3.4.2.4); an empty
        // `Resources` still satisfies §3.4.2's "REQUIRED if totalResults is non-zero".
        if !(resources.is_empty() && p.list.omit_empty_resources) {
            let key = if faults.is_broken(Break::ListResourcesKeyLowercase) {
                "resources"
            } else {
                "Resources"
            };
            let _ = write!(out, ",\"{key}\":[");
            for (i, r) in resources.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(r);
            }
            out.push(b']');
        }
        if let Some(c) = next {
            out.extend_from_slice(format!(",\"nextCursor\":\"{c}\"").as_bytes());
        }
        if let Some(c) = prev {
            out.extend_from_slice(format!(",\"previousCursor\":\"{c}\"").as_bytes());
        }
        out.push(b'}');
        out
    }
}
