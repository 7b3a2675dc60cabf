//! Vendor fidelity: each mismatch the claim-by-claim audit found against the vendors'
//! documents, one test per finding, named after the claim and citing its source tag.

use crate::common::*;
use reqwest::Method;
use scimock_server::ServeConfig;
use serde_json::{Value, json};

const ATTIO: &str = "0b5e7c1a-3f42-4d8e-9a61-7c2f1e9d4b30";
const ELFSQUAD: &str = "e1f7b3d9-8a24-4c6e-a0b5-3d9c7e1f5a48";

fn deactivate() -> Value {
    patch_op(json!([{"op": "replace", "path": "active", "value": false}]))
}

async fn truto_send(
    c: &Client,
    method: Method,
    at: &str,
    account: &str,
    body: Option<&Value>,
) -> Resp {
    let path = format!("{at}?integrated_account_id={account}");
    c.send_with(method, &path, body, &[("content-type", "application/json")])
        .await
}

/// `attio.delete.cancels-invite` — D:A8: DELETE "suspends active members and cancels pending
/// invites": afterwards the invite is gone (404) and no longer listed.
#[tokio::test]
async fn attio_delete_cancels_invite() {
    let c = start("attio", 0, &[]).await;
    let before = c.get("/Users").await.body["totalResults"].clone();
    let invite = c
        .post("/Users", &json!({"userName": "pend@gmail.com"}))
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let id = invite.body["id"].as_str().unwrap().to_string();
    assert_eq!(c.delete(&format!("/Users/{id}")).await.status, 204);
    assert_attio_error(&c.get(&format!("/Users/{id}")).await, 404, "not_found");
    assert_eq!(c.get("/Users").await.body["totalResults"], before);
}

/// `attio.patch.invite-deactivate-cancels` — D:A3, D:A4, D:A8: PATCH (or PUT) active:false
/// on a pending invite answers 204 and cancels it: GET is 404, the list no longer counts it.
#[tokio::test]
async fn attio_patch_invite_deactivate_cancels() {
    let c = start("attio", 0, &[]).await;
    let before = c.get("/Users").await.body["totalResults"].clone();
    for (n, put) in [(1, false), (2, true)] {
        let user_name = format!("pend{n}@gmail.com");
        let invite = c.post("/Users", &json!({"userName": user_name})).await;
        let id = invite.body["id"].as_str().unwrap().to_string();
        let at = format!("/Users/{id}");
        let r = if put {
            c.put(&at, &json!({"userName": user_name, "active": false}))
                .await
        } else {
            c.patch(&at, &deactivate()).await
        };
        assert_eq!(r.status, 204, "{}", r.text);
        assert_attio_error(&c.get(&at).await, 404, "not_found");
    }
    assert_eq!(c.get("/Users").await.body["totalResults"], before);
}

