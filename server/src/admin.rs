//! The admin API under `/_scimock/` (DESIGN §4.2): health, info, reset, bulk user load, the
//! request journal, faults and break switches, snapshots. Never reachable with the SCIM token
//! alone: when `--admin-token` is set it is required, and the SCIM token never satisfies it.

use crate::app::App;
use crate::breaks::Break;
use crate::faults::{FaultRule, MAX_LATENCY_MS, Network};
use crate::gate::{MAX_RETRY_AFTER, bearer, constant_time_eq};
use crate::render::View;
use crate::seed;
use crate::tenant::Tenant;
use crate::verify::Matcher;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type AppState = State<Arc<App>>;

/// Renders an admin-style JSON error (the admin API is scimock's own, not a vendor's).
pub fn admin_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({"error": msg.into()}))).into_response()
}

/// The admin routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/info", get(info))
        .route("/reset", post(reset))
        .route("/users", post(load_users))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/requests/count", post(count_requests))
        .route("/requests/find", post(find_requests))
        .route("/violations", get(violations).delete(clear_violations))
        .route("/faults", get(faults).post(add_faults).delete(clear_faults))
        .route("/snapshot", post(snapshot))
        .route("/data", get(data))
        .fallback(|| async { admin_error(StatusCode::NOT_FOUND, "no such admin endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            admin_auth,
        ))
        // The dashboard's static page and assets: no data, so no token (see `crate::ui`).
        .merge(crate::ui::router())
        .with_state(app)
}

async fn admin_auth(State(app): AppState, req: Request, next: Next) -> Response {
    if let Some(why) = crate::cross_site::refuse_admin_write(req.method(), req.headers()) {
        return admin_error(StatusCode::FORBIDDEN, why);
    }
    if let Some(want) = &app.shared.admin_token {
        let h = req.headers();
        let given = h
            .get("x-scimock-admin-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .or_else(|| {
                h.get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| bearer(v, false))
            });
        if !given.is_some_and(|g| !g.is_empty() && constant_time_eq(g.as_bytes(), want.as_bytes()))
        {
            return admin_error(
                StatusCode::UNAUTHORIZED,
                "the admin API needs the --admin-token",
            );
        }
    }
    next.run(req).await
}

async fn health() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

async fn info(State(app): AppState) -> Json<Value> {
    let profiles: Vec<Value> = app
        .tenants
        .iter()
        .map(|t| {
            let p = &t.profile;
            let mut v = json!({
                "name": p.name,
                "title": p.title,
                "base_url": t.base_url,
                "base_path": t.public_path,
                "base_path_template": p.base_path,
                "vendor_base_url": p.vendor_base_url,
                "token_name": p.auth.token_name,
                "ids": p.path_params,
                "reference": crate::ui::vendor_reference(p),
            });
            if !t.backends.is_empty() {
                v["integrated_accounts"] = t
                    .backends
                    .iter()
                    .map(|(id, b)| json!({"id": id, "vendor": b.profile.name}))
                    .collect();
            }
            v
        })
        .collect();
    Json(json!({
        "tool": "scimock",
        "version": env!("CARGO_PKG_VERSION"),
        "origin": app.origin,
        "profiles": profiles,
        "admin_token_required": app.shared.admin_token.is_some(),
        "state_file": app.state_file,
    }))
}

#[derive(Deserialize)]
struct VendorParam {
    vendor: Option<String>,
}

async fn reset(State(app): AppState) -> Response {
    // Regenerating a million users takes seconds of CPU: off the async workers.
    let done = crate::offload::run(move || {
        let mut counts = serde_json::Map::new();
        for t in app.all_tenants() {
            let (u, g) = t.reset().map_err(|e| e.to_string())?;
            counts.insert(t.public_path.clone(), json!({"users": u, "groups": g}));
        }
        Ok::<_, String>(counts)
    })
    .await;
    match done {
        Ok(Ok(counts)) => Json(json!({"reset": counts})).into_response(),
        Ok(Err(e)) => admin_error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => admin_error(e.status, e.detail),
    }
}

