//! `Idempotency-Key` for the unified facade's POST and PATCH (Truto 3P:T7), with the semantics
//! of draft-ietf-httpapi-idempotency-key-header: a retry with the same key and the same request
//! gets the first successful answer again without running twice; the same key with a different
//! request is 422; a retry while the first is still running is 409. Failed requests are not
//! kept, so they can be retried with their key. Kept answers are bounded in number and bytes.

use crate::error::{ScimError, ScimResult};
use axum::body::Bytes;
use axum::http::StatusCode;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Keys kept at most; the oldest answers are forgotten first.
pub const MAX_KEYS: usize = 10_000;

/// Bytes of kept answers at most; the oldest are forgotten first.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Longest accepted key, in bytes.
pub const MAX_KEY_LEN: usize = 255;

#[derive(Debug)]
enum State {
    /// The first request with this key is still running.
    Running,
    /// Its successful answer: status and body bytes.
    Done(StatusCode, Bytes),
}

#[derive(Debug)]
struct Entry {
    /// Which registration of the key this is (a key can expire and be registered again).
    generation: u64,
    fingerprint: u64,
    at: Instant,
    state: State,
}

#[derive(Debug, Default)]
struct Keys {
    map: HashMap<String, Entry>,
    /// Registration order, oldest first; items whose generation is gone are skipped.
    order: VecDeque<(String, u64)>,
    /// Bytes of the kept answers.
    bytes: usize,
    next_generation: u64,
}

impl Keys {
    fn remove(&mut self, id: &str) {
        if let Some(Entry {
            state: State::Done(_, body),
            ..
        }) = self.map.remove(id)
        {
            self.bytes -= body.len();
        }
    }

    /// Forgets the oldest finished answers until `new_keys` more keys and `extra` bytes fit.
    /// Running entries are never forgotten (their retry would run twice).
    fn make_room(&mut self, new_keys: usize, extra: usize) {
        let mut budget = self.order.len();
        while budget > 0 && (self.map.len() + new_keys > MAX_KEYS || self.bytes + extra > MAX_BYTES)
        {
            budget -= 1;
            let Some((id, generation)) = self.order.pop_front() else {
                break;
            };
            match self.map.get(&id) {
                Some(e) if e.generation == generation => {
                    if matches!(e.state, State::Running) {
                        self.order.push_back((id, generation));
                    } else {
                        self.remove(&id);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The keys seen by one facade tenant.
#[derive(Debug, Default)]
pub struct Idempotency {
    keys: Mutex<Keys>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin<'a> {
    /// Run it, then [`Ticket::finish`] with its answer; dropping the ticket forgets the key.
    Run(Ticket<'a>),
    /// Answer this again: the first request's status and body.
    Replay(StatusCode, Bytes),
}

/// A registered key whose request is running.
#[derive(Debug)]
pub struct Ticket<'a> {
    owner: &'a Idempotency,
    id: String,
    generation: u64,
    finished: bool,
}

/// The fingerprint of a request: method, path, query and body bytes.
pub fn fingerprint(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path, query.unwrap_or_default(), body).hash(&mut h);
    h.finish()
}

fn unavailable() -> ScimError {
    ScimError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Idempotency keys are unavailable",
    )
}

impl Idempotency {
    fn lock(&self) -> Option<MutexGuard<'_, Keys>> {
        self.keys.lock().ok()
    }

    /// Registers `key` within `scope` (account, method and path) for a request with
    /// `fingerprint`, or says how to answer its retry.
    pub fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: u64,
        ttl: Duration,
    ) -> ScimResult<Begin<'_>> {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(ScimError::new(
                StatusCode::BAD_REQUEST,
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} bytes"),
            ));
        }
        let id = format!("{scope}\n{key}");
        let mut keys = self.lock().ok_or_else(unavailable)?;
        let now = Instant::now();
        if let Some(e) = keys.map.get(&id) {
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
            keys.remove(&id);
        }
        // Keys forgotten outside `make_room` (failures, expiry) leave stale items in `order`.
        if keys.order.len() > 2 * keys.map.len() + 64 {
            let Keys { map, order, .. } = &mut *keys;
            order.retain(|(id, g)| map.get(id).is_some_and(|e| e.generation == *g));
        }
        keys.make_room(1, 0);
        keys.next_generation += 1;
        let generation = keys.next_generation;
        keys.map.insert(
            id.clone(),
            Entry {
                generation,
                fingerprint,
                at: now,
                state: State::Running,
            },
        );
        keys.order.push_back((id.clone(), generation));
        Ok(Begin::Run(Ticket {
            owner: self,
            id,
            generation,
            finished: false,
        }))
    }

    /// Forgets every key (`POST /_scimock/reset`).
    pub fn clear(&self) {
        if let Some(mut keys) = self.lock() {
            *keys = Keys {
                next_generation: keys.next_generation,
                ..Keys::default()
            };
        }
    }

    /// Keys and bytes kept (for tests).
    pub fn usage(&self) -> (usize, usize) {
        self.lock().map_or((0, 0), |k| (k.map.len(), k.bytes))
    }
}

