//! The admin API (DESIGN §4.2) and the in-process MockServer API.

use crate::common::*;
use reqwest::Method;
use scimock_server::{Break, FaultMatch, FaultRule, ServeConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn health_and_info() {
    let c = Client::start("atlassian").await;
    let h = c.get("/_scimock/health").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body, json!({"status": "ok"}));
    let info = c.get("/_scimock/info").await;
    let p = &info.body["profiles"][0];
    assert_eq!(p["name"], "atlassian");
    assert_eq!(p["base_url"], c.base);
    assert_eq!(
        p["ids"]["directoryId"],
        "4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77"
    );
    assert_eq!(p["token_name"], "directory API key");
    assert!(
        !info.text.contains("scimock-token"),
        "token values never appear in info"
    );
}

#[tokio::test]
async fn journal_records_requests_with_authorization_redacted_and_can_be_cleared() {
    let c = Client::start("generic").await;
    c.post("/Users", &json!({"userName": "j@example.com"}))
        .await;
    c.get("/Users?filter=userName%20eq%20%22j@example.com%22")
        .await;
    let j = c.get("/_scimock/requests").await;
    let reqs = j.body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2, "admin calls are not journaled");
    assert_eq!(reqs[0]["method"], "POST");
    assert_eq!(reqs[0]["status"], 201);
    assert!(reqs[0]["body"].as_str().unwrap().contains("j@example.com"));
    assert_eq!(
        reqs[1]["query"],
        "filter=userName%20eq%20%22j@example.com%22"
    );
    assert_eq!(reqs[1]["headers"]["authorization"], "[redacted]");
    assert!(!j.text.contains("scimock-token"));
    assert_eq!(c.mock.requests().len(), 2);
    let d = c
        .send_with(Method::DELETE, "/_scimock/requests", None, &[])
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(
        c.get("/_scimock/requests").await.body["requests"],
        json!([])
    );
}

