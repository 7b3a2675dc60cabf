//! One test per documented vendor quirk, named `<vendor>_<quirk id>` after the quirk's id in
//! `fixtures/profiles/<vendor>.json`. `every_quirk_has_a_test` keeps the two in step.

use crate::common::*;
use reqwest::Method;
use scimock_server::ServeConfig;
use serde_json::{Value, json};

const ATL_DIR: &str = "4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77";

#[test]
fn every_quirk_has_a_test() {
    let src = include_str!("vendor_quirks.rs").to_string()
        + include_str!("truto.rs")
        + include_str!("fidelity.rs");
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

// ---------------------------------------------------------------- Attio

#[tokio::test]
async fn attio_count_capped_at_100() {
    let c = start("attio", 150, &[]).await;
    let r = c.get("/Users?count=500").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 100);
    assert_eq!(r.body["itemsPerPage"], 100);
    assert_eq!(r.body["totalResults"], 152);
    let r = c.get("/Users?startIndex=101&count=100").await;
    assert_eq!(
        r.body["itemsPerPage"], 52,
        "itemsPerPage is the number returned"
    );
}

#[tokio::test]
async fn attio_filter_username_and_email_only() {
    let c = start("attio", 0, &[]).await;
    let r = c
        .get(&format!(
            "/Users?filter={}",
            urlencode("userName eq \"john.doe@example.com\"")
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1);
    let r = c
        .get(&format!(
            "/Users?filter={}",
            urlencode("emails.value eq \"JOHN.DOE@example.com\"")
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1);
    for f in [
        "externalId eq \"x\"",
        "userName sw \"j\"",
        "userName eq \"a\" or userName eq \"b\"",
        "displayName eq \"x\"",
    ] {
        let r = c.get(&format!("/Users?filter={}", urlencode(f))).await;
        assert_attio_error(&r, 400, "validation_type");
    }
    let empty = start("attio", 0, &[("filter.unknown_attr_empty", json!(true))]).await;
    let r = empty
        .get(&format!(
            "/Users?filter={}",
            urlencode("externalId eq \"x\"")
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["totalResults"], 0,
        "the switch answers Entra's externalId probe with an empty list"
    );
}

#[tokio::test]
async fn attio_invite_ids() {
    let c = start("attio", 0, &[]).await;
    let r = c.post("/Users", &json!({"userName": "guest@gmail.com", "name": {"givenName": "G", "familyName": "Uest"}})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["active"], true, "pending invites report active:true");
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(c.get(&format!("/Users/{id}")).await.body["active"], true);
    assert!(
        c.mock
            .tenant("attio")
            .unwrap()
            .read()
            .users
            .get(id)
            .unwrap()
            .pending
    );
    let member = c
        .post("/Users", &json!({"userName": "staff@example.com"}))
        .await;
    assert!(
        !c.mock
            .tenant("attio")
            .unwrap()
            .read()
            .users
            .get(member.body["id"].as_str().unwrap())
            .unwrap()
            .pending
    );
}

#[tokio::test]
async fn attio_app_role_top_level() {
    let c = start("attio", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "new@example.com"}))
        .await;
    assert_eq!(r.body["appRole"], "member", "appRole defaults to member");
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "appRole", "value": "admin"}])),
        )
        .await;
    assert_eq!(r.body["appRole"], "admin");
    let r = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.get("appRole").is_none(),
        "appRole is omitted for suspended users: {}",
        r.text
    );
}

