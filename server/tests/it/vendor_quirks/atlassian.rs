//! Quirk tests: Atlassian.

use super::*;

#[tokio::test]
async fn atlassian_directory_user_limit() {
    let new_user = |n: u32| json!({"userName": format!("limit{n}@example.com"), "emails": [{"value": format!("limit{n}@example.com"), "primary": true}]});
    // The documented 20,000: a directory that holds them refuses one more.
    let full = start("atlassian", 20_000, &[]).await;
    let r = full.post("/Users", &new_user(0)).await;
    assert_scim_error(&r, 403, None);
    assert!(
        r.body["detail"].as_str().unwrap().contains("20000"),
        "{}",
        r.text
    );
    // A smaller cap: one more fits, then none until a user is deleted.
    let count = start("atlassian", 0, &[]).await.get("/Users").await.body["totalResults"]
        .as_u64()
        .unwrap();
    let c = start(
        "atlassian",
        0,
        &[("writes.max_users.max", json!(count + 1))],
    )
    .await;
    let first = c.post("/Users", &new_user(1)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_scim_error(&c.post("/Users", &new_user(2)).await, 403, None);
    // A duplicate is a duplicate, full or not.
    assert_scim_error(
        &c.post("/Users", &new_user(1)).await,
        409,
        Some("uniqueness"),
    );
    let id = first.body["id"].as_str().unwrap();
    assert_eq!(c.delete(&format!("/Users/{id}")).await.status, 204);
    assert_eq!(c.post("/Users", &new_user(2)).await.status, 201);
    // The switch removes the cap.
    let off = start("atlassian", 20_000, &[("writes.max_users", Value::Null)]).await;
    assert_eq!(off.post("/Users", &new_user(3)).await.status, 201);
}

#[tokio::test]
async fn atlassian_rate_limit_headers() {
    let (c, r) = rate_limited("atlassian", vec![("rate_limit.read_rps".into(), json!(2))]).await;
    assert_scim_error(&r, 429, None);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    let reset = r.header("x-ratelimit-reset").unwrap();
    let b = reset.as_bytes();
    assert!(
        b.len() == 17 && b[4] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b'Z',
        "yyyy-MM-ddTHH:mmZ: {reset}"
    );
    // Rounded up to the minute: never before the moment Retry-After names.
    let at = time::OffsetDateTime::parse(
        &format!("{}:00Z", &reset[..16]),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        at >= time::OffsetDateTime::now_utc() + time::Duration::seconds(1)
            - time::Duration::milliseconds(500)
    );
    // An injected 429 on a write names the write limit.
    let rule = json!({"status": 429, "times": 1, "match": {"method": "POST"}});
    let r = c
        .send_with(Method::POST, "/_scimock/faults", Some(&rule), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = c
        .post("/Users", &json!({"userName": "x@example.com"}))
        .await;
    assert_eq!(
        (r.status, r.header("x-ratelimit-limit")),
        (429, Some("25")),
        "{}",
        r.text
    );
    // The switch turns them off.
    let off = vec![
        ("rate_limit.read_rps".into(), json!(1)),
        ("rate_limit.x_ratelimit_headers".into(), json!(false)),
    ];
    let (_off, r) = rate_limited("atlassian", off).await;
    assert!(r.header("x-ratelimit-reset").is_none());
}

#[tokio::test]
async fn atlassian_directory_scoped_path() {
    let c = start("atlassian", 0, &[]).await;
    assert!(c.base.ends_with(&format!("/scim/directory/{ATL_DIR}")));
    let r = c
        .get(&format!("{}/scim/directory/not-mine/Users", c.mock.uri()))
        .await;
    assert_scim_error(&r, 404, None);
    assert_eq!(
        c.get(&format!("{}/scim/v2/Users", c.mock.uri()))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn atlassian_single_eq_filter() {
    let c = start("atlassian", 0, &[]).await;
    assert_eq!(
        c.get(&format!(
            "/Users?filter={}",
            urlencode("userName eq \"alice@example.com\"")
        ))
        .await
        .body["totalResults"],
        1
    );
    assert_eq!(
        c.get(&format!(
            "/Users?filter={}",
            urlencode("externalId eq \"00u1a2b3c4d5e6f7g8h9\"")
        ))
        .await
        .body["totalResults"],
        1
    );
    for f in [
        "emails.value eq \"alice@example.com\"",
        "userName eq \"a\" and externalId eq \"b\"",
        "userName sw \"a\"",
        "not (userName eq \"a\")",
    ] {
        let r = c.get(&format!("/Users?filter={}", urlencode(f))).await;
        assert_scim_error(&r, 400, Some("invalidFilter"));
        assert_eq!(
            r.body["detail"],
            "Only a single 'eq' filter on userName or externalId is supported"
        );
    }
    assert_eq!(
        c.get(&format!(
            "/Groups?filter={}",
            urlencode("displayName eq \"jira-software-users\"")
        ))
        .await
        .body["totalResults"],
        1
    );
    assert_scim_error(
        &c.get(&format!(
            "/Groups?filter={}",
            urlencode("displayName sw \"jira\"")
        ))
        .await,
        400,
        Some("invalidFilter"),
    );
}

#[tokio::test]
async fn atlassian_sorting_unsupported() {
    let c = start("atlassian", 0, &[]).await;
    let r = c.get("/Users?sortBy=userName&sortOrder=descending").await;
    assert_eq!(
        user_names(&r),
        vec!["alice@example.com", "bob@example.com"],
        "sortBy is ignored"
    );
    let strict = start(
        "atlassian",
        0,
        &[("sort.reject_when_unsupported", json!(true))],
    )
    .await;
    assert_scim_error(
        &strict.get("/Users?sortBy=userName").await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn atlassian_count_capped_at_100() {
    let c = start("atlassian", 250, &[]).await;
    let r = c.get("/Users").await;
    assert_eq!(r.body["itemsPerPage"], 100, "100 per page by default");
    let r = c.get("/Users?startIndex=101&count=200").await;
    assert_eq!(r.body["itemsPerPage"], 100);
    assert_eq!(r.body["startIndex"], 101);
    assert_eq!(
        r.body["Resources"][0]["userName"], "user99@example.com",
        "users 101.. (two fixture users first)"
    );
}

#[tokio::test]
async fn atlassian_attributes_mutually_exclusive() {
    let c = start("atlassian", 0, &[]).await;
    let r = c
        .get("/Users?attributes=userName&excludedAttributes=emails")
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = c.get("/Users?attributes=userName,emails.value").await;
    assert_eq!(
        r.body["Resources"][0]["emails"],
        json!([{"value": "alice@example.com"}])
    );
    assert!(r.body["Resources"][0].get("name").is_none());
    let r = c
        .get("/Users?excludedAttributes=timezone,emails.type,department")
        .await;
    let u = &r.body["Resources"][0];
    assert!(u.get("timezone").is_none() && u.get("department").is_none());
    assert!(u["emails"][0].get("type").is_none() && u["emails"][0].get("value").is_some());
}

#[tokio::test]
async fn atlassian_atlassian_external_extension() {
    let c = start("atlassian", 0, &[]).await;
    let r = c.post("/Users", &json!({"userName": "carol@example.com", "emails": [{"value": "carol@example.com", "primary": true}]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["schemas"],
        json!([
            "urn:scim:schemas:extension:atlassian-external:1.0",
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ])
    );
    let acc = r.body["urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(acc.len(), 24);
    let id = r.body["id"].as_str().unwrap();
    let put = c
        .put(
            &format!("/Users/{id}"),
            &json!({"userName": "carol@example.com", "emails": [{"value": "carol@example.com", "primary": true}], "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "hijack"}}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(
        put.body["urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"], acc,
        "read-only"
    );
}

#[tokio::test]
async fn atlassian_department_mirrored() {
    let c = start("atlassian", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "dave@example.com", "emails": [{"value": "dave@example.com", "primary": true}], "department": "Legal", "organization": "Example Corp"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["department"], "Legal");
    assert_eq!(
        r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Legal"
    );
    assert_eq!(r.body["organization"], "Example Corp");
    let id = r.body["id"].as_str().unwrap();
    let p = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "department", "value": "Tax"}])),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["department"], "Tax");
    assert_eq!(
        p.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Tax"
    );
}

#[tokio::test]
async fn atlassian_delete_then_404() {
    let c = start("atlassian", 0, &[]).await;
    let u = "/Users/0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d";
    assert_eq!(c.delete(u).await.status, 204);
    assert_scim_error(&c.get(u).await, 404, None);
    assert_scim_error(
        &c.patch(
            u,
            &patch_op(json!([{"op": "replace", "path": "active", "value": true}])),
        )
        .await,
        404,
        None,
    );
    assert_scim_error(
        &c.put(u, &json!({"userName": "bob@example.com"})).await,
        404,
        None,
    );
    assert_scim_error(&c.delete(u).await, 404, None);
    let again = c
        .post(
            "/Users",
            &json!({"userName": "bob@example.com", "emails": [{"value": "bob@example.com", "primary": true}]}),
        )
        .await;
    assert_eq!(again.status, 201, "re-create with POST");
}

#[tokio::test]
async fn atlassian_verified_domains_only() {
    let c = start("atlassian", 0, &[]).await;
    let r = c
        .post(
            "/Users",
            &json!({"userName": "eve@gmail.com", "emails": [{"value": "eve@gmail.com", "primary": true}]}),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    assert!(r.body["detail"].as_str().unwrap().contains("gmail.com"));
    let r = c
        .post(
            "/Users",
            &json!({"userName": "alice@example.com", "emails": [{"value": "alice@example.com", "primary": true}]}),
        )
        .await;
    assert_scim_error(&r, 409, Some("uniqueness"));
    assert_eq!(r.body["detail"], "User already exists");
    let r = c
        .post("/Users", &json!({"userName": "noemail@example.com"}))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
}

#[tokio::test]
async fn atlassian_operations_key_either_case() {
    let c = start("atlassian", 0, &[]).await;
    let u = "/Users/f3a7c2e1-9b4d-4e6f-8a1c-2d3e4f5a6b7c";
    let r = c
        .patch(
            u,
            &json!({"operations": [{"op": "replace", "path": "title", "value": "VP"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["title"], "VP");
    let r = c
        .patch(
            u,
            &json!({"Operations": [{"op": "Replace", "path": "nickName", "value": "Al"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // atlassian-python-api sends application/json and form-encoded filters.
    let r = c
        .http
        .patch(format!("{}{u}", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/json")
        .body(
            json!({"Operations": [{"op": "replace", "path": "title", "value": "CTO"}]}).to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        c.get("/Users?filter=userName+eq+%22alice@example.com%22")
            .await
            .body["totalResults"],
        1
    );
}

#[tokio::test]
async fn atlassian_group_rename_refused() {
    let c = start("atlassian", 0, &[]).await;
    let g = "/Groups/9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a";
    let r = c
        .patch(
            g,
            &patch_op(json!([{"op": "replace", "path": "displayName", "value": "renamed"}])),
        )
        .await;
    assert_scim_error(&r, 400, Some("mutability"));
    let r = c
        .patch(g, &patch_op(json!([{"op": "add", "path": "members", "value": [{"value": "0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"}]}])))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let dup = c
        .post("/Groups", &json!({"displayName": "JIRA-software-users"}))
        .await;
    assert_scim_error(&dup, 409, Some("uniqueness"));
}

#[tokio::test]
async fn atlassian_microsecond_timestamps() {
    let c = start("atlassian", 0, &[]).await;
    let r = c.get("/Users/0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d").await;
    assert_eq!(
        r.body["meta"]["lastModified"],
        "2023-08-21T17:40:02.512345Z"
    );
    assert_eq!(
        r.body["meta"]["location"],
        format!("{}/Users/0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", c.base)
    );
    assert_eq!(r.body["groups"], json!([]), "groups:[] when empty");
    let created = c
        .post(
            "/Users",
            &json!({"userName": "fred@example.org", "emails": [{"value": "fred@example.org", "primary": true}]}),
        )
        .await;
    let ts = created.body["meta"]["created"].as_str().unwrap();
    assert_eq!(ts.len(), "2021-02-16T15:05:41.185473Z".len(), "{ts}");
}
