//! The runner's HTTP client: credentials kept out of every output, a token bucket for
//! `--max-rps`, bounded honouring of 429 + `Retry-After` (seconds or HTTP-date), a per-request
//! timeout, redirects followed only within the same origin, and a hard refusal of anything
//! but GET in a read-only run.

mod credential;
mod exchange;
mod pacing;
mod recorder;
mod text;

pub use credential::{Auth, Credential, CredentialError, TOKEN_PLACEHOLDER, WRONG_TOKEN};
pub use exchange::{Exchange, Request, Throttle};
pub use pacing::parse_retry_after;
pub use recorder::{Recorded, Recorder};
pub use text::{encode_component, excerpt};

use crate::model::Evidence;
use credential::wrong_value;
use pacing::Bucket;
use reqwest::Method;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use text::{describe_error, redact_userinfo, shell_quote};

/// Response headers copied into evidence.
const EVIDENCE_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "etag",
    "retry-after",
    "www-authenticate",
];
/// Largest response body read, bytes (a live tenant can send anything).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Why a client cannot be made for a base URL; the messages never echo URL credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The base is not a URL.
    #[error("{shown:?} is not a URL: {reason}")]
    NotAUrl {
        /// The base with its userinfo redacted.
        shown: String,
        /// What the URL parser said.
        reason: String,
    },
    /// Not http or https.
    #[error("{shown:?}: only http and https targets are supported")]
    UnsupportedScheme {
        /// The base with its userinfo redacted.
        shown: String,
    },
    /// The URL carries `user:password@`, which would be sent and shown.
    #[error(
        "{shown:?}: the URL carries credentials (user:password@); pass them with --token or --header, which are never shown"
    )]
    CredentialsInUrl {
        /// The base with its userinfo redacted.
        shown: String,
    },
    /// The HTTP stack could not be set up.
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Requests per second (None: no limit).
    pub max_rps: Option<f64>,
    /// How many times a 429 is retried.
    pub max_retries: u32,
    /// Longest wait for one `Retry-After`.
    pub max_retry_wait: Duration,
    /// Anything but GET is allowed.
    pub allow_writes: bool,
    /// Records every exchange (`--har`).
    pub recorder: Option<Recorder>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(30),
            max_rps: None,
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
            allow_writes: false,
            recorder: None,
        }
    }
}

/// The HTTP client of one run.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    creds: Vec<Credential>,
    secrets: Vec<String>,
    cfg: ClientConfig,
    bucket: Option<Mutex<Bucket>>,
    throttles: Mutex<Vec<Throttle>>,
    counts: Mutex<(usize, usize)>,
}

/// Origin (scheme, host, port) of a URL.
fn origin(u: &reqwest::Url) -> (String, Option<String>, Option<u16>) {
    (
        u.scheme().to_string(),
        u.host_str().map(str::to_string),
        u.port_or_known_default(),
    )
}

impl Client {
    /// A client for `base` (the SCIM base URL, or the unified list endpoint).
    pub fn new(
        base: &str,
        creds: Vec<Credential>,
        cfg: ClientConfig,
    ) -> Result<Client, ClientError> {
        let shown = redact_userinfo(base);
        let parsed = reqwest::Url::parse(base).map_err(|e| ClientError::NotAUrl {
            shown: shown.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ClientError::UnsupportedScheme { shown });
        }
        // Userinfo would be sent and shown (report target, evidence, curl lines): refused.
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(ClientError::CredentialsInUrl { shown });
        }
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt
                .previous()
                .first()
                .is_none_or(|first| origin(first) == origin(attempt.url()));
            if attempt.previous().len() >= 5 || !same {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .user_agent(concat!("scimock-check/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        let mut secrets: Vec<String> = creds.iter().flat_map(Credential::secrets).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            creds,
            secrets,
            bucket: cfg
                .max_rps
                .filter(|r| *r > 0.0)
                .map(|r| Mutex::new(Bucket::new(r))),
            cfg,
            throttles: Mutex::new(Vec::new()),
            counts: Mutex::new((0, 0)),
        })
    }

