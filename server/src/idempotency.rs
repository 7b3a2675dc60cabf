//! `Idempotency-Key` for the unified facade's POST and PATCH (Truto 3P:T7), with the semantics
//! of draft-ietf-httpapi-idempotency-key-header: a retry with the same key and the same request
//! gets the first successful answer again without running twice; the same key with a different
//! request is 422; a retry while the first is still running is 409. Failed requests are not
//! kept, so they can be retried with their key.

use crate::error::{ScimError, ScimResult};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept at most; the oldest answers are forgotten first.
pub const MAX_KEYS: usize = 10_000;

/// Longest accepted key, in bytes.
pub const MAX_KEY_LEN: usize = 255;

#[derive(Debug)]
enum State {
    /// The first request with this key is still running.
    Running,
    /// Its successful answer.
    Done(StatusCode, Value),
}

#[derive(Debug)]
struct Entry {
    fingerprint: u64,
    at: Instant,
    state: State,
}

/// The keys seen by one facade tenant.
#[derive(Debug, Default)]
pub struct Idempotency {
    entries: Mutex<(HashMap<String, Entry>, VecDeque<String>)>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// Run it, then [`Idempotency::finish`] with its outcome.
    Run,
    /// Answer this again: the first request's status and body.
    Replay(StatusCode, Value),
}

/// The fingerprint of a request: method, path, query and body bytes.
pub fn fingerprint(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path, query.unwrap_or_default(), body).hash(&mut h);
    h.finish()
}

impl Idempotency {
    /// Registers `key` for a request with `fingerprint`, or says how to answer its retry.
    /// `scope` separates keys per integrated account, method and path.
    pub fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: u64,
        ttl: Duration,
    ) -> ScimResult<Begin> {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(ScimError::new(
                StatusCode::BAD_REQUEST,
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} bytes"),
            ));
        }
        let id = format!("{scope}\n{key}");
        let mut guard = self.entries.lock().map_err(|_| {
            ScimError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Idempotency keys are unavailable",
            )
        })?;
        let (map, order) = &mut *guard;
        let now = Instant::now();
        if let Some(e) = map.get(&id) {
            if now.duration_since(e.at) < ttl {
                if e.fingerprint != fingerprint {
                    return Err(ScimError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "This Idempotency-Key was used for a different request",
                    ));
                }
                return match &e.state {
                    State::Running => Err(ScimError::new(
                        StatusCode::CONFLICT,
                        "A request with this Idempotency-Key is still being processed",
                    )),
                    State::Done(status, body) => Ok(Begin::Replay(*status, body.clone())),
                };
            }
        }
        while map.len() >= MAX_KEYS {
            match order.pop_front() {
                Some(old) => {
                    map.remove(&old);
                }
                None => break,
            }
        }
        if map
            .insert(
                id.clone(),
                Entry {
                    fingerprint,
                    at: now,
                    state: State::Running,
                },
            )
            .is_none()
        {
            order.push_back(id);
        }
        Ok(Begin::Run)
    }

    /// Records the outcome of a request [`begin`](Self::begin) let run: a success is kept for
    /// replay, a failure forgets the key.
    pub fn finish(&self, scope: &str, key: &str, outcome: Option<(StatusCode, &Value)>) {
        let id = format!("{scope}\n{key}");
        let Ok(mut guard) = self.entries.lock() else {
            return;
        };
        let (map, order) = &mut *guard;
        match outcome {
            Some((status, body)) => {
                if let Some(e) = map.get_mut(&id) {
                    e.state = State::Done(status, body.clone());
                }
            }
            None => {
                map.remove(&id);
                order.retain(|k| *k != id);
            }
        }
    }

    /// Forgets every key (`POST /_scimock/reset`).
    pub fn clear(&self) {
        if let Ok(mut guard) = self.entries.lock() {
            guard.0.clear();
            guard.1.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn a_retry_replays_a_different_request_is_422_a_running_one_409() {
        let i = Idempotency::default();
        let f = fingerprint("POST", "/users", Some("a=1"), b"{}");
        assert!(matches!(i.begin("s", "k", f, DAY), Ok(Begin::Run)));
        let running = i.begin("s", "k", f, DAY).unwrap_err();
        assert_eq!(running.status, StatusCode::CONFLICT);
        i.finish("s", "k", Some((StatusCode::CREATED, &json!({"id": "1"}))));
        match i.begin("s", "k", f, DAY) {
            Ok(Begin::Replay(s, b)) => {
                assert_eq!((s, b), (StatusCode::CREATED, json!({"id": "1"})))
            }
            other => panic!("{other:?}"),
        }
        let other = fingerprint("POST", "/users", Some("a=1"), b"{\"x\":1}");
        assert_eq!(
            i.begin("s", "k", other, DAY).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert!(matches!(
            i.begin("other scope", "k", other, DAY),
            Ok(Begin::Run)
        ));
    }

    #[test]
    fn failures_are_forgotten_and_keys_expire_and_are_bounded() {
        let i = Idempotency::default();
        assert!(matches!(i.begin("s", "k", 1, DAY), Ok(Begin::Run)));
        i.finish("s", "k", None);
        assert!(matches!(i.begin("s", "k", 2, DAY), Ok(Begin::Run)));
        i.finish("s", "k", Some((StatusCode::OK, &json!(1))));
        assert!(matches!(
            i.begin("s", "k", 3, Duration::ZERO),
            Ok(Begin::Run)
        ));
        for n in 0..MAX_KEYS + 10 {
            assert!(matches!(
                i.begin("s", &n.to_string(), 1, DAY),
                Ok(Begin::Run)
            ));
        }
        let guard = i.entries.lock().unwrap();
        assert!(guard.0.len() <= MAX_KEYS && guard.1.len() <= MAX_KEYS);
        drop(guard);
        assert_eq!(
            i.begin("s", &"x".repeat(MAX_KEY_LEN + 1), 1, DAY)
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
    }
}
