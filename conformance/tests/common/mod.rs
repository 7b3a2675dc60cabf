//! Shared helpers: run the checks in-process against a `MockServer`.

#![allow(dead_code)]

use scimock_conformance::{Config, Credential, Report, Status, run};
use scimock_profile::Profile;
use scimock_server::{MockServer, ServeConfig, VendorChoice};
use std::net::SocketAddr;
use std::time::Duration;

/// Starts a mock of `vendor` with `extra` generated users and profile overrides.
pub async fn mock(
    vendor: &str,
    extra: Option<usize>,
    overrides: &[(&str, serde_json::Value)],
) -> MockServer {
    MockServer::start_with(ServeConfig {
        vendor: VendorChoice::One(vendor.into()),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        users: extra,
        overrides: overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ..ServeConfig::default()
    })
    .await
    .expect("mock starts")
}

/// The profile the mock serves (with the same overrides).
pub fn profile(vendor: &str, overrides: &[(&str, serde_json::Value)]) -> Profile {
    let o: Vec<(String, serde_json::Value)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Profile::builtin(vendor)
        .unwrap()
        .with_overrides(&o)
        .unwrap()
}

/// A run configuration against the mock.
pub fn config(m: &MockServer, profile: Profile, writes: bool) -> Config {
    let mut c = Config::new(m.base_url(), profile);
    c.credentials = vec![Credential::bearer(m.token())];
    c.allow_writes = writes;
    c.timeout = Duration::from_secs(10);
    c.max_retry_wait = Duration::from_secs(3);
    c
}

/// Runs and returns the report.
pub async fn check(cfg: Config) -> Report {
    run(cfg, None, &mut |_| {}).await.expect("the run starts")
}

/// Ids of the failed checks, sorted.
pub fn failed(r: &Report) -> Vec<String> {
    let mut v: Vec<String> = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id.clone())
        .collect();
    v.sort();
    v
}

/// A readable dump of failures.
pub fn explain(r: &Report) -> String {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| {
            format!(
                "{}: {}\n{}",
                c.id,
                c.detail,
                scimock_conformance::report::junit::evidence_text(&c.evidence)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
