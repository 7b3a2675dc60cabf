//! The Truto-style unified user directory facade, one test per documented quirk.

use crate::common::*;
use reqwest::Method;
use scimock_server::{FaultMatch, FaultRule, ServeConfig};
use serde_json::{Value, json};

const GENERIC: &str = "62f44730-dd91-461e-bd6a-aedd9e0ad79d";
const ATTIO: &str = "0b5e7c1a-3f42-4d8e-9a61-7c2f1e9d4b30";
const ATLASSIAN: &str = "a8d3f6e2-51c7-4b09-8e2d-6f1a9c3b7e54";
const ELFSQUAD: &str = "e1f7b3d9-8a24-4c6e-a0b5-3d9c7e1f5a48";

#[tokio::test]
async fn truto_integrated_account_required() {
    let c = start("truto", 0, &[]).await;
    let r = c.get("").await;
    assert_truto_error(&r, 400, false);
    assert_eq!(r.body["message"], "integrated_account_id is required");
    let r = c
        .get("?integrated_account_id=00000000-0000-0000-0000-000000000000")
        .await;
    assert_truto_error(&r, 404, false);
    let r = c
        .send_with(
            Method::GET,
            &format!("?integrated_account_id={GENERIC}"),
            None,
            &[("authorization", "Bearer nope")],
        )
        .await;
    assert_truto_error(&r, 401, false);
}

#[tokio::test]
async fn truto_cursor_pagination() {
    let c = start("truto", 9, &[]).await;
    let mut next = String::new();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let r = c
            .get(&format!(
                "?integrated_account_id={GENERIC}&limit=4&next_cursor={next}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let result = r.body["result"].as_array().unwrap();
        assert_eq!(r.body["result_count"], result.len());
        if pages > 0 {
            assert!(r.body["prev_cursor"].is_string());
        } else {
            assert!(r.body["prev_cursor"].is_null());
        }
        ids.extend(result.iter().map(|u| u["id"].as_str().unwrap().to_string()));
        pages += 1;
        match &r.body["next_cursor"] {
            Value::String(s) => next = s.clone(),
            Value::Null => break,
            other => panic!("next_cursor {other}"),
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 12);
    let bad = c
        .get(&format!(
            "?integrated_account_id={GENERIC}&next_cursor=garbage"
        ))
        .await;
    assert_truto_error(&bad, 400, false);
}

#[tokio::test]
async fn truto_key_by() {
    let c = start("truto", 0, &[]).await;
    let r = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&truto_key_by=username"
        ))
        .await;
    let obj = r.body["result"]
        .as_object()
        .expect("result keyed by username");
    assert!(obj.contains_key("john.doe@example.com") && obj.contains_key("ada.admin@example.com"));
}

#[tokio::test]
async fn truto_exclude_fields() {
    let c = start("truto", 0, &[]).await;
    let r = c.get(&format!("?integrated_account_id={ATTIO}&truto_exclude_fields%5B%5D=emails&truto_exclude_fields%5B%5D=roles")).await;
    let u = &r.body["result"][0];
    assert!(u.get("emails").is_none() && u.get("roles").is_none() && u.get("username").is_some());
    let r = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&truto_exclude_fields=emails,remote_data"
        ))
        .await;
    let u = &r.body["result"][0];
    assert!(u.get("emails").is_none() && u.get("remote_data").is_none() && u.get("id").is_some());
}

#[tokio::test]
async fn truto_ignore_remote_data() {
    let c = start("truto", 250, &[]).await;
    let r = c.get(&format!("?integrated_account_id={ATLASSIAN}")).await;
    assert!(r.body["result"][0]["remote_data"].is_object());
    assert_eq!(
        r.body["result_count"], 100,
        "limit defaults to 100 (and Atlassian caps pages at 100)"
    );
    let r = c.get(&format!("?integrated_account_id={ATLASSIAN}&truto_ignore_remote_data=true&truto_ignore_limit=true")).await;
    assert!(r.body["result"][0].get("remote_data").is_none());
    assert_eq!(
        r.body["result_count"], 252,
        "truto_ignore_limit walks every backend page"
    );
    assert!(r.body["next_cursor"].is_null());
}

