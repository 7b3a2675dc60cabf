//! List semantics of the generic profile: filters and indexes, sorting, RFC 7644 index
//! pagination edge cases, and RFC 9865 cursors.

use crate::common::*;
use scimock_server::ServeConfig;
use serde_json::{Value, json};
use std::collections::HashSet;

fn ids(r: &Resp) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| u["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn eq_on_indexed_attributes_follows_rfc_case_rules() {
    let c = start("generic", 50, &[]).await;
    let q = |f: &str| format!("/Users?filter={}", urlencode(f));
    assert_eq!(
        c.get(&q("userName eq \"USER7@EXAMPLE.COM\"")).await.body["totalResults"],
        1
    );
    assert_eq!(
        c.get(&q("emails.value eq \"User7@Example.com\""))
            .await
            .body["totalResults"],
        1
    );
    assert_eq!(
        c.get(&q("emails[value eq \"user7@example.com\"]"))
            .await
            .body["totalResults"],
        1
    );
    assert_eq!(
        c.get(&q("externalId eq \"ext-7\"")).await.body["totalResults"],
        1
    );
    assert_eq!(
        c.get(&q("externalId eq \"EXT-7\"")).await.body["totalResults"],
        0,
        "externalId is caseExact"
    );
    assert_eq!(
        c.get(&q("userName eq \"nobody@example.com\"")).await.body["totalResults"],
        0
    );
    let both = c
        .get(&q("userName eq \"user7@example.com\" and active eq true"))
        .await;
    assert_eq!(both.body["totalResults"], 1);
    let none = c
        .get(&q("userName eq \"user10@example.com\" and active eq true"))
        .await;
    assert_eq!(
        none.body["totalResults"], 0,
        "user10 is inactive: the index candidate is re-checked"
    );
}

#[tokio::test]
async fn scans_handle_every_operator_and_logical_combination() {
    let c = start("generic", 30, &[]).await;
    let q = |f: &str| format!("/Users?count=100&filter={}", urlencode(f));
    assert_eq!(
        c.get(&q("userName sw \"user1\"")).await.body["totalResults"],
        11
    );
    assert_eq!(
        c.get(&q("userName ew \"0@example.com\"")).await.body["totalResults"],
        3
    );
    assert_eq!(c.get(&q("active eq false")).await.body["totalResults"], 4);
    assert_eq!(
        c.get(&q("not (active eq false)")).await.body["totalResults"],
        29
    );
    assert_eq!(
        c.get(&q(
            "emails[type eq \"work\" and value ew \"5@example.com\"]"
        ))
        .await
        .body["totalResults"],
        3
    );
    assert_eq!(
        c.get(&q(
            "userName eq \"user1@example.com\" or userName eq \"user2@example.com\""
        ))
        .await
        .body["totalResults"],
        2
    );
    assert_eq!(
        c.get(&q("meta.created gt \"2024-01-01T00:10:00Z\""))
            .await
            .body["totalResults"],
        20
    );
    assert_eq!(c.get(&q("title pr")).await.body["totalResults"], 32);
}

#[tokio::test]
async fn malformed_filters_are_invalid_filter_with_the_column() {
    let c = Client::start("generic").await;
    let r = c.get("/Users?filter=userName%20eqq%20%22x%22").await;
    assert_scim_error(&r, 400, Some("invalidFilter"));
    assert!(
        r.body["detail"].as_str().unwrap().contains("column 10"),
        "{}",
        r.text
    );
    let deep = format!("/Users?filter={}", "(".repeat(10_000));
    assert_scim_error(&c.get(&deep).await, 400, Some("invalidFilter"));
    let long = format!("/Users?filter=userName%20eq%20%22{}%22", "a".repeat(9000));
    assert_scim_error(&c.get(&long).await, 400, Some("invalidFilter"));
    assert_scim_error(
        &c.get("/Users?filter=active%20gt%20true").await,
        400,
        Some("invalidFilter"),
    );
}

