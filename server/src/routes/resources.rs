//! `/Users` and `/Groups` (RFC 7644 §3.3–§3.6), one set of handlers generic over the resource
//! kind, and the root query (§3.4.2.1). Each handler reads like the RFC section it implements:
//! extractors parse the input, then select -> sort -> page -> render, or a write.

use crate::error::{ScimError, ScimResult};
use crate::extract::{
    IfMatch, IfNoneMatch, ListQuery, Projected, ScimJson, SearchRequest, projection,
};
use crate::offload;
use crate::page::{self, Position};
use crate::query::ListRequest;
use crate::render::{Output, View};
use crate::resource::Resource;
use crate::select;
use crate::sort;
use crate::store::Kind;
use crate::tenant::Tenant;
use crate::writes;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::handler::Handler;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use std::sync::Arc;

type Ten = State<Arc<Tenant>>;

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

/// The refusal of an operation the profile does not offer, with its status: 405 with the
/// `Allow` header of what the resource does offer (RFC 9110 §15.5.6), or the vendor's own
/// (Adra 501).
fn not_offered(t: &Tenant, kind: Kind, op: Op) -> ScimError {
    let status = StatusCode::from_u16(t.profile.errors.not_offered_status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::METHOD_NOT_ALLOWED);
    let e = ScimError::new(
        status,
        "This operation is not offered by this service provider",
    );
    if status != StatusCode::METHOD_NOT_ALLOWED {
        return e;
    }
    let candidates: &[(Op, &str)] = if op == Op::Create {
        &[(Op::Create, "POST")]
    } else {
        &[
            (Op::Replace, "PUT"),
            (Op::Patch, "PATCH"),
            (Op::Delete, "DELETE"),
        ]
    };
    let mut allow = vec!["GET", "HEAD"];
    allow.extend(
        candidates
            .iter()
            .filter(|(o, _)| offers(t, kind, *o))
            .map(|(_, m)| *m),
    );
    e.with_header(header::ALLOW, &allow.join(","))
}

/// An operation the profile does not offer: refused as it documents, unless the
/// `groups.writes-accepted` break switch has a group write carried out anyway, by `handler`.
async fn refuse<H, T>(t: Arc<Tenant>, kind: Kind, op: Op, handler: H, req: Request) -> Response
where
    H: Handler<T, Arc<Tenant>>,
{
    if kind == Kind::Group && t.shared.faults.bends().group_writes_accepted {
        return handler.call(req, t).await;
    }
    not_offered(&t, kind, op).into_response()
}

/// Adds `/{Users|Groups}` and `/{Users|Groups}/{id}` for resources of kind `R`; operations the
/// profile does not offer are refused as it documents.
pub fn routes<R: Resource>(r: Router<Arc<Tenant>>, t: &Tenant) -> Router<Arc<Tenant>> {
    let kind = R::KIND;
    let offered = |op| offers(t, kind, op);
    let collection = get(list::<R>).merge(match offered(Op::Create) {
        true => post(create::<R>),
        false => {
            post(move |State(t): Ten, req: Request| refuse(t, kind, Op::Create, create::<R>, req))
        }
    });
    let mut item: MethodRouter<Arc<Tenant>> = get(get_one::<R>);
    item = item.merge(match offered(Op::Replace) {
        true => put(replace::<R>),
        false => {
            put(move |State(t): Ten, req: Request| refuse(t, kind, Op::Replace, replace::<R>, req))
        }
    });
    item = item.merge(match offered(Op::Patch) {
        true => patch(patch_one::<R>),
        false => patch(move |State(t): Ten, req: Request| {
            refuse(t, kind, Op::Patch, patch_one::<R>, req)
        }),
    });
    item = item.merge(match offered(Op::Delete) {
        true => delete(delete_one::<R>),
        false => delete(move |State(t): Ten, req: Request| {
            refuse(t, kind, Op::Delete, delete_one::<R>, req)
        }),
    });
    let endpoint = kind.endpoint();
    let mut r = r
        .route(&format!("/{endpoint}"), collection)
        .route(&format!("/{endpoint}/{{id}}"), item);
    if t.profile.list.search {
        r = r.route(&format!("/{endpoint}/.search"), post(search::<R>));
    }
    r
}

/// The list response for `req`: select -> sort -> page -> render.
pub fn list_response(t: &Tenant, kind: Kind, req: &ListRequest) -> ScimResult<Response> {
    let proj = projection(t, kind, req.attributes.as_deref(), req.excluded.as_deref())?;
    let fetched = page::fetch(t, kind, req)?;
    let resources: Vec<Bytes> = fetched
        .items
        .iter()
        .map(|s| t.renderer.resource(kind, s, &proj, View::Read))
        .collect();
    Ok(t.renderer
        .list(Some(kind), &resources, &page::envelope(t, &fetched)))
}

