//! Quirk tests: Elfsquad.

use super::*;

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
