//! The runner tells the truth about servers that are not scimock (issue 14): a server that does
//! what the RFC allows passes — mocks configured to behave like it (`--set` overrides of the
//! served profile, checked with the unmodified `generic` profile) or small stubs where the mock
//! cannot be bent that way — while the same checks still fail a server that is wrong; and a run
//! that cannot mean anything stops with exit status 2 and one line saying why.

use crate::common::*;
use scimock_conformance::{Config, Credential, RunError, Status, run};
use serde_json::{Value, json};
use std::sync::Arc;

/// What a stub answers: status, content type, body, extra headers.
type Answer = (u16, &'static str, String, Vec<(String, String)>);

/// A loopback HTTP server answering every request with `route(method, path_and_query)`; its
/// base URL ends in `/scim/v2`.
async fn stub(
    route: impl Fn(&str, &str) -> Answer + Send + Sync + 'static,
) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let route = Arc::new(route);
    let h = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let route = route.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let mut first = head.lines().next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_string();
                let target = first.next().unwrap_or_default().to_string();
                let (status, ct, body, headers) = route(&method, &target);
                let mut resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                resp.push_str(&body);
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}/scim/v2"), h)
}

fn scim(status: u16, v: Value) -> Answer {
    (status, "application/scim+json", v.to_string(), Vec::new())
}

fn stub_user(i: usize) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": format!("id-{i}"),
        "userName": format!("user{i}@example.com"),
        "meta": {"resourceType": "User"},
    })
}

fn list(users: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": users.len(),
        "startIndex": 1,
        "itemsPerPage": users.len(),
        "Resources": users,
    })
}

fn spc(sort: bool, etag: bool) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": false}, "bulk": {"supported": false},
        "filter": {"supported": true, "maxResults": 200},
        "changePassword": {"supported": false},
        "sort": {"supported": sort}, "etag": {"supported": etag},
        "authenticationSchemes": [],
    })
}

