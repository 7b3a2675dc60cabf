//! What one run is asked to do: the target, the profile it is expected to follow, credentials,
//! the check selection and the politeness bounds. Read by the planner (`CheckDef::applies`), the
//! checks (through [`Ctx`](crate::ctx::Ctx)) and the runner.

use crate::client::{Credential, Recorder};
use scimock_profile::Profile;
use std::time::Duration;

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SCIM base URL (or, for a unified profile, the unified users endpoint).
    pub target: String,
    /// What the target is expected to do.
    pub profile: Profile,
    /// Credentials sent with every request (never shown).
    pub credentials: Vec<Credential>,
    /// Run the write checks on users the run creates itself.
    pub allow_writes: bool,
    /// Run only checks matching one of these patterns (empty: all).
    pub only: Vec<String>,
    /// Leave out checks matching one of these patterns.
    pub skip: Vec<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Requests per second, at most.
    pub max_rps: Option<f64>,
    /// Longest pagination walk, in pages.
    pub max_pages: usize,
    /// Users read for the filter and resource checks.
    pub sample_size: usize,
    /// Unified profiles: the `integrated_account_id` (default: the profile's first account).
    pub account: Option<String>,
    /// 429 retries per request.
    pub max_retries: u32,
    /// Longest wait for one Retry-After.
    pub max_retry_wait: Duration,
    /// Records every exchange of the run (for `--har`); none by default.
    pub recorder: Option<Recorder>,
}

impl Config {
    /// Defaults for `target` and `profile`: read-only, 30 s timeout, 50 pages, 5 sampled users.
    pub fn new(target: impl Into<String>, profile: Profile) -> Config {
        Config {
            target: target.into(),
            profile,
            credentials: Vec::new(),
            allow_writes: false,
            only: Vec::new(),
            skip: Vec::new(),
            timeout: Duration::from_secs(30),
            max_rps: None,
            max_pages: 50,
            sample_size: 5,
            account: None,
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
            recorder: None,
        }
    }
}
