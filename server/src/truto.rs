//! The Truto-style unified user directory (docs/vendors.md, Truto): a facade over other profiles'
//! stores in the same process. Each integrated account maps to one backing vendor tenant;
//! requests are translated to that vendor's SCIM semantics (its caps, its filter rules, its
//! errors), and its users are mapped to the unified user model.

use crate::error::{ScimError, ScimResult};
use crate::extract::Params;
use crate::gate;
use crate::idempotency::{self, Begin};
use crate::middleware::tenant_middleware;
use crate::page::{self, Fetched};
use crate::patch::{PatchOp, PatchOpKind};
use crate::query::{ListRequest, Query};
use crate::render::{LIST_URN, Output};
use crate::store::{Kind, Stored};
use crate::tenant::Tenant;
use crate::writes;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock};

type Ten = State<Arc<Tenant>>;

/// A unified JSON answer.
fn unified(t: &Tenant, status: StatusCode, body: impl Into<Bytes>) -> Response {
    t.renderer
        .tag(t.renderer.json(status, body), Output::Unified)
}

/// A unified JSON answer from a value.
fn unified_value(t: &Tenant, status: StatusCode, v: &Value) -> Response {
    unified(t, status, serde_json::to_vec(v).unwrap_or_default())
}

/// The routes of a unified facade tenant, mounted at `/unified/user-directory/users`.
pub fn router(t: Arc<Tenant>) -> Router {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(get_one).patch(update).delete(remove))
        .fallback(crate::routes::not_found)
        .method_not_allowed_fallback(crate::routes::method_not_allowed)
        .with_state(t.clone())
        .layer(axum::middleware::from_fn_with_state(t, tenant_middleware))
}

/// A backend failure re-wrapped as Truto does (D:T5): same status, `truto_is_remote_error`,
/// the provider's body as `raw_response`, and its `Retry-After` carried through.
fn remote(backend: &Tenant, e: ScimError, instance: &str) -> ScimError {
    let raw = e.body(&backend.profile.errors, instance);
    let mut out = ScimError::new(e.status, e.detail.clone());
    // The provider's headers, but rate-limit ones only in Truto's normalised `ratelimit-*` form.
    out.headers = e
        .headers
        .iter()
        .filter(|(n, _)| !n.as_str().starts_with("x-ratelimit-"))
        .cloned()
        .collect();
    out.remote = Some(Box::new(raw));
    // Truto normalises the provider's rate-limit headers (D:T6).
    if e.status == StatusCode::TOO_MANY_REQUESTS {
        let reset = e
            .header(&header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::clock::retry_after_secs)
            .unwrap_or(1);
        let limit = backend
            .profile
            .rate_limit
            .as_ref()
            .map_or(0, |r| r.read_rps);
        out = out
            .with_header(
                header::HeaderName::from_static("ratelimit-limit"),
                &limit.to_string(),
            )
            .with_header(header::HeaderName::from_static("ratelimit-remaining"), "0")
            .with_header(
                header::HeaderName::from_static("ratelimit-reset"),
                &reset.to_string(),
            );
    }
    out
}

fn param<'a>(q: &'a Query, name: &'a str) -> Option<&'a str> {
    q.all(name).next()
}

fn truthy(q: &Query, name: &str) -> bool {
    param(q, name).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The backend named by `integrated_account_id`: 400 when missing, 404 when unknown.
fn backend<'a>(t: &'a Tenant, q: &Query) -> ScimResult<&'a Arc<Tenant>> {
    let id = match param(q, "integrated_account_id").filter(|v| !v.is_empty()) {
        Some(id) => id,
        None if t.shared.faults.bends().unified_account_optional => {
            return t
                .backends
                .first()
                .map(|(_, b)| b)
                .ok_or_else(|| ScimError::not_found("No integrated accounts"));
        }
        None => {
            return Err(ScimError::new(
                StatusCode::BAD_REQUEST,
                "integrated_account_id is required",
            ));
        }
    };
    t.backends
        .iter()
        .find(|(a, _)| a == id)
        .map(|(_, b)| b)
        .ok_or_else(|| ScimError::not_found(format!("Integrated account {id} not found")))
}

