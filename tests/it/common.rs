//! Shared helpers: the real `scimock` binary with a clean environment, and its output as text.

use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scimock");

/// `scimock ARGS`, with no `SCIM_TOKEN` inherited from the environment and no colour.
pub fn scimock(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("SCIM_TOKEN").env("NO_COLOR", "1");
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