#[tokio::test]
async fn reset_restores_fixtures_and_bulk_load_adds_users() {
    let c = Client::start("generic").await;
    c.delete("/Users/2819c223-7f76-453a-919d-413861904646")
        .await;
    c.post("/Users", &json!({"userName": "extra@example.com"}))
        .await;
    let r = c
        .send_with(Method::POST, "/_scimock/reset", None, &[])
        .await;
    assert_eq!(r.status, 200);
    let list = c.get("/Users").await;
    assert_eq!(list.body["totalResults"], 3);
    assert_eq!(
        c.get("/Users/2819c223-7f76-453a-919d-413861904646")
            .await
            .status,
        200
    );
    let bulk = json!([{"userName": "bulk1@example.com"}, {"userName": "bulk2@example.com", "id": "fixed-id"}]);
    let r = c
        .send_with(Method::POST, "/_scimock/users", Some(&bulk), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["loaded"], 2);
    assert_eq!(
        c.get("/Users/fixed-id").await.body["userName"],
        "bulk2@example.com"
    );
    let bad = c
        .send_with(
            Method::POST,
            "/_scimock/users",
            Some(&json!([{"name": {}}])),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn reset_regenerates_the_same_generated_users_after_the_fixtures() {
    let c = Client::start_with(ServeConfig {
        users: Some(30),
        seed: 4,
        ..config("atlassian")
    })
    .await;
    let all = |r: &Resp| -> Vec<Value> {
        let mut users = r.body["Resources"].as_array().cloned().unwrap_or_default();
        for u in &mut users {
            u["meta"].as_object_mut().map(|m| m.remove("version"));
        }
        users
    };
    let before = c.get("/Users?count=100").await;
    let total = before.body["totalResults"].as_u64().unwrap_or_default();
    assert!(total > 30, "{}", before.text);
    let victim = before.body["Resources"][10]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(c.delete(&format!("/Users/{victim}")).await.status < 300);
    c.post("/Users", &json!({"userName": "extra@example.com", "emails": [{"value": "extra@example.com", "primary": true}]}))
        .await;
    let r = c
        .send_with(Method::POST, "/_scimock/reset", None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let counts = r.body["reset"]
        .as_object()
        .and_then(|m| m.values().next().cloned());
    assert_eq!(counts.map(|c| c["users"].clone()), Some(json!(total)));
    let after = c.get("/Users?count=100").await;
    assert_eq!(all(&after), all(&before));
}

#[tokio::test]
async fn faults_fire_exactly_times_with_retry_after_and_then_stop() {
    let c = Client::start("generic").await;
    let rule = json!({"status": 429, "times": 2, "retry_after": 3, "match": {"method": "GET", "path_suffix": "/Users"}});
    let r = c
        .send_with(Method::POST, "/_scimock/faults", Some(&rule), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for _ in 0..2 {
        let r = c.get("/Users").await;
        assert_scim_error(&r, 429, None);
        assert_eq!(r.header("retry-after"), Some("3"));
    }
    assert_eq!(c.get("/Users").await.status, 200);
    assert_eq!(
        c.get("/Users/x").await.status,
        404,
        "path_suffix did not match, no fault"
    );
    let listed = c.get("/_scimock/faults").await;
    assert_eq!(listed.body["faults"][0]["fired"], 2);
    assert!(listed.body["available_breaks"].as_array().unwrap().len() >= 30);
}

#[tokio::test]
async fn latency_faults_delay_without_failing() {
    let c = Client::start("generic").await;
    c.mock.inject(FaultRule {
        latency_ms: Some(300),
        times: Some(1),
        ..FaultRule::default()
    });
    let t = std::time::Instant::now();
    assert_eq!(c.get("/Users").await.status, 200);
    assert!(t.elapsed().as_millis() >= 300);
}

#[tokio::test]
async fn break_switches_are_set_by_name_and_cleared() {
    let c = Client::start("generic").await;
    let r = c
        .send_with(
            Method::POST,
            "/_scimock/faults",
            Some(&json!({"break": "error.status-as-integer"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["breaks"], json!(["error.status-as-integer"]));
    let e = c.get("/Users/nope").await;
    assert_eq!(
        e.body["status"],
        json!(404),
        "the break makes status an integer"
    );
    let bad = c
        .send_with(
            Method::POST,
            "/_scimock/faults",
            Some(&json!({"break": "no.such"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        c.send_with(Method::DELETE, "/_scimock/faults", None, &[])
            .await
            .status,
        204
    );
    assert_eq!(c.get("/Users/nope").await.body["status"], json!("404"));
    c.mock.set_break(Break::FilterIgnored, true);
    assert_eq!(
        c.get("/Users?filter=userName%20eq%20%22none%22").await.body["totalResults"],
        3
    );
    c.mock.clear_faults();
    assert_eq!(
        c.get("/Users?filter=userName%20eq%20%22none%22").await.body["totalResults"],
        0
    );
}

#[tokio::test]
async fn fault_rules_are_validated() {
    let c = Client::start("generic").await;
    for bad in [
        json!({}),
        json!({"status": 99}),
        json!({"status": 429, "bogus": 1}),
        json!("x"),
    ] {
        let r = c
            .send_with(Method::POST, "/_scimock/faults", Some(&bad), &[])
            .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    let many = json!([{"status": 500, "times": 1}, {"status": 503, "times": 1, "match": {"vendor": "generic"}}]);
    assert_eq!(
        c.send_with(Method::POST, "/_scimock/faults", Some(&many), &[])
            .await
            .status,
        201
    );
    assert_eq!(c.get("/Users").await.status, 500);
    assert_eq!(c.get("/Users").await.status, 503);
    assert_eq!(c.get("/Users").await.status, 200);
}

#[tokio::test]
async fn admin_token_is_required_when_set_and_the_scim_token_never_suffices() {
    let cfg = ServeConfig {
        admin_token: Some("adm1n".into()),
        ..config("generic")
    };
    let c = Client::start_with(cfg).await;
    let with_scim = c.get("/_scimock/info").await;
    assert_eq!(with_scim.status, 401);
    let none = c
        .send_with(
            Method::GET,
            "/_scimock/info",
            None,
            &[("authorization", "")],
        )
        .await;
    assert_eq!(none.status, 401);
    let ok = c
        .send_with(
            Method::GET,
            "/_scimock/info",
            None,
            &[("authorization", "Bearer adm1n")],
        )
        .await;
    assert_eq!(ok.status, 200);
    let ok2 = c
        .send_with(
            Method::GET,
            "/_scimock/requests",
            None,
            &[("x-scimock-admin-token", "adm1n")],
        )
        .await;
    assert_eq!(ok2.status, 200);
    // and the admin token does not open the SCIM API
    let scim = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "Bearer adm1n")],
        )
        .await;
    assert_eq!(scim.status, 401);
}

#[tokio::test]
async fn mock_server_api_exposes_journal_and_faults_and_stops_on_drop() {
    let c = Client::start("attio").await;
    c.mock.inject(FaultRule {
        status: Some(500),
        times: Some(1),
        matcher: FaultMatch {
            method: Some("GET".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    });
    assert_eq!(c.get("/Users").await.status, 500);
    assert_eq!(c.get("/Users").await.status, 200);
    let seen: Vec<u16> = c.mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(seen, vec![500, 200]);
    let uri = c.mock.uri();
    drop(c);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !answers(&format!("{uri}/_scimock/health")).await,
        "server still answering after drop"
    );
}

#[tokio::test]
async fn fail_rate_one_fails_every_scim_request_but_not_admin() {
    let cfg = ServeConfig {
        fail_rate: 1.0,
        ..config("generic")
    };
    let c = Client::start_with(cfg).await;
    assert_scim_error(&c.get("/Users").await, 500, None);
    assert_eq!(c.get("/_scimock/health").await.status, 200);
}

#[tokio::test]
async fn snapshot_without_state_file_is_a_conflict() {
    let c = Client::start("generic").await;
    let r = c
        .send_with(Method::POST, "/_scimock/snapshot", None, &[])
        .await;
    assert_eq!(r.status, 409);
    let v: Value = r.body;
    assert!(v["error"].as_str().unwrap().contains("--state"));
}

#[tokio::test]
async fn absurd_fault_delays_are_refused_and_the_largest_allowed_render() {
    let c = Client::start("attio").await;
    let huge = json!({"status": 429, "retry_after": u64::MAX, "match": {"vendor": "attio"}});
    assert_eq!(
        c.send_with(Method::POST, "/_scimock/faults", Some(&huge), &[])
            .await
            .status,
        400
    );
    let slow = json!({"latency_ms": u64::MAX});
    assert_eq!(
        c.send_with(Method::POST, "/_scimock/faults", Some(&slow), &[])
            .await
            .status,
        400
    );
    let year = json!({"status": 429, "times": 1, "retry_after": 365 * 24 * 3600});
    assert_eq!(
        c.send_with(Method::POST, "/_scimock/faults", Some(&year), &[])
            .await
            .status,
        201
    );
    let r = c.get("/Users").await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().ends_with("GMT"));
}

#[tokio::test]
async fn passwords_and_oversized_fields_never_reach_the_journal() {
    let c = Client::start("generic").await;
    c.post(
        "/Users",
        &json!({"userName": "p@example.com", "password": "hunter2"}),
    )
    .await;
    let long = "x".repeat(20_000);
    c.send_with(
        Method::GET,
        &format!("/Users?filter=userName%20eq%20%22{long}%22"),
        None,
        &[("x-big", &long)],
    )
    .await;
    let j = c.get("/_scimock/requests").await;
    assert!(!j.text.contains("hunter2"), "password in the journal");
    assert!(j.text.contains("[redacted]"));
    let last = j.body["requests"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(last["query"].as_str().unwrap().len() < 5_000);
    assert!(last["headers"]["x-big"].as_str().unwrap().len() < 5_000);
}

#[tokio::test]
async fn concurrent_snapshots_all_succeed_and_leave_a_valid_file() {
    let dir = std::env::temp_dir().join(format!("scimock-snap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let cfg = ServeConfig {
        state_file: Some(path.clone()),
        users: Some(2_000),
        ..config("generic")
    };
    let c = std::sync::Arc::new(Client::start_with(cfg).await);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                c.send_with(Method::POST, "/_scimock/snapshot", None, &[])
                    .await
                    .status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["format"], "scimock-state");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[tokio::test]
async fn a_snapshot_holds_every_resource_as_stored_with_pending_invites_marked() {
    let dir = std::env::temp_dir().join(format!("scimock-snap-attio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let cfg = ServeConfig {
        state_file: Some(path.clone()),
        ..config("attio")
    };
    let c = Client::start_with(cfg).await;
    let invite = c
        .post("/Users", &json!({"userName": "inv@unverified.test"}))
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let invite_id = invite.body["id"].as_str().unwrap().to_string();
    let r = c
        .send_with(Method::POST, "/_scimock/snapshot", None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["format", "version", "mount", "tenants"]);
    let tenant = doc["tenants"].as_object().unwrap().values().next().unwrap();
    assert_eq!(tenant["vendor"], "attio");
    let users = tenant["users"].as_array().unwrap();
    let listed = c.get("/Users?count=1000").await;
    assert_eq!(
        users.len() as u64,
        listed.body["totalResults"].as_u64().unwrap()
    );
    for u in users {
        let obj = u.as_object().unwrap();
        assert_eq!(
            obj.keys().next().unwrap(),
            "id",
            "the stored order: id first"
        );
        let pending = obj.get("x-scimock-invite");
        if u["id"] == invite_id.as_str() {
            assert_eq!(obj.keys().next_back().unwrap(), "x-scimock-invite");
            assert_eq!(pending, Some(&json!(true)));
        } else {
            assert_eq!(pending, None, "{u}");
        }
        assert!(u["meta"]["created"].is_string(), "{u}");
    }
    assert!(users.iter().any(|u| u["id"] == invite_id.as_str()));
}

#[tokio::test]
async fn a_bulk_load_with_a_bad_user_adds_none() {
    let c = Client::start("generic").await;
    let bulk = json!([{"userName": "ok1@example.com"}, {"userName": "BJENSEN@example.com"}]);
    let r = c
        .send_with(Method::POST, "/_scimock/users", Some(&bulk), &[])
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        c.get("/Users?count=0").await.body["totalResults"],
        3,
        "nothing was added"
    );
    let dup_ids = json!([{"userName": "x1@example.com", "id": "same"}, {"userName": "x2@example.com", "id": "same"}]);
    assert_eq!(
        c.send_with(Method::POST, "/_scimock/users", Some(&dup_ids), &[])
            .await
            .status,
        400
    );
    assert_eq!(c.get("/Users?count=0").await.body["totalResults"], 3);
}

#[tokio::test]
async fn a_web_page_cannot_drive_the_admin_api_or_read_through_a_rebound_name() {
    let c = Client::start("generic").await;
    let any_token = br#"{"break":"auth.accept-any-token"}"#.to_vec();
    // A form or no-cors fetch: text/plain, no preflight.
    let r = c
        .raw(
            Method::POST,
            "/_scimock/faults",
            Some("text/plain"),
            any_token.clone(),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.text.contains("application/json"), "{}", r.text);
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = c
            .send_with(
                Method::POST,
                "/_scimock/reset",
                Some(&json!({})),
                &[(name, value)],
            )
            .await;
        assert_eq!(r.status, 403, "{name}: {}", r.text);
    }
    assert_eq!(
        c.raw(
            Method::GET,
            "/Users",
            None,
            Vec::new(),
            Some("Bearer wrong")
        )
        .await
        .status,
        401,
        "the switch was never turned on"
    );
    // The same origin, with JSON, is fine.
    let host = c.mock.addr().to_string();
    let r = c
        .send_with(
            Method::POST,
            "/_scimock/reset",
            Some(&json!({})),
            &[("origin", &format!("http://{host}"))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // DNS rebinding: a hostile name resolving to 127.0.0.1.
    for path in ["/_scimock/requests", "/Users"] {
        let r = c
            .send_with(Method::GET, path, None, &[("host", "evil.example")])
            .await;
        assert_eq!(r.status, 421, "{path}: {}", r.text);
    }
    let r = c
        .send_with(Method::GET, "/Users", None, &[("host", "localhost:1")])
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn query_credentials_never_reach_the_journal_and_an_empty_token_never_authenticates() {
    let c = Client::start_with(ServeConfig {
        token: String::new(),
        ..config("generic")
    })
    .await;
    let r = c
        .raw(
            Method::GET,
            "/Users?access_token=s3cret&count=1",
            None,
            Vec::new(),
            Some("Bearer "),
        )
        .await;
    assert_eq!(r.status, 401);
    let j = c.get("/_scimock/requests").await;
    assert!(!j.text.contains("s3cret"), "{}", j.text);
    assert!(j.text.contains("access_token=[redacted]"), "{}", j.text);
}

/// A bulk load respects the vendor's directory limit (Atlassian's 20,000 users, here lowered
/// to 6): loading up to it works, past it is a 409 that says how many fit, and the API's
/// create beyond it gets the vendor's refusal.
#[tokio::test]
async fn a_bulk_load_stops_at_the_vendors_directory_limit() {
    let c = start("atlassian", 0, &[("writes.max_users.max", json!(6))]).await;
    let have = c.get("/Users").await.body["totalResults"].as_u64().unwrap();
    assert!(have < 6, "{have}");
    let users = |n: u64, tag: &str| {
        Value::Array(
            (0..n)
                .map(|i| {
                    json!({"userName": format!("{tag}{i}@example.com"),
                    "emails": [{"value": format!("{tag}{i}@example.com"), "primary": true}]})
                })
                .collect(),
        )
    };
    let over = c
        .send_with(
            Method::POST,
            "/_scimock/users",
            Some(&users(7 - have, "over")),
            &[],
        )
        .await;
    assert_eq!(over.status, 409, "{}", over.text);
    let msg = over.body["error"].as_str().unwrap();
    assert!(
        msg.contains("at most 6 users")
            && msg.contains(&format!(
                "{} in this load; load at most {}",
                7 - have,
                6 - have
            )),
        "{msg}"
    );
    assert_eq!(
        c.get("/Users").await.body["totalResults"],
        have,
        "nothing loaded"
    );
    let fits = c
        .send_with(
            Method::POST,
            "/_scimock/users",
            Some(&users(6 - have, "fit")),
            &[],
        )
        .await;
    assert_eq!(fits.status, 201, "{}", fits.text);
    let created = c
        .post(
            "/Users",
            &json!({"userName": "one.more@example.com",
                "emails": [{"value": "one.more@example.com", "primary": true}]}),
        )
        .await;
    assert_eq!(created.status, 403, "{}", created.text);
}

/// The journal keeps what the mock answered (the body, up to 64 KiB), so a client's failure
/// can be read next to the request that caused it.
#[tokio::test]
async fn the_journal_keeps_the_response_body() {
    let c = Client::start("generic").await;
    let created = c
        .post("/Users", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "answered@example.com"}))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(c.get("/Users/does-not-exist").await.status, 404);
    let j = c.get("/_scimock/requests").await.body["requests"].clone();
    let entries = j.as_array().unwrap();
    let post = entries.iter().find(|e| e["method"] == "POST").unwrap();
    let answered: Value = serde_json::from_str(post["response_body"].as_str().unwrap()).unwrap();
    assert_eq!(answered, created.body);
    let missing = entries.iter().find(|e| e["status"] == 404).unwrap();
    assert!(
        missing["response_body"]
            .as_str()
            .unwrap()
            .contains("\"status\":\"404\""),
        "{missing}"
    );
}