impl Ticket<'_> {
    /// Keeps a successful answer for replay (one larger than [`MAX_BYTES`] is not kept, so
    /// its key is forgotten).
    pub fn finish(mut self, status: StatusCode, body: &Bytes) {
        self.finished = true;
        let Some(mut keys) = self.owner.lock() else {
            return;
        };
        let ours = keys
            .map
            .get(&self.id)
            .is_some_and(|e| e.generation == self.generation);
        if !ours {
            // Cleared by a reset, or expired and registered again meanwhile: not ours to touch.
            return;
        }
        if body.len() > MAX_BYTES {
            keys.remove(&self.id);
            return;
        }
        // Our entry is running, so making room never forgets it.
        keys.make_room(0, body.len());
        keys.bytes += body.len();
        if let Some(e) = keys.map.get_mut(&self.id) {
            e.state = State::Done(status, body.clone());
        }
    }
}

impl Drop for Ticket<'_> {
    /// A request that failed (or never finished) forgets its key, so it can be retried.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(mut keys) = self.owner.lock() {
            if keys
                .map
                .get(&self.id)
                .is_some_and(|e| e.generation == self.generation)
            {
                keys.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn run(b: ScimResult<Begin<'_>>) -> Ticket<'_> {
        match b {
            Ok(Begin::Run(t)) => t,
            other => panic!("expected Run, got {other:?}"),
        }
    }

    #[test]
    fn a_retry_replays_a_different_request_is_422_a_running_one_409() {
        let i = Idempotency::default();
        let f = fingerprint("POST", "/users", Some("a=1"), b"{}");
        let t = run(i.begin("s", "k", f, DAY));
        let running = i.begin("s", "k", f, DAY).unwrap_err();
        assert_eq!(running.status, StatusCode::CONFLICT);
        t.finish(StatusCode::CREATED, &Bytes::from_static(b"{\"id\":\"1\"}"));
        match i.begin("s", "k", f, DAY) {
            Ok(Begin::Replay(s, b)) => {
                assert_eq!((s, &b[..]), (StatusCode::CREATED, &b"{\"id\":\"1\"}"[..]))
            }
            other => panic!("{other:?}"),
        }
        let other = fingerprint("POST", "/users", Some("a=1"), b"{\"x\":1}");
        assert_eq!(
            i.begin("s", "k", other, DAY).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        drop(run(i.begin("other scope", "k", other, DAY)));
    }

    #[test]
    fn failures_are_forgotten_and_keys_expire() {
        let i = Idempotency::default();
        drop(run(i.begin("s", "k", 1, DAY)));
        let t = run(i.begin("s", "k", 2, DAY));
        t.finish(StatusCode::OK, &Bytes::from_static(b"1"));
        // Expired: registered again; the old registration's late drop cannot touch the new one.
        let stale = Ticket {
            owner: &i,
            id: "s\nk".into(),
            generation: 1,
            finished: false,
        };
        let t = run(i.begin("s", "k", 3, Duration::ZERO));
        drop(stale);
        assert_eq!(
            i.usage().0,
            1,
            "the new registration survives a stale ticket"
        );
        drop(t);
        assert_eq!(i.usage(), (0, 0));
        assert_eq!(
            i.begin("s", &"x".repeat(MAX_KEY_LEN + 1), 1, DAY)
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn forgotten_keys_do_not_pile_up_and_stale_tickets_touch_nothing() {
        let i = Idempotency::default();
        for n in 0..10_000 {
            drop(run(i.begin("s", &n.to_string(), 1, DAY)));
        }
        let order = i.lock().map(|k| k.order.len()).unwrap_or(usize::MAX);
        assert!(order <= 2 * 64 + 2, "order holds {order} stale keys");
        // A ticket from before a reset finishes after the key was registered again.
        let old = run(i.begin("s", "k", 1, DAY));
        i.clear();
        let new = run(i.begin("s", "k", 1, DAY));
        old.finish(StatusCode::OK, &Bytes::from(vec![b'x'; MAX_BYTES + 1]));
        assert_eq!(
            i.begin("s", "k", 1, DAY).unwrap_err().status,
            StatusCode::CONFLICT,
            "the new registration is still running"
        );
        new.finish(StatusCode::OK, &Bytes::from_static(b"{}"));
        assert_eq!(i.usage(), (1, 2));
    }

    #[test]
    fn keys_and_bytes_are_bounded_and_running_keys_are_never_evicted() {
        let i = Idempotency::default();
        let running = run(i.begin("s", "running", 1, DAY));
        for n in 0..MAX_KEYS + 10 {
            let t = run(i.begin("s", &n.to_string(), 1, DAY));
            t.finish(StatusCode::OK, &Bytes::from_static(b"{}"));
        }
        let (keys, _) = i.usage();
        assert!(keys <= MAX_KEYS, "{keys}");
        assert_eq!(
            i.begin("s", "running", 1, DAY).unwrap_err().status,
            StatusCode::CONFLICT,
            "the running key was not evicted"
        );
        drop(running);
        let big = Bytes::from(vec![b'x'; MAX_BYTES / 4 + 1]);
        for n in 0..8 {
            let t = run(i.begin("big", &n.to_string(), 1, DAY));
            t.finish(StatusCode::OK, &big);
            assert!(i.usage().1 <= MAX_BYTES, "{:?}", i.usage());
        }
        let huge = Bytes::from(vec![b'x'; MAX_BYTES + 1]);
        let t = run(i.begin("huge", "k", 1, DAY));
        t.finish(StatusCode::OK, &huge);
        assert!(matches!(i.begin("huge", "k", 1, DAY), Ok(Begin::Run(_))));
    }
}