#[tokio::test]
async fn attio_unrecognized_role_is_member() {
    let c = start("attio", 0, &[]).await;
    for (sent, stored) in [
        ("owner", "member"),
        ("ADMIN", "admin"),
        ("Member", "member"),
    ] {
        let r = c
            .post(
                "/Users",
                &json!({"userName": format!("{sent}@example.com"), "appRole": sent}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["appRole"], stored, "appRole {sent}: {}", r.text);
    }
    let r = c
        .patch(
            "/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47",
            &patch_op(json!([{"op": "replace", "path": "appRole", "value": "superuser"}])),
        )
        .await;
    assert_eq!(r.body["appRole"], "member", "{}", r.text);
    let kept = start("attio", 0, &[("writes.role", Value::Null)]).await;
    let r = kept
        .post(
            "/Users",
            &json!({"userName": "o@example.com", "appRole": "owner"}),
        )
        .await;
    assert_eq!(r.body["appRole"], "owner", "without the rule: {}", r.text);
}

#[tokio::test]
async fn attio_last_admin_kept() {
    const ADA: &str = "/Users/7c1d9e4f-2a6b-4c8d-9e0f-1a2b3c4d5e6f";
    const JOHN: &str = "/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47";
    let replace = |path: &str, value: Value| {
        patch_op(json!([{"op": "replace", "path": path, "value": value}]))
    };
    let c = start("attio", 0, &[]).await;
    // Ada is the only admin: she can be neither demoted, nor suspended, nor deleted.
    for r in [
        c.patch(ADA, &replace("appRole", json!("member"))).await,
        c.patch(ADA, &replace("active", json!(false))).await,
        c.put(
            ADA,
            &json!({"userName": "ada.admin@example.com", "appRole": "member"}),
        )
        .await,
        c.delete(ADA).await,
    ] {
        assert_attio_error(&r, 400, "validation_type");
        assert!(r.body["message"].as_str().unwrap().contains("last admin"));
    }
    let ada = c.get(ADA).await;
    assert_eq!(
        (ada.body["appRole"].as_str(), ada.body["active"].as_bool()),
        (Some("admin"), Some(true))
    );
    // A suspended admin and a pending invite as admin do not count as another admin.
    let eve = c
        .post(
            "/Users",
            &json!({"userName": "eve@example.com", "appRole": "admin"}),
        )
        .await;
    let eve = format!("/Users/{}", eve.body["id"].as_str().unwrap());
    assert_eq!(
        c.patch(&eve, &replace("active", json!(false))).await.status,
        200
    );
    let invite = c
        .post(
            "/Users",
            &json!({"userName": "inv@unverified.test", "appRole": "admin"}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    assert_attio_error(&c.delete(ADA).await, 400, "validation_type");
    // A PUT that leaves appRole out keeps it (no silent demotion of the last admin).
    let r = c
        .put(
            ADA,
            &json!({"userName": "ada.admin@example.com", "name": {"givenName": "Ada"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["appRole"].as_str()),
        (200, Some("admin")),
        "{}",
        r.text
    );
    // With a second admin, the first may go; then the second is the last.
    let r = c.patch(JOHN, &replace("appRole", json!("admin"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = c.patch(ADA, &replace("appRole", json!("member"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_attio_error(&c.delete(JOHN).await, 400, "validation_type");
    // Other writes to the last admin go through.
    let r = c.patch(JOHN, &replace("name.givenName", json!("Jo"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Roles in loaded data are compared without regard to case.
    let boss = json!([{"userName": "boss@example.com", "appRole": "Admin", "active": true}]);
    let r = c
        .send_with(Method::POST, "/_scimock/users", Some(&boss), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = c.patch(JOHN, &replace("appRole", json!("member"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let boss = c
        .get(&format!(
            "/Users?filter={}",
            urlencode("userName eq \"boss@example.com\"")
        ))
        .await;
    let boss = format!(
        "/Users/{}",
        boss.body["Resources"][0]["id"].as_str().unwrap()
    );
    assert_attio_error(&c.delete(&boss).await, 400, "validation_type");
    // The switch turns the rule off.
    let off = start("attio", 0, &[("writes.role.keep_one", Value::Null)]).await;
    assert_eq!(off.delete(ADA).await.status, 204);
}

#[tokio::test]
async fn attio_patch_paths_limited() {
    let c = start("attio", 0, &[]).await;
    let u = "/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47";
    let ok = c
        .patch(u, &patch_op(json!([{"op": "replace", "value": {"name": {"givenName": "Johnny"}, "active": true}}])))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["name"]["givenName"], "Johnny");
    let rm = c
        .patch(
            u,
            &patch_op(json!([{"op": "remove", "path": "name.familyName"}])),
        )
        .await;
    assert_eq!(rm.status, 200, "{}", rm.text);
    assert!(rm.body["name"].get("familyName").is_none());
    for op in [
        json!({"op": "replace", "path": "title", "value": "x"}),
        json!({"op": "remove", "path": "active"}),
        json!({"op": "replace", "path": "userName", "value": "x@example.com"}),
        json!({"op": "Replace", "path": "active", "value": false}),
    ] {
        let r = c.patch(u, &patch_op(json!([op.clone()]))).await;
        assert_attio_error(&r, 400, "validation_type");
    }
    let no_schemas = c
        .patch(
            u,
            &json!({"Operations": [{"op": "replace", "path": "active", "value": true}]}),
        )
        .await;
    assert_eq!(no_schemas.status, 400, "Attio requires the PatchOp schema");
}

#[tokio::test]
async fn attio_no_content_for_invite_deactivation() {
    let c = start("attio", 0, &[]).await;
    let invite = c
        .post("/Users", &json!({"userName": "pending@gmail.com"}))
        .await;
    let id = invite.body["id"].as_str().unwrap();
    let r = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    // The PATCH cancelled that invite (D:A8); the PUT goes to a second one.
    let second = c
        .post("/Users", &json!({"userName": "pending2@gmail.com"}))
        .await;
    let id = second.body["id"].as_str().unwrap();
    let put = c
        .put(
            &format!("/Users/{id}"),
            &json!({"userName": "pending2@gmail.com", "active": false}),
        )
        .await;
    assert_eq!(put.status, 204, "PUT follows the same rule");
    let member = "/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47";
    let r = c
        .patch(
            member,
            &patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(r.status, 200, "members are answered with the user");
}

#[tokio::test]
async fn attio_delete_suspends() {
    let c = start("attio", 0, &[]).await;
    let u = "/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47";
    assert_eq!(c.delete(u).await.status, 204);
    let r = c.get(u).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["active"], false);
    assert!(r.body.get("appRole").is_none());
    assert_eq!(
        c.get("/Users").await.body["totalResults"],
        2,
        "suspended members are still listed"
    );
}

#[tokio::test]
async fn attio_emails_read_only() {
    let c = start("attio", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "real@example.com", "emails": [{"value": "other@example.com", "primary": true}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["emails"],
        json!([{"value": "real@example.com", "type": "work", "primary": true}])
    );
}

#[tokio::test]
async fn attio_attio_error_envelope() {
    let c = start("attio", 0, &[]).await;
    assert_attio_error(&c.get("/Users/nope").await, 404, "not_found");
    let r = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "Bearer wrong")],
        )
        .await;
    assert_attio_error(&r, 401, "not_authenticated");
    assert_attio_error(
        &c.post("/Users", &json!({"userName": "john.doe@example.com"}))
            .await,
        409,
        "uniqueness_conflict",
    );
    assert_attio_error(
        &c.post("/Users", &json!({"userName": "not-an-email"})).await,
        400,
        "validation_type",
    );
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

#[tokio::test]
async fn attio_retry_after_http_date() {
    let (_c, r) = rate_limited("attio", vec![("rate_limit.read_rps".into(), json!(2))]).await;
    assert_eq!(
        r.body,
        json!({"status_code": 429, "type": "rate_limit_error", "code": "rate_limit_exceeded", "message": "Rate limit exceeded, please try again later"})
    );
    let ra = r.header("retry-after").unwrap();
    assert!(
        ra.ends_with(" GMT") && ra.contains(", "),
        "HTTP-date Retry-After: {ra}"
    );
    assert!(
        r.header("x-ratelimit-reset").is_none(),
        "Atlassian's headers only"
    );
}

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
async fn attio_meta_without_location() {
    let c = start("attio", 0, &[]).await;
    let r = c.get("/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47").await;
    let keys: Vec<&String> = r.body["meta"].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["resourceType", "created", "lastModified"]);
    assert_eq!(r.body["meta"]["created"], "2024-01-01T00:00:00.000Z");
    assert_eq!(
        r.body["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

#[tokio::test]
async fn attio_relative_member_refs() {
    let c = start("attio", 0, &[]).await;
    let r = c.get("/Groups").await;
    assert_eq!(
        r.body["Resources"][0]["members"][0]["$ref"],
        "/scim/v2/Users/3a8f5b2c-9e14-4d7a-b832-1c6f85d90e47"
    );
}

#[tokio::test]
async fn attio_no_service_provider_config() {
    let c = start("attio", 0, &[]).await;
    assert_attio_error(&c.get("/ServiceProviderConfig").await, 404, "not_found");
    assert_attio_error(&c.get("/ResourceTypes").await, 404, "not_found");
    assert_eq!(c.get("/Schemas").await.status, 200);
}

// ---------------------------------------------------------------- Atlassian

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

// ---------------------------------------------------------------- Adra

#[tokio::test]
async fn adra_problem_json_errors() {
    let c = start("adra", 0, &[]).await;
    let r = c.get("/Users/nope").await;
    assert_problem(&r, 404);
    assert_eq!(
        r.body["instance"],
        "/api/organizations/ORG-7F3A2C91/scim/Users/nope"
    );
    assert_eq!(
        r.body["type"],
        "https://tools.ietf.org/html/rfc9110#section-15.5.5"
    );
    let r = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "Bearer wrong")],
        )
        .await;
    assert_problem(&r, 401);
    let switched = start(
        "adra",
        0,
        &[("errors.content_type", json!("application/problem+json"))],
    )
    .await;
    assert_eq!(
        switched.get("/Users/nope").await.header("content-type"),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn adra_organization_scoped_path() {
    let c = start("adra", 0, &[]).await;
    assert!(c.base.ends_with("/api/organizations/ORG-7F3A2C91/scim"));
    let r = c
        .get(&format!(
            "{}/api/organizations/ORG-OTHER/scim/Users",
            c.mock.uri()
        ))
        .await;
    assert_problem(&r, 404);
}

#[tokio::test]
async fn adra_service_configuration_path() {
    let c = start("adra", 0, &[]).await;
    let r = c.get("/serviceConfiguration").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["filter"],
        json!({"supported": true, "maxResults": 200})
    );
    assert_eq!(r.body["etag"], json!({"supported": false}));
    assert_eq!(r.body["sort"], json!({"supported": false}));
    assert_eq!(
        r.body["bulk"],
        json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0})
    );
    assert_eq!(
        r.body["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    assert_eq!(
        r.body["authenticationSchemes"][0]["name"],
        "OAuth Bearer Token"
    );
    assert_problem(&c.get("/ServiceProviderConfig").await, 404);
}

#[tokio::test]
async fn adra_items_per_page_is_page_size() {
    let c = start("adra", 0, &[]).await;
    let r = c.get("/Users").await;
    assert_eq!(r.body["totalResults"], 2);
    assert_eq!(
        r.body["itemsPerPage"], 10,
        "the seed's example: 2 results, itemsPerPage 10"
    );
    assert_eq!(c.get("/Users?count=5").await.body["itemsPerPage"], 5);
}

#[tokio::test]
async fn adra_count_capped_at_200() {
    let c = start("adra", 250, &[]).await;
    let r = c.get("/Users?count=1000").await;
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 200);
    assert_eq!(r.body["itemsPerPage"], 200);
}

#[tokio::test]
async fn adra_filter_eq_username_externalid() {
    let c = start("adra", 0, &[]).await;
    assert_eq!(
        c.get(&format!(
            "/Users?filter={}",
            urlencode("userName eq \"jsmith@example.com\"")
        ))
        .await
        .body["totalResults"],
        1
    );
    let r = c
        .get(&format!(
            "/Users?filter={}",
            urlencode("emails.value eq \"jsmith@example.com\"")
        ))
        .await;
    assert_problem(&r, 400);
    assert_eq!(
        r.body["detail"],
        "Filter attribute 'emails.value' is not supported"
    );
    assert_eq!(
        c.get(&format!(
            "/Groups?filter={}",
            urlencode("displayName eq \"ORG-7F3A2C91|Financial Close|Admin\"")
        ))
        .await
        .body["totalResults"],
        1
    );
}

#[tokio::test]
async fn adra_one_primary_work_email() {
    let c = start("adra", 0, &[]).await;
    let good = json!({"userName": "kim@example.com", "name": {"givenName": "Kim", "familyName": "Lee"}, "emails": [{"type": "work", "value": "kim@example.com", "primary": true}]});
    let mut two = good.clone();
    two["emails"] = json!([{"type": "work", "value": "a@example.com", "primary": true}, {"type": "work", "value": "b@example.com"}]);
    assert_problem(&c.post("/Users", &two).await, 400);
    let mut not_primary = good.clone();
    not_primary["emails"][0]["primary"] = json!(false);
    assert_problem(&c.post("/Users", &not_primary).await, 400);
    let mut home = good.clone();
    home["emails"][0]["type"] = json!("home");
    assert_problem(&c.post("/Users", &home).await, 400);
    let mut no_family = good.clone();
    no_family["name"] = json!({"givenName": "Kim"});
    let r = c.post("/Users", &no_family).await;
    assert_problem(&r, 400);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("name.familyName")
    );
    assert_eq!(c.post("/Users", &good).await.status, 201);
    assert_problem(&c.post("/Users", &good).await, 409);
}

#[tokio::test]
async fn adra_unknown_attributes_dropped() {
    let c = start("adra", 0, &[]).await;
    let r = c
        .post(
            "/Users",
            &json!({"userName": "lou@example.com", "name": {"givenName": "Lou", "familyName": "Reed"}, "emails": [{"type": "work", "value": "lou@example.com", "primary": true}], "favoriteColor": "blue", "urn:example:custom:1.0": {"x": 1}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(!r.text.contains("favoriteColor") && !r.text.contains("urn:example:custom"));
}

#[tokio::test]
async fn adra_meta_resource_type_only() {
    let c = start("adra", 0, &[]).await;
    let r = c.get("/Users/9876fedc-ba09-8765-4321-0fedcba98765").await;
    assert_eq!(r.body["meta"], json!({"resourceType": "User"}));
}

#[tokio::test]
async fn adra_patch_path_required_lenient_ops() {
    let c = start("adra", 0, &[]).await;
    let u = "/Users/9876fedc-ba09-8765-4321-0fedcba98765";
    let r = c
        .patch(u, &patch_op(json!([{"op": "Replace", "path": "active", "value": "false"}, {"op": "replace", "path": "timezone", "value": "Europe/Oslo"}])))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["active"], false);
    assert_eq!(r.body["timezone"], "Europe/Oslo");
    let r = c
        .patch(
            u,
            &patch_op(json!([{"op": "replace", "value": {"active": true}}])),
        )
        .await;
    assert_problem(&r, 400);
}

#[tokio::test]
async fn adra_patch_204() {
    let c = start("adra", 0, &[("patch.response", json!("no_content"))]).await;
    let r = c
        .patch(
            "/Users/9876fedc-ba09-8765-4321-0fedcba98765",
            &patch_op(json!([{"op": "replace", "path": "title", "value": "CFO"}])),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        c.get("/Users/9876fedc-ba09-8765-4321-0fedcba98765")
            .await
            .body["title"],
        "CFO"
    );
}

#[tokio::test]
async fn adra_not_implemented_501() {
    let c = start("adra", 0, &[]).await;
    let g = "/Groups/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    for r in [
        c.post("/Groups", &json!({"displayName": "x"})).await,
        c.put(g, &json!({"displayName": "x"})).await,
        c.delete(g).await,
    ] {
        assert_problem(&r, 501);
        assert_eq!(r.body["title"], "Not Implemented", "{}", r.text);
    }
    assert_eq!(c.get(g).await.status, 200, "the group is still there");
    // A method no route has is still 405; the switch gives the RFC status back.
    assert_problem(&c.send_with(Method::PATCH, "/Users", None, &[]).await, 405);
    let rfc = start("adra", 0, &[("errors.not_offered_status", json!(405))]).await;
    assert_problem(&rfc.delete(g).await, 405);
    // DELETE /Users/{id} is offered unless switched off, then it is 501 too.
    let u = "/Users/9876fedc-ba09-8765-4321-0fedcba98765";
    let no_delete = start("adra", 0, &[("writes.delete", json!(false))]).await;
    assert_problem(&no_delete.delete(u).await, 501);
    assert_eq!(no_delete.get(u).await.status, 200);
    assert_eq!(c.delete(u).await.status, 204);
}

#[tokio::test]
async fn adra_groups_are_access_levels() {
    let c = start("adra", 0, &[]).await;
    assert_problem(&c.post("/Groups", &json!({"displayName": "x"})).await, 501);
    let g = "/Groups/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    let r = c
        .patch(g, &patch_op(json!([{"op": "add", "path": "members", "value": [{"value": "abcdef12-3456-7890-abcd-ef1234567890"}]}])))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2);
    let r = c
        .patch(g, &patch_op(json!([{"op": "remove", "path": "members"}])))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.body
            .get("members")
            .is_none_or(|m| m.as_array().is_some_and(|a| a.is_empty()))
    );
}

// ---------------------------------------------------------------- Elfsquad

#[tokio::test]
async fn elfsquad_base_path_scim_2() {
    let c = start("elfsquad", 0, &[]).await;
    assert!(c.base.ends_with("/scim/2"));
    assert_eq!(c.get("/Users").await.status, 200);
    let bare = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "scimock-token")],
        )
        .await;
    assert_eq!(
        bare.status, 200,
        "the SCIM token is accepted without the Bearer word"
    );
}

#[tokio::test]
async fn elfsquad_username_and_externalid_required() {
    let c = start("elfsquad", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "no.ext@example.com"}))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    assert!(r.body["detail"].as_str().unwrap().contains("externalId"));
    let r = c.post("/Users", &json!({"externalId": "sso-x"})).await;
    assert_scim_error(&r, 400, Some("invalidValue"));
}

#[tokio::test]
async fn elfsquad_work_emails_without_primary() {
    let c = start("elfsquad", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "w@example.com", "externalId": "sso-w", "emails": [{"value": "w@example.com", "type": "work", "primary": true}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["emails"],
        json!([{"value": "w@example.com", "type": "work"}])
    );
    let r = c
        .post("/Users", &json!({"userName": "h@example.com", "externalId": "sso-h", "emails": [{"value": "h@example.com", "type": "home"}]}))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
}

#[tokio::test]
async fn elfsquad_active_defaults_false() {
    let c = start("elfsquad", 0, &[]).await;
    let r = c
        .post(
            "/Users",
            &json!({"userName": "d@example.com", "externalId": "sso-d"}),
        )
        .await;
    assert_eq!(r.body["active"], false);
}

#[tokio::test]
async fn elfsquad_elfsquad_extension_uuids() {
    let c = start("elfsquad", 0, &[]).await;
    let r = c.get("/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e").await;
    let ext = &r.body["urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User"];
    for k in [
        "currencyIso",
        "languageIso",
        "crmAccountId",
        "crmContactId",
        "organizationId",
    ] {
        assert!(
            uuid::Uuid::parse_str(ext[k].as_str().unwrap()).is_ok(),
            "{k}"
        );
    }
}

#[tokio::test]
async fn elfsquad_three_patch_shapes() {
    let c = start("elfsquad", 0, &[]).await;
    let u = "/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e";
    assert_eq!(
        c.patch(
            u,
            &patch_op(json!([{"op": "replace", "path": "name.givenName", "value": "A"}]))
        )
        .await
        .status,
        200
    );
    let r = c.patch(u, &json!({"operations": [{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"role-1\"}"}]}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Roles are write-only (J6, D:E1/D:E2): stored, seen through the admin side, not returned.
    let stored_roles = || {
        c.mock
            .tenant("elfsquad")
            .unwrap()
            .read()
            .users
            .get("b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e")
            .unwrap()
            .to_value()
            .get("roles")
            .map(Value::to_string)
            .unwrap_or_default()
    };
    assert!(stored_roles().contains("role-1"));
    assert!(!r.text.contains("role-1"), "{}", r.text);
    let r = c.patch(u, &json!([{"op": "remove", "path": "roles", "value": [{"value": "{\"value\": \"role-1\"}"}]}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.text.contains("role-1"), "{}", r.text);
    assert!(!stored_roles().contains("role-1"));
}

#[tokio::test]
async fn elfsquad_slash_extension_paths() {
    let c = start("elfsquad", 0, &[]).await;
    let u = "/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e";
    let id = "11111111-2222-4333-8444-555555555555";
    for path in [
        "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User/currencyIso",
        "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User:languageIso",
    ] {
        let r = c
            .patch(
                u,
                &json!({"Operations": [{"op": "replace", "path": path, "value": id}]}),
            )
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    let r = c.get(u).await;
    let ext = &r.body["urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User"];
    assert_eq!(ext["currencyIso"], id);
    assert_eq!(ext["languageIso"], id);
}

#[tokio::test]
async fn elfsquad_simple_filters_only() {
    let c = start("elfsquad", 0, &[]).await;
    assert_eq!(
        c.get(&format!(
            "/Users?filter={}",
            urlencode("externalId eq \"sso-jane.doe\"")
        ))
        .await
        .body["totalResults"],
        1
    );
    for f in [
        "userName eq \"a\" and externalId eq \"b\"",
        "emails[type eq \"work\"]",
        "userName eq \"a\" or userName eq \"b\"",
    ] {
        let r = c.get(&format!("/Users?filter={}", urlencode(f))).await;
        assert_scim_error(&r, 400, Some("invalidFilter"));
        assert_eq!(r.body["detail"], "Complex filters are not supported");
    }
}

#[tokio::test]
async fn elfsquad_no_paging() {
    let c = start("elfsquad", 150, &[]).await;
    let r = c.get("/Users?startIndex=20&count=10").await;
    assert_eq!(r.body["totalResults"], 152);
    assert_eq!(r.body["itemsPerPage"], 152);
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 152);
}

#[tokio::test]
async fn elfsquad_status_as_string() {
    let c = start("elfsquad", 0, &[]).await;
    assert_scim_error(&c.get("/Users/nope").await, 404, None);
}

#[tokio::test]
async fn elfsquad_no_discovery_no_groups() {
    let c = start("elfsquad", 0, &[]).await;
    for p in [
        "/Groups",
        "/ServiceProviderConfig",
        "/Schemas",
        "/ResourceTypes",
    ] {
        assert_scim_error(&c.get(p).await, 404, None);
    }
}

#[tokio::test]
async fn elfsquad_duplicate_409_switch() {
    let c = start("elfsquad", 0, &[]).await;
    let dup = json!({"userName": "jane.doe@example.com", "externalId": "sso-2"});
    assert_scim_error(&c.post("/Users", &dup).await, 409, Some("uniqueness"));
    let as400 = start(
        "elfsquad",
        0,
        &[("writes.duplicate_refusal", json!({"status": 400, "scim_type": "uniqueness", "detail": "A user with this userName already exists"}))],
    )
    .await;
    assert_scim_error(&as400.post("/Users", &dup).await, 400, Some("uniqueness"));
}

#[tokio::test]
async fn attio_groups_exclude_members() {
    let c = start("attio", 0, &[]).await;
    let r = c.get("/Groups?excludedAttributes=members").await;
    assert!(
        r.body["Resources"][0].get("members").is_none(),
        "{}",
        r.text
    );
    assert!(r.body["Resources"][0].get("displayName").is_some());
    let u = c.get("/Users?excludedAttributes=emails").await;
    assert!(
        u.body["Resources"][0].get("emails").is_some(),
        "Users ignore excludedAttributes"
    );
}

// ---------------------------------------------------------------- every vendor

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

// ---------------------------------------------------------------- Slack, GitHub EMU, AWS

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

#[tokio::test]
async fn aws_error_body_carries_schema_request_id_and_timestamp_without_scim_type() {
    let c = start("aws", 0, &[]).await;
    let first = c.get("/Users?filter=title%20eq%20%22x%22").await;
    let second = c.get("/Users/90677c608a-no-such-user").await;
    assert_eq!((first.status, second.status), (400, 404), "{}", first.text);
    for r in [&first, &second] {
        let keys: Vec<&str> = r
            .body
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "schema",
                "schemas",
                "status",
                "detail",
                "exceptionRequestId",
                "timeStamp"
            ],
            "{}",
            r.text
        );
        assert_eq!(
            r.body["schema"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert_eq!(r.body["status"], json!(r.status.to_string()));
        assert!(
            is_uuid(r.body["exceptionRequestId"].as_str().unwrap_or_default()),
            "{}",
            r.text
        );
        assert!(
            is_space_millis(r.body["timeStamp"].as_str().unwrap_or_default()),
            "{}",
            r.text
        );
        assert_eq!(r.header("content-type"), Some("application/scim+json"));
    }
    assert_ne!(
        first.body["exceptionRequestId"], second.body["exceptionRequestId"],
        "every error has its own request id"
    );
    assert!(
        first.body["detail"].as_str().is_some_and(|d| d
            .starts_with("Request is unparsable, syntactically incorrect, or violates schema.")),
        "{}",
        first.text
    );
}

#[tokio::test]
async fn aws_error_body_switches_back_to_rfc_7644() {
    // The 2022 capture (3P:W12) has `schema` only; `--set` selects it, or the RFC's shape.
    let c = start("aws", 0, &[("errors.schema_keys", json!(["schema"]))]).await;
    let r = c.get("/Users/90677c608a-no-such-user").await;
    assert!(
        r.body.get("schema").is_some() && r.body.get("schemas").is_none(),
        "{}",
        r.text
    );
    let c = start(
        "aws",
        0,
        &[
            ("errors.schema_keys", json!(["schemas"])),
            ("errors.scim_type", json!(true)),
            ("errors.request_id", Value::Null),
            ("errors.timestamp", Value::Null),
        ],
    )
    .await;
    let r = c.get("/Users?filter=title%20eq%20%22x%22").await;
    assert_scim_error(&r, 400, Some("invalidFilter"));
    let keys: Vec<&str> = r
        .body
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["schemas", "status", "scimType", "detail"]);
}

#[tokio::test]
async fn slack_errors_are_its_errors_envelope_in_every_answer() {
    let c = start("slack", 0, &[]).await;
    let missing = c.get("/Users/W-no-such-user").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        json!({"Errors": {"description": missing.body["Errors"]["description"], "code": 404}})
    );
    assert!(missing.body["Errors"]["description"].is_string());
    assert_eq!(missing.header("content-type"), Some("application/json"));
    // The 401 and the not-offered answers are in the same envelope.
    let unauth = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "Bearer wrong")],
        )
        .await;
    assert_eq!(unauth.body["Errors"]["code"], json!(401), "{}", unauth.text);
    // Switched back to RFC 7644.
    let c = start(
        "slack",
        0,
        &[
            ("errors.format", json!("scim")),
            ("errors.content_type", json!("application/scim+json")),
        ],
    )
    .await;
    assert_scim_error(&c.get("/Users/W-no-such-user").await, 404, None);
}

#[tokio::test]
async fn github_user_agent_required() {
    let c = start("github", 0, &[]).await;
    // The test client sends a User-Agent, as every real client does.
    assert_eq!(c.get("/Users").await.status, 200);
    let bare = reqwest::Client::new();
    for ua in [None, Some("  ")] {
        let mut req = bare.get(format!("{}/Users", c.base)).bearer_auth(&c.token);
        if let Some(v) = ua {
            req = req.header("user-agent", v);
        }
        let r = Resp::read(req.send().await.expect("the mock answers")).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_scim_error(&r, 403, None);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("User-Agent"),
            "{}",
            r.text
        );
    }
    // Refused before the token is looked at.
    let r = Resp::read(
        bare.get(format!("{}/Users", c.base))
            .send()
            .await
            .expect("the mock answers"),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Each refusal is a client violation with its switch and source.
    let v = c.get("/_scimock/violations").await;
    let list = v.body["violations"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 3, "{}", v.text);
    assert_eq!(list[0]["switch"], "auth.required_headers");
    assert_eq!(list[0]["quirk"], "user-agent-required");
    assert_eq!(list[0]["source"], "D:G2, D:G7, I");
    assert_eq!(list[0]["effect"], "refused");
    assert!(
        list[0]["rule"]
            .as_str()
            .unwrap_or_default()
            .contains("User-Agent"),
        "{}",
        v.text
    );
    // Switched off, a request without one is served.
    let c = start("github", 0, &[("auth.required_headers", Value::Null)]).await;
    let r = Resp::read(
        bare.get(format!("{}/Users", c.base))
            .bearer_auth(&c.token)
            .send()
            .await
            .expect("the mock answers"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Any profile can require a header.
    let c = start(
        "generic",
        0,
        &[(
            "auth.required_headers",
            json!({"names": ["X-Request-Id"], "refusal": {"status": 400, "scim_type": "invalidSyntax", "detail": "{attr} is required"}}),
        )],
    )
    .await;
    let r = c.get("/Users").await;
    assert_scim_error(&r, 400, Some("invalidSyntax"));
    assert_eq!(r.body["detail"], "X-Request-Id is required");
    let r = c
        .send_with(Method::GET, "/Users", None, &[("x-request-id", "1")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn aws_ignored_start_index_is_a_client_violation_and_switches_back() {
    let c = start("aws", 3, &[]).await;
    let r = c.get("/Users?startIndex=3&count=2").await;
    assert_eq!(r.body["startIndex"], 1, "{}", r.text);
    assert_eq!(r.body["Resources"][0]["userName"], "mjack", "{}", r.text);
    let v = c.get("/_scimock/violations").await;
    let list = v.body["violations"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{}", v.text);
    assert_eq!(list[0]["switch"], "list.ignore_start_index");
    assert_eq!(list[0]["quirk"], "no-start-index");
    assert_eq!(list[0]["effect"], "altered");
    // Switched off, startIndex selects the page and cursor pages carry totalResults.
    let c = start(
        "aws",
        3,
        &[
            ("list.ignore_start_index", json!(false)),
            ("list.cursor.total_results", json!(true)),
        ],
    )
    .await;
    let r = c.get("/Users?startIndex=3&count=2").await;
    assert_eq!(r.body["startIndex"], 3, "{}", r.text);
    assert_ne!(r.body["Resources"][0]["userName"], "mjack", "{}", r.text);
    let r = c.get("/Users?cursor&count=2").await;
    assert!(r.body["totalResults"].is_u64(), "{}", r.text);
    assert!(r.body["nextCursor"].is_string(), "{}", r.text);
}

#[tokio::test]
async fn aws_one_value_multi_valued() {
    let c = start("aws", 0, &[]).await;
    let user = |extra: Value| {
        let mut u = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "jdoe", "displayName": "Jane Doe",
            "name": {"givenName": "Jane", "familyName": "Doe"},
            "emails": [{"value": "jdoe@example.com", "type": "work", "primary": true}]
        });
        if let (Some(o), Some(e)) = (u.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        u
    };
    let two_phones = json!({"phoneNumbers": [{"value": "+1 555 0100", "type": "work"}, {"value": "+1 555 0101", "type": "mobile"}]});
    let p = scimock_profile::Profile::builtin("aws").expect("aws");
    let r = c.post("/Users", &user(two_phones.clone())).await;
    assert_vendor_error(&p, &r, 400, "POST with two phone numbers");
    assert!(r.text.contains("phoneNumbers"), "{}", r.text);
    let created = c
        .post(
            "/Users",
            &user(json!({"roles": [{"value": "admin"}], "addresses": [{"locality": "Seattle"}]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap_or_default().to_string();
    let put = c
        .put(
            &format!("/Users/{id}"),
            &user(json!({"roles": [{"value": "a"}, {"value": "b"}]})),
        )
        .await;
    assert_vendor_error(&p, &put, 400, "PUT with two roles");
    let patch = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(
                json!([{"op": "add", "path": "addresses", "value": [{"locality": "Dublin"}]}]),
            ),
        )
        .await;
    assert_vendor_error(&p, &patch, 400, "PATCH adding a second address");
    let kept = c.get(&format!("/Users/{id}")).await;
    assert_eq!(
        kept.body["addresses"].as_array().map(Vec::len),
        Some(1),
        "{}",
        kept.text
    );
    let v = c.get("/_scimock/violations").await;
    let list = v.body["violations"].as_array().cloned().unwrap_or_default();
    let ours: Vec<&Value> = list
        .iter()
        .filter(|v| v["switch"] == "writes.single_value")
        .collect();
    assert_eq!(ours.len(), 3, "{}", v.text);
    assert_eq!(ours[0]["quirk"], "one-value-multi-valued");
    assert_eq!(ours[0]["source"], "D:W6, D:W13");
    // Switched off, two values are stored.
    let c = start("aws", 0, &[("writes.single_value", json!([]))]).await;
    let r = c.post("/Users", &user(two_phones)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["phoneNumbers"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn aws_group_members_not_listed() {
    // GetGroup and ListGroups return no member list; a member filter finds a user's groups
    // (D:W5); the GetGroup example has no `members` attribute (D:W16).
    let user = "90677c608a-7afcdc23-0bd4-4fb7-b2ff-10ccffdff447";
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Group Bar",
        "members": [{"value": user}],
    });
    let c = start("aws", 0, &[]).await;
    let created = c.post("/Groups", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.body["members"][0]["value"], user,
        "the create answer keeps the members it stored"
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    let one = c.get(&format!("/Groups/{id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["displayName"], "Group Bar");
    assert!(one.body.get("members").is_none(), "{}", one.text);
    let all = c.get("/Groups").await;
    let listed = all.body["Resources"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|g| g.get("members").is_none()),
        "{}",
        all.text
    );
    for f in [
        format!("members eq \"{user}\""),
        format!("id eq \"{id}\" and members eq \"{user}\""),
    ] {
        let r = c.get(&format!("/Groups?filter={}", urlencode(&f))).await;
        assert_eq!(r.status, 200, "{f}: {}", r.text);
        let ids: Vec<&str> = r.body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["id"].as_str())
            .collect();
        assert!(ids.contains(&id.as_str()), "{f}: {}", r.text);
        assert!(r.body["Resources"][0].get("members").is_none());
    }
    let f = format!("id eq \"{id}\" and members eq \"90677c608a-no-such-user\"");
    let r = c.get(&format!("/Groups?filter={}", urlencode(&f))).await;
    assert_eq!(r.body["totalResults"], 0, "{}", r.text);

    let c = start("aws", 0, &[("groups.members_in_reads", json!(true))]).await;
    let created = c.post("/Groups", &body).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let one = c.get(&format!("/Groups/{id}")).await;
    assert_eq!(one.body["members"][0]["value"], user, "{}", one.text);
}