async fn load_users(
    State(app): AppState,
    Query(q): Query<VendorParam>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) => return admin_error(r.status(), r.body_text()),
    };
    let tenant = match &q.vendor {
        Some(v) => app.tenant(v),
        None => app
            .tenants
            .iter()
            .find(|t| t.profile.kind == scimock_profile::ProfileKind::Scim),
    };
    let Some(t) = tenant.filter(|t| t.profile.kind == scimock_profile::ProfileKind::Scim) else {
        return admin_error(
            StatusCode::NOT_FOUND,
            "no SCIM profile by that name is mounted",
        );
    };
    // Parsing and storing thousands of users is CPU work: off the async workers.
    let t = t.clone();
    match crate::offload::run(move || bulk_load(&t, &body)).await {
        Ok(answer) => answer,
        Err(e) => admin_error(e.status, e.detail),
    }
}

/// Adds the users of a bulk load body to `t`, all or none.
fn bulk_load(t: &Tenant, body: &[u8]) -> Response {
    let users: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("body must be a JSON array of users: {e}"),
            );
        }
    };
    let mut store = t.write();
    // The vendor's directory limit holds for bulk loads too (Atlassian: 20,000 users), so
    // "load up to the limit, then create one more" tests the refusal a client will meet.
    if let Some(limit) = &t.profile.writes.max_users {
        let loading = users.as_array().map_or(0, Vec::len) as u64;
        let have = store.users.len() as u64;
        if have.saturating_add(loading) > limit.max {
            return admin_error(
                StatusCode::CONFLICT,
                format!(
                    "{} holds at most {} users (writes.max_users): {have} now, {loading} in this load; load at most {}, or lift it with --set {}.writes.max_users=null",
                    t.profile.name,
                    limit.max,
                    limit.max.saturating_sub(have),
                    t.profile.name
                ),
            );
        }
    }
    let added = seed::add_users(&t.profile, &mut store, users);
    drop(store);
    match added {
        Ok(n) => (
            StatusCode::CREATED,
            Json(json!({"loaded": n, "total": t.read().users.len()})),
        )
            .into_response(),
        Err(e) => admin_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

#[derive(Deserialize)]
struct JournalParams {
    vendor: Option<String>,
    after: Option<u64>,
    limit: Option<usize>,
}

/// The journal, oldest first; `?after=SEQ&limit=N` pages through it (`next_after` is there when
/// more entries follow).
async fn requests(State(app): AppState, Query(q): Query<JournalParams>) -> Json<Value> {
    let page = app
        .shared
        .journal
        .page(q.after.unwrap_or(0), q.limit, q.vendor.as_deref());
    let mut out = json!({"requests": page.entries});
    if let Some(n) = page.next_after {
        out["next_after"] = json!(n);
    }
    Json(out)
}

/// A matcher from an admin request body (an empty body matches every request).
fn matcher(body: &Bytes) -> Result<Matcher, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Matcher::any());
    }
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "invalid matcher: {e} (fields: method, path, query, headers, body, vendor; \
             body is a JSON subset or {{\"pointer\": \"/a/b\", \"equals\": value}})"
        )
    })
}

async fn count_requests(State(app): AppState, body: Bytes) -> Response {
    let m = match matcher(&body) {
        Ok(m) => m,
        Err(msg) => return admin_error(StatusCode::BAD_REQUEST, msg),
    };
    let entries = app.shared.journal.entries();
    let base_of = |v: &str| app.base_path_of(v);
    let n = m.select(&entries, &base_of).len();
    Json(json!({"count": n})).into_response()
}

async fn find_requests(State(app): AppState, body: Bytes) -> Response {
    let m = match matcher(&body) {
        Ok(m) => m,
        Err(msg) => return admin_error(StatusCode::BAD_REQUEST, msg),
    };
    let entries = app.shared.journal.entries();
    let base_of = |v: &str| app.base_path_of(v);
    let found = m.select(&entries, &base_of);
    if found.is_empty() {
        let near = m.near_misses(&entries, &base_of);
        return Json(json!({"requests": [], "near_misses": near})).into_response();
    }
    Json(json!({"requests": found})).into_response()
}

