//! Shared helpers: the vendors of the profile registry, mocks of them, run configurations, and
//! reading reports.

use scimock_conformance::{Config, Credential, Report, Status, run};
use scimock_profile::{PROFILE_NAMES, Profile, ProfileKind};
use scimock_server::{MockServer, ServeConfig, VendorChoice};
use std::net::SocketAddr;
use std::time::Duration;

/// Every built-in vendor, from the profile registry: a new profile is tested without editing a
/// test.
pub fn vendors() -> impl Iterator<Item = &'static str> {
    PROFILE_NAMES.iter().copied()
}

/// The vendors of the registry whose built-in profile satisfies `keep`.
pub fn vendors_where(keep: impl Fn(&Profile) -> bool) -> Vec<&'static str> {
    vendors().filter(|v| keep(&profile(v, &[]))).collect()
}

/// True for a unified (Truto-style) facade rather than a SCIM endpoint.
pub fn is_unified(vendor: &str) -> bool {
    profile(vendor, &[]).kind == ProfileKind::Unified
}

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

/// Runs and returns the report, after checking that its JSON is valid against
/// `docs/report.schema.json`.
pub async fn check(cfg: Config) -> Report {
    let report = run(cfg, None, &mut |_| {}).await.expect("the run starts");
    assert_valid_json_report(&scimock_conformance::report::json::render(&report));
    report
}

/// The JSON Schema of reports (`docs/report.schema.json`), compiled once, formats checked.
fn report_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../../../docs/report.schema.json");
        let schema: serde_json::Value = serde_json::from_str(text).expect("the schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

/// Panics, naming every violation, unless `text` is a JSON report valid against
/// `docs/report.schema.json`.
pub fn assert_valid_json_report(text: &str) {
    let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let errors: Vec<String> = report_schema()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report violates docs/report.schema.json:\n{}",
        errors.join("\n")
    );
}

/// The result of check `id` in `r` (panics, naming it, when the check did not run).
pub fn result<'a>(r: &'a Report, id: &str) -> &'a scimock_conformance::CheckResult {
    r.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
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

/// Every user of every tenant the run did not create (userName not `scimock-check-...`), by
/// tenant and id, as stored: a run may change and remove only its own users.
pub fn fixture_users(m: &MockServer) -> std::collections::BTreeMap<String, serde_json::Value> {
    let mut out = std::collections::BTreeMap::new();
    for t in m.app().all_tenants() {
        let store = t.read();
        for u in store.users.iter() {
            let name = u.str_attr("userName").unwrap_or_default();
            if !name.starts_with("scimock-check-") {
                out.insert(format!("{}/{}", t.profile.name, u.id), u.to_value());
            }
        }
    }
    out
}

/// Panics unless the unified facade of a mock of `vendor` (a unified profile) answers a list
/// for its first account: the unified rows and runs are never skipped.
pub async fn assert_facade_up(m: &MockServer, vendor: &str) {
    let p = profile(vendor, &[]);
    let account = p
        .unified
        .as_ref()
        .and_then(|u| u.accounts.first())
        .map(|a| a.id.clone())
        .unwrap_or_else(|| panic!("the {vendor} profile has a mock account"));
    let url = format!("{}?limit=1&integrated_account_id={account}", m.base_url());
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(m.token())
        .send()
        .await
        .expect("the unified facade answers");
    assert!(
        r.status().is_success(),
        "the unified facade answered {}",
        r.status()
    );
}
