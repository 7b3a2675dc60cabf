//! One error type for every failure, rendered in the profile's format.
//!
//! Handlers return `Result<_, ScimError>`. Turning a `ScimError` into a response only
//! records it in the response's extensions; the tenant middleware (which knows the
//! profile) renders the body: SCIM Error (RFC 7644 §3.12), RFC 7807 problem details,
//! Attio's envelope or Truto's envelope.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimock_profile::{ErrorFormat, ErrorSpec, Refusal, TimestampFormat};
use serde_json::{Map, Value, json};
use std::fmt;

/// The RFC 7644 §3.12 error schema URN.
pub const ERROR_URN: &str = scimock_profile::vocab::ERROR;

/// RFC 7644 §3.12 Table 9 `scimType` values, plus RFC 9865's pagination errors (the shared
/// vocabulary's type, re-exported).
pub use scimock_profile::vocab::ScimType;

/// A failure to answer a request, independent of how the vendor renders it.
#[derive(Debug, Clone)]
pub struct ScimError {
    /// HTTP status.
    pub status: StatusCode,
    /// `scimType`, for formats that carry one.
    pub scim_type: Option<ScimType>,
    /// Human-readable detail.
    pub detail: String,
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// For facades: the backing vendor's rendered error body, when it was the backend that refused.
    pub remote: Option<Box<Value>>,
}

impl std::error::Error for ScimError {}

impl fmt::Display for ScimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status.as_u16())?;
        if let Some(t) = self.scim_type {
            write!(f, " {t}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

impl ScimError {
    /// An error with a status and detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ScimError {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
            headers: Vec::new(),
            remote: None,
        }
    }

    /// A 400 with a `scimType`.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, detail).with_type(scim_type)
    }

    /// Sets the `scimType`.
    pub fn with_type(mut self, scim_type: ScimType) -> ScimError {
        self.scim_type = Some(scim_type);
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> ScimError {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidFilter, detail)
    }

    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidValue, detail)
    }

    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidPath, detail)
    }

    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::NoTarget, detail)
    }

    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::Mutability, detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, detail)
    }

    /// 405.
    pub fn method_not_allowed(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::METHOD_NOT_ALLOWED, detail)
    }

    /// 412 (If-Match did not match).
    pub fn precondition_failed() -> ScimError {
        ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            "The resource version does not match If-Match",
        )
    }

    /// 413.
    pub fn payload_too_large(limit: usize) -> ScimError {
        ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 415.
    pub fn unsupported_media_type(got: &str, accepted: &[String]) -> ScimError {
        ScimError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {got:?} is not supported; use {}",
                accepted.join(" or ")
            ),
        )
    }

    /// The error a profile documents for a refusal, with `{attr}`/`{op}` filled in.
    pub fn from_refusal(refusal: &Refusal, attr: &str, op: &str) -> ScimError {
        let answer = refusal.answer(attr, op);
        let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut e = ScimError::new(status, answer.detail);
        e.scim_type = answer.scim_type;
        e
    }

    /// The value of the first header with this name, if set.
    pub fn header(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The body this error has in the profile's error format (`spec`). `instance` is the
    /// request path (problem+json).
    pub fn body(&self, spec: &ErrorSpec, instance: &str) -> Value {
        let code = self.status.as_u16();
        let reason = self.status.canonical_reason().unwrap_or("Error");
        match spec.format {
            ErrorFormat::Scim => {
                let mut m = Map::new();
                for key in &spec.schema_keys {
                    m.insert(key.clone(), json!([ERROR_URN]));
                }
                m.insert("status".into(), Value::String(code.to_string()));
                if let Some(t) = self.scim_type.filter(|_| spec.scim_type) {
                    m.insert("scimType".into(), Value::String(t.as_str().into()));
                }
                m.insert("detail".into(), Value::String(self.detail.clone()));
                if let Some(field) = &spec.request_id {
                    m.insert(field.clone(), json!(uuid::Uuid::new_v4().to_string()));
                }
                if let Some(ts) = &spec.timestamp {
                    m.insert(ts.field.clone(), json!(timestamp(ts.format)));
                }
                Value::Object(m)
            }
            ErrorFormat::Problem => json!({
                "type": problem_type_uri(code),
                "title": reason,
                "status": code,
                "detail": self.detail,
                "instance": instance,
            }),
            ErrorFormat::Attio => {
                // D:A7 for 429; the rest in its documented shape, [I] (fixtures/profiles/attio.json).
                let entry = spec.codes().map(|c| c.for_status(code));
                let kind = entry.map_or("api_error", |e| e.kind.as_str());
                let c = entry.map_or("internal_error", |e| e.code.as_str());
                json!({"status_code": code, "type": kind, "code": c, "message": self.detail})
            }
            ErrorFormat::Truto => {
                let mut m = Map::new();
                m.insert("statusCode".into(), json!(code));
                m.insert("error".into(), json!(reason));
                m.insert("message".into(), json!(self.detail));
                if let Some(raw) = &self.remote {
                    m.insert("truto_is_remote_error".into(), json!(true));
                    m.insert("raw_response".into(), (**raw).clone());
                }
                Value::Object(m)
            }
            // D:S6: `Errors` with `description` and an integer `code` (the HTTP status, [I]).
            ErrorFormat::Slack => json!({"Errors": {"description": self.detail, "code": code}}),
        }
    }

    /// The complete response: status, headers, body in the profile's error format with
    /// `content_type`.
    pub fn render(&self, spec: &ErrorSpec, content_type: &str, instance: &str) -> Response {
        self.respond_with(&self.body(spec, instance), content_type)
    }

    /// This error's status and headers around any body.
    pub fn respond_with(&self, body: &Value, content_type: &str) -> Response {
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, content_type.to_string())],
            body.to_string(),
        )
            .into_response();
        for (n, v) in &self.headers {
            resp.headers_mut().append(n.clone(), v.clone());
        }
        resp
    }
}

/// Now in `format`, in UTC.
fn timestamp(format: TimestampFormat) -> String {
    let now = crate::clock::now();
    let rfc = crate::clock::format(now, scimock_profile::Precision::Millis);
    match format {
        TimestampFormat::Rfc3339 => rfc,
        // `2022-01-26T16:50:48.135Z` -> `2022-01-26 16:50:48.135` (3P:W12).
        TimestampFormat::SpaceMillis => rfc.trim_end_matches('Z').replacen('T', " ", 1),
    }
}

/// The `type` URI ASP.NET Core (Adra's stack) uses for a status.
fn problem_type_uri(code: u16) -> &'static str {
    match code {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        501 => "https://tools.ietf.org/html/rfc9110#section-15.6.2",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ if code >= 500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        _ => "about:blank",
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        // The body is rendered by the tenant middleware, which knows the profile.
        let mut resp = self.status.into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Result type of handlers.
pub type ScimResult<T> = Result<T, ScimError>;
