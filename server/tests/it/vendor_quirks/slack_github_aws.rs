//! Quirk tests: Slack, GitHub Enterprise Managed Users and AWS IAM Identity Center.

use super::*;

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
    let unauth = c.get_with_wrong_token("/Users").await;
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
    // A user that already holds two (bulk-loaded here) can still be deactivated; only a write
    // that adds a value is refused.
    let mut loaded = user(two_phones.clone());
    loaded["userName"] = json!("loaded");
    let r = c
        .send_with(Method::POST, "/_scimock/users", Some(&json!([loaded])), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let found = c.get("/Users?filter=userName%20eq%20%22loaded%22").await;
    let lid = found.body["Resources"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let off = c
        .patch(
            &format!("/Users/{lid}"),
            &patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let third = c
        .patch(
            &format!("/Users/{lid}"),
            &patch_op(
                json!([{"op": "add", "path": "phoneNumbers", "value": [{"value": "+1 555 0102"}]}]),
            ),
        )
        .await;
    assert_vendor_error(&p, &third, 400, "PATCH adding a third phone number");
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
