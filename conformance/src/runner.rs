//! The runner: connects, plans from discovery and the profile, runs the selected checks in
//! catalog order emitting events, and always cleans up the users it created — after the
//! last check, after a failure, or when cancelled (Ctrl-C / SIGTERM in the binary).

use crate::catalog::{self, CATALOG, CheckDef, Page, id_of, member, quote, str_attr};
use crate::client::{Client, ClientConfig, Credential, Request};
use crate::glob;
use crate::model::{CheckResult, Cleanup, Event, Report, Status, Summary};
use reqwest::Method;
use scimock_profile::{DeleteMode, Pagination, Profile, ProfileKind};
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SCIM base URL (or, for a unified profile, the unified users endpoint).
    pub target: String,
    /// What the target is expected to do.
    pub profile: Profile,
    /// Credentials sent with every request (never shown).
    pub credentials: Vec<Credential>,
    /// Run the write checks on users the run creates itself.
    pub allow_writes: bool,
    /// Run only checks matching one of these patterns (empty: all).
    pub only: Vec<String>,
    /// Leave out checks matching one of these patterns.
    pub skip: Vec<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Requests per second, at most.
    pub max_rps: Option<f64>,
    /// Longest pagination walk, in pages.
    pub max_pages: usize,
    /// Users read for the filter and resource checks.
    pub sample_size: usize,
    /// Unified profiles: the `integrated_account_id` (default: the profile's first account).
    pub account: Option<String>,
    /// 429 retries per request.
    pub max_retries: u32,
    /// Longest wait for one Retry-After.
    pub max_retry_wait: Duration,
}

