//! The list path without HTTP: a tenant with 100,000 generated users, filtered, paged and
//! rendered as the handlers do (see BENCHMARKS.md; `scripts/bench.sh` measures over HTTP).
//!
//! ```text
//! cargo bench -p scimock-server --bench list -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scimock_server::page::fetch;
use scimock_server::query::ListRequest;
use scimock_server::routes::resources::list_response;
use scimock_server::store::Kind;
use scimock_server::{App, ServeConfig, writes};

const USERS: usize = 100_000;

fn app(users: usize) -> App {
    let cfg = ServeConfig {
        users: Some(users),
        ..ServeConfig::default()
    };
    App::build(&cfg, "http://127.0.0.1:8080").expect("app builds")
}

fn list(c: &mut Criterion) {
    let app = app(USERS);
    let t = app.tenant("generic").expect("generic tenant");
    let mut group = c.benchmark_group("list_100k_users");
    group.sample_size(20);
    let filtered = |f: &str| ListRequest {
        filter: Some(f.to_string()),
        ..ListRequest::default()
    };
    let scan = filtered(r#"emails[type eq "work" and value ew "5000@example.com"]"#);
    assert_eq!(fetch(t, Kind::User, &scan).map(|f| f.total).ok(), Some(10));
    group.bench_function("fetch/value_path_scan", |b| {
        b.iter(|| fetch(t, Kind::User, black_box(&scan)).map(|f| f.total))
    });
    let user_name = filtered(r#"userName eq "user77777@example.com""#);
    group.bench_function("fetch/userName_eq", |b| {
        b.iter(|| fetch(t, Kind::User, black_box(&user_name)).map(|f| f.total))
    });
    let page = |start: i64| ListRequest {
        start_index: Some(start),
        count: Some(100),
        ..ListRequest::default()
    };
    let (first, deep) = (page(1), page(90_001));
    group.bench_function("list/first_page", |b| {
        b.iter(|| list_response(t, Kind::User, black_box(&first)).map(|r| r.status()))
    });
    group.bench_function("list/deep_page", |b| {
        b.iter(|| list_response(t, Kind::User, black_box(&deep)).map(|r| r.status()))
    });
    group.finish();
}

/// The write path without HTTP: PATCH and PUT of one user among 100,000, as the handlers call
/// them (parse, apply, validate, store, re-index).
fn writes(c: &mut Criterion) {
    let app = app(USERS);
    let t = app.tenant("generic").expect("generic tenant");
    let req = ListRequest {
        start_index: Some(50_000),
        count: Some(1),
        ..ListRequest::default()
    };
    let id = fetch(t, Kind::User, &req).expect("page").items[0]
        .id
        .to_string();
    let mut group = c.benchmark_group("write_100k_users");
    let patch = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Bench Mark"}],
    });
    group.bench_function("patch/displayName", |b| {
        b.iter(|| writes::patch(t, Kind::User, &id, black_box(&patch), None).map(|w| w.status))
    });
    let current = t.get(Kind::User, &id).expect("user").to_value();
    group.bench_function("replace/same_user", |b| {
        b.iter(|| {
            writes::replace(t, Kind::User, &id, black_box(current.clone()), None).map(|w| w.status)
        })
    });
    group.finish();
}

/// PATCH `add` of many emails to a user that has them all already (every item compared with
/// the stored ones): 1,000 and 16,000 values. Linear work grows 16x between the two; the
/// element-by-element reading of RFC 7644 §3.5.2.1 grew 256x.
fn patch_many_values(c: &mut Criterion) {
    let app = app(0);
    let t = app.tenant("generic").expect("generic tenant");
    let mut group = c.benchmark_group("patch_add_emails");
    group.sample_size(10);
    for n in [1_000usize, 16_000] {
        let emails: Vec<serde_json::Value> = (0..n)
            .map(|i| serde_json::json!({"value": format!("e{i}@example.com"), "type": "work"}))
            .collect();
        let created = writes::create_user(
            t,
            serde_json::json!({"userName": format!("many{n}@example.com"), "emails": emails.clone()}),
        )
        .expect("user with many emails");
        let id = created.stored.id.to_string();
        let patch = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "emails", "value": emails}],
        });
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| writes::patch(t, Kind::User, &id, black_box(&patch), None).map(|w| w.status))
        });
    }
    group.finish();
}

fn start_up(c: &mut Criterion) {
    let mut group = c.benchmark_group("start_up");
    group.sample_size(10);
    group.bench_function("build_100k_users", |b| b.iter(|| app(USERS)));
    group.finish();
}

/// One request through the whole router (middleware, handler, body), without sockets: the
/// user-space cost per request that `scripts/bench.sh` measures together with the kernel's.
fn router(c: &mut Criterion) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let app = std::sync::Arc::new(app(USERS));
    let router = scimock_server::serve::router(&app);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let id = {
        let t = app.tenant("generic").expect("generic tenant");
        let req = ListRequest {
            start_index: Some(50_000),
            count: Some(1),
            ..ListRequest::default()
        };
        let f = fetch(t, Kind::User, &req).expect("page");
        f.items[0].id.to_string()
    };
    let mut group = c.benchmark_group("router_100k_users");
    let mut bench = |name: &str, uri: String| {
        let call = || {
            let req = Request::get(&uri)
                .header("authorization", "Bearer scimock-token")
                .header("host", "127.0.0.1:8080")
                .body(Body::empty())
                .expect("request");
            rt.block_on(async {
                let resp = router.clone().oneshot(req).await.expect("infallible");
                let status = resp.status();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .expect("body");
                (status, body.len())
            })
        };
        assert!(call().0.is_success(), "{uri}");
        group.bench_function(name, |b| b.iter(call));
    };
    bench("health", "/_scimock/health".into());
    bench(
        "service_provider_config",
        "/scim/v2/ServiceProviderConfig".into(),
    );
    bench("get_by_id", format!("/scim/v2/Users/{id}"));
    bench(
        "userName_eq",
        "/scim/v2/Users?filter=userName%20eq%20%22user50000%40example.com%22".into(),
    );
    bench("first_page", "/scim/v2/Users?count=100".into());
    group.finish();
}

criterion_group!(benches, list, writes, patch_many_values, router, start_up);
criterion_main!(benches);
