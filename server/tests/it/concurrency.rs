//! Concurrency: 32 clients creating, patching with If-Match and deleting 10,000 users while
//! changing group memberships. No acknowledged write is lost, userName uniqueness holds, group
//! membership never points at a deleted user, and totalResults equals a full page walk.

use crate::common::*;
use reqwest::Method;
use scimock_server::{FaultMatch, FaultRule};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::Mutex;

const CLIENTS: usize = 32;
const USERS: usize = 10_000;
const HOT: usize = 64;

fn version_of(etag: &str) -> u64 {
    u64::from_str_radix(etag.trim_start_matches("W/").trim_matches('"'), 16).unwrap_or(0)
}

#[derive(Default)]
struct Ledger {
    /// id -> userName for every acknowledged create.
    created: HashMap<String, String>,
    /// ids acknowledged as deleted.
    deleted: HashSet<String>,
    /// hot user id -> (version, title) of every acknowledged PATCH.
    patched: HashMap<String, Vec<(u64, String)>>,
    conflicts: usize,
    stale: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_lose_no_acknowledged_write() {
    let c = Arc::new(Client::start("generic").await);
    let fixture_users = c.get("/Users?count=0").await.body["totalResults"]
        .as_u64()
        .unwrap() as usize;
    let group = c.post("/Groups", &json!({"displayName": "load"})).await;
    assert_eq!(group.status, 201);
    let gid = group.body["id"].as_str().unwrap().to_string();
    // Hot users everyone patches concurrently.
    let mut hot = Vec::new();
    for i in 0..HOT {
        let r = c
            .post(
                "/Users",
                &json!({"userName": format!("hot{i}@example.com")}),
            )
            .await;
        hot.push(r.body["id"].as_str().unwrap().to_string());
    }
    let hot = Arc::new(hot);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut tasks = Vec::new();
    for w in 0..CLIENTS {
        let (c, ledger, hot, gid) = (c.clone(), ledger.clone(), hot.clone(), gid.clone());
        tasks.push(tokio::spawn(async move {
            for k in 0..USERS / CLIENTS {
                let n = w * (USERS / CLIENTS) + k;
                // Every client also tries a name another client uses: exactly one may win.
                let name = format!("u{}@example.com", n % (USERS - 500));
                let r = c.post("/Users", &json!({"userName": name, "emails": [{"value": name}]})).await;
                match r.status {
                    201 => {
                        let id = r.body["id"].as_str().unwrap().to_string();
                        ledger.lock().await.created.insert(id.clone(), name.clone());
                        if n % 7 == 0 {
                            let p = c
                                .patch(&format!("/Groups/{gid}"), &patch_op(json!([{"op": "add", "path": "members", "value": [{"value": id}]}])))
                                .await;
                            assert!(p.status == 200 || p.status == 400, "{}", p.text);
                        }
                        if n % 5 == 0 {
                            let d = c.delete(&format!("/Users/{id}")).await;
                            assert_eq!(d.status, 204);
                            ledger.lock().await.deleted.insert(id);
                        }
                    }
                    409 => ledger.lock().await.conflicts += 1,
                    s => panic!("create answered {s}: {}", r.text),
                }
                // Read-modify-write on a hot user with If-Match.
                let h = &hot[n % HOT];
                let cur = c.get(&format!("/Users/{h}")).await;
                let etag = cur.header("etag").unwrap().to_string();
                let title = format!("w{w}-k{k}");
                let p = c
                    .send_with(
                        Method::PATCH,
                        &format!("/Users/{h}"),
                        Some(&patch_op(json!([{"op": "replace", "path": "title", "value": title}]))),
                        &[("if-match", &etag)],
                    )
                    .await;
                match p.status {
                    200 => {
                        let v = version_of(p.header("etag").unwrap());
                        ledger.lock().await.patched.entry(h.clone()).or_default().push((v, title));
                    }
                    412 => ledger.lock().await.stale += 1,
                    s => panic!("patch answered {s}: {}", p.text),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let ledger = ledger.lock().await;
    assert!(
        ledger.conflicts > 0,
        "the overlapping names must have produced 409s"
    );
    // Every acknowledged create is there unless acknowledged deleted; deletes are gone.
    for (id, name) in &ledger.created {
        let r = c.get(&format!("/Users/{id}")).await;
        if ledger.deleted.contains(id) {
            assert_eq!(r.status, 404, "{name} was deleted");
        } else {
            assert_eq!(r.status, 200, "{name} lost");
            assert_eq!(r.body["userName"], name.as_str());
        }
    }
    // The last acknowledged PATCH of each hot user is what it holds (no lost update).
    for (id, writes) in &ledger.patched {
        let last = writes.iter().max_by_key(|(v, _)| *v).unwrap();
        let r = c.get(&format!("/Users/{id}")).await;
        assert_eq!(r.body["title"], last.1.as_str(), "hot user {id}");
    }
    // A full page walk sees every user exactly once, totalResults agrees, userNames are unique.
    let mut seen = HashSet::new();
    let mut names = HashSet::new();
    let mut total = None;
    let mut start = 1;
    loop {
        let r = c
            .get(&format!("/Users?startIndex={start}&count=1000"))
            .await;
        let t = r.body["totalResults"].as_u64().unwrap();
        assert_eq!(*total.get_or_insert(t), t, "totalResults stable");
        let page = r.body["Resources"].as_array().unwrap();
        if page.is_empty() {
            break;
        }
        for u in page {
            assert!(
                seen.insert(u["id"].as_str().unwrap().to_string()),
                "duplicate in walk"
            );
            assert!(
                names.insert(u["userName"].as_str().unwrap().to_lowercase()),
                "userName not unique"
            );
        }
        start += page.len();
    }
    let expected = fixture_users + HOT + ledger.created.len() - ledger.deleted.len();
    assert_eq!(seen.len(), expected);
    assert_eq!(total, Some(expected as u64));
    // Group membership never points at a deleted user.
    let g = c.get(&format!("/Groups/{gid}")).await;
    for m in g.body["members"].as_array().cloned().unwrap_or_default() {
        let id = m["value"].as_str().unwrap();
        assert!(
            !ledger.deleted.contains(id),
            "group still lists deleted user {id}"
        );
        assert_eq!(c.get(&format!("/Users/{id}")).await.status, 200);
    }
    eprintln!(
        "created {} (409 conflicts {}), deleted {}, hot patches ok {} / stale 412 {}",
        ledger.created.len(),
        ledger.conflicts,
        ledger.deleted.len(),
        ledger.patched.values().map(Vec::len).sum::<usize>(),
        ledger.stale
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fault_for_three_requests_fires_exactly_three_times_under_load() {
    let c = Arc::new(Client::start("generic").await);
    c.mock.inject(FaultRule {
        status: Some(429),
        times: Some(3),
        retry_after: Some(1),
        matcher: FaultMatch {
            method: Some("GET".into()),
            path_suffix: Some("/Users".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    });
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            for _ in 0..10 {
                if c.get("/Users").await.status == 429 {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut fired = 0;
    for t in tasks {
        fired += t.await.unwrap();
    }
    assert_eq!(fired, 3);
    let faults: Value = c.get("/_scimock/faults").await.body;
    assert_eq!(faults["faults"][0]["fired"], 3);
}

/// A large PATCH under a steady stream of small writes to the same user still commits: after
/// a few optimistic tries it is applied under the write lock. (It used to be retried 64 times
/// against the moving version and answered 409 "kept changing".)
#[tokio::test]
async fn a_large_patch_commits_under_a_steady_concurrent_writer() {
    use scimock_server::store::Kind;
    use scimock_server::writes;
    let c = Client::start("generic").await;
    let t = c.mock.tenant("generic").unwrap().clone();
    let created = writes::create_user(&t, json!({"userName": "busy@example.com"})).unwrap();
    let id = created.stored.id.to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (t, id, stop) = (t.clone(), id.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let small = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "title", "value": format!("t{n}")}]});
                writes::patch(&t, Kind::User, &id, &small, None).unwrap();
                n += 1;
            }
            n
        })
    };
    let emails: Vec<Value> = (0..4_000)
        .map(|i| json!({"value": format!("e{i}@example.com"), "type": "work"}))
        .collect();
    let big = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "emails", "value": emails}]});
    for _ in 0..5 {
        let w = writes::patch(&t, Kind::User, &id, &big, None);
        assert!(w.is_ok(), "{:?}", w.err());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let small_writes = writer.join().unwrap();
    assert!(small_writes > 0);
    let user = c.get(&format!("/Users/{id}")).await;
    assert_eq!(user.body["emails"].as_array().map(Vec::len), Some(4_000));
}
