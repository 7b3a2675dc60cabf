//! `scimock check`: arguments to a run configuration, the signal handler that triggers cleanup,
//! the gate (`--fail-on`, `--baseline`), and where each report goes (`--output`, `--har`,
//! `--write-baseline`, `GITHUB_STEP_SUMMARY`, `--annotations github`). The work happens in
//! `scimock-conformance`.

use clap::Args;
use scimock_conformance::client::Recorder;
use scimock_conformance::config::IdpClient;
use scimock_conformance::ctx::RFC_PROFILE;
use scimock_conformance::report::human::{HumanReporter, use_colour};
use scimock_conformance::report::{self, Format};
use scimock_conformance::{
    Baseline, Config, Credential, Event, Gate, Report, Severity, cancellation, har,
};
use scimock_profile::{PROFILE_NAMES, Profile, is_profile_path};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// `scimock check` arguments (the `scimock check` contract in README).
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 no check failed (skips and warnings are not failures); \
1 a check failed at or above --fail-on (default should) and is not in --baseline; 2 the run \
could not happen or would mean nothing: bad arguments, unreadable files, an unreachable target or \
one that is not a SCIM endpoint, credentials missing or rejected, a selection that leaves nothing \
to run, or an interruption."
)]
pub struct CheckArgs {
    /// The SCIM base URL (for --profile truto: the unified users endpoint).
    pub base_url: String,
    /// What the target is expected to do: a built-in profile's name or a profile file's path
    /// (`./acme.json`); with --client, generic unless given.
    #[arg(long, value_parser = profile_name, required_unless_present = "client")]
    pub profile: Option<String>,
    /// Replay what an identity provider sends, `entra` (Microsoft Entra ID) or `okta`: runs its
    /// checks (entra.*, okta.*) instead of the profile's.
    #[arg(long, value_name = "IDP", value_parser = client_name)]
    pub client: Option<String>,
    /// A documented option of the --client, e.g. aadOptscim062020 (Entra ID's flag for its
    /// RFC-compliant PATCH shapes); repeatable.
    #[arg(long = "client-option", value_name = "OPTION", requires = "client")]
    pub client_options: Vec<String>,
    /// Bearer token (also read from SCIM_TOKEN); never printed.
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A credential header instead of (or besides) --token, e.g. 'X-Api-Key: ...'; never printed.
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// Also run the write checks, on users the run creates (userName scimock-check-...) and always removes.
    #[arg(long)]
    pub allow_writes: bool,
    /// Report format: human, json, junit, markdown or html (one self-contained page).
    #[arg(long, default_value = "human", value_parser = ["human", "json", "junit", "markdown", "html"])]
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
    /// Exit 1 only when a failed check has at least this severity (`may`: warnings fail too);
    /// the default, should, is any failed check.
    #[arg(long, value_name = "SEVERITY", default_value = "should", value_parser = ["must", "should", "may"])]
    pub fail_on: String,
    /// Known findings: those the baseline FILE lists are reported as known and do not fail the
    /// run; entries whose finding is gone are reported as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the findings that fail this run to FILE as a baseline (reasons already in FILE or
    /// in --baseline are kept).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print CI annotations for failures and warnings: `github` (workflow commands).
    #[arg(long, value_name = "KIND", value_parser = ["github"])]
    pub annotations: Option<String>,
    /// Write every request and response of the run to FILE as HAR 1.2 (credentials replaced).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}

/// Where the outputs of a run go, besides the report.
struct Outputs {
    format: Format,
    output: Option<PathBuf>,
    gate: Gate,
    write_baseline: Option<PathBuf>,
    annotations: bool,
    har: Option<(PathBuf, Recorder)>,
}

fn profile_name(s: &str) -> Result<String, String> {
    if PROFILE_NAMES.contains(&s) || is_profile_path(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown profile {s:?}; one of {}, or a profile file's path (containing '/' or ending in .json)",
            PROFILE_NAMES.join(", ")
        ))
    }
}

