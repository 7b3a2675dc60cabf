//! Fault injection (status, Retry-After, latency, matched on method and path), and the state of
//! the break switches (which are defined, and applied, in `breaks`).

use crate::breaks::{Bends, Break, Switches};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest injected delay (an hour), fixed or drawn.
pub const MAX_LATENCY_MS: u64 = 3_600_000;

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Delay drawn from a distribution (seeded, so a run is reproducible); added to
    /// `latency_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// A fault below HTTP: the request is served, then its answer is lost or mangled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// For `"network": "dribble"`: bytes per second (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_sec: Option<u64>,
    /// Which requests.
    #[serde(default, rename = "match")]
    pub matcher: FaultMatch,
}

/// A network-level fault (applied by `crate::netfault`): the handler runs (a write lands),
/// then the client gets no usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    /// The connection is closed before any byte of the answer.
    Reset,
    /// The status and headers (with the full `Content-Length`) and half the body, then the
    /// connection is closed.
    AbortBody,
    /// The status and headers, and a body cut in half: JSON that does not parse.
    MalformedBody,
    /// The answer, `bytes_per_sec` bytes at a time.
    Dribble,
    /// No answer until the client gives up (or an hour, or shutdown).
    Hang,
}

/// A latency distribution: `{"distribution":"fixed","ms":200}`,
/// `{"distribution":"uniform","min_ms":50,"max_ms":500}`,
/// `{"distribution":"lognormal","median_ms":120,"sigma":0.8}`; `seed` fixes the sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// The distribution and its parameters.
    #[serde(flatten)]
    pub distribution: Distribution,
    /// Seed of the sequence of delays (default 1): the n-th request hit gets the same delay
    /// in every run.
    #[serde(default = "one")]
    pub seed: u64,
}

fn one() -> u64 {
    1
}

/// The shape of a [`Latency`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "lowercase")]
pub enum Distribution {
    /// Always `ms`.
    Fixed {
        /// Milliseconds.
        ms: u64,
    },
    /// Uniform in `[min_ms, max_ms]`.
    Uniform {
        /// Lower bound, milliseconds.
        min_ms: u64,
        /// Upper bound, milliseconds.
        max_ms: u64,
    },
    /// Log-normal with this median and shape (the long tail real networks have).
    Lognormal {
        /// Median, milliseconds.
        median_ms: u64,
        /// Standard deviation of the underlying normal (0.5: mild tail, 1.0: heavy).
        sigma: f64,
    },
}

impl Latency {
    /// The delay of the `n`-th request this fault hits (0-based), in milliseconds, at most
    /// `max_ms`.
    pub fn sample(&self, n: u64, max_ms: u64) -> u64 {
        let u1 = unit(splitmix(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let ms = match self.distribution {
            Distribution::Fixed { ms } => ms as f64,
            Distribution::Uniform { min_ms, max_ms } => {
                let (lo, hi) = (min_ms.min(max_ms) as f64, min_ms.max(max_ms) as f64);
                lo + u1 * (hi - lo)
            }
            Distribution::Lognormal { median_ms, sigma } => {
                // Box-Muller: a standard normal from two uniforms.
                let u2 = unit(splitmix(self.seed.wrapping_add(n).rotate_left(17) ^ 0xA5A5));
                let z = (-2.0 * u1.max(f64::MIN_POSITIVE).ln()).sqrt()
                    * (2.0 * std::f64::consts::PI * u2).cos();
                median_ms as f64 * (sigma * z).exp()
            }
        };
        if ms.is_finite() && ms > 0.0 {
            (ms.round() as u64).min(max_ms)
        } else {
            0
        }
    }
}

/// SplitMix64: one well-mixed 64-bit value per input.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit value as a float in `[0, 1)`.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
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

    /// A network fault (the request is served, its answer lost or mangled).
    pub fn network(kind: Network) -> FaultRule {
        FaultRule {
            network: Some(kind),
            ..FaultRule::default()
        }
    }

    /// Delays drawn from a distribution, seeded.
    pub fn latency_from(distribution: Distribution, seed: u64) -> FaultRule {
        FaultRule {
            latency: Some(Latency { distribution, seed }),
            ..FaultRule::default()
        }
    }

    /// For a dribble: bytes per second.
    pub fn bytes_per_sec(mut self, n: u64) -> FaultRule {
        self.bytes_per_sec = Some(n);
        self
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
    /// How many network faults were added since the last clear (a lock-free "none" for the
    /// common case, checked on every request).
    network_rules: AtomicUsize,
    /// Which break switches are on.
    pub switches: Switches,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rules: Mutex::new((0, Vec::new())),
            network_rules: AtomicUsize::new(0),
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
        if rule.network.is_some() {
            self.network_rules.fetch_add(1, Ordering::Relaxed);
        }
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
    /// Network faults are not taken here but by [`Faults::take_network`].
    pub fn take(&self, method: &str, path: &str, vendor: &str) -> Option<Fired> {
        let (rule, n) = self.consume(method, path, vendor, false)?;
        let drawn = rule
            .latency
            .as_ref()
            .map(|l| l.sample(n, MAX_LATENCY_MS))
            .unwrap_or(0);
        let latency = rule.latency_ms.unwrap_or(0).saturating_add(drawn);
        Some(Fired {
            status: rule.status,
            retry_after: rule.retry_after,
            latency_ms: (latency > 0).then_some(latency),
            detail: rule.detail,
        })
    }

    /// The first active network fault matching this request, consumed once: what to do to
    /// the answer, and the dribble rate.
    pub fn take_network(&self, method: &str, path: &str, vendor: &str) -> Option<(Network, u64)> {
        if !self.has_network() {
            return None;
        }
        let (rule, _) = self.consume(method, path, vendor, true)?;
        Some((rule.network?, rule.bytes_per_sec.unwrap_or(100).max(1)))
    }

    /// Whether any network fault may be active (cheap: no lock).
    pub fn has_network(&self) -> bool {
        self.network_rules.load(Ordering::Relaxed) > 0
    }

    /// Consumes one firing of the first matching rule of the kind asked for (network or not);
    /// returns a copy of it and how many times it had fired before.
    fn consume(
        &self,
        method: &str,
        path: &str,
        vendor: &str,
        network: bool,
    ) -> Option<(FaultRule, u64)> {
        let mut g = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let list = &mut g.1;
        let i = list.iter().position(|a| {
            a.remaining != Some(0)
                && a.rule.network.is_some() == network
                && a.rule.matcher.matches(method, path, vendor)
        })?;
        let a = &mut list[i];
        if let Some(r) = a.remaining.as_mut() {
            *r -= 1;
        }
        let n = a.fired;
        a.fired += 1;
        Some((a.rule.clone(), n))
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
        self.network_rules.store(0, Ordering::Relaxed);
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