/// `GET /_scimock/violations[?vendor=NAME][&after=SEQ]`: the client violations, oldest first.
async fn violations(State(app): AppState, Query(q): Query<JournalParams>) -> Json<Value> {
    let list = app
        .shared
        .violations
        .list(q.vendor.as_deref(), q.after.unwrap_or(0));
    Json(json!({"count": list.len(), "violations": list}))
}

async fn clear_violations(State(app): AppState) -> StatusCode {
    app.shared.violations.clear();
    StatusCode::NO_CONTENT
}

async fn clear_requests(State(app): AppState) -> StatusCode {
    app.shared.journal.clear();
    app.shared.violations.clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(app): AppState) -> Json<Value> {
    Json(app.shared.faults.describe())
}

/// Accepts one fault rule, an array of them, `{"break": NAME}`, `{"breaks": [NAMES]}`, or
/// `{"unbreak": NAME}`.
async fn add_faults(State(app): AppState, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) => return admin_error(r.status(), r.body_text()),
    };
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}")),
    };
    let faults = &app.shared.faults;
    let names: Vec<(String, bool)> = match (&v.get("break"), &v.get("breaks"), &v.get("unbreak")) {
        (Some(Value::String(n)), _, _) => vec![(n.clone(), true)],
        (_, Some(Value::Array(a)), _) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|n| (n.to_string(), true))
            .collect(),
        (_, _, Some(Value::String(n))) => vec![(n.clone(), false)],
        _ => Vec::new(),
    };
    if !names.is_empty() {
        for (n, _) in &names {
            if Break::from_name(n).is_none() {
                return admin_error(
                    StatusCode::BAD_REQUEST,
                    format!("unknown break switch {n:?}; GET /_scimock/faults lists them"),
                );
            }
        }
        for (n, on) in names {
            if let Some(b) = Break::from_name(&n) {
                faults.set_break(b, on);
            }
        }
        return (StatusCode::CREATED, Json(faults.describe())).into_response();
    }
    let rules: Vec<FaultRule> = match &v {
        Value::Array(_) => serde_json::from_value(v.clone()),
        _ => serde_json::from_value(v.clone()).map(|r| vec![r]),
    }
    .unwrap_or_default();
    if rules.is_empty()
        || rules.iter().any(|r| {
            r.status.is_none()
                && r.latency_ms.is_none()
                && r.latency.is_none()
                && r.network.is_none()
        })
    {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "expected a fault {\"status\":429,\"times\":3,\"retry_after\":2,\"latency_ms\":0,\"match\":{\"method\":\"GET\",\"path_suffix\":\"/Users\"}} (status, latency_ms, latency or network required), an array of them, or {\"break\":\"NAME\"}",
        );
    }
    if rules.iter().any(|r| {
        r.status
            .is_some_and(|s| StatusCode::from_u16(s).is_err() || s < 100)
    }) {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "status must be a valid HTTP status code",
        );
    }
    if rules.iter().any(|r| {
        r.retry_after.is_some_and(|s| s > MAX_RETRY_AFTER)
            || r.latency_ms.is_some_and(|l| l > MAX_LATENCY_MS)
    }) {
        return admin_error(
            StatusCode::BAD_REQUEST,
            format!(
                "retry_after is at most {MAX_RETRY_AFTER} seconds and latency_ms at most {MAX_LATENCY_MS}"
            ),
        );
    }
    if rules.iter().any(|r| {
        (r.network.is_some() && r.status.is_some())
            || (r.bytes_per_sec.is_some() && r.network != Some(Network::Dribble))
            || r.latency.as_ref().is_some_and(|l| match l.distribution {
                crate::faults::Distribution::Lognormal { sigma, .. } => {
                    !(0.0..=5.0).contains(&sigma)
                }
                _ => false,
            })
    }) {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "a network fault has no status (the answer is lost, not replaced); bytes_per_sec goes with \"network\": \"dribble\"; a lognormal sigma is between 0 and 5",
        );
    }
    let ids: Vec<u64> = rules.into_iter().map(|r| faults.add(r)).collect();
    (StatusCode::CREATED, Json(json!({"added": ids}))).into_response()
}

