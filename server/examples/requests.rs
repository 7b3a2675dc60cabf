//! Sends N requests through the whole router in one thread, without sockets: a steady workload
//! for instruction-level profiling where hardware counters are not available.
//!
//! ```text
//! cargo build --release -p scimock-server --example requests
//! valgrind --tool=callgrind target/release/examples/requests '/scim/v2/Users?count=100' 2000
//! valgrind --tool=callgrind target/release/examples/requests POST /scim/v2/Users 2000 \
//!     '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"n{i}@example.com"}'
//! ```
//!
//! Arguments: `[METHOD] URI [N] [BODY]`; `{i}` in the URI or body becomes the request's number
//! (unique userNames for POST). Subtract a run with N = 0 (start-up with 1,000 users only) and
//! divide by N for the instructions one request costs (BENCHMARKS.md, "Server under load").
//! The status and start of the first answer go to stderr, so a refused write is noticed.

use axum::body::Body;
use axum::http::Request;
use scimock_server::{App, ServeConfig};
use std::sync::Arc;
use tower::ServiceExt;

fn main() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let method = if args.first().is_some_and(|a| !a.starts_with('/')) {
        args.remove(0)
    } else {
        "GET".to_string()
    };
    let mut args = args.into_iter();
    let uri = args.next().unwrap_or_else(|| "/_scimock/health".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let body = args.next().unwrap_or_default();
    let cfg = ServeConfig {
        users: Some(1000),
        ..ServeConfig::default()
    };
    let app = Arc::new(App::build(&cfg, "http://127.0.0.1:8080").map_err(|e| e.to_string())?);
    let router = scimock_server::serve::router(&app);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        for i in 0..n {
            let number = i.to_string();
            let mut req = Request::builder()
                .method(method.as_str())
                .uri(uri.replace("{i}", &number))
                .header("authorization", "Bearer scimock-token")
                .header("host", "127.0.0.1:8080")
                .header("user-agent", "wrk");
            if !body.is_empty() {
                req = req.header("content-type", "application/scim+json");
            }
            let req = req
                .body(Body::from(body.replace("{i}", &number)))
                .map_err(|e| e.to_string())?;
            let resp = router
                .clone()
                .oneshot(req)
                .await
                .map_err(|e| e.to_string())?;
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .map_err(|e| e.to_string())?;
            if i == 0 {
                let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
                eprintln!("{status} {head}");
            }
            std::hint::black_box(bytes);
        }
        Ok(())
    })
}
