//! `scimock check`: arguments to a run configuration, the signal handler that triggers cleanup,
//! and where each report goes. The work happens in `scimock-conformance`.

use clap::Args;
use scimock_conformance::report::human::{HumanReporter, use_colour};
use scimock_conformance::report::{self, Format};
use scimock_conformance::{Config, Credential, Event, Report, cancellation};
use scimock_profile::{PROFILE_NAMES, Profile};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// `scimock check` arguments (DESIGN §4.3).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The SCIM base URL (for --profile truto: the unified users endpoint).
    pub base_url: String,
    /// What the target is expected to do.
    #[arg(long, value_parser = profile_name)]
    pub profile: String,
    /// Bearer token (also read from SCIM_TOKEN); never printed.
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A credential header instead of (or besides) --token, e.g. 'X-Api-Key: ...'; never printed.
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// Also run the write checks, on users the run creates (userName scimock-check-...) and always removes.
    #[arg(long)]
    pub allow_writes: bool,
    /// Report format: human, json, junit or markdown.
    #[arg(long, default_value = "human", value_parser = ["human", "json", "junit", "markdown"])]
    pub format: String,
    /// Write the report to FILE (the terminal still shows human progress).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only checks matching GLOB (`filter.*`, or a group name like `writes`); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub only: Vec<String>,
    /// Leave out checks matching GLOB; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub skip: Vec<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub timeout: f64,
    /// At most N requests per second (0: no limit).
    #[arg(long, default_value_t = 10.0, value_name = "N")]
    pub max_rps: f64,
    /// Longest pagination walk, in pages.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_pages: usize,
    /// Unified profiles: the integrated_account_id to list (default: the profile's first mock account).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

fn profile_name(s: &str) -> Result<String, String> {
    if PROFILE_NAMES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown profile {s:?}; one of {}",
            PROFILE_NAMES.join(", ")
        ))
    }
}

fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("scimock check: {msg}");
    2
}

/// Runs `scimock check`; returns the exit status (0 no failure, 1 failures, 2 could not run:
/// bad arguments, unreachable target, credentials rejected by the first request or by every
/// request of the checks, interrupted).
pub fn run(a: CheckArgs) -> u8 {
    let (cfg, format) = match configure(&a) {
        Ok(c) => c,
        Err(status) => return status,
    };
    if let Some(Err(status)) = a.output.as_deref().map(writable) {
        return status;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    rt.block_on(execute(cfg, format, a.output))
}

/// The run configuration and report format the arguments ask for, or the exit status of a
/// refusal (already explained on stderr).
fn configure(a: &CheckArgs) -> Result<(Config, Format), u8> {
    let profile = Profile::builtin(&a.profile).map_err(fail)?;
    let format: Format = a.format.parse().map_err(fail)?;
    if !(a.timeout.is_finite() && a.timeout > 0.0) {
        return Err(fail("--timeout must be a positive number of seconds"));
    }
    if !(a.max_rps.is_finite() && a.max_rps >= 0.0) {
        return Err(fail("--max-rps must be 0 (no limit) or a positive number"));
    }
    let mut credentials = Vec::new();
    if let Some(t) = a.token.as_deref().filter(|t| !t.is_empty()) {
        credentials.push(Credential::bearer(t));
    }
    for h in &a.headers {
        credentials.push(Credential::header(h).map_err(fail)?);
    }
    let mut cfg = Config::new(a.base_url.clone(), profile);
    cfg.credentials = credentials;
    cfg.allow_writes = a.allow_writes;
    cfg.only = a.only.clone();
    cfg.skip = a.skip.clone();
    cfg.timeout =
        Duration::try_from_secs_f64(a.timeout).map_err(|_| fail("--timeout is too large"))?;
    cfg.max_rps = (a.max_rps > 0.0).then_some(a.max_rps);
    cfg.max_pages = a.max_pages.max(1);
    cfg.account = a.account.clone();
    Ok((cfg, format))
}

/// Refuses an `--output` path that cannot be written before the run, not after it.
fn writable(path: &std::path::Path) -> Result<(), u8> {
    let existed = path.exists();
    let opened = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path);
    if opened.is_ok() && !existed {
        let _ = std::fs::remove_file(path);
    }
    opened
        .map(drop)
        .map_err(|e| fail(format!("--output {}: {e}", path.display())))
}

/// Human progress while running: on stdout unless stdout carries the report itself, then on
/// stderr when it is a terminal (progress only: the summary would be noise next to the
/// report). The flag says the progress goes to stderr.
fn progress(
    format: Format,
    output: Option<&PathBuf>,
) -> (Option<HumanReporter<Box<dyn Write + Send>>>, bool) {
    let report_on_stdout = format != Format::Human && output.is_none();
    if !report_on_stdout {
        let tty = std::io::stdout().is_terminal();
        (
            Some(HumanReporter::new(
                Box::new(std::io::stdout()),
                use_colour(tty),
                tty,
            )),
            false,
        )
    } else if std::io::stderr().is_terminal() {
        (
            Some(HumanReporter::new(
                Box::new(std::io::stderr()),
                use_colour(true),
                true,
            )),
            true,
        )
    } else {
        (None, false)
    }
}

/// Runs the checks with the signal handler armed, writes the report, and returns the exit status.
async fn execute(cfg: Config, format: Format, output: Option<PathBuf>) -> u8 {
    let (canceller, signal) = cancellation();
    tokio::spawn(async move {
        wait_for_signal().await;
        eprintln!(
            "\nscimock check: interrupted; cleaning up the users it created (interrupt again to quit now)"
        );
        canceller.cancel();
        wait_for_signal().await;
        eprintln!("scimock check: quitting without cleanup");
        std::process::exit(2);
    });
    let (mut human, progress_on_stderr) = progress(format, output.as_ref());
    let mut sink = |e: &Event| {
        if let Some(h) = human.as_mut() {
            // On stderr the summary is noise next to the report on stdout: progress only.
            if !(progress_on_stderr && matches!(e, Event::RunFinished { .. })) {
                h.event(e);
            }
        }
    };
    let report = match scimock_conformance::run(cfg, Some(signal), &mut sink).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if let Some(path) = &output {
        if let Err(e) = std::fs::write(path, report::render(format, &report)) {
            return fail(format!("--output {}: {e}", path.display()));
        }
    } else if format != Format::Human {
        let mut out = std::io::stdout();
        let _ = out.write_all(report::render(format, &report).as_bytes());
        let _ = out.flush();
    }
    exit_status(&report)
}

/// 2 when the credentials were rejected throughout or the run was interrupted, 1 when a check
/// failed, else 0.
fn exit_status(report: &Report) -> u8 {
    if report.credentials_rejected {
        fail(
            "the target rejected the credentials: every request of the checks was answered HTTP 401/403 after the first request was accepted (token revoked, expired or lacking permissions?)",
        )
    } else if report.interrupted {
        2
    } else if report.summary.failed > 0 {
        1
    } else {
        0
    }
}

/// Waits for SIGINT or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut i), Ok(mut t)) => {
                tokio::select! {
                    _ = i.recv() => {},
                    _ = t.recv() => {},
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
