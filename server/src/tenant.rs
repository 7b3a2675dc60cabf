//! A tenant: one profile mounted at one path, as data — its profile, schemas, store, rules,
//! renderer and the process-wide shared state. The behaviour lives in the stages that read it
//! (`extract`, `select`, `sort`, `page`, `render`, `writes`, `seed`, `gate`, `breaks`).

use crate::durable::log::WriteLog;
use crate::error::{ScimError, ScimResult};
use crate::faults::Faults;
use crate::idempotency::Idempotency;
use crate::journal::Journal;
use crate::render::Renderer;
use crate::resource::Schemas;
use crate::schema::{ResourceSchemas, WriteOptions};
use crate::seed::{self, LoadError};
use crate::store::{Kind, Store, Stored};
use crate::vendor::VendorBehaviour;
use scimock_filter::Limits;
use scimock_profile::Profile;
use serde_json::Value;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Process-wide settings and state shared by every tenant.
#[derive(Debug)]
pub struct Shared {
    /// The accepted bearer token.
    pub token: String,
    /// Token for `/_scimock/` (when set, required there).
    pub admin_token: Option<String>,
    /// Added latency for every SCIM request.
    pub latency_ms: u64,
    /// Probability of an injected 500 per SCIM request.
    pub fail_rate: f64,
    /// Enforce each vendor's documented rate limits.
    pub rate_limits: bool,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// The request journal.
    pub journal: Journal,
    /// Injected faults and break switches.
    pub faults: Faults,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// The write log, with `--state` (every write is appended before it is answered).
    pub log: std::sync::OnceLock<Arc<WriteLog>>,
    /// `serve --log-requests`: one line per request on stderr (see `crate::journal::log_line`).
    pub log_requests: bool,
    /// Client violations: requests a vendor rule refused or changed (`GET /_scimock/violations`).
    pub violations: crate::violations::Violations,
    /// Turned on when shutdown begins: injected latency ends then.
    stopping: tokio::sync::watch::Sender<bool>,
    rng: Mutex<u64>,
}

impl Shared {
    /// Shared state from settings.
    pub fn new(
        token: String,
        admin_token: Option<String>,
        latency_ms: u64,
        fail_rate: f64,
        rate_limits: bool,
        seed: u64,
    ) -> Shared {
        Shared {
            token,
            admin_token,
            latency_ms,
            fail_rate,
            rate_limits,
            body_limit: 1024 * 1024,
            journal: Journal::new(10_000),
            faults: Faults::default(),
            body_timeout: crate::timeouts::Timeouts::default().body,
            log: std::sync::OnceLock::new(),
            stopping: tokio::sync::watch::Sender::new(false),
            log_requests: false,
            violations: crate::violations::Violations::default(),
            rng: Mutex::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        }
    }

    /// Marks the start of shutdown: [`Shared::stopped`] resolves from now on.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once shutdown has begun.
    pub async fn stopped(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// A uniform number in [0, 1) from a seeded xorshift (reproducible `--fail-rate`).
    pub fn random(&self) -> f64 {
        let mut g = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let mut x = *g;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *g = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Per-second counters for a vendor's documented limits: (second, reads, writes) under one
/// lock, so the reset at a second's start and the counting cannot interleave.
#[derive(Debug, Default)]
pub struct RateLimiter {
    window: Mutex<(u64, u64, u64)>,
}

impl RateLimiter {
    /// Counts one request in the current second; false when over `limit`.
    pub fn admit(&self, write: bool, limit: u32, now_secs: u64) -> bool {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if w.0 != now_secs {
            *w = (now_secs, 0, 0);
        }
        let c = if write { &mut w.2 } else { &mut w.1 };
        *c += 1;
        *c <= u64::from(limit)
    }
}

/// What the stages need from the profile, worked out once when the tenant is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Filter length and nesting limits.
    pub filter_limits: Limits,
    /// How POST, PUT and PATCH bodies are read.
    pub writes: WriteOptions,
}

impl Rules {
    /// The rules a profile documents.
    pub fn for_profile(profile: &Profile) -> Rules {
        Rules {
            filter_limits: profile.filter.limits(),
            writes: WriteOptions::for_profile(profile),
        }
    }
}

/// The 404 for a resource id that does not exist.
pub fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id} not found", kind.resource_type()))
}