#[tokio::test]
async fn truto_response_formats() {
    let c = start("truto", 0, &[]).await;
    let raw = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&truto_response_format=raw"
        ))
        .await;
    assert_eq!(
        raw.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(raw.body["Resources"][0]["appRole"], "member");
    let norm = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&truto_response_format=normalized"
        ))
        .await;
    let u = &norm.body["result"][0];
    assert!(u.get("remote_data").is_none());
    assert_eq!(
        u["avatar"],
        Value::Null,
        "normalized lists every unified field"
    );
    let stream = c
        .get(&format!(
            "?integrated_account_id={ELFSQUAD}&truto_response_format=stream"
        ))
        .await;
    assert_eq!(stream.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = stream
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["username"], "jane.doe@example.com");
    assert_truto_error(
        &c.get(&format!(
            "?integrated_account_id={ATTIO}&truto_response_format=xml"
        ))
        .await,
        400,
        false,
    );
}

#[tokio::test]
async fn truto_remote_query_filter() {
    let c = start("truto", 0, &[]).await;
    let ok = c.get(&format!("?integrated_account_id={ATLASSIAN}&remote_query%5Bfilter%5D=userName%20eq%20%22bob@example.com%22")).await;
    assert_eq!(ok.body["result_count"], 1);
    assert_eq!(ok.body["result"][0]["username"], "bob@example.com");
    let refused = c.get(&format!("?integrated_account_id={ATLASSIAN}&remote_query%5Bfilter%5D=emails.value%20eq%20%22x%22")).await;
    assert_truto_error(&refused, 400, true);
    assert_eq!(
        refused.body["raw_response"]["scimType"], "invalidFilter",
        "the backing vendor's rules judge it"
    );
    let attio = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&remote_query%5Bfilter%5D=externalId%20eq%20%22x%22"
        ))
        .await;
    assert_truto_error(&attio, 400, true);
    assert_eq!(
        attio.body["raw_response"]["code"], "validation_type",
        "raw_response is in Attio's own format"
    );
}

