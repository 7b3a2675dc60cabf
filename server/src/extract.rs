//! The extractors: every request input parsed once, before the handler runs, with
//! [`ScimError`] as the rejection (rendered in the profile's format by the middleware).
//! Handlers take these instead of raw query strings, headers and bytes.

use crate::error::{ScimError, ScimResult};
use crate::projection::Projection;
use crate::query::{ListRequest, Query};
use crate::resource::Resource;
use crate::store::Kind;
use crate::tenant::Tenant;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

/// The decoded query string (strict decoding, see [`Query`]).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Query);

impl Deref for Params {
    type Target = Query;
    fn deref(&self) -> &Query {
        &self.0
    }
}

impl<S: Sync> FromRequestParts<S> for Params {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ScimResult<Params> {
        Query::parse(parts.uri.query()).map(Params)
    }
}

/// A list request from the query string of `GET /Users`, `GET /Groups` or `GET /`: filter,
/// startIndex, count, sortBy, sortOrder, attributes, excludedAttributes, cursor.
#[derive(Debug, Clone, Default)]
pub struct ListQuery(pub ListRequest);

impl<S: Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ScimResult<ListQuery> {
        let q = Query::parse(parts.uri.query())?;
        ListRequest::from_query(&q).map(ListQuery)
    }
}

/// The value of a conditional header, if present and visible ASCII.
fn header_value(parts: &Parts, name: header::HeaderName) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `If-Match` (RFC 9110 §13.1.1).
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl<S: Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ScimResult<IfMatch> {
        Ok(IfMatch(header_value(parts, header::IF_MATCH)))
    }
}

/// `If-None-Match` (RFC 9110 §13.1.2).
#[derive(Debug, Clone, Default)]
pub struct IfNoneMatch(pub Option<String>);

impl<S: Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ScimResult<IfNoneMatch> {
        Ok(IfNoneMatch(header_value(parts, header::IF_NONE_MATCH)))
    }
}

/// `attributes` / `excludedAttributes` of the query string for resources of kind `R`, as far
/// as the profile honours them.
#[derive(Debug, Clone)]
pub struct Projected<R>(pub Projection, pub PhantomData<R>);

impl<R: Resource> FromRequestParts<Arc<Tenant>> for Projected<R> {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, t: &Arc<Tenant>) -> ScimResult<Projected<R>> {
        let q = Query::parse(parts.uri.query())?;
        let (attributes, excluded) = (q.single("attributes")?, q.single("excludedAttributes")?);
        projection(t, R::KIND, attributes, excluded).map(|p| Projected(p, PhantomData))
    }
}

/// `attributes` / `excludedAttributes` for resources of `kind`, as far as the profile honours
/// them (the list request's, or a single resource's).
pub fn projection(
    t: &Tenant,
    kind: Kind,
    attributes: Option<&str>,
    excluded: Option<&str>,
) -> ScimResult<Projection> {
    let bends = t.shared.faults.bends();
    if bends.projection_ignored {
        return Ok(Projection::default());
    }
    if kind == Kind::Group && bends.group_excluded_members_ignored {
        let kept = excluded.map(|e| {
            e.split(',')
                .filter(|a| !is_members(a.trim()))
                .collect::<Vec<_>>()
                .join(",")
        });
        let kept = kept.as_deref().filter(|e| !e.trim().is_empty());
        return t.renderer.projection(kind, attributes, kept);
    }
    t.renderer.projection(kind, attributes, excluded)
}

/// `members`, plain or qualified with the core Group URN.
fn is_members(attr: &str) -> bool {
    let plain = attr
        .rsplit_once(':')
        .filter(|(urn, _)| urn.eq_ignore_ascii_case(scimock_profile::vocab::CORE_GROUP))
        .map_or(attr, |(_, name)| name);
    plain.eq_ignore_ascii_case("members")
}

/// A JSON request body, after its media type is checked against the profile (415) and its
/// size against the limit (413); empty or malformed is 400 `invalidSyntax`.
#[derive(Debug, Clone)]
pub struct ScimJson(pub Value);

impl FromRequest<Arc<Tenant>> for ScimJson {
    type Rejection = ScimError;

    async fn from_request(req: Request, t: &Arc<Tenant>) -> ScimResult<ScimJson> {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or_default();
            let essence = ct.split(';').next().unwrap_or_default().trim();
            let accepted = &t.profile.media.accepted;
            if !accepted.iter().any(|a| a.eq_ignore_ascii_case(essence)) {
                crate::violations::note(
                    crate::violations::Effect::Refused,
                    "media.accepted",
                    format!(
                        "Content-Type {essence} is refused (accepted: {})",
                        accepted.join(", ")
                    ),
                );
                return Err(ScimError::unsupported_media_type(ct, accepted));
            }
        }
        let limit = t.shared.body_limit;
        let body = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| ScimError::payload_too_large(limit))?;
        parse_json(&body).map(ScimJson)
    }
}

fn parse_json(body: &Bytes) -> ScimResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "Request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("Malformed JSON: {e}")))
}

/// The `SearchRequest` of a `POST .search` body (RFC 7644 §3.4.3), as a list request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest(pub ListRequest);

impl FromRequest<Arc<Tenant>> for SearchRequest {
    type Rejection = ScimError;

    async fn from_request(req: Request, t: &Arc<Tenant>) -> ScimResult<SearchRequest> {
        let ScimJson(v) = ScimJson::from_request(req, t).await?;
        let search = ListRequest::from_search_body(&v)?;
        let bends = t.shared.faults.bends();
        if bends.search_body_ignored {
            return Ok(SearchRequest::default());
        }
        if bends.search_paging_ignored {
            return Ok(SearchRequest(ListRequest {
                filter: search.filter,
                sort_by: search.sort_by,
                sort_order: search.sort_order,
                ..ListRequest::default()
            }));
        }
        Ok(SearchRequest(search))
    }
}
