use super::collection::SCAN_BATCH;
use super::*;
use serde_json::{Value, json};

fn user(name: &str) -> Value {
    json!({"userName": name, "emails": [{"value": format!("{name}@Example.com")}], "externalId": format!("x-{name}")})
}

#[test]
fn user_name_is_unique_case_insensitively() {
    let mut s = Store::new();
    s.create_user(user("alice"), Insert::default()).unwrap();
    assert_eq!(
        s.create_user(user("ALICE"), Insert::default()).unwrap_err(),
        StoreError::Duplicate("ALICE".into())
    );
}

#[test]
fn indexes_follow_replace_and_delete() {
    let mut s = Store::new();
    let a = s.create_user(user("alice"), Insert::default()).unwrap();
    assert_eq!(
        s.lookup(Indexed::Email, "ALICE@example.COM"),
        vec![a.id.clone()]
    );
    assert_eq!(s.lookup(Indexed::ExternalId, "x-alice"), vec![a.id.clone()]);
    assert!(s.lookup(Indexed::ExternalId, "X-ALICE").is_empty());
    s.replace_user(&a.id, user("alicia"), false).unwrap();
    assert!(s.lookup(Indexed::UserName, "alice").is_empty());
    assert_eq!(s.lookup(Indexed::UserName, "Alicia"), vec![a.id.clone()]);
    s.delete_user(&a.id).unwrap();
    assert!(s.lookup(Indexed::UserName, "alicia").is_empty());
    assert!(s.lookup(Indexed::Email, "alicia@example.com").is_empty());
}

#[test]
fn indexes_hold_several_ids_per_key_and_drop_them_one_by_one() {
    let mut s = Store::new();
    let shared = |n: &str| json!({"userName": n, "externalId": "x", "emails": [{"value": "Team@Example.com"}, {"value": "team@example.com"}]});
    let a = s.create_user(shared("a"), Insert::default()).unwrap();
    let b = s.create_user(shared("b"), Insert::default()).unwrap();
    let c = s.create_user(shared("c"), Insert::default()).unwrap();
    assert_eq!(
        s.lookup(Indexed::Email, "TEAM@example.com"),
        vec![a.id.clone(), b.id.clone(), c.id.clone()]
    );
    s.delete_user(&b.id).unwrap();
    assert_eq!(
        s.lookup(Indexed::ExternalId, "x"),
        vec![a.id.clone(), c.id.clone()]
    );
    s.delete_user(&a.id).unwrap();
    assert_eq!(
        s.lookup(Indexed::Email, "team@example.com"),
        vec![c.id.clone()]
    );
    s.delete_user(&c.id).unwrap();
    assert!(s.lookup(Indexed::ExternalId, "x").is_empty());
    assert!(s.by_email.is_empty() && s.by_external_id.is_empty());
}

#[test]
fn replace_keeps_position_created_and_bumps_version() {
    let mut s = Store::new();
    let a = s.create_user(user("a"), Insert::default()).unwrap();
    s.create_user(user("b"), Insert::default()).unwrap();
    let a2 = s.replace_user(&a.id, user("a2"), false).unwrap();
    assert_eq!(s.users.at(0).unwrap().id, a.id);
    assert_ne!(a.etag(), a2.etag());
    assert_eq!(
        a.to_value()["meta"]["created"],
        a2.to_value()["meta"]["created"]
    );
}

#[test]
fn group_members_must_exist_and_user_groups_follow() {
    let mut s = Store::new();
    let a = s.create_user(user("a"), Insert::default()).unwrap();
    let bad = s.create_group(
        json!({"displayName": "g", "members": [{"value": "nope"}]}),
        Insert::default(),
    );
    assert_eq!(bad.unwrap_err(), StoreError::UnknownMember("nope".into()));
    let g = s
        .create_group(
            json!({"displayName": "g", "members": [{"value": &*a.id}]}),
            Insert::default(),
        )
        .unwrap();
    let a_now = s.users.get(&a.id).unwrap().to_value();
    assert_eq!(a_now["groups"][0]["value"], json!(&*g.id));
    assert_eq!(a_now["groups"][0]["display"], json!("g"));
    s.delete_user(&a.id).unwrap();
    assert_eq!(
        s.groups.get(&g.id).unwrap().to_value()["members"],
        json!([])
    );
}

#[test]
fn deleting_a_group_clears_user_groups() {
    let mut s = Store::new();
    let a = s.create_user(user("a"), Insert::default()).unwrap();
    let g = s
        .create_group(
            json!({"displayName": "g", "members": [{"value": &*a.id}]}),
            Insert::default(),
        )
        .unwrap();
    s.delete_group(&g.id).unwrap();
    assert!(s.users.get(&a.id).unwrap().view().get("groups").is_none());
}

#[test]
fn position_of_seq_finds_the_next_resource_after_deletes() {
    let mut s = Store::new();
    let ids: Vec<Id> = (0..10)
        .map(|i| {
            s.create_user(user(&format!("u{i}")), Insert::default())
                .unwrap()
                .id
                .clone()
        })
        .collect();
    let seq5 = s.users.get(&ids[5]).unwrap().seq;
    s.delete_user(&ids[5]).unwrap();
    let p = s.position_of_seq_for_test(seq5);
    assert_eq!(s.users.at(p).unwrap().id, ids[6]);
}

#[test]
fn scan_keeps_matches_in_order_across_batch_edges() {
    let mut s = Store::new();
    for i in 0..(3 * SCAN_BATCH + 5) {
        s.create_user(user(&format!("u{i}")), Insert::default())
            .unwrap();
    }
    let odd = |st: &Stored| st.seq % 2 == 1;
    let want: Vec<Id> = s
        .users
        .iter()
        .filter(|st| odd(st))
        .map(|st| st.id.clone())
        .collect();
    let got: Vec<Id> = s.users.scan(odd).iter().map(|st| st.id.clone()).collect();
    assert_eq!(got, want);
    assert_eq!(s.users.scan(|_| true).len(), s.users.len());
    assert!(Store::new().users.scan(|_| true).is_empty());
}

#[test]
fn parallel_scan_keeps_matches_in_order() {
    let mut s = Store::new();
    s.reserve_users(PARALLEL_SCAN_MIN + 7);
    for i in 0..PARALLEL_SCAN_MIN + 7 {
        s.create_user(
            json!({"userName": format!("u{i}"), "title": if i % 1000 == 3 { "x" } else { "y" }}),
            Insert::default(),
        )
        .unwrap();
    }
    let x = |st: &Stored| st.str_attr("title") == Some("x");
    let want: Vec<Id> = s
        .users
        .iter()
        .filter(|st| x(st))
        .map(|st| st.id.clone())
        .collect();
    let got: Vec<Id> = s.users.scan(x).iter().map(|st| st.id.clone()).collect();
    assert_eq!(got.len(), 21);
    assert_eq!(got, want);
    assert_eq!(s.users.scan(|_| true).len(), s.users.len());
}

impl Store {
    fn position_of_seq_for_test(&self, seq: u64) -> usize {
        self.users.position_of_seq(seq)
    }
}