/// The backend's own faults and rate limits, as if the facade had called it over HTTP: the
/// latency a fired fault adds (milliseconds, for the caller to wait, [`gate::pause`]) and the
/// backend's verdict.
fn backend_gate(b: &Tenant, method: &str, path: &str) -> (u64, ScimResult<()>) {
    let fired = b.shared.faults.take(method, path, &b.profile.name);
    let latency = fired.as_ref().and_then(|f| f.latency_ms).unwrap_or(0);
    if let Some(e) = fired
        .as_ref()
        .and_then(|f| gate::fault_error(b, f, method != "GET"))
    {
        return (latency, Err(e));
    }
    let verdict = match gate::over_rate_limit(b, method != "GET") {
        Some(e) => Err(e),
        None => Ok(()),
    };
    (latency, verdict)
}

/// [`backend_gate`] for a handler that can wait: the latency first, then the verdict.
async fn backend_gate_now(b: &Tenant, method: &str, path: &str) -> ScimResult<()> {
    let (latency, verdict) = backend_gate(b, method, path);
    gate::pause(&b.shared, latency).await;
    verdict.map_err(|e| remote(b, e, path))
}

/// The strings of `items[*].from`, mapped by `each`; `None` when there are none.
fn mapped(scim: &Value, from: &str, each: impl Fn(&Value) -> Value) -> Option<Value> {
    let out: Vec<Value> = scim
        .get(from)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(each)
        .collect();
    (!out.is_empty()).then_some(Value::Array(out))
}

/// `name`: displayName, else name.formatted, else the given and family names.
fn unified_name(scim: &Value) -> Option<Value> {
    let given = scim.pointer("/name/givenName").and_then(Value::as_str);
    let family = scim.pointer("/name/familyName").and_then(Value::as_str);
    scim.get("displayName")
        .and_then(Value::as_str)
        .map(|v| json!(v))
        .or_else(|| scim.pointer("/name/formatted").cloned())
        .or_else(|| match (given, family) {
            (Some(g), Some(f)) => Some(json!(format!("{g} {f}"))),
            (Some(g), None) => Some(json!(g)),
            (None, Some(f)) => Some(json!(f)),
            _ => None,
        })
}

/// `status`: active/inactive, pending invites are invited, else the raw value (S-000).
fn unified_status(scim: &Value, pending: bool) -> Option<Value> {
    if pending {
        return Some(json!("invited"));
    }
    match scim.get("active") {
        Some(Value::Bool(true)) => Some(json!("active")),
        Some(Value::Bool(false)) => Some(json!("inactive")),
        Some(other) => Some(other.clone()),
        None => None,
    }
}

