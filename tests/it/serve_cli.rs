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
    serve_with(args, Stdio::null())
}

/// `serve` with its stderr sent where the test wants it (`Stdio::piped()` to read it).
fn serve_with(args: &[&str], stderr: Stdio) -> Served {
    let mut child = scimock(&["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
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
        // A User-Agent, like every real client (GitHub refuses a request without one, D:G2).
        let r = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .header("user-agent", "scimock-tests")
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
    refused_state(&path, "corrupt or truncated");
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

#[test]
fn listen_takes_localhost_and_refuses_what_is_not_an_address() {
    let mut child = scimock(&["serve", "--listen", "localhost:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scimock");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("listening on http://127.0.0.1:"),
        "{line:?}"
    );
    let out = run(&["serve", "--listen", "example.com:80"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("localhost:PORT"));
}

#[test]
fn help_names_every_builtin_vendor_and_the_exit_statuses() {
    let serve = String::from_utf8_lossy(&run(&["serve", "--help"]).stdout).into_owned();
    let check = String::from_utf8_lossy(&run(&["check", "--help"]).stdout).into_owned();
    for name in PROFILE_NAMES {
        assert!(serve.contains(name), "serve --help lacks {name}: {serve}");
        assert!(check.contains(name), "check --help lacks {name}: {check}");
    }
    assert!(check.contains("Exit status: 0"), "{check}");
    let filter = String::from_utf8_lossy(&run(&["filter", "--help"]).stdout).into_owned();
    assert!(
        filter.contains("Exit status: 0") && filter.contains("3 valid"),
        "{filter}"
    );
}
/// POSTs a user through the real server and returns the status.
fn create_user(origin: &str, user_name: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{origin}/scim/v2/Users"))
            .bearer_auth("scimock-token")
            .header("content-type", "application/scim+json")
            .body(format!("{{\"userName\":\"{user_name}\"}}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

#[test]
fn a_half_open_connection_and_a_long_latency_fault_do_not_stop_shutdown_or_the_save() {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("scimock-half-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let mut s = serve(&[
        "--state",
        path.to_str().unwrap(),
        "--shutdown-timeout",
        "1.5",
    ]);
    assert_eq!(create_user(&s.origin, "kept@example.com"), 201);
    let addr = s.origin.strip_prefix("http://").unwrap().to_string();
    // A request head without its blank line, and a request with half its body.
    let mut head = std::net::TcpStream::connect(&addr).unwrap();
    head.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let mut body = std::net::TcpStream::connect(&addr).unwrap();
    body.write_all(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer scimock-token\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{\"userName\"",
    )
    .unwrap();
    // A request held by an hour of injected latency.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let origin = s.origin.clone();
    let added = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{origin}/_scimock/faults"))
            .header("content-type", "application/json")
            .body(r#"{"latency_ms":3600000,"match":{"method":"GET"}}"#)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(added, 201);
    let slow = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{origin}/scim/v2/Users"))
                .bearer_auth("scimock-token")
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    });
    std::thread::sleep(Duration::from_millis(300));
    let asked = std::time::Instant::now();
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0), "exits after the deadline");
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(4), "shutdown took {took:?}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(doc.to_string().contains("kept@example.com"), "{doc}");
    // The latency ended at shutdown: the request was answered, not cut.
    assert_eq!(slow.join().unwrap().ok(), Some(200));
    drop((head, body));
}

fn state_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scimock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Serves with `args`, creates `user_name`, SIGTERMs and waits for the exit.
fn write_state(args: &[&str], prefix: &str, user_name: &str) {
    let mut s = serve(args);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}{prefix}/scim/v2/Users", s.origin))
            .bearer_auth("scimock-token")
            .header("content-type", "application/scim+json")
            .body(format!("{{\"userName\":\"{user_name}\"}}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 201);
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0));
}

#[test]
fn a_state_file_of_another_mount_is_refused_and_left_untouched() {
    let d = state_dir("foreign");
    let path = d.join("state.json");
    let p = path.to_str().unwrap();
    write_state(
        &["--vendor", "generic", "--state", p],
        "",
        "mine@example.com",
    );
    let before = std::fs::read(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(doc["mount"]["vendor"], "generic", "{doc}");
    for vendor in ["all", "attio"] {
        let out = run(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--vendor",
            vendor,
            "--state",
            p,
        ]);
        assert_eq!(out.status.code(), Some(2), "--vendor {vendor}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("belongs to another mount"), "{err}");
        assert!(err.contains("--vendor generic"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "file untouched");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the state file holds passwords");
    }
}

#[test]
fn a_legacy_state_file_loads_only_into_the_mount_it_matches() {
    let d = state_dir("legacy");
    let path = d.join("state.json");
    let p = path.to_str().unwrap();
    let legacy = r#"{"format":"scimock-state","version":1,"tenants":{"/scim/v2":{"vendor":"generic","users":[{"userName":"old@example.com","id":"old-1"}],"groups":[]}}}"#;
    std::fs::write(&path, legacy).unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--vendor",
        "attio",
        "--state",
        p,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another mount"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), legacy);
    let s = serve(&["--state", p]);
    let (_, body) = get(
        &format!("{}/scim/v2/Users/old-1", s.origin),
        "scimock-token",
    );
    assert_eq!(body["userName"], "old@example.com");
}

/// Runs `serve --state path` expecting a refusal at start (exit 2) whose message has `want`.
fn refused_state(path: &std::path::Path, want: &str) {
    let before = std::fs::read(path).unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(want), "{err}");
    assert_eq!(std::fs::read(path).unwrap(), before, "file untouched");
}

#[test]
fn a_state_file_loads_in_any_key_order_and_other_json_is_refused() {
    let d = state_dir("order");
    let path = d.join("state.json");
    let p = path.to_str().unwrap();
    write_state(&["--state", p], "", "ordered@example.com");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let tenant = &doc["tenants"]["/scim/v2"];
    let user = tenant["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == "ordered@example.com")
        .unwrap()
        .clone();
    let id = user["id"].as_str().unwrap().to_string();
    // Tenants before the format, groups before users: written by hand, not by scimock.
    let group =
        serde_json::json!({"id": "g-1", "displayName": "Ordered", "members": [{"value": id}]});
    let by_hand = format!(
        r#"{{"tenants":{{"/scim/v2":{{"groups":[{group}],"users":[{user}],"vendor":"generic"}}}},"mount":{},"version":1,"format":"scimock-state"}}"#,
        doc["mount"]
    );
    std::fs::write(&path, &by_hand).unwrap();
    let s = serve(&["--state", p]);
    let (_, body) = get(&format!("{}/scim/v2/Users/{id}", s.origin), "scimock-token");
    assert_eq!(body["userName"], "ordered@example.com", "{body}");
    let (_, body) = get(&format!("{}/scim/v2/Groups/g-1", s.origin), "scimock-token");
    assert_eq!(body["members"][0]["value"], id.as_str(), "{body}");
    let (_, body) = get(&format!("{}/scim/v2/Users", s.origin), "scimock-token");
    assert_eq!(body["totalResults"], 1, "only what the file holds: {body}");
    drop(s);
    for other in [
        "[1, 2]",
        r#"{"format":"another-tool","version":1,"tenants":{}}"#,
        r#"{"format":"scimock-state","version":2,"tenants":{}}"#,
    ] {
        std::fs::write(&path, other).unwrap();
        refused_state(&path, "is not a scimock state file");
    }
    let twice = format!(
        r#"{{"format":"scimock-state","version":1,"mount":{},"tenants":{{"/scim/v2":{{"vendor":"generic","users":[{user},{user}],"groups":[]}}}}}}"#,
        doc["mount"]
    );
    std::fs::write(&path, &twice).unwrap();
    refused_state(&path, "state for /scim/v2");
    // Another mount's file is refused as such before its content is looked at.
    let theirs = twice.replace(
        r#""vendor":"generic","paths""#,
        r#""vendor":"slack","paths""#,
    );
    assert_ne!(theirs, twice);
    std::fs::write(&path, theirs).unwrap();
    refused_state(&path, "belongs to another mount");
    // `"users": null` holds no users.
    let empty = format!(
        r#"{{"format":"scimock-state","version":1,"mount":{},"tenants":{{"/scim/v2":{{"vendor":"generic","users":null,"groups":[]}}}}}}"#,
        doc["mount"]
    );
    std::fs::write(&path, empty).unwrap();
    let s = serve(&["--state", p]);
    let (_, body) = get(&format!("{}/scim/v2/Users", s.origin), "scimock-token");
    assert_eq!(body["totalResults"], 0, "{body}");
}

#[test]
fn a_unified_account_over_a_vendor_that_ignores_start_index_is_refused_at_start() {
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--vendor",
        "truto",
        "--set",
        r#"unified.accounts=[{"id":"acc-aws","vendor":"aws"}]"#,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("acc-aws") && err.contains("ignores startIndex"),
        "{err}"
    );
}

#[test]
fn an_unusable_state_path_is_refused_at_start() {
    let d = state_dir("unusable");
    let missing = d.join("no-such-dir").join("state.json");
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot use --state"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        d.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "a directory");
}

#[cfg(unix)]
#[test]
fn a_symlinked_state_path_keeps_its_link_and_the_target_is_written() {
    let d = state_dir("symlink");
    let real = d.join("real.json");
    let link = d.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // A dangling link is refused rather than replaced.
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        link.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(
        &real,
        r#"{"format":"scimock-state","version":1,"tenants":{"/scim/v2":{"vendor":"generic","users":[],"groups":[]}}}"#,
    )
    .unwrap();
    write_state(
        &["--state", link.to_str().unwrap()],
        "",
        "linked@example.com",
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("linked@example.com")
    );
}

/// Every userName (and displayName) on the server, walking all pages.
fn all_users(origin: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut start = 1;
    loop {
        let (_, page) = get(
            &format!("{origin}/scim/v2/Users?startIndex={start}&count=1000"),
            "scimock-token",
        );
        let items = page["Resources"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return out;
        }
        start += items.len();
        out.extend(items.iter().map(|u| {
            (
                u["userName"].as_str().unwrap_or_default().to_string(),
                u["displayName"].as_str().unwrap_or_default().to_string(),
            )
        }));
    }
}

#[test]
fn sigkill_during_concurrent_writes_loses_no_acknowledged_write_and_keeps_no_refused_one() {
    let d = state_dir("sigkill");
    let path = d.join("state.json");
    let p = path.to_str().unwrap().to_string();
    let mut s = serve(&["--state", &p]);
    let url = format!("{}/scim/v2/Users", s.origin);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // (created and kept, created then deleted, refused PATCHes sent)
    let (kept, deleted, refused) = rt.block_on(async {
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for w in 0..12 {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let (mut kept, mut deleted, mut refused) = (Vec::new(), Vec::new(), 0);
                for k in 0..100_000 {
                    let name = format!("w{w}-{k}@example.com");
                    let r = client
                        .post(&url)
                        .bearer_auth("scimock-token")
                        .header("content-type", "application/scim+json")
                        .body(format!("{{\"userName\":\"{name}\"}}"))
                        .send()
                        .await;
                    let id = match r {
                        Ok(r) if r.status().as_u16() == 201 => {
                            let v: serde_json::Value = match r.json().await {
                                Ok(v) => v,
                                Err(_) => break,
                            };
                            v["id"].as_str().unwrap().to_string()
                        }
                        Ok(r) => panic!("create answered {}", r.status()),
                        Err(_) => break, // killed
                    };
                    if k % 4 == 3 {
                        match client
                            .delete(format!("{url}/{id}"))
                            .bearer_auth("scimock-token")
                            .send()
                            .await
                        {
                            Ok(r) if r.status().as_u16() == 204 => deleted.push(name),
                            Ok(r) => panic!("delete answered {}", r.status()),
                            Err(_) => break,
                        }
                        continue;
                    }
                    kept.push(name);
                    if k % 10 == 5 {
                        // One valid operation and one invalid: refused whole.
                        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"refused"},{"op":"explode","path":"displayName"}]}"#;
                        match client
                            .patch(format!("{url}/{id}"))
                            .bearer_auth("scimock-token")
                            .header("content-type", "application/scim+json")
                            .body(body)
                            .send()
                            .await
                        {
                            Ok(r) if r.status().as_u16() == 400 => refused += 1,
                            Ok(r) => panic!("invalid PATCH answered {}", r.status()),
                            Err(_) => break,
                        }
                    }
                }
                (kept, deleted, refused)
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        s.child.kill().unwrap();
        let (mut kept, mut deleted, mut refused) = (Vec::new(), Vec::new(), 0);
        for t in tasks {
            let (k, d, r) = t.await.unwrap();
            kept.extend(k);
            deleted.extend(d);
            refused += r;
        }
        (kept, deleted, refused)
    });
    let _ = s.child.wait();
    assert!(kept.len() > 50, "the load ran: {} creates kept", kept.len());
    eprintln!(
        "before SIGKILL: {} creates kept, {} deleted, {refused} PATCHes refused",
        kept.len(),
        deleted.len()
    );
    let restarted = serve(&["--state", &p]);
    let users = all_users(&restarted.origin);
    let names: std::collections::HashSet<&str> = users.iter().map(|(n, _)| n.as_str()).collect();
    for name in &kept {
        assert!(
            names.contains(name.as_str()),
            "acknowledged create {name} lost"
        );
    }
    for name in &deleted {
        assert!(
            !names.contains(name.as_str()),
            "acknowledged delete of {name} lost"
        );
    }
    assert!(
        users.iter().all(|(_, display)| display != "refused"),
        "a refused PATCH is in the restored state"
    );
}

#[test]
fn empty_secrets_and_the_default_token_beyond_loopback_are_refused() {
    for args in [
        &["--token", ""][..],
        &["--admin-token", ""][..],
        &["--token", "  "][..],
    ] {
        let out = run(&[&["serve", "--listen", "127.0.0.1:0"][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is empty"),
            "{args:?}"
        );
    }
    let out = run(&[
        "serve",
        "--listen",
        "0.0.0.0:0",
        "--token",
        "scimock-token",
        "--admin-token",
        "adm1n",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the default token, passed explicitly"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("default token"));
}

#[test]
fn log_requests_prints_one_line_per_request_and_shutdown_says_what_was_saved() {
    let dir = state_dir("log-requests");
    let path = dir.join("state.json");
    let mut s = serve_with(
        &["--log-requests", "--state", path.to_str().unwrap()],
        Stdio::piped(),
    );
    assert_eq!(create_user(&s.origin, "logged@example.com"), 201);
    let (status, _) = get(
        &format!("{}/scim/v2/Users?count=1", s.origin),
        "wrong-token",
    );
    assert_eq!(status, 401);
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0), "graceful exit");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut s.child.stderr.take().unwrap(), &mut err).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    let post = lines
        .iter()
        .find(|l| l.contains(" generic POST /scim/v2/Users 201 "))
        .unwrap_or_else(|| panic!("no POST line in {err}"));
    assert!(post.ends_with("ms"), "{post}");
    // An RFC 3339 time first.
    assert!(
        post.starts_with("20") && post.as_bytes()[10] == b'T',
        "{post}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" generic GET /scim/v2/Users?count=1 401 ")),
        "{err}"
    );
    // Not a terminal: no colour codes.
    assert!(!err.contains('\x1b'), "{err}");
    let saved = format!("scimock: state saved to {} (", path.display());
    let line = lines
        .iter()
        .find(|l| l.starts_with(&saved))
        .unwrap_or_else(|| panic!("no saved line in {err}"));
    // The generic fixtures' 3 users and 1 group, and the one created.
    assert!(line.ends_with(" (4 users, 1 group)"), "{line}");
}

#[test]
fn without_log_requests_nothing_is_printed_per_request() {
    let mut s = serve_with(&[], Stdio::piped());
    assert_eq!(create_user(&s.origin, "quiet@example.com"), 201);
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut s.child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("/scim/v2/Users"), "{err}");
}

#[test]
fn a_violation_is_marked_in_the_log_line_and_summarised_at_shutdown() {
    let mut s = serve_with(&["--vendor", "attio", "--log-requests"], Stdio::piped());
    let (status, body) = get(
        &format!("{}/scim/v2/Users?count=500", s.origin),
        "scimock-token",
    );
    assert_eq!(status, 200, "{body}");
    sigterm(&s.child);
    assert_eq!(wait_exit(&mut s.child), Some(0));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut s.child.stderr.take().unwrap(), &mut err).unwrap();
    let line = err
        .lines()
        .find(|l| l.contains(" attio GET /scim/v2/Users?count=500 200 "))
        .unwrap_or_else(|| panic!("no request line in {err}"));
    assert!(
        line.contains("! VIOLATION: count 500 is above the vendor's maximum of 100")
            && line.ends_with("[list.max_count]"),
        "{line}"
    );
    assert!(err.contains("scimock: 1 client violation ("), "{err}");
    assert!(
        err.contains("\n  1 x attio list.max_count: count 500"),
        "{err}"
    );
}
