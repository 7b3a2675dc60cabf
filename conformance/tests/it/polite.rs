//! The runner is polite and safe: 429 + Retry-After (seconds and HTTP-date) honoured within
//! bounds, --max-rps paces requests, redirects to another origin are not followed, no
//! credential appears in any report format, and a run that cannot start says why.

use crate::common::*;
use scimock_conformance::report::{self, Format};
use scimock_conformance::{Config, Credential, Event, RunError, Status, run};
use scimock_server::{Break, FaultMatch, FaultRule, MockServer, ServeConfig, VendorChoice};
use std::time::{Duration, Instant};

fn secs(t: &str) -> f64 {
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap();
    t.unix_timestamp_nanos() as f64 / 1e9
}

fn throttle(times: u32, retry_after: u64, suffix: &str) -> FaultRule {
    FaultRule {
        status: Some(429),
        times: Some(times),
        retry_after: Some(retry_after),
        matcher: FaultMatch {
            method: Some("GET".into()),
            path_suffix: Some(suffix.into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_seconds_is_honoured_and_reported() {
    let m = mock("generic", None, &[]).await;
    m.inject(throttle(2, 1, "/ServiceProviderConfig"));
    m.clear_requests();
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.only = vec!["discovery".into(), "rate-limit".into()];
    let r = check(cfg).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let rl = result(&r, "rate-limit.retry-after");
    assert_eq!(rl.status, Status::Pass, "{}", rl.detail);
    let spc: Vec<_> = m
        .requests()
        .into_iter()
        .filter(|e| e.path.ends_with("/ServiceProviderConfig"))
        .collect();
    assert_eq!(spc[0].status, 429);
    assert_eq!(spc[1].status, 429);
    assert_eq!(spc[2].status, 200);
    for w in spc[..3].windows(2) {
        let gap = secs(&w[1].time) - secs(&w[0].time);
        assert!(gap >= 0.95, "retried after {gap:.3} s, Retry-After said 1");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_http_date_is_honoured_for_attio() {
    let m = mock("attio", None, &[]).await;
    m.inject(throttle(1, 2, "/Users"));
    m.clear_requests();
    let mut cfg = config(&m, profile("attio", &[]), false);
    cfg.only = vec!["list.envelope".into(), "rate-limit".into()];
    let r = check(cfg).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let rl = result(&r, "rate-limit.retry-after");
    assert_eq!(rl.status, Status::Pass, "{}", rl.detail);
    let h = rl.evidence[0]
        .headers
        .get("retry-after")
        .expect("evidence shows Retry-After");
    assert!(h.ends_with(" GMT"), "{h}");
    let reqs = m.requests();
    let gap = secs(&reqs[1].time) - secs(&reqs[0].time);
    assert!(
        gap >= 0.9,
        "retried after {gap:.3} s; the HTTP-date was about 2 s ahead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_bounded() {
    let m = mock("generic", None, &[]).await;
    m.inject(throttle(50, 1, "/Schemas"));
    m.clear_requests();
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.only = vec!["discovery.schemas".into(), "rate-limit".into()];
    cfg.max_retries = 2;
    let r = check(cfg).await;
    let schemas = m
        .requests()
        .into_iter()
        .filter(|e| e.path.ends_with("/Schemas"))
        .count();
    assert_eq!(schemas, 3, "one request and two retries");
    assert_eq!(result(&r, "discovery.schemas").status, Status::Fail);
    assert_eq!(result(&r, "rate-limit.retry-after").status, Status::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_rps_paces_the_requests() {
    let m = mock("generic", None, &[]).await;
    m.clear_requests();
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.only = vec!["resource".into(), "list.envelope".into()];
    cfg.max_rps = Some(10.0);
    let t0 = Instant::now();
    let r = check(cfg).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let n = m.requests().len();
    assert!(n >= 5, "{n}");
    let floor = Duration::from_secs_f64((n - 1) as f64 / 10.0 * 0.9);
    assert!(t0.elapsed() >= floor, "{n} requests in {:?}", t0.elapsed());
}

/// A server that redirects everything to `to` and counts requests.
async fn redirector(to: String) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let h = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let to = to.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}/scim/v2"), h)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_to_another_origin_are_not_followed() {
    let m = mock("generic", None, &[]).await;
    // localhost vs 127.0.0.1 and another port: a different origin.
    let other = format!("http://localhost:{}/scim/v2/Users", m.addr().port());
    let (base, h) = redirector(other).await;
    m.clear_requests();
    let mut cfg = Config::new(base, profile("generic", &[]));
    cfg.credentials = vec![Credential::bearer(m.token())];
    cfg.only = vec!["list.envelope".into()];
    let r = run(cfg, None, &mut |_| {}).await.unwrap();
    assert!(
        m.requests().is_empty(),
        "the token was carried to another origin"
    );
    assert_eq!(r.checks[0].status, Status::Fail);
    assert!(r.checks[0].detail.contains("302"), "{}", r.checks[0].detail);
    h.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_that_cannot_start_say_why() {
    let m = mock("generic", None, &[]).await;
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.credentials = vec![Credential::bearer("not-the-token")];
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::AuthRejected(_)), "{e:?}");
    assert!(!e.to_string().contains("not-the-token"));
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.target = "http://127.0.0.1:1/scim/v2".into();
    assert!(matches!(
        run(cfg, None, &mut |_| {}).await.unwrap_err(),
        RunError::Unreachable(_)
    ));
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.target = "ftp://example.com".into();
    assert!(matches!(
        run(cfg, None, &mut |_| {}).await.unwrap_err(),
        RunError::Setup(_)
    ));
}

/// The first GET /Users (the run's first request) passes; `times` requests after it, every
/// request when `None`, are answered 401, as when a token is revoked just after it was checked.
fn revoke_after_the_first_request(m: &MockServer, times: Option<u32>) {
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
        times,
        ..FaultRule::default()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_rejected_on_every_request_after_the_first_are_reported() {
    let m = mock("generic", None, &[]).await;
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert!(!r.credentials_rejected);
    revoke_after_the_first_request(&m, None);
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert!(r.credentials_rejected, "{}", explain(&r));
    let json: serde_json::Value = serde_json::from_str(&report::render(Format::Json, &r)).unwrap();
    assert_eq!(json["credentials_rejected"], true);
    // Some rejections are findings, not a run that could not happen.
    m.clear_faults();
    revoke_after_the_first_request(&m, Some(5));
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert!(!r.credentials_rejected);
    assert!(r.summary.failed > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_report_format_ever_contains_the_token() {
    const TOKEN: &str = "s3cr3t-Token-7c1f9a";
    let m = MockServer::start_with(ServeConfig {
        vendor: VendorChoice::One("generic".into()),
        listen: "127.0.0.1:0".parse().unwrap(),
        token: TOKEN.into(),
        ..ServeConfig::default()
    })
    .await
    .unwrap();
    // Failures carry the most evidence: break a few things, and throttle once.
    m.set_break(Break::ErrorGenericFormat, true);
    m.set_break(Break::CreateNoLocation, true);
    m.inject(throttle(1, 1, "/Schemas"));
    let mut cfg = config(&m, profile("generic", &[]), true);
    cfg.credentials = vec![
        Credential::bearer(TOKEN),
        Credential::header(&format!("X-Api-Key: {TOKEN}-key")).unwrap(),
    ];
    let mut live = Vec::new();
    let mut human = scimock_conformance::report::human::HumanReporter::new(&mut live, false, true);
    let r = run(cfg, None, &mut |e: &Event| human.event(e))
        .await
        .unwrap();
    assert!(r.summary.failed > 0);
    let mut outputs = vec![String::from_utf8_lossy(&live).into_owned()];
    for f in [
        Format::Human,
        Format::Json,
        Format::Junit,
        Format::Markdown,
        Format::Html,
    ] {
        outputs.push(report::render(f, &r));
    }
    assert_valid_json_report(&outputs[2]);
    for out in &outputs {
        assert!(!out.contains(TOKEN), "token leaked:\n{out}");
        assert!(
            !out.to_ascii_lowercase().contains("bearer s3"),
            "credential leaked"
        );
    }
    assert!(
        outputs[2].contains("$SCIM_TOKEN"),
        "curl lines use the placeholder"
    );
}

/// A server that answers every request with 200 and the next odd body of a list.
async fn hostile() -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let bodies: Vec<(&str, Vec<u8>)> = vec![
            ("application/scim+json", b"[]".to_vec()),
            ("application/json", b"null".to_vec()),
            ("application/scim+json", br#"{"Resources":"x","totalResults":"many","startIndex":{}}"#.to_vec()),
            ("text/plain", vec![0xff, 0xfe, 0x00, 0x7b]),
            ("text/html", b"<html><body>gateway</body></html>".to_vec()),
            ("application/json", deep.into_bytes()),
            ("application/scim+json", br#"{"schemas":[1],"Resources":[1,null,{"id":{}},{"id":"x","meta":7,"emails":"e"}],"nextCursor":5}"#.to_vec()),
            ("application/scim+json", Vec::new()),
            ("application/json", br#"{"result":{"a":1},"next_cursor":[],"result_count":"3"}"#.to_vec()),
            ("application/scim+json", br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":{},"scimType":[]}"#.to_vec()),
        ];
        let mut i = 0usize;
        while let Ok((mut s, _)) = l.accept().await {
            let (ct, body) = bodies[i % bodies.len()].clone();
            i += 1;
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            });
        }
    });
    (format!("http://{addr}/scim/v2"), h)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_bodies_never_crash_the_runner() {
    let (base, h) = hostile().await;
    for name in vendors() {
        let mut cfg = Config::new(base.clone(), profile(name, &[]));
        cfg.credentials = vec![Credential::bearer("t0ken")];
        cfg.allow_writes = true;
        cfg.max_pages = 5;
        let r = run(cfg, None, &mut |_| {})
            .await
            .expect("the run completes");
        assert!(
            r.summary.failed > 0,
            "{name}: an odd server cannot pass everything"
        );
        for f in [
            Format::Human,
            Format::Json,
            Format::Junit,
            Format::Markdown,
            Format::Html,
        ] {
            assert!(!report::render(f, &r).is_empty());
        }
        assert_valid_json_report(&report::render(Format::Json, &r));
    }
    h.abort();
}
