//! Connection phases are bounded: a client that stalls its request head or body is answered or
//! dropped in time, whatever the route.

use crate::common::config;
use scimock_server::MockServer;
use scimock_server::ServeConfig;
use scimock_server::timeouts::Timeouts;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(header: u64, body: u64) -> MockServer {
    MockServer::start_with(ServeConfig {
        timeouts: Timeouts {
            header: Duration::from_millis(header),
            body: Duration::from_millis(body),
            shutdown: Duration::from_secs(1),
        },
        ..config("generic")
    })
    .await
    .unwrap()
}

/// Reads until the server closes the connection (or 10 s pass); what it sent.
async fn read_to_close(s: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_dropped_after_the_header_timeout() {
    let m = start(300, 5_000).await;
    let mut s = TcpStream::connect(m.addr()).await.unwrap();
    s.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let (_, took) = read_to_close(&mut s).await;
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let m = start(300, 5_000).await;
    let mut s = TcpStream::connect(m.addr()).await.unwrap();
    s.write_all(b"GET /_scimock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (text, took) = read_to_close(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
}

#[tokio::test]
async fn a_body_that_stalls_gets_a_408_in_the_profile_format_and_the_connection_closes() {
    let m = start(5_000, 300).await;
    let mut s = TcpStream::connect(m.addr()).await.unwrap();
    s.write_all(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer scimock-token\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{\"userName\"",
    )
    .await
    .unwrap();
    let (text, took) = read_to_close(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    assert!(
        text.contains("urn:ietf:params:scim:api:messages:2.0:Error"),
        "{text}"
    );
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
}

#[tokio::test]
async fn a_client_that_writes_its_whole_oversized_body_first_can_read_the_413() {
    let m = start(5_000, 10_000).await;
    let addr = m.addr();
    let text = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let body = vec![b'x'; 3 * 1024 * 1024];
        write!(
            s,
            "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer scimock-token\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        // Like Python's http.client: the whole body, then the answer.
        s.write_all(&body).expect("the server reads the body instead of resetting");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    assert!(
        text.contains("urn:ietf:params:scim:api:messages:2.0:Error"),
        "{text}"
    );
}

#[tokio::test]
async fn an_oversized_admin_bulk_load_is_answered_in_json() {
    let m = start(5_000, 10_000).await;
    let big = format!("[{}]", vec!["{\"userName\":\"x\"}"; 200_000].join(","));
    let r = reqwest::Client::new()
        .post(format!("{}/_scimock/users", m.uri()))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["error"].is_string(), "{v}");
}

#[tokio::test]
async fn the_journal_is_bounded_in_bytes_and_read_in_pages() {
    let m = MockServer::start_with(ServeConfig {
        journal_bytes: 64 * 1024,
        ..config("generic")
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let big = "y".repeat(2_000);
    for _ in 0..100 {
        http.get(format!("{}/Users", m.base_url()))
            .bearer_auth("scimock-token")
            .header("x-big", &big)
            .send()
            .await
            .unwrap();
    }
    let kept = m.requests().len();
    assert!(kept < 40 && kept > 5, "{kept} entries kept within 64 KiB");
    let mut after = 0;
    let mut seen = 0;
    loop {
        let v: serde_json::Value = http
            .get(format!(
                "{}/_scimock/requests?limit=7&after={after}",
                m.uri()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = v["requests"].as_array().unwrap();
        assert!(page.len() <= 7);
        seen += page.len();
        match v["next_after"].as_u64() {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(seen, kept);
}

#[tokio::test]
async fn an_unauthenticated_request_is_refused_before_its_body_arrives_and_journals_no_body() {
    let m = start(5_000, 20_000).await;
    let mut s = TcpStream::connect(m.addr()).await.unwrap();
    s.write_all(
        b"POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{\"userName\":\"secret-body\"",
    )
    .await
    .unwrap();
    let (text, took) = read_to_close(&mut s).await;
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(
        took < Duration::from_secs(5),
        "answered after {took:?}, not the body timeout"
    );
    let j = m.requests();
    let last = j.last().unwrap();
    assert_eq!(last.status, 401);
    assert_eq!(last.body, None, "an unauthenticated body is never kept");
}

#[tokio::test]
async fn a_long_target_or_too_many_headers_are_answered_in_the_profile_format() {
    let m = start(5_000, 5_000).await;
    let http = reqwest::Client::new();
    let long = format!(
        "{}/Users?filter=userName%20eq%20%22{}%22",
        m.base_url(),
        "x".repeat(40_000)
    );
    let r = http
        .get(long)
        .bearer_auth("scimock-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 414);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], "414", "{v}");
    let mut req = http
        .get(format!("{}/Users", m.base_url()))
        .bearer_auth("scimock-token");
    for i in 0..150 {
        req = req.header(format!("x-h{i}"), "v");
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status().as_u16(), 431);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], "431", "{v}");
}

/// Over `max_connections`, a connection gets a readable 503 with `Retry-After` and is closed;
/// when a connection ends, the next one is served again.
#[tokio::test]
async fn connections_over_the_cap_get_a_503_and_the_server_recovers() {
    let m = MockServer::start_with(ServeConfig {
        max_connections: 2,
        timeouts: Timeouts {
            header: Duration::from_secs(10),
            body: Duration::from_secs(10),
            shutdown: Duration::from_secs(1),
        },
        ..config("generic")
    })
    .await
    .unwrap();
    let health = b"GET /_scimock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    // Two idle connections hold both places (as a client hoarding sockets would).
    let first = TcpStream::connect(m.addr()).await.unwrap();
    let _second = TcpStream::connect(m.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(m.addr()).await.unwrap();
    third.write_all(health).await.unwrap();
    let (text, took) = read_to_close(&mut third).await;
    assert!(text.starts_with("HTTP/1.1 503 "), "{text}");
    assert!(text.contains("Retry-After: 1\r\n"), "{text}");
    assert!(text.contains("\"status\":\"503\""), "{text}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // One place frees up: served again.
    drop(first);
    let started = Instant::now();
    loop {
        let mut s = TcpStream::connect(m.addr()).await.unwrap();
        s.write_all(health).await.unwrap();
        let (text, _) = read_to_close(&mut s).await;
        if text.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(text.starts_with("HTTP/1.1 503 "), "{text}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never served again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
