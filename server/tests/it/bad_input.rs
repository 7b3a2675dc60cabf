//! The bad-input battery: every kind of malformed request, to every endpoint of every profile.
//! Every answer must be the documented status in that vendor's error format; never a 5xx (other
//! than Adra's documented 501 for an operation it does not offer), never a panic, and the server
//! keeps serving.

use crate::common::*;
use reqwest::Method;
use scimock_profile::{BelowMinimum, Profile, ProfileKind};
use serde_json::json;

const TRUTO_ACCOUNT: &str = "62f44730-dd91-461e-bd6a-aedd9e0ad79d";

/// Endpoints of a profile: (method, path relative to the base, body-carrying?).
fn endpoints(p: &Profile, user: &str, group: Option<&str>) -> Vec<(Method, String)> {
    if p.kind == ProfileKind::Unified {
        let q = format!("?integrated_account_id={TRUTO_ACCOUNT}");
        return vec![
            (Method::GET, q.clone()),
            (Method::POST, q.clone()),
            (Method::GET, format!("/{user}{q}")),
            (Method::PATCH, format!("/{user}{q}")),
            (Method::DELETE, format!("/nope{q}")),
        ];
    }
    let mut e = vec![
        (Method::GET, "/Users".to_string()),
        (Method::POST, "/Users".to_string()),
        (Method::GET, format!("/Users/{user}")),
        (Method::PUT, format!("/Users/{user}")),
        (Method::PATCH, format!("/Users/{user}")),
    ];
    if p.list.search {
        e.push((Method::POST, "/Users/.search".to_string()));
        e.push((Method::POST, "/.search".to_string()));
    }
    if let (Some(g), Some(spec)) = (group, &p.groups) {
        e.push((Method::GET, "/Groups".into()));
        e.push((Method::GET, format!("/Groups/{g}")));
        if spec.create {
            e.push((Method::POST, "/Groups".into()));
        }
        if spec.replace {
            e.push((Method::PUT, format!("/Groups/{g}")));
        }
        if spec.patch {
            e.push((Method::PATCH, format!("/Groups/{g}")));
        }
    }
    if let Some(spc) = &p.discovery.service_provider_config {
        e.push((Method::GET, spc.clone()));
    }
    if p.discovery.schemas {
        e.push((Method::GET, "/Schemas".into()));
    }
    if p.discovery.resource_types {
        e.push((Method::GET, "/ResourceTypes".into()));
    }
    e
}

fn with_body(m: &Method) -> bool {
    matches!(*m, Method::POST | Method::PUT | Method::PATCH)
}

async fn first_ids(c: &Client, p: &Profile) -> (String, Option<String>) {
    let store = c.mock.tenant(&p.name).map(|t| {
        t.backends
            .first()
            .map_or_else(|| t.clone(), |(_, b)| b.clone())
    });
    let t = store.expect("tenant");
    let s = t.read();
    let user = s
        .users
        .at(0)
        .map(|u| u.id.to_string())
        .unwrap_or_else(|| "none".into());
    let group = p
        .groups
        .as_ref()
        .and_then(|_| s.groups.at(0).map(|g| g.id.to_string()));
    (user, group)
}