/// `roles`: SCIM roles, and Attio's appRole.
fn unified_roles(scim: &Value) -> Option<Value> {
    let mut roles: Vec<Value> = scim
        .get("roles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| json!({"id": r.get("value"), "name": r.get("display").or_else(|| r.get("value"))}))
        .collect();
    if let Some(role) = scim.get("appRole").and_then(Value::as_str) {
        roles.push(json!({"id": role, "name": role}));
    }
    (!roles.is_empty()).then_some(Value::Array(roles))
}

/// `is_2fa_enabled`, from a `twoFactorAuthenticationStatus` in any extension schema's object
/// (Elfsquad's mapping table names one; no URN is spelled here, so a profile's own extension
/// with that attribute maps the same way).
fn two_factor(scim: &Value) -> Option<Value> {
    let obj = scim.as_object()?;
    obj.iter()
        .filter(|(k, _)| k.starts_with("urn:"))
        .find_map(|(_, ext)| ext.get("twoFactorAuthenticationStatus"))
        .map(|v| {
            json!(matches!(v.as_str(), Some("enabled" | "Enabled" | "true")) || v == &json!(true))
        })
}

/// `is_primary` of one email: the SCIM `primary` flag; without one (Elfsquad has none,
/// D:E2), true for a sole email and null when there are several [I].
fn is_primary(scim: &Value, e: &Value) -> Value {
    match e.get("primary").and_then(Value::as_bool) {
        Some(p) => json!(p),
        None => {
            let emails = scim.get("emails").and_then(Value::as_array);
            let any_flag = emails.is_some_and(|es| es.iter().any(|x| x.get("primary").is_some()));
            if any_flag {
                json!(false)
            } else if emails.is_some_and(|es| es.len() == 1) {
                json!(true)
            } else {
                Value::Null
            }
        }
    }
}

/// Maps a shaped SCIM user to the unified user model (docs/vendors.md, Truto: the unified user table).
pub fn unified_user(scim: &Value, pending: bool, normalized: bool) -> Value {
    let mut u = Map::new();
    let s = |k: &str| {
        scim.get(k)
            .and_then(Value::as_str)
            .map(|v| Value::String(v.to_string()))
    };
    let mut put = |k: &str, v: Option<Value>| match v {
        Some(v) => {
            u.insert(k.to_string(), v);
        }
        None if normalized => {
            u.insert(k.to_string(), Value::Null);
        }
        None => {}
    };
    put("id", s("id"));
    put("external_id", s("externalId"));
    put(
        "first_name",
        scim.pointer("/name/givenName")
            .filter(|v| v.is_string())
            .cloned(),
    );
    put(
        "last_name",
        scim.pointer("/name/familyName")
            .filter(|v| v.is_string())
            .cloned(),
    );
    put("name", unified_name(scim));
    put("username", s("userName"));
    put("title", s("title"));
    put(
        "emails",
        mapped(
            scim,
            "emails",
            |e| json!({"email": e.get("value"), "type": e.get("type"), "is_primary": is_primary(scim, e)}),
        ),
    );
    put(
        "phones",
        mapped(
            scim,
            "phoneNumbers",
            |p| json!({"number": p.get("value"), "extension": null, "type": p.get("type")}),
        ),
    );
    put("status", unified_status(scim, pending));
    put("roles", unified_roles(scim));
    put(
        "groups",
        mapped(
            scim,
            "groups",
            |g| json!({"id": g.get("value"), "name": g.get("display")}),
        ),
    );
    put("user_type", s("userType"));
    put("avatar", scim.pointer("/photos/0/value").cloned());
    put("timezone", s("timezone"));
    put(
        "languages",
        s("preferredLanguage")
            .or_else(|| s("locale"))
            .map(|l| Value::Array(vec![l])),
    );
    put("is_2fa_enabled", two_factor(scim));
    put("created_at", scim.pointer("/meta/created").cloned());
    put("updated_at", scim.pointer("/meta/lastModified").cloned());
    if !normalized {
        u.insert("remote_data".into(), scim.clone());
    }
    Value::Object(u)
}

/// The key cursors are sealed with, random per process (a cursor does not outlive the mock).
static CURSOR_KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// An opaque cursor (D:T2: `next_cursor` is opaque): the backend's 1-based startIndex,
/// masked and sealed for one integrated account, 32 hex digits. Nothing in it is readable,
/// and a cursor made by hand or for another account is refused.
fn encode_cursor(account: &str, start_index: usize) -> String {
    let k = &*CURSOR_KEY;
    let masked = start_index as u64 ^ k.hash_one(("mask", account));
    let seal = k.hash_one(("seal", account, start_index as u64));
    format!("{masked:016x}{seal:016x}")
}

fn decode_cursor(account: &str, raw: &str) -> ScimResult<usize> {
    let invalid = || ScimError::new(StatusCode::BAD_REQUEST, format!("Invalid cursor {raw:?}"));
    if raw.len() != 32 || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let k = &*CURSOR_KEY;
    let masked = u64::from_str_radix(&raw[..16], 16).map_err(|_| invalid())?;
    let seal = u64::from_str_radix(&raw[16..], 16).map_err(|_| invalid())?;
    let start = masked ^ k.hash_one(("mask", account));
    if start == 0 || seal != k.hash_one(("seal", account, start)) {
        return Err(invalid());
    }
    usize::try_from(start).map_err(|_| invalid())
}

/// `truto_exclude_fields` in both forms: `truto_exclude_fields[]=a&...` and `a,b` (S-000, 3P:T7).
fn excluded_fields(q: &Query) -> Vec<String> {
    q.all("truto_exclude_fields[]")
        .chain(q.all("truto_exclude_fields"))
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

struct Shaping {
    normalized: bool,
    drop_remote: bool,
    exclude: Vec<String>,
}

impl Shaping {
    fn from(t: &Tenant, q: &Query) -> Shaping {
        let bends = t.shared.faults.bends();
        let format = param(q, "truto_response_format").unwrap_or("unified");
        Shaping {
            normalized: format == "normalized",
            drop_remote: truthy(q, "truto_ignore_remote_data") && !bends.unified_remote_data_kept,
            exclude: if bends.unified_exclude_fields_ignored {
                Vec::new()
            } else {
                excluded_fields(q)
            },
        }
    }

    fn apply(&self, backend: &Tenant, s: &Stored) -> Value {
        let scim = backend.renderer.shape_user(s);
        let mut u = unified_user(&scim, s.pending, self.normalized);
        if let Some(o) = u.as_object_mut() {
            if self.drop_remote {
                o.shift_remove("remote_data");
            }
            for f in &self.exclude {
                o.shift_remove(f);
            }
        }
        u
    }
}

/// A unified list request: page size, response format and where to start.
struct UnifiedList<'q> {
    limit: usize,
    max_limit: usize,
    format: &'q str,
    /// The backend's 1-based startIndex.
    start: usize,
    /// Every page at once (`truto_ignore_limit`, or the stream format).
    all_pages: bool,
    filter: Option<String>,
}

impl<'q> UnifiedList<'q> {
    fn parse(t: &Tenant, q: &'q Query) -> ScimResult<UnifiedList<'q>> {
        let spec = t.profile.unified.as_ref();
        let default_limit = spec.map_or(100, |u| u.default_limit) as usize;
        let max_limit = spec.map_or(1000, |u| u.max_limit) as usize;
        let limit = match param(q, "limit").filter(|v| !v.is_empty()) {
            None => default_limit,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => n.min(max_limit),
                _ => {
                    return Err(ScimError::new(
                        StatusCode::BAD_REQUEST,
                        format!("limit must be a positive integer, got {v:?}"),
                    ));
                }
            },
        };
        let format = param(q, "truto_response_format").unwrap_or("unified");
        if !matches!(format, "unified" | "raw" | "normalized" | "stream") {
            return Err(ScimError::new(
                StatusCode::BAD_REQUEST,
                format!("Unknown truto_response_format {format:?}"),
            ));
        }
        // An empty next_cursor= is the first page (the TS SDK sends it, D:T12).
        let start = match param(q, "next_cursor").filter(|c| !c.is_empty()) {
            Some(c) => decode_cursor(param(q, "integrated_account_id").unwrap_or(""), c)?,
            None => 1,
        };
        Ok(UnifiedList {
            limit,
            max_limit,
            format,
            start,
            all_pages: truthy(q, "truto_ignore_limit") || format == "stream",
            filter: param(q, "remote_query[filter]").map(str::to_string),
        })
    }

    /// One page of the backend's users, as the backend pages them.
    fn fetch(&self, b: &Tenant, path: &str, start: usize, count: usize) -> ScimResult<Fetched> {
        let req = ListRequest {
            filter: self.filter.clone(),
            start_index: Some(start as i64),
            count: Some(count as i64),
            ..ListRequest::default()
        };
        page::fetch(b, Kind::User, &req).map_err(|e| remote(b, e, path))
    }
}

/// The backend's own ListResponse (`truto_response_format=raw`).
fn raw_list(t: &Tenant, b: &Tenant, first: &Fetched, start: usize) -> Response {
    let raw = json!({
        "schemas": [LIST_URN],
        "totalResults": first.total,
        "startIndex": start,
        "itemsPerPage": first.items.len(),
        "Resources": first.items.iter().map(|s| b.renderer.shape_user(s)).collect::<Vec<_>>(),
    });
    unified_value(t, StatusCode::OK, &raw)
}

/// Unified users as NDJSON (`truto_response_format=stream`).
fn stream(t: &Tenant, users: &[Value]) -> Response {
    let mut body = String::new();
    for u in users {
        body.push_str(&u.to_string());
        body.push('\n');
    }
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/x-ndjson"),
    );
    t.renderer.tag(r, Output::UnifiedStream)
}

