//! `/Users` and `/Groups` handlers (RFC 7644 §3.3–§3.6). Each reads like the RFC section it
//! implements; the rules live in `Tenant`.

use super::{header_str, json_body};
use crate::error::{ScimError, ScimResult};
use crate::faults::Break;
use crate::projection::Projection;
use crate::query::{ListRequest, Query};
use crate::store::Kind;
use crate::tenant::Tenant;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use std::sync::Arc;

type Ten = State<Arc<Tenant>>;

/// `attributes` / `excludedAttributes` from a query, as far as the profile honours them.
fn projection(t: &Tenant, kind: Kind, q: &Query) -> ScimResult<Projection> {
    t.projection(
        kind,
        q.single("attributes")?,
        q.single("excludedAttributes")?,
    )
}

/// A write a handler performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Replace,
    Patch,
    Delete,
}

/// Whether the profile offers `op` on `kind`.
fn offers(t: &Tenant, kind: Kind, op: Op) -> bool {
    let (create, replace, patch, delete) = match kind {
        Kind::User => {
            let w = &t.profile.writes;
            (w.create, w.replace, w.patch, w.delete)
        }
        Kind::Group => t
            .profile
            .groups
            .as_ref()
            .map_or((false, false, false, false), |g| {
                (g.create, g.replace, g.patch, g.delete)
            }),
    };
    match op {
        Op::Create => create,
        Op::Replace => replace,
        Op::Patch => patch,
        Op::Delete => delete,
    }
}

/// Refuses an operation the profile does not offer, with its status: 405 with the `Allow`
/// header of what the resource does offer (RFC 9110 §15.5.6), or the vendor's own (Adra 501).
fn ensure_offered(t: &Tenant, kind: Kind, op: Op) -> ScimResult<()> {
    if offers(t, kind, op) {
        return Ok(());
    }
    let status = StatusCode::from_u16(t.profile.errors.not_offered_status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::METHOD_NOT_ALLOWED);
    let e = ScimError::new(
        status,
        "This operation is not offered by this service provider",
    );
    if status != StatusCode::METHOD_NOT_ALLOWED {
        return Err(e);
    }
    let on_item: &[(Op, &str)] = &[
        (Op::Replace, "PUT"),
        (Op::Patch, "PATCH"),
        (Op::Delete, "DELETE"),
    ];
    let candidates: &[(Op, &str)] = if op == Op::Create {
        &[(Op::Create, "POST")]
    } else {
        on_item
    };
    let mut allow = vec!["GET", "HEAD"];
    allow.extend(
        candidates
            .iter()
            .filter(|(o, _)| offers(t, kind, *o))
            .map(|(_, m)| *m),
    );
    Err(e.with_header(header::ALLOW, &allow.join(",")))
}

async fn list(t: &Tenant, kind: Kind, raw: Option<String>) -> ScimResult<Response> {
    let q = Query::parse(raw.as_deref())?;
    t.list(kind, &ListRequest::from_query(&q)?)
}

/// The `SearchRequest` of a `.search` body (RFC 7644 §3.4.3).
fn search_request(t: &Tenant, headers: &HeaderMap, body: &Bytes) -> ScimResult<ListRequest> {
    let v = json_body(t, headers, body)?;
    let req = ListRequest::from_search_body(&v)?;
    if t.shared.faults.is_broken(Break::SearchBodyIgnored) {
        return Ok(ListRequest::default());
    }
    Ok(req)
}

async fn search(t: &Tenant, kind: Kind, headers: &HeaderMap, body: &Bytes) -> ScimResult<Response> {
    t.list(kind, &search_request(t, headers, body)?)
}

fn get_one(
    t: &Tenant,
    kind: Kind,
    id: &str,
    raw: Option<String>,
    headers: &HeaderMap,
) -> ScimResult<Response> {
    let q = Query::parse(raw.as_deref())?;
    let proj = projection(t, kind, &q)?;
    let stored = match t.get(kind, id) {
        Ok(s) => s,
        Err(_) if t.shared.faults.is_broken(Break::NotFoundAs200) => {
            return Ok(t.json(StatusCode::OK, "{}"));
        }
        Err(e) => return Err(e),
    };
    if t.profile.etag.supported {
        if let Some(inm) = header_str(headers, header::IF_NONE_MATCH) {
            let tag = stored.etag();
            if crate::tenant::etag_matches(&tag, inm) {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = StatusCode::NOT_MODIFIED;
                if let Ok(v) = tag.parse() {
                    r.headers_mut().insert(header::ETAG, v);
                }
                return Ok(r);
            }
        }
    }
    Ok(t.resource_response(kind, &stored, StatusCode::OK, &proj))
}

