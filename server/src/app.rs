//! Building the app: tenants from profiles, with their fixtures and state loaded. Serving it
//! is `serve`'s job.

use crate::durable::files::Paths;
use crate::durable::log::{self, WriteLog};
use crate::render::Renderer;
use crate::resource::Schemas;
use crate::seed::LoadError;
use crate::state::{self, StateError};
use crate::store::Store;
use crate::tenant::{RateLimiter, Rules, Shared, Tenant};
use crate::timeouts::Timeouts;
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
    /// A unified account sits over a vendor the facade cannot page (it pages its backends by
    /// `startIndex`).
    #[error(
        "unified account {account} of {facade} is backed by {vendor}, which ignores startIndex (list.ignore_start_index); the facade pages its backends by startIndex, so users past the first page would be unreachable. Back the account with another vendor, or --set {vendor}.list.ignore_start_index=false"
    )]
    UnpageableBackend {
        /// The facade profile.
        facade: String,
        /// The account id.
        account: String,
        /// The backing vendor.
        vendor: String,
    },
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
    /// Limits on each phase of a connection, and the shutdown deadline.
    pub timeouts: Timeouts,
    /// The request journal keeps at most about this many bytes (oldest entries go first).
    pub journal_bytes: usize,
    /// Print one line per request on stderr (`serve --log-requests`).
    pub log_requests: bool,
    /// Most connections open at once; one more is answered 503 and closed
    /// (`serve --max-connections`).
    pub max_connections: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            vendor: VendorChoice::One("generic".into()),
            // In-process use: a free loopback port, so parallel tests never collide (the CLI's
            // own default stays 127.0.0.1:8080).
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
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
            log_requests: false,
            timeouts: Timeouts::default(),
            journal_bytes: crate::journal::DEFAULT_MAX_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Connections served at once by default: well below the common limit of 1,024 open files, so
/// a client holding many sockets meets a 503, never a server that cannot accept.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The running app: shared state and every tenant.
#[derive(Debug)]
pub struct App {
    /// Process-wide state.
    pub shared: Arc<Shared>,
    /// Mounted tenants, in profile order.
    pub tenants: Vec<Arc<Tenant>>,
    /// `http://host:port`.
    pub origin: String,
    /// Where state is persisted (`--state` as given).
    pub state_file: Option<PathBuf>,
    /// The files behind `--state`, resolved at start.
    pub state_paths: Option<Paths>,
    /// The mount the state file records (see [`state::mount`]).
    pub mount: Value,
    /// What the operator should know about how the app was built (printed at start).
    pub warnings: Vec<String>,
    /// One save at a time, so an older snapshot is never renamed over a newer one.
    saving: std::sync::Mutex<()>,
    /// Limits on each phase of a connection, and the shutdown deadline.
    pub timeouts: Timeouts,
    /// Bound to a loopback address: the `Host` header must name loopback.
    pub loopback: bool,
    /// Most connections open at once.
    pub max_connections: usize,
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
        unlisted: Default::default(),
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
    /// The path a mounted profile is served under (`/scim/v2`, `/attio/scim/v2`), by name.
    pub fn base_path_of(&self, vendor: &str) -> Option<String> {
        self.tenant(vendor).map(|t| t.public_path.clone())
    }