/// One mounted profile.
#[derive(Debug)]
pub struct Tenant {
    /// The profile (with overrides applied).
    pub profile: Arc<Profile>,
    /// Path prefix the routes are mounted at, ids filled in (`/attio/scim/v2` with `--vendor all`).
    pub public_path: String,
    /// Absolute base URL (`http://127.0.0.1:8080` + `public_path`).
    pub base_url: String,
    /// The resources.
    pub store: RwLock<Store>,
    /// User and group schemas (core + this vendor's extensions).
    pub schemas: Arc<Schemas>,
    /// The profile's rules, as the stages read them.
    pub rules: Rules,
    /// How answers look.
    pub renderer: Renderer,
    /// Vendor code beyond the profile's data.
    pub behaviour: Arc<dyn VendorBehaviour>,
    /// What `POST /_scimock/reset` restores: the fixtures, `{"users": [...], "groups": [...]}`.
    pub seed_data: Value,
    /// `--users N --seed S`: N users generated after the fixture users on every reset
    /// (regenerated each time rather than kept).
    pub generated: Option<(usize, u64)>,
    /// Process-wide state.
    pub shared: Arc<Shared>,
    /// Documented rate limits.
    pub limiter: RateLimiter,
    /// For unified facades: integrated account id -> backing tenant.
    pub backends: Vec<(String, Arc<Tenant>)>,
    /// Key mixed into cursors so clients cannot forge them.
    pub cursor_secret: u64,
    /// `Idempotency-Key`s seen by a unified facade.
    pub idempotency: Idempotency,
    /// With `list.visibility_delay_ms`: resources created through the API and when, until
    /// they become visible in lists.
    pub unlisted: Mutex<Vec<(crate::store::Id, std::time::Instant)>>,
}

impl Tenant {
    /// Notes a resource just created, which lists leave out for `list.visibility_delay_ms`.
    pub fn created(&self, id: &crate::store::Id) {
        if self.profile.list.visibility_delay_ms > 0 {
            self.unlisted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((id.clone(), std::time::Instant::now()));
        }
    }

    /// The resources lists must not show yet (created less than `list.visibility_delay_ms` ago).
    pub fn not_yet_listed(&self) -> Vec<crate::store::Id> {
        let delay = std::time::Duration::from_millis(self.profile.list.visibility_delay_ms);
        if delay.is_zero() {
            return Vec::new();
        }
        let mut g = self.unlisted.lock().unwrap_or_else(|p| p.into_inner());
        g.retain(|(_, at)| at.elapsed() < delay);
        g.iter().map(|(id, _)| id.clone()).collect()
    }

    /// Read access to the store.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to the store; with `--state`, what the write changed goes to the write log
    /// when the access ends (still under the lock, so the log's order is the store's).
    pub fn write(&self) -> StoreWrite<'_> {
        StoreWrite {
            guard: self.store.write().unwrap_or_else(|e| e.into_inner()),
            tenant: self,
        }
    }

    /// The schemas of `kind`.
    pub fn schemas(&self, kind: Kind) -> &ResourceSchemas {
        self.schemas.of(kind)
    }

    /// The stored resource, or 404.
    pub fn get(&self, kind: Kind, id: &str) -> ScimResult<Arc<Stored>> {
        self.read()
            .collection(kind)
            .get(id)
            .cloned()
            .ok_or_else(|| not_found(kind, id))
    }

    /// Restores the seed data: the fixtures, then the generated users.
    pub fn reset(&self) -> Result<(usize, usize), LoadError> {
        self.idempotency.clear();
        // The new content is built without holding the lock (a million generated users take
        // seconds), then swapped in, if nothing was written meanwhile (the counters would
        // collide); the old content is freed after the lock is released.
        for _ in 0..3 {
            let (mut fresh, before) = {
                let store = self.read();
                (store.emptied(), store.counters())
            };
            let counts = seed::fill(&self.profile, &mut fresh, &self.seed_data, self.generated)?;
            let mut store = self.write();
            if store.counters() != before {
                continue;
            }
            let old = std::mem::replace(&mut *store, fresh);
            drop(store);
            drop(old);
            return Ok(counts);
        }
        // Writes kept coming: build under the lock, as at start.
        seed::load_into(
            &self.profile,
            &mut self.write(),
            self.seed_data.clone(),
            self.generated,
        )
    }
}

/// Write access to a tenant's store (see [`Tenant::write`]).
pub struct StoreWrite<'a> {
    guard: RwLockWriteGuard<'a, Store>,
    tenant: &'a Tenant,
}

impl std::ops::Deref for StoreWrite<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.guard
    }
}

impl std::ops::DerefMut for StoreWrite<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.guard
    }
}

impl Drop for StoreWrite<'_> {
    fn drop(&mut self) {
        let Some(log) = self.tenant.shared.log.get() else {
            return;
        };
        if let Some(changes) = self.guard.take_changes() {
            let records =
                crate::durable::log::records(&self.tenant.public_path, &self.guard, &changes);
            log.append(&records);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limiter_admits_up_to_the_limit_per_second() {
        let r = RateLimiter::default();
        assert!((0..5).all(|_| r.admit(false, 5, 100)));
        assert!(!r.admit(false, 5, 100));
        assert!(r.admit(true, 1, 100));
        assert!(r.admit(false, 5, 101));
    }
}