/// GET / with query parameters: every resource type at once (RFC 7644 §3.4.2.1).
pub async fn query_root(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    let q = Query::parse(q.as_deref())?;
    t.list_root(&ListRequest::from_query(&q)?)
}

/// GET /Users
pub async fn list_users(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    list(&t, Kind::User, q).await
}

/// GET /Groups
pub async fn list_groups(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    list(&t, Kind::Group, q).await
}

/// POST /Users/.search
pub async fn search_users(State(t): Ten, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    search(&t, Kind::User, &headers, &body).await
}

/// POST /Groups/.search
pub async fn search_groups(State(t): Ten, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    search(&t, Kind::Group, &headers, &body).await
}

/// POST /.search: searches every resource type at once (RFC 7644 §3.4.2.1, §3.4.3).
pub async fn search_root(State(t): Ten, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    t.list_root(&search_request(&t, &headers, &body)?)
}

/// GET /Users/{id}
pub async fn get_user(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ScimResult<Response> {
    get_one(&t, Kind::User, &id, q, &headers)
}

/// GET /Groups/{id}
pub async fn get_group(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ScimResult<Response> {
    get_one(&t, Kind::Group, &id, q, &headers)
}

/// POST /Users
pub async fn create_user(
    State(t): Ten,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::User, Op::Create)?;
    let q = Query::parse(q.as_deref())?;
    let proj = projection(&t, Kind::User, &q)?;
    let v = json_body(&t, &headers, &body)?;
    let w = t.create_user(v)?;
    Ok(t.resource_response(Kind::User, &w.stored, w.status, &proj))
}

/// POST /Groups
pub async fn create_group(
    State(t): Ten,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::Group, Op::Create)?;
    let q = Query::parse(q.as_deref())?;
    let proj = projection(&t, Kind::Group, &q)?;
    let v = json_body(&t, &headers, &body)?;
    let w = t.create_group(v)?;
    Ok(t.resource_response(Kind::Group, &w.stored, w.status, &proj))
}

/// PUT /Users/{id}
pub async fn replace_user(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::User, Op::Replace)?;
    let q = Query::parse(q.as_deref())?;
    let proj = projection(&t, Kind::User, &q)?;
    let v = json_body(&t, &headers, &body)?;
    let w = t.replace(Kind::User, &id, v, header_str(&headers, header::IF_MATCH))?;
    Ok(t.resource_response(Kind::User, &w.stored, w.status, &proj))
}

/// PUT /Groups/{id}
pub async fn replace_group(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::Group, Op::Replace)?;
    let q = Query::parse(q.as_deref())?;
    let proj = projection(&t, Kind::Group, &q)?;
    let v = json_body(&t, &headers, &body)?;
    let w = t.replace(Kind::Group, &id, v, header_str(&headers, header::IF_MATCH))?;
    Ok(t.resource_response(Kind::Group, &w.stored, w.status, &proj))
}

async fn patch(
    t: &Tenant,
    kind: Kind,
    id: &str,
    q: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> ScimResult<Response> {
    let q = Query::parse(q.as_deref())?;
    let proj = projection(t, kind, &q)?;
    let v = json_body(t, headers, body)?;
    let w = t.patch(kind, id, &v, header_str(headers, header::IF_MATCH))?;
    Ok(t.resource_response(kind, &w.stored, w.status, &proj))
}

/// PATCH /Users/{id}
pub async fn patch_user(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::User, Op::Patch)?;
    patch(&t, Kind::User, &id, q, &headers, &body).await
}

/// PATCH /Groups/{id}
pub async fn patch_group(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::Group, Op::Patch)?;
    patch(&t, Kind::Group, &id, q, &headers, &body).await
}

fn no_content() -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// DELETE /Users/{id}
pub async fn delete_user(
    State(t): Ten,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::User, Op::Delete)?;
    t.delete_user(&id, header_str(&headers, header::IF_MATCH))?;
    Ok(no_content())
}

/// DELETE /Groups/{id}
pub async fn delete_group(
    State(t): Ten,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ScimResult<Response> {
    ensure_offered(&t, Kind::Group, Op::Delete)?;
    t.delete_group(&id, header_str(&headers, header::IF_MATCH))?;
    Ok(no_content())
}
