//! The request journal: a bounded record of what clients sent and what they got, with
//! credentials redacted. This is how CI asserts what a SCIM client did.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

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
}

/// Replaces credential header values.
pub fn redact(name: &str, value: &str) -> String {
    if REDACTED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        "[redacted]".to_string()
    } else {
        value.to_string()
    }
}

/// A bounded ring of entries.
#[derive(Debug)]
pub struct Journal {
    cap: usize,
    inner: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    /// A journal keeping the last `cap` requests.
    pub fn new(cap: usize) -> Journal {
        Journal {
            cap,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Records an entry (its `seq` is assigned here).
    pub fn record(&self, mut e: Entry) {
        if self.cap == 0 {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        e.seq = g.0;
        if g.1.len() == self.cap {
            g.1.pop_front();
        }
        g.1.push_back(e);
    }

    /// Every kept entry, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.iter().cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }
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
        }
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
    fn credentials_are_redacted() {
        assert_eq!(redact("Authorization", "Bearer s3cret"), "[redacted]");
        assert_eq!(
            redact("accept", "application/scim+json"),
            "application/scim+json"
        );
    }
}
