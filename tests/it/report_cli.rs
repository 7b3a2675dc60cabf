//! End-to-end tests of the CI side of `scimock check` and of `scimock diff`, through the real
//! binary against in-process mocks: `--fail-on`, baselines (`--write-baseline`, `--baseline`)
//! in every format, `scimock diff` and its exit statuses, `GITHUB_STEP_SUMMARY` and
//! `--annotations github`, `--format html` and `--har`.

use crate::common::{json_report, output, scimock, text};
use scimock_server::{Break, MockServer};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("scimock-report-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `scimock check` against `m` (generic profile, its token, unpaced) with `extra` arguments.
async fn check(m: &MockServer, extra: &[&str]) -> Output {
    check_env(m, extra, &[]).await
}

/// The same with environment variables.
async fn check_env(m: &MockServer, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let base = m.base_url();
    let mut args = vec![
        "check",
        base.as_str(),
        "--profile",
        "generic",
        "--token",
        m.token(),
        "--max-rps",
        "0",
    ];
    args.extend_from_slice(extra);
    let mut c = scimock(&args);
    for (k, v) in env {
        c.env(k, v);
    }
    output(c).await
}

/// The check `id` of a JSON report.
fn check_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_sets_the_lowest_severity_that_fails_the_run() {
    let m = MockServer::start("generic").await.unwrap();
    // resource.meta is a `should` check, and meta.location-missing fails nothing else
    // (discovery.spc-lies now fails the `must` list.pagination.cap too: it advertises
    // filter.maxResults 1 and the cap check holds the target to what it advertises).
    m.set_break(Break::MetaLocationMissing, true);
    let default = check(&m, &["--format", "json"]).await;
    assert_eq!(default.status.code(), Some(1), "{}", text(&default.stderr));
    let v = json_report(&text(&default.stdout));
    assert_eq!(v["fail_on"], "should");
    assert_eq!(v["failing"], 1);
    let must = check(&m, &["--format", "json", "--fail-on", "must"]).await;
    assert_eq!(must.status.code(), Some(0), "{}", text(&must.stderr));
    let v = json_report(&text(&must.stdout));
    assert_eq!(
        (v["fail_on"].as_str(), v["failing"].as_u64()),
        (Some("must"), Some(0))
    );
    let meta = check_of(&v, "resource.meta");
    assert_eq!(meta["status"], "fail", "the failure is still reported");
    // The human report says why it does not fail the run.
    let human = check(&m, &["--fail-on", "must"]).await;
    let stdout = text(&human.stdout);
    assert_eq!(human.status.code(), Some(0));
    assert!(
        stdout.contains("should failure below --fail-on must: does not fail the run")
            && stdout.contains("0 check(s) fail the run at --fail-on must"),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().ends_with("skipped"));
    // A `must` failure fails it at every threshold.
    m.set_break(Break::FilterIgnored, true);
    for level in ["must", "should", "may"] {
        let out = check(&m, &["--fail-on", level]).await;
        assert_eq!(out.status.code(), Some(1), "--fail-on {level}");
    }
    let bad = check(&m, &["--fail-on", "never"]).await;
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_reports_known_findings_without_failing_and_new_and_fixed_ones() {
    let dir = scratch("baseline");
    let baseline = dir.join("baseline.json");
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::FilterIgnored, true);
    m.set_break(Break::DiscoverySpcLies, true);
    // Recording the baseline: the run still fails.
    let first = check(
        &m,
        &["--format", "json", "--write-baseline", path(&baseline)],
    )
    .await;
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let report = json_report(&text(&first.stdout));
    let mut b: Value = serde_json::from_str(&read(&baseline)).unwrap();
    assert_eq!(b["baseline_version"], 1);
    let entries = b["entries"].as_array().unwrap().clone();
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(entries.len(), failed.len());
    for (e, c) in entries.iter().zip(&failed) {
        assert_eq!(e["check"], c["id"]);
        assert_eq!(e["fingerprint"], c["fingerprint"]);
        assert_eq!(e["reason"], "");
    }
    let eq = entries
        .iter()
        .position(|e| e["check"] == "filter.eq")
        .unwrap();
    b["entries"][eq]["reason"] = "the vendor ignores filters (ticket 42)".into();
    std::fs::write(&baseline, serde_json::to_string_pretty(&b).unwrap()).unwrap();

    // The same findings again: known, not failing, in every format.
    let known = check(&m, &["--format", "json", "--baseline", path(&baseline)]).await;
    assert_eq!(known.status.code(), Some(0), "{}", text(&known.stderr));
    let v = json_report(&text(&known.stdout));
    assert_eq!(v["failing"], 0);
    assert_eq!(check_of(&v, "filter.eq")["status"], "fail");
    assert_eq!(check_of(&v, "filter.eq")["baseline"], "known");
    assert_eq!(v["baseline"]["known"], entries.len());
    assert_eq!(
        (
            v["baseline"]["new"].as_u64(),
            v["baseline"]["fixed"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        v["summary"]["failed"],
        entries.len(),
        "the summary still counts failures"
    );
    let human = check(&m, &["--baseline", path(&baseline)]).await;
    let stdout = text(&human.stdout);
    assert_eq!(human.status.code(), Some(0));
    assert!(stdout.contains("[known] "), "{stdout}");
    assert!(
        stdout.contains("(known (baseline): the vendor ignores filters (ticket 42))"),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().ends_with("skipped"),
        "{stdout}"
    );
    let junit = check(&m, &["--format", "junit", "--baseline", path(&baseline)]).await;
    let xml = text(&junit.stdout);
    assert!(
        !xml.contains("<failure"),
        "known findings are no JUnit failures:\n{xml}"
    );
    assert!(
        xml.contains(
            "<skipped message=\"known (baseline): the vendor ignores filters (ticket 42): "
        )
    );
    let md = check(&m, &["--format", "markdown", "--baseline", path(&baseline)]).await;
    let md = text(&md.stdout);
    assert!(
        md.contains("| 🔕 known | `filter.eq`") && md.contains("**Gate**: 0 check(s) fail the run"),
        "{md}"
    );
    let html = check(&m, &["--format", "html", "--baseline", path(&baseline)]).await;
    let html = text(&html.stdout);
    assert!(
        html.contains(
            "<span class=\"badge known\">KNOWN</span> <code class=\"id\">filter.eq</code>"
        )
    );
    assert!(
        html.contains("<b id=\"n-known\">")
            && html.contains("the vendor ignores filters (ticket 42)")
    );

    // A new finding fails; a finding that is gone is reported as fixed.
    m.set_break(Break::DiscoverySpcLies, false);
    m.set_break(Break::ErrorStatusInteger, true);
    let next = check(&m, &["--format", "json", "--baseline", path(&baseline)]).await;
    assert_eq!(next.status.code(), Some(1), "{}", text(&next.stderr));
    let v = json_report(&text(&next.stdout));
    assert_eq!(check_of(&v, "errors.status")["baseline"], "new");
    assert_eq!(v["failing"], 1);
    let fixed: Vec<&Value> = v["baseline"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "fixed")
        .collect();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["check"], "discovery.spc-consistent");
    let human = check(&m, &["--baseline", path(&baseline)]).await;
    let stdout = text(&human.stdout);
    assert!(
        stdout.contains("baseline: discovery.spc-consistent ")
            && stdout.contains(" fixed: remove it from "),
        "{stdout}"
    );
    let md = text(
        &check(&m, &["--format", "markdown", "--baseline", path(&baseline)])
            .await
            .stdout,
    );
    assert!(
        md.contains("**Baseline entries whose finding is gone**")
            && md.contains("| ❌ fail | `errors.status`")
    );
    let junit = text(
        &check(&m, &["--format", "junit", "--baseline", path(&baseline)])
            .await
            .stdout,
    );
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");

    // Rewriting the baseline keeps the reasons people wrote.
    let rewritten = dir.join("rewritten.json");
    check(
        &m,
        &[
            "--baseline",
            path(&baseline),
            "--write-baseline",
            path(&rewritten),
        ],
    )
    .await;
    let r: Value = serde_json::from_str(&read(&rewritten)).unwrap();
    let eq = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["check"] == "filter.eq")
        .unwrap();
    assert_eq!(eq["reason"], "the vendor ignores filters (ticket 42)");

    // A baseline that cannot be read stops the run before any request.
    m.clear_requests();
    for bad in [dir.join("missing.json"), dir.join("not-a-baseline.json")] {
        std::fs::write(dir.join("not-a-baseline.json"), "{\"checks\": []}").unwrap();
        let out = check(&m, &["--baseline", path(&bad)]).await;
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("--baseline"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(m.requests().is_empty(), "a request was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_reports_regressions_and_fixes_and_refuses_reports_of_other_targets() {
    let dir = scratch("diff");
    let (old, new, other) = (
        dir.join("old.json"),
        dir.join("new.json"),
        dir.join("other.json"),
    );
    let m = MockServer::start("generic").await.unwrap();
    let clean = check(&m, &["--format", "json", "--output", path(&old)]).await;
    assert_eq!(clean.status.code(), Some(0));
    m.set_break(Break::FilterIgnored, true);
    check(&m, &["--format", "json", "--output", path(&new)]).await;
    for p in [&old, &new] {
        let v = json_report(&read(p));
        assert!(
            v["identity"]["profile_digest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert!(
            v["identity"]["service_provider_config_sha256"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
    }

    let worse = output(scimock(&["diff", path(&old), path(&new)])).await;
    let stdout = text(&worse.stdout);
    assert_eq!(
        worse.status.code(),
        Some(1),
        "{stdout}{}",
        text(&worse.stderr)
    );
    assert!(
        stdout.contains("Regressions (") && stdout.contains("pass -> fail"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("filter.eq ")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .contains(" regressions, 0 fixes"),
        "{stdout}"
    );
    let better = output(scimock(&[
        "diff",
        path(&new),
        path(&old),
        "--format",
        "markdown",
    ]))
    .await;
    let md = text(&better.stdout);
    assert_eq!(better.status.code(), Some(0), "{md}");
    assert!(
        md.starts_with("### scimock diff · 0 regressions") && md.contains("#### ✅ Fixes ("),
        "{md}"
    );
    let same = output(scimock(&["diff", path(&old), path(&old)])).await;
    assert_eq!(same.status.code(), Some(0));

    // Unreadable input: 2, naming the file.
    std::fs::write(dir.join("junk.json"), "<testsuites/>").unwrap();
    for bad in ["missing.json", "junk.json"] {
        let out = output(scimock(&["diff", path(&old), path(&dir.join(bad))])).await;
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains(bad), "{}", text(&out.stderr));
    }
    // Another target and profile: refused, unless asked.
    let attio = MockServer::start("attio").await.unwrap();
    let base = attio.base_url();
    let run = output(scimock(&[
        "check",
        &base,
        "--profile",
        "attio",
        "--token",
        attio.token(),
        "--max-rps",
        "0",
        "--format",
        "json",
        "--output",
        path(&other),
    ]))
    .await;
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let refused = output(scimock(&["diff", path(&old), path(&other)])).await;
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("profiles differ") && stderr.contains("--ignore-identity"),
        "{stderr}"
    );
    let anyway = output(scimock(&[
        "diff",
        path(&old),
        path(&other),
        "--ignore-identity",
    ]))
    .await;
    assert!(matches!(anyway.status.code(), Some(0 | 1)));
    assert!(text(&anyway.stdout).contains("note: compared anyway: profiles differ"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_gets_a_step_summary_and_workflow_commands_and_nothing_else_does() {
    let dir = scratch("github");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::FilterIgnored, true);
    let env = [("GITHUB_STEP_SUMMARY", path(&summary))];
    // The report on stdout: the commands go to stderr (the runner reads both streams).
    let out = check_env(&m, &["--format", "json", "--annotations", "github"], &env).await;
    assert_eq!(out.status.code(), Some(1));
    json_report(&text(&out.stdout));
    let stderr = text(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("::error title=scimock filter.eq (must%2C fail)::"))
        .unwrap_or_else(|| panic!("no ::error for filter.eq in\n{stderr}"));
    assert!(!line.contains('\r') && line.contains("%0A"), "{line}");
    assert!(!stderr.contains(m.token()));
    let md = read(&summary);
    assert!(
        md.starts_with("earlier step\n### scimock check · `generic`"),
        "{md}"
    );
    assert!(md.contains("| ❌ fail | `filter.eq`"));
    // Appended, never replaced; human progress on stdout, commands there too.
    let out = check_env(&m, &["--annotations", "github"], &env).await;
    assert_eq!(read(&summary).matches("### scimock check").count(), 2);
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error title=scimock filter.eq")),
        "{stdout}"
    );
    // Without the flag and the variable, nothing GitHub-specific.
    let plain = check(&m, &[]).await;
    assert!(!text(&plain.stdout).contains("::") && !text(&plain.stderr).contains("::"));
    let bad = check(&m, &["--annotations", "gitlab"]).await;
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_is_one_self_contained_page() {
    let dir = scratch("html");
    let file = dir.join("report.html");
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::FilterIgnored, true);
    let out = check(
        &m,
        &[
            "--format",
            "html",
            "--output",
            path(&file),
            "--allow-writes",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let html = read(&file);
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for needle in ["src=", "href=\"http", "<link", "@import", "url("] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(!html.contains(m.token()), "the token leaked");
    assert!(html.contains("<b id=\"n-failed\">") && html.contains("<svg class=\"bar\""));
    // Failures first.
    let eq = html.find("id=\"check-filter.eq\"").unwrap();
    let first_pass = html.find("data-filter=\"pass\"").unwrap();
    assert!(eq < first_pass);
    // On stdout without --output.
    let stdout = check(&m, &["--format", "html"]).await;
    assert!(text(&stdout.stdout).starts_with("<!DOCTYPE html>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_har_holds_every_exchange_without_a_credential() {
    let dir = scratch("har");
    let har = dir.join("run.har");
    let m = MockServer::start("generic").await.unwrap();
    m.set_break(Break::CreateNoLocation, true);
    m.clear_requests();
    let key = "k3y-of-the-tenant";
    let out = check(
        &m,
        &[
            "--allow-writes",
            "--header",
            &format!("X-Api-Key: {key}"),
            "--har",
            path(&har),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let raw = read(&har);
    assert!(
        !raw.contains(m.token()) && !raw.contains(key),
        "a credential leaked"
    );
    let v: Value = serde_json::from_str(&raw).unwrap();
    let log = &v["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "scimock");
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        m.requests().len(),
        "one entry per request the mock saw"
    );
    let pages: Vec<&str> = log["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for p in ["preflight", "filter.eq", "writes.create", "cleanup"] {
        assert!(pages.contains(&p), "{p} in {pages:?}");
    }
    let header = |e: &Value, name: &str| -> Option<String> {
        e["request"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|h| h["value"].as_str().unwrap().to_string())
    };
    for e in entries {
        for k in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(e.get(k).is_some(), "{k}");
        }
        assert!(e["response"]["status"].as_u64().unwrap() >= 100);
        if let Some(a) = header(e, "authorization") {
            assert!(
                a == "Bearer $SCIM_TOKEN" || a == "Bearer scimock-check-wrong-token",
                "{a}"
            );
        }
    }
    let create = entries
        .iter()
        .find(|e| e["request"]["method"] == "POST" && e["pageref"] == "writes.create")
        .expect("the create is recorded");
    assert!(
        create["request"]["postData"]["text"]
            .as_str()
            .unwrap()
            .contains("scimock-check-")
    );
    assert_eq!(create["response"]["status"], 201);
    assert_eq!(header(create, "x-api-key").as_deref(), Some("$SCIM_TOKEN"));
    // A run that cannot happen still leaves its exchanges.
    let refused = output(scimock(&[
        "check",
        &m.base_url(),
        "--profile",
        "generic",
        "--token",
        "wrong-t0ken",
        "--har",
        path(&har),
    ]))
    .await;
    assert_eq!(refused.status.code(), Some(2));
    let v: Value = serde_json::from_str(&read(&har)).unwrap();
    assert_eq!(v["log"]["entries"][0]["response"]["status"], 401);
    assert!(!read(&har).contains("wrong-t0ken"));
    let _ = std::fs::remove_dir_all(&dir);
}