/// `result` keyed by `truto_key_by` (users without the key are left out), or the list.
fn keyed(users: Vec<Value>, key: Option<&str>) -> Value {
    let Some(key) = key else {
        return Value::Array(users);
    };
    let mut m = Map::new();
    for u in users {
        let k = match u.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => continue,
            Some(other) => other.to_string(),
        };
        m.insert(k, u);
    }
    Value::Object(m)
}

async fn list(State(t): Ten, Params(q): Params) -> ScimResult<Response> {
    let b = backend(&t, &q)?;
    let req = UnifiedList::parse(&t, &q)?;
    let path = format!("{}/Users", b.public_path);
    backend_gate_now(b, "GET", &path).await?;
    let first = req.fetch(b, &path, req.start, req.limit)?;
    if req.format == "raw" {
        return Ok(raw_list(&t, b, &first, req.start));
    }
    let total = first.total;
    let skip = (req.start - 1).saturating_sub(first.start());
    let mut next_start = first.start() + first.items.len() + 1;
    let mut items = first.items;
    if !req.all_pages && (skip > 0 || items.len() > req.limit) {
        // The backend does not page (Elfsquad): the facade pages itself (D:T2).
        items = items.into_iter().skip(skip).take(req.limit).collect();
        next_start = req.start + items.len();
    }
    if req.all_pages {
        while next_start <= total && !items.is_empty() {
            let more = req.fetch(b, &path, next_start, req.max_limit)?;
            // A page that does not move forward ends the walk (bounded whatever the backend).
            let after = more.start() + more.items.len() + 1;
            if more.items.is_empty() || after <= next_start {
                break;
            }
            next_start = after;
            items.extend(more.items);
        }
    }
    let shaping = Shaping::from(&t, &q);
    let users: Vec<Value> = items.iter().map(|s| shaping.apply(b, s)).collect();
    if req.format == "stream" {
        return Ok(stream(&t, &users));
    }
    let bends = t.shared.faults.bends();
    let last = next_start > total || items.is_empty();
    let account = param(&q, "integrated_account_id").unwrap_or("");
    let next = if last && !bends.unified_next_cursor_never_null {
        Value::Null
    } else {
        json!(encode_cursor(account, next_start))
    };
    let prev = if req.start > 1 && !req.all_pages {
        json!(encode_cursor(
            account,
            req.start.saturating_sub(req.limit).max(1)
        ))
    } else {
        Value::Null
    };
    let count = users.len();
    let key_by =
        param(&q, "truto_key_by").filter(|k| !k.is_empty() && !bends.unified_key_by_ignored);
    let result = keyed(users, key_by);
    Ok(unified_value(
        &t,
        StatusCode::OK,
        &json!({"result": result, "next_cursor": next, "prev_cursor": prev, "result_count": count}),
    ))
}