    /// Builds tenants for `cfg`; `origin` is the server's `http://host:port`.
    pub fn build(cfg: &ServeConfig, origin: &str) -> Result<App, BuildError> {
        let mut shared = Shared::new(
            cfg.token.clone(),
            cfg.admin_token.clone(),
            cfg.latency_ms,
            cfg.fail_rate,
            cfg.rate_limits,
            cfg.seed,
        );
        shared.body_timeout = cfg.timeouts.body;
        shared.log_requests = cfg.log_requests;
        shared.journal = crate::journal::Journal::with_limits(10_000, cfg.journal_bytes);
        let shared = Arc::new(shared);
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
        for t in &tenants {
            if let Some((account, b)) = t
                .backends
                .iter()
                .find(|(_, b)| b.profile.list.ignore_start_index)
            {
                return Err(BuildError::UnpageableBackend {
                    facade: t.profile.name.clone(),
                    account: account.clone(),
                    vendor: b.profile.name.clone(),
                });
            }
        }
        let everything = all_tenants(&tenants);
        let vendor = match &cfg.vendor {
            VendorChoice::All => "all",
            VendorChoice::One(name) => name.as_str(),
        };
        let mount = state::mount(vendor, &everything);
        let mut warnings = Vec::new();
        let state_paths = match &cfg.state_file {
            Some(path) => {
                let unusable = |source| StateError::Unusable {
                    path: path.clone(),
                    source,
                };
                let paths = Paths::resolve(path).map_err(unusable)?;
                paths.remove_leftovers();
                open_state(&paths, &mount, &everything, &mut warnings)?;
                for t in &everything {
                    t.write().track_changes();
                }
                let started = WriteLog::start(&paths.log, &mount).map_err(unusable)?;
                let _ = shared.log.set(started);
                Some(paths)
            }
            None => None,
        };
        Ok(App {
            shared,
            tenants,
            origin: origin.to_string(),
            state_file: cfg.state_file.clone(),
            state_paths,
            mount,
            warnings,
            saving: std::sync::Mutex::new(()),
            timeouts: cfg.timeouts,
            loopback: cfg.listen.ip().is_loopback(),
            max_connections: cfg.max_connections.max(1),
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
        let (Some(given), Some(paths)) = (&self.state_file, &self.state_paths) else {
            return Ok(None);
        };
        let _one = self.saving.lock().unwrap_or_else(|e| e.into_inner());
        // Everything appended up to here is in the snapshot taken after it.
        let covered = self.shared.log.get().map(|l| l.appended());
        state::save(&paths.snapshot, &self.all_tenants(), &self.mount).map_err(|source| {
            StateError::Write {
                path: given.clone(),
                source,
            }
        })?;
        if let (Some(log), Some(n)) = (self.shared.log.get(), covered) {
            log.trim(n);
        }
        Ok(Some(given.clone()))
    }
}

/// Loads the state file and replays its write log into `tenants`; when the log held writes (or
/// there was no state file yet), writes a snapshot at once, so the new log starts from it.
fn open_state(
    paths: &Paths,
    mount: &Value,
    tenants: &[Arc<Tenant>],
    warnings: &mut Vec<String>,
) -> Result<(), StateError> {
    let log = log::read(&paths.log).map_err(|source| StateError::Read {
        path: paths.log.clone(),
        source,
    })?;
    // Without logged writes (the file was saved at the last shutdown), the file is streamed
    // into the stores; after a crash its document is read whole and the log replayed over it.
    let records = log.as_ref().map_or(&[][..], |back| &back.records[..]);
    let (recorded, held, loaded, doc) = if records.is_empty() {
        match state::load(&paths.snapshot, tenants, mount)? {
            Some(l) => (l.mount.clone(), l.held.clone(), Some(l), None),
            None => (None, Vec::new(), None, None),
        }
    } else {
        match state::read(&paths.snapshot)? {
            Some(d) => (d.get("mount").cloned(), state::held(&d), None, Some(d)),
            None => (None, Vec::new(), None, None),
        }
    };
    let exists = loaded.is_some() || doc.is_some();
    if exists {
        warnings.extend(state::check_mount(
            &paths.given,
            recorded.as_ref(),
            &held,
            mount,
            tenants,
        )?);
    }
    if let Some(back) = &log {
        if let Some(recorded) = back.header.as_ref().and_then(|h| h.get("mount")) {
            if recorded != mount {
                return Err(state::foreign(&paths.log, recorded, mount));
            }
        }
        if back.torn > 0 {
            warnings.push(format!(
                "write log {}: dropped {} bytes of a record being written when the process stopped (never acknowledged)",
                paths.log.display(),
                back.torn
            ));
        }
    }
    if let Some(l) = loaded {
        l.install(tenants);
    } else if !records.is_empty() {
        let mut doc = doc.unwrap_or_else(|| state::snapshot(tenants, mount));
        log::replay(&mut doc, records);
        state::restore(doc, tenants)?;
    }
    // With neither a file nor logged writes, the tenants keep their seeded content as it is;
    // a new file, one of an earlier version, or one a replay changed is written at once.
    if !exists || recorded.is_none() || !records.is_empty() {
        state::save(&paths.snapshot, tenants, mount).map_err(|source| StateError::Write {
            path: paths.given.clone(),
            source,
        })?;
    }
    Ok(())
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
