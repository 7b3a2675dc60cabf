//! Request verification: `POST /_scimock/requests/count` and `/find` (with near misses), and
//! the Rust side, `MockServer::expect` / `verify` / drop.

use crate::common::Client;
use scimock_server::{Matcher, MockServer, Times};
use serde_json::json;

/// A client's traffic: a lookup, a create and a deactivating PATCH.
async fn traffic(c: &Client) -> String {
    c.get("/Users?filter=userName%20eq%20%22v%40example.com%22")
        .await;
    let created = c
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "v@example.com"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    let patched = c
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": false}]}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    id
}

#[tokio::test]
async fn count_and_find_select_by_every_field() {
    let c = Client::start("generic").await;
    let id = traffic(&c).await;

    let count = |m: serde_json::Value| {
        let c = &c;
        async move {
            let r = c.post("/_scimock/requests/count", &m).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["count"].as_u64().unwrap()
        }
    };
    assert_eq!(count(json!({})).await, 3);
    assert_eq!(
        count(json!({"method": "patch", "path": "/Users/*"})).await,
        1
    );
    assert_eq!(
        count(json!({"path": format!("/scim/v2/Users/{id}")})).await,
        1
    );
    assert_eq!(count(json!({"path": "/Groups*"})).await, 0);
    assert_eq!(
        count(json!({"query": {"filter": "userName eq \"v@example.com\""}})).await,
        1
    );
    assert_eq!(
        count(json!({"body": {"pointer": "/Operations/0/value", "equals": false}})).await,
        1
    );
    assert_eq!(
        count(json!({"body": {"userName": "v@example.com"}})).await,
        1
    );
    assert_eq!(
        count(json!({"headers": {"Content-Type": "application/scim+json"}, "method": "POST"}))
            .await,
        1
    );
    assert_eq!(count(json!({"vendor": "generic"})).await, 3);
    assert_eq!(count(json!({"vendor": "attio"})).await, 0);

    let found = c
        .post("/_scimock/requests/find", &json!({"method": "POST"}))
        .await;
    assert_eq!(found.status, 200);
    let reqs = found.body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0]["path"], "/scim/v2/Users");
    assert!(
        found.body.get("near_misses").is_none(),
        "only when nothing matches"
    );
    // The verification calls themselves are not journaled as SCIM traffic.
    assert_eq!(count(json!({"path": "/_scimock/*"})).await, 0);
}

#[tokio::test]
async fn find_without_a_match_returns_the_near_misses_and_what_differs() {
    let c = Client::start("generic").await;
    traffic(&c).await;
    let r = c
        .post(
            "/_scimock/requests/find",
            &json!({"method": "PATCH", "path": "/Users/*",
                "body": {"pointer": "/Operations/0/op", "equals": "add"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["requests"], json!([]));
    let near = r.body["near_misses"].as_array().unwrap();
    assert!(!near.is_empty() && near.len() <= 3, "{near:#?}");
    assert_eq!(near[0]["request"]["method"], "PATCH");
    assert_eq!(
        near[0]["differences"],
        json!(["body /Operations/0/op: expected \"add\", got \"replace\""])
    );
}

#[tokio::test]
async fn a_bad_matcher_is_a_400_that_names_the_problem() {
    let c = Client::start("generic").await;
    for body in [
        json!({"methd": "GET"}),
        json!({"query": "filter"}),
        json!([1]),
    ] {
        let r = c.post("/_scimock/requests/count", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(
            r.body["error"]
                .as_str()
                .unwrap()
                .starts_with("invalid matcher"),
            "{}",
            r.text
        );
    }
    let r = c
        .raw(
            reqwest::Method::POST,
            "/_scimock/requests/count",
            None,
            vec![],
            None,
        )
        .await;
    assert_eq!(
        r.status, 200,
        "an empty body matches everything: {}",
        r.text
    );
}

#[tokio::test]
async fn verification_needs_the_admin_token_when_one_is_set() {
    let mut cfg = crate::common::config("generic");
    cfg.admin_token = Some("adm1n".into());
    let c = Client::start_with(cfg).await;
    let r = c.post("/_scimock/requests/count", &json!({})).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = c
        .send_with(
            reqwest::Method::POST,
            "/_scimock/requests/count",
            Some(&json!({})),
            &[("x-scimock-admin-token", "adm1n")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn rust_expectations_hold_or_report_near_misses() {
    let c = Client::start("generic").await;
    traffic(&c).await;
    let m = &c.mock;
    assert_eq!(m.count(&Matcher::method("GET").path("/Users")), 1);
    assert_eq!(m.find(&Matcher::method("POST")).len(), 1);

    m.expect(Matcher::method("PATCH").path("/Users/*")).times(1);
    m.expect(Matcher::any().path("/Users*")).at_least(2);
    m.expect(Matcher::method("DELETE")).at_most(0);
    m.try_verify().expect("all three hold");

    m.expect(
        Matcher::method("PATCH")
            .path("/Users/*")
            .body_pointer("/Operations/0/op", json!("Replace")),
    )
    .times(1);
    let err = m.try_verify().unwrap_err().to_string();
    assert!(err.contains("expectation 4"), "{err}");
    assert!(
        err.contains("wanted exactly 1 matching request(s), received 0"),
        "{err}"
    );
    assert!(err.contains("near miss: PATCH /scim/v2/Users/"), "{err}");
    assert!(
        err.contains("body /Operations/0/op: expected \"Replace\", got \"replace\""),
        "{err}"
    );
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.verify()));
    assert!(caught.is_err(), "verify panics on an unmet expectation");
    // The unmet expectation is still registered, so dropping the mock panics too.
    let Client { mock, .. } = c;
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(mock)));
    assert!(
        dropped.is_err(),
        "an unmet expectation panics when the mock is dropped"
    );
}

#[tokio::test]
async fn a_mock_whose_expectations_hold_drops_quietly() {
    let mock = MockServer::start("generic").await.unwrap();
    mock.expect(Matcher::method("GET")).at_most(0);
    assert_eq!(Times::AtLeast(1).to_string(), "at least 1");
    drop(mock);
}