/// A run of only `only` against `base` with the generic profile.
async fn generic_run(base: &str, only: &[&str]) -> scimock_conformance::Report {
    let mut cfg = Config::new(base, profile("generic", &[]));
    cfg.credentials = vec![Credential::bearer("t0ken")];
    cfg.only = only.iter().map(|s| s.to_string()).collect();
    check(cfg).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_are_required_only_where_the_target_advertises_them() {
    // A server without the (optional) enterprise extension: RFC 7643 §6 makes schemaExtensions
    // OPTIONAL. The generic profile expects what the target's /ResourceTypes advertises.
    let o = [("shape.extensions", json!([]))];
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &[]), false)).await;
    for id in ["discovery.schemas", "discovery.resource-types"] {
        let c = result(&r, id);
        assert_eq!(c.status, Status::Pass, "{id}: {}", c.detail);
    }
    assert!(
        result(&r, "discovery.schemas")
            .detail
            .contains("advertised by /ResourceTypes")
    );
    // A vendor profile keeps its documented expectations.
    let o = [("shape.extensions", json!([]))];
    let m = mock("atlassian", None, &o).await;
    let r = check(config(&m, profile("atlassian", &[]), false)).await;
    let rt = result(&r, "discovery.resource-types");
    assert_eq!(rt.status, Status::Fail, "{}", rt.detail);
    assert!(
        rt.detail.contains("which the profile documents"),
        "{}",
        rt.detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_version_is_required_only_where_versioning_is_claimed() {
    // RFC 7643 §3.1: version is subject to the provider's support for versioning.
    let o = [("etag.supported", json!(false))];
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let meta = result(&r, "resource.meta");
    assert_eq!(meta.status, Status::Pass, "{}", meta.detail);
    assert!(
        meta.detail.contains("meta.version not required"),
        "{}",
        meta.detail
    );
    let etag = result(&r, "writes.etag-if-match");
    assert_eq!(etag.status, Status::Skip);
    assert!(
        etag.detail.contains("etag.supported is false"),
        "{}",
        etag.detail
    );
    // Where versioning is claimed, a missing meta.version still fails.
    let (base, h) = stub(|_, target: &str| {
        if target.ends_with("/ServiceProviderConfig") {
            return scim(200, spc(false, true));
        }
        scim(200, list(vec![stub_user(1)]))
    })
    .await;
    let r = generic_run(&base, &["resource.meta"]).await;
    let meta = result(&r, "resource.meta");
    assert_eq!(meta.status, Status::Fail);
    assert!(
        meta.detail.contains("meta.version is missing"),
        "{}",
        meta.detail
    );
    h.abort();
}

fn sorted_stub(order: &'static [usize]) -> impl Fn(&str, &str) -> Answer + Send + Sync {
    move |_, target: &str| {
        if target.ends_with("/ServiceProviderConfig") {
            return scim(200, spc(true, false));
        }
        let mut users: Vec<Value> = order.iter().map(|i| stub_user(*i)).collect();
        if target.contains("sortOrder=descending") {
            users.reverse();
        }
        scim(200, list(users))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_by_root_collation_or_code_point_passes_and_no_sorting_fails() {
    // JavaScript localeCompare / ICU root collation: '@' sorts before '0'.
    const ROOT: &[usize] = &[1, 10, 11, 12, 2, 3];
    // Code points: '0' (0x30) before '@' (0x40).
    const CODE_POINT: &[usize] = &[10, 11, 12, 1, 2, 3];
    const UNSORTED: &[usize] = &[2, 10, 1, 3, 12, 11];
    for (order, want) in [
        (ROOT, Status::Pass),
        (CODE_POINT, Status::Pass),
        (UNSORTED, Status::Fail),
    ] {
        let (base, h) = stub(sorted_stub(order)).await;
        let r = generic_run(&base, &["list.sort"]).await;
        let c = result(&r, "list.sort");
        assert_eq!(c.status, want, "{order:?}: {}", c.detail);
        h.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_http_etag_is_not_read_as_scim_versioning() {
    for (version, want) in [(false, Status::Pass), (true, Status::Fail)] {
        let (base, h) = stub(move |_, target: &str| {
            if target.ends_with("/ServiceProviderConfig") {
                return scim(200, spc(false, false));
            }
            let mut u = stub_user(1);
            if version {
                u["meta"]["version"] = json!("W/\"1\"");
            }
            // Express adds an ETag to every response; it is an HTTP validator, nothing more.
            let etag = vec![("ETag".to_string(), "W/\"6a-gSUv\"".to_string())];
            if target.contains("/Users/") {
                return (200, "application/scim+json", u.to_string(), etag);
            }
            (
                200,
                "application/scim+json",
                list(vec![u]).to_string(),
                etag,
            )
        })
        .await;
        let r = generic_run(&base, &["discovery.spc-consistent"]).await;
        let c = result(&r, "discovery.spc-consistent");
        assert_eq!(c.status, want, "meta.version {version}: {}", c.detail);
        h.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_400_without_scim_type_is_one_warning_not_two_failures() {
    let m = mock("generic", None, &[]).await;
    m.set_break(scimock_server::Break::ErrorScimTypeMissing, true);
    let r = check(config(&m, profile("generic", &[]), false)).await;
    let malformed = result(&r, "filter.malformed");
    assert_eq!(malformed.status, Status::Pass, "{}", malformed.detail);
    assert!(
        malformed.detail.contains("without scimType"),
        "{}",
        malformed.detail
    );
    let t = result(&r, "errors.scim-type");
    assert_eq!(t.status, Status::Warn, "{}", t.detail);
    assert!(t.detail.contains("OPTIONAL"), "{}", t.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_describe_what_the_server_sent() {
    // Attio's errors carry no scimType: the detail says what came back, not "invalidFilter".
    let m = mock("attio", None, &[]).await;
    let r = check(config(&m, profile("attio", &[]), false)).await;
    let c = result(&r, "filter.malformed");
    assert_eq!(c.status, Status::Pass, "{}", c.detail);
    assert!(c.detail.contains("HTTP 400"), "{}", c.detail);
    assert!(!c.detail.contains("invalidFilter"), "{}", c.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_is_judged_only_on_attributes_the_target_can_filter() {
    // A server that filters userName only and answers a filter on anything else with nobody.
    let o = [
        (
            "filter.users",
            json!({"allow": [{"attr": "userName", "ops": ["eq"]}]}),
        ),
        ("filter.unknown_attr_empty", json!(true)),
    ];
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &[]), false)).await;
    assert_eq!(result(&r, "filter.eq").status, Status::Fail);
    let c = result(&r, "filter.case-insensitive");
    assert_eq!(c.status, Status::Pass, "{}", c.detail);
    assert!(c.detail.contains("see filter.eq"), "{}", c.detail);
    // And where it can filter but compares case-sensitively, it still fails.
    let m = mock("generic", None, &[]).await;
    m.set_break(scimock_server::Break::FilterCaseSensitive, true);
    let r = check(config(&m, profile("generic", &[]), false)).await;
    assert_eq!(result(&r, "filter.case-insensitive").status, Status::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_checks_skip_when_the_configuration_says_filtering_is_unsupported() {
    let o = [(
        "discovery.spc_overrides",
        json!({"filter": {"supported": false, "maxResults": 50}}),
    )];
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    for id in [
        "filter.eq",
        "filter.case-insensitive",
        "filter.attribute-name-case",
        "filter.no-match",
        "filter.undefined-attribute",
        "filter.malformed",
        "filter.search",
        "errors.scim-type",
        "groups.filter",
    ] {
        let c = result(&r, id);
        assert_eq!(c.status, Status::Skip, "{id}: {}", c.detail);
        assert!(
            c.detail.contains("filter.supported is false"),
            "{id}: {}",
            c.detail
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cap_is_the_advertised_max_results_and_its_skip_names_it() {
    let o = [(
        "discovery.spc_overrides",
        json!({"filter": {"supported": true, "maxResults": 50}}),
    )];
    // 3 fixture users: not observable, and the reason names the advertised 50.
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &[]), false)).await;
    let cap = result(&r, "list.pagination.cap");
    assert_eq!(cap.status, Status::Skip);
    assert!(
        cap.detail.contains("filter.maxResults of 50"),
        "{}",
        cap.detail
    );
    // 63 users: a server that advertises 50 and returns 51 fails.
    let m = mock("generic", Some(60), &o).await;
    let r = check(config(&m, profile("generic", &[]), false)).await;
    let cap = result(&r, "list.pagination.cap");
    assert_eq!(cap.status, Status::Fail, "{}", cap.detail);
    assert!(
        cap.detail.contains("advertised filter.maxResults is 50"),
        "{}",
        cap.detail
    );
    // One that honours it passes.
    let honest = [
        (
            "discovery.spc_overrides",
            json!({"filter": {"supported": true, "maxResults": 50}}),
        ),
        ("list.max_count", json!(50)),
    ];
    let m = mock("generic", Some(60), &honest).await;
    let r = check(config(&m, profile("generic", &[]), false)).await;
    let cap = result(&r, "list.pagination.cap");
    assert_eq!(cap.status, Status::Pass, "{}", cap.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undefined_filter_attribute_may_be_refused_or_match_nobody_but_never_match() {
    for (answer, want) in [
        (400, Status::Pass),
        (200, Status::Warn),
        (299, Status::Fail),
    ] {
        let (base, h) = stub(move |_, target: &str| {
            if target.ends_with("/ServiceProviderConfig") {
                return scim(200, spc(false, false));
            }
            if target.contains("scimockCheckUndefined") {
                return match answer {
                    400 => scim(
                        400,
                        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                               "status": "400", "scimType": "invalidFilter"}),
                    ),
                    200 => scim(200, list(vec![])),
                    // A server that ignores the filter: everybody.
                    _ => scim(200, list(vec![stub_user(1), stub_user(2)])),
                };
            }
            scim(200, list(vec![stub_user(1), stub_user(2)]))
        })
        .await;
        let r = generic_run(&base, &["filter.undefined-attribute"]).await;
        let c = result(&r, "filter.undefined-attribute");
        assert_eq!(c.status, want, "{answer}: {}", c.detail);
        h.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_beyond_the_end_must_be_empty() {
    // A server that answers any startIndex with the first page again.
    let (base, h) = stub(|_, target: &str| {
        if target.ends_with("/ServiceProviderConfig") {
            return scim(200, spc(false, false));
        }
        let mut l = list(vec![stub_user(1), stub_user(2)]);
        l["totalResults"] = json!(2);
        scim(200, l)
    })
    .await;
    let r = generic_run(&base, &["list.pagination.beyond-end"]).await;
    let c = result(&r, "list.pagination.beyond-end");
    assert_eq!(c.status, Status::Fail, "{}", c.detail);
    assert!(c.detail.contains("startIndex=3"), "{}", c.detail);
    h.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_says_when_a_page_overflowed_count() {
    let m = mock("generic", None, &[]).await;
    m.set_break(scimock_server::Break::ListIgnoreCount, true);
    let r = check(config(&m, profile("generic", &[]), false)).await;
    let walk = result(&r, "list.pagination.walk");
    assert_eq!(walk.status, Status::Fail);
    assert!(walk.detail.contains("overflowed count"), "{}", walk.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_that_would_mean_nothing_stop_with_one_line() {
    let m = mock("generic", None, &[]).await;
    // A selection that selects nothing.
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.only = vec!["nomatch*".into()];
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::NothingSelected { .. }), "{e:?}");
    assert!(e.to_string().contains("no check to run"), "{e}");
    // --account on a SCIM profile.
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.account = Some("62f44730-dd91-461e-bd6a-aedd9e0ad79d".into());
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::AccountWithoutUnified { .. }), "{e:?}");
    // No credentials at all: say none were given.
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.credentials.clear();
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::NoCredentials(_)), "{e:?}");
    assert!(e.to_string().contains("none were given"), "{e}");
    // The server root instead of the SCIM base: say where the base probably is.
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.target = format!("http://{}", m.addr());
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::NotAnEndpoint(_)), "{e:?}");
    let line = e.to_string();
    assert!(line.starts_with("not a SCIM endpoint"), "{line}");
    assert!(line.contains(&format!("{}/scim/v2", m.addr())), "{line}");
    assert!(!line.contains('\n'), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_page_is_not_a_scim_endpoint() {
    // A web server that answers every path with the same HTML page (a single-page app).
    let (base, h) = stub(|_, _| {
        (
            200,
            "text/html; charset=utf-8",
            "<!doctype html><html><body>Welcome</body></html>".into(),
            Vec::new(),
        )
    })
    .await;
    let mut cfg = Config::new(base, profile("generic", &[]));
    cfg.credentials = vec![Credential::bearer("t0ken")];
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    let line = e.to_string();
    assert!(
        line.starts_with("not a SCIM endpoint") && line.contains("an HTML page"),
        "{line}"
    );
    assert!(
        line.contains("no ServiceProviderConfig was found"),
        "{line}"
    );
    h.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_integrated_account_stops_the_run() {
    let m = mock("truto", None, &[]).await;
    let mut cfg = config(&m, profile("truto", &[]), false);
    cfg.account = Some("nope".into());
    let e = run(cfg, None, &mut |_| {}).await.unwrap_err();
    assert!(matches!(e, RunError::NoSuchAccount { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("no such integrated account: nope"),
        "{e}"
    );
}