/// Every resource type at once (RFC 7644 §3.4.2.1, §3.4.3). A filter a type's rules refuse
/// matches none of that type; if every type refuses, the first refusal is the answer. Index
/// pagination only.
pub fn root_response(t: &Tenant, req: &ListRequest) -> ScimResult<Response> {
    let proj = projection(
        t,
        Kind::User,
        req.attributes.as_deref(),
        req.excluded.as_deref(),
    )?;
    let sort = sort::spec(t, req)?;
    let mut kinds = vec![Kind::User];
    if t.profile.groups.is_some() {
        kinds.push(Kind::Group);
    }
    let mut all = Vec::new();
    let mut refused = None;
    let mut accepted = false;
    for kind in kinds {
        match select::select(t, kind, req.filter.as_deref()) {
            Ok(sel) => {
                accepted = true;
                let m = select::all_matching(t, kind, &sel);
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
    if let Some(spec) = &sort {
        sort::sort(t, &mut all, spec);
    }
    let index_only = ListRequest {
        cursor: None,
        ..req.clone()
    };
    let page = page::resolve(t, &index_only, all.len(), 0, &Position::index_only())?;
    let end = page.start.saturating_add(page.count).min(all.len());
    let resources: Vec<Bytes> = all
        .get(page.start.min(end)..end)
        .unwrap_or_default()
        .iter()
        .map(|(k, s)| t.renderer.resource(*k, s, &proj, View::Read))
        .collect();
    Ok(t.renderer.list(None, &resources, &page.envelope(all.len())))
}

/// GET /Users, GET /Groups
async fn list<R: Resource>(State(t): Ten, ListQuery(req): ListQuery) -> ScimResult<Response> {
    offload::run(move || list_response(&t, R::KIND, &req)).await?
}

/// POST /Users/.search, POST /Groups/.search
async fn search<R: Resource>(
    State(t): Ten,
    SearchRequest(req): SearchRequest,
) -> ScimResult<Response> {
    offload::run(move || list_response(&t, R::KIND, &req)).await?
}

/// GET / with query parameters: every resource type at once (RFC 7644 §3.4.2.1).
pub async fn query_root(State(t): Ten, ListQuery(req): ListQuery) -> ScimResult<Response> {
    offload::run(move || root_response(&t, &req)).await?
}

/// POST /.search: searches every resource type at once (RFC 7644 §3.4.2.1, §3.4.3).
pub async fn search_root(State(t): Ten, SearchRequest(req): SearchRequest) -> ScimResult<Response> {
    offload::run(move || root_response(&t, &req)).await?
}

/// GET /Users/{id}, GET /Groups/{id}, with If-None-Match (RFC 9110 §13.1.2) where the profile
/// has ETags.
async fn get_one<R: Resource>(
    State(t): Ten,
    Path(id): Path<String>,
    Projected(proj, _): Projected<R>,
    IfNoneMatch(if_none_match): IfNoneMatch,
) -> Response {
    let stored = match t.get(R::KIND, &id) {
        Ok(s) => s,
        Err(e) => return t.renderer.tag(e.into_response(), Output::MissingResource),
    };
    if let Some(inm) = if_none_match.filter(|_| t.profile.etag.supported) {
        let etag = stored.etag();
        if writes::etag_matches(&etag, &inm) {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            if let Ok(v) = etag.parse() {
                r.headers_mut().insert(header::ETAG, v);
            }
            return r;
        }
    }
    t.renderer
        .resource_response(R::KIND, &stored, StatusCode::OK, &proj, View::Read)
}

/// POST /Users, POST /Groups
async fn create<R: Resource>(
    State(t): Ten,
    Projected(proj, _): Projected<R>,
    ScimJson(body): ScimJson,
) -> ScimResult<Response> {
    let w = writes::create(&t, R::KIND, body)?;
    Ok(t.renderer
        .resource_response(R::KIND, &w.stored, w.status, &proj, View::Stored))
}

/// PUT /Users/{id}, PUT /Groups/{id}
async fn replace<R: Resource>(
    State(t): Ten,
    Path(id): Path<String>,
    Projected(proj, _): Projected<R>,
    IfMatch(if_match): IfMatch,
    ScimJson(body): ScimJson,
) -> ScimResult<Response> {
    let w = writes::replace(&t, R::KIND, &id, body, if_match.as_deref())?;
    Ok(t.renderer
        .resource_response(R::KIND, &w.stored, w.status, &proj, View::Stored))
}

/// PATCH /Users/{id}, PATCH /Groups/{id}
async fn patch_one<R: Resource>(
    State(t): Ten,
    Path(id): Path<String>,
    Projected(proj, _): Projected<R>,
    IfMatch(if_match): IfMatch,
    ScimJson(body): ScimJson,
) -> ScimResult<Response> {
    let w = writes::patch(&t, R::KIND, &id, &body, if_match.as_deref())?;
    Ok(t.renderer
        .resource_response(R::KIND, &w.stored, w.status, &proj, View::Stored))
}

/// DELETE /Users/{id}, DELETE /Groups/{id}
async fn delete_one<R: Resource>(
    State(t): Ten,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
) -> ScimResult<Response> {
    writes::delete(&t, R::KIND, &id, if_match.as_deref())?;
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    Ok(r)
}
