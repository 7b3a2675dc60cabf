//! The runner's HTTP client: credentials kept out of every output, a token bucket for
//! `--max-rps`, bounded honouring of 429 + `Retry-After` (seconds or HTTP-date), a per-request
//! timeout, redirects followed only within the same origin, and a hard refusal of anything
//! but GET in a read-only run.

use crate::model::Evidence;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the curl line shows instead of a credential.
pub const TOKEN_PLACEHOLDER: &str = "$SCIM_TOKEN";
/// The bearer token sent by the wrong-token probes (not a secret).
pub const WRONG_TOKEN: &str = "scimock-check-wrong-token";
/// Response headers copied into evidence.
const EVIDENCE_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "etag",
    "retry-after",
    "www-authenticate",
];
/// Longest response excerpt in evidence, characters.
const EXCERPT_CHARS: usize = 600;
/// Largest response body read, bytes (a live tenant can send anything).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// A credential header: its name, its secret value, and how the curl line shows it.
#[derive(Clone)]
pub struct Credential {
    name: String,
    value: String,
    shown: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}: {})", self.name, self.shown)
    }
}

impl Credential {
    /// `Authorization: Bearer TOKEN`, from `--token`.
    pub fn bearer(token: &str) -> Credential {
        Credential {
            name: "Authorization".into(),
            value: format!("Bearer {token}"),
            shown: format!("Bearer {TOKEN_PLACEHOLDER}"),
        }
    }

    /// A raw header from `--header 'K: V'`; its value is treated as a secret.
    pub fn header(line: &str) -> Result<Credential, String> {
        let (k, v) = line.split_once(':').ok_or_else(|| {
            format!(
                "--header {:?}: expected 'Name: value'",
                redact_header_arg(line)
            )
        })?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err() {
            return Err(format!("--header: {k:?} is not a valid header name"));
        }
        if reqwest::header::HeaderValue::from_str(v).is_err() {
            return Err(format!(
                "--header {k}: the value is not a valid header value"
            ));
        }
        let shown = match v.split_once(' ') {
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
                format!("{scheme} {TOKEN_PLACEHOLDER}")
            }
            _ => TOKEN_PLACEHOLDER.to_string(),
        };
        Ok(Credential {
            name: k.to_string(),
            value: v.to_string(),
            shown,
        })
    }

    /// The secret parts of the value (the whole value and, for `Scheme token`, the token).
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.value.clone()];
        if let Some((_, tok)) = self.value.split_once(' ') {
            out.push(tok.trim().to_string());
        }
        // Secrets shorter than 3 characters are not scrubbed from text (they would mangle every
        // report); they are still never written into curl lines or headers.
        out.retain(|s| s.len() >= 3);
        out
    }
}

fn redact_header_arg(line: &str) -> String {
    line.split_once(':').map_or_else(
        || "<redacted>".to_string(),
        |(k, _)| format!("{k}: <redacted>"),
    )
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The configured ones.
    Configured,
    /// None at all.
    Missing,
    /// The configured header names with a wrong value.
    Wrong,
}

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
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(30),
            max_rps: None,
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
            allow_writes: false,
        }
    }
}

/// A token bucket: `rate` tokens per second, at most `capacity` saved up.
#[derive(Debug)]
struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64) -> Bucket {
        let capacity = rate.max(1.0);
        Bucket {
            rate,
            capacity,
            tokens: capacity.min(1.0),
            last: Instant::now(),
        }
    }

    /// Takes a token; returns how long to wait first.
    fn take(&mut self, now: Instant) -> Duration {
        let earned = now.saturating_duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + earned).min(self.capacity);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-self.tokens / self.rate).unwrap_or(Duration::MAX)
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

/// Percent-encodes a query component (everything but RFC 3986 unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Origin (scheme, host, port) of a URL.
fn origin(u: &reqwest::Url) -> (String, Option<String>, Option<u16>) {
    (
        u.scheme().to_string(),
        u.host_str().map(str::to_string),
        u.port_or_known_default(),
    )
}

