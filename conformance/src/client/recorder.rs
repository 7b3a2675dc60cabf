//! A recording of every HTTP exchange a run sends (`scimock check --har`): each attempt
//! (a retried 429 is two exchanges), with what was sent and what came back, credentials
//! replaced as in curl lines and every credential scrubbed from URLs, headers and bodies.
//! The runner names the part of the run that sends (`preflight`, a check id, `cleanup`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One exchange as sent and received. Holds no credential.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The part of the run that sent it: `preflight`, a check id, or `cleanup`.
    pub part: String,
    /// When the request was sent.
    pub started: time::OffsetDateTime,
    /// HTTP method.
    pub method: String,
    /// The full URL, scrubbed.
    pub url: String,
    /// Request headers as sent, credential values replaced by their placeholder.
    pub request_headers: Vec<(String, String)>,
    /// The request body, scrubbed.
    pub request_body: Option<String>,
    /// Response status (None: no response).
    pub status: Option<u16>,
    /// Response HTTP version (`HTTP/1.1`).
    pub http_version: String,
    /// Response headers in order, scrubbed (`set-cookie` values replaced).
    pub response_headers: Vec<(String, String)>,
    /// The response body as text (lossy UTF-8), scrubbed.
    pub response_body: String,
    /// The response body's size in bytes, as received.
    pub response_size: usize,
    /// Transport error, if any.
    pub error: Option<String>,
    /// From sending to the response headers.
    pub wait: Duration,
    /// From the headers to the end of the body.
    pub receive: Duration,
}

#[derive(Debug, Default)]
struct State {
    part: Option<String>,
    entries: Vec<Recorded>,
}

/// Where a run's client records its exchanges; cheap to clone (one shared recording).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

impl Recorder {
    /// An empty recording.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Exchanges from now on belong to `part` (a check id, or `cleanup`).
    pub fn begin(&self, part: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.part = Some(part.to_string());
        }
    }

    /// The part exchanges belong to now (`preflight` before the first check).
    pub(super) fn part(&self) -> String {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.part.clone())
            .unwrap_or_else(|| "preflight".into())
    }

    pub(super) fn push(&self, r: Recorded) {
        if let Ok(mut s) = self.state.lock() {
            s.entries.push(r);
        }
    }

    /// Every exchange so far, in the order they were sent.
    pub fn entries(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .map(|s| s.entries.clone())
            .unwrap_or_default()
    }
}
