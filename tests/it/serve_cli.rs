//! The `scimock serve` contract (DESIGN §4.1), end to end through the real binary.

use crate::common::{run, scimock};
use scimock_profile::{PROFILE_NAMES, Profile, ProfileKind};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Served {
    child: Child,
    pub(crate) origin: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(args: &[&str]) -> Served {
    let mut child = scimock(&["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scimock");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let origin = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first stdout line was {line:?}"))
        .to_string();
    assert!(
        origin.starts_with("http://127.0.0.1:") && !origin.ends_with(":0"),
        "{origin}"
    );
    Served { child, origin }
}

pub(crate) fn get(url: &str, token: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    })
}

fn sigterm(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    for _ in 0..100 {
        if let Ok(Some(s)) = child.try_wait() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn prints_exactly_the_listening_line_and_serves_the_generic_profile() {
    let s = serve(&[]);
    let (status, body) = get(&format!("{}/scim/v2/Users", s.origin), "scimock-token");
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], 3);
    let (status, _) = get(&format!("{}/scim/v2/Users", s.origin), "wrong");
    assert_eq!(status, 401);
}

#[test]
fn token_users_and_seed_are_honoured_deterministically() {
    let a = serve(&["--token", "t0k", "--users", "25", "--seed", "9"]);
    let b = serve(&["--token", "t0k", "--users", "25", "--seed", "9"]);
    let (sa, la) = get(&format!("{}/scim/v2/Users?count=100", a.origin), "t0k");
    let (_, lb) = get(&format!("{}/scim/v2/Users?count=100", b.origin), "t0k");
    assert_eq!(sa, 200);
    assert_eq!(la["totalResults"], 28);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&la), ids(&lb), "same seed, same users");
    let (s, _) = get(&format!("{}/scim/v2/Users", a.origin), "scimock-token");
    assert_eq!(
        s, 401,
        "the default token is not accepted when --token is given"
    );
}