/// Parses `Retry-After`: delta-seconds or an IMF-fixdate HTTP-date (RFC 9110 §10.2.3).
/// Returns the delay and whether it was a date.
pub fn parse_retry_after(v: &str, now: time::OffsetDateTime) -> Option<(Duration, bool)> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v
            .parse::<u64>()
            .ok()
            .map(|s| (Duration::from_secs(s), false));
    }
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(v, &fmt).ok()?.assume_utc();
    let secs = (at - now).as_seconds_f64().max(0.0);
    Some((
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX),
        true,
    ))
}

impl Client {
    /// A client for `base` (the SCIM base URL, or the unified list endpoint).
    pub fn new(base: &str, creds: Vec<Credential>, cfg: ClientConfig) -> Result<Client, String> {
        let shown = redact_userinfo(base);
        let parsed =
            reqwest::Url::parse(base).map_err(|e| format!("{shown:?} is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "{shown:?}: only http and https targets are supported"
            ));
        }
        // Userinfo would be sent and shown (report target, evidence, curl lines): refused.
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!(
                "{shown:?}: the URL carries credentials (user:password@); pass them with --token or --header, which are never shown"
            ));
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
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
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
            parts.push("-H 'Content-Type: application/scim+json'".into());
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
            b = b
                .header("Content-Type", "application/scim+json")
                .body(body.to_string());
        }
        ex.status = None;
        ex.headers.clear();
        ex.body.clear();
        ex.error = None;
        let mut resp = match b.send().await {
            Ok(r) => r,
            Err(e) => {
                ex.error = Some(self.scrub(&describe_error(&e)));
                return;
            }
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

/// `base` with anything before an `@` in its authority replaced, for messages about a URL that
/// may carry credentials.
fn redact_userinfo(base: &str) -> String {
    let start = base.find("://").map_or(0, |i| i + 3);
    let end = base[start..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| start + i);
    match base[start..end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &base[..start], &base[start + at..]),
        None => base.to_string(),
    }
}

/// The wrong value sent in place of a credential: same scheme word, wrong token.
fn wrong_value(v: &str) -> String {
    match v.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {WRONG_TOKEN}"),
        None => WRONG_TOKEN.to_string(),
    }
}

fn describe_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirect refused"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// The first characters of a body as text (lossy UTF-8), with a truncation mark.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_CHARS * 4)]);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if out.len() < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = time::macros::datetime!(2026-01-01 00:00:00 UTC);
        assert_eq!(
            parse_retry_after("2", now),
            Some((Duration::from_secs(2), false))
        );
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some((Duration::from_secs(120), false))
        );
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:03 GMT", now),
            Some((Duration::from_secs(3), true))
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", now),
            Some((Duration::ZERO, true))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn token_bucket_paces_after_the_burst() {
        let mut b = Bucket::new(2.0);
        let t = b.last;
        assert_eq!(b.take(t), Duration::ZERO);
        assert_eq!(b.take(t), Duration::from_millis(500));
        assert_eq!(b.take(t), Duration::from_millis(1000));
    }

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
            let e = Client::new(base, Vec::new(), ClientConfig::default()).unwrap_err();
            assert!(e.contains("user:password@"), "{e}");
            assert!(!e.contains("s3cret") && e.contains("[redacted]@"), "{e}");
        }
        // A URL that does not parse is not echoed with its credentials either.
        let e = Client::new(
            "http://admin:s3cret@host:99999/scim",
            Vec::new(),
            ClientConfig::default(),
        )
        .unwrap_err();
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

    #[test]
    fn header_arguments_are_validated_without_echoing_the_value() {
        let e = Credential::header("no colon s3cret").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(Credential::header("Bad Name: v").is_err());
        assert_eq!(
            Credential::header("Authorization: Bearer x").unwrap().shown,
            "Bearer $SCIM_TOKEN"
        );
    }

    #[test]
    fn excerpts_are_bounded_and_lossy() {
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
        let long = vec![b'x'; 5000];
        let e = excerpt(&long);
        assert!(e.ends_with('…') && e.chars().count() == EXCERPT_CHARS + 1);
    }
}
