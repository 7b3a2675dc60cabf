//! Fault injection (status, Retry-After, latency, matched on method and path), and the state of
//! the break switches (which are defined, and applied, in `breaks`).

use crate::breaks::{Bends, Break, Switches};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Mutex;

/// Which requests a fault applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultMatch {
    /// HTTP method (case-insensitive), any if absent.
    #[serde(default)]
    pub method: Option<String>,
    /// The request path ends with this.
    #[serde(default)]
    pub path_suffix: Option<String>,
    /// The request path contains this.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Only requests to this profile (useful with `--vendor all`).
    #[serde(default)]
    pub vendor: Option<String>,
}

impl FaultMatch {
    fn matches(&self, method: &str, path: &str, vendor: &str) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_suffix
                .as_ref()
                .is_none_or(|s| path.ends_with(s.as_str()))
            && self
                .path_contains
                .as_ref()
                .is_none_or(|s| path.contains(s.as_str()))
            && self.vendor.as_ref().is_none_or(|v| v == vendor)
    }
}

/// An injected fault, as posted to `POST /_scimock/faults`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Answer with this status (rendered in the profile's error format).
    #[serde(default)]
    pub status: Option<u16>,
    /// How many requests it applies to (absent: until cleared).
    #[serde(default)]
    pub times: Option<u32>,
    /// `Retry-After` seconds to send with the status (rendered in the profile's form).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Delay before answering.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Error detail text.
    #[serde(default)]
    pub detail: Option<String>,
    /// Which requests.
    #[serde(default, rename = "match")]
    pub matcher: FaultMatch,
}

impl FaultRule {
    /// A fault that answers `code` (in the profile's error format); chain the builders:
    /// `FaultRule::status(429).times(1).retry_after(2).on("GET", "/Users")`.
    pub fn status(code: u16) -> FaultRule {
        FaultRule {
            status: Some(code),
            ..FaultRule::default()
        }
    }

    /// A fault that only delays the answer by `ms` milliseconds.
    pub fn latency(ms: u64) -> FaultRule {
        FaultRule {
            latency_ms: Some(ms),
            ..FaultRule::default()
        }
    }

    /// Fires for this many requests, then is gone.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = Some(n);
        self
    }

    /// Sends `Retry-After` with this many seconds (rendered in the profile's form).
    pub fn retry_after(mut self, secs: u64) -> FaultRule {
        self.retry_after = Some(secs);
        self
    }

    /// Also delays the answer by `ms` milliseconds.
    pub fn with_latency(mut self, ms: u64) -> FaultRule {
        self.latency_ms = Some(ms);
        self
    }

    /// The error's detail text.
    pub fn detail(mut self, text: &str) -> FaultRule {
        self.detail = Some(text.to_string());
        self
    }

    /// Only requests with this method whose path ends with `path_suffix`.
    pub fn on(mut self, method: &str, path_suffix: &str) -> FaultRule {
        self.matcher.method = Some(method.to_string());
        self.matcher.path_suffix = Some(path_suffix.to_string());
        self
    }

    /// Only requests whose path contains `part`.
    pub fn path_contains(mut self, part: &str) -> FaultRule {
        self.matcher.path_contains = Some(part.to_string());
        self
    }

    /// Only requests to this profile (with `--vendor all`).
    pub fn vendor(mut self, vendor: &str) -> FaultRule {
        self.matcher.vendor = Some(vendor.to_string());
        self
    }
}

/// What a matching fault does to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// Status to answer with, if any.
    pub status: Option<u16>,
    /// Retry-After seconds.
    pub retry_after: Option<u64>,
    /// Delay.
    pub latency_ms: Option<u64>,
    /// Detail text.
    pub detail: Option<String>,
}

#[derive(Debug)]
struct Active {
    id: u64,
    rule: FaultRule,
    remaining: Option<u32>,
    fired: u64,
}

/// Active faults and break switches, shared by every tenant.
#[derive(Debug)]
pub struct Faults {
    rules: Mutex<(u64, Vec<Active>)>,
    /// Which break switches are on.
    pub switches: Switches,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rules: Mutex::new((0, Vec::new())),
            switches: Switches::default(),
        }
    }
}

impl Faults {
    /// Adds a fault; returns its id.
    pub fn add(&self, rule: FaultRule) -> u64 {
        let mut g = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let id = g.0;
        let remaining = rule.times;
        g.1.push(Active {
            id,
            rule,
            remaining,
            fired: 0,
        });
        id
    }

    /// The first active fault matching this request, consumed once. Exactly `times`
    /// requests see a fault set for `times`, however many run concurrently.
    pub fn take(&self, method: &str, path: &str, vendor: &str) -> Option<Fired> {
        let mut g = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let list = &mut g.1;
        let i = list
            .iter()
            .position(|a| a.remaining != Some(0) && a.rule.matcher.matches(method, path, vendor))?;
        let a = &mut list[i];
        if let Some(r) = a.remaining.as_mut() {
            *r -= 1;
        }
        a.fired += 1;
        Some(Fired {
            status: a.rule.status,
            retry_after: a.rule.retry_after,
            latency_ms: a.rule.latency_ms,
            detail: a.rule.detail.clone(),
        })
    }

    /// Turns a break switch on or off.
    pub fn set_break(&self, b: Break, on: bool) {
        self.switches.set(b, on);
    }

    /// The behavioural switches that are on now (see [`Bends`]).
    pub fn bends(&self) -> Bends {
        Bends::of(&self.switches)
    }

    /// Removes every fault and turns every switch off.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clear();
        self.switches.clear();
    }

    /// The admin API's view: active faults, switches on, and every switch available.
    pub fn describe(&self) -> Value {
        let g = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let faults: Vec<Value> = g
            .1
            .iter()
            .map(
                |a| json!({"id": a.id, "rule": a.rule, "remaining": a.remaining, "fired": a.fired}),
            )
            .collect();
        let on = self.switches.names_on();
        let available: Vec<Value> = Break::ALL
            .iter()
            .map(|b| json!({"name": b.name(), "description": b.description()}))
            .collect();
        json!({"faults": faults, "breaks": on, "available_breaks": available})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_for_three_requests_fires_exactly_three_times_under_concurrency() {
        let f = std::sync::Arc::new(Faults::default());
        f.add(FaultRule {
            status: Some(429),
            times: Some(3),
            ..FaultRule::default()
        });
        let fired = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (f, fired) = (f.clone(), fired.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        if f.take("GET", "/scim/v2/Users", "generic").is_some() {
                            fired.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(fired.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn faults_match_method_and_path() {
        let f = Faults::default();
        f.add(FaultRule {
            status: Some(500),
            matcher: FaultMatch {
                method: Some("post".into()),
                path_suffix: Some("/Users".into()),
                ..FaultMatch::default()
            },
            ..FaultRule::default()
        });
        assert!(f.take("GET", "/scim/v2/Users", "generic").is_none());
        assert!(f.take("POST", "/scim/v2/Groups", "generic").is_none());
        assert!(f.take("POST", "/scim/v2/Users", "generic").is_some());
    }
}