async fn clear_faults(State(app): AppState) -> StatusCode {
    app.shared.faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct DataParams {
    vendor: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    id: Option<String>,
    limit: Option<usize>,
}

/// Most resources `GET /_scimock/data` returns at once.
pub const MAX_DATA_LIMIT: usize = 1000;

/// True when `text` (already lowercase) is in one of the resource's searched attributes: id,
/// userName, externalId, displayName, or an email's value.
fn data_matches(r: &crate::store::Stored, text: &str) -> bool {
    let has = |s: Option<&str>| s.is_some_and(|s| contains_folded(s, text));
    let v = r.view();
    has(Some(r.id.as_ref()))
        || ["userName", "externalId", "displayName"]
            .iter()
            .any(|a| has(r.str_attr(a)))
        || v.get("emails").is_some_and(|e| {
            e.elements()
                .any(|m| has(m.get("value").and_then(crate::doc::DocView::str)))
        })
}

/// True when `hay` contains `needle` (already lowercase), ignoring case; without allocating
/// when both are ASCII (a search walks every stored resource).
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

/// `GET /_scimock/data?vendor=NAME&kind=users|groups[&q=TEXT][&id=ID][&limit=N]`: stored
/// resources as the profile renders them (for the dashboard, which has no SCIM token).
async fn data(State(app): AppState, Query(q): Query<DataParams>) -> Response {
    use crate::store::Kind;
    let kind = match q.kind.as_deref().unwrap_or("users") {
        "users" | "Users" => Kind::User,
        "groups" | "Groups" => Kind::Group,
        other => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("kind is users or groups, not {other:?}"),
            );
        }
    };
    let tenants = app.all_tenants();
    let scim =
        |t: &&Arc<crate::tenant::Tenant>| t.profile.kind == scimock_profile::ProfileKind::Scim;
    let tenant = match &q.vendor {
        Some(v) => tenants.iter().filter(scim).find(|t| &t.profile.name == v),
        None => tenants.iter().find(scim),
    };
    let Some(t) = tenant else {
        return admin_error(
            StatusCode::NOT_FOUND,
            "no SCIM profile by that name is mounted",
        );
    };
    let none = crate::projection::Projection::default();
    let render = |r: &crate::store::Stored| -> Value {
        serde_json::from_slice(&t.renderer.resource(kind, r, &none, View::Stored))
            .unwrap_or(Value::Null)
    };
    let store = t.read();
    let all = store.collection(kind);
    let total = all.len();
    if let Some(id) = &q.id {
        return match all.get(id) {
            Some(r) => Json(json!({
                "vendor": t.profile.name,
                "kind": kind.endpoint(),
                "resource": render(r),
                "pending": r.pending,
            }))
            .into_response(),
            None => admin_error(
                StatusCode::NOT_FOUND,
                format!("no {} {id}", kind.endpoint()),
            ),
        };
    }
    let limit = q.limit.unwrap_or(50).min(MAX_DATA_LIMIT);
    let text = q.q.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    let mut matched = 0usize;
    let mut resources = Vec::new();
    for r in all.iter() {
        if !text.is_empty() && !data_matches(r, &text) {
            continue;
        }
        matched += 1;
        if resources.len() < limit {
            resources.push(render(r));
        }
    }
    Json(json!({
        "vendor": t.profile.name,
        "kind": kind.endpoint(),
        "total": total,
        "matched": matched,
        "resources": resources,
    }))
    .into_response()
}

/// Writes the state file on a blocking thread (a million users take seconds to write).
async fn snapshot(State(app): AppState) -> Response {
    match crate::offload::run(move || app.save_state()).await {
        Ok(Ok(Some(path))) => Json(json!({"written": path})).into_response(),
        Ok(Ok(None)) => admin_error(StatusCode::CONFLICT, "no --state FILE was given"),
        Ok(Err(e)) => admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => admin_error(e.status, e.detail),
    }
}