async fn get_one(State(t): Ten, Path(id): Path<String>, Params(q): Params) -> ScimResult<Response> {
    let b = backend(&t, &q)?;
    let path = format!("{}/Users/{id}", b.public_path);
    backend_gate_now(b, "GET", &path).await?;
    let s = b.get(Kind::User, &id).map_err(|e| remote(b, e, &path))?;
    if param(&q, "truto_response_format") == Some("raw") {
        return Ok(unified_value(
            &t,
            StatusCode::OK,
            &b.renderer.shape_user(&s),
        ));
    }
    Ok(unified_value(
        &t,
        StatusCode::OK,
        &Shaping::from(&t, &q).apply(b, &s),
    ))
}

/// Unified fields to SCIM attributes (the reverse of [`unified_user`]), for writes.
fn scim_from_unified(u: &Map<String, Value>) -> (Value, Vec<(String, Value)>) {
    let mut scim = Map::new();
    let mut paths = Vec::new();
    let mut set = |path: &str, v: Value| paths.push((path.to_string(), v));
    for (k, v) in u {
        match k.as_str() {
            "username" => set("userName", v.clone()),
            "first_name" => set("name.givenName", v.clone()),
            "last_name" => set("name.familyName", v.clone()),
            "name" => set("displayName", v.clone()),
            "title" => set("title", v.clone()),
            "external_id" => set("externalId", v.clone()),
            "timezone" => set("timezone", v.clone()),
            "status" => set(
                "active",
                json!(v.as_str() != Some("inactive") && v.as_str() != Some("deleted")),
            ),
            "emails" => {
                let emails: Vec<Value> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let mut m = Map::new();
                        m.insert(
                            "value".into(),
                            e.get("email").cloned().unwrap_or(Value::Null),
                        );
                        m.insert(
                            "type".into(),
                            e.get("type").cloned().unwrap_or(json!("work")),
                        );
                        m.insert(
                            "primary".into(),
                            e.get("is_primary").cloned().unwrap_or(json!(false)),
                        );
                        Value::Object(m)
                    })
                    .collect();
                set("emails", Value::Array(emails));
            }
            _ => {}
        }
    }
    for (path, v) in &paths {
        match path.split_once('.') {
            Some((a, b)) => {
                let e = scim.entry(a.to_string()).or_insert_with(|| json!({}));
                if let Some(o) = e.as_object_mut() {
                    o.insert(b.to_string(), v.clone());
                }
            }
            None => {
                scim.insert(path.clone(), v.clone());
            }
        }
    }
    (Value::Object(scim), paths)
}

