//! The SCIM conformance runner behind `scimock check`.
//!
//! What it is for: checking any SCIM 2.0 service provider — a live tenant or a scimock mock —
//! against RFC 7643/7644/9865 and against what a vendor profile (`scimock_profile::Profile`)
//! documents: the check catalog ([`catalog::CATALOG`]), a polite HTTP client (rate limit,
//! Retry-After, timeouts, same-origin redirects, read-only unless writes are allowed), the
//! runner that plans, runs and always cleans up, and reporters (human, JSON, JUnit, Markdown)
//! over the same [`model::Event`]s.
//!
//! What it is not for: serving SCIM (that is `scimock-server`, used here only by the tests
//! that prove every check can fail) or parsing filters for a server (`scimock-filter`).
//! Vendor facts are never written here: they come from the profile.

#![warn(missing_docs)]

pub mod catalog;
pub mod classify;
pub mod client;
pub mod glob;
pub mod model;
pub mod report;
pub mod runner;

pub use client::Credential;
pub use model::{CheckResult, Event, Report, Severity, Status, Summary};
pub use runner::{CancelSignal, Canceller, Config, RunError, cancellation, run};
