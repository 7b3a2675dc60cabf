//! The Truto-style unified user directory facade (filled in with the vendor profiles).

use crate::error::ScimError;
use crate::middleware::tenant_middleware;
use crate::tenant::Tenant;
use axum::Router;
use axum::http::StatusCode;
use std::sync::Arc;

/// The routes of a unified facade tenant.
pub fn router(t: Arc<Tenant>) -> Router {
    async fn todo() -> ScimError {
        ScimError::new(StatusCode::NOT_IMPLEMENTED, "not yet")
    }
    Router::new()
        .fallback(todo)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}