fn unified_body(headers: &HeaderMap, body: &Bytes) -> ScimResult<Map<String, Value>> {
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(ScimError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Type {ct:?} is not supported; use application/json"),
            ));
        }
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            "Body must be a JSON object",
        )),
        Err(e) => Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            format!("Malformed JSON: {e}"),
        )),
    }
}

/// Runs a POST/PATCH once per `Idempotency-Key` (3P:T7): a retry with the same key and request
/// gets the first answer again, without writing twice. Keys are scoped by integrated account,
/// method and path.
fn idempotent(
    t: &Tenant,
    method: &str,
    path: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
    run: impl FnOnce() -> ScimResult<(StatusCode, Value)>,
) -> ScimResult<Response> {
    let ttl = t
        .profile
        .unified
        .as_ref()
        .and_then(|u| u.idempotency_ttl_secs);
    let key = headers
        .get("idempotency-key")
        .filter(|_| !t.shared.faults.bends().unified_idempotency_ignored);
    let (Some(key), Some(ttl)) = (key, ttl) else {
        let (status, v) = run()?;
        return Ok(unified_value(t, status, &v));
    };
    let key = key.to_str().map_err(|_| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key must be visible ASCII",
        )
    })?;
    let account = Query::parse(raw)
        .ok()
        .and_then(|q| param(&q, "integrated_account_id").map(str::to_string))
        .unwrap_or_default();
    let scope = format!("{account} {method} {path}");
    let print = idempotency::fingerprint(method, path, raw, body);
    let ttl = std::time::Duration::from_secs(ttl);
    match t.idempotency.begin(&scope, key, print, ttl)? {
        Begin::Replay(status, bytes) => Ok(unified(t, status, bytes)),
        Begin::Run(ticket) => {
            // On an error the ticket is dropped, which forgets the key.
            let (status, v) = run()?;
            let bytes = Bytes::from(serde_json::to_vec(&v).unwrap_or_default());
            ticket.finish(status, &bytes);
            Ok(unified(t, status, bytes))
        }
    }
}

async fn create(
    State(t): Ten,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    // A latency fault on the backend delays the answer (the closure cannot wait).
    let latency = std::cell::Cell::new(0);
    let answer = idempotent(&t, "POST", "/", raw.as_deref(), &headers, &body, || {
        let q = Query::parse(raw.as_deref())?;
        let b = backend(&t, &q)?;
        let u = unified_body(&headers, &body)?;
        let (scim, _) = scim_from_unified(&u);
        let path = format!("{}/Users", b.public_path);
        let (ms, verdict) = backend_gate(b, "POST", &path);
        latency.set(ms);
        verdict.map_err(|e| remote(b, e, &path))?;
        let w = writes::create_user(b, scim).map_err(|e| remote(b, e, &path))?;
        Ok((
            StatusCode::CREATED,
            Shaping::from(&t, &q).apply(b, &w.stored),
        ))
    });
    gate::pause(&t.shared, latency.get()).await;
    answer
}

async fn update(
    State(t): Ten,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let at = format!("/{id}");
    let latency = std::cell::Cell::new(0);
    let answer = idempotent(&t, "PATCH", &at, raw.as_deref(), &headers, &body, || {
        let q = Query::parse(raw.as_deref())?;
        let b = backend(&t, &q)?;
        let u = unified_body(&headers, &body)?;
        let (_, paths) = scim_from_unified(&u);
        let path = format!("{}/Users/{id}", b.public_path);
        let (ms, verdict) = backend_gate(b, "PATCH", &path);
        latency.set(ms);
        verdict.map_err(|e| remote(b, e, &path))?;
        if t.shared.faults.bends().unified_update_ignored {
            let s = b.get(Kind::User, &id).map_err(|e| remote(b, e, &path))?;
            return Ok((StatusCode::OK, Shaping::from(&t, &q).apply(b, &s)));
        }
        let ops: Vec<PatchOp> = paths
            .into_iter()
            .map(|(p, v)| PatchOp {
                op: PatchOpKind::Replace,
                path: scimock_filter::parse_patch_path(&p).ok(),
                raw_path: Some(p),
                value: Some(v),
            })
            .collect();
        let w =
            writes::patch_ops(b, Kind::User, &id, ops, None).map_err(|e| remote(b, e, &path))?;
        let shaping = Shaping::from(&t, &q);
        if w.status != StatusCode::NO_CONTENT {
            return Ok((StatusCode::OK, shaping.apply(b, &w.stored)));
        }
        match b.get(Kind::User, &id) {
            Ok(s) => Ok((StatusCode::OK, shaping.apply(b, &s))),
            // The backend cancelled a pending invite (Attio, D:A8): the user is gone [I].
            Err(e) if e.status == StatusCode::NOT_FOUND => {
                let mut u = shaping.apply(b, &w.stored);
                if let Some(o) = u.as_object_mut() {
                    o.insert("status".into(), json!("deleted"));
                }
                Ok((StatusCode::OK, u))
            }
            Err(e) => Err(remote(b, e, &path)),
        }
    });
    gate::pause(&t.shared, latency.get()).await;
    answer
}