/// `truto.map.status-invite-cancelled` — D:A8, D:A3 through the Truto facade: cancelling an
/// Attio invite (PATCH status inactive, or DELETE) leaves no `invited` user; GET is a 404
/// remote error [I].
#[tokio::test]
async fn truto_map_status_invite_cancelled() {
    let c = start("truto", 0, &[]).await;
    for (n, delete) in [(1, false), (2, true)] {
        let body = json!({"username": format!("inv{n}@gmail.com")});
        let r = truto_send(&c, Method::POST, "", ATTIO, Some(&body)).await;
        assert_eq!(
            (r.status, &r.body["status"]),
            (201, &json!("invited")),
            "{}",
            r.text
        );
        let at = format!("/{}", r.body["id"].as_str().unwrap());
        let r = if delete {
            truto_send(&c, Method::DELETE, &at, ATTIO, None).await
        } else {
            truto_send(
                &c,
                Method::PATCH,
                &at,
                ATTIO,
                Some(&json!({"status": "inactive"})),
            )
            .await
        };
        assert_eq!(r.status, 200, "{}", r.text);
        assert_ne!(r.body["status"], "invited", "{}", r.text);
        let r = truto_send(&c, Method::GET, &at, ATTIO, None).await;
        assert_truto_error(&r, 404, true);
    }
    let list = truto_send(&c, Method::GET, "", ATTIO, None).await;
    let statuses: Vec<&Value> = list.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["status"])
        .collect();
    assert!(!statuses.contains(&&json!("invited")), "{statuses:?}");
}

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Posts `body`, then reads the user back; both answers must lack every key in `dropped`
/// (a dotted `a.b` or `urn:...:b` names a member) and keep every key in `kept`.
async fn round_trip(c: &Client, body: Value, dropped: &[&str], kept: &[&str]) {
    let r = c.post("/Users", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let got = c
        .get(&format!("/Users/{}", r.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let find = |v: &Value, k: &str| -> Option<Value> {
        if let Some((urn, sub)) = k.rsplit_once(':').filter(|_| k.starts_with("urn:")) {
            return v.get(urn).and_then(|e| e.get(sub)).cloned();
        }
        match k.split_once('.') {
            Some((a, b)) => v.get(a).and_then(|o| o.get(b)).cloned(),
            None => v.get(k).cloned(),
        }
    };
    for v in [&r.body, &got.body] {
        for k in dropped {
            assert_eq!(find(v, k), None, "{k} must not be stored: {v}");
        }
        for k in kept {
            assert!(find(v, k).is_some(), "{k} must be kept: {v}");
        }
    }
}

/// `adra.create.unknown-ignored` — D:R5: "These properties are the only ones recognized by
/// Adra; others are ignored at runtime": RFC core attributes outside the list included.
#[tokio::test]
async fn adra_create_unknown_ignored() {
    let c = start("adra", 0, &[]).await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
        "userName": "ign@example.com",
        "name": {"givenName": "Kim", "familyName": "Lee", "middleName": "M"},
        "emails": [{"type": "work", "value": "ign@example.com", "primary": true}],
        "displayName": "Kim L", "nickName": "K", "title": "Controller",
        "phoneNumbers": [{"type": "work", "value": "+1"}],
        "addresses": [{"type": "work", "country": "NO"}],
        "invented": 1,
        ENT: {"employeeNumber": "7", "department": "Tax"},
    });
    let dropped = [
        "displayName",
        "nickName",
        "phoneNumbers",
        "addresses",
        "invented",
        "name.middleName",
        &format!("{ENT}:department"),
    ];
    round_trip(
        &c,
        body,
        &dropped,
        &["title", "name.givenName", &format!("{ENT}:employeeNumber")],
    )
    .await;
    // PATCH to an attribute Adra ignores is accepted and changes nothing.
    let id = c.get("/Users").await.body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "path": "nickName", "value": "N"}])),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        c.get(&format!("/Users/{id}"))
            .await
            .body
            .get("nickName")
            .is_none()
    );
}

fn everything(user_name: &str) -> Value {
    json!({
        "userName": user_name,
        "displayName": "D", "title": "T", "nickName": "N", "roles": [{"value": "admin"}],
        "locale": "en", "timezone": "Europe/Oslo", "preferredLanguage": "en", "userType": "E",
        "photos": [{"value": "https://a/b.png", "type": "photo"}], "entitlements": [{"value": "e"}],
        "ims": [{"value": "i"}], "profileUrl": "https://p", "x509Certificates": [{"value": "AAAA"}],
        "name": {"givenName": "a", "familyName": "b", "middleName": "m"},
    })
}

const RFC_EXTRAS: [&str; 8] = [
    "roles",
    "userType",
    "entitlements",
    "ims",
    "profileUrl",
    "x509Certificates",
    "photos",
    "locale",
];

