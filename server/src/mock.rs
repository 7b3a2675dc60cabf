//! `MockServer`: start a scimock profile on a free loopback port from a Rust test, in the
//! spirit of wiremock-rs. It shuts down when dropped.
//!
//! ```no_run
//! # async fn demo() -> Result<(), scimock_server::serve::ServeError> {
//! let mock = scimock_server::MockServer::start("atlassian").await?;
//! let users_url = format!("{}/Users", mock.base_url());
//! // ... point the client under test at users_url with mock.token() ...
//! assert!(mock.requests().iter().all(|r| r.method == "GET"));
//! # Ok(()) }
//! ```

use crate::app::{App, ServeConfig, VendorChoice};
use crate::breaks::Break;
use crate::faults::FaultRule;
use crate::journal::Entry;
use crate::serve::{ServeError, bind};
use crate::tenant::Tenant;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running mock SCIM provider.
pub struct MockServer {
    app: Arc<App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServeError>>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl MockServer {
    /// Starts `vendor` (`generic`, `attio`, ..., a profile file's path, or `all`) on `127.0.0.1`
    /// with a free port.
    pub async fn start(vendor: &str) -> Result<MockServer, ServeError> {
        let vendor = if vendor == "all" {
            VendorChoice::All
        } else {
            VendorChoice::One(vendor.to_string())
        };
        MockServer::start_with(ServeConfig {
            vendor,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..ServeConfig::default()
        })
        .await
    }

    /// Starts with a full configuration (the listen address should be loopback with port 0).
    pub async fn start_with(cfg: ServeConfig) -> Result<MockServer, ServeError> {
        let bound = bind(&cfg).await?;
        let (app, addr) = (bound.app.clone(), bound.addr);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.run(async move {
            let _ = rx.await;
        }));
        Ok(MockServer {
            app,
            addr,
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The SCIM base URL of the first (or only) profile, e.g. `http://127.0.0.1:PORT/scim/v2`.
    pub fn base_url(&self) -> String {
        self.app
            .tenants
            .first()
            .map(|t| t.base_url.clone())
            .unwrap_or_else(|| self.uri())
    }

    /// The base URL of `vendor` (with `all`).
    pub fn base_url_of(&self, vendor: &str) -> Option<String> {
        self.app.tenant(vendor).map(|t| t.base_url.clone())
    }

    /// The accepted bearer token.
    pub fn token(&self) -> &str {
        &self.app.shared.token
    }

    /// The tenant serving `vendor`.
    pub fn tenant(&self, vendor: &str) -> Option<&Arc<Tenant>> {
        self.app.tenant(vendor)
    }

    /// The app (tenants, shared state).
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Every request received so far (credentials redacted).
    pub fn requests(&self) -> Vec<Entry> {
        self.app.shared.journal.entries()
    }

    /// Forgets recorded requests.
    pub fn clear_requests(&self) {
        self.app.shared.journal.clear();
    }

    /// Injects a fault.
    pub fn inject(&self, rule: FaultRule) -> u64 {
        self.app.shared.faults.add(rule)
    }

    /// Turns a break switch on or off.
    pub fn set_break(&self, b: Break, on: bool) {
        self.app.shared.faults.set_break(b, on);
    }

    /// Clears faults and break switches.
    pub fn clear_faults(&self) {
        self.app.shared.faults.clear();
    }

    /// Stops the server, waiting for in-flight requests, and saves state if configured.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(t) => t.await.map_err(ServeError::Task)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