/// RFC 7644 §3.12 Table 9: `invalidFilter` is "the specified attribute and filter comparison
/// combination is not supported"; attribute names are case-insensitive (§3.4.2.2).
#[tokio::test]
async fn a_filter_on_an_undefined_attribute_is_invalid_filter() {
    let c = start("generic", 50, &[]).await;
    let q = |f: &str| format!("/Users?filter={}", urlencode(f));
    for f in [
        "scimockCheckUndefined eq \"x\"",
        "name.nickname eq \"x\"",
        "emails[nope eq \"x\"]",
        "userName eq \"user7@example.com\" or undefinedThing pr",
    ] {
        let r = c.get(&q(f)).await;
        assert_scim_error(&r, 400, Some("invalidFilter"));
    }
    for f in [
        "USERNAME eq \"user7@example.com\"",
        "username eq \"user7@example.com\"",
        "EMAILS.VALUE eq \"user7@example.com\"",
        "emails[TYPE eq \"work\" and value eq \"user7@example.com\"]",
    ] {
        let r = c.get(&q(f)).await;
        assert_eq!(r.status, 200, "{f}: {}", r.text);
        assert_eq!(r.body["totalResults"], 1, "{f}: {}", r.text);
    }
    for f in [
        "id pr",
        "externalId pr or not (externalId pr)",
        "meta.created pr",
        "schemas eq \"urn:ietf:params:scim:schemas:core:2.0:User\"",
    ] {
        assert_eq!(c.get(&q(f)).await.status, 200, "{f}");
    }
    let groups = c
        .get(&format!(
            "/Groups?filter={}",
            urlencode("userName eq \"x\"")
        ))
        .await;
    assert_scim_error(&groups, 400, Some("invalidFilter"));
    let empty = start("generic", 5, &[("filter.unknown_attr_empty", json!(true))]).await;
    let r = empty.get(&q("scimockCheckUndefined eq \"x\"")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totalResults"], 0);
}

#[tokio::test]
async fn start_index_and_count_follow_rfc_7644_3_4_2_4() {
    let c = start("generic", 20, &[]).await; // 3 fixture users + 20
    let r = c.get("/Users?startIndex=0&count=2").await;
    assert_eq!(r.body["startIndex"], 1, "startIndex below 1 means 1");
    assert_eq!(r.body["itemsPerPage"], 2);
    let r = c.get("/Users?startIndex=-5&count=2").await;
    assert_eq!(r.body["startIndex"], 1);
    let r = c.get("/Users?count=-1").await;
    assert_eq!(r.body["itemsPerPage"], 0, "negative count means 0");
    assert_eq!(r.body["totalResults"], 23);
    let r = c.get("/Users?count=0").await;
    assert_eq!(r.body["totalResults"], 23);
    assert_eq!(
        r.body["Resources"],
        json!([]),
        "count=0 returns no resources: {}",
        r.text
    );
    let r = c.get("/Users?startIndex=22&count=10").await;
    assert_eq!(r.body["itemsPerPage"], 2);
    let r = c.get("/Users?startIndex=100").await;
    assert_eq!(r.body["itemsPerPage"], 0);
    assert_eq!(r.body["Resources"], json!([]));
    let r = c.get("/Users?count=99999999999999999999").await;
    assert_eq!(
        r.body["itemsPerPage"], 23,
        "huge counts are clamped, not errors"
    );
    assert_scim_error(&c.get("/Users?count=ten").await, 400, Some("invalidValue"));
    assert_scim_error(
        &c.get("/Users?startIndex=1.5").await,
        400,
        Some("invalidValue"),
    );
    assert_scim_error(
        &c.get("/Users?count=1&count=2").await,
        400,
        Some("invalidSyntax"),
    );
}

#[tokio::test]
async fn count_above_the_advertised_maximum_is_clamped() {
    let c = start("generic", 1_100, &[]).await;
    let max = c.get("/ServiceProviderConfig").await.body["filter"]["maxResults"]
        .as_u64()
        .unwrap();
    let r = c.get("/Users?count=5000").await;
    assert_eq!(r.body["itemsPerPage"].as_u64().unwrap(), max);
    assert_eq!(r.body["totalResults"], 1_103);
}

#[tokio::test]
async fn an_index_walk_sees_every_user_once() {
    let c = start("generic", 47, &[]).await;
    let mut seen = HashSet::new();
    let mut start = 1;
    loop {
        let r = c.get(&format!("/Users?startIndex={start}&count=5")).await;
        assert_eq!(r.body["totalResults"], 50);
        let page = ids(&r);
        if page.is_empty() {
            break;
        }
        for id in page {
            assert!(seen.insert(id), "duplicate across pages");
        }
        start += 5;
    }
    assert_eq!(seen.len(), 50);
}

#[tokio::test]
async fn sorting_orders_case_insensitively_with_missing_values_last() {
    let c = Client::start("generic").await;
    let r = c.get("/Users?sortBy=name.givenName").await;
    let given: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"]["givenName"].as_str().unwrap())
        .collect();
    assert_eq!(given, vec!["Barbara", "Jane", "John"]);
    let r = c.get("/Users?sortBy=userName&sortOrder=descending").await;
    assert_eq!(
        user_names(&r),
        vec![
            "jsmith@example.com",
            "jdoe@example.com",
            "bjensen@example.com"
        ]
    );
    let r = c.get("/Users?sortBy=nickName").await;
    assert_eq!(
        user_names(&r)[0],
        "bjensen@example.com",
        "only bjensen has a nickName; the others sort last"
    );
    assert_scim_error(
        &c.get("/Users?sortBy=userName&sortOrder=sideways").await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn cursor_pagination_walks_everything_and_goes_back() {
    let c = start("generic", 23, &[]).await;
    let mut next = String::new();
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut second_page_cursor = None;
    loop {
        let r = c.get(&format!("/Users?count=5&cursor={next}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["totalResults"], 26);
        pages += 1;
        if pages == 2 {
            second_page_cursor = Some(next.clone());
            let prev = r.body["previousCursor"].as_str().unwrap();
            let back = c.get(&format!("/Users?count=5&cursor={prev}")).await;
            assert_eq!(
                ids(&back),
                seen[..5].to_vec(),
                "previousCursor leads back to page one"
            );
        }
        seen.extend(ids(&r));
        match r.body.get("nextCursor").and_then(Value::as_str) {
            Some(n) => {
                assert!(
                    n.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
                    "RFC 3986 unreserved"
                );
                next = n.to_string();
            }
            None => break,
        }
        assert!(pages < 20);
    }
    assert_eq!(pages, 6);
    assert_eq!(seen.len(), 26);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 26);
    assert!(second_page_cursor.is_some());
}

#[tokio::test]
async fn cursor_survives_deletes_before_its_position() {
    let c = start("generic", 10, &[]).await;
    let first = c.get("/Users?count=4&cursor").await;
    let before = ids(&first);
    let next = first.body["nextCursor"].as_str().unwrap().to_string();
    assert_eq!(c.delete(&format!("/Users/{}", before[0])).await.status, 204);
    let second = c.get(&format!("/Users?count=4&cursor={next}")).await;
    let all = c.get("/Users?count=100").await;
    let expected: Vec<String> = ids(&all).into_iter().skip(3).take(4).collect();
    assert_eq!(
        ids(&second),
        expected,
        "no gap and no duplicate after a delete"
    );
}

#[tokio::test]
async fn bad_cursors_get_rfc_9865_errors() {
    let c = start("generic", 10, &[]).await;
    assert_scim_error(
        &c.get("/Users?count=2&cursor=garbage").await,
        400,
        Some("invalidCursor"),
    );
    let r = c.get("/Users?count=2&cursor").await;
    let next = r.body["nextCursor"].as_str().unwrap().to_string();
    let tampered = format!("{}0", &next);
    assert_scim_error(
        &c.get(&format!("/Users?count=2&cursor={tampered}")).await,
        400,
        Some("invalidCursor"),
    );
    assert_scim_error(
        &c.get(&format!("/Users?count=3&cursor={next}")).await,
        400,
        Some("invalidCursor"),
    );
    assert_scim_error(
        &c.get("/Users?count=0&cursor").await,
        400,
        Some("invalidCount"),
    );
}

#[tokio::test]
async fn expired_cursors_are_expired_cursor() {
    let cfg = ServeConfig {
        users: Some(5),
        overrides: vec![("list.cursor".into(), json!({"timeout_secs": 0}))],
        ..config("generic")
    };
    let c = Client::start_with(cfg).await;
    let r = c.get("/Users?count=2&cursor").await;
    let next = r.body["nextCursor"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_scim_error(
        &c.get(&format!("/Users?count=2&cursor={next}")).await,
        400,
        Some("expiredCursor"),
    );
}

#[tokio::test]
async fn filtered_and_sorted_cursor_walks_are_complete() {
    let c = start("generic", 30, &[]).await;
    let f = urlencode("userName sw \"user\"");
    let mut next = String::new();
    let mut names = Vec::new();
    loop {
        let r = c
            .get(&format!(
                "/Users?filter={f}&sortBy=userName&count=7&cursor={next}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        names.extend(user_names(&r));
        match r.body.get("nextCursor").and_then(Value::as_str) {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 30);
}

#[tokio::test]
async fn group_lists_filter_on_display_name_and_members() {
    let c = Client::start("generic").await;
    let r = c
        .get(&format!(
            "/Groups?filter={}",
            urlencode("members[value eq \"2819c223-7f76-453a-919d-413861904646\"]")
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1);
    let r = c
        .get(&format!(
            "/Groups?filter={}",
            urlencode("displayName eq \"TOUR GUIDES\"")
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1);
    let r = c.get("/Groups?excludedAttributes=members").await;
    assert!(r.body["Resources"][0].get("members").is_none());
}

#[tokio::test]
async fn query_strings_decode_plus_as_space_and_refuse_bad_encoding() {
    let c = Client::start("generic").await;
    let r = c
        .get("/Users?filter=userName+eq+%22bjensen%40example.com%22")
        .await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.text);
    assert_scim_error(
        &c.get("/Users?filter=%zz").await,
        400,
        Some("invalidSyntax"),
    );
    assert_scim_error(
        &c.get("/Users?filter=%ff%fe").await,
        400,
        Some("invalidSyntax"),
    );
}

#[tokio::test]
async fn multi_valued_sorting_uses_the_primary_value() {
    let c = Client::start("generic").await;
    let a = c.post("/Users", &json!({"userName": "p1", "emails": [{"value": "aaa@example.com"}, {"value": "zzz@example.com", "primary": true}]})).await;
    let b = c
        .post(
            "/Users",
            &json!({"userName": "p2", "emails": [{"value": "mmm@example.com", "primary": true}]}),
        )
        .await;
    let r = c
        .get(&format!(
            "/Users?filter={}&sortBy=emails.value",
            urlencode("userName sw \"p\"")
        ))
        .await;
    assert_eq!(
        ids(&r),
        vec![
            b.body["id"].as_str().unwrap().to_string(),
            a.body["id"].as_str().unwrap().to_string()
        ]
    );
}

#[tokio::test]
async fn uncapped_profiles_page_without_overflow() {
    let cfg = ServeConfig {
        overrides: vec![
            ("list.default_count".into(), Value::Null),
            ("list.max_count".into(), Value::Null),
        ],
        ..config("generic")
    };
    let c = Client::start_with(cfg).await;
    let r = c.get("/Users?startIndex=2").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["itemsPerPage"], 2);
}

/// `list.visibility_delay_ms` (eventual consistency, a testing aid): a created user is read by
/// id at once, and listed only once the delay has passed.
#[tokio::test]
async fn a_visibility_delay_keeps_new_resources_out_of_lists_for_a_while() {
    let c = crate::common::start("generic", 0, &[("list.visibility_delay_ms", json!(1500))]).await;
    let before = c.get("/Users").await.body["totalResults"].as_u64().unwrap();
    let created = c
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "late@example.com"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let at = std::time::Instant::now();
    let id = created.body["id"].as_str().unwrap().to_string();
    let filter = "/Users?filter=userName%20eq%20%22late%40example.com%22";
    assert_eq!(c.get(filter).await.body["totalResults"], 0);
    assert_eq!(c.get("/Users").await.body["totalResults"], before);
    assert_eq!(c.get(&format!("/Users/{id}")).await.status, 200);
    let group = c
        .post(
            "/Groups",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Late"}),
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let groups = c.get("/Groups?filter=displayName%20eq%20%22Late%22").await;
    assert_eq!(groups.body["totalResults"], 0);
    loop {
        if c.get(filter).await.body["totalResults"] == 1 {
            break;
        }
        assert!(
            at.elapsed() < std::time::Duration::from_secs(10),
            "never listed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        at.elapsed() >= std::time::Duration::from_millis(1400),
        "{:?}",
        at.elapsed()
    );
    assert_eq!(c.get("/Users").await.body["totalResults"], before + 1);
}

#[tokio::test]
async fn without_a_visibility_delay_a_created_user_is_listed_at_once() {
    let c = crate::common::start("generic", 0, &[]).await;
    let created = c
        .post(
            "/Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "now@example.com"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let r = c
        .get("/Users?filter=userName%20eq%20%22now%40example.com%22")
        .await;
    assert_eq!(r.body["totalResults"], 1);
}
