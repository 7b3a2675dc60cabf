//! The runner: connects, plans from discovery and the profile, runs the selected checks in
//! catalog order emitting events, and always cleans up the users it created — after the
//! last check, after a failure, or when cancelled (Ctrl-C / SIGTERM in the binary).

mod cancel;
mod cleanup;
mod preflight;

pub use cancel::{CancelSignal, Canceller, cancellation};

use crate::baseline::fingerprint_of;
use crate::catalog::{CATALOG, CheckDef};
use crate::client::{Client, ClientConfig, ClientError};
use crate::config::{Config, IdpClient};
use crate::ctx::Ctx;
use crate::glob;
use crate::identity;
use crate::model::{CheckResult, Event, Report, Severity, Status, Summary};
use crate::outcome::{Skip, SkipReason};
use scimock_profile::ProfileKind;
use std::time::Instant;

/// Why a run could not happen (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A target URL the client refuses (not http(s), userinfo, unparsable).
    #[error(transparent)]
    Setup(#[from] ClientError),
    /// A unified profile without an account to list.
    #[error("a unified profile needs --account ID (the integrated_account_id)")]
    MissingAccount,
    /// No response from the target.
    #[error("cannot reach the target: {0}")]
    Unreachable(String),
    /// The target refused the credentials.
    #[error("the target rejected the credentials: {0}")]
    AuthRejected(String),
    /// The target asks for credentials and the run was given none.
    #[error(
        "the target requires credentials and none were given (pass --token, set SCIM_TOKEN, or --header 'Name: value'): {0}"
    )]
    NoCredentials(String),
    /// The target is not the kind of endpoint the profile says: the full one-line diagnosis.
    #[error("{0}")]
    NotAnEndpoint(String),
    /// The unified facade does not know the integrated account.
    #[error("no such integrated account: {account} ({answer})")]
    NoSuchAccount {
        /// The `integrated_account_id` asked for.
        account: String,
        /// What the facade answered.
        answer: String,
    },
    /// `--account` was given for a profile that is not a unified facade.
    #[error(
        "--account is the integrated_account_id of a unified profile (truto); the {profile} profile is a SCIM endpoint and has no accounts"
    )]
    AccountWithoutUnified {
        /// The profile's name.
        profile: String,
    },
    /// `--only` / `--skip` leave no check to run.
    #[error(
        "the selection leaves no check to run for the {profile} profile (--only {only:?}, --skip {skip:?}); see the check ids in README \"Check catalog\""
    )]
    NothingSelected {
        /// The profile's name.
        profile: String,
        /// `--only` patterns.
        only: Vec<String>,
        /// `--skip` patterns.
        skip: Vec<String>,
    },
}

/// The checks a configuration runs, in catalog order: those that apply to it and pass
/// `--only` / `--skip`. With `--client`, only that client's checks (`entra.*`, `okta.*`) run;
/// without it, none of them.
pub fn plan(cfg: &Config) -> Vec<&'static CheckDef> {
    CATALOG
        .iter()
        .filter(|d| match cfg.client {
            Some(c) => d.group == c.name(),
            None => !IdpClient::is_client_group(d.group),
        })
        .filter(|d| (d.applies)(cfg) && glob::selected(d.id, &cfg.only, &cfg.skip))
        .collect()
}

/// Refuses, before any request, a configuration that cannot mean what was asked: `--account`
/// for a SCIM profile, or a selection that leaves nothing to run (a mistyped glob in CI would
/// otherwise be green forever).
pub fn check_config(cfg: &Config) -> Result<(), RunError> {
    if cfg.account.is_some() && cfg.profile.kind != ProfileKind::Unified {
        return Err(RunError::AccountWithoutUnified {
            profile: cfg.profile.name.clone(),
        });
    }
    if plan(cfg).is_empty() {
        return Err(RunError::NothingSelected {
            profile: cfg.profile.name.clone(),
            only: cfg.only.clone(),
            skip: cfg.skip.clone(),
        });
    }
    Ok(())
}

