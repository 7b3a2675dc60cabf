//! End-to-end tests of the real `scimock check` binary against in-process mocks: exit statuses,
//! report formats and files, no credential in any output, and cleanup on SIGINT.

use crate::common::{json_report, output, scimock, text};
use scimock_profile::PROFILE_NAMES;
use scimock_server::{Break, FaultMatch, FaultRule, MockServer};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `scimock check` against `m` with its token, unpaced, for `profile`, plus `extra` arguments.
fn check(m: &MockServer, profile: &str, extra: &[&str]) -> Command {
    let base = m.base_url();
    let mut args = vec![
        "check",
        base.as_str(),
        "--profile",
        profile,
        "--token",
        m.token(),
        "--max-rps",
        "0",
    ];
    args.extend_from_slice(extra);
    scimock(&args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_passes_every_vendor_mock_with_writes_and_ends_with_the_summary_line() {
    for vendor in PROFILE_NAMES.iter().copied() {
        let m = MockServer::start(vendor).await.unwrap();
        let out = output(check(&m, vendor, &["--allow-writes"])).await;
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{vendor}:\n{stdout}\n{}",
            text(&out.stderr)
        );
        let last = stdout.lines().last().unwrap_or_default();
        let ok = last
            .split(", ")
            .map(|p| p.split(' ').nth(1))
            .collect::<Vec<_>>()
            == vec![Some("passed"), Some("failed"), Some("skipped")];
        assert!(
            ok && last.contains(" 0 failed"),
            "{vendor}: last line {last:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_status_is_1_on_a_failure_and_2_when_it_cannot_run() {
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::FilterIgnored, true);
    let out = output(check(&m, "generic", &[])).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Failures and warnings:") && stdout.contains("FAIL filter.eq"),
        "{stdout}"
    );
    m.clear_faults();
    let wrong = output(scimock(&[
        "check",
        &m.base_url(),
        "--profile",
        "generic",
        "--token",
        "wrong-token-abc",
    ]))
    .await;
    assert_eq!(wrong.status.code(), Some(2));
    assert!(text(&wrong.stderr).contains("rejected the credentials"));
    assert!(
        !text(&wrong.stderr).contains("wrong-token-abc")
            && !text(&wrong.stdout).contains("wrong-token-abc")
    );
    let down = output(scimock(&[
        "check",
        "http://127.0.0.1:1/scim/v2",
        "--profile",
        "generic",
        "--token",
        "t0ken",
    ]))
    .await;
    assert_eq!(down.status.code(), Some(2));
    assert!(text(&down.stderr).contains("cannot reach"));
    let bad = output(scimock(&["check", &m.base_url(), "--profile", "nobody"])).await;
    assert_eq!(bad.status.code(), Some(2));
    let bad_header = output(scimock(&[
        "check",
        &m.base_url(),
        "--profile",
        "generic",
        "--header",
        "no-colon-s3cret",
    ]))
    .await;
    assert_eq!(bad_header.status.code(), Some(2));
    assert!(!text(&bad_header.stderr).contains("s3cret"));
    // Credentials in the URL would reach the report's target, evidence and curl lines: refused.
    let with_userinfo = m.base_url().replacen("://", "://admin:pa55word@", 1);
    let journalled = m.requests().len();
    let userinfo = output(scimock(&[
        "check",
        &with_userinfo,
        "--profile",
        "generic",
        "--token",
        m.token(),
    ]))
    .await;
    assert_eq!(
        userinfo.status.code(),
        Some(2),
        "{}",
        text(&userinfo.stdout)
    );
    let (stdout, stderr) = (text(&userinfo.stdout), text(&userinfo.stderr));
    assert!(stderr.contains("user:password@"), "{stderr}");
    assert!(!stderr.contains("pa55word") && !stdout.contains("pa55word"));
    assert_eq!(m.requests().len(), journalled, "a request was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_status_is_2_when_every_request_of_the_checks_is_refused() {
    let m = MockServer::start("generic").await.unwrap();
    // The first request (GET /Users) is accepted; every request after it is answered 401.
    m.inject(FaultRule {
        latency_ms: Some(1),
        times: Some(1),
        matcher: FaultMatch {
            method: Some("GET".into()),
            path_suffix: Some("/Users".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    });
    m.inject(FaultRule {
        status: Some(401),
        ..FaultRule::default()
    });
    let out = output(check(&m, "generic", &["--format", "json"])).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("rejected the credentials"), "{stderr}");
    // The report is still written, and says why.
    let v: Value = json_report(&stdout);
    assert_eq!(v["credentials_rejected"], true);
    // Refusals of some requests are findings: exit status 1.
    m.clear_faults();
    m.set_break(Break::FilterIgnored, true);
    let out = output(check(&m, "generic", &["--format", "json"])).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: Value = json_report(&text(&out.stdout));
    assert_eq!(v["credentials_rejected"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_go_to_stdout_or_to_a_file_and_never_carry_the_token() {
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::CreateNoLocation, true);
    let dir = std::env::temp_dir().join(format!("scimock-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = m.token().to_string();
    for format in ["json", "junit", "markdown", "human"] {
        // Report on stdout, token from the environment.
        let mut c = scimock(&[
            "check",
            &m.base_url(),
            "--profile",
            "generic",
            "--allow-writes",
            "--max-rps",
            "0",
            "--format",
            format,
        ]);
        c.env("SCIM_TOKEN", &token);
        let out = output(c).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        // Report in a file, human progress on stdout.
        let file = dir.join(format!("report.{format}"));
        let out2 = output(scimock(&[
            "check",
            &m.base_url(),
            "--profile",
            "generic",
            "--token",
            &token,
            "--allow-writes",
            "--max-rps",
            "0",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]))
        .await;
        let written = std::fs::read_to_string(&file).unwrap();
        let progress = text(&out2.stdout);
        assert!(
            progress
                .lines()
                .last()
                .unwrap_or_default()
                .ends_with("skipped"),
            "{progress}"
        );
        for s in [
            &stdout,
            &text(&out.stderr),
            &written,
            &progress,
            &text(&out2.stderr),
        ] {
            assert!(!s.contains(&token), "{format}: the token leaked");
        }
        match format {
            "json" => {
                for s in [&stdout, &written] {
                    let v: Value = json_report(s);
                    assert_eq!(v["report_version"], 1);
                    assert_eq!(v["tool"], "scimock");
                    // A profile run names no identity provider.
                    assert!(v.get("client").is_none(), "{}", v["client"]);
                    assert!(v["summary"]["failed"].as_u64().unwrap() >= 1);
                    let create = v["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|c| c["id"] == "writes.create")
                        .unwrap();
                    assert_eq!(create["status"], "fail");
                    assert!(
                        create["evidence"][0]["curl"]
                            .as_str()
                            .unwrap()
                            .contains("$SCIM_TOKEN")
                    );
                    let started = v["started_at"].as_str().unwrap();
                    assert!(
                        started.len() >= 20
                            && started.as_bytes()[10] == b'T'
                            && started.ends_with('Z'),
                        "{started}"
                    );
                }
            }
            "junit" => {
                assert!(
                    stdout.starts_with("<?xml")
                        && stdout.contains("<testcase name=\"writes.create\" classname=\"writes\""),
                    "{stdout}"
                );
                assert!(stdout.contains("<failure"));
            }
            "markdown" => {
                assert!(stdout.contains("| Status | Check |") && stdout.contains("❌ fail"))
            }
            _ => assert!(stdout.contains("FAIL writes.create")),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_during_a_slow_request_still_removes_the_created_user() {
    interrupted_run_cleans_up("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_slow_request_still_removes_the_created_user() {
    interrupted_run_cleans_up("-TERM").await;
}

/// The userNames of the tenant's users that the run did not create.
fn fixture_user_names(m: &MockServer) -> Vec<String> {
    let mut names: Vec<String> = m
        .tenant("generic")
        .unwrap()
        .read()
        .users
        .iter()
        .filter_map(|u| u.str_attr("userName"))
        .filter(|n| !n.starts_with("scimock-check-"))
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

async fn interrupted_run_cleans_up(signal: &str) {
    let m = MockServer::start("generic").await.unwrap();
    // A target that ignores `filter`: cleanup's userName lookup answers every user, and only the
    // run's own may be removed.
    m.set_break(Break::FilterIgnored, true);
    let fixtures = fixture_user_names(&m);
    assert!(!fixtures.is_empty());
    // The PUT of writes.replace hangs for 30 s: the run is interrupted there, after the create.
    m.inject(FaultRule {
        latency_ms: Some(30_000),
        times: Some(1),
        matcher: FaultMatch {
            method: Some("PUT".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    });
    let mut c = check(&m, "generic", &["--allow-writes"]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    let pid = child.id().to_string();
    let t0 = Instant::now();
    while !m
        .requests()
        .iter()
        .any(|e| e.method == "POST" && e.status == 201)
    {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the run never created its user"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        t0.elapsed() < Duration::from_secs(20),
        "{signal} did not stop the run promptly"
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("interrupted") && stdout.contains("cleanup: removed 1 user"),
        "{stdout}"
    );
    let tenant = m.tenant("generic").unwrap();
    let left: Vec<String> = tenant
        .read()
        .users
        .iter()
        .filter_map(|u| u.str_attr("userName").map(str::to_string))
        .filter(|n| n.starts_with("scimock-check-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        fixture_user_names(&m),
        fixtures,
        "cleanup removed users that were not its own"
    );
    assert!(
        m.requests()
            .iter()
            .any(|e| e.method == "DELETE" && e.status == 204)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ci_traps_exit_2_with_one_line_before_any_check_runs() {
    let m = MockServer::start("generic").await.unwrap();
    let dir = std::env::temp_dir().join(format!("scimock-ci-traps-{}", std::process::id()));
    let missing = dir.join("no-such-dir").join("report.xml");
    let missing = missing.to_string_lossy().into_owned();
    let root = format!("http://{}", m.addr());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--only", "nomatch*"], "no check to run"),
        (vec!["--format", "junit", "--output", &missing], "--output"),
        (
            vec!["--account", "62f44730-dd91-461e-bd6a-aedd9e0ad79d"],
            "unified profile",
        ),
    ];
    for (extra, says) in cases {
        m.clear_requests();
        let out = output(check(&m, "generic", &extra)).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
        assert!(m.requests().is_empty(), "{extra:?}: a request was sent");
    }
    // The server root instead of the SCIM base: one line, with where the base probably is.
    let out = output(scimock(&[
        "check",
        &root,
        "--profile",
        "generic",
        "--token",
        m.token(),
        "--max-rps",
        "0",
    ]))
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a SCIM endpoint") && stderr.contains(&format!("{root}/scim/v2")),
        "{stderr}"
    );
    // An unknown integrated account on the unified facade.
    let t = MockServer::start("truto").await.unwrap();
    let out = output(check(&t, "truto", &["--account", "nope"])).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no such integrated account: nope"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_runs_replace_the_profile_checks_and_refuse_unknown_options() {
    let m = MockServer::start("generic").await.unwrap();
    let base = m.base_url();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            base.as_str(),
            "--token",
            m.token(),
            "--max-rps",
            "0",
        ];
        args.extend_from_slice(extra);
        scimock(&args)
    };
    // --profile is optional with --client; the report lists only the client's checks.
    let out = output(run(&[
        "--client",
        "okta",
        "--allow-writes",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = json_report(&text(&out.stdout));
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.len() >= 8 && ids.iter().all(|i| i.starts_with("okta.")),
        "{ids:?}"
    );
    assert_eq!(report["client"], "okta");
    // The report names the client with its options in their documented spelling, once.
    let out = output(run(&[
        "--client",
        "entra",
        "--client-option",
        "aadoptscim062020",
        "--client-option",
        "aadOptscim062020",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = json_report(&text(&out.stdout));
    assert_eq!(report["client"], "entra aadOptscim062020");
    // The RFC-strict generic mock refuses Entra's default "False": exit 1, the request quoted.
    let out = output(run(&["--client", "entra", "--allow-writes"])).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(r#""value":"False""#));
    // The terminal report's first line names the client, not a profile.
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.contains(" --client entra: ") && !first.contains("--profile"),
        "{first}"
    );
    for bad in [
        vec!["--client", "okta", "--client-option", "aadOptscim062020"],
        vec!["--client", "onelogin"],
        vec![
            "--client-option",
            "aadOptscim062020",
            "--profile",
            "generic",
        ],
        vec![],
    ] {
        let out = output(run(&bad)).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
    }
}
