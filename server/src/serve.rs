//! Serving the app: the complete router (admin API, every tenant at its path), binding the
//! listener, graceful shutdown and the state file saved on the way out.

use crate::admin;
use crate::app::{App, BuildError, ServeConfig};
use crate::breaks;
use crate::error::ScimError;
use crate::routes::{base_with_slash, scim_router, unknown_scope_router, unknown_scope_with_slash};
use crate::state::StateError;
use crate::truto;
use axum::Router;
use axum::extract::OriginalUri;
use axum::response::Response;
use scimock_profile::ProfileKind;
use std::net::SocketAddr;
use std::sync::Arc;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The bound socket has no local address.
    #[error("{0}")]
    LocalAddr(#[source] std::io::Error),
    /// The app could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Serving failed.
    #[error("{0}")]
    Serve(#[source] std::io::Error),
    /// The state file could not be written on shutdown.
    #[error(transparent)]
    State(#[from] StateError),
    /// The server task panicked or was cancelled.
    #[error("{0}")]
    Task(#[source] tokio::task::JoinError),
}

/// The complete router: `/_scimock/` and every tenant at its path.
pub fn router(app: &Arc<App>) -> Router {
    let mut r = Router::new().nest("/_scimock", admin::router(app.clone()));
    for t in &app.tenants {
        let inner = match t.profile.kind {
            ProfileKind::Scim => scim_router(t.clone()),
            ProfileKind::Unified => truto::router(t.clone()),
        };
        r = r.nest(&t.public_path, inner);
        if t.profile.kind == ProfileKind::Scim {
            // The base with a trailing slash too: clients join "/" to the base URL for a
            // root query (RFC 7644 §3.4.2.1); a nested "/" matches only the bare base.
            r = r.route(&format!("{}/", t.public_path), base_with_slash(t.clone()));
        }
        let prefix = t
            .public_path
            .strip_suffix(&t.profile.concrete_base_path())
            .unwrap_or_default();
        let template = format!("{prefix}{}", t.profile.base_path);
        if template != t.public_path {
            r = r
                .nest(&template, unknown_scope_router(t.clone()))
                .route(&format!("{template}/"), unknown_scope_with_slash(t.clone()));
        }
    }
    let app = app.clone();
    r.fallback(move |uri: OriginalUri| outside(app.clone(), uri))
}

/// A path outside every tenant: 404 in the (first) profile's format.
async fn outside(app: Arc<App>, OriginalUri(uri): OriginalUri) -> Response {
    let e = ScimError::not_found(format!("No SCIM endpoint at {}", uri.path()));
    match app.tenants.first() {
        Some(t) if app.tenants.len() == 1 => {
            breaks::render_error(&t.shared.faults.switches, &t.renderer, &e, uri.path())
        }
        _ => e.render(
            scimock_profile::ErrorFormat::Scim,
            None,
            "application/scim+json",
            uri.path(),
        ),
    }
}

/// Waits for SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// A server bound to its port with its app built, ready to run.
pub struct Bound {
    /// The listener.
    pub listener: tokio::net::TcpListener,
    /// The real address.
    pub addr: SocketAddr,
    /// The app.
    pub app: Arc<App>,
}

/// Binds `cfg.listen` and builds the app for the real address.
pub async fn bind(cfg: &ServeConfig) -> Result<Bound, ServeError> {
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServeError::LocalAddr)?;
    let app = Arc::new(App::build(cfg, &format!("http://{addr}"))?);
    Ok(Bound {
        listener,
        addr,
        app,
    })
}

impl Bound {
    /// Serves until `shutdown` resolves, then finishes in-flight requests and saves state.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let router = router(&self.app);
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)?;
        self.app.save_state()?;
        Ok(())
    }
}
