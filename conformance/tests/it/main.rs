//! The integration tests of `scimock-conformance`, one binary: the checks run in-process
//! against `MockServer`s.
//!
//! - `breaks`: every check can fail (one break switch of the mock per row of `breaks.json`).
//! - `polite`: the runner is polite and safe (429s, pacing, redirects, secrets, odd bodies).
//! - `vendors`: every vendor mock of the profile registry passes, read-only and with writes.
//! - `truth`: servers that do what the RFC allows pass, wrong ones fail, and runs that would
//!   mean nothing stop with one line.
//! - `common`: the shared helpers (mocks, configurations, reading reports).

mod breaks;
mod clients;
mod common;
mod polite;
mod truth;
mod vendors;
