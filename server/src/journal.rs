//! The request journal: a bounded record of what clients sent and what they got, with
//! credentials redacted. This is how CI asserts what a SCIM client did.

use crate::clock;
use crate::violations::Violation;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method};
use scimock_profile::{Precision, Profile};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Header names whose values never reach the journal.
const REDACTED: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-scimock-admin-token",
];

/// One recorded request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Sequence number since start (never reused, also across clears).
    pub seq: u64,
    /// RFC 3339 time the request arrived.
    pub time: String,
    /// Profile that served it.
    pub vendor: String,
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request headers; credentials replaced by `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// Request body as text (lossy UTF-8, truncated to 64 KiB).
    pub body: Option<String>,
    /// Response status.
    pub status: u16,
    /// Time to answer, milliseconds.
    pub duration_ms: f64,
    /// Response body as text (lossy UTF-8, truncated to 64 KiB), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}

/// Longest header value or query string kept, in bytes.
pub const MAX_FIELD: usize = 4 * 1024;
/// Most headers kept per request.
pub const MAX_HEADERS: usize = 64;
/// Longest body kept, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// `s` cut to at most `max` bytes on a character boundary, marked when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated]", &s[..end])
}

/// Request headers as journaled: credentials redacted, values clipped, at most [`MAX_HEADERS`].
pub fn headers<'a>(pairs: impl Iterator<Item = (&'a str, &'a [u8])>) -> BTreeMap<String, String> {
    pairs
        .take(MAX_HEADERS)
        .map(|(k, v)| {
            (
                k.to_string(),
                clip(&redact(k, &String::from_utf8_lossy(v)), MAX_FIELD),
            )
        })
        .collect()
}

fn is_secret(name: &str) -> bool {
    let leaf = name.rsplit([':', '.']).next().unwrap_or(name);
    leaf.eq_ignore_ascii_case("password")
}

/// Replaces secret values (`password`, RFC 7643 `returned: never`) in a JSON body: as a member,
/// and as the `value` of a PATCH operation whose `path` is the password.
fn redact_json(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let patches_secret = m
                .iter()
                .any(|(k, p)| k.eq_ignore_ascii_case("path") && p.as_str().is_some_and(is_secret));
            for (k, x) in m.iter_mut() {
                if is_secret(k) || (patches_secret && k.eq_ignore_ascii_case("value")) {
                    *x = Value::String("[redacted]".into());
                } else {
                    redact_json(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A string literal in text that may not be valid JSON: where it is (quotes included) and what
/// it says once its escapes are decoded.
struct Literal {
    start: usize,
    end: usize,
    text: String,
    /// Followed by `:` (a member name).
    is_key: bool,
}

/// Every string literal in `text` (best effort: an unterminated one runs to the end).
fn literals(text: &str) -> Vec<Literal> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        let mut raw = String::new();
        i += 1;
        let mut escaped = false;
        while i < b.len() {
            let c = b[i];
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                break;
            }
            i += 1;
        }
        let end = (i + 1).min(b.len());
        if let Some(inner) = text.get(start + 1..i.min(b.len())) {
            raw.push_str(inner);
        }
        // Decode escapes the way a JSON parser would (`pass\u0077ord` is `password`).
        let decoded = serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or(raw);
        let is_key = text[end..].trim_start().starts_with(':');
        out.push(Literal {
            start,
            end,
            text: decoded,
            is_key,
        });
        i = end;
    }
    out
}

/// Replaces secret values in text that is not valid JSON: the string after a `password` member
/// name (however escaped), and, when a PATCH operation aims at the password
/// (`"path": "password"`), every `"value"` string.
fn redact_text(text: &str) -> String {
    let lits = literals(text);
    let patches_secret = lits.windows(2).any(|w| {
        w[0].is_key
            && w[0].text.eq_ignore_ascii_case("path")
            && !w[1].is_key
            && is_secret(&w[1].text)
    });
    let mut cut: Vec<(usize, usize)> = Vec::new();
    for w in lits.windows(2) {
        let (k, v) = (&w[0], &w[1]);
        let follows = text[k.end..v.start].trim() == ":";
        let secret_key =
            is_secret(&k.text) || (patches_secret && k.text.eq_ignore_ascii_case("value"));
        if k.is_key && !v.is_key && follows && secret_key {
            cut.push((v.start, v.end));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in cut {
        out.push_str(&text[at..start]);
        out.push_str("\"[redacted]\"");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Query parameter names whose values never reach the journal (credentials sent in the URL).
fn is_credential_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "api_key",
        "api-key",
        "auth",
        "signature",
    ]
    .iter()
    .any(|c| n.contains(c))
}

/// A query string as journaled: credential parameters (`access_token=`, `api_key=`,
/// `client_secret=`, ...) redacted, clipped to [`MAX_FIELD`].
pub fn query(q: &str) -> String {
    let redacted: Vec<String> = q
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_credential_param(&percent_decoded(name)) => {
                format!("{name}={REDACTION}")
            }
            _ => pair.to_string(),
        })
        .collect();
    clip(&redacted.join("&"), MAX_FIELD)
}

/// `s` with `%XX` escapes decoded (lossy), for matching parameter names.
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request body as journaled: secrets redacted, clipped to [`MAX_BODY`].
pub fn body(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut v) => {
            redact_json(&mut v);
            v.to_string()
        }
        Err(_) => redact_text(&String::from_utf8_lossy(bytes)),
    };
    Some(clip(&text, MAX_BODY))
}

fn is_credential(name: &str) -> bool {
    REDACTED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// What a credential is replaced with.
const REDACTION: &str = "[redacted]";

/// Replaces credential header values.
pub fn redact(name: &str, value: &str) -> String {
    if is_credential(name) {
        REDACTION.to_string()
    } else {
        value.to_string()
    }
}

/// One request as the middleware captured it: cheap to take on every request (no formatting,
/// headers packed into one string), turned into an [`Entry`] only when the journal is read.
#[derive(Debug, Clone)]
pub struct Captured {
    /// When the request arrived.
    pub arrived: OffsetDateTime,
    /// The profile that served it.
    pub profile: Arc<Profile>,
    /// HTTP method.
    pub method: Method,
    /// Path without query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request headers as `name: value` lines (values lossy UTF-8, not yet redacted).
    pub headers: String,
    /// Request body as text (lossy UTF-8, truncated to 64 KiB), when there was one.
    pub body: Option<String>,
    /// Response status.
    pub status: u16,
    /// Time to answer, milliseconds.
    pub duration_ms: f64,
    /// The first [`MAX_BODY`] bytes of the response body (copied), when there was one.
    pub response_body: Option<Bytes>,
}

/// The response with its body read (bodies of known size only; they are in memory already) and
/// the first [`MAX_BODY`] bytes of it copied for the journal.
pub async fn capture_response(
    resp: axum::response::Response,
) -> (axum::response::Response, Option<Bytes>) {
    use axum::body::HttpBody;
    let known = resp.body().size_hint().exact();
    if known.is_none_or(|n| n == 0 || n > MAX_CAPTURED_RESPONSE) {
        return (resp, None);
    }
    let (parts, body) = resp.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let kept = Bytes::copy_from_slice(&bytes[..bytes.len().min(MAX_BODY)]);
            (
                axum::response::Response::from_parts(parts, axum::body::Body::from(bytes)),
                Some(kept),
            )
        }
        Err(_) => (
            axum::response::Response::from_parts(parts, axum::body::Body::empty()),
            None,
        ),
    }
}

/// Largest response body read for the journal (larger ones are left alone, not journaled).
const MAX_CAPTURED_RESPONSE: u64 = 64 * 1024 * 1024;

impl Captured {
    /// Packs request headers for [`Captured::headers`] by the rules of [`headers`]: at most
    /// [`MAX_HEADERS`], credentials redacted, values clipped to [`MAX_FIELD`].
    pub fn pack_headers(headers: &HeaderMap) -> String {
        let mut out = String::with_capacity(headers.len() * 32);
        for (k, v) in headers.iter().take(MAX_HEADERS) {
            let name = k.as_str();
            out.push_str(name);
            out.push_str(": ");
            if is_credential(name) {
                out.push_str(REDACTION);
            } else {
                match std::str::from_utf8(v.as_bytes()) {
                    Ok(text) if text.len() <= MAX_FIELD => out.push_str(text),
                    _ => out.push_str(&clip(&String::from_utf8_lossy(v.as_bytes()), MAX_FIELD)),
                }
            }
            out.push('\n');
        }
        out
    }

    fn entry(&self, seq: u64) -> Entry {
        // Header values cannot hold line breaks, and names cannot hold ':'.
        let headers = self
            .headers
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Entry {
            seq,
            time: clock::format(self.arrived, Precision::Micros),
            vendor: self.profile.name.clone(),
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers,
            body: self.body.clone(),
            status: self.status,
            duration_ms: self.duration_ms,
            response_body: self.response_body.as_ref().map(|b| {
                let text = String::from_utf8_lossy(b);
                if b.len() >= MAX_BODY {
                    format!("{text}…")
                } else {
                    text.into_owned()
                }
            }),
        }
    }
}

/// The default bound of the journal in bytes (`--journal-bytes`).
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// A ring of entries bounded in count and in bytes.
#[derive(Debug)]
pub struct Journal {
    cap: usize,
    max_bytes: usize,
    inner: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    seq: u64,
    records: VecDeque<(usize, Record)>,
    bytes: usize,
}

/// What the ring holds.
#[derive(Debug)]
enum Record {
    Entry(Entry),
    Captured(u64, Box<Captured>),
}

/// Bytes an entry costs beyond its text (fields, times, allocation).
const OVERHEAD: usize = 256;

impl Record {
    fn entry(&self) -> Entry {
        match self {
            Record::Entry(e) => e.clone(),
            Record::Captured(seq, c) => c.entry(*seq),
        }
    }

    fn seq(&self) -> u64 {
        match self {
            Record::Entry(e) => e.seq,
            Record::Captured(seq, _) => *seq,
        }
    }

    fn vendor(&self) -> &str {
        match self {
            Record::Entry(e) => &e.vendor,
            Record::Captured(_, c) => &c.profile.name,
        }
    }

    /// About what the record holds in memory.
    fn size(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        OVERHEAD
            + match self {
                Record::Entry(e) => {
                    e.path.len()
                        + opt(&e.query)
                        + opt(&e.body)
                        + opt(&e.response_body)
                        + e.headers
                            .iter()
                            .map(|(k, v)| k.len() + v.len() + 48)
                            .sum::<usize>()
                }
                Record::Captured(_, c) => {
                    c.path.len()
                        + opt(&c.query)
                        + opt(&c.body)
                        + c.headers.len()
                        + c.response_body.as_ref().map_or(0, Bytes::len)
                }
            }
    }
}

/// One page of the journal (see [`Journal::page`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
    /// The `seq` to pass as `after` for the next page, when this one was cut at its limit.
    pub next_after: Option<u64>,
}

impl Journal {
    /// A journal keeping the last `cap` requests, at most [`DEFAULT_MAX_BYTES`].
    pub fn new(cap: usize) -> Journal {
        Journal::with_limits(cap, DEFAULT_MAX_BYTES)
    }

    /// A journal keeping the last `cap` requests and at most about `max_bytes`.
    pub fn with_limits(cap: usize, max_bytes: usize) -> Journal {
        Journal {
            cap,
            max_bytes,
            inner: Mutex::new(Ring::default()),
        }
    }

    /// Records an entry (its `seq` is assigned here).
    pub fn record(&self, mut e: Entry) {
        self.push(|seq| {
            e.seq = seq;
            Record::Entry(e)
        });
    }

    /// Records a captured request (its `seq` is assigned here).
    pub fn record_captured(&self, c: Captured) -> u64 {
        let c = Box::new(c);
        self.push(|seq| Record::Captured(seq, c))
    }

    fn push(&self, record: impl FnOnce(u64) -> Record) -> u64 {
        if self.cap == 0 || self.max_bytes == 0 {
            return 0;
        }
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.seq += 1;
        let seq = g.seq;
        let r = record(seq);
        let size = r.size();
        let mut evicted = Vec::new();
        while !g.records.is_empty()
            && (g.records.len() >= self.cap || g.bytes + size > self.max_bytes)
        {
            if let Some((n, old)) = g.records.pop_front() {
                g.bytes -= n;
                evicted.push(old);
            }
        }
        if size <= self.max_bytes {
            g.bytes += size;
            g.records.push_back((size, r));
        }
        drop(g);
        drop(evicted);
        seq
    }

    /// Every kept entry, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.records.iter().map(|(_, r)| r.entry()).collect()
    }

    /// At most `limit` entries with a `seq` above `after`, of `vendor` when given, oldest first.
    pub fn page(&self, after: u64, limit: Option<usize>, vendor: Option<&str>) -> Page {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let limit = limit.unwrap_or(usize::MAX);
        let mut entries = Vec::new();
        let mut next_after = None;
        for (_, r) in g.records.iter().filter(|(_, r)| r.seq() > after) {
            if vendor.is_some_and(|v| v != r.vendor()) {
                continue;
            }
            if entries.len() == limit {
                next_after = entries.last().map(|e: &Entry| e.seq);
                break;
            }
            entries.push(r.entry());
        }
        Page {
            entries,
            next_after,
        }
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.records.clear();
        g.bytes = 0;
    }
}

/// `serve --log-requests`: prints one line for a served request on stderr — time, profile,
/// method, path and query (credentials redacted), status, duration — coloured by status class
/// on a terminal, plain with `NO_COLOR` or when stderr is not a terminal.
pub fn log_line(c: &Captured, violations: &[Violation]) {
    use std::io::IsTerminal;
    let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    eprintln!("{}", format_log_line(c, violations, colour));
}

/// The text of a `--log-requests` line: `! VIOLATION: rule [switch]` follows for each vendor
/// rule the request ran into (`GET /_scimock/violations`). `c.query` is already redacted.
pub fn format_log_line(c: &Captured, violations: &[Violation], colour: bool) -> String {
    let query = c
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let status = if colour {
        let code = match c.status {
            200..=299 => "32",
            300..=399 => "36",
            400..=499 => "33",
            _ => "31",
        };
        format!("\x1b[{code}m{}\x1b[0m", c.status)
    } else {
        c.status.to_string()
    };
    let mut line = format!(
        "{} {} {} {}{query} {status} {:.1}ms",
        clock::format(c.arrived, Precision::Millis),
        c.profile.name,
        c.method,
        c.path,
        c.duration_ms
    );
    for v in violations {
        let marker = if colour {
            "\x1b[35m! VIOLATION\x1b[0m"
        } else {
            "! VIOLATION"
        };
        line.push_str(&format!("  {marker}: {} [{}]", v.rule, v.switch));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 0,
            time: String::new(),
            vendor: "generic".into(),
            method: "GET".into(),
            path: "/scim/v2/Users".into(),
            query: None,
            headers: BTreeMap::new(),
            body: None,
            status: 200,
            duration_ms: 0.0,
            response_body: None,
        }
    }

    #[test]
    fn a_log_line_redacts_credentials_in_the_query_and_colours_only_when_asked() {
        let c = Captured {
            arrived: OffsetDateTime::UNIX_EPOCH,
            profile: Arc::new(Profile::builtin("attio").unwrap()),
            method: Method::GET,
            path: "/scim/v2/Users".into(),
            query: Some(query("count=2&access_token=s3cret")),
            headers: String::new(),
            body: None,
            status: 404,
            duration_ms: 1.5,
            response_body: None,
        };
        assert_eq!(
            format_log_line(&c, &[], false),
            "1970-01-01T00:00:00.000Z attio GET /scim/v2/Users?count=2&access_token=[redacted] 404 1.5ms"
        );
        assert!(format_log_line(&c, &[], true).contains("\x1b[33m404\x1b[0m"));
        let n = crate::violations::Noted {
            effect: crate::violations::Effect::Refused,
            switch: "filter.users",
            rule: "filter refused".into(),
        };
        let req = crate::violations::ViolatingRequest {
            seq: 1,
            method: "GET".into(),
            path: c.path.clone(),
            query: None,
            body: None,
            status: 400,
        };
        let v = Violation::new(&c.profile, n, req, c.arrived);
        assert!(
            format_log_line(&c, &[v], false)
                .ends_with(" 404 1.5ms  ! VIOLATION: filter refused [filter.users]")
        );
    }

    #[test]
    fn journal_is_bounded_in_bytes_and_pages_by_seq() {
        let j = Journal::with_limits(1_000, 10 * (OVERHEAD + 100));
        for _ in 0..50 {
            let mut e = entry();
            e.body = Some("x".repeat(100 - e.path.len()));
            j.record(e);
        }
        let seqs: Vec<u64> = j.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (41..=50).collect::<Vec<_>>());
        let p = j.page(0, Some(4), None);
        assert_eq!(
            p.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![41, 42, 43, 44]
        );
        assert_eq!(p.next_after, Some(44));
        let p = j.page(48, Some(4), None);
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.next_after, None);
        assert!(j.page(0, None, Some("attio")).entries.is_empty());
    }

    #[test]
    fn journal_is_bounded_and_keeps_the_newest() {
        let j = Journal::new(3);
        for _ in 0..5 {
            j.record(entry());
        }
        let seqs: Vec<u64> = j.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
    }

    #[test]
    fn captured_requests_read_back_as_entries_with_credentials_redacted() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer s3cret".parse().unwrap());
        h.insert("x-trace", "a: b".parse().unwrap());
        h.append("accept", "application/json".parse().unwrap());
        h.append("accept", "application/scim+json".parse().unwrap());
        let j = Journal::new(2);
        j.record(entry());
        j.record_captured(Captured {
            arrived: time::macros::datetime!(2024-05-06 07:08:09.123456 UTC),
            profile: Arc::new(Profile::builtin("generic").unwrap()),
            method: Method::PATCH,
            path: "/scim/v2/Users/1".into(),
            query: Some("a=b".into()),
            headers: Captured::pack_headers(&h),
            body: Some("{}".into()),
            status: 200,
            duration_ms: 1.5,
            response_body: None,
        });
        let e = j.entries();
        assert_eq!(e.len(), 2);
        let c = &e[1];
        assert_eq!(c.seq, 2);
        assert_eq!(c.time, "2024-05-06T07:08:09.123456Z");
        assert_eq!((c.vendor.as_str(), c.method.as_str()), ("generic", "PATCH"));
        assert_eq!(c.headers["authorization"], "[redacted]");
        assert_eq!(c.headers["x-trace"], "a: b");
        assert_eq!(c.headers["accept"], "application/scim+json");
        assert_eq!(c.headers.len(), 3);
    }

    #[test]
    fn passwords_never_reach_the_journal() {
        let b = body(br#"{"userName":"a","password":"hunter2","x":{"PassWord":"p2"}}"#).unwrap();
        assert!(!b.contains("hunter2") && !b.contains("p2"), "{b}");
        let p = body(br#"{"Operations":[{"op":"replace","path":"password","value":"s3cret"}]}"#)
            .unwrap();
        assert!(!p.contains("s3cret"), "{p}");
        let broken = body(br#"{"userName":"a", "password" : "hun"ter2", "#).unwrap();
        assert!(
            !broken.contains("hun") && broken.contains("[redacted]"),
            "{broken}"
        );
        assert_eq!(body(b""), None);
    }

    #[test]
    fn long_fields_are_clipped_on_char_boundaries() {
        assert_eq!(clip("abc", 10), "abc");
        assert_eq!(clip("aé", 2), "a…[truncated]");
        let many = (0..100)
            .map(|i| (format!("h{i}"), vec![b'x'; 10_000]))
            .collect::<Vec<_>>();
        let h = headers(many.iter().map(|(k, v)| (k.as_str(), v.as_slice())));
        assert_eq!(h.len(), MAX_HEADERS);
        assert!(
            h.values()
                .all(|v| v.len() <= MAX_FIELD + "…[truncated]".len())
        );
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(redact("Authorization", "Bearer s3cret"), "[redacted]");
        assert_eq!(
            redact("accept", "application/scim+json"),
            "application/scim+json"
        );
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn query_credentials_are_redacted_and_other_parameters_kept() {
        let q = query(
            "filter=userName%20eq%20%22a%22&access_token=s3cret&API%5FKEY=k&client_secret=c&count=5",
        );
        assert!(
            !q.contains("s3cret") && !q.contains("=k&") && !q.contains("=c&"),
            "{q}"
        );
        assert!(
            q.contains("filter=userName%20eq%20%22a%22") && q.ends_with("count=5"),
            "{q}"
        );
    }

    #[test]
    fn password_values_in_bodies_that_do_not_parse_are_redacted() {
        let patch = r#"{"Operations":[{"op":"replace","path":"password","value":"hunter2"}"#;
        let escaped = r#"{"userName":"a","pass\u0077ord":"hunter3","#;
        let upper = r#"{"PASSWORD" : "hunter4" "#;
        for (text, secret) in [(patch, "hunter2"), (escaped, "hunter3"), (upper, "hunter4")] {
            let b = body(text.as_bytes()).unwrap();
            assert!(!b.contains(secret), "{b}");
            assert!(b.contains("[redacted]"), "{b}");
        }
        let plain = r#"{"userName":"keep","value":"x""#;
        assert_eq!(body(plain.as_bytes()).unwrap(), plain);
    }
}
