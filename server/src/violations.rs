//! Client violations: the requests a vendor rule refused or answered differently (a filter the
//! vendor refuses, `count` capped, attributes the vendor drops, an invite instead of a member,
//! a PATCH path it does not support, a rate limit...). A client can handle the mock's answer and
//! still do something the real vendor would not accept; this log is how CI finds out.
//!
//! Rules are noted where they are applied ([`note`]), into the request being served
//! ([`collect`], a task-local scope the tenant middleware opens); the middleware then records
//! them in the [`Violations`] log with the request's journal sequence number. The source tag and
//! quirk come from the profile's `quirks` that name the switch.

use crate::clock;
use scimock_profile::{Precision, Profile};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::Mutex;

/// The most violations kept (the oldest go first).
pub const MAX_VIOLATIONS: usize = 10_000;

/// What the vendor rule did to the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The request was refused (an error answer).
    Refused,
    /// The request was served, but not as the client asked (capped, dropped, ignored).
    Altered,
}

/// One rule a request ran into, as noted where the rule is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Noted {
    /// Refused or altered.
    pub effect: Effect,
    /// The profile field that sets the rule (the `--set` switch), e.g. `list.max_count`.
    pub switch: &'static str,
    /// The rule in words, with the values of this request.
    pub rule: String,
}

tokio::task_local! {
    static NOTES: RefCell<Vec<Noted>>;
}

/// Notes that the request being served ran into a vendor rule. Outside a request (the
/// `scimock filter` CLI, unit tests) it does nothing.
pub fn note(effect: Effect, switch: &'static str, rule: impl Into<String>) {
    let _ = NOTES.try_with(|n| {
        n.borrow_mut().push(Noted {
            effect,
            switch,
            rule: rule.into(),
        });
    });
}

/// Runs `fut` (serving one request) and returns what it noted.
pub async fn collect<F: Future>(fut: F) -> (F::Output, Vec<Noted>) {
    NOTES
        .scope(RefCell::new(Vec::new()), async move {
            let out = fut.await;
            let mut notes = NOTES.with(|n| n.take());
            // A rule consulted twice for one request (a page and its envelope) is one violation.
            let mut seen = Vec::with_capacity(notes.len());
            notes.retain(|n| {
                let first = !seen.contains(n);
                if first {
                    seen.push(n.clone());
                }
                first
            });
            (out, notes)
        })
        .await
}

/// Runs `f` (work for the request being served, on another thread) with a scope of its own and
/// returns what it noted, for [`replay`] in the request's task.
pub fn collect_sync<T>(f: impl FnOnce() -> T) -> (T, Vec<Noted>) {
    NOTES.sync_scope(RefCell::new(Vec::new()), || {
        let out = f();
        (out, NOTES.with(|n| n.take()))
    })
}

/// Notes again, in the request's task, what [`collect_sync`] collected elsewhere.
pub fn replay(notes: Vec<Noted>) {
    for n in notes {
        note(n.effect, n.switch, n.rule);
    }
}

/// The request a violation is about, as journaled (credentials redacted).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ViolatingRequest {
    /// Its `seq` in the request journal (`GET /_scimock/requests`); 0 when not journaled.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Query string, credentials redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Body as journaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// The status the mock answered.
    pub status: u16,
}

/// One client violation (`GET /_scimock/violations`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Violation {
    /// Sequence number in the violation log, from 1.
    pub seq: u64,
    /// When the request arrived (RFC 3339, milliseconds).
    pub time: String,
    /// Profile (vendor) that served it.
    pub vendor: String,
    /// Refused or altered.
    pub effect: Effect,
    /// The rule in words.
    pub rule: String,
    /// The profile field behind the rule: `--set VENDOR.SWITCH=...` changes it.
    pub switch: String,
    /// The documented behaviour (quirk id in the vendor reference), when the profile names one.
    pub quirk: Option<String>,
    /// Source tags of the rule in the vendor reference (`D:A8`, `S-002`, `I` for an inference);
    /// null for a rule no documented behaviour names (the RFC's own, in `generic`).
    pub source: Option<String>,
    /// The request.
    pub request: ViolatingRequest,
}

impl Violation {
    /// A violation for `noted` in `request`, served by `profile`, with the quirk naming its switch.
    pub fn new(
        profile: &Profile,
        noted: Noted,
        request: ViolatingRequest,
        at: time::OffsetDateTime,
    ) -> Self {
        let quirk = quirk_for(profile, noted.switch);
        Violation {
            seq: 0,
            time: clock::format(at, Precision::Millis),
            vendor: profile.name.clone(),
            effect: noted.effect,
            rule: noted.rule,
            switch: noted.switch.to_string(),
            quirk: quirk.map(|q| q.id.clone()),
            source: quirk.map(|q| q.source.clone()),
            request,
        }
    }

    /// One line for people: `attio altered GET /scim/v2/Users?count=500: count above 100 ... [list.max_count, S-002]`.
    pub fn line(&self) -> String {
        let query = self
            .request
            .query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let source = self
            .source
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        format!(
            "{} {} {} {}{query}: {} [--set {}=…{source}]",
            self.vendor,
            match self.effect {
                Effect::Refused => "refused",
                Effect::Altered => "altered",
            },
            self.request.method,
            self.request.path,
            self.rule,
            self.switch
        )
    }
}

