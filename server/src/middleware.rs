//! The tenant middleware: one place for what every SCIM request goes through, in order:
//! body limit (413), injected faults and latency, authentication (401), documented rate
//! limits (429), the handler, then rendering any `ScimError` in the profile's format, and the
//! request journal.

use crate::clock;
use crate::error::ScimError;
use crate::faults::Break;
use crate::journal::Captured;
use crate::tenant::Tenant;
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use scimock_profile::{ErrorFormat, RetryAfter};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Compares secrets without an early exit on the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

/// The bearer token in an Authorization header (bare tokens where the profile accepts them).
pub fn bearer(value: &str, accept_bare: bool) -> Option<&str> {
    match value.trim().split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => Some(rest.trim()),
        Some(_) => None,
        None if accept_bare => Some(value.trim()),
        None => None,
    }
}

fn authorized(t: &Tenant, parts: &Parts) -> bool {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| bearer(v, t.profile.auth.accept_bare_token));
    token.is_some_and(|tok| constant_time_eq(tok.as_bytes(), t.shared.token.as_bytes()))
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tenant {
    /// `Retry-After` in the profile's form: seconds, or an HTTP-date (Attio, D:A7).
    pub fn retry_after_value(&self, secs: u64) -> String {
        let form = self
            .profile
            .rate_limit
            .as_ref()
            .map_or(RetryAfter::Seconds, |r| r.retry_after);
        match form {
            RetryAfter::Seconds => secs.to_string(),
            RetryAfter::HttpDate => clock::http_date(
                clock::now() + time::Duration::seconds(i64::try_from(secs).unwrap_or(1)),
            ),
        }
    }

    fn too_many(&self, secs: u64, detail: Option<String>) -> ScimError {
        let detail = detail.unwrap_or_else(|| {
            self.profile
                .rate_limit
                .as_ref()
                .map_or_else(|| "Too many requests".to_string(), |r| r.detail.clone())
        });
        ScimError::new(StatusCode::TOO_MANY_REQUESTS, detail)
            .with_header(header::RETRY_AFTER, &self.retry_after_value(secs))
    }

    /// Renders a `ScimError` as this profile does, applying error break switches.
    pub fn render_error(&self, e: &ScimError, instance: &str) -> Response {
        let faults = &self.shared.faults;
        let mut e = e.clone();
        if faults.is_broken(Break::RetryAfterMissing) {
            e.headers.retain(|(n, _)| n != header::RETRY_AFTER);
        }
        if faults.is_broken(Break::ErrorScimTypeMissing) {
            e.scim_type = None;
        }
        let content_type = if faults.is_broken(Break::ErrorContentTypeText) {
            "text/plain"
        } else {
            &self.profile.errors.content_type
        };
        if faults.is_broken(Break::ErrorGenericFormat) {
            let mut r = (
                e.status,
                [(header::CONTENT_TYPE, content_type.to_string())],
                json!({"error": e.detail}).to_string(),
            )
                .into_response();
            for (n, v) in &e.headers {
                r.headers_mut().append(n.clone(), v.clone());
            }
            return r;
        }
        let format = self.profile.errors.format;
        if format == ErrorFormat::Scim && faults.is_broken(Break::ErrorStatusInteger) {
            let mut body = e.body(format, instance);
            body["status"] = json!(e.status.as_u16());
            let mut r = (
                e.status,
                [(header::CONTENT_TYPE, content_type.to_string())],
                body.to_string(),
            )
                .into_response();
            for (n, v) in &e.headers {
                r.headers_mut().append(n.clone(), v.clone());
            }
            return r;
        }
        e.render(format, content_type, instance)
    }

    /// The 401 for a missing or wrong credential.
    fn unauthorized(&self) -> ScimError {
        let mut e = ScimError::new(
            StatusCode::UNAUTHORIZED,
            format!("Missing or invalid {}", self.profile.auth.token_name),
        );
        if let Some(w) = &self.profile.auth.www_authenticate {
            e = e.with_header(header::WWW_AUTHENTICATE, w);
        }
        e
    }
}

