//! The SCIM conformance runner behind `scimock check`.
//!
//! What it is for: checking any SCIM 2.0 service provider — a live tenant or a scimock mock —
//! against RFC 7643/7644/9865 and against what a vendor profile (`scimock_profile::Profile`)
//! documents: the check catalog ([`catalog::CATALOG`], one row per check with a function
//! pointer to its code), the context checks read ([`ctx::Ctx`]), a polite HTTP client (rate
//! limit, Retry-After, timeouts, same-origin redirects, read-only unless writes are allowed),
//! the runner that plans, runs and always cleans up, and reporters (human, JSON, JUnit,
//! Markdown, HTML, GitHub workflow commands) over the same [`model::Event`]s; for CI, the
//! [`baseline::Gate`] (`--fail-on`, baselines of known findings), [`diff`] of two reports and
//! a HAR 1.2 recording of every exchange ([`har`]).
//!
//! Dependencies inside the crate point one way: `runner -> catalog -> ctx -> client`; the
//! catalog never imports the runner.
//!
//! What it is not for: serving SCIM (that is `scimock-server`, used here only by the tests
//! that prove every check can fail) or parsing filters for a server (`scimock-filter`).
//! Vendor facts are never written here: they come from the profile.

#![warn(missing_docs)]

pub mod baseline;
pub mod catalog;
pub mod classify;
pub mod client;
pub mod config;
pub mod ctx;
pub mod diff;
pub mod glob;
pub mod har;
pub mod identity;
pub mod lenient;
pub mod model;
pub mod outcome;
pub mod report;
pub mod runner;

pub use baseline::{Baseline, BaselineError, Gate};
pub use client::{ClientError, Credential, CredentialError};
pub use config::Config;
pub use model::{CheckResult, Event, Identity, Report, Severity, Status, Summary};
pub use outcome::{Outcome, Skip, SkipReason, Verdict};
pub use report::UnknownFormat;
pub use runner::{CancelSignal, Canceller, RunError, cancellation, run};
