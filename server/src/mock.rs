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
use crate::verify::{Matcher, NearMiss};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running mock SCIM provider.
pub struct MockServer {
    app: Arc<App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServeError>>>,
    expectations: Mutex<Vec<Expectation>>,
}

/// How many matching requests an expectation wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// Exactly this many.
    Exactly(usize),
    /// At least this many.
    AtLeast(usize),
    /// At most this many.
    AtMost(usize),
}

impl Times {
    fn holds(self, n: usize) -> bool {
        match self {
            Times::Exactly(k) => n == k,
            Times::AtLeast(k) => n >= k,
            Times::AtMost(k) => n <= k,
        }
    }
}

impl std::fmt::Display for Times {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Times::Exactly(k) => write!(f, "exactly {k}"),
            Times::AtLeast(k) => write!(f, "at least {k}"),
            Times::AtMost(k) => write!(f, "at most {k}"),
        }
    }
}

/// A registered expectation: a matcher and how many requests it wants.
#[derive(Debug, Clone)]
struct Expectation {
    matcher: Matcher,
    times: Times,
}

/// The handle [`MockServer::expect`] returns, to say how many requests are expected.
#[derive(Debug)]
pub struct ExpectationHandle<'a> {
    mock: &'a MockServer,
    index: usize,
}

impl ExpectationHandle<'_> {
    fn set(self, times: Times) {
        let mut all = self
            .mock
            .expectations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = all.get_mut(self.index) {
            e.times = times;
        }
    }

    /// Exactly `n` matching requests.
    pub fn times(self, n: usize) {
        self.set(Times::Exactly(n));
    }

    /// At least `n` matching requests.
    pub fn at_least(self, n: usize) {
        self.set(Times::AtLeast(n));
    }

    /// At most `n` matching requests (`at_most(0)`: never).
    pub fn at_most(self, n: usize) {
        self.set(Times::AtMost(n));
    }
}

/// Expectations that did not hold, with the closest requests for each.
#[derive(Debug, thiserror::Error)]
#[error("{report}")]
pub struct VerifyError {
    /// The readable report (one paragraph per unmet expectation).
    pub report: String,
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
            expectations: Mutex::new(Vec::new()),
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

    /// The recorded requests `m` selects (see [`Matcher`]).
    pub fn find(&self, m: &Matcher) -> Vec<Entry> {
        let entries = self.requests();
        let base_of = |v: &str| self.app.base_path_of(v);
        m.select(&entries, &base_of).into_iter().cloned().collect()
    }

    /// How many recorded requests `m` selects.
    pub fn count(&self, m: &Matcher) -> usize {
        self.find(m).len()
    }

    /// The recorded requests closest to `m` that it does not select, with what differs.
    pub fn near_misses(&self, m: &Matcher) -> Vec<NearMiss> {
        let entries = self.requests();
        let base_of = |v: &str| self.app.base_path_of(v);
        m.near_misses(&entries, &base_of)
    }

    /// Expects requests matching `m`: at least one unless the handle says otherwise
    /// (`.times(1)`, `.at_least(2)`, `.at_most(0)`). Checked by [`MockServer::verify`] and
    /// when the mock is dropped, against the request journal at that moment.
    pub fn expect(&self, m: Matcher) -> ExpectationHandle<'_> {
        let mut all = self
            .expectations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        all.push(Expectation {
            matcher: m,
            times: Times::AtLeast(1),
        });
        ExpectationHandle {
            mock: self,
            index: all.len() - 1,
        }
    }

    /// Checks every expectation; the error lists each unmet one with its near misses.
    pub fn try_verify(&self) -> Result<(), VerifyError> {
        let all = self
            .expectations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut report = String::new();
        for (i, e) in all.iter().enumerate() {
            let n = self.count(&e.matcher);
            if e.times.holds(n) {
                continue;
            }
            report.push_str(&format!(
                "expectation {} {}: wanted {} matching request(s), received {n}\n",
                i + 1,
                e.matcher,
                e.times
            ));
            if n == 0 {
                for miss in self.near_misses(&e.matcher) {
                    let r = &miss.request;
                    let query = r
                        .query
                        .as_deref()
                        .map(|q| format!("?{q}"))
                        .unwrap_or_default();
                    report.push_str(&format!("  near miss: {} {}{query}\n", r.method, r.path));
                    for d in &miss.differences {
                        report.push_str(&format!("    - {d}\n"));
                    }
                }
            }
        }
        if report.is_empty() {
            Ok(())
        } else {
            Err(VerifyError { report })
        }
    }

    /// Checks every expectation and panics with a readable report when one does not hold.
    pub fn verify(&self) {
        if let Err(e) = self.try_verify() {
            panic!("scimock: unmet expectations\n{e}");
        }
    }

    /// Back to a fresh mock: every tenant to its fixtures (and generated users), the journal
    /// and faults cleared, break switches off, expectations forgotten.
    pub fn reset(&self) -> Result<(), crate::seed::LoadError> {
        for t in self.app.all_tenants() {
            t.reset()?;
        }
        self.clear_requests();
        self.clear_violations();
        self.clear_faults();
        self.expectations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(())
    }

    /// The client violations so far: requests the vendor's rules refused or changed, oldest first.
    pub fn violations(&self) -> Vec<crate::violations::Violation> {
        self.app.shared.violations.list(None, 0)
    }

    /// Forgets the client violations recorded so far.
    pub fn clear_violations(&self) {
        self.app.shared.violations.clear();
    }

    /// Forgets recorded requests (and the violations they made).
    pub fn clear_requests(&self) {
        self.app.shared.journal.clear();
        self.app.shared.violations.clear();
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
        // Like wiremock-rs: unmet expectations fail the test when the mock goes away, unless
        // the test is already failing.
        if !std::thread::panicking() {
            self.verify();
        }
    }
}