async fn guarded(t: &Tenant, parts: Parts, body: Bytes, path: &str, next: Next) -> Response {
    let shared = &t.shared;
    let fired = shared
        .faults
        .take(parts.method.as_str(), path, &t.profile.name);
    let latency = shared.latency_ms + fired.as_ref().and_then(|f| f.latency_ms).unwrap_or(0);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if let Some(f) = fired.as_ref().filter(|f| f.status.is_some()) {
        let status = f
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = f.detail.clone();
        let e = if status == StatusCode::TOO_MANY_REQUESTS {
            t.too_many(f.retry_after.unwrap_or(1), detail)
        } else {
            let mut e = ScimError::new(
                status,
                detail.unwrap_or_else(|| format!("Injected fault: {status}")),
            );
            if let Some(secs) = f.retry_after {
                e = e.with_header(header::RETRY_AFTER, &t.retry_after_value(secs));
            }
            e
        };
        return e.into_response();
    }
    if shared.fail_rate > 0.0 && shared.random() < shared.fail_rate {
        return ScimError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Injected failure (--fail-rate)",
        )
        .into_response();
    }
    if !authorized(t, &parts) && !shared.faults.is_broken(Break::AuthAcceptAnyToken) {
        return t.unauthorized().into_response();
    }
    if shared.rate_limits {
        if let Some(rl) = &t.profile.rate_limit {
            let write = is_write(&parts.method);
            let limit = if write { rl.write_rps } else { rl.read_rps };
            if !t.limiter.admit(write, limit, now_secs()) {
                return t.too_many(1, None).into_response();
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Turns error responses into the profile's format: `ScimError`s recorded by handlers, and any
/// other non-JSON error (an extractor's plain-text rejection) so no client ever sees a foreign body.
fn finalize(t: &Tenant, resp: Response, instance: &str) -> Response {
    if let Some(e) = resp.extensions().get::<ScimError>() {
        return t.render_error(e, instance);
    }
    let status = resp.status();
    if status.is_client_error() || status.is_server_error() {
        let is_json = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if !is_json {
            let reason = status.canonical_reason().unwrap_or("Error");
            return t.render_error(&ScimError::new(status, reason), instance);
        }
    }
    resp
}

/// The middleware wrapped around every tenant router.
pub async fn tenant_middleware(State(t): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let arrived = clock::now();
    let (parts, body) = req.into_parts();
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |u| u.0.clone());
    let path = uri.path().to_string();
    let method = parts.method.clone();
    let headers = Captured::pack_headers(&parts.headers);
    let limit = t.shared.body_limit;
    let too_big = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit);
    let (bytes, resp) = if too_big {
        (
            Bytes::new(),
            Some(ScimError::payload_too_large(limit).into_response()),
        )
    } else {
        match axum::body::to_bytes(body, limit).await {
            Ok(b) => (b, None),
            Err(_) => (
                Bytes::new(),
                Some(ScimError::payload_too_large(limit).into_response()),
            ),
        }
    };
    let resp = match resp {
        Some(r) => r,
        None => guarded(&t, parts, bytes.clone(), &path, next).await,
    };
    let resp = finalize(&t, resp, &path);
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned();
    if bytes.len() > 64 * 1024 {
        text.push_str("…[truncated]");
    }
    t.shared.journal.record_captured(Captured {
        arrived,
        profile: t.profile.clone(),
        method,
        path,
        query: uri.query().map(str::to_string),
        headers,
        body: (!bytes.is_empty()).then_some(text),
        status: resp.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    });
    resp
}

/// Adds a header to a response if the value is valid.
pub fn set_header(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"scimock-token", b"scimock-token"));
        assert!(!constant_time_eq(b"scimock-token", b"scimock-tokex"));
        assert!(!constant_time_eq(b"scimock-token", b"scimock-token2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_bare_tokens_need_the_profile() {
        assert_eq!(bearer("Bearer abc", false), Some("abc"));
        assert_eq!(bearer("bearer   abc ", false), Some("abc"));
        assert_eq!(bearer("Basic abc", true), None);
        assert_eq!(bearer("abc", false), None);
        assert_eq!(bearer("abc", true), Some("abc"));
    }
}