/// The quirk of `profile` whose switches name `switch` (or a field above or below it).
fn quirk_for<'p>(profile: &'p Profile, switch: &str) -> Option<&'p scimock_profile::Quirk> {
    let related = |s: &str| {
        s == switch
            || switch.strip_prefix(s).is_some_and(|r| r.starts_with('.'))
            || s.strip_prefix(switch).is_some_and(|r| r.starts_with('.'))
    };
    profile
        .quirks
        .iter()
        .find(|q| q.switches.iter().any(|s| related(s)))
}

/// The violation log: bounded, oldest first.
#[derive(Debug, Default)]
pub struct Violations {
    inner: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    seq: u64,
    entries: VecDeque<Violation>,
}

impl Violations {
    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `v`, numbering it.
    pub fn record(&self, mut v: Violation) {
        let mut g = self.lock();
        g.seq += 1;
        v.seq = g.seq;
        if g.entries.len() >= MAX_VIOLATIONS {
            g.entries.pop_front();
        }
        g.entries.push_back(v);
    }

    /// The violations after `after` (a `seq`), of `vendor` when given, oldest first.
    pub fn list(&self, vendor: Option<&str>, after: u64) -> Vec<Violation> {
        self.lock()
            .entries
            .iter()
            .filter(|v| v.seq > after && vendor.is_none_or(|n| v.vendor == n))
            .cloned()
            .collect()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets them all (numbering goes on).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// The shutdown summary: one line per vendor and switch with its count and latest rule;
    /// empty when there were none.
    pub fn summary(&self) -> Vec<String> {
        let g = self.lock();
        let mut by: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
        for v in &g.entries {
            let e = by
                .entry((v.vendor.clone(), v.switch.clone()))
                .or_insert((0, String::new()));
            e.0 += 1;
            e.1.clone_from(&v.rule);
        }
        if by.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![format!(
            "scimock: {} client violation{} (what the real vendor would refuse or change; GET /_scimock/violations lists them):",
            g.entries.len(),
            if g.entries.len() == 1 { "" } else { "s" }
        )];
        for ((vendor, switch), (n, rule)) in by {
            lines.push(format!("  {n} x {vendor} {switch}: {rule}"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ViolatingRequest {
        ViolatingRequest {
            seq: 7,
            method: "GET".into(),
            path: "/scim/v2/Users".into(),
            query: Some("count=500".into()),
            body: None,
            status: 200,
        }
    }

    #[tokio::test]
    async fn notes_are_collected_per_request_and_dropped_outside_one() {
        note(Effect::Refused, "filter.users", "outside");
        let ((), notes) = collect(async {
            note(Effect::Altered, "list.max_count", "capped");
            note(Effect::Altered, "list.max_count", "capped");
        })
        .await;
        assert_eq!(
            notes,
            vec![Noted {
                effect: Effect::Altered,
                switch: "list.max_count",
                rule: "capped".into()
            }]
        );
    }

    #[test]
    fn a_violation_carries_the_quirk_and_source_of_its_switch() {
        let p = Profile::builtin("attio").unwrap();
        let n = Noted {
            effect: Effect::Altered,
            switch: "list.max_count",
            rule: "count 500 is above 100: capped".into(),
        };
        let v = Violation::new(&p, n, request(), time::OffsetDateTime::UNIX_EPOCH);
        assert_eq!(v.quirk.as_deref(), Some("count-capped-at-100"));
        assert_eq!(v.source.as_deref(), Some("S-002"));
        assert_eq!(
            v.line(),
            "attio altered GET /scim/v2/Users?count=500: count 500 is above 100: capped [--set list.max_count=…, S-002]"
        );
    }

    #[test]
    fn the_log_is_bounded_numbered_and_summarised() {
        let p = Profile::builtin("attio").unwrap();
        let log = Violations::default();
        assert!(log.summary().is_empty());
        for i in 0..(MAX_VIOLATIONS + 2) {
            let n = Noted {
                effect: Effect::Refused,
                switch: if i % 2 == 0 {
                    "filter.users"
                } else {
                    "list.max_count"
                },
                rule: format!("rule {i}"),
            };
            log.record(Violation::new(
                &p,
                n,
                request(),
                time::OffsetDateTime::UNIX_EPOCH,
            ));
        }
        assert_eq!(log.len(), MAX_VIOLATIONS);
        let all = log.list(None, 0);
        assert_eq!(all[0].seq, 3);
        assert_eq!(log.list(Some("attio"), MAX_VIOLATIONS as u64).len(), 2);
        assert!(log.list(Some("adra"), 0).is_empty());
        let s = log.summary();
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(
            s[0].starts_with("scimock: 10000 client violations"),
            "{s:?}"
        );
        assert!(
            s[1].starts_with("  5000 x attio filter.users: rule "),
            "{s:?}"
        );
        log.clear();
        assert!(log.is_empty());
    }
}