async fn remove(State(t): Ten, Path(id): Path<String>, Params(q): Params) -> ScimResult<Response> {
    let b = backend(&t, &q)?;
    let path = format!("{}/Users/{id}", b.public_path);
    backend_gate_now(b, "DELETE", &path).await?;
    if !t.shared.faults.bends().unified_delete_ignored {
        writes::delete(b, Kind::User, &id, None).map_err(|e| remote(b, e, &path))?;
    }
    Ok(unified_value(&t, StatusCode::OK, &json!({"id": id})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_mapping_follows_the_vendors_table() {
        let scim = json!({
            "id": "u1", "externalId": "x1", "userName": "a@example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@example.com", "type": "work", "primary": true}],
            "active": false, "appRole": "admin", "title": "Countess",
            "groups": [{"value": "g1", "display": "Math"}],
            "meta": {"created": "2024-01-01T00:00:00Z", "lastModified": "2024-01-02T00:00:00Z"}
        });
        let u = unified_user(&scim, false, false);
        assert_eq!(u["id"], "u1");
        assert_eq!(u["external_id"], "x1");
        assert_eq!(u["name"], "Ada Lovelace");
        assert_eq!(u["username"], "a@example.com");
        assert_eq!(
            u["emails"][0],
            json!({"email": "a@example.com", "type": "work", "is_primary": true})
        );
        assert_eq!(u["status"], "inactive");
        assert_eq!(u["roles"][0], json!({"id": "admin", "name": "admin"}));
        assert_eq!(u["groups"][0], json!({"id": "g1", "name": "Math"}));
        assert_eq!(u["created_at"], "2024-01-01T00:00:00Z");
        assert_eq!(u["remote_data"], scim);
        assert_eq!(unified_user(&scim, true, false)["status"], "invited");
        let n = unified_user(&scim, false, true);
        assert!(n.get("remote_data").is_none());
        assert_eq!(n["avatar"], Value::Null, "normalized lists every field");
    }

    #[test]
    fn two_factor_status_is_read_from_any_extension() {
        let ext = |urn: &str, status: Value| {
            let mut m = Map::new();
            m.insert("userName".into(), json!("a@example.com"));
            m.insert(
                urn.into(),
                json!({ "twoFactorAuthenticationStatus": status }),
            );
            Value::Object(m)
        };
        let elfsquad = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
        assert_eq!(
            unified_user(&ext(elfsquad, json!("Enabled")), false, false)["is_2fa_enabled"],
            true
        );
        assert_eq!(
            unified_user(&ext("urn:acme:2.0:User", json!("disabled")), false, false)["is_2fa_enabled"],
            false
        );
        let none = json!({"userName": "a@example.com", "twoFactorAuthenticationStatus": "enabled"});
        assert!(
            unified_user(&none, false, false)
                .get("is_2fa_enabled")
                .is_none()
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor("a", &encode_cursor("a", 101)).unwrap(), 101);
        assert!(decode_cursor("a", "zz").is_err());
        assert!(decode_cursor("a", "c0").is_err());
        // Opaque (D:T2): nothing readable, and sealed to its account.
        let c = encode_cursor("a", 2);
        assert_eq!(c.len(), 32);
        assert_ne!(c, encode_cursor("a", 3));
        assert!(decode_cursor("b", &c).is_err());
        assert!(decode_cursor("a", "c2").is_err());
    }

    #[test]
    fn exclude_fields_accepts_both_forms() {
        let q = Query::parse(Some("truto_exclude_fields%5B%5D=id&truto_exclude_fields%5B%5D=name&truto_exclude_fields=emails,title")).unwrap();
        assert_eq!(excluded_fields(&q), vec!["id", "name", "emails", "title"]);
    }
}
