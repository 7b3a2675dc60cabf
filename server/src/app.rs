//! Building and serving the app: tenants from profiles, the router, graceful shutdown.

use crate::admin;
use crate::error::ScimError;
use crate::routes::{scim_router, unknown_scope_router};
use crate::schema::ResourceSchemas;
use crate::state;
use crate::store::Store;
use crate::tenant::{RateLimiter, Shared, Tenant};
use crate::truto;
use crate::vendor::behaviour_for;
use axum::Router;
use axum::extract::OriginalUri;
use axum::response::{IntoResponse, Response};
use scimock_profile::{PROFILE_NAMES, Profile, ProfileKind, builtin_fixtures, fill_params};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Which profiles to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorChoice {
    /// One profile at its real base path.
    One(String),
    /// Every profile, each under `/{vendor}` + its real base path.
    All,
}

/// Everything `scimock serve` can be told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Which profiles.
    pub vendor: VendorChoice,
    /// Listen address.
    pub listen: SocketAddr,
    /// Accepted bearer token.
    pub token: String,
    /// Admin API token, if required.
    pub admin_token: Option<String>,
    /// Generate this many users in addition to the fixtures.
    pub users: Option<usize>,
    /// Seed for generated users and `--fail-rate`.
    pub seed: u64,
    /// Fixtures replacing the vendor's built-in ones (`{"users":[...],"groups":[...]}` or an array of users).
    pub fixtures: Option<Value>,
    /// Added latency per SCIM request.
    pub latency_ms: u64,
    /// Probability of an injected 500.
    pub fail_rate: f64,
    /// Enforce documented rate limits.
    pub rate_limits: bool,
    /// Profile field overrides (`--set path=value`).
    pub overrides: Vec<(String, Value)>,
    /// Persist state here.
    pub state_file: Option<PathBuf>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            vendor: VendorChoice::One("generic".into()),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: "scimock-token".into(),
            admin_token: None,
            users: None,
            seed: 1,
            fixtures: None,
            latency_ms: 0,
            fail_rate: 0.0,
            rate_limits: false,
            overrides: Vec::new(),
            state_file: None,
        }
    }
}

/// The running app: shared state and every tenant.
#[derive(Debug)]
pub struct App {
    /// Process-wide state.
    pub shared: Arc<Shared>,
    /// Mounted tenants, in profile order.
    pub tenants: Vec<Arc<Tenant>>,
    /// `http://host:port`.
    pub origin: String,
    /// Where state is persisted.
    pub state_file: Option<PathBuf>,
}

