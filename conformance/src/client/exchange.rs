//! What the client sends and what comes back: a [`Request`] relative to the base URL, the
//! [`Exchange`] it produced, and the [`Throttle`] record of a 429.

use super::credential::Auth;
use crate::model::Evidence;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// A request relative to the target's base URL.
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Path appended to the base URL (`/Users`, or empty for the base itself).
    pub path: String,
    /// Query parameters, in order (percent-encoded when sent).
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// Extra headers (`If-Match`).
    pub headers: Vec<(String, String)>,
    /// Credentials.
    pub auth: Auth,
}

impl Request {
    /// A request with `method` to `path`.
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            auth: Auth::Configured,
        }
    }

    /// A GET.
    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::GET, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, k: impl Into<String>, v: impl Into<String>) -> Request {
        self.query.push((k.into(), v.into()));
        self
    }

    /// Adds query parameters.
    pub fn queries(mut self, pairs: &[(String, String)]) -> Request {
        self.query.extend(pairs.iter().cloned());
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: Value) -> Request {
        self.body = Some(body);
        self
    }

    /// Adds a header.
    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Request {
        self.headers.push((k.into(), v.into()));
        self
    }

    /// True when the request sets header `name` (case-insensitively).
    pub fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }

    /// Chooses the credentials.
    pub fn auth(mut self, a: Auth) -> Request {
        self.auth = a;
        self
    }
}

/// A 429 the client saw.
#[derive(Debug, Clone)]
pub struct Throttle {
    /// The 429 response.
    pub evidence: Evidence,
    /// Its `Retry-After`, raw.
    pub retry_after: Option<String>,
    /// The parsed delay, if the header parsed.
    pub parsed: Option<Duration>,
    /// True when the value was an HTTP-date (false: delta-seconds).
    pub http_date: bool,
}

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Path relative to the base with the readable query.
    pub target: String,
    /// Full URL sent.
    pub url: String,
    /// Response status, if a response arrived.
    pub status: Option<u16>,
    /// Response headers, lowercase names (repeated headers joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// Response body.
    pub body: Vec<u8>,
    /// Transport error.
    pub error: Option<String>,
    /// Time to the full response, including 429 waits.
    pub elapsed: Duration,
    /// 429s answered before this response.
    pub retries: u32,
    /// The curl line.
    pub curl: String,
}

impl Exchange {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// True when the response has this status.
    pub fn is(&self, status: u16) -> bool {
        self.status == Some(status)
    }

    /// True for a 2xx.
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// `STATUS` or the transport error, for details.
    pub fn outcome(&self) -> String {
        match (self.status, &self.error) {
            (Some(s), _) => format!("HTTP {s}"),
            (None, Some(e)) => format!("no response ({e})"),
            (None, None) => "no response".into(),
        }
    }

    /// The body as text, lossy.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
