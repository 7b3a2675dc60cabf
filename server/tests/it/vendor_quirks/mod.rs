//! One test per documented vendor quirk, named `<vendor>_<quirk id>` after the quirk's id in
//! `fixtures/profiles/<vendor>.json`. `every_quirk_has_a_test` keeps the two in step.

mod adra;
mod atlassian;
mod attio;
mod elfsquad;
mod slack_github_aws;

use crate::common::*;
use reqwest::Method;
use scimock_server::ServeConfig;
use serde_json::{Value, json};

const ATL_DIR: &str = "4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77";

#[test]
fn every_quirk_has_a_test() {
    let src = include_str!("mod.rs").to_string()
        + include_str!("attio.rs")
        + include_str!("atlassian.rs")
        + include_str!("adra.rs")
        + include_str!("elfsquad.rs")
        + include_str!("slack_github_aws.rs")
        + include_str!("../truto.rs")
        + include_str!("../fidelity.rs");
    for name in scimock_profile::PROFILE_NAMES
        .iter()
        .filter(|n| **n != "generic")
    {
        let p = scimock_profile::Profile::builtin(name).unwrap();
        // A quirk is tested by a Rust test named after it, or by a case in
        // fixtures/quirks/<vendor>.json (quirk_cases).
        let cases = crate::quirk_cases::cases_of(name);
        for q in &p.quirks {
            let f = format!("fn {}_{}(", name, q.id.replace('-', "_"));
            let as_data = cases
                .as_ref()
                .is_some_and(|c| c.cases.iter().any(|c| c.quirk == q.id));
            assert!(
                src.contains(&f) || as_data,
                "no test {f}) and no case in fixtures/quirks/{name}.json for quirk {} of {name}",
                q.id
            );
        }
    }
}

/// A mock of `vendor` with `--rate-limits` and `overrides`, and the first 429 of up to six quick
/// reads of `/Users`.
async fn rate_limited(vendor: &str, overrides: Vec<(String, Value)>) -> (Client, Resp) {
    let c = Client::start_with(ServeConfig {
        rate_limits: true,
        overrides,
        ..config(vendor)
    })
    .await;
    for _ in 0..6 {
        let r = c.get("/Users").await;
        if r.status == 429 {
            return (c, r);
        }
    }
    panic!("{vendor}: no 429 within 6 quick reads");
}

/// No vendor documents root queries or `.search`: `POST /Users/.search` is the 405 of
/// `/Users/{id}`, `POST /.search` and `GET /` the 404 of an unknown path, each checked by
/// `check`; `--set list.search=true` mounts them.
async fn assert_no_search_endpoint(vendor: &str, check: impl Fn(&Resp, u16)) {
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName eq \"nobody@example.com\"",
    });
    let c = start(vendor, 0, &[]).await;
    check(&c.post("/Users/.search", &search).await, 405);
    check(&c.post("/.search", &search).await, 404);
    check(&c.get("/?count=1").await, 404);
    let on = start(vendor, 0, &[("list.search", json!(true))]).await;
    for path in ["/Users/.search", "/.search"] {
        let r = on.post(path, &search).await;
        assert_eq!(r.status, 200, "{vendor} {path} with the switch: {}", r.text);
        assert_eq!(r.body["totalResults"], 0, "{}", r.text);
    }
}

#[tokio::test]
async fn attio_no_search_endpoint() {
    assert_no_search_endpoint("attio", |r, s| {
        let code = if s == 404 {
            "not_found"
        } else {
            "method_not_allowed"
        };
        assert_attio_error(r, s, code)
    })
    .await;
}

#[tokio::test]
async fn atlassian_no_search_endpoint() {
    assert_no_search_endpoint("atlassian", |r, s| assert_scim_error(r, s, None)).await;
}

#[tokio::test]
async fn adra_no_search_endpoint() {
    assert_no_search_endpoint("adra", assert_problem).await;
}

#[tokio::test]
async fn elfsquad_no_search_endpoint() {
    assert_no_search_endpoint("elfsquad", |r, s| assert_scim_error(r, s, None)).await;
}

/// `2022-01-26 16:50:48.135`: date, a space, time with milliseconds, no zone (3P:W12).
fn is_space_millis(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 23
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

/// A hyphenated UUID: 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