#[tokio::test]
async fn truto_remote_errors_wrapped() {
    let c = start("truto", 0, &[]).await;
    c.mock.inject(FaultRule {
        status: Some(429),
        times: Some(1),
        retry_after: Some(2),
        matcher: FaultMatch {
            vendor: Some("attio".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    });
    let r = c.get(&format!("?integrated_account_id={ATTIO}")).await;
    assert_truto_error(&r, 429, true);
    assert_eq!(r.body["raw_response"]["status_code"], 429);
    assert!(
        r.header("retry-after").unwrap().ends_with("GMT"),
        "Attio's HTTP-date Retry-After is carried through"
    );
    assert_eq!(
        r.header("ratelimit-remaining"),
        Some("0"),
        "Truto's normalised headers (D:T6)"
    );
    assert_eq!(r.header("ratelimit-limit"), Some("100"));
    assert!(r.header("ratelimit-reset").unwrap().parse::<u64>().unwrap() <= 2);
    assert_eq!(
        r.body["message"], "Rate limit exceeded, please try again later",
        "the backend's own words"
    );
    let r = c
        .get(&format!("/nope?integrated_account_id={ATLASSIAN}"))
        .await;
    assert_truto_error(&r, 404, true);
    assert_eq!(r.body["raw_response"]["status"], "404");
}

#[tokio::test]
async fn truto_single_resource_unwrapped() {
    let c = start("truto", 0, &[]).await;
    let created = c
        .send_with(
            Method::POST,
            &format!("?integrated_account_id={GENERIC}"),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_truto_error(&created, 400, false);
    let body = json!({"username": "uni@example.com", "first_name": "Uni", "last_name": "Fied", "emails": [{"email": "uni@example.com", "type": "work", "is_primary": true}]});
    let r = c
        .http
        .post(format!("{}?integrated_account_id={GENERIC}", c.base))
        .bearer_auth(&c.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let u: Value = r.json().await.unwrap();
    assert!(
        u.get("result").is_none(),
        "single resources are not wrapped"
    );
    assert_eq!(u["username"], "uni@example.com");
    let id = u["id"].as_str().unwrap().to_string();
    let got = c
        .get(&format!("/{id}?integrated_account_id={GENERIC}"))
        .await;
    assert_eq!(got.body["first_name"], "Uni");
    let r = c
        .http
        .patch(format!("{}/{id}?integrated_account_id={GENERIC}", c.base))
        .bearer_auth(&c.token)
        .json(&json!({"title": "Boss", "status": "inactive"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["title"], "Boss");
    assert_eq!(p["status"], "inactive");
    let d = c
        .delete(&format!("/{id}?integrated_account_id={GENERIC}"))
        .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body, json!({"id": id}));
    assert_truto_error(
        &c.get(&format!("/{id}?integrated_account_id={GENERIC}"))
            .await,
        404,
        true,
    );
}

#[tokio::test]
async fn truto_status_raw_fallback() {
    let c = start("truto", 0, &[]).await;
    let r = c
        .http
        .post(format!("{}?integrated_account_id={ATTIO}", c.base))
        .bearer_auth(&c.token)
        .json(&json!({"username": "invitee@gmail.com"}))
        .send()
        .await
        .unwrap();
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["status"], "invited", "an Attio pending invite is invited");
    let r = c.get(&format!("?integrated_account_id={ELFSQUAD}")).await;
    let statuses: Vec<&str> = r.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["active", "inactive"]);
}

#[tokio::test]
async fn a_backend_429_carries_truto_rate_limit_headers_only() {
    let c = start("truto", 0, &[]).await;
    let rule =
        json!({"status": 429, "times": 1, "retry_after": 2, "match": {"vendor": "atlassian"}});
    let r = c
        .send_with(Method::POST, "/_scimock/faults", Some(&rule), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = c.get(&format!("?integrated_account_id={ATLASSIAN}")).await;
    assert_truto_error(&r, 429, true);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(r.header("ratelimit-reset"), Some("2"));
    assert!(
        r.header("x-ratelimit-reset").is_none(),
        "Atlassian's own headers are normalised away"
    );
}

#[tokio::test]
async fn all_mode_truto_reads_the_mounted_vendor_stores() {
    let c = Client::start("all").await;
    let truto = c.mock.base_url_of("truto").unwrap();
    let attio = c.mock.base_url_of("attio").unwrap();
    let created = c
        .post(
            &format!("{attio}/Users"),
            &json!({"userName": "shared@example.com"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let r = c
        .get(&format!(
            "{truto}?integrated_account_id={ATTIO}&truto_key_by=username"
        ))
        .await;
    assert!(
        r.body["result"].get("shared@example.com").is_some(),
        "{}",
        r.text
    );
}

async fn unified_total(c: &Client) -> u64 {
    c.get(&format!(
        "?integrated_account_id={GENERIC}&truto_ignore_limit=true"
    ))
    .await
    .body["result_count"]
        .as_u64()
        .unwrap()
}

async fn keyed(c: &Client, method: Method, at: &str, key: &str, body: &Value) -> Resp {
    let path = format!("{at}?integrated_account_id={GENERIC}");
    let headers = [
        ("idempotency-key", key),
        ("content-type", "application/json"),
    ];
    c.send_with(method, &path, Some(body), &headers).await
}

#[tokio::test]
async fn truto_idempotency_key() {
    let c = start("truto", 0, &[]).await;
    let before = unified_total(&c).await;
    let body = json!({"username": "idem@example.com", "first_name": "Idem"});
    // A retry with the same key and request gets the first answer; the user exists once.
    let first = keyed(&c, Method::POST, "", "k-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = keyed(&c, Method::POST, "", "k-1", &body).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(unified_total(&c).await, before + 1);
    // The same key with another request is 422.
    let other = json!({"username": "other@example.com"});
    assert_truto_error(
        &keyed(&c, Method::POST, "", "k-1", &other).await,
        422,
        false,
    );
    // A request that failed is not remembered: its key can be used again.
    let dup = json!({"username": "idem@example.com"});
    assert_truto_error(&keyed(&c, Method::POST, "", "k-2", &dup).await, 409, true);
    let fresh = json!({"username": "idem2@example.com"});
    assert_eq!(keyed(&c, Method::POST, "", "k-2", &fresh).await.status, 201);
    // PATCH too, per user.
    let at = format!("/{}", first.body["id"].as_str().unwrap());
    let boss = json!({"title": "Boss"});
    let p1 = keyed(&c, Method::PATCH, &at, "p-1", &boss).await;
    assert_eq!((p1.status, p1.body["title"].as_str()), (200, Some("Boss")));
    // The replay is the stored answer, not a second run: a change made meanwhile stays.
    let other_title = json!({"title": "Other"});
    assert_eq!(
        keyed(&c, Method::PATCH, &at, "p-2", &other_title)
            .await
            .status,
        200
    );
    assert_eq!(
        keyed(&c, Method::PATCH, &at, "p-1", &boss).await.body,
        p1.body
    );
    let now = c
        .get(&format!("{at}?integrated_account_id={GENERIC}"))
        .await;
    assert_eq!(
        now.body["title"], "Other",
        "the replayed PATCH did not run again"
    );
    let chief = json!({"title": "Chief"});
    assert_truto_error(
        &keyed(&c, Method::PATCH, &at, "p-1", &chief).await,
        422,
        false,
    );
    // The same key on another integrated account is another key.
    let on_attio = format!("?integrated_account_id={ATTIO}");
    let attio_user = json!({"username": "idem@example.com"});
    let r = c
        .send_with(
            Method::POST,
            &on_attio,
            Some(&attio_user),
            &[
                ("idempotency-key", "k-1"),
                ("content-type", "application/json"),
            ],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A reset forgets every key.
    let r = c
        .send_with(Method::POST, "/_scimock/reset", None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = keyed(&c, Method::POST, "", "k-1", &body).await;
    assert_eq!(after.status, 201, "{}", after.text);
    assert_ne!(
        after.body["id"], first.body["id"],
        "a new user, not a replay"
    );
    // Keys longer than 255 bytes are refused.
    let long = "x".repeat(256);
    assert_truto_error(&keyed(&c, Method::POST, "", &long, &body).await, 400, false);
    // Without the setting the header is ignored, so a retry is a second create (409 here).
    let off = Client::start_with(ServeConfig {
        overrides: vec![("unified.idempotency_ttl_secs".into(), Value::Null)],
        ..config("truto")
    })
    .await;
    assert_eq!(
        keyed(&off, Method::POST, "", "k-1", &body).await.status,
        201
    );
    assert_truto_error(
        &keyed(&off, Method::POST, "", "k-1", &body).await,
        409,
        true,
    );
}

/// A latency-only fault aimed at a backing vendor delays the facade's answer, reads and writes
/// alike, and fires exactly `times` (it used to be counted as fired and delay nothing).
#[tokio::test]
async fn a_latency_fault_on_the_backend_delays_the_facade() {
    use std::time::{Duration, Instant};
    let c = start("truto", 0, &[]).await;
    c.mock
        .inject(FaultRule::latency(600).times(2).vendor("generic"));
    let list = format!("?integrated_account_id={GENERIC}");
    let at = Instant::now();
    let r = c.get(&list).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        at.elapsed() >= Duration::from_millis(600),
        "{:?}",
        at.elapsed()
    );
    let at = Instant::now();
    let body = json!({"username": "slow@example.com", "first_name": "Slow"});
    let created = c
        .send_with(
            Method::POST,
            &list,
            Some(&body),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(
        at.elapsed() >= Duration::from_millis(600),
        "{:?}",
        at.elapsed()
    );
    // Spent after two hits: the next answer is not delayed (bounded generously for a loaded
    // machine: the delay would be at least 600 ms).
    let at = Instant::now();
    assert_eq!(c.get(&list).await.status, 200);
    assert!(
        at.elapsed() < Duration::from_millis(600),
        "{:?}",
        at.elapsed()
    );
}
