//! The tenant middleware: one place for what every SCIM request goes through, in order:
//! body limit (413), injected faults and latency, authentication (401), documented rate
//! limits (429), the handler, then rendering any `ScimError` in the profile's format, and the
//! request journal.

use crate::clock;
use crate::error::ScimError;
use crate::faults::{Break, Fired};
use crate::journal::{self, Captured};
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

/// The longest `Retry-After` delay rendered (a year), so HTTP-date arithmetic cannot overflow.
pub const MAX_RETRY_AFTER: u64 = 365 * 24 * 3600;

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

impl Tenant {
    /// `Retry-After` in the profile's form: seconds, or an HTTP-date (Attio, D:A7).
    /// Delays are clamped to a year so no date arithmetic can overflow.
    pub fn retry_after_value(&self, secs: u64) -> String {
        let secs = secs.min(MAX_RETRY_AFTER);
        let form = self
            .profile
            .rate_limit
            .as_ref()
            .map_or(RetryAfter::Seconds, |r| r.retry_after);
        match form {
            RetryAfter::Seconds => secs.to_string(),
            RetryAfter::HttpDate => {
                clock::http_date(clock::now() + time::Duration::seconds(secs as i64))
            }
        }
    }

    /// The vendor's 429 when `--rate-limits` is on and this request is over its documented limit.
    pub fn over_rate_limit(&self, write: bool) -> Option<ScimError> {
        let rl = self
            .profile
            .rate_limit
            .as_ref()
            .filter(|_| self.shared.rate_limits)?;
        let limit = if write { rl.write_rps } else { rl.read_rps };
        (!self.limiter.admit(write, limit, crate::clock::now_secs()))
            .then(|| self.too_many(1, None, limit))
    }

    /// A 429 in the profile's words, with `Retry-After` in its form, and the vendor's
    /// `X-RateLimit-*` headers where it sends them (`limit` requests per second).
    fn too_many(&self, secs: u64, detail: Option<String>, limit: u32) -> ScimError {
        let rl = self.profile.rate_limit.as_ref();
        let detail = detail.unwrap_or_else(|| {
            rl.map_or_else(|| "Too many requests".to_string(), |r| r.detail.clone())
        });
        let mut e = ScimError::new(StatusCode::TOO_MANY_REQUESTS, detail)
            .with_header(header::RETRY_AFTER, &self.retry_after_value(secs));
        if rl.is_some_and(|r| r.x_ratelimit_headers) {
            // The header has minutes only: round up, so it is never before the retry time.
            let at = clock::now() + time::Duration::seconds(secs.min(MAX_RETRY_AFTER) as i64);
            let reset = if at.second() == 0 && at.nanosecond() == 0 {
                at
            } else {
                at + time::Duration::minutes(1)
            };
            e = e
                .with_header(
                    header::HeaderName::from_static("x-ratelimit-limit"),
                    &limit.to_string(),
                )
                .with_header(
                    header::HeaderName::from_static("x-ratelimit-remaining"),
                    "0",
                )
                .with_header(
                    header::HeaderName::from_static("x-ratelimit-reset"),
                    &clock::minute_utc(reset),
                );
        }
        e
    }

    /// The error an injected fault answers with, if it carries a status: in this profile's words
    /// and `Retry-After` form (also used by the unified facade for its backends).
    pub fn fault_error(&self, f: &Fired, write: bool) -> Option<ScimError> {
        let status = f
            .status
            .map(|s| StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            let limit = self
                .profile
                .rate_limit
                .as_ref()
                .map_or(0, |r| if write { r.write_rps } else { r.read_rps });
            return Some(self.too_many(f.retry_after.unwrap_or(1), f.detail.clone(), limit));
        }
        let detail = f
            .detail
            .clone()
            .unwrap_or_else(|| format!("Injected fault: {status}"));
        let mut e = ScimError::new(status, detail);
        if let Some(secs) = f.retry_after {
            e = e.with_header(header::RETRY_AFTER, &self.retry_after_value(secs));
        }
        Some(e)
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
            return e.respond_with(&json!({"error": e.detail}), content_type);
        }
        let format = self.profile.errors.format;
        if format == ErrorFormat::Scim && faults.is_broken(Break::ErrorStatusInteger) {
            let mut body = e.body(format, instance);
            body["status"] = json!(e.status.as_u16());
            return e.respond_with(&body, content_type);
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
    let latency = shared
        .latency_ms
        .saturating_add(fired.as_ref().and_then(|f| f.latency_ms).unwrap_or(0));
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let write = !matches!(parts.method, Method::GET | Method::HEAD);
    if let Some(e) = fired.as_ref().and_then(|f| t.fault_error(f, write)) {
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
    if let Some(e) = t.over_rate_limit(is_write(&parts.method)) {
        return e.into_response();
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
    t.shared.journal.record_captured(Captured {
        arrived,
        profile: t.profile.clone(),
        method,
        path,
        query: uri.query().map(|q| journal::clip(q, journal::MAX_FIELD)),
        headers,
        body: journal::body(&bytes),
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
