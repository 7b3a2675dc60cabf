//! HTTP routes for one tenant: `/Users`, `/Groups`, `.search` and discovery, mounted at the
//! profile's base path, behind the tenant middleware.

pub mod discovery;
pub mod resources;

use crate::error::{ScimError, ScimResult};
use crate::middleware::tenant_middleware;
use crate::tenant::Tenant;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use axum::routing::{any, get, post};
use serde_json::Value;
use std::sync::Arc;

/// Parses a request body as JSON after checking its media type against the profile.
pub fn json_body(t: &Tenant, headers: &HeaderMap, body: &Bytes) -> ScimResult<Value> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default();
        let essence = ct.split(';').next().unwrap_or_default().trim();
        let accepted = &t.profile.media.accepted;
        if !accepted.iter().any(|a| a.eq_ignore_ascii_case(essence)) {
            return Err(ScimError::unsupported_media_type(ct, accepted));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax(
            "Request body is empty; a JSON object is required",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("Malformed JSON: {e}")))
}

/// The header value as text, if present and valid.
pub fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The profile's 404 for a path with no route.
pub(crate) async fn not_found() -> ScimError {
    ScimError::not_found("No such endpoint")
}

/// The profile's 405 for a method a route does not have.
pub(crate) async fn method_not_allowed() -> ScimError {
    ScimError::method_not_allowed("Method not allowed on this endpoint")
}

/// The routes of a SCIM tenant.
pub fn scim_router(t: Arc<Tenant>) -> Router {
    use resources::*;
    let search = t.profile.list.search;
    let mut r = Router::new()
        .route("/Users", get(list_users).post(create_user))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        );
    if search {
        r = r
            .route("/Users/.search", post(search_users))
            .route("/.search", post(search_root))
            .route("/", get(query_root));
    }
    if t.profile.groups.is_some() {
        r = r
            .route("/Groups", get(list_groups).post(create_group))
            .route(
                "/Groups/{id}",
                get(get_group)
                    .put(replace_group)
                    .patch(patch_group)
                    .delete(delete_group),
            );
        if search {
            r = r.route("/Groups/.search", post(search_groups));
        }
    }
    r = discovery::routes(r, &t.profile);
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// `{base}/`, the base with a trailing slash (a nested `/` matches only the bare base), behind
/// the tenant's middleware: the root query where the profile offers it, else its 404.
pub fn base_with_slash(t: Arc<Tenant>) -> axum::routing::MethodRouter {
    let routes = if t.profile.list.search {
        get(resources::query_root).fallback(method_not_allowed)
    } else {
        any(not_found)
    };
    routes
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// `{template}/` for an unknown directory id / organization sid: the profile's 404.
pub fn unknown_scope_with_slash(t: Arc<Tenant>) -> axum::routing::MethodRouter {
    any(|| async { ScimError::not_found("Unknown directory or organization") })
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// A router answering every path with the profile's 404: mounted at the base path template
/// so an unknown directory id / organization sid gets the vendor's error.
pub fn unknown_scope_router(t: Arc<Tenant>) -> Router {
    async fn unknown() -> ScimError {
        ScimError::not_found("Unknown directory or organization")
    }
    Router::new()
        .route("/", any(unknown))
        .fallback(unknown)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}