impl Config {
    /// Defaults for `target` and `profile`: read-only, 30 s timeout, 50 pages, 5 sampled users.
    pub fn new(target: impl Into<String>, profile: Profile) -> Config {
        Config {
            target: target.into(),
            profile,
            credentials: Vec::new(),
            allow_writes: false,
            only: Vec::new(),
            skip: Vec::new(),
            timeout: Duration::from_secs(30),
            max_rps: None,
            max_pages: 50,
            sample_size: 5,
            account: None,
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

/// Why a run could not happen (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// Bad configuration (URL, header).
    Setup(String),
    /// No response from the target.
    Unreachable(String),
    /// The target refused the credentials.
    AuthRejected(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Setup(m) => write!(f, "{m}"),
            RunError::Unreachable(m) => write!(f, "cannot reach the target: {m}"),
            RunError::AuthRejected(m) => write!(f, "the target rejected the credentials: {m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Cancels a running check run (the binary calls it from its signal handler).
#[derive(Debug, Clone)]
pub struct Canceller(std::sync::Arc<watch::Sender<bool>>);

/// The runner's side of a [`Canceller`].
#[derive(Debug, Clone)]
pub struct CancelSignal(watch::Receiver<bool>);

/// A connected canceller and signal.
pub fn cancellation() -> (Canceller, CancelSignal) {
    let (tx, rx) = watch::channel(false);
    (Canceller(std::sync::Arc::new(tx)), CancelSignal(rx))
}

impl Canceller {
    /// Asks the run to stop after cleaning up.
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

impl CancelSignal {
    async fn cancelled(&mut self) {
        while !*self.0.borrow() {
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }
}

/// A user created by the write checks.
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: String,
    /// Its userName.
    pub user_name: String,
    /// The body it was created with.
    pub body: Value,
}

/// A user the run may have created, for cleanup.
#[derive(Debug, Clone)]
struct Tracked {
    user_name: String,
    ids: Vec<String>,
    removed: bool,
}

/// What the run learned before the checks: a first page, a sample of users, discovery.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The first list page (SCIM ListResponse or unified envelope).
    pub first_page: Option<Value>,
    /// Users to work with (at most `sample_size`).
    pub sample: Vec<Value>,
    /// `totalResults` of the first page.
    pub total: Option<u64>,
    /// The service provider configuration, when the profile documents one and it parsed.
    pub spc: Option<Value>,
    /// Unified: the `integrated_account_id` used.
    pub account: Option<String>,
}

/// The state checks share.
#[derive(Debug)]
pub struct Ctx {
    /// The HTTP client.
    pub client: Client,
    /// The profile.
    pub profile: Profile,
    /// The run configuration.
    pub cfg: Config,
    /// Planning results.
    pub plan: Plan,
    /// The user `writes.create` made.
    pub created: Mutex<Option<Created>>,
    tracked: Mutex<Vec<Tracked>>,
}

impl Ctx {
    /// Skip reason unless the profile is a SCIM endpoint.
    pub fn scim(&self) -> Result<(), String> {
        match self.profile.kind {
            ProfileKind::Scim => Ok(()),
            ProfileKind::Unified => Err(format!(
                "{} is a unified API, not a SCIM endpoint",
                self.profile.title
            )),
        }
    }

    /// Skip reason unless the profile is a unified facade.
    pub fn unified(&self) -> Result<(), String> {
        match self.profile.kind {
            ProfileKind::Unified => Ok(()),
            ProfileKind::Scim => Err("only for unified (Truto-style) APIs".into()),
        }
    }

    /// Skip reason unless the tenant has users to work with.
    pub fn need_users(&self) -> Result<(), String> {
        if self.plan.sample.is_empty() {
            Err("the tenant has no users to read".into())
        } else {
            Ok(())
        }
    }

    /// Skip reason unless writes are allowed.
    pub fn writes(&self) -> Result<(), String> {
        if !self.cfg.allow_writes {
            return Err("read-only run (pass --allow-writes to create, change and delete a user of its own)".into());
        }
        let cap = self.profile.writes.max_users.as_ref().map(|l| l.max);
        if let (Some(max), Some(total)) = (cap, self.plan.total) {
            if total >= max {
                return Err(format!(
                    "the tenant holds {total} users, {}'s documented limit of {max}: no room to create one",
                    self.profile.title
                ));
            }
        }
        Ok(())
    }

    /// A boolean claim of the service provider configuration (`sort.supported`).
    pub fn spc_claim(&self, feature: &str) -> Option<bool> {
        let spc = self.plan.spc.as_ref()?;
        let mut v = spc;
        for part in feature.split('.') {
            v = member(v, part)?;
        }
        v.as_bool()
    }

    /// Skip reason unless the profile documents `offered` and the configuration (its
    /// `spc_path` claim, when it has one) does not deny it.
    pub fn feature(&self, offered: bool, what: &str, spc_path: Option<&str>) -> Result<(), String> {
        if !offered {
            return Err(format!("{} documents no {what}", self.profile.title));
        }
        if let Some(spc_path) = spc_path.filter(|p| self.spc_claim(p) == Some(false)) {
            return Err(format!(
                "the ServiceProviderConfig says {spc_path} is false"
            ));
        }
        Ok(())
    }

    /// Index pagination (startIndex/count) is documented.
    pub fn index_paging(&self) -> Result<(), String> {
        match self.profile.list.pagination {
            Pagination::Index => Ok(()),
            Pagination::None => Err(format!(
                "{} documents no paging: startIndex/count are not offered",
                self.profile.title
            )),
        }
    }

    /// True when `userName eq` is an accepted filter.
    pub fn filterable(&self, attr: &str) -> bool {
        let r = &self.profile.filter.users;
        r.any
            || r.allow.iter().any(|a| {
                a.attr.eq_ignore_ascii_case(attr)
                    && a.ops.iter().any(|o| o.eq_ignore_ascii_case("eq"))
            })
    }

    /// Records a userName the run is about to create (before the request, so a lost answer
    /// is still cleaned up).
    pub fn track(&self, user_name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            if !t.iter().any(|x| x.user_name == user_name) {
                t.push(Tracked {
                    user_name: user_name.to_string(),
                    ids: Vec::new(),
                    removed: false,
                });
            }
        }
    }

    /// Records the id a create answered with.
    pub fn track_id(&self, user_name: &str, id: &str) {
        if id.is_empty() {
            return;
        }
        if let Ok(mut t) = self.tracked.lock() {
            if let Some(x) = t.iter_mut().find(|x| x.user_name == user_name) {
                if !x.ids.iter().any(|i| i == id) {
                    x.ids.push(id.to_string());
                }
                x.removed = false;
            }
        }
    }

    /// Marks a tracked user as removed (its DELETE was verified).
    pub fn untrack(&self, user_name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            if let Some(x) = t.iter_mut().find(|x| x.user_name == user_name) {
                x.removed = true;
            }
        }
    }

    fn tracked(&self) -> Vec<Tracked> {
        self.tracked.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// Runs the checks against `cfg.target`, emitting events to `sink`. Returns the report, or
/// why the run could not happen.
pub async fn run(
    cfg: Config,
    cancel: Option<CancelSignal>,
    sink: &mut dyn FnMut(&Event),
) -> Result<Report, RunError> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let client = Client::new(
        &cfg.target,
        cfg.credentials.clone(),
        ClientConfig {
            timeout: cfg.timeout,
            max_rps: cfg.max_rps,
            max_retries: cfg.max_retries,
            max_retry_wait: cfg.max_retry_wait,
            allow_writes: cfg.allow_writes,
        },
    )
    .map_err(RunError::Setup)?;
    let plan = preflight(&client, &cfg).await?;
    let ctx = Ctx {
        client,
        profile: cfg.profile.clone(),
        cfg: cfg.clone(),
        plan,
        created: Mutex::new(None),
        tracked: Mutex::new(Vec::new()),
    };
    let selected: Vec<&CheckDef> = CATALOG
        .iter()
        .filter(|d| {
            catalog::applies(d, cfg.profile.kind) && glob::selected(d.id, &cfg.only, &cfg.skip)
        })
        .collect();
    let total = selected.len();
    sink(&Event::RunStarted {
        target: ctx.client.scrub(&cfg.target),
        profile: cfg.profile.name.clone(),
        planned: total,
        allow_writes: cfg.allow_writes,
    });
    // Requests with the credentials before the checks (the preflight), and how many were refused.
    let (sent_before, refused_before) = ctx.client.counts();
    let mut cancel = cancel;
    let mut results = Vec::new();
    let mut summary = Summary::default();
    let mut interrupted = false;
    for (i, def) in selected.iter().enumerate() {
        if cancel.as_ref().is_some_and(CancelSignal::is_cancelled) {
            interrupted = true;
            break;
        }
        sink(&Event::CheckStarted {
            index: i + 1,
            total,
            id: def.id.into(),
            title: def.title.into(),
        });
        let t0 = Instant::now();
        let outcome = match cancel.as_mut() {
            Some(c) => {
                tokio::select! {
                    o = catalog::run(&ctx, def.id) => o,
                    () = c.cancelled() => {
                        interrupted = true;
                        Some(catalog::Outcome::skip("interrupted by a signal before it finished"))
                    }
                }
            }
            None => catalog::run(&ctx, def.id).await,
        };
        let outcome = outcome.unwrap_or_else(|| catalog::Outcome {
            status: Status::Fail,
            detail: "no code implements this check".into(),
            evidence: Vec::new(),
        });
        let mut status = outcome.status;
        if status == Status::Fail && def.severity == crate::model::Severity::May {
            status = Status::Warn;
        }
        let result = CheckResult {
            id: def.id.to_string(),
            title: def.title.to_string(),
            severity: def.severity,
            reference: catalog::reference(def, &ctx.profile),
            status,
            detail: ctx.client.scrub(&outcome.detail),
            duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
            evidence: outcome.evidence,
        };
        summary.add(result.status);
        sink(&Event::CheckFinished {
            index: i + 1,
            total,
            result: result.clone(),
        });
        results.push(result);
        if interrupted {
            break;
        }
    }
    // The preflight proves the first request is accepted; a token revoked or expired just after
    // it (or one accepted only by the list endpoint) leaves every check's request refused.
    let (sent, refused) = ctx.client.counts();
    let (sent, refused) = (sent - sent_before, refused - refused_before);
    let credentials_rejected = sent > 0 && refused == sent;
    let cleanup = cleanup(&ctx, sink).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    sink(&Event::RunFinished {
        summary,
        cleanup: cleanup.clone(),
        interrupted,
        duration_ms,
    });
    Ok(Report {
        report_version: 1,
        tool: "scimock".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        target: ctx.client.scrub(&cfg.target),
        profile: cfg.profile.name.clone(),
        started_at,
        duration_ms,
        summary,
        checks: results,
        allow_writes: cfg.allow_writes,
        interrupted,
        credentials_rejected,
        cleanup,
    })
}

/// The first request: proves the target answers and accepts the credentials, reads a sample
/// of users and the service provider configuration.
async fn preflight(client: &Client, cfg: &Config) -> Result<Plan, RunError> {
    let p = &cfg.profile;
    let mut plan = Plan::default();
    let n = cfg.sample_size.max(1).to_string();
    let req = match p.kind {
        ProfileKind::Unified => {
            let account = cfg
                .account
                .clone()
                .or_else(|| {
                    p.unified
                        .as_ref()
                        .and_then(|u| u.accounts.first())
                        .map(|a| a.id.clone())
                })
                .ok_or_else(|| {
                    RunError::Setup(
                        "a unified profile needs --account ID (the integrated_account_id)".into(),
                    )
                })?;
            plan.account = Some(account.clone());
            Request::get("")
                .query("integrated_account_id", account)
                .query("limit", n)
        }
        ProfileKind::Scim => match p.list.pagination {
            Pagination::Index => Request::get("/Users")
                .query("startIndex", "1")
                .query("count", n),
            Pagination::None => Request::get("/Users"),
        },
    };
    let ex = client.send(req).await;
    let Some(status) = ex.status else {
        return Err(RunError::Unreachable(format!(
            "GET {}: {}",
            ex.target,
            ex.error.clone().unwrap_or_else(|| "no response".into())
        )));
    };
    if status == 401 || status == 403 {
        return Err(RunError::AuthRejected(format!(
            "GET {} answered HTTP {status}; check --token / --header",
            ex.target
        )));
    }
    if let Some(v) = ex.json().filter(|_| ex.ok()) {
        match p.kind {
            ProfileKind::Unified => {
                plan.sample = v
                    .get("result")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
            }
            ProfileKind::Scim => {
                let page = Page::parse(&v);
                plan.total = page.total;
                plan.sample = page.resources;
            }
        }
        plan.sample.truncate(cfg.sample_size.max(1));
        plan.first_page = Some(v);
    }
    if let Some(path) = p
        .discovery
        .service_provider_config
        .as_deref()
        .filter(|_| p.kind == ProfileKind::Scim)
    {
        let ex = client.send(Request::get(path)).await;
        plan.spc = ex.json().filter(|v| ex.ok() && v.is_object());
    }
    Ok(plan)
}

/// Removes every user the run created; reports what could not be removed.
async fn cleanup(ctx: &Ctx, sink: &mut dyn FnMut(&Event)) -> Cleanup {
    let tracked = ctx.tracked();
    let mut out = Cleanup::default();
    if tracked.is_empty() || !ctx.cfg.allow_writes {
        return out;
    }
    sink(&Event::CleanupStarted {
        users: tracked.len(),
    });
    let suspend = ctx.profile.writes.delete_mode == DeleteMode::Suspend;
    if suspend {
        out.note = Some(format!(
            "{}'s DELETE suspends users; removed users remain readable with active:false",
            ctx.profile.title
        ));
    }
    for t in tracked {
        let mut ids = t.ids.clone();
        // Sweep by userName: finds users whose create answer was lost (timeout, Ctrl-C). `None`:
        // no lookup; `Err`: the lookup did not answer with a list.
        let mut lookup: Option<Result<(), String>> = None;
        if ctx.filterable("userName") {
            let ex = ctx
                .client
                .send(
                    Request::get("/Users")
                        .query("filter", format!("userName eq {}", quote(&t.user_name))),
                )
                .await;
            let page = ex
                .json()
                .filter(|_| ex.ok())
                .map(|v| Page::parse(&v))
                .filter(|p| p.has_resources || p.total.is_some());
            lookup = Some(match &page {
                Some(_) => Ok(()),
                None if ex.ok() => Err(format!("{} without a list", ex.outcome())),
                None => Err(ex.outcome()),
            });
            if let Some(page) = page {
                // A target may ignore or mis-evaluate the filter: remove only the run's own user.
                for r in page
                    .resources
                    .into_iter()
                    .filter(|r| is_own(r, &t.user_name))
                {
                    let id = id_of(&r);
                    let already_suspended =
                        suspend && member(&r, "active") == Some(&Value::Bool(false));
                    if !id.is_empty() && !ids.contains(&id) && !already_suspended {
                        ids.push(id);
                    }
                }
            }
        }
        if ids.is_empty() {
            // Removed only when known: its DELETE was verified, or the lookup found nobody.
            match lookup {
                _ if t.removed => out.removed.push(t.user_name.clone()),
                Some(Ok(())) => out.removed.push(t.user_name.clone()),
                Some(Err(why)) => out.leftovers.push(format!(
                    "{}: could not verify it is gone: its id is unknown and the userName lookup answered {why}",
                    t.user_name
                )),
                None => out.leftovers.push(format!(
                    "{}: its id is unknown and the target cannot filter on userName",
                    t.user_name
                )),
            }
            continue;
        }
        let mut all_gone = true;
        for id in ids {
            match remove_user(ctx, &id, suspend).await {
                Ok(()) => {}
                Err(why) => {
                    all_gone = false;
                    out.leftovers.push(format!("{} ({id}): {why}", t.user_name));
                }
            }
        }
        if all_gone {
            out.removed.push(t.user_name.clone());
        }
    }
    out.leftovers = out.leftovers.iter().map(|l| ctx.client.scrub(l)).collect();
    out
}

/// True when `resource` is the user the run created as `user_name`: the same userName
/// (case-insensitively: userName is caseExact false), which carries the run's prefix.
fn is_own(resource: &Value, user_name: &str) -> bool {
    let prefix = crate::catalog::writes::PREFIX;
    str_attr(resource, "userName").is_some_and(|n| {
        n.eq_ignore_ascii_case(user_name)
            && n.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    })
}

/// DELETE and verify (404, or `active:false` where DELETE suspends).
async fn remove_user(ctx: &Ctx, id: &str, suspend: bool) -> Result<(), String> {
    let path = format!("/Users/{}", crate::client::encode_component(id));
    let del = ctx
        .client
        .send(Request::new(Method::DELETE, path.clone()))
        .await;
    if !del.ok() && !del.is(404) {
        return Err(format!("DELETE answered {}", del.outcome()));
    }
    let get = ctx.client.send(Request::get(path)).await;
    if get.is(404) || get.is(410) {
        return Ok(());
    }
    if suspend
        && get.ok()
        && get
            .json()
            .is_some_and(|v| member(&v, "active") == Some(&Value::Bool(false)))
    {
        return Ok(());
    }
    Err(format!(
        "still readable after DELETE (GET answered {})",
        get.outcome()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cleanup_removes_only_users_with_its_own_prefixed_user_name() {
        let own = "scimock-check-0123456789ab@example.com";
        assert!(is_own(&json!({"id": "1", "userName": own}), own));
        assert!(is_own(
            &json!({"id": "1", "userName": "SCIMOCK-CHECK-0123456789AB@Example.com"}),
            own
        ));
        assert!(!is_own(
            &json!({"id": "2", "userName": "jdoe@example.com"}),
            own
        ));
        assert!(!is_own(&json!({"id": "3"}), own));
        assert!(!is_own(
            &json!({"id": "4", "userName": "scimock-check-other@example.com"}),
            own
        ));
        // Never a user without the prefix, even if the run was somehow told that name.
        assert!(!is_own(
            &json!({"id": "5", "userName": "jdoe@example.com"}),
            "jdoe@example.com"
        ));
    }
}
