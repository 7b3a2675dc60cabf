//! Quirk tests: Adra.

use super::*;

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
    let r = c.get_with_wrong_token("/Users").await;
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
