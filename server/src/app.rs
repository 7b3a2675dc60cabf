//! Building the app: tenants from profiles, with their fixtures and state loaded. Serving it
//! is `serve`'s job.

use crate::render::Renderer;
use crate::resource::Schemas;
use crate::seed::LoadError;
use crate::state::{self, StateError};
use crate::store::Store;
use crate::tenant::{RateLimiter, Rules, Shared, Tenant};
use crate::vendor::behaviour_for;
use scimock_profile::{PROFILE_NAMES, Profile, ProfileError, ProfileKind};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Why the app could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A profile or an override of it is invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// `--fixtures` is neither an object nor an array.
    #[error(
        "fixtures must be a JSON object {{\"users\":[...],\"groups\":[...]}} or an array of users"
    )]
    FixturesShape,
    /// A built-in fixtures file does not parse.
    #[error("built-in fixtures for {profile}: {source}")]
    BuiltinFixtures {
        /// The profile.
        profile: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The fixtures could not be loaded.
    #[error("{profile}: loading fixtures: {source}")]
    Fixtures {
        /// The profile.
        profile: String,
        /// Why.
        source: LoadError,
    },
    /// The state file could not be read or loaded.
    #[error(transparent)]
    State(#[from] StateError),
}

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
fn seed_data(profile: &Profile, cfg: &ServeConfig) -> Result<Value, BuildError> {
    let mut data = match &cfg.fixtures {
        Some(Value::Array(users)) => json!({"users": users, "groups": []}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(BuildError::FixturesShape),
        None => {
            serde_json::from_str(profile.seed_fixtures().unwrap_or("{}")).map_err(|source| {
                BuildError::BuiltinFixtures {
                    profile: profile.name.clone(),
                    source,
                }
            })?
        }
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
) -> Result<Arc<Tenant>, BuildError> {
    let public_path = format!("{prefix}{}", profile.concrete_base_path());
    let base_url = format!("{origin}{public_path}");
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
    let generated = cfg
        .users
        .filter(|n| *n > 0 && profile.kind == ProfileKind::Scim)
        .map(|n| (n, cfg.seed));
    let profile = Arc::new(profile);
    let schemas = Arc::new(Schemas::for_profile(&profile));
    let behaviour = behaviour_for(&profile);
    let renderer = Renderer::new(
        profile.clone(),
        public_path.clone(),
        base_url.clone(),
        schemas.clone(),
        behaviour.clone(),
        shared.faults.switches.counter(),
    );
    let t = Arc::new(Tenant {
        rules: Rules::for_profile(&profile),
        schemas,
        renderer,
        behaviour,
        base_url,
        public_path,
        store: RwLock::new(store),
        seed_data: seed,
        generated,
        shared: shared.clone(),
        limiter: RateLimiter::default(),
        backends,
        cursor_secret: cursor_secret(),
        idempotency: Default::default(),
        profile,
    });
    if t.profile.kind == ProfileKind::Scim {
        t.reset().map_err(|source| BuildError::Fixtures {
            profile: t.profile.name.clone(),
            source,
        })?;
    }
    Ok(t)
}

/// The profile `name` (a built-in, or a profile file's path) with the overrides meant for it.
fn profile_for(name: &str, cfg: &ServeConfig) -> Result<Profile, ProfileError> {
    let p = Profile::load(name)?;
    let (mine, _) = p.overrides_for(&cfg.overrides);
    p.with_overrides(&mine)
}

/// The profiles `cfg` builds: the chosen one(s) and a unified facade's backing vendors.
fn mounted_profiles(cfg: &ServeConfig) -> Result<Vec<Profile>, ProfileError> {
    let names: Vec<String> = match &cfg.vendor {
        VendorChoice::All => PROFILE_NAMES.iter().map(|n| n.to_string()).collect(),
        VendorChoice::One(name) => {
            // The accounts as overridden (`--set truto.unified.accounts=...`), when that applies;
            // otherwise the built-in ones, and `check_overrides` reports the override's error.
            let p = profile_for(name, cfg).or_else(|_| Profile::load(name))?;
            let mut names = vec![name.clone()];
            if let Some(u) = &p.unified {
                names.extend(u.accounts.iter().map(|a| a.vendor.clone()));
            }
            names
        }
    };
    names.iter().map(|n| Profile::load(n)).collect()
}

impl App {
    /// Builds tenants for `cfg`; `origin` is the server's `http://host:port`.
    pub fn build(cfg: &ServeConfig, origin: &str) -> Result<App, BuildError> {
        let shared = Arc::new(Shared::new(
            cfg.token.clone(),
            cfg.admin_token.clone(),
            cfg.latency_ms,
            cfg.fail_rate,
            cfg.rate_limits,
            cfg.seed,
        ));
        // Every override is checked before any tenant is built (and its users generated).
        scimock_profile::check_overrides(&mounted_profiles(cfg)?, &cfg.overrides)?;
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
    pub fn save_state(&self) -> Result<Option<PathBuf>, StateError> {
        let Some(path) = &self.state_file else {
            return Ok(None);
        };
        state::write_atomic(path, &state::snapshot(&self.all_tenants())).map_err(|source| {
            StateError::Write {
                path: path.clone(),
                source,
            }
        })?;
        Ok(Some(path.clone()))
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