fn client_name(s: &str) -> Result<String, String> {
    match IdpClient::from_name(s) {
        Some(c) => Ok(c.name().to_string()),
        None => Err(format!(
            "unknown client {s:?}; one of {}",
            IdpClient::ALL
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("scimock check: {msg}");
    2
}

/// Runs `scimock check`; returns the exit status (0 nothing fails the run, 1 a check fails it
/// (at or above --fail-on, not in the baseline), 2 could not run: bad arguments, an unreadable
/// baseline, unreachable target, credentials rejected by the first request or by every request
/// of the checks, interrupted, an output file that cannot be written).
pub fn run(a: CheckArgs) -> u8 {
    let (cfg, outputs) = match configure(&a) {
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
    rt.block_on(execute(cfg, outputs))
}

/// The run configuration and outputs the arguments ask for, or the exit status of a refusal
/// (already explained on stderr).
fn configure(a: &CheckArgs) -> Result<(Config, Outputs), u8> {
    let profile = Profile::load(a.profile.as_deref().unwrap_or(RFC_PROFILE)).map_err(fail)?;
    let client = a.client.as_deref().and_then(IdpClient::from_name);
    // Each option in its documented spelling, once (the report's `client` names them).
    let mut client_options: Vec<String> = Vec::new();
    if let Some(c) = client {
        for o in &a.client_options {
            let Some(known) = c.options().iter().find(|k| k.eq_ignore_ascii_case(o)) else {
                return Err(fail(format!(
                    "--client-option {o:?} is not an option of --client {}; its options: {}",
                    c.name(),
                    if c.options().is_empty() {
                        "none".to_string()
                    } else {
                        c.options().join(", ")
                    }
                )));
            };
            if !client_options.iter().any(|k| k == known) {
                client_options.push(known.to_string());
            }
        }
    }
    let format: Format = a.format.parse().map_err(fail)?;
    let fail_on: Severity = a.fail_on.parse().map_err(fail)?;
    let baseline = match &a.baseline {
        Some(path) => Some((
            path.display().to_string(),
            Baseline::read(path).map_err(|e| fail(format!("--baseline: {e}")))?,
        )),
        None => None,
    };
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
    cfg.client = client;
    cfg.client_options = client_options;
    let har = a.har.clone().map(|p| (p, Recorder::new()));
    cfg.recorder = har.as_ref().map(|(_, r)| r.clone());
    Ok((
        cfg,
        Outputs {
            format,
            output: a.output.clone(),
            gate: Gate { fail_on, baseline },
            write_baseline: a.write_baseline.clone(),
            annotations: a.annotations.is_some(),
            har,
        },
    ))
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

/// Runs the checks with the signal handler armed, writes the report and every other output,
/// and returns the exit status.
async fn execute(cfg: Config, out: Outputs) -> u8 {
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
    let (human, progress_on_stderr) = progress(out.format, out.output.as_ref());
    let mut human = human.map(|h| h.with_gate(out.gate.clone()));
    let mut sink = |e: &Event| {
        if let Some(h) = human.as_mut() {
            // On stderr the summary is noise next to the report on stdout: progress only.
            if !(progress_on_stderr && matches!(e, Event::RunFinished { .. })) {
                h.event(e);
            }
        }
    };
    let result = scimock_conformance::run(cfg, Some(signal), &mut sink).await;
    // The exchanges are worth having also when the run could not happen (a refused token).
    let har_status = write_har(&out);
    let mut report = match result {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    out.gate.apply(&mut report);
    let status = write_outputs(&out, &report);
    if status != 0 {
        return status;
    }
    if har_status != 0 {
        return har_status;
    }
    exit_status(&report)
}

/// Writes the HAR file, if asked; 2 when it cannot be written.
fn write_har(out: &Outputs) -> u8 {
    let Some((path, recorder)) = &out.har else {
        return 0;
    };
    match std::fs::write(path, har::render(&recorder.entries())) {
        Ok(()) => 0,
        Err(e) => fail(format!("--har {}: {e}", path.display())),
    }
}

/// Writes the report, the baseline, the job summary and the annotations; 2 when a file the
/// arguments name cannot be written.
fn write_outputs(out: &Outputs, report: &Report) -> u8 {
    let rendered = report::render(out.format, report);
    if let Some(path) = &out.output {
        if let Err(e) = std::fs::write(path, &rendered) {
            return fail(format!("--output {}: {e}", path.display()));
        }
    } else if out.format != Format::Human {
        let mut stdout = std::io::stdout();
        let _ = stdout.write_all(rendered.as_bytes());
        let _ = stdout.flush();
    }
    if let Some(path) = &out.write_baseline {
        // Reasons people wrote are kept: from --baseline, else from the file being replaced.
        let previous = out
            .gate
            .baseline
            .as_ref()
            .map(|(_, b)| b.clone())
            .or_else(|| Baseline::read(path).ok());
        let b = Baseline::from_report(report, previous.as_ref());
        if let Err(e) = std::fs::write(path, b.to_json()) {
            return fail(format!("--write-baseline {}: {e}", path.display()));
        }
    }
    append_step_summary(report);
    if out.annotations {
        let commands = report::github::annotations(report);
        // Workflow commands are read from both streams; stdout may carry the report.
        if out.format != Format::Human && out.output.is_none() {
            eprint!("{commands}");
        } else {
            crate::cli::emit(&commands);
            let _ = std::io::stdout().flush();
        }
    }
    0
}

/// Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when it is set (GitHub Actions).
/// A summary that cannot be written is a warning, not a reason to change the exit status.
fn append_step_summary(report: &Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = format!("{}\n", report::markdown::render(report));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "scimock check: warning: GITHUB_STEP_SUMMARY {}: {e}",
            std::path::Path::new(&path).display()
        );
    }
}

/// 2 when the credentials were rejected throughout or the run was interrupted, 1 when a check
/// fails the run (a finding at or above --fail-on that no baseline lists), else 0.
fn exit_status(report: &Report) -> u8 {
    if report.credentials_rejected {
        fail(
            "the target rejected the credentials: every request of the checks was answered HTTP 401/403 after the first request was accepted (token revoked, expired or lacking permissions?)",
        )
    } else if report.interrupted {
        2
    } else if report.failing > 0 {
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