/// `attio.user.documented-only` — S-002, D:A1, D:A4: a user is userName, name (given and
/// family), emails, active and appRole; everything else is accepted and not stored [I].
#[tokio::test]
async fn attio_user_documented_only() {
    let c = start("attio", 0, &[]).await;
    let mut dropped = RFC_EXTRAS.to_vec();
    dropped.extend(["timezone", "preferredLanguage", "name.middleName"]);
    round_trip(
        &c,
        everything("x@example.com"),
        &dropped,
        &["userName", "name.givenName", "appRole"],
    )
    .await;
}

/// `elfsquad.user.documented-only` — D:E2 `User` properties (+ `locale`, D:E1 mapping);
/// roles are kept but never returned (J6).
#[tokio::test]
async fn elfsquad_user_documented_only() {
    let c = start("elfsquad", 0, &[]).await;
    let mut body = everything("x@example.com");
    body["externalId"] = json!("sso-x");
    let dropped = [
        "displayName",
        "title",
        "nickName",
        "roles",
        "timezone",
        "preferredLanguage",
        "userType",
        "entitlements",
        "ims",
        "profileUrl",
        "x509Certificates",
        "name.middleName",
    ];
    round_trip(
        &c,
        body,
        &dropped,
        &["userName", "locale", "photos", "name.familyName"],
    )
    .await;
}

/// `atlassian.user.documented-only` — S-004, 3P:L5 `ScimUser`: the documented attributes
/// are kept, other RFC core attributes are not [I].
#[tokio::test]
async fn atlassian_user_documented_only() {
    let c = start("atlassian", 0, &[]).await;
    let mut body = everything("x@example.com");
    body["emails"] = json!([{"value": "x@example.com", "primary": true, "type": "work"}]);
    round_trip(
        &c,
        body,
        &RFC_EXTRAS,
        &[
            "displayName",
            "title",
            "nickName",
            "timezone",
            "preferredLanguage",
            "name.middleName",
        ],
    )
    .await;
}