/// The fixtures a tenant starts from and resets to.
fn seed_data(profile: &Profile, cfg: &ServeConfig) -> Result<Value, String> {
    let mut data = match &cfg.fixtures {
        Some(Value::Array(users)) => json!({"users": users, "groups": []}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err("fixtures must be a JSON object {\"users\":[...],\"groups\":[...]} or an array of users".into()),
        None => serde_json::from_str(builtin_fixtures(&profile.name).unwrap_or("{}"))
            .map_err(|e| format!("built-in fixtures for {}: {e}", profile.name))?,
    };
    // Generated users are not kept here: every reset generates them again (Tenant::generated).
    if cfg.users.is_some_and(|n| n > 0) && !data.get("users").is_some_and(Value::is_array) {
        if let Some(o) = data.as_object_mut() {
            o.insert("users".into(), json!([]));
        }
    }
    Ok(data)
}

fn cursor_secret() -> u64 {
    let u = uuid::Uuid::new_v4();
    let b = u.as_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Builds one tenant: profile, schemas, store, seed data loaded.
pub fn build_tenant(
    profile: Profile,
    prefix: &str,
    origin: &str,
    cfg: &ServeConfig,
    shared: &Arc<Shared>,
    backends: Vec<(String, Arc<Tenant>)>,
) -> Result<Arc<Tenant>, String> {
    let public_path = format!("{prefix}{}", profile.concrete_base_path());
    let seed = if profile.kind == ProfileKind::Scim {
        seed_data(&profile, cfg)?
    } else {
        json!({})
    };
    let mut store = Store::new();
    store.unique_group_names = profile
        .groups
        .as_ref()
        .is_some_and(|g| g.unique_display_name);
    let t = Arc::new(Tenant {
        users_schema: ResourceSchemas::user(&profile),
        groups_schema: ResourceSchemas::group(&profile),
        behaviour: behaviour_for(&profile),
        base_url: format!("{origin}{public_path}"),
        public_path,
        store: RwLock::new(store),
        seed_data: seed,
        generated: cfg
            .users
            .filter(|n| *n > 0 && profile.kind == ProfileKind::Scim)
            .map(|n| (n, cfg.seed)),
        shared: shared.clone(),
        limiter: RateLimiter::default(),
        backends,
        cursor_secret: cursor_secret(),
        idempotency: Default::default(),
        profile: Arc::new(profile),
    });
    if t.profile.kind == ProfileKind::Scim {
        t.reset()
            .map_err(|e| format!("{}: loading fixtures: {e}", t.profile.name))?;
    }
    Ok(t)
}

/// The built-in profile `name` with the overrides meant for it.
fn profile_for(name: &str, cfg: &ServeConfig) -> Result<Profile, String> {
    let p = Profile::builtin(name).map_err(|e| e.to_string())?;
    let (mine, _) = p.overrides_for(&cfg.overrides);
    p.with_overrides(&mine).map_err(|e| e.to_string())
}

/// The profiles `cfg` builds: the chosen one(s) and a unified facade's backing vendors.
fn mounted_profiles(cfg: &ServeConfig) -> Result<Vec<Profile>, String> {
    let names: Vec<String> = match &cfg.vendor {
        VendorChoice::All => PROFILE_NAMES.iter().map(|n| n.to_string()).collect(),
        VendorChoice::One(name) => {
            // The accounts as overridden (`--set truto.unified.accounts=...`), when that applies;
            // otherwise the built-in ones, and `check_overrides` reports the override's error.
            let p = profile_for(name, cfg)
                .or_else(|_| Profile::builtin(name).map_err(|e| e.to_string()))?;
            let mut names = vec![name.clone()];
            if let Some(u) = &p.unified {
                names.extend(u.accounts.iter().map(|a| a.vendor.clone()));
            }
            names
        }
    };
    names
        .iter()
        .map(|n| Profile::builtin(n).map_err(|e| e.to_string()))
        .collect()
}

impl App {
    /// Builds tenants for `cfg`; `origin` is the server's `http://host:port`.
    pub fn build(cfg: &ServeConfig, origin: &str) -> Result<App, String> {
        let shared = Arc::new(Shared::new(
            cfg.token.clone(),
            cfg.admin_token.clone(),
            cfg.latency_ms,
            cfg.fail_rate,
            cfg.rate_limits,
            cfg.seed,
        ));
        // Every override is checked before any tenant is built (and its users generated).
        scimock_profile::check_overrides(&mounted_profiles(cfg)?, &cfg.overrides)
            .map_err(|e| e.to_string())?;
        let mut tenants: Vec<Arc<Tenant>> = Vec::new();
        match &cfg.vendor {
            VendorChoice::All => {
                for name in PROFILE_NAMES {
                    let p = profile_for(name, cfg)?;
                    let prefix = format!("/{name}");
                    let backends = match &p.unified {
                        Some(u) => u
                            .accounts
                            .iter()
                            .filter_map(|a| {
                                tenants
                                    .iter()
                                    .find(|t| t.profile.name == a.vendor)
                                    .map(|t| (a.id.clone(), t.clone()))
                            })
                            .collect(),
                        None => Vec::new(),
                    };
                    tenants.push(build_tenant(p, &prefix, origin, cfg, &shared, backends)?);
                }
            }
            VendorChoice::One(name) => {
                let p = profile_for(name, cfg)?;
                let mut backends = Vec::new();
                if let Some(u) = &p.unified {
                    for a in &u.accounts {
                        let bp = profile_for(&a.vendor, cfg)?;
                        let prefix = format!("/_backends/{}", a.id);
                        backends.push((
                            a.id.clone(),
                            build_tenant(bp, &prefix, origin, cfg, &shared, Vec::new())?,
                        ));
                    }
                }
                tenants.push(build_tenant(p, "", origin, cfg, &shared, backends)?);
            }
        }
        if let Some(path) = &cfg.state_file {
            if let Some(doc) = state::read(path)? {
                state::restore(&doc, &all_tenants(&tenants))?;
            }
        }
        Ok(App {
            shared,
            tenants,
            origin: origin.to_string(),
            state_file: cfg.state_file.clone(),
        })
    }

    /// Every tenant including unmounted backends of a unified facade.
    pub fn all_tenants(&self) -> Vec<Arc<Tenant>> {
        all_tenants(&self.tenants)
    }

    /// The tenant serving `vendor`.
    pub fn tenant(&self, vendor: &str) -> Option<&Arc<Tenant>> {
        self.tenants.iter().find(|t| t.profile.name == vendor)
    }

    /// Writes the state file, if one is configured.
    pub fn save_state(&self) -> Result<Option<PathBuf>, String> {
        let Some(path) = &self.state_file else {
            return Ok(None);
        };
        state::write_atomic(path, &state::snapshot(&self.all_tenants()))
            .map_err(|e| format!("writing state file {}: {e}", path.display()))?;
        Ok(Some(path.clone()))
    }

    /// The complete router.
    pub fn router(self: &Arc<Self>) -> Router {
        let mut r = Router::new().nest("/_scimock", admin::router(self.clone()));
        for t in &self.tenants {
            let inner = match t.profile.kind {
                ProfileKind::Scim => scim_router(t.clone()),
                ProfileKind::Unified => truto::router(t.clone()),
            };
            r = r.nest(&t.public_path, inner);
            if t.profile.kind == ProfileKind::Scim {
                // The base with a trailing slash too: clients join "/" to the base URL for a
                // root query (RFC 7644 §3.4.2.1); a nested "/" matches only the bare base.
                r = r.route(
                    &format!("{}/", t.public_path),
                    crate::routes::base_with_slash(t.clone()),
                );
            }
            let prefix = t
                .public_path
                .strip_suffix(&t.profile.concrete_base_path())
                .unwrap_or_default();
            let template = format!("{prefix}{}", t.profile.base_path);
            if template != t.public_path {
                r = r.nest(&template, unknown_scope_router(t.clone())).route(
                    &format!("{template}/"),
                    crate::routes::unknown_scope_with_slash(t.clone()),
                );
            }
        }
        let app = self.clone();
        r.fallback(move |uri: OriginalUri| outside(app.clone(), uri))
    }
}

fn all_tenants(tenants: &[Arc<Tenant>]) -> Vec<Arc<Tenant>> {
    let mut out: Vec<Arc<Tenant>> = Vec::new();
    for t in tenants {
        for (_, b) in &t.backends {
            if !out.iter().any(|x| Arc::ptr_eq(x, b)) {
                out.push(b.clone());
            }
        }
        if !out.iter().any(|x| Arc::ptr_eq(x, t)) {
            out.push(t.clone());
        }
    }
    out
}

/// A path outside every tenant: 404 in the (first) profile's format.
async fn outside(app: Arc<App>, OriginalUri(uri): OriginalUri) -> Response {
    let e = ScimError::not_found(format!("No SCIM endpoint at {}", uri.path()));
    match app.tenants.first() {
        Some(t) if app.tenants.len() == 1 => t.render_error(&e, uri.path()),
        _ => e.render(
            scimock_profile::ErrorFormat::Scim,
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
pub async fn bind(cfg: &ServeConfig) -> Result<Bound, String> {
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
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
    ) -> Result<(), String> {
        let router = self.app.router();
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| e.to_string())?;
        self.app.save_state()?;
        Ok(())
    }
}

/// Renders an admin-style JSON error (the admin API is scimock's own, not a vendor's).
pub fn admin_error(status: axum::http::StatusCode, msg: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": msg.into()}))).into_response()
}

/// Fills `{param}` placeholders for display.
pub fn display_base(p: &Profile) -> String {
    fill_params(&p.base_path, &p.path_params)
}