async fn battery(vendor: &str) {
    let c = Client::start(vendor).await;
    let p = Profile::builtin(vendor).unwrap();
    let bearer = "Bearer scimock-token";
    let json_ct = p.media.accepted[0].clone();
    let (user, group) = first_ids(&c, &p).await;
    let eps = endpoints(&p, &user, group.as_deref());

    for (m, path) in &eps {
        let what = format!("{m} {path}");
        // Missing and wrong tokens.
        assert_vendor_error(
            &p,
            &c.raw(m.clone(), path, None, vec![], None).await,
            401,
            &format!("{what} no token"),
        );
        assert_vendor_error(
            &p,
            &c.raw(m.clone(), path, None, vec![], Some("Bearer wrong"))
                .await,
            401,
            &format!("{what} wrong token"),
        );
        if with_body(m) {
            // Malformed JSON, empty bodies, non-objects, deep nesting.
            for body in ["{bad", "", "[", "null", "\"x\"", "12", "{\"a\":", "\u{0}"] {
                let r = c
                    .raw(
                        m.clone(),
                        path,
                        Some(&json_ct),
                        body.as_bytes().to_vec(),
                        Some(bearer),
                    )
                    .await;
                assert_vendor_error(&p, &r, 400, &format!("{what} body {body:?}"));
            }
            let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
            let r = c
                .raw(
                    m.clone(),
                    path,
                    Some(&json_ct),
                    deep.into_bytes(),
                    Some(bearer),
                )
                .await;
            assert_vendor_error(&p, &r, 400, &format!("{what} deep JSON"));
            // Invalid UTF-8 in the body.
            let r = c
                .raw(
                    m.clone(),
                    path,
                    Some(&json_ct),
                    vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
                    Some(bearer),
                )
                .await;
            assert_vendor_error(&p, &r, 400, &format!("{what} invalid UTF-8 body"));
            // Over the 1 MiB limit.
            let big = format!("{{\"userName\":\"{}\"}}", "x".repeat(1024 * 1024 + 1));
            let r = c
                .raw(
                    m.clone(),
                    path,
                    Some(&json_ct),
                    big.into_bytes(),
                    Some(bearer),
                )
                .await;
            assert_vendor_error(&p, &r, 413, &format!("{what} 1 MiB + 1"));
            // Unsupported media types.
            for ct in [
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
            ] {
                let r = c
                    .raw(m.clone(), path, Some(ct), b"{}".to_vec(), Some(bearer))
                    .await;
                assert_vendor_error(&p, &r, 415, &format!("{what} {ct}"));
            }
            // Wrong JSON types for attributes, and unknown attributes: never a 5xx.
            for body in [
                json!({"userName": 42}),
                json!({"userName": ["a"]}),
                json!({"userName": {"x": 1}}),
                json!({"userName": "t@example.com", "active": "maybe"}),
                json!({"userName": "t@example.com", "name": "plain"}),
                json!({"userName": "t@example.com", "emails": "e@example.com"}),
                json!({"userName": "t@example.com", "emails": [5]}),
                json!({"userName": "t@example.com", "emails": [{"value": 5}]}),
                json!({"userName": "t@example.com", "externalId": 7}),
                json!({"userName": "t@example.com", "meta": "x", "id": 5, "schemas": "x"}),
                json!({"userName": "t@example.com", "unknownAttribute": {"deep": [1, 2]}}),
                json!({"displayName": 5, "members": "x"}),
                json!({"displayName": "g", "members": [{"value": 5}]}),
                json!({"Operations": "x"}),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": 5}]}),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": 5, "value": 1}]}),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "emails[value eq", "value": 1}]}),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "name.givenName", "value": {"deep": true}}]}),
                json!({"filter": 5, "startIndex": "x", "count": [1]}),
                json!({"username": 1, "emails": [{"email": 7}], "first_name": []}),
            ] {
                let r = c
                    .raw(
                        m.clone(),
                        path,
                        Some(&json_ct),
                        body.to_string().into_bytes(),
                        Some(bearer),
                    )
                    .await;
                assert_sane(&p, &r, &format!("{what} body {body}"));
            }
            // userName of the wrong type is refused wherever a user is written.
            if path.contains("/Users") && *m != Method::PATCH && !path.contains(".search")
                || (p.kind == ProfileKind::Unified && *m == Method::POST)
            {
                let body = if p.kind == ProfileKind::Unified {
                    json!({"username": 42})
                } else {
                    json!({"userName": 42})
                };
                let r = c
                    .raw(
                        m.clone(),
                        path,
                        Some(&json_ct),
                        body.to_string().into_bytes(),
                        Some(bearer),
                    )
                    .await;
                assert_vendor_error(&p, &r, 400, &format!("{what} userName: 42"));
            }
        }
    }

    if p.kind == ProfileKind::Scim {
        // Below "Minimum value is 1": 400 where the profile rejects it (Adra, J3), else the
        // RFC 7644 §3.4.2.4 reading (200).
        let below_min = if p.list.below_minimum == BelowMinimum::Reject {
            400
        } else {
            200
        };
        // A startIndex the vendor ignores (AWS, D:W4) is never refused for its value.
        let start_below_min = if p.list.ignore_start_index {
            200
        } else {
            below_min
        };
        // Query strings on lists.
        for (q, status) in [
            ("filter=%zz", 400),
            ("filter=%ff%fe", 400),
            ("filter=%E2%82", 400),
            ("count=abc", 400),
            ("count=1.5", 400),
            ("startIndex=abc", 400),
            ("startIndex=-7", start_below_min),
            ("startIndex=0", start_below_min),
            ("count=-1", below_min),
            ("count=0", below_min),
            ("count=99999999999999999999999999", 200),
            ("startIndex=99999999999999999999999999", 200),
            ("count=1&count=2", 400),
            ("filter=a%20pr&filter=b%20pr", 400),
            ("filter=userName%20eqq%20%22x%22", 400),
            ("filter=(((((", 400),
            ("filter=userName%20eq", 400),
            ("filter=%22unterminated", 400),
            (
                "sortOrder=sideways&sortBy=userName",
                if p.sort.supported { 400 } else { 200 },
            ),
        ] {
            let r = c
                .raw(
                    Method::GET,
                    &format!("/Users?{q}"),
                    None,
                    vec![],
                    Some(bearer),
                )
                .await;
            if status == 200 {
                assert_eq!(r.status, 200, "{} ?{q}: {}", p.name, r.text);
            } else {
                assert_vendor_error(&p, &r, status, &format!("?{q}"));
            }
        }
        let deep = format!("/Users?filter={}", "(".repeat(10_000));
        assert_vendor_error(
            &p,
            &c.raw(Method::GET, &deep, None, vec![], Some(bearer)).await,
            400,
            "10,000 parentheses",
        );
        let long = format!(
            "/Users?filter=userName%20eq%20%22{}%22",
            "a".repeat(p.filter.max_length + 1)
        );
        assert_vendor_error(
            &p,
            &c.raw(Method::GET, &long, None, vec![], Some(bearer)).await,
            400,
            "filter over the length limit",
        );
        // Unknown and malformed ids.
        for id in [
            "does-not-exist",
            "%00",
            "..%2F..%2Fetc%2Fpasswd",
            "%E2%98%83",
            "%ff",
            &"x".repeat(10_000),
        ] {
            for m in [Method::GET, Method::DELETE] {
                let r = c
                    .raw(
                        m.clone(),
                        &format!("/Users/{id}"),
                        None,
                        vec![],
                        Some(bearer),
                    )
                    .await;
                assert_sane(&p, &r, &format!("{m} /Users/{}", &id[..id.len().min(20)]));
                assert!(
                    r.status == 404 || r.status == 400,
                    "{} {m} /Users/{}: {}",
                    p.name,
                    &id[..id.len().min(20)],
                    r.status
                );
            }
        }
        // Wrong methods (405), and operations the profile does not offer on routes it has (405,
        // or the vendor's status); every 405 says in `Allow` what the route offers.
        let mut wrong = vec![
            (Method::DELETE, "/Users".to_string(), 405),
            (Method::PUT, "/Users".to_string(), 405),
            (Method::POST, format!("/Users/{user}"), 405),
        ];
        let not_offered = p.errors.not_offered_status;
        if let (Some(g), Some(spec)) = (&group, &p.groups) {
            if !spec.create {
                wrong.push((Method::POST, "/Groups".into(), not_offered));
            }
            if !spec.replace {
                wrong.push((Method::PUT, format!("/Groups/{g}"), not_offered));
            }
            if !spec.delete {
                wrong.push((Method::DELETE, format!("/Groups/{g}"), not_offered));
            }
        }
        for (m, path, status) in wrong {
            let r = c
                .raw(
                    m.clone(),
                    &path,
                    Some(&json_ct),
                    b"{}".to_vec(),
                    Some(bearer),
                )
                .await;
            assert_vendor_error(&p, &r, status, &format!("{m} {path}"));
            if r.status == 405 {
                let allow = r.header("allow").unwrap_or_default();
                assert!(
                    allow.contains("GET") && !allow.split(',').any(|a| a == m.as_str()),
                    "{} {m} {path}: Allow {allow:?}",
                    p.name
                );
            }
        }
        // Unknown routes.
        assert_vendor_error(
            &p,
            &c.raw(Method::GET, "/Nope", None, vec![], Some(bearer))
                .await,
            404,
            "unknown route",
        );
    } else {
        for q in [
            "limit=abc",
            "limit=0",
            "next_cursor=%zz",
            "next_cursor=garbage",
            "truto_response_format=xml",
        ] {
            let r = c
                .raw(
                    Method::GET,
                    &format!("?integrated_account_id={TRUTO_ACCOUNT}&{q}"),
                    None,
                    vec![],
                    Some(bearer),
                )
                .await;
            assert_vendor_error(&p, &r, 400, q);
        }
    }

    eprintln!(
        "{}: {} bad requests answered",
        p.name,
        c.mock.requests().len()
    );
    // Still serving.
    let health = c.get("/_scimock/health").await;
    assert_eq!(health.status, 200);
    let list_path = if p.kind == ProfileKind::Unified {
        format!("?integrated_account_id={TRUTO_ACCOUNT}")
    } else {
        "/Users".into()
    };
    assert_eq!(c.get(&list_path).await.status, 200);
}

/// Every built-in profile gets the battery (a new vendor cannot go untested), each on its own
/// thread with its own single-threaded runtime, as a `#[tokio::test]` of its own would run.
#[test]
fn bad_input_every_profile() {
    let batteries: Vec<_> = scimock_profile::PROFILE_NAMES
        .iter()
        .map(|vendor| {
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(battery(vendor))
            })
        })
        .collect();
    for b in batteries {
        if let Err(panic) = b.join() {
            std::panic::resume_unwind(panic);
        }
    }
}
