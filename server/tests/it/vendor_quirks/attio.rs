//! Quirk tests: Attio.

use super::*;

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
    let r = c.get_with_wrong_token("/Users").await;
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
