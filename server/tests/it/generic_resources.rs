//! HTTP-level behaviour of the generic RFC 7644 profile: Users and Groups CRUD, PATCH,
//! ETags, discovery and error bodies.

use crate::common::*;
use reqwest::Method;
use scimock_profile::ErrorFormat;
use serde_json::{Value, json};

const BJENSEN: &str = "2819c223-7f76-453a-919d-413861904646";
const JSMITH: &str = "c75ad752-64ae-4823-840d-ffa80929976c";
const GROUP: &str = "e9e30dba-f08f-4109-8486-d5c6a331660a";

fn new_user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "New", "familyName": "User"},
        "emails": [{"value": name, "type": "work", "primary": true}],
        "password": "hunter2",
        "id": "client-chosen-id-is-ignored"
    })
}

#[tokio::test]
async fn create_answers_201_with_location_etag_and_full_meta() {
    let c = Client::start("generic").await;
    let r = c.post("/Users", &new_user("new@example.com")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap();
    assert_ne!(id, "client-chosen-id-is-ignored");
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    let loc = r.header("location").unwrap();
    assert_eq!(loc, format!("{}/Users/{id}", c.base));
    assert_eq!(r.body["meta"]["location"], loc);
    assert_eq!(r.body["meta"]["resourceType"], "User");
    assert!(r.body["meta"]["created"].as_str().is_some());
    assert!(r.body["meta"]["lastModified"].as_str().is_some());
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with("W/\""), "weak ETag: {etag}");
    assert_eq!(r.body["meta"]["version"], etag);
    assert!(
        r.body.get("password").is_none(),
        "returned:never attribute leaked"
    );
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    let got = c.get(&format!("/Users/{id}")).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("password").is_none());
    assert_eq!(got.body["userName"], "new@example.com");
}

#[tokio::test]
async fn duplicate_user_name_is_409_uniqueness_case_insensitively() {
    let c = Client::start("generic").await;
    let r = c.post("/Users", &new_user("BJENSEN@example.com")).await;
    assert_scim_error(&r, 409, Some("uniqueness"));
}

