//! The integration tests of the `scimock` binary, one test binary: the real executable run
//! against in-process mocks or as a server.
//!
//! - `check_cli`: `scimock check` (DESIGN §4.3): exit statuses, reports, secrets, signals.
//! - `filter_cli`: `scimock filter` (DESIGN §4.4) and `scimock vendors`.
//! - `report_cli`: the CI side of `scimock check` (`--fail-on`, baselines, GitHub summary and
//!   annotations, HTML, HAR) and `scimock diff`.
//! - `serve_cli`: `scimock serve` (DESIGN §4.1): the listening line, mounts, state, shutdown.
//! - `docs`: the vendor reference covers every source tag; no user-facing text leaves the repository.
//! - `common`: running the binary, reading its output, validating JSON reports against
//!   `docs/report.schema.json`.

mod check_cli;
mod common;
mod docs;
mod filter_cli;
mod profile_cli;
mod report_cli;
mod serve_cli;
