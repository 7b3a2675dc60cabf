//! Sends N requests through the whole router in one thread, without sockets: a steady workload
//! for instruction-level profiling where hardware counters are not available.
//!
//! ```text
//! cargo build --release -p scimock-server --example requests
//! valgrind --tool=callgrind target/release/examples/requests '/scim/v2/Users?count=100' 2000
//! ```
//!
//! Subtract a run with N = 0 (start-up with 1,000 users only) and divide by N for the
//! instructions one request costs (BENCHMARKS.md, "Server under load").

use axum::body::Body;
use axum::http::Request;
use scimock_server::{App, ServeConfig};
use std::sync::Arc;
use tower::ServiceExt;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let uri = args.next().unwrap_or_else(|| "/_scimock/health".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
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
        for _ in 0..n {
            let req = Request::get(&uri)
                .header("authorization", "Bearer scimock-token")
                .header("host", "127.0.0.1:8080")
                .header("user-agent", "wrk")
                .body(Body::empty())
                .map_err(|e| e.to_string())?;
            let resp = router
                .clone()
                .oneshot(req)
                .await
                .map_err(|e| e.to_string())?;
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .map_err(|e| e.to_string())?;
            std::hint::black_box(body);
        }
        Ok(())
    })
}