#[tokio::test]
async fn missing_user_name_is_400_and_wrong_types_are_invalid_value() {
    let c = Client::start("generic").await;
    let r = c.post("/Users", &json!({"name": {"givenName": "x"}})).await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = c
        .post(
            "/Users",
            &json!({"userName": "t@example.com", "active": "yes"}),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = c.post("/Users", &json!({"userName": 42})).await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = c
        .post(
            "/Users",
            &json!({"userName": "t@example.com", "emails": {"value": "x"}}),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
}

#[tokio::test]
async fn malformed_json_empty_bodies_and_non_objects_are_invalid_syntax() {
    let c = Client::start("generic").await;
    for body in ["{bad", "", "[1,2]", "\"str\""] {
        let r = c
            .http
            .post(format!("{}/Users", c.base))
            .bearer_auth(&c.token)
            .header("content-type", "application/scim+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "body {body:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["scimType"], "invalidSyntax", "body {body:?}: {v}");
    }
}

#[tokio::test]
async fn unsupported_media_types_are_415_and_json_or_scim_json_are_accepted() {
    let c = Client::start("generic").await;
    let send = |ct: &'static str, name: &'static str| {
        let c = &c;
        async move {
            c.http
                .post(format!("{}/Users", c.base))
                .bearer_auth(&c.token)
                .header("content-type", ct)
                .body(json!({"userName": name}).to_string())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(send("text/plain", "a@example.com").await, 415);
    assert_eq!(send("application/xml", "b@example.com").await, 415);
    assert_eq!(send("application/json", "c@example.com").await, 201);
    assert_eq!(
        send("application/scim+json; charset=utf-8", "d@example.com").await,
        201
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let c = Client::start("generic").await;
    let big = "x".repeat(1024 * 1024 + 10);
    let r = c
        .http
        .post(format!("{}/Users", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/scim+json")
        .body(format!("{{\"userName\":\"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "413");
    // The server keeps serving.
    assert_eq!(c.get("/Users").await.status, 200);
}

#[tokio::test]
async fn put_replaces_ignores_read_only_and_clears_unspecified_attributes() {
    let c = Client::start("generic").await;
    let before = c.get(&format!("/Users/{BJENSEN}")).await;
    let r = c
        .put(
            &format!("/Users/{BJENSEN}"),
            &json!({"userName": "bjensen@example.com", "id": "other", "meta": {"created": "1999-01-01T00:00:00Z"}, "displayName": "B"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], BJENSEN);
    assert_eq!(r.body["displayName"], "B");
    assert!(
        r.body.get("nickName").is_none(),
        "PUT must clear unspecified attributes"
    );
    assert_eq!(r.body["meta"]["created"], before.body["meta"]["created"]);
    assert_ne!(r.body["meta"]["version"], before.body["meta"]["version"]);
    // groups is read-only and survives a PUT.
    assert_eq!(r.body["groups"][0]["value"], GROUP);
}

#[tokio::test]
async fn put_and_patch_of_unknown_ids_are_404() {
    let c = Client::start("generic").await;
    assert_scim_error(
        &c.put("/Users/nope", &json!({"userName": "x"})).await,
        404,
        None,
    );
    assert_scim_error(
        &c.patch(
            "/Users/nope",
            &patch_op(json!([{"op": "add", "path": "nickName", "value": "x"}])),
        )
        .await,
        404,
        None,
    );
    assert_scim_error(&c.delete("/Users/nope").await, 404, None);
    assert_scim_error(&c.get("/Users/nope").await, 404, None);
}

#[tokio::test]
async fn patch_applies_value_path_filters_and_answers_200_with_the_resource() {
    let c = Client::start("generic").await;
    let r = c
        .patch(
            &format!("/Users/{BJENSEN}"),
            &patch_op(json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "barbara@example.com"},
                {"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0000", "type": "mobile"}]},
                {"op": "remove", "path": "emails[type eq \"home\"]"},
                {"op": "replace", "value": {"nickName": "Barb", "name.givenName": "Barbie"}}
            ])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let emails = r.body["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["value"], "barbara@example.com");
    assert_eq!(r.body["phoneNumbers"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["nickName"], "Barb");
    assert_eq!(r.body["name"]["givenName"], "Barbie");
    // The email index follows the patch.
    let f = c
        .get("/Users?filter=emails.value%20eq%20%22BARBARA@example.com%22")
        .await;
    assert_eq!(f.body["totalResults"], 1);
}

#[tokio::test]
async fn patch_is_all_or_nothing() {
    let c = Client::start("generic").await;
    let r = c
        .patch(
            &format!("/Users/{BJENSEN}"),
            &patch_op(json!([
                {"op": "replace", "path": "nickName", "value": "Changed"},
                {"op": "replace", "path": "emails[type eq \"fax\"].value", "value": "x"}
            ])),
        )
        .await;
    assert_scim_error(&r, 400, Some("noTarget"));
    let after = c.get(&format!("/Users/{BJENSEN}")).await;
    assert_eq!(
        after.body["nickName"], "Babs",
        "first operation must not have been applied"
    );
}

#[tokio::test]
async fn patch_errors_carry_rfc_scim_types() {
    let c = Client::start("generic").await;
    let u = format!("/Users/{BJENSEN}");
    assert_scim_error(
        &c.patch(
            &u,
            &patch_op(json!([{"op": "replace", "path": "id", "value": "x"}])),
        )
        .await,
        400,
        Some("mutability"),
    );
    assert_scim_error(
        &c.patch(&u, &patch_op(json!([{"op": "remove"}]))).await,
        400,
        Some("noTarget"),
    );
    assert_scim_error(
        &c.patch(
            &u,
            &patch_op(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
        )
        .await,
        400,
        Some("invalidPath"),
    );
    assert_scim_error(
        &c.patch(
            &u,
            &patch_op(json!([{"op": "frobnicate", "path": "nickName", "value": "x"}])),
        )
        .await,
        400,
        Some("invalidSyntax"),
    );
    assert_scim_error(&c.patch(&u, &json!({"Operations": [{"op": "add", "path": "nickName", "value": "x"}], "schemas": ["urn:wrong"]})).await, 400, Some("invalidSyntax"));
    assert_scim_error(
        &c.patch(
            &u,
            &patch_op(json!([{"op": "replace", "path": "active", "value": "false"}])),
        )
        .await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn remove_of_user_name_is_refused_because_it_is_required() {
    let c = Client::start("generic").await;
    let r = c
        .patch(
            &format!("/Users/{BJENSEN}"),
            &patch_op(json!([{"op": "remove", "path": "userName"}])),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn delete_answers_204_then_404_and_removes_group_membership() {
    let c = Client::start("generic").await;
    let r = c.delete(&format!("/Users/{JSMITH}")).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    assert_scim_error(&c.get(&format!("/Users/{JSMITH}")).await, 404, None);
    assert_scim_error(&c.delete(&format!("/Users/{JSMITH}")).await, 404, None);
    let g = c.get(&format!("/Groups/{GROUP}")).await;
    let members: Vec<&str> = g.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(members, vec![BJENSEN]);
}

#[tokio::test]
async fn if_match_mismatch_is_412_and_if_none_match_is_304() {
    let c = Client::start("generic").await;
    let u = format!("/Users/{BJENSEN}");
    let r = c.get(&u).await;
    let etag = r.header("etag").unwrap().to_string();
    let nm = c
        .send_with(Method::GET, &u, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(nm.status, 304);
    assert_eq!(nm.header("etag"), Some(etag.as_str()));
    let stale = c
        .send_with(
            Method::PUT,
            &u,
            Some(&json!({"userName": "bjensen@example.com"})),
            &[("if-match", "W/\"0\"")],
        )
        .await;
    assert_scim_error(&stale, 412, None);
    let stale_patch = c
        .send_with(
            Method::PATCH,
            &u,
            Some(&patch_op(
                json!([{"op": "add", "path": "title", "value": "x"}]),
            )),
            &[("if-match", "W/\"0\"")],
        )
        .await;
    assert_eq!(stale_patch.status, 412);
    let stale_delete = c
        .send_with(Method::DELETE, &u, None, &[("if-match", "W/\"0\"")])
        .await;
    assert_eq!(stale_delete.status, 412);
    let ok = c
        .send_with(
            Method::PUT,
            &u,
            Some(&json!({"userName": "bjensen@example.com"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(ok.status, 200);
    let again = c
        .send_with(
            Method::PUT,
            &u,
            Some(&json!({"userName": "bjensen@example.com"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 412, "the old ETag is stale after a write");
}

#[tokio::test]
async fn attributes_and_excluded_attributes_apply_to_reads_and_write_responses() {
    let c = Client::start("generic").await;
    let r = c
        .get(&format!(
            "/Users/{BJENSEN}?attributes=userName,name.givenName"
        ))
        .await;
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["schemas", "id", "userName", "name", "meta"]);
    assert_eq!(r.body["name"], json!({"givenName": "Barbara"}));
    let r = c
        .get(&format!(
            "/Users/{BJENSEN}?excludedAttributes=emails,name,id"
        ))
        .await;
    assert!(r.body.get("emails").is_none() && r.body.get("name").is_none());
    assert_eq!(r.body["id"], BJENSEN, "id is always returned");
    let r = c
        .post("/Users?attributes=userName", &new_user("proj@example.com"))
        .await;
    assert_eq!(r.status, 201);
    assert!(r.body.get("emails").is_none());
    assert_eq!(r.body["userName"], "proj@example.com");
    let r = c.get(&format!("/Users/{BJENSEN}?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")).await;
    assert_eq!(
        r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"department": "Tour Operations"})
    );
}

#[tokio::test]
async fn group_members_must_exist_and_user_groups_reflect_membership() {
    let c = Client::start("generic").await;
    let bad = c
        .post(
            "/Groups",
            &json!({"displayName": "Bad", "members": [{"value": "no-such-user"}]}),
        )
        .await;
    assert_scim_error(&bad, 400, Some("invalidValue"));
    let g = c
        .post(
            "/Groups",
            &json!({"displayName": "Ops", "members": [{"value": JSMITH}]}),
        )
        .await;
    assert_eq!(g.status, 201, "{}", g.text);
    let gid = g.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        g.body["members"][0]["$ref"],
        format!("{}/Users/{JSMITH}", c.base)
    );
    let u = c.get(&format!("/Users/{JSMITH}")).await;
    let gs: Vec<&str> = u.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["value"].as_str().unwrap())
        .collect();
    assert!(gs.contains(&gid.as_str()) && gs.contains(&GROUP));
    // PATCH the group: remove the member; User.groups follows.
    let p = c
        .patch(
            &format!("/Groups/{gid}"),
            &patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{JSMITH}\"]")}])),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    let u = c.get(&format!("/Users/{JSMITH}")).await;
    assert!(!u.text.contains(&gid));
    // Users cannot write groups directly (read-only): a PATCH is refused.
    let r = c
        .patch(
            &format!("/Users/{JSMITH}"),
            &patch_op(json!([{"op": "add", "path": "groups", "value": [{"value": gid}]}])),
        )
        .await;
    assert_scim_error(&r, 400, Some("mutability"));
    // Group PUT and DELETE.
    let put = c
        .put(
            &format!("/Groups/{gid}"),
            &json!({"displayName": "Ops 2", "members": [{"value": BJENSEN}]}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(c.delete(&format!("/Groups/{gid}")).await.status, 204);
    assert_eq!(c.get(&format!("/Groups/{gid}")).await.status, 404);
    let u = c.get(&format!("/Users/{BJENSEN}")).await;
    assert!(!u.text.contains(&gid));
}

#[tokio::test]
async fn discovery_describes_what_the_server_does_and_refuses_writes() {
    let c = Client::start("generic").await;
    let spc = c.get("/ServiceProviderConfig").await;
    assert_eq!(spc.status, 200);
    assert_eq!(
        spc.body["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    assert_eq!(spc.body["filter"]["maxResults"], 1000);
    assert_eq!(spc.body["sort"]["supported"], true);
    assert_eq!(spc.body["etag"]["supported"], true);
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["bulk"]["supported"], false);
    assert_eq!(spc.body["pagination"]["cursor"], true);
    let rt = c.get("/ResourceTypes").await;
    assert_eq!(rt.body["totalResults"], 2);
    let user_rt = c.get("/ResourceTypes/User").await;
    assert_eq!(user_rt.body["endpoint"], "/Users");
    assert_eq!(
        user_rt.body["schemaExtensions"][0]["schema"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    let schemas = c.get("/Schemas").await;
    let ids: Vec<&str> = schemas.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"urn:ietf:params:scim:schemas:core:2.0:User"));
    assert!(ids.contains(&"urn:ietf:params:scim:schemas:core:2.0:Group"));
    let one = c
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert_eq!(one.status, 200);
    assert!(
        one.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "userName" && a["uniqueness"] == "server")
    );
    for path in ["/ServiceProviderConfig", "/Schemas", "/ResourceTypes"] {
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let r = c.send_with(m.clone(), path, Some(&json!({})), &[]).await;
            assert_scim_error(&r, 405, None);
        }
    }
    assert_eq!(c.get("/Schemas?filter=id%20pr").await.status, 403);
    assert_eq!(c.get("/Schemas/urn:nope").await.status, 404);
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_in_scim_format() {
    let c = Client::start("generic").await;
    assert_scim_error(&c.get("/Nope").await, 404, None);
    assert_scim_error(
        &c.get(&format!("{}/not-scim-at-all", c.mock.uri())).await,
        404,
        None,
    );
    assert_scim_error(
        &c.send_with(Method::DELETE, "/Users", None, &[]).await,
        405,
        None,
    );
    assert_scim_error(
        &c.send_with(
            Method::POST,
            &format!("/Users/{BJENSEN}"),
            Some(&json!({})),
            &[],
        )
        .await,
        405,
        None,
    );
}

#[tokio::test]
async fn missing_and_wrong_tokens_are_401_with_www_authenticate() {
    let c = Client::start("generic").await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic c2NpbTpzY2lt"),
        Some("scimock-token"),
    ] {
        let r = c.raw(Method::GET, "/Users", None, vec![], auth).await;
        assert_eq!(r.status, 401, "{auth:?}");
        assert!(r.header("www-authenticate").is_some());
        assert_eq!(r.body["status"], "401", "{}", r.text);
    }
    let ok = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("authorization", "bearer scimock-token")],
        )
        .await;
    assert_eq!(ok.status, 200, "the scheme is case-insensitive");
}

#[tokio::test]
async fn search_endpoints_accept_search_requests() {
    let c = Client::start("generic").await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"j\"", "attributes": ["userName"], "sortBy": "userName", "startIndex": 1, "count": 10
    });
    for path in ["/Users/.search", "/.search"] {
        let r = c.post(path, &body).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(
            user_names(&r),
            vec!["jdoe@example.com", "jsmith@example.com"]
        );
    }
    let g = c
        .post(
            "/Groups/.search",
            &json!({"filter": "displayName eq \"tour guides\""}),
        )
        .await;
    assert_eq!(g.body["totalResults"], 1);
    let bad = c
        .post("/Users/.search", &json!({"schemas": ["urn:nope"]}))
        .await;
    assert_scim_error(&bad, 400, Some("invalidSyntax"));
}

#[tokio::test]
async fn root_search_covers_every_resource_type() {
    let c = Client::start("generic").await;
    let all = c
        .post(
            "/.search",
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}),
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["totalResults"], 4, "3 users and 1 group");
    let types: Vec<&str> = all.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["User", "User", "User", "Group"]);
    let g = c
        .post(
            "/.search",
            &json!({"filter": "displayName eq \"Tour Guides\"", "attributes": ["displayName"]}),
        )
        .await;
    assert_eq!(g.body["totalResults"], 1);
    assert_eq!(g.body["Resources"][0]["id"], GROUP);
    let sorted = c
        .post("/.search", &json!({"sortBy": "meta.created", "count": 2}))
        .await;
    assert_eq!(sorted.body["itemsPerPage"], 2);
    assert_eq!(sorted.body["Resources"][0]["id"], BJENSEN, "2010 first");
}

#[tokio::test]
async fn a_get_at_the_base_queries_every_resource_type() {
    let c = Client::start("generic").await;
    // RFC 7644 §3.4.2.1, at the base with and without the trailing slash clients add.
    for base in ["", "/"] {
        let all = c.get(&format!("{base}?sortBy=meta.created")).await;
        assert_eq!(all.status, 200, "{base:?}: {}", all.text);
        assert_eq!(all.body["totalResults"], 4, "3 users and 1 group");
        assert_eq!(all.body["Resources"][0]["id"], BJENSEN, "2010 first");
        let g = c
            .get(&format!(
                "{base}?filter=displayName%20eq%20%22Tour%20Guides%22&attributes=displayName"
            ))
            .await;
        assert_eq!(g.body["totalResults"], 1, "{}", g.text);
        assert_eq!(g.body["Resources"][0]["id"], GROUP);
        assert_scim_error(
            &c.get(&format!("{base}?filter=userName%20eq")).await,
            400,
            Some("invalidFilter"),
        );
        let anonymous = c
            .send_with(
                Method::GET,
                &format!("{base}?count=1"),
                None,
                &[("authorization", "Bearer nope")],
            )
            .await;
        assert_scim_error(&anonymous, 401, None);
    }
    let post = c.send_with(Method::POST, "/", Some(&json!({})), &[]).await;
    assert_scim_error(&post, 405, None);
    // Vendors document no root query: their own 404, also among all the profiles.
    let attio = Client::start("attio").await;
    assert_eq!(attio.get("?count=1").await.status, 404);
    assert_eq!(attio.get("/?count=1").await.status, 404);
    let all = Client::start("all").await;
    for p in scim_profiles().iter().filter(|p| !p.list.search) {
        let base = all.mock.base_url_of(&p.name).unwrap();
        for url in [format!("{base}/"), base.clone()] {
            let r = all.get(&url).await;
            assert_eq!(r.status, 404, "{url}: {}", r.text);
            match p.errors.format {
                ErrorFormat::Attio => {
                    assert_eq!(r.body["code"], "not_found", "Attio's envelope: {}", r.text)
                }
                ErrorFormat::Scim => assert_scim_error(&r, 404, None),
                _ => assert_vendor_error(p, &r, 404, &url),
            }
        }
    }
    let generic = all.mock.base_url_of("generic").unwrap();
    assert_eq!(all.get(&format!("{generic}/?count=1")).await.status, 200);
    // An unknown Atlassian directory, with the trailing slash: Atlassian's 404.
    let unknown = format!("{}/atlassian/scim/directory/nope/", all.mock.uri());
    assert_scim_error(&all.get(&unknown).await, 404, None);
}

#[tokio::test]
async fn schemas_echoed_inside_an_extension_value_are_ignored() {
    let c = Client::start("generic").await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    for op in ["add", "replace"] {
        let r = c
            .patch(
                &format!("/Users/{JSMITH}"),
                &patch_op(json!([{"op": op, "path": ext, "value": {"schemas": [ext], "employeeNumber": "42"}}])),
            )
            .await;
        assert_eq!(r.status, 200, "{op}: {}", r.text);
        assert_eq!(r.body[ext]["employeeNumber"], "42");
    }
}

#[tokio::test]
async fn if_none_match_uses_weak_comparison() {
    let c = Client::start("generic").await;
    let u = format!("/Users/{BJENSEN}");
    let etag = c.get(&u).await.header("etag").unwrap().to_string();
    let strong = etag.trim_start_matches("W/").to_string();
    for tag in [
        etag.as_str(),
        strong.as_str(),
        "*",
        &format!("\"nope\", {etag}"),
    ] {
        let r = c
            .send_with(Method::GET, &u, None, &[("if-none-match", tag)])
            .await;
        assert_eq!(r.status, 304, "{tag}");
    }
    let r = c
        .send_with(Method::GET, &u, None, &[("if-none-match", "W/\"0\"")])
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_patch_with_too_many_operations_is_refused() {
    let c = Client::start("generic").await;
    let ops: Vec<Value> = (0..1_001).map(|i| json!({"op": "add", "path": "emails", "value": [{"value": format!("e{i}@example.com")}]})).collect();
    let r = c
        .patch(&format!("/Users/{BJENSEN}"), &patch_op(Value::Array(ops)))
        .await;
    assert_scim_error(&r, 400, Some("tooMany"));
}

#[tokio::test]
async fn okta_path_less_rename_may_resend_the_groups_own_id() {
    let c = Client::start("generic").await;
    let g = c
        .post(
            "/Groups",
            &json!({"schemas": [scimock_profile::vocab::CORE_GROUP], "displayName": "okta-push", "members": []}),
        )
        .await;
    assert_eq!(g.status, 201);
    let gid = g.body["id"].as_str().unwrap().to_string();
    let rename =
        json!([{"op": "replace", "value": {"id": gid, "displayName": "okta-push-renamed"}}]);
    let r = c.patch(&format!("/Groups/{gid}"), &patch_op(rename)).await;
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    let g = c.get(&format!("/Groups/{gid}")).await;
    assert_eq!(g.body["displayName"], "okta-push-renamed");
    assert_eq!(g.body["id"], gid.as_str());
    let other = json!([{"op": "replace", "value": {"id": "another-id", "displayName": "x"}}]);
    let r = c.patch(&format!("/Groups/{gid}"), &patch_op(other)).await;
    assert_scim_error(&r, 400, Some("mutability"));
}
