//! Network faults over real sockets: the request is served (a write lands, the journal has
//! it), then the client gets a closed connection, a cut or malformed body, a dribble, or
//! nothing; and seeded latency distributions.

use crate::common::Client;
use scimock_server::{Distribution, FaultRule, Matcher, Network};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
}

async fn send(
    c: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Result<reqwest::Response> {
    let mut req = c
        .http
        .request(method, format!("{}{path}", c.base))
        .bearer_auth(&c.token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    req.send().await
}

#[tokio::test]
async fn reset_loses_the_answer_but_not_the_write() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::network(Network::Reset)
            .times(1)
            .on("POST", "/Users"),
    );
    let r = send(
        &c,
        reqwest::Method::POST,
        "/Users",
        Some(user("lost.answer@example.com")),
    )
    .await;
    assert!(r.is_err(), "no answer at all: {r:?}");
    // The write landed: a client that retries must look before it creates again.
    let found = c
        .get("/Users?filter=userName%20eq%20%22lost.answer%40example.com%22")
        .await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.text);
    assert_eq!(c.mock.count(&Matcher::method("POST").path("/Users")), 1);
    let again = send(
        &c,
        reqwest::Method::POST,
        "/Users",
        Some(user("next@example.com")),
    )
    .await;
    assert_eq!(
        again.unwrap().status(),
        201,
        "times(1): the next request is answered"
    );
}

#[tokio::test]
async fn abort_body_sends_the_head_and_half_the_body() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::network(Network::AbortBody)
            .times(1)
            .on("GET", "/Users"),
    );
    let r = send(&c, reqwest::Method::GET, "/Users", None)
        .await
        .expect("the head arrives");
    assert_eq!(r.status(), 200);
    let declared: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 100);
    assert!(r.bytes().await.is_err(), "the body ends early");
}

#[tokio::test]
async fn malformed_body_is_a_200_whose_json_does_not_parse() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::network(Network::MalformedBody)
            .times(1)
            .on("GET", "/Users"),
    );
    let r = send(&c, reqwest::Method::GET, "/Users", None)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"schemas\""), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(
        c.get("/Users").await.status,
        200,
        "the next answer is whole"
    );
}

#[tokio::test]
async fn dribble_sends_the_whole_answer_slowly() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::network(Network::Dribble)
            .bytes_per_sec(5_000)
            .times(1)
            .on("GET", "/Users"),
    );
    let started = Instant::now();
    let mut r = send(&c, reqwest::Method::GET, "/Users", None)
        .await
        .unwrap();
    let mut chunks = 0;
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        chunks += 1;
        body.extend_from_slice(&chunk);
    }
    let page: Value = serde_json::from_slice(&body).expect("the whole body arrives");
    assert_eq!(page["totalResults"], 3);
    let slices = body.len().div_ceil(500);
    assert!(chunks >= 2, "{chunks} chunks for {} bytes", body.len());
    // Ten 500-byte slices a second: the sleeps between slices are a lower bound.
    assert!(started.elapsed() >= Duration::from_millis(100 * (slices as u64 - 1)));
}

#[tokio::test]
async fn hang_answers_nothing_until_the_client_gives_up() {
    let c = Client::start("generic").await;
    c.mock.inject(
        FaultRule::network(Network::Hang)
            .times(1)
            .on("GET", "/Users"),
    );
    let r = c
        .http
        .get(format!("{}/Users", c.base))
        .bearer_auth(&c.token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert_eq!(
        c.get("/Users").await.status,
        200,
        "other requests are served"
    );
}

#[tokio::test]
async fn admin_api_takes_network_and_latency_faults_and_refuses_nonsense() {
    let c = Client::start("generic").await;
    let ok = c
        .post(
            "/_scimock/faults",
            &json!([{"network": "dribble", "bytes_per_sec": 50, "times": 1},
                    {"latency": {"distribution": "uniform", "min_ms": 1, "max_ms": 3, "seed": 7}, "times": 2}]),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let listed = c.get("/_scimock/faults").await;
    assert_eq!(listed.body["faults"][0]["rule"]["network"], "dribble");
    assert_eq!(
        listed.body["faults"][1]["rule"]["latency"]["distribution"],
        "uniform"
    );
    for bad in [
        json!({"network": "reset", "status": 500}),
        json!({"network": "teleport"}),
        json!({"status": 500, "bytes_per_sec": 10}),
        json!({"latency": {"distribution": "lognormal", "median_ms": 10, "sigma": 9.0}}),
        json!({"latency": {"distribution": "gaussian", "ms": 1}}),
    ] {
        let r = c.post("/_scimock/faults", &bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
}

#[test]
fn latency_distributions_are_seeded_and_shaped() {
    let fixed = FaultRule::latency_from(Distribution::Fixed { ms: 40 }, 1)
        .latency
        .unwrap();
    assert!((0..50).all(|n| fixed.sample(n, 3_600_000) == 40));

    let uniform = FaultRule::latency_from(
        Distribution::Uniform {
            min_ms: 10,
            max_ms: 20,
        },
        3,
    )
    .latency
    .unwrap();
    let draws: Vec<u64> = (0..500).map(|n| uniform.sample(n, 3_600_000)).collect();
    assert!(draws.iter().all(|d| (10..=20).contains(d)));
    assert!(draws.contains(&10) || draws.contains(&11));
    assert!(draws.contains(&20) || draws.contains(&19));
    let again: Vec<u64> = (0..500).map(|n| uniform.sample(n, 3_600_000)).collect();
    assert_eq!(draws, again, "the same seed gives the same sequence");
    let other = FaultRule::latency_from(
        Distribution::Uniform {
            min_ms: 10,
            max_ms: 20,
        },
        4,
    )
    .latency
    .unwrap();
    assert_ne!(
        draws,
        (0..500)
            .map(|n| other.sample(n, 3_600_000))
            .collect::<Vec<_>>()
    );

    let lognormal = FaultRule::latency_from(
        Distribution::Lognormal {
            median_ms: 100,
            sigma: 0.8,
        },
        9,
    )
    .latency
    .unwrap();
    let mut draws: Vec<u64> = (0..2001).map(|n| lognormal.sample(n, 3_600_000)).collect();
    draws.sort_unstable();
    let median = draws[1000];
    assert!((80..=125).contains(&median), "median {median}");
    assert!(
        draws[1980] > 3 * median,
        "a long tail: p99 {} vs median {median}",
        draws[1980]
    );
    assert!(draws.iter().all(|d| *d <= 3_600_000));
    assert_eq!(
        lognormal.sample(5, 50),
        lognormal.sample(5, 3_600_000).min(50),
        "capped"
    );
}