/// What the checks of a run produced.
struct Ran {
    results: Vec<CheckResult>,
    summary: Summary,
    interrupted: bool,
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
    check_config(&cfg)?;
    let ccfg = ClientConfig {
        timeout: cfg.timeout,
        max_rps: cfg.max_rps,
        max_retries: cfg.max_retries,
        max_retry_wait: cfg.max_retry_wait,
        allow_writes: cfg.allow_writes,
        recorder: cfg.recorder.clone(),
    };
    let client = Client::new(&cfg.target, cfg.credentials.clone(), ccfg.clone())?;
    let plan = preflight::preflight(&client, &cfg, &ccfg).await?;
    let ctx = Ctx::new(client, cfg, plan);
    let selected = self::plan(&ctx.cfg);
    let target = ctx.client.scrub(&ctx.cfg.target);
    let identity = identity::identity(&target, ctx.profile(), ctx.plan.spc.as_ref());
    let client_named = ctx.cfg.client.map(|c| {
        std::iter::once(c.name().to_string())
            .chain(ctx.cfg.client_options.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    });
    sink(&Event::RunStarted {
        target: target.clone(),
        profile: ctx.profile().name.clone(),
        client: client_named.clone(),
        planned: selected.len(),
        allow_writes: ctx.cfg.allow_writes,
    });
    // Requests with the credentials before the checks (the preflight), and how many were refused.
    let (sent_before, refused_before) = ctx.client.counts();
    let ran = run_checks(&ctx, &selected, cancel, sink).await;
    // The preflight proves the first request is accepted; a token revoked or expired just after
    // it (or one accepted only by the list endpoint) leaves every check's request refused.
    let (sent, refused) = ctx.client.counts();
    let (sent, refused) = (sent - sent_before, refused - refused_before);
    let credentials_rejected = sent > 0 && refused == sent;
    if let Some(r) = &ctx.cfg.recorder {
        r.begin("cleanup");
    }
    let cleanup = cleanup::cleanup(&ctx, sink).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    sink(&Event::RunFinished {
        summary: ran.summary,
        cleanup: cleanup.clone(),
        interrupted: ran.interrupted,
        duration_ms,
    });
    let mut report = Report {
        report_version: 1,
        tool: "scimock".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        target,
        profile: ctx.profile().name.clone(),
        client: client_named,
        started_at,
        duration_ms,
        summary: ran.summary,
        checks: ran.results,
        allow_writes: ctx.cfg.allow_writes,
        interrupted: ran.interrupted,
        credentials_rejected,
        cleanup,
        identity: Some(identity),
        fail_on: Severity::Should,
        failing: 0,
        baseline: None,
    };
    report.count_failing();
    Ok(report)
}

/// Runs the planned checks in order, stopping at a cancellation.
async fn run_checks(
    ctx: &Ctx,
    selected: &[&CheckDef],
    mut cancel: Option<CancelSignal>,
    sink: &mut dyn FnMut(&Event),
) -> Ran {
    let total = selected.len();
    let mut ran = Ran {
        results: Vec::new(),
        summary: Summary::default(),
        interrupted: false,
    };
    for (i, def) in selected.iter().enumerate() {
        if cancel.as_ref().is_some_and(CancelSignal::is_cancelled) {
            ran.interrupted = true;
            break;
        }
        sink(&Event::CheckStarted {
            index: i + 1,
            total,
            id: def.id.into(),
            title: def.title.into(),
        });
        if let Some(r) = &ctx.cfg.recorder {
            r.begin(def.id);
        }
        let t0 = Instant::now();
        let outcome = match cancel.as_mut() {
            Some(c) => {
                tokio::select! {
                    o = (def.run)(ctx) => o,
                    () = c.cancelled() => {
                        ran.interrupted = true;
                        Err(Skip::from(SkipReason::Interrupted))
                    }
                }
            }
            None => (def.run)(ctx).await,
        };
        let result = check_result(ctx, def, outcome, t0);
        ran.summary.add(result.status);
        sink(&Event::CheckFinished {
            index: i + 1,
            total,
            result: result.clone(),
        });
        ran.results.push(result);
        if ran.interrupted {
            break;
        }
    }
    ran
}

/// A check's result as reported: a `may` failure is a warning; details are scrubbed.
fn check_result(
    ctx: &Ctx,
    def: &CheckDef,
    outcome: Result<crate::outcome::Outcome, Skip>,
    t0: Instant,
) -> CheckResult {
    let (mut status, detail, evidence) = match outcome {
        Ok(o) => (Status::from(o.verdict), o.detail, o.evidence),
        Err(s) => (Status::Skip, s.reason.to_string(), s.evidence),
    };
    if status == Status::Fail && def.severity == Severity::May {
        status = Status::Warn;
    }
    let detail = ctx.client.scrub(&detail);
    CheckResult {
        id: def.id.to_string(),
        title: def.title.to_string(),
        severity: def.severity,
        reference: def.reference_for(ctx.profile()),
        status,
        fingerprint: fingerprint_of(def.id, status, &detail),
        detail,
        duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        evidence,
        baseline: None,
    }
}
