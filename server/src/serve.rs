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
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use scimock_profile::ProfileKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
        // A template that starts with a parameter (`/{tenant_id}/scim/v2`, mounted alone) would
        // claim every first segment, `/_scimock` included: there, other ids get the fallback.
        if template != t.public_path && !template.starts_with("/{") {
            r = r
                .nest(&template, unknown_scope_router(t.clone()))
                .route(&format!("{template}/"), unknown_scope_with_slash(t.clone()));
        }
    }
    let limit = app.timeouts.body;
    let loopback = app.loopback;
    let durable = app.clone();
    let app = app.clone();
    r.fallback(move |uri: OriginalUri| outside(app.clone(), uri))
        .layer(axum::middleware::from_fn_with_state(
            durable.clone(),
            crate::netfault::layer,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            answer_when_durable(durable.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::timeouts::body_deadline(limit, req, next)
        }))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| async move {
                if loopback {
                    crate::cross_site::loopback_host(req, next).await
                } else {
                    next.run(req).await
                }
            },
        ))
}

/// With `--state`, a request that may have written is answered only once what it wrote (and
/// everything before it) is in the write log on disk.
async fn answer_when_durable(app: Arc<App>, req: Request, next: Next) -> Response {
    let reads_only = matches!(
        req.method(),
        &Method::GET | &Method::HEAD | &Method::OPTIONS
    );
    let resp = next.run(req).await;
    let Some(log) = app.shared.log.get().filter(|_| !reads_only) else {
        return resp;
    };
    match log.durable(log.appended()).await {
        Ok(()) => resp,
        Err(e) => admin::admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the write was applied in memory but could not be made durable: {e}"),
        ),
    }
}

/// A path outside every tenant: 404 in the (first) profile's format.
async fn outside(app: Arc<App>, OriginalUri(uri): OriginalUri) -> Response {
    let e = ScimError::not_found(format!("No SCIM endpoint at {}", uri.path()));
    match app.tenants.first() {
        Some(t) if app.tenants.len() == 1 => {
            breaks::render_error(&t.shared.faults.switches, &t.renderer, &e, uri.path())
        }
        _ => {
            let rfc = scimock_profile::ErrorSpec::rfc7644();
            e.render(&rfc, &rfc.content_type, uri.path())
        }
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
    /// Serves until `shutdown` resolves, then lets in-flight requests finish for at most the
    /// shutdown deadline, drops the connections still open, and saves state: always, also when
    /// serving failed, so an acknowledged write is never lost to a stuck client.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let router = router(&self.app);
        let served = serve_connections(self.listener, router, &self.app, shutdown).await;
        let saved = self.app.save_state();
        if let Some(log) = self.app.shared.log.get() {
            log.close();
        }
        served?;
        saved?;
        Ok(())
    }
}

/// The accept loop: one HTTP/1.1 connection task per client, with the head (and keep-alive
/// idle) timeout set; at shutdown, stops accepting, ends injected latency, lets connections
/// finish until the deadline, then drops them.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    app: &App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let timeouts = app.timeouts;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .max_headers(crate::middleware::MAX_HEADERS_ACCEPTED)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut conns = tokio::task::JoinSet::new();
    // Connections over the cap, being told so; each is done within a second.
    let mut refused = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((s, _)) => s,
                    Err(_) => {
                        // Out of file descriptors, or a connection reset before it was
                        // accepted: wait a little instead of spinning.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                while conns.try_join_next().is_some() {}
                if conns.len() >= app.max_connections {
                    refused.spawn(refuse_connection(stream));
                    while refused.try_join_next().is_some() {}
                    continue;
                }
                let service = hyper_util::service::TowerToHyperService::new(router.clone());
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                conns.spawn(async move {
                    let _ = conn.await;
                });
            }
        }
        while conns.try_join_next().is_some() {}
    }
    // The port refuses new connections from here on.
    drop(listener);
    app.shared.stop();
    if tokio::time::timeout(timeouts.shutdown, graceful.shutdown())
        .await
        .is_err()
    {
        conns.abort_all();
    }
    while conns.join_next().await.is_some() {}
    refused.abort_all();
    Ok(())
}

/// The answer to a connection over `--max-connections`: a 503 with `Retry-After` and
/// `Connection: close`, written without reading the request (at most a second), then closed.
async fn refuse_connection(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    const BODY: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","detail":"Too many connections: the mock serves at most --max-connections at once; retry"}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/scim+json\r\n\
         Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        use tokio::io::AsyncReadExt;
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
        // Read what the client sent until it closes, so closing does not reset the connection
        // (a reset can destroy the answer before the client reads it).
        let mut buf = [0u8; 4096];
        let mut left = 64 * 1024usize;
        while left > 0 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}
