//! The tenant middleware: one place for what every SCIM request goes through, in order:
//! body limit (413), the gate (faults, latency, 401, 429), the handler, the output-only break
//! switches, rendering any `ScimError` in the profile's format, and the request journal.

use crate::breaks;
use crate::clock;
use crate::discovery;
use crate::error::ScimError;
use crate::gate;
use crate::journal::{self, Captured};
use crate::tenant::Tenant;
use crate::violations::{self, ViolatingRequest, Violation};
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;

/// Turns error responses into the profile's format: `ScimError`s recorded by handlers, and any
/// other non-JSON error (an extractor's plain-text rejection) so no client ever sees a foreign body.
fn finalize(t: &Tenant, resp: Response, instance: &str) -> Response {
    if let Some(e) = resp.extensions().get::<ScimError>() {
        return breaks::render_error(&t.shared.faults.switches, &t.renderer, e, instance);
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
            let e = ScimError::new(status, reason);
            return breaks::render_error(&t.shared.faults.switches, &t.renderer, &e, instance);
        }
    }
    resp
}

/// The most of an oversized body read (and thrown away) before the 413, so a client that writes
/// its whole body before reading can read the answer instead of a broken pipe.
const DRAIN_MAX: usize = 16 * 1024 * 1024;

/// How long the body of an unauthenticated request is read (to be thrown away) before its 401.
const UNAUTHENTICATED_DRAIN: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads and discards up to `max` more bytes of `body` (stops at its end, an error, or its
/// deadline).
async fn drain(body: &mut Body, max: usize) {
    use http_body_util::BodyExt;
    let mut read = 0;
    while read < max {
        match body.frame().await {
            Some(Ok(f)) => read += f.data_ref().map_or(0, |d| d.len()),
            _ => return,
        }
    }
}

/// The longest request target answered normally; longer gets a 414 in the profile's format.
pub const MAX_URI: usize = 32 * 1024;
/// The most request headers answered normally (the HTTP layer accepts up to
/// [`MAX_HEADERS_ACCEPTED`], so the 431 for those between is in the profile's format).
pub const MAX_HEADERS: usize = 100;
/// The most request headers the HTTP layer reads (beyond: its own bare 431).
pub const MAX_HEADERS_ACCEPTED: usize = 256;
/// The largest total of header names and values answered normally.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The 414 or 431 for a request head over the limits, in the profile's format.
fn oversized_head(req: &axum::http::request::Parts, target_len: usize) -> Option<Response> {
    let e = if target_len > MAX_URI {
        ScimError::new(
            axum::http::StatusCode::URI_TOO_LONG,
            format!("The request target is longer than {MAX_URI} bytes"),
        )
    } else if req.headers.len() > MAX_HEADERS
        || req
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len())
            .sum::<usize>()
            > MAX_HEADER_BYTES
    {
        ScimError::new(
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "The request has more than {MAX_HEADERS} headers or more than {MAX_HEADER_BYTES} bytes of them"
            ),
        )
    } else {
        return None;
    };
    Some(e.with_header(header::CONNECTION, "close").into_response())
}

/// The body length a request declares (`Content-Length`).
fn declared_len(req: &axum::http::request::Parts) -> Option<usize> {
    req.headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// The 413 for a body over `limit`; the connection is closed after it.
fn too_large(limit: usize) -> Response {
    ScimError::payload_too_large(limit)
        .with_header(header::CONNECTION, "close")
        .into_response()
}

/// The request body, or the 413 for one over the limit, or the 408 for one too slow.
async fn read_body(
    t: &Tenant,
    req: &axum::http::request::Parts,
    mut body: Body,
) -> Result<Bytes, Response> {
    use http_body_util::BodyExt;
    let limit = t.shared.body_limit;
    let declared = declared_len(req);
    if let Some(n) = declared.filter(|n| *n > limit) {
        if n <= DRAIN_MAX {
            drain(&mut body, n).await;
        }
        return Err(too_large(limit));
    }
    let mut buf = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(f) => f.into_data().unwrap_or_default(),
            Err(e) if crate::timeouts::is_body_timeout(&e) => return Err(too_slow(t)),
            Err(_) => return Err(too_large(limit)),
        };
        if buf.len() + data.len() > limit {
            drain(&mut body, DRAIN_MAX.saturating_sub(buf.len())).await;
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&data);
    }
    Ok(Bytes::from(buf))
}

/// The 408 for a body that did not arrive in time; the connection is closed after it.
fn too_slow(t: &Tenant) -> Response {
    ScimError::new(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        format!(
            "The request body did not arrive within {} seconds",
            t.shared.body_timeout.as_secs()
        ),
    )
    .with_header(header::CONNECTION, "close")
    .into_response()
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
    let mut body = body;
    // A body declared too large is refused first; otherwise the gate (faults, authentication)
    // runs before the body is read, so an unauthenticated client never has its body kept.
    let target_len = uri.path_and_query().map_or(0, |p| p.as_str().len());
    // What the request runs into of the vendor's rules is noted while it is served.
    let ((bytes, resp), notes) = violations::collect(async {
        if let Some(r) = oversized_head(&parts, target_len) {
            (Bytes::new(), r)
        } else if declared_len(&parts).is_some_and(|n| n > limit) {
            let refused = read_body(&t, &parts, body).await.err();
            (Bytes::new(), refused.unwrap_or_else(|| too_large(limit)))
        } else {
            match gate::admit(&t, &parts, &path).await {
                Err(e) if e.status == axum::http::StatusCode::UNAUTHORIZED => {
                    // Read only to be thrown away (at most the limit, for at most a second), so a
                    // client writing its body first can read the 401, and none is held for it.
                    let _ =
                        tokio::time::timeout(UNAUTHENTICATED_DRAIN, drain(&mut body, limit)).await;
                    (Bytes::new(), e.into_response())
                }
                Err(e) => {
                    let bytes = read_body(&t, &parts, body).await.unwrap_or_default();
                    (bytes, e.into_response())
                }
                Ok(()) => match read_body(&t, &parts, body).await {
                    Err(r) => (Bytes::new(), r),
                    Ok(bytes) => {
                        let resp = next
                            .run(Request::from_parts(parts, Body::from(bytes.clone())))
                            .await;
                        let spc = || discovery::generated_service_provider_config(&t);
                        let resp =
                            breaks::outgoing(&t.shared.faults.switches, &t.renderer, spc, resp)
                                .await;
                        (bytes, resp)
                    }
                },
            }
        }
    })
    .await;
    let resp = finalize(&t, resp, &path);
    let (resp, response_body) = journal::capture_response(resp).await;
    let captured = Captured {
        arrived,
        profile: t.profile.clone(),
        method,
        path,
        query: uri.query().map(journal::query),
        headers,
        body: journal::body(&bytes),
        status: resp.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        response_body,
    };
    let found: Vec<Violation> = if notes.is_empty() {
        Vec::new()
    } else {
        let request = ViolatingRequest {
            seq: 0,
            method: captured.method.to_string(),
            path: captured.path.clone(),
            query: captured.query.clone(),
            body: captured
                .body
                .as_deref()
                .map(|b| serde_json::from_str(b).unwrap_or_else(|_| b.into())),
            status: captured.status,
        };
        notes
            .into_iter()
            .map(|n| Violation::new(&t.profile, n, request.clone(), arrived))
            .collect()
    };
    if t.shared.log_requests {
        journal::log_line(&captured, &found);
    }
    let seq = t.shared.journal.record_captured(captured);
    for mut v in found {
        v.request.seq = seq;
        t.shared.violations.record(v);
    }
    resp
}
