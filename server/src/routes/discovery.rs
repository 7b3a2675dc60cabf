//! Discovery routes (RFC 7644 §4) at the paths the profile documents; the documents
//! themselves come from [`crate::discovery`].

use crate::discovery;
use crate::error::{ScimError, ScimResult};
use crate::extract::Params;
use crate::render::{DiscoveryDoc, LIST_URN, Output};
use crate::tenant::Tenant;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use scimock_profile::Profile;
use serde_json::{Value, json};
use std::sync::Arc;

type Ten = State<Arc<Tenant>>;

/// Adds the discovery routes the profile documents.
pub fn routes(mut r: Router<Arc<Tenant>>, p: &Profile) -> Router<Arc<Tenant>> {
    if let Some(path) = &p.discovery.service_provider_config {
        r = r.route(path, get(service_provider_config));
    }
    if p.discovery.resource_types {
        r = r
            .route("/ResourceTypes", get(resource_types))
            .route("/ResourceTypes/{id}", get(resource_type));
    }
    if p.discovery.schemas {
        r = r
            .route("/Schemas", get(schemas))
            .route("/Schemas/{id}", get(schema));
    }
    r
}

/// RFC 7644 §4: a filter on discovery endpoints is answered with 403.
fn refuse_filter(q: &Params) -> ScimResult<()> {
    if q.has("filter") {
        return Err(ScimError::new(
            StatusCode::FORBIDDEN,
            "Filtering is not supported on discovery endpoints",
        ));
    }
    Ok(())
}

/// The answer of a discovery endpoint, success or error, tagged with the document it is for.
fn answer(t: &Tenant, doc: DiscoveryDoc, r: ScimResult<Response>) -> Response {
    t.renderer.tag(
        r.unwrap_or_else(IntoResponse::into_response),
        Output::Discovery(doc),
    )
}

/// A ListResponse of discovery documents (all on one page).
fn list_of(t: &Tenant, docs: Vec<Value>) -> Response {
    let n = docs.len();
    t.renderer.json_value(
        StatusCode::OK,
        &json!({"schemas": [LIST_URN], "totalResults": n, "startIndex": 1, "itemsPerPage": n, "Resources": docs}),
    )
}

/// The document whose `id` is `id` (case-insensitively), or the profile's 404.
fn one_of(t: &Tenant, docs: Vec<Value>, what: &str, id: &str) -> ScimResult<Response> {
    docs.into_iter()
        .find(|d| d["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .map(|d| t.renderer.json_value(StatusCode::OK, &d))
        .ok_or_else(|| ScimError::not_found(format!("{what} {id} not found")))
}

async fn service_provider_config(State(t): Ten, q: ScimResult<Params>) -> Response {
    answer(&t, DiscoveryDoc::ServiceProviderConfig, {
        q.and_then(|q| refuse_filter(&q)).map(|()| {
            t.renderer
                .json_value(StatusCode::OK, &discovery::service_provider_config(&t))
        })
    })
}

async fn resource_types(State(t): Ten, q: ScimResult<Params>) -> Response {
    answer(&t, DiscoveryDoc::ResourceTypes, {
        q.and_then(|q| refuse_filter(&q))
            .map(|()| list_of(&t, discovery::resource_types(&t)))
    })
}

async fn resource_type(State(t): Ten, Path(id): Path<String>) -> Response {
    let docs = discovery::resource_types(&t);
    answer(
        &t,
        DiscoveryDoc::ResourceTypes,
        one_of(&t, docs, "Resource type", &id),
    )
}

async fn schemas(State(t): Ten, q: ScimResult<Params>) -> Response {
    answer(&t, DiscoveryDoc::Schemas, {
        q.and_then(|q| refuse_filter(&q))
            .map(|()| list_of(&t, discovery::schemas(&t)))
    })
}

async fn schema(State(t): Ten, Path(id): Path<String>) -> Response {
    answer(
        &t,
        DiscoveryDoc::Schemas,
        one_of(&t, discovery::schemas(&t), "Schema", &id),
    )
}
