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
    /// `--client`: run the identity provider's catalog (`entra.*` / `okta.*`) instead of the
    /// profile's checks; none by default.
    pub client: Option<IdpClient>,
    /// `--client-option`: the client's documented switches (`aadOptscim062020`).
    pub client_options: Vec<String>,
}

/// An identity provider whose provisioning traffic `--client` replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdpClient {
    /// Microsoft Entra ID's provisioning service (checks `entra.*`).
    Entra,
    /// Okta's SCIM 2.0 provisioning (checks `okta.*`).
    Okta,
}

/// The Entra ID flag that switches its PATCH requests to the RFC-compliant shapes.
pub const AAD_OPT_SCIM_062020: &str = "aadOptscim062020";

impl IdpClient {
    /// Every client, in the order `--client` lists them.
    pub const ALL: &'static [IdpClient] = &[IdpClient::Entra, IdpClient::Okta];

    /// The name `--client` takes, and the group (id prefix) of its checks.
    pub fn name(self) -> &'static str {
        match self {
            IdpClient::Entra => "entra",
            IdpClient::Okta => "okta",
        }
    }

    /// The options `--client-option` accepts for this client.
    pub fn options(self) -> &'static [&'static str] {
        match self {
            IdpClient::Entra => &[AAD_OPT_SCIM_062020],
            IdpClient::Okta => &[],
        }
    }

    /// The client a name stands for.
    pub fn from_name(name: &str) -> Option<IdpClient> {
        IdpClient::ALL
            .iter()
            .copied()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// True when `group` is a client's check group (`entra`, `okta`).
    pub fn is_client_group(group: &str) -> bool {
        IdpClient::ALL.iter().any(|c| c.name() == group)
    }
}

impl Config {
    /// True when the run replays `client` with `option` set.
    pub fn client_option(&self, option: &str) -> bool {
        self.client_options
            .iter()
            .any(|o| o.eq_ignore_ascii_case(option))
    }
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
            client: None,
            client_options: Vec::new(),
        }
    }
}
