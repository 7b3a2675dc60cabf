//! The gate every SCIM request passes before its handler: injected faults and latency,
//! `--fail-rate`, authentication (401) and the vendor's documented rate limits (429), each
//! answered in the profile's words.

use crate::clock;
use crate::error::ScimError;
use crate::faults::Fired;
use crate::tenant::Tenant;
use crate::writes::is_write;
use axum::http::{StatusCode, header, request::Parts};
use scimock_profile::RetryAfter;
use std::time::Duration;

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
    // An empty token (a header with nothing in it) never matches, whatever was configured.
    token.is_some_and(|tok| {
        !tok.is_empty() && constant_time_eq(tok.as_bytes(), t.shared.token.as_bytes())
    })
}

/// Lets the request through to its handler, or answers it with the error it gets instead.
pub async fn admit(t: &Tenant, parts: &Parts, path: &str) -> Result<(), ScimError> {
    let shared = &t.shared;
    let fired = shared
        .faults
        .take(parts.method.as_str(), path, &t.profile.name);
    let latency = shared
        .latency_ms
        .saturating_add(fired.as_ref().and_then(|f| f.latency_ms).unwrap_or(0));
    pause(shared, latency).await;
    let write = is_write(&parts.method);
    if let Some(e) = fired.as_ref().and_then(|f| fault_error(t, f, write)) {
        return Err(e);
    }
    if shared.fail_rate > 0.0 && shared.random() < shared.fail_rate {
        return Err(ScimError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Injected failure (--fail-rate)",
        ));
    }
    if let Some(e) = missing_header(t, parts) {
        return Err(e);
    }
    if !authorized(t, parts) && !shared.faults.bends().any_token {
        return Err(unauthorized(t));
    }
    match over_rate_limit(t, write) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Waits `ms` of injected latency; it ends at shutdown, so it never holds the process past its
/// deadline.
pub async fn pause(shared: &crate::tenant::Shared, ms: u64) {
    if ms > 0 {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(ms)) => {}
            () = shared.stopped() => {}
        }
    }
}

/// `Retry-After` in the profile's form: seconds, or an HTTP-date (Attio, D:A7).
/// Delays are clamped to a year so no date arithmetic can overflow.
pub fn retry_after_value(t: &Tenant, secs: u64) -> String {
    let secs = secs.min(MAX_RETRY_AFTER);
    let form = t
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
pub fn over_rate_limit(t: &Tenant, write: bool) -> Option<ScimError> {
    let rl = t
        .profile
        .rate_limit
        .as_ref()
        .filter(|_| t.shared.rate_limits)?;
    let limit = if write { rl.write_rps } else { rl.read_rps };
    (!t.limiter.admit(write, limit, clock::now_secs())).then(|| {
        crate::violations::note(
            crate::violations::Effect::Refused,
            "rate_limit",
            format!(
                "over the vendor's {} limit of {limit} requests a second: 429",
                if write { "write" } else { "read" }
            ),
        );
        too_many(t, 1, None, limit)
    })
}

/// A 429 in the profile's words, with `Retry-After` in its form, and the vendor's
/// `X-RateLimit-*` headers where it sends them (`limit` requests per second).
fn too_many(t: &Tenant, secs: u64, detail: Option<String>, limit: u32) -> ScimError {
    let rl = t.profile.rate_limit.as_ref();
    let detail = detail.unwrap_or_else(|| {
        rl.map_or_else(|| "Too many requests".to_string(), |r| r.detail.clone())
    });
    let mut e = ScimError::new(StatusCode::TOO_MANY_REQUESTS, detail)
        .with_header(header::RETRY_AFTER, &retry_after_value(t, secs));
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
pub fn fault_error(t: &Tenant, f: &Fired, write: bool) -> Option<ScimError> {
    let status = f
        .status
        .map(|s| StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))?;
    if status == StatusCode::TOO_MANY_REQUESTS {
        let limit = t
            .profile
            .rate_limit
            .as_ref()
            .map_or(0, |r| if write { r.write_rps } else { r.read_rps });
        return Some(too_many(
            t,
            f.retry_after.unwrap_or(1),
            f.detail.clone(),
            limit,
        ));
    }
    let detail = f
        .detail
        .clone()
        .unwrap_or_else(|| format!("Injected fault: {status}"));
    let mut e = ScimError::new(status, detail);
    if let Some(secs) = f.retry_after {
        e = e.with_header(header::RETRY_AFTER, &retry_after_value(t, secs));
    }
    Some(e)
}

/// The vendor's refusal of a request without a header it requires (GitHub `User-Agent`, D:G2).
fn missing_header(t: &Tenant, parts: &Parts) -> Option<ScimError> {
    let required = t.profile.auth.required_headers.as_ref()?;
    let name = required.names.iter().find(|n| {
        parts
            .headers
            .get_all(n.as_str())
            .iter()
            .all(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace))
    })?;
    let e = ScimError::from_refusal(&required.refusal, name, "");
    crate::violations::note(
        crate::violations::Effect::Refused,
        "auth.required_headers",
        format!(
            "a request without a {name} header is refused by the vendor: {}",
            e.status.as_u16()
        ),
    );
    Some(e)
}

/// The 401 for a missing or wrong credential.
fn unauthorized(t: &Tenant) -> ScimError {
    let mut e = ScimError::new(
        StatusCode::UNAUTHORIZED,
        format!("Missing or invalid {}", t.profile.auth.token_name),
    );
    if let Some(w) = &t.profile.auth.www_authenticate {
        e = e.with_header(header::WWW_AUTHENTICATE, w);
    }
    e
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
