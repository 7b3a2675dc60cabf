//! The in-process API: fault builders, `reset`, and `ServeConfig::default()` on a free port.

use crate::common::Client;
use scimock_server::{FaultRule, Matcher, MockServer, ServeConfig};
use serde_json::json;

#[tokio::test]
async fn fault_builders_fire_as_documented() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::status(429)
            .times(1)
            .retry_after(2)
            .on("GET", "/Users"),
    );
    let r = c.get("/Users").await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(r.body["status"], "429");
    assert_eq!(
        c.get("/Users").await.status,
        200,
        "times(1): gone after one"
    );

    c.mock.inject(
        FaultRule::status(503)
            .detail("down for tests")
            .on("POST", "/Users"),
    );
    assert_eq!(c.get("/Users").await.status, 200, "only POST is hit");
    let r = c
        .post("/Users", &json!({"userName": "f@example.com"}))
        .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body["detail"], "down for tests");
}

#[tokio::test]
async fn reset_brings_back_a_fresh_mock() {
    let c = Client::start("generic").await;
    let before = c.get("/Users").await.body["totalResults"].clone();
    let r = c
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "r@example.com"}),
        )
        .await;
    assert_eq!(r.status, 201);
    c.mock.inject(FaultRule::status(500).on("DELETE", "/Users"));
    c.mock.expect(Matcher::method("PUT")).times(1);
    c.mock.reset().expect("reset");
    assert!(c.mock.requests().is_empty(), "journal cleared");
    assert!(c.mock.try_verify().is_ok(), "expectations forgotten");
    assert_eq!(
        c.get("/Users").await.body["totalResults"],
        before,
        "fixtures back"
    );
    let id = c.get("/Users").await.body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.delete(&format!("/Users/{id}")).await.status,
        204,
        "faults cleared"
    );
}

#[tokio::test]
async fn default_configs_start_side_by_side_on_free_ports() {
    let a = MockServer::start_with(ServeConfig::default())
        .await
        .unwrap();
    let b = MockServer::start_with(ServeConfig::default())
        .await
        .unwrap();
    assert_ne!(a.addr(), b.addr());
    assert!(a.addr().ip().is_loopback() && a.addr().port() != 0);
}
