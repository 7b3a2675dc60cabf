//! Command-line definitions and dispatch to the libraries.

use clap::{Args, Parser, Subcommand};
use scimock_profile::{PROFILE_NAMES, Profile, is_profile_path, parse_override};
use scimock_server::{ServeConfig, VendorChoice};
use std::net::SocketAddr;
use std::path::PathBuf;

/// A mock SCIM 2.0 provider with vendor profiles, and a SCIM conformance runner.
#[derive(Debug, Parser)]
#[command(name = "scimock", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a fake SCIM provider (generic RFC 7644 or a vendor profile).
    Serve(ServeArgs),
    /// Parse, explain or validate a SCIM filter, optionally against a vendor's rules.
    Filter(crate::filter::FilterArgs),
    /// List the vendor profiles and what each one bends.
    Vendors(VendorsArgs),
    /// Check a SCIM service provider (a live tenant or a mock) against RFC 7644 and a vendor profile.
    Check(crate::check::CheckArgs),
    /// Compare two JSON reports of `scimock check`: regressions, fixes, new and removed checks.
    Diff(DiffArgs),
    /// Write, inspect and describe profile files (custom vendors).
    Profile(crate::profile::ProfileArgs),
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The earlier JSON report (`scimock check --format json`).
    old: PathBuf,
    /// The later JSON report.
    new: PathBuf,
    /// Output format: human or markdown.
    #[arg(long, default_value = "human", value_parser = ["human", "markdown"])]
    format: String,
    /// Compare reports of different targets or profiles anyway (with a note) instead of refusing.
    #[arg(long)]
    ignore_identity: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Profile to serve: a built-in's name, a profile file's path (`./acme.json`), or `all` to
    /// mount every built-in under /{vendor}.
    #[arg(long, default_value = "generic", value_parser = vendor_choice)]
    vendor: String,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = listen_addr)]
    listen: SocketAddr,
    /// The accepted bearer token [default: scimock-token].
    #[arg(long)]
    token: Option<String>,
    /// Generate N deterministic users in addition to the fixtures.
    #[arg(long)]
    users: Option<usize>,
    /// Load fixtures from FILE instead of the vendor's built-in ones.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Require this token for the admin API under /_scimock/.
    #[arg(long)]
    admin_token: Option<String>,
    /// Add this much latency to every SCIM request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer this fraction of SCIM requests with an injected 500 (0.0-1.0).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Seed for generated users and --fail-rate.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Enforce each vendor's documented rate limits (429 in the vendor's format).
    #[arg(long)]
    rate_limits: bool,
    /// Persist state to FILE (mode 0600: it holds passwords as clients sent them): loaded at
    /// start, refused if written for another --vendor mount, written on shutdown and
    /// POST /_scimock/snapshot.
    #[arg(long)]
    state: Option<PathBuf>,
    /// On SIGTERM/SIGINT, let open requests finish for at most SECS, then drop the remaining
    /// connections; the --state file is saved either way.
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = seconds)]
    shutdown_timeout: f64,
    /// Keep at most about BYTES of requests in the journal (GET /_scimock/requests; the oldest
    /// go first; also at most 10,000 requests).
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    journal_bytes: usize,
    /// Print one line per request on stderr: time, profile, method, path and query, status,
    /// duration (coloured on a terminal unless NO_COLOR is set).
    #[arg(long)]
    log_requests: bool,
    /// Serve at most N connections at once; one more is answered 503 with Retry-After and closed.
    #[arg(long, value_name = "N", default_value_t = scimock_server::app::DEFAULT_MAX_CONNECTIONS as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Override a profile field (a switch), e.g. --set errors.format=scim --set list.max_count=200;
    /// prefix a profile name to aim at one of several mounted together (--set attio.list.max_count=50).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Print the mounted profiles, ids and token hints to stdout after the listening line.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Debug, Args)]
struct VendorsArgs {
    /// Show one profile (a built-in's name or a profile file's path) in detail, with sources.
    name: Option<String>,
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

fn vendor_choice(s: &str) -> Result<String, String> {
    if s == "all" || PROFILE_NAMES.contains(&s) || is_profile_path(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown vendor {s:?}; one of {}, all, or a profile file's path (containing '/' or ending in .json)",
            PROFILE_NAMES.join(", ")
        ))
    }
}

/// `--listen`: an IP socket address, or `localhost:PORT` (127.0.0.1; the mock never binds a
/// name that could resolve elsewhere).
fn listen_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse() {
        return Ok(a);
    }
    match s.strip_prefix("localhost:").map(str::parse::<u16>) {
        Some(Ok(port)) => Ok(SocketAddr::from(([127, 0, 0, 1], port))),
        _ => Err(format!(
            "{s:?} is not an address: use IP:PORT (127.0.0.1:8080, [::1]:8080) or localhost:PORT"
        )),
    }
}