#[test]
fn fixtures_file_replaces_the_builtin_users() {
    let dir = std::env::temp_dir().join(format!("scimock-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("users.json");
    std::fs::write(&path, r#"[{"userName":"only@example.com","id":"only-1"}]"#).unwrap();
    let s = serve(&["--fixtures", path.to_str().unwrap()]);
    let (_, body) = get(&format!("{}/scim/v2/Users", s.origin), "scimock-token");
    assert_eq!(body["totalResults"], 1);
    assert_eq!(body["Resources"][0]["id"], "only-1");
}

#[test]
fn vendor_profiles_mount_at_their_real_paths_and_all_mounts_each_under_its_name() {
    let s = serve(&["--vendor", "atlassian"]);
    let (status, _) = get(
        &format!(
            "{}/scim/directory/4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77/Users",
            s.origin
        ),
        "scimock-token",
    );
    assert_eq!(status, 200);
    let (status, body) = get(
        &format!("{}/scim/directory/other-directory/Users", s.origin),
        "scimock-token",
    );
    assert_eq!(status, 404);
    assert_eq!(body["status"], "404");
    let all = serve(&["--vendor", "all"]);
    // Every profile of the registry is mounted under /{vendor} + its real base path.
    let mut mounted = Vec::new();
    for name in PROFILE_NAMES {
        let p = Profile::builtin(name).unwrap();
        let base = format!("/{name}{}", p.concrete_base_path());
        let path = match p.kind {
            ProfileKind::Scim => format!("{base}/Users"),
            ProfileKind::Unified => {
                let account = p
                    .unified
                    .as_ref()
                    .and_then(|u| u.accounts.first())
                    .map(|a| a.id.clone())
                    .expect("a unified profile has a mock account");
                format!("{base}?integrated_account_id={account}")
            }
        };
        let (status, _) = get(&format!("{}{path}", all.origin), "scimock-token");
        assert_eq!(status, 200, "{path}");
        mounted.push(path);
    }
    // The real paths DESIGN §4.1 documents are among them.
    for path in [
        "/generic/scim/v2/Users",
        "/attio/scim/v2/Users",
        "/atlassian/scim/directory/4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77/Users",
        "/adra/api/organizations/ORG-7F3A2C91/scim/Users",
        "/elfsquad/scim/2/Users",
    ] {
        assert!(mounted.iter().any(|m| m == path), "{path} in {mounted:?}");
        let (status, _) = get(&format!("{}{path}", all.origin), "scimock-token");
        assert_eq!(status, 200, "{path}");
    }
}

#[test]
fn sigterm_shuts_down_gracefully_and_saves_state() {
    let dir = std::env::temp_dir().join(format!("scimock-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let mut s = serve(&["--state", path.to_str().unwrap()]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/scim/v2/Users", s.origin);
    let created = rt.block_on(async {
        reqwest::Client::new()
            .post(&url)
            .bearer_auth("scimock-token")
            .header("content-type", "application/scim+json")
            .body(r#"{"userName":"persisted@example.com"}"#)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(created, 201);
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0), "graceful exit");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(doc.to_string().contains("persisted@example.com"));
    // A restart loads it.
    let s2 = serve(&["--state", path.to_str().unwrap()]);
    let (_, body) = get(
        &format!(
            "{}/scim/v2/Users?filter=userName%20eq%20%22persisted@example.com%22",
            s2.origin
        ),
        "scimock-token",
    );
    assert_eq!(body["totalResults"], 1);
}

#[test]
fn a_corrupt_state_file_is_refused_and_left_alone() {
    let dir = std::env::temp_dir().join(format!("scimock-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    std::fs::write(
        &path,
        b"{\"format\":\"scimock-state\",\"version\":1,\"tenants\":{\"/scim/v2\":{\"us",
    )
    .unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("corrupt or truncated"), "{err}");
    assert!(
        std::fs::read(&path).unwrap().ends_with(b"\"us"),
        "the file was not replaced"
    );
}

#[test]
fn binding_beyond_loopback_needs_an_explicit_token() {
    let out = run(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token"));
    let out = run(&["serve", "--listen", "0.0.0.0:0", "--token", "s3cret"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--admin-token"));
}

#[test]
fn the_admin_token_must_differ_from_the_scim_token() {
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--token",
        "same",
        "--admin-token",
        "same",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must differ"));
}

#[test]
fn sigterm_during_concurrent_writes_keeps_every_acknowledged_write() {
    let dir = std::env::temp_dir().join(format!("scimock-load-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let mut s = serve(&["--state", path.to_str().unwrap()]);
    let url = format!("{}/scim/v2/Users", s.origin);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acknowledged = rt.block_on(async {
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for w in 0..16 {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = Vec::new();
                for k in 0..10_000 {
                    let name = format!("w{w}-{k}@example.com");
                    let r = client
                        .post(&url)
                        .bearer_auth("scimock-token")
                        .header("content-type", "application/scim+json")
                        .body(format!("{{\"userName\":\"{name}\"}}"))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().as_u16() == 201 => ok.push(name),
                        Ok(r) => panic!("create answered {}", r.status()),
                        Err(_) => break, // the server went away: stop
                    }
                }
                ok
            }));
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        sigterm(&s.child);
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    assert_eq!(wait_exit(&mut s.child), Some(0), "graceful exit under load");
    assert!(
        acknowledged.len() > 50,
        "the load ran: {} writes",
        acknowledged.len()
    );
    eprintln!("{} writes acknowledged before SIGTERM", acknowledged.len());
    let restarted = serve(&["--state", path.to_str().unwrap()]);
    let (_, body) = get(
        &format!("{}/scim/v2/Users?count=0", restarted.origin),
        "scimock-token",
    );
    let total = body["totalResults"].as_u64().unwrap() as usize;
    assert!(
        total >= acknowledged.len() + 3,
        "{total} users after restart, {} acknowledged",
        acknowledged.len()
    );
    for name in acknowledged
        .iter()
        .step_by((acknowledged.len() / 200).max(1))
    {
        let (_, b) = get(
            &format!(
                "{}/scim/v2/Users?filter=userName%20eq%20%22{name}%22",
                restarted.origin
            ),
            "scimock-token",
        );
        assert_eq!(b["totalResults"], 1, "acknowledged {name} lost");
    }
    // Exact check over everything: walk every page.
    let mut names = std::collections::HashSet::new();
    let mut start = 1;
    loop {
        let (_, page) = get(
            &format!(
                "{}/scim/v2/Users?startIndex={start}&count=1000",
                restarted.origin
            ),
            "scimock-token",
        );
        let items = page["Resources"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        start += items.len();
        names.extend(
            items
                .iter()
                .filter_map(|u| u["userName"].as_str().map(str::to_string)),
        );
    }
    assert_eq!(names.len(), total);
    for name in &acknowledged {
        assert!(names.contains(name), "acknowledged {name} lost");
    }
}