/// `elfsquad.name.both-required` — D:E2 `Name.required: [familyName, givenName]`.
#[tokio::test]
async fn elfsquad_name_both_required() {
    let c = start("elfsquad", 0, &[]).await;
    for name in [json!({"givenName": "Only"}), json!({"familyName": "Only"})] {
        let r = c
            .post(
                "/Users",
                &json!({"userName": "n@example.com", "externalId": "n", "name": name}),
            )
            .await;
        assert_scim_error(&r, 400, Some("invalidValue"));
    }
    let r = c
        .post("/Users", &json!({"userName": "n@example.com", "externalId": "n", "name": {"givenName": "A", "familyName": "B"}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// `elfsquad.emails.type-value-required` — D:E2 `Email.required: [type, value]`.
#[tokio::test]
async fn elfsquad_emails_type_value_required() {
    let c = start("elfsquad", 0, &[]).await;
    for email in [json!({"value": "nt@example.com"}), json!({"type": "work"})] {
        let r = c
            .post(
                "/Users",
                &json!({"userName": "nt@example.com", "externalId": "nt", "emails": [email]}),
            )
            .await;
        assert_scim_error(&r, 400, Some("invalidValue"));
        assert!(
            r.body["detail"].as_str().unwrap().contains("emails."),
            "{}",
            r.text
        );
    }
}

/// `adra.spc.example` — D:R3: `/serviceConfiguration` is the documented example, with
/// Adra's `specUrl` spelling, its documentation URL and description.
#[tokio::test]
async fn adra_spc_example() {
    let c = start("adra", 0, &[]).await;
    let r = c.get("/serviceConfiguration").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["documentationUri"],
        "https://success.adra.com/s/article/Setup-SCIM-Implementation-for-Automated-User-Provisioning-Using-Microsoft-Entra-ID"
    );
    assert_eq!(
        r.body["authenticationSchemes"],
        json!([{"name": "OAuth Bearer Token", "type": "oauthbearertoken", "primary": true, "specUrl": "https://datatracker.ietf.org/doc/html/rfc6750", "description": "Authentication using Bearer token"}])
    );
}

async fn filter(c: &Client, at: &str, f: &str) -> Resp {
    c.get(&format!("{at}?filter={}", urlencode(f))).await
}

/// `attio.filter.refusal-or-message`, `attio.filter.refusal-co-message` — S-002 (filter
/// attributes userName and emails.value): a refusal names the operator, not a supported
/// attribute [I].
#[tokio::test]
async fn attio_filter_refusal_messages() {
    let c = start("attio", 0, &[]).await;
    let r = filter(&c, "/Users", r#"userName eq "a" or userName eq "b""#).await;
    assert_attio_error(&r, 400, "validation_type");
    let m = r.body["message"].as_str().unwrap();
    assert!(
        m.contains("operator: or") && !m.contains("attribute"),
        "{m}"
    );
    let r = filter(&c, "/Users", r#"userName co "john""#).await;
    let m = r.body["message"].as_str().unwrap();
    assert!(
        m.contains("operator: co") && !m.contains("attribute: userName"),
        "{m}"
    );
    let r = filter(&c, "/Users", r#"title eq "x""#).await;
    assert_eq!(r.body["message"], "Unsupported filter attribute: title");
}

/// `elfsquad.filter.simple-not-complex` — S-001: only complex filters are declared
/// unsupported; a simple filter outside the allow-list is refused naming its attribute or
/// operator (still 400 invalidFilter) [I].
#[tokio::test]
async fn elfsquad_filter_simple_not_complex() {
    let c = start("elfsquad", 0, &[]).await;
    for (f, names) in [
        (r#"emails.value eq "jane.doe@example.com""#, "emails.value"),
        ("active eq true", "active"),
        (r#"userName co "jane""#, "co"),
    ] {
        let r = filter(&c, "/Users", f).await;
        assert_scim_error(&r, 400, Some("invalidFilter"));
        let d = r.body["detail"].as_str().unwrap();
        assert!(!d.contains("Complex") && d.contains(names), "{f}: {d}");
    }
}

/// `atlassian.groups.filter-message` — 3P:L5: Groups filter on `displayName eq`; the refusal
/// says so.
#[tokio::test]
async fn atlassian_groups_filter_message() {
    let c = start("atlassian", 0, &[]).await;
    let r = filter(&c, "/Groups", r#"displayName sw "jira""#).await;
    assert_scim_error(&r, 400, Some("invalidFilter"));
    let d = r.body["detail"].as_str().unwrap();
    assert!(d.contains("displayName") && !d.contains("userName"), "{d}");
}

/// `atlassian.group.409` — 3P:L5, 3P:L6: a duplicate group name is a 409 about a group.
#[tokio::test]
async fn atlassian_group_409() {
    let c = start("atlassian", 0, &[]).await;
    let name = c.get("/Groups").await.body["Resources"][0]["displayName"].clone();
    let r = c
        .post("/Groups", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name}))
        .await;
    assert_scim_error(&r, 409, Some("uniqueness"));
    let d = r.body["detail"].as_str().unwrap();
    assert!(d.contains("group") && !d.contains("User"), "{d}");
}

/// `atlassian.create.emails-required` — 3P:L5: "One value must be marked as primary."
#[tokio::test]
async fn atlassian_create_emails_required() {
    let c = start("atlassian", 0, &[]).await;
    let r = c
        .post("/Users", &json!({"userName": "nop@example.com", "emails": [{"value": "nop@example.com", "type": "work"}]}))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = c
        .post("/Users", &json!({"userName": "nop@example.com", "emails": [{"value": "nop@example.com", "type": "work", "primary": true}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// `truto.page.limit-elfsquad`, `truto.page.limit-elfsquad-large` — D:T2: `limit` bounds
/// the page over every backend; over Elfsquad (no server paging) the facade pages itself.
#[tokio::test]
async fn truto_page_limit_elfsquad() {
    let c = start("truto", 250, &[]).await;
    let mut next = String::new();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let r = c
            .get(&format!(
                "?integrated_account_id={ELFSQUAD}&limit=100&next_cursor={next}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let result = r.body["result"].as_array().unwrap();
        assert!(result.len() <= 100, "{}", result.len());
        ids.extend(result.iter().map(|u| u["id"].clone()));
        pages += 1;
        match &r.body["next_cursor"] {
            Value::String(s) => next = s.clone(),
            _ => break,
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, 3);
    let total = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), total, "every user once");
    let r = c
        .get(&format!("?integrated_account_id={ELFSQUAD}&limit=1"))
        .await;
    assert_eq!(r.body["result_count"], 1);
    assert!(r.body["next_cursor"].is_string());
}

/// `truto.map.elfsquad-email-primary` — S-000, D:E2: an Elfsquad user's only email (no
/// primary flag) maps to `is_primary: true` [I].
#[tokio::test]
async fn truto_map_elfsquad_email_primary() {
    let c = start("truto", 0, &[]).await;
    let r = c.get(&format!("?integrated_account_id={ELFSQUAD}")).await;
    let first = &r.body["result"][0];
    assert_eq!(first["emails"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["emails"][0]["is_primary"], true, "{first}");
}

/// `truto.page.opaque-cursor` — D:T2: `next_cursor` is opaque; a cursor made by hand (or
/// for another account) is refused with 400 in Truto's envelope.
#[tokio::test]
async fn truto_page_opaque_cursor() {
    let c = start("truto", 0, &[]).await;
    let generic = "62f44730-dd91-461e-bd6a-aedd9e0ad79d";
    let r = c
        .get(&format!("?integrated_account_id={generic}&limit=1"))
        .await;
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    // Not the readable `c2` / `c65` of before (a random cursor may well start with a `c`).
    let readable = cursor.starts_with('c') && cursor[1..].chars().all(|d| d.is_ascii_digit());
    assert!(cursor.len() >= 16 && !readable, "{cursor}");
    for bad in ["c3", "c2", "3"] {
        let r = c
            .get(&format!(
                "?integrated_account_id={generic}&limit=1&next_cursor={bad}"
            ))
            .await;
        assert_truto_error(&r, 400, false);
    }
    let r = c
        .get(&format!(
            "?integrated_account_id={ATTIO}&limit=1&next_cursor={cursor}"
        ))
        .await;
    assert_truto_error(&r, 400, false);
    let r = c
        .get(&format!(
            "?integrated_account_id={generic}&limit=1&next_cursor={cursor}"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// Judgment calls (docs/vendors.md, "Judgment calls"): each default, and its switch.

/// J1 `attio.schemas.scope` — S-002, D:A4, D:A10: `/Schemas` advertises the attributes Attio
/// documents and keeps; `discovery.schema_attributes=rfc` advertises the RFC core User.
#[tokio::test]
async fn attio_schemas_scope() {
    let names = |r: &Resp| -> Vec<String> {
        let docs = r.body["Resources"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| r.body.as_array().cloned().unwrap_or_default());
        let user = docs.iter().find(|d| d["name"] == "User").cloned().unwrap();
        user["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let c = start("attio", 0, &[]).await;
    let r = c.get("/Schemas").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        names(&r),
        ["userName", "name", "active", "emails", "appRole"]
    );
    let c = start("attio", 0, &[("discovery.schema_attributes", json!("rfc"))]).await;
    let all = names(&c.get("/Schemas").await);
    assert!(
        all.iter().any(|n| n == "phoneNumbers") && all.iter().any(|n| n == "appRole"),
        "{all:?}"
    );
}

async fn first_id(c: &Client) -> String {
    c.get("/Users").await.body["Resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// J2 `adra.patch.operations-key` — D:R6 (one revision: `operations`, `value` as
/// `[{value}]`), D:R8: both keys are accepted and a one-element `[{"value": x}]` on a
/// single-valued path is `x`; `patch.unwrap_value_objects=false` refuses it again.
#[tokio::test]
async fn adra_patch_operations_key() {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "operations": [{"op": "Replace", "path": "title", "value": [{"value": "Controller"}]}]});
    let c = start("adra", 0, &[]).await;
    let id = first_id(&c).await;
    let r = c.patch(&format!("/Users/{id}"), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        c.get(&format!("/Users/{id}")).await.body["title"],
        "Controller"
    );
    let c = start("adra", 0, &[("patch.unwrap_value_objects", json!(false))]).await;
    let r = c.patch(&format!("/Users/{id}"), &body).await;
    assert_problem(&r, 400);
}

/// J3 `adra.list.minimums` — S-003: startIndex and count "Minimum value is 1": below it is
/// 400 (ProblemDetails naming the parameter); `list.below_minimum=rfc` reads it the RFC way.
#[tokio::test]
async fn adra_list_minimums() {
    let c = start("adra", 0, &[]).await;
    for (q, name) in [("count=0", "count"), ("startIndex=0", "startIndex")] {
        let r = c.get(&format!("/Users?{q}")).await;
        assert_problem(&r, 400);
        assert!(
            r.body["detail"].as_str().unwrap().contains(name),
            "{}",
            r.text
        );
    }
    let c = start("adra", 0, &[("list.below_minimum", json!("rfc"))]).await;
    assert_eq!(c.get("/Users?count=0").await.status, 200);
    assert_eq!(c.get("/Users?startIndex=0").await.body["startIndex"], 1);
}

/// J4 `elfsquad.phones.types`, `elfsquad.photos.type`, `elfsquad.addresses.type`, `elfsquad.ext.uuid-validated` — D:E2: every declared enum, required member and
/// `format: uuid` is enforced; `writes.spec_validation=emails_only` enforces emails (and
/// name) only.
#[tokio::test]
async fn elfsquad_spec_validation() {
    let ext = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
    let bodies = [
        json!({"phoneNumbers": [{"type": "fax", "value": "1"}]}),
        json!({"phoneNumbers": [{"type": "work"}]}),
        json!({"photos": [{"type": "thumbnail", "value": "https://x/y.png"}]}),
        json!({"addresses": [{"type": "home", "country": "NL"}]}),
        json!({"addresses": [{"country": "NL"}]}),
        json!({ext: {"currencyIso": "EUR"}}),
    ];
    let user = |n: usize, extra: &Value| {
        let mut b =
            json!({"userName": format!("s{n}@example.com"), "externalId": format!("sso-s{n}")});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let c = start("elfsquad", 0, &[]).await;
    for (n, extra) in bodies.iter().enumerate() {
        let r = c.post("/Users", &user(n, extra)).await;
        assert_scim_error(&r, 400, Some("invalidValue"));
    }
    let ok = json!({"phoneNumbers": [{"type": "mobile", "value": "1"}], "photos": [{"type": "photo", "value": "https://x/y.png"}], "addresses": [{"type": "work", "country": "NL"}], ext: {"currencyIso": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}});
    assert_eq!(c.post("/Users", &user(99, &ok)).await.status, 201);
    let c = start(
        "elfsquad",
        0,
        &[("writes.spec_validation", json!("emails_only"))],
    )
    .await;
    assert_eq!(c.post("/Users", &user(0, &bodies[0])).await.status, 201);
    let r = c
        .post("/Users", &user(1, &json!({"name": {"givenName": "Only"}})))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
}

/// J5 `elfsquad.put.active-default` — D:E2 `User.active` "default: false": a PUT without
/// `active` stores false; `writes.replace_applies_defaults=false` leaves it out.
#[tokio::test]
async fn elfsquad_put_active_default() {
    let u = "/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e";
    let body = json!({"userName": "jane.doe@example.com", "externalId": "sso-jane.doe"});
    let c = start("elfsquad", 0, &[]).await;
    let r = c.put(u, &body).await;
    assert_eq!(
        (r.status, &r.body["active"]),
        (200, &json!(false)),
        "{}",
        r.text
    );
    assert_eq!(c.get(u).await.body["active"], false);
    let c = start(
        "elfsquad",
        0,
        &[("writes.replace_applies_defaults", json!(false))],
    )
    .await;
    assert!(c.put(u, &body).await.body.get("active").is_none());
}

/// J6 `elfsquad.roles.on-read` — D:E1 (roles are managed by PATCH), D:E2 (`User` has no
/// roles): roles are stored but never returned; `shape.echo_roles=true` shows them.
#[tokio::test]
async fn elfsquad_roles_write_only() {
    let u = "/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e";
    let add = json!({"operations": [{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"role-1\"}"}]}]});
    let c = start("elfsquad", 0, &[]).await;
    assert_eq!(c.patch(u, &add).await.status, 200);
    assert!(!c.get(u).await.text.contains("role-1"));
    let stored = c
        .mock
        .tenant("elfsquad")
        .unwrap()
        .read()
        .users
        .get("b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e")
        .unwrap()
        .to_value();
    assert!(stored["roles"].to_string().contains("role-1"), "{stored}");
    let c = start("elfsquad", 0, &[("shape.echo_roles", json!(true))]).await;
    assert_eq!(c.patch(u, &add).await.status, 200);
    assert!(c.get(u).await.text.contains("role-1"));
}

/// J7 `atlassian.put.active-default` — 3P:L5: `active` "will default to true if not
/// provided": a PUT without it reactivates; `writes.replace_applies_defaults=false` leaves
/// it out.
#[tokio::test]
async fn atlassian_put_active_default() {
    let u = "/Users/0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d";
    let body = json!({"userName": "bob@example.com", "emails": [{"value": "bob@example.com", "primary": true, "type": "work"}]});
    let c = start("atlassian", 0, &[]).await;
    let r = c.put(u, &body).await;
    assert_eq!(
        (r.status, &r.body["active"]),
        (200, &json!(true)),
        "{}",
        r.text
    );
    let c = start(
        "atlassian",
        0,
        &[("writes.replace_applies_defaults", json!(false))],
    )
    .await;
    assert!(c.put(u, &body).await.body.get("active").is_none());
}

/// `elfsquad.media.both` — D:E2, S-001: Elfsquad consumes and produces `application/json`
/// and `application/scim+json`.
#[tokio::test]
async fn elfsquad_media_both() {
    let c = start("elfsquad", 0, &[]).await;
    let body = json!({"userName": "j@example.com", "externalId": "sso-j"});
    for ct in ["application/json", "application/scim+json"] {
        let r = c
            .raw(
                Method::POST,
                "/Users",
                Some(ct),
                body.to_string()
                    .replace("j@", &format!("{}@", ct.len()))
                    .into_bytes(),
                Some(&format!("Bearer {}", c.token)),
            )
            .await;
        assert_eq!(r.status, 201, "{ct}: {}", r.text);
    }
    let r = c
        .send_with(
            Method::GET,
            "/Users",
            None,
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn burst(vendor: &str, read_rps: u32) -> Resp {
    let c = Client::start_with(ServeConfig {
        rate_limits: true,
        overrides: vec![("rate_limit.read_rps".into(), json!(read_rps))],
        ..config(vendor)
    })
    .await;
    for _ in 0..=read_rps * 3 {
        let r = c.get("/Users").await;
        if r.status == 429 {
            return r;
        }
    }
    panic!("{vendor}: no 429 after a burst over {read_rps} reads/s");
}

/// `elfsquad.errors.429` — S-001, D:E2: 429 is documented on every operation; it is a SCIM
/// Error with a string status, with `Retry-After` [I].
#[tokio::test]
async fn elfsquad_errors_429() {
    let r = burst("elfsquad", 2).await;
    assert_scim_error(&r, 429, None);
    assert!(r.header("retry-after").is_some());
}

/// `attio.rate.limits` — D:A7: 100 reads and 25 writes per second; with `--rate-limits` a
/// burst over the read limit is a 429 in Attio's envelope.
#[tokio::test]
async fn attio_rate_limits() {
    let p = scimock_profile::Profile::builtin("attio").unwrap();
    let limits = p.rate_limit.as_ref().unwrap();
    assert_eq!((limits.read_rps, limits.write_rps), (100, 25));
    let r = burst("attio", 100).await;
    assert_attio_error(&r, 429, "rate_limit_exceeded");
}

/// `attio.groups.count-cap` — D:A9: Groups `count` is capped at 100.
#[tokio::test]
async fn attio_groups_count_cap() {
    let c = start("attio", 0, &[]).await;
    let have = c.get("/Groups").await.body["totalResults"]
        .as_u64()
        .unwrap();
    for n in have..102 {
        let r = c
            .post("/Groups", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("team-{n}")}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = c.get("/Groups?count=500").await;
    assert_eq!(
        (&r.body["totalResults"], &r.body["itemsPerPage"]),
        (&json!(102), &json!(100))
    );
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 100);
}

/// `adra.user.optional` — D:R5: the optional title, timezone, locale, preferredLanguage,
/// externalId and enterprise employeeNumber are stored and returned.
#[tokio::test]
async fn adra_user_optional() {
    let c = start("adra", 0, &[]).await;
    let body = json!({
        "userName": "opt@example.com", "name": {"givenName": "O", "familyName": "P"},
        "emails": [{"type": "work", "value": "opt@example.com", "primary": true}],
        "title": "PM", "timezone": "Europe/London", "locale": "en-GB", "preferredLanguage": "en",
        "externalId": "x-1", ENT: {"employeeNumber": "42"},
    });
    let kept = [
        "title",
        "timezone",
        "locale",
        "preferredLanguage",
        "externalId",
        &format!("{ENT}:employeeNumber"),
    ];
    round_trip(&c, body, &[], &kept).await;
}

/// `adra.filter.externalid` — D:R8: Adra's service filters on `externalId eq` too.
#[tokio::test]
async fn adra_filter_externalid() {
    let c = start("adra", 0, &[]).await;
    let body = json!({
        "userName": "ext@example.com", "name": {"givenName": "E", "familyName": "X"},
        "emails": [{"type": "work", "value": "ext@example.com", "primary": true}], "externalId": "x-77",
    });
    assert_eq!(c.post("/Users", &body).await.status, 201);
    let r = filter(&c, "/Users", r#"externalId eq "x-77""#).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totalResults"], 1);
    assert_eq!(r.body["Resources"][0]["userName"], "ext@example.com");
}

/// `atlassian.put.clears` — 3P:L5: PUT replaces attribute by attribute; unspecified ones are
/// cleared.
#[tokio::test]
async fn atlassian_put_clears() {
    let c = start("atlassian", 0, &[]).await;
    let u = "/Users/f3a7c2e1-9b4d-4e6f-8a1c-2d3e4f5a6b7c";
    assert!(c.get(u).await.body.get("title").is_some());
    let r = c
        .put(u, &json!({"userName": "alice@example.com", "emails": [{"value": "alice@example.com", "primary": true, "type": "work"}]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for gone in ["title", "name", "nickName", "displayName"] {
        assert!(r.body.get(gone).is_none(), "{gone}: {}", r.text);
        assert!(c.get(u).await.body.get(gone).is_none(), "{gone}");
    }
}

/// `elfsquad.delete.204` — S-001, D:E2: DELETE answers 204; the user is gone afterwards.
#[tokio::test]
async fn elfsquad_delete_204() {
    let c = start("elfsquad", 0, &[]).await;
    let u = "/Users/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e";
    let r = c.delete(u).await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    assert_scim_error(&c.get(u).await, 404, None);
}