/// Parses the command line; the help texts name the built-in profiles of this build (the
/// registry is data, so the list is filled in here rather than written in a doc comment).
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let names = PROFILE_NAMES.join(", ");
    let cmd = Cli::command()
        .mut_subcommand("serve", |s| {
            s.mut_arg("vendor", |a| {
                a.help(format!(
                    "Profile to serve: {names}; `all` mounts every built-in under /{{vendor}}; \
                     or a profile file's path (./acme.json)"
                ))
            })
        })
        .mut_subcommand("check", |s| {
            s.mut_arg("profile", |a| {
                a.help(format!(
                    "What the target is expected to do: {names}, or a profile file's path (./acme.json)"
                ))
            })
        });
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Runs the command; returns the process exit status.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Serve(a) => serve(a),
        Command::Filter(a) => crate::filter::run(a),
        Command::Vendors(a) => vendors(a),
        Command::Check(a) => crate::check::run(a),
        Command::Diff(a) => diff(a),
        Command::Profile(a) => crate::profile::run(a),
    }
}

/// `scimock diff`: 1 on regressions, 0 otherwise, 2 when a report cannot be read or the two are
/// not for the same target and profile.
fn diff(a: DiffArgs) -> u8 {
    use scimock_conformance::diff;
    let (old, new) = match (diff::read_report(&a.old), diff::read_report(&a.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return fail(format_args!("diff: {e}")),
    };
    if let Some(why) = diff::mismatch(&old, &new) {
        if !a.ignore_identity {
            return fail(format_args!("diff: {why}"));
        }
    }
    let d = diff::diff(&old, &new);
    let text = match a.format.as_str() {
        "markdown" => diff::render_markdown(&d),
        _ => diff::render_human(&d),
    };
    match emit(&text) {
        0 => u8::from(d.has_regressions()),
        failed => failed,
    }
}

/// Writes `text` to stdout; a reader that stopped early (`scimock vendors | head`) is not an
/// error (no panic, status 0); any other write error is exit status 2.
pub(crate) fn emit(text: &str) -> u8 {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => fail(e),
    }
}

/// Prints `scimock: MSG` to stderr; the exit status of a command that could not run.
pub(crate) fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("scimock: {msg}");
    2
}

/// The token accepted when `--token` is not given.
const DEFAULT_TOKEN: &str = "scimock-token";

