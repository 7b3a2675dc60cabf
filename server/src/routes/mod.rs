//! HTTP routes for one tenant: `/Users`, `/Groups`, `.search` and discovery, mounted at the
//! profile's base path, behind the tenant middleware.

pub mod discovery;
pub mod resources;

use crate::error::ScimError;
use crate::middleware::tenant_middleware;
use crate::resource::{Groups, Users};
use crate::tenant::Tenant;
use axum::Router;
use axum::routing::{MethodRouter, any, get, post};
use std::sync::Arc;

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
    let mut r = resources::routes::<Users>(Router::new(), &t);
    if t.profile.list.search {
        r = r
            .route("/.search", post(resources::search_root))
            .route("/", get(resources::query_root));
    }
    if t.profile.groups.is_some() {
        r = resources::routes::<Groups>(r, &t);
    }
    r = discovery::routes(r, &t.profile);
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// `{base}/`, the base with a trailing slash (a nested `/` matches only the bare base), behind
/// the tenant's middleware: the root query where the profile offers it, else its 404.
pub fn base_with_slash(t: Arc<Tenant>) -> MethodRouter {
    let routes = if t.profile.list.search {
        get(resources::query_root).fallback(method_not_allowed)
    } else {
        any(not_found)
    };
    routes
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

async fn unknown_scope() -> ScimError {
    ScimError::not_found("Unknown directory or organization")
}

/// `{template}/` for an unknown directory id / organization sid: the profile's 404.
pub fn unknown_scope_with_slash(t: Arc<Tenant>) -> MethodRouter {
    any(unknown_scope)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// A router answering every path with the profile's 404: mounted at the base path template
/// so an unknown directory id / organization sid gets the vendor's error.
pub fn unknown_scope_router(t: Arc<Tenant>) -> Router {
    Router::new()
        .route("/", any(unknown_scope))
        .fallback(unknown_scope)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}
