//! Shared helpers: the real `scimock` binary with a clean environment, and its output as text.

use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scimock");

/// `scimock ARGS`, with no `SCIM_TOKEN` or `GITHUB_STEP_SUMMARY` inherited from the
/// environment (a test run inside GitHub Actions must not write the job's summary) and no
/// colour.
pub fn scimock(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("SCIM_TOKEN")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    c
}

/// Runs `scimock ARGS` to completion.
pub fn run(args: &[&str]) -> Output {
    scimock(args).output().expect("scimock runs")
}

/// Runs a command to completion without blocking the async runtime.
pub async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().expect("scimock runs"))
        .await
        .expect("the blocking task finishes")
}

/// Output bytes as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The JSON Schema of reports (`docs/report.schema.json`), compiled once, formats checked.
fn report_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../../docs/report.schema.json");
        let schema: serde_json::Value = serde_json::from_str(text).expect("the schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

/// A JSON report printed or written by `scimock check --format json`, parsed and validated
/// against `docs/report.schema.json` (panics naming every violation).
pub fn json_report(text: &str) -> serde_json::Value {
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
    v
}