fn serve(a: ServeArgs) -> u8 {
    // An unset "$VAR" expands to '': an empty secret would accept an empty header.
    if a.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return fail("--token is empty; pass a secret (an unset shell variable expands to '')");
    }
    if a.admin_token
        .as_deref()
        .is_some_and(|t| t.trim().is_empty())
    {
        return fail(
            "--admin-token is empty; pass a secret (an unset shell variable expands to '')",
        );
    }
    let default_secret = |t: &Option<String>| t.as_deref().is_none_or(|t| t == DEFAULT_TOKEN);
    if !a.listen.ip().is_loopback() && default_secret(&a.token) {
        return fail(format!(
            "refusing to listen on {} (not loopback) with the default token; pass --token with a secret of your own",
            a.listen
        ));
    }
    if !a.listen.ip().is_loopback() && default_secret(&a.admin_token) {
        return fail(format!(
            "refusing to listen on {} (not loopback) with the admin API open; pass --admin-token with a secret of your own",
            a.listen
        ));
    }
    if a.admin_token.is_some() && a.admin_token == a.token {
        return fail(
            "--admin-token must differ from --token: the SCIM token never opens the admin API",
        );
    }
    if !(0.0..=1.0).contains(&a.fail_rate) {
        return fail("--fail-rate must be between 0 and 1");
    }
    let fixtures = match &a.fixtures {
        Some(path) => match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(v) => Some(v),
            Err(e) => return fail(format!("--fixtures {}: {e}", path.display())),
        },
        None => None,
    };
    let mut overrides = Vec::new();
    for s in &a.set {
        match parse_override(s) {
            Ok(o) => overrides.push(o),
            Err(e) => return fail(e),
        }
    }
    // A profile file is read and checked before the port is bound.
    if is_profile_path(&a.vendor) {
        if let Err(e) = Profile::load(&a.vendor) {
            return fail(e);
        }
    }
    let cfg = ServeConfig {
        vendor: if a.vendor == "all" {
            VendorChoice::All
        } else {
            VendorChoice::One(a.vendor.clone())
        },
        listen: a.listen,
        token: a.token.clone().unwrap_or_else(|| DEFAULT_TOKEN.into()),
        admin_token: a.admin_token.clone(),
        users: a.users,
        seed: a.seed,
        fixtures,
        latency_ms: a.latency_ms,
        fail_rate: a.fail_rate,
        rate_limits: a.rate_limits,
        overrides,
        state_file: a.state.clone(),
        journal_bytes: a.journal_bytes,
        log_requests: a.log_requests,
        max_connections: a.max_connections as usize,
        timeouts: scimock_server::timeouts::Timeouts {
            shutdown: std::time::Duration::from_secs_f64(a.shutdown_timeout),
            ..Default::default()
        },
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    rt.block_on(async move {
        let bound = match scimock_server::serve::bind(&cfg).await {
            Ok(b) => b,
            Err(e) => return fail(e),
        };
        println!("listening on http://{}", bound.addr);
        for w in &bound.app.warnings {
            eprintln!("scimock: warning: {w}");
        }
        let token_note = if a.token.is_some() {
            "the --token value".to_string()
        } else {
            format!("{:?}", cfg.token)
        };
        let mut notes = Vec::new();
        for t in &bound.app.tenants {
            notes.push(format!(
                "{:<10} {}  ({}: {})",
                t.profile.name, t.base_url, t.profile.auth.token_name, token_note
            ));
            for (k, v) in &t.profile.path_params {
                notes.push(format!("{:<10}   {k} = {v}", ""));
            }
            for (id, b) in &t.backends {
                notes.push(format!(
                    "{:<10}   integrated_account_id {id} -> {}",
                    "", b.profile.name
                ));
            }
        }
        notes.push(format!("admin      {}/_scimock/info", bound.app.origin));
        for n in &notes {
            if a.verbose {
                println!("{n}");
            } else {
                eprintln!("{n}");
            }
        }
        let app = bound.app.clone();
        match bound.run(scimock_server::serve::shutdown_signal()).await {
            Ok(()) => {
                for line in app.shared.violations.summary() {
                    eprintln!("{line}");
                }
                if let Some(file) = &app.state_file {
                    let (users, groups) = app.all_tenants().iter().fold((0, 0), |(u, g), t| {
                        let s = t.read();
                        (u + s.users.len(), g + s.groups.len())
                    });
                    let plural = |n: usize, what: &str| {
                        format!("{n} {what}{}", if n == 1 { "" } else { "s" })
                    };
                    eprintln!(
                        "scimock: state saved to {} ({}, {})",
                        file.display(),
                        plural(users, "user"),
                        plural(groups, "group")
                    );
                }
                0
            }
            Err(e) => fail(e),
        }
    })
}

fn vendors(a: VendorsArgs) -> u8 {
    use std::fmt::Write as _;
    let mut out = String::new();
    // One line of the listing (writing to a String cannot fail).
    macro_rules! o {
        () => { let _ = writeln!(out); };
        ($($t:tt)*) => { let _ = writeln!(out, $($t)*); };
    }
    match a.name {
        None => {
            for name in PROFILE_NAMES {
                let p = match Profile::builtin(name) {
                    Ok(p) => p,
                    Err(e) => return fail(e),
                };
                o!("{:<10} {}  {}", p.name, p.base_path, p.summary);
                for q in &p.quirks {
                    o!("{:<12}- {}", "", q.summary);
                }
                o!();
            }
            emit(&out)
        }
        Some(name) => {
            let p = match Profile::load(&name) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            o!("{} ({})", p.title, p.name);
            o!("{}", p.summary);
            o!();
            o!("base path     {}", p.base_path);
            o!("vendor URL    {}", p.vendor_base_url);
            for (k, v) in &p.path_params {
                o!("mock {k:<9} {v}");
            }
            o!("auth          Bearer {}", p.auth.token_name);
            o!(
                "errors        {:?} ({})",
                p.errors.format,
                p.errors.content_type
            );
            o!();
            o!(
                "quirks (source tags: S-00x seed document, D: vendor doc, 3P: third party, I: inference; see docs/vendors.md):"
            );
            for q in &p.quirks {
                o!("  {:<40} {}", q.id, q.summary);
                o!("  {:<40} source: {}", "", q.source);
                if !q.switches.is_empty() {
                    o!(
                        "  {:<40} switch: {}",
                        "",
                        q.switches
                            .iter()
                            .map(|s| format!("--set {s}=..."))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            emit(&out)
        }
    }
}
