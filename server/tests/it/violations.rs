//! Client violations: `GET /_scimock/violations` and `MockServer::violations()` list what the
//! vendor's rules refused or changed, with the rule, its switch and its source tag.

use crate::common::{Client, patch_op};
use serde_json::{Value, json};

async fn violations(c: &Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/_scimock/violations{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["count"].as_u64(),
        Some(r.body["violations"].as_array().unwrap().len() as u64)
    );
    r.body["violations"].as_array().unwrap().clone()
}

#[tokio::test]
async fn attio_rules_are_listed_with_their_switch_source_and_request() {
    let c = Client::start("attio").await;
    // A request inside every rule is no violation.
    let ok = c
        .get("/Users?filter=userName%20eq%20%22nobody%40example.com%22")
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(violations(&c, "").await.is_empty());

    // count above the cap: served, at most 100.
    let capped = c.get("/Users?count=500").await;
    assert_eq!(capped.status, 200);
    let v = violations(&c, "").await;
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["effect"], "altered");
    assert_eq!(v[0]["switch"], "list.max_count");
    assert_eq!(v[0]["quirk"], "count-capped-at-100");
    assert_eq!(v[0]["source"], "S-002");
    assert_eq!(v[0]["vendor"], "attio");
    assert!(v[0]["rule"].as_str().unwrap().contains("500"), "{v:?}");
    assert_eq!(v[0]["request"]["method"], "GET");
    assert_eq!(v[0]["request"]["path"], "/scim/v2/Users");
    assert_eq!(v[0]["request"]["query"], "count=500");
    assert_eq!(v[0]["request"]["status"], 200);
    // Linked to the journal entry of the same request.
    let journal = c.get("/_scimock/requests").await;
    let entry = journal.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"] == v[0]["request"]["seq"])
        .cloned()
        .unwrap();
    assert_eq!(entry["query"], "count=500");

    // A filter Attio refuses.
    let refused = c.get("/Users?filter=userName%20co%20%22j%22").await;
    assert_eq!(refused.status, 400);
    // An unverified domain becomes an invite; an unknown role becomes member.
    let invite = c
        .post(
            "/Users",
            &json!({"userName": "new@elsewhere.test", "appRole": "owner",
                "name": {"givenName": "N", "familyName": "W"}}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let after = violations(&c, &format!("?after={}", v[0]["seq"])).await;
    let switches: Vec<&str> = after
        .iter()
        .map(|v| v["switch"].as_str().unwrap())
        .collect();
    assert_eq!(
        switches,
        [
            "filter.users",
            "writes.role.fallback",
            "writes.verified_domains"
        ],
        "{after:?}"
    );
    assert_eq!(after[0]["effect"], "refused");
    assert_eq!(after[0]["request"]["status"], 400);
    assert!(
        after[0]["rule"].as_str().unwrap().contains("co"),
        "{after:?}"
    );
    assert_eq!(after[1]["source"], "D:A6");
    assert_eq!(after[1]["request"]["body"]["appRole"], "owner");
    assert!(
        after[2]["source"].as_str().unwrap().contains("D:A1"),
        "{after:?}"
    );

    // Per vendor, and cleared on DELETE.
    assert_eq!(violations(&c, "?vendor=attio").await.len(), 4);
    assert!(violations(&c, "?vendor=adra").await.is_empty());
    assert_eq!(c.delete("/_scimock/violations").await.status, 204);
    assert!(violations(&c, "").await.is_empty());
}

#[tokio::test]
async fn adra_drops_attributes_and_refuses_minimums_as_violations() {
    let c = Client::start("adra").await;
    let created = c
        .post(
            "/Users",
            &json!({"userName": "d@example.com", "displayName": "D", "nickName": "dd",
                "name": {"givenName": "D", "familyName": "E", "middleName": "M"},
                "emails": [{"value": "d@example.com", "primary": true}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let below = c.get("/Users?startIndex=0").await;
    assert_eq!(below.status, 400, "{}", below.text);
    let sorted = c.get("/Users?sortBy=userName").await;
    assert_eq!(sorted.status, 200);
    let v = c.mock.violations();
    let by: Vec<(&str, &str)> = v
        .iter()
        .map(|v| (v.switch.as_str(), v.rule.as_str()))
        .collect();
    assert_eq!(v.len(), 3, "{by:?}");
    assert_eq!(by[0].0, "shape.stored_attributes");
    for dropped in ["displayName", "nickName", "name.middleName"] {
        assert!(by[0].1.contains(dropped), "{by:?}");
    }
    assert!(!by[0].1.contains("userName"), "{by:?}");
    assert_eq!(
        v[0].source.as_deref().map(|s| s.contains("D:R5")),
        Some(true)
    );
    assert_eq!(by[1].0, "list.below_minimum");
    assert_eq!(by[2].0, "sort.supported");
    c.mock.clear_violations();
    assert!(c.mock.violations().is_empty());
}

#[tokio::test]
async fn generic_media_types_and_patch_paths_and_a_clean_client_has_none() {
    let c = Client::start("generic").await;
    let created = c
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "g@example.com"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap();
    let patched = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert!(c.mock.violations().is_empty(), "{:?}", c.mock.violations());

    let text = c
        .http
        .post(format!("{}/Users", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "text/plain")
        .body(r#"{"userName":"t@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    let v = c.mock.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].switch, "media.accepted");
    assert_eq!(v[0].request.status, 415);
    assert_eq!(v[0].source, None, "no vendor quirk: the RFC's own rule");
    // Clearing the journal clears the violations it links to.
    assert_eq!(c.delete("/_scimock/requests").await.status, 204);
    assert!(c.mock.violations().is_empty());
    c.get("/Users?sortBy=userName&attributes=userName").await;
    assert!(c.mock.violations().is_empty(), "generic sorts and projects");
    c.get("/Users?startIndex=0&count=0").await;
    assert!(
        c.mock.violations().is_empty(),
        "RFC 7644: below 1 is read as 1 and 0"
    );
    c.post("/Users", &json!({"userName": 5})).await;
    c.mock
        .inject(scimock_server::FaultRule::status(500).times(1));
    assert_eq!(c.get("/Users").await.status, 500);
    assert!(
        c.mock.violations().is_empty(),
        "neither a bad request nor a fault is a vendor rule"
    );
    let t = c
        .http
        .get(format!("{}/Users", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(t.status(), 200, "a GET's content type is not checked");
    let again = c
        .http
        .post(format!("{}/Users", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 415);
    assert_eq!(c.mock.violations().len(), 1);
    c.mock.reset().unwrap();
    assert!(c.mock.violations().is_empty());
}

/// PATCH shapes Attio refuses (capitalised ops, a lowercase `operations` key) are violations.
#[tokio::test]
async fn attio_patch_shapes_it_refuses_are_violations() {
    let c = Client::start("attio").await;
    let created = c
        .post(
            "/Users",
            &json!({"userName": "p@example.com", "name": {"givenName": "P", "familyName": "Q"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    let capital = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "Replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(capital.status, 400, "{}", capital.text);
    let lower_key = c
        .patch(
            &format!("/Users/{id}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "operations": [{"op": "replace", "path": "active", "value": false}]}),
        )
        .await;
    assert_eq!(lower_key.status, 400, "{}", lower_key.text);
    let switches: Vec<String> = c.mock.violations().into_iter().map(|v| v.switch).collect();
    assert_eq!(
        switches,
        ["patch.op_case_insensitive", "patch.operations_keys"],
        "{:?}",
        c.mock.violations()
    );
}