    /// The base URL (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// True when writes are allowed.
    pub fn allow_writes(&self) -> bool {
        self.cfg.allow_writes
    }

    /// Replaces every credential in `s` with `[redacted]`.
    pub fn scrub(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "[redacted]");
            }
        }
        out
    }

    /// Every 429 seen so far.
    pub fn throttles(&self) -> Vec<Throttle> {
        self.throttles.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Requests sent and how many were answered 401/403, with configured credentials.
    pub fn counts(&self) -> (usize, usize) {
        self.counts.lock().map(|g| *g).unwrap_or_default()
    }

    fn url_for(&self, req: &Request) -> (String, String) {
        let mut url = format!("{}{}", self.base, req.path);
        let mut readable = if req.path.is_empty() {
            "/".to_string()
        } else {
            req.path.clone()
        };
        if !req.query.is_empty() {
            let enc: Vec<String> = req
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                .collect();
            let plain: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            url.push('?');
            url.push_str(&enc.join("&"));
            readable.push('?');
            readable.push_str(&plain.join("&"));
        }
        (url, readable)
    }

    fn curl(&self, req: &Request, url: &str) -> String {
        let mut parts = vec!["curl -sS".to_string()];
        if req.method != Method::GET {
            parts.push(format!("-X {}", req.method));
        }
        match req.auth {
            Auth::Configured => {
                for c in &self.creds {
                    parts.push(format!("-H \"{}: {}\"", c.name, c.shown));
                }
            }
            Auth::Wrong => {
                for c in &self.creds {
                    parts.push(format!(
                        "-H {}",
                        shell_quote(&format!("{}: {}", c.name, wrong_value(&c.value)))
                    ));
                }
            }
            Auth::Missing => {}
        }
        for (k, v) in &req.headers {
            parts.push(format!("-H {}", shell_quote(&format!("{k}: {v}"))));
        }
        if let Some(b) = &req.body {
            if !req.has_header("content-type") {
                parts.push("-H 'Content-Type: application/scim+json'".into());
            }
            parts.push(format!("--data {}", shell_quote(&b.to_string())));
        }
        parts.push(shell_quote(url));
        self.scrub(&parts.join(" "))
    }

    async fn pace(&self) {
        let wait = match &self.bucket {
            Some(b) => b
                .lock()
                .map(|mut g| g.take(Instant::now()))
                .unwrap_or_default(),
            None => Duration::ZERO,
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends a request: paced, retried on 429 within bounds. Never panics on any response.
    pub async fn send(&self, req: Request) -> Exchange {
        let started = Instant::now();
        let (url, readable) = self.url_for(&req);
        let curl = self.curl(&req, &url);
        let mut ex = Exchange {
            method: req.method.to_string(),
            target: self.scrub(&readable),
            url: self.scrub(&url),
            status: None,
            headers: BTreeMap::new(),
            body: Vec::new(),
            error: None,
            elapsed: Duration::ZERO,
            retries: 0,
            curl,
        };
        if req.method != Method::GET && !self.cfg.allow_writes {
            ex.error = Some(format!(
                "refused to send {} in a read-only run (pass --allow-writes)",
                req.method
            ));
            return ex;
        }
        loop {
            self.pace().await;
            self.send_once(&req, &url, &mut ex).await;
            if req.auth == Auth::Configured {
                if let Ok(mut c) = self.counts.lock() {
                    c.0 += 1;
                    if matches!(ex.status, Some(401 | 403)) {
                        c.1 += 1;
                    }
                }
            }
            if ex.status != Some(429) {
                break;
            }
            let raw = ex.header("retry-after").map(str::to_string);
            let parsed = raw
                .as_deref()
                .and_then(|v| parse_retry_after(v, time::OffsetDateTime::now_utc()));
            if let Ok(mut t) = self.throttles.lock() {
                t.push(Throttle {
                    evidence: self.evidence(&ex),
                    retry_after: raw.clone(),
                    parsed: parsed.map(|p| p.0),
                    http_date: parsed.is_some_and(|p| p.1),
                });
            }
            if ex.retries >= self.cfg.max_retries {
                break;
            }
            let backoff = Duration::from_secs(1u64 << ex.retries.min(5));
            let wait = parsed.map_or(backoff, |p| p.0).min(self.cfg.max_retry_wait);
            tokio::time::sleep(wait).await;
            ex.retries += 1;
        }
        ex.elapsed = started.elapsed();
        ex
    }

    async fn send_once(&self, req: &Request, url: &str, ex: &mut Exchange) {
        let mut b = self.http.request(req.method.clone(), url);
        match req.auth {
            Auth::Configured => {
                for c in &self.creds {
                    b = b.header(c.name.as_str(), c.value.as_str());
                }
            }
            Auth::Wrong => {
                for c in &self.creds {
                    b = b.header(c.name.as_str(), wrong_value(&c.value));
                }
            }
            Auth::Missing => {}
        }
        b = b.header(
            "Accept",
            "application/scim+json, application/json;q=0.9, */*;q=0.1",
        );
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &req.body {
            if !req.has_header("content-type") {
                b = b.header("Content-Type", "application/scim+json");
            }
            b = b.body(body.to_string());
        }
        ex.status = None;
        ex.headers.clear();
        ex.body.clear();
        ex.error = None;
        let started = (time::OffsetDateTime::now_utc(), Instant::now());
        let mut resp = match b.send().await {
            Ok(r) => r,
            Err(e) => {
                ex.error = Some(self.scrub(&describe_error(&e)));
                self.record(req, ex, Vec::new(), String::new(), started, None);
                return;
            }
        };
        let headers_at = Instant::now();
        let version = format!("{:?}", resp.version());
        let raw_headers: Vec<(String, String)> = if self.cfg.recorder.is_some() {
            resp.headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        self.scrub(&String::from_utf8_lossy(v.as_bytes())),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        ex.status = Some(resp.status().as_u16());
        for (k, v) in resp.headers() {
            let v = self.scrub(&String::from_utf8_lossy(v.as_bytes()));
            ex.headers
                .entry(k.as_str().to_ascii_lowercase())
                .and_modify(|old| {
                    old.push_str(", ");
                    old.push_str(&v);
                })
                .or_insert(v);
        }
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if ex.body.len() + c.len() > MAX_BODY {
                        ex.error = Some(format!(
                            "response body larger than {MAX_BODY} bytes; truncated"
                        ));
                        let room = MAX_BODY - ex.body.len();
                        ex.body.extend_from_slice(&c[..room.min(c.len())]);
                        break;
                    }
                    ex.body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => {
                    ex.error = Some(self.scrub(&describe_error(&e)));
                    break;
                }
            }
        }
        self.record(req, ex, raw_headers, version, started, Some(headers_at));
    }

    /// The request headers as sent, credentials shown as in curl lines.
    fn sent_headers(&self, req: &Request) -> Vec<(String, String)> {
        let mut h = vec![(
            "User-Agent".to_string(),
            concat!("scimock-check/", env!("CARGO_PKG_VERSION")).to_string(),
        )];
        match req.auth {
            Auth::Configured => {
                h.extend(self.creds.iter().map(|c| (c.name.clone(), c.shown.clone())))
            }
            Auth::Wrong => h.extend(
                self.creds
                    .iter()
                    .map(|c| (c.name.clone(), wrong_value(&c.value))),
            ),
            Auth::Missing => {}
        }
        h.push((
            "Accept".into(),
            "application/scim+json, application/json;q=0.9, */*;q=0.1".into(),
        ));
        h.extend(req.headers.iter().map(|(k, v)| (k.clone(), self.scrub(v))));
        if req.body.is_some() {
            h.push(("Content-Type".into(), "application/scim+json".into()));
        }
        h
    }

    /// Adds one attempt to the recording, if the run records.
    fn record(
        &self,
        req: &Request,
        ex: &Exchange,
        response_headers: Vec<(String, String)>,
        http_version: String,
        started: (time::OffsetDateTime, Instant),
        headers_at: Option<Instant>,
    ) {
        let Some(rec) = &self.cfg.recorder else {
            return;
        };
        let now = Instant::now();
        let headers_at = headers_at.unwrap_or(now);
        rec.push(Recorded {
            part: rec.part(),
            started: started.0,
            method: req.method.to_string(),
            url: ex.url.clone(),
            request_headers: self.sent_headers(req),
            request_body: req.body.as_ref().map(|b| self.scrub(&b.to_string())),
            status: ex.status,
            http_version,
            response_headers: response_headers
                .into_iter()
                .map(|(k, v)| {
                    let v = if k.eq_ignore_ascii_case("set-cookie") {
                        "[redacted]".to_string()
                    } else {
                        v
                    };
                    (k, v)
                })
                .collect(),
            response_body: self.scrub(&String::from_utf8_lossy(&ex.body)),
            response_size: ex.body.len(),
            error: ex.error.clone(),
            wait: headers_at.saturating_duration_since(started.1),
            receive: now.saturating_duration_since(headers_at),
        });
    }

    /// The evidence for an exchange: request, curl line, status, the headers that matter, excerpt.
    pub fn evidence(&self, ex: &Exchange) -> Evidence {
        let headers = ex
            .headers
            .iter()
            .filter(|(k, _)| EVIDENCE_HEADERS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), self.scrub(v)))
            .collect();
        Evidence {
            request: self.scrub(&format!("{} {}", ex.method, ex.target)),
            curl: ex.curl.clone(),
            status: ex.status,
            headers,
            response_excerpt: self.scrub(&excerpt(&ex.body)),
            error: ex.error.as_ref().map(|e| self.scrub(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_curl_lines_or_scrubbed_text() {
        let c = Client::new(
            "http://127.0.0.1:9/scim",
            vec![
                Credential::bearer("s3cret"),
                Credential::header("X-Api-Key: k3y").unwrap(),
            ],
            ClientConfig::default(),
        )
        .unwrap();
        let req = Request::get("/Users").query("filter", "userName eq \"a b\"");
        let (url, readable) = c.url_for(&req);
        assert_eq!(
            url,
            "http://127.0.0.1:9/scim/Users?filter=userName%20eq%20%22a%20b%22"
        );
        assert_eq!(readable, "/Users?filter=userName eq \"a b\"");
        let curl = c.curl(&req, &url);
        assert!(
            curl.contains("-H \"Authorization: Bearer $SCIM_TOKEN\""),
            "{curl}"
        );
        assert!(curl.contains("-H \"X-Api-Key: $SCIM_TOKEN\""), "{curl}");
        assert!(!curl.contains("s3cret") && !curl.contains("k3y"));
        assert_eq!(
            c.scrub("echo Bearer s3cret and k3y"),
            "echo [redacted] and [redacted]"
        );
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        for base in [
            "https://admin:s3cret@scim.example.com/v2",
            "http://s3cret@127.0.0.1:9/scim",
            "http://:s3cret@127.0.0.1:9/scim",
        ] {
            let e = Client::new(base, Vec::new(), ClientConfig::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains("user:password@"), "{e}");
            assert!(!e.contains("s3cret") && e.contains("[redacted]@"), "{e}");
        }
        // A URL that does not parse is not echoed with its credentials either.
        let e = Client::new(
            "http://admin:s3cret@host:99999/scim",
            Vec::new(),
            ClientConfig::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        assert_eq!(
            redact_userinfo("https://host/a@b?c=@d"),
            "https://host/a@b?c=@d"
        );
        assert!(
            Client::new(
                "http://127.0.0.1:9/scim",
                Vec::new(),
                ClientConfig::default()
            )
            .is_ok()
        );
    }
}
