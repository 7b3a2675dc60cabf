//! The result model shared by the runner and the reporters: severities, statuses, evidence,
//! check results, run events and the versioned report (DESIGN §4.3).

use serde::Serialize;
use std::collections::BTreeMap;

/// How strongly the reference requires what a check guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// MUST / REQUIRED / SHALL, or a documented vendor behaviour.
    Must,
    /// SHOULD / RECOMMENDED.
    Should,
    /// MAY / OPTIONAL: problems are warnings, never failures.
    May,
}

impl Severity {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "must",
            Severity::Should => "should",
            Severity::May => "may",
        }
    }
}

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The target does what the check guards.
    Pass,
    /// The target violates what the check guards.
    Fail,
    /// Not applicable: the target does not offer the feature, or the run could not observe it.
    Skip,
    /// A `may`-level finding: reported, never a failure.
    Warn,
}

impl Status {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Warn => "warn",
        }
    }
}

/// One HTTP exchange as shown in a report: never contains a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Method, path relative to the base URL, and readable query (`GET /Users?count=2`).
    pub request: String,
    /// A curl command reproducing the request; credentials appear as `$SCIM_TOKEN`.
    pub curl: String,
    /// Response status (absent when no response arrived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The response headers that matter (content-type, location, etag, retry-after, www-authenticate).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The start of the response body.
    pub response_excerpt: String,
    /// Transport error (timeout, connection refused), when there was no response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The finished result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable id (`list.pagination.walk`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// RFC section or vendor document (VENDORS.md tag).
    pub reference: String,
    /// Outcome.
    pub status: Status,
    /// What was observed, or why it was skipped.
    pub detail: String,
    /// Wall time of the check.
    pub duration_ms: u64,
    /// The requests that support the conclusion.
    pub evidence: Vec<Evidence>,
}

impl CheckResult {
    /// The check's group: its id up to the first dot (`list` for `list.pagination.walk`).
    pub fn group(&self) -> &str {
        group_of(&self.id)
    }
}

/// The group of a check id.
pub fn group_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks that were skipped.
    pub skipped: usize,
    /// Checks that warned.
    pub warnings: usize,
}

impl Summary {
    /// Counts one result.
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Skip => self.skipped += 1,
            Status::Warn => self.warnings += 1,
        }
    }

    /// The exact last line of the human report.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// What happened to the users the run created (`--allow-writes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cleanup {
    /// Users removed (or suspended, where that is the vendor's DELETE) at the end of the run.
    pub removed: Vec<String>,
    /// Users the run created and could not remove: `userName (id): why`.
    pub leftovers: Vec<String>,
    /// A note on what removal means for this vendor (suspend semantics).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Events the runner emits, in order; reporters consume them.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run has planned its checks.
    RunStarted {
        /// Target base URL.
        target: String,
        /// Profile name.
        profile: String,
        /// Number of checks that will run.
        planned: usize,
        /// Writes allowed.
        allow_writes: bool,
    },
    /// A check is starting.
    CheckStarted {
        /// 1-based position.
        index: usize,
        /// Number planned.
        total: usize,
        /// Check id.
        id: String,
        /// Check title.
        title: String,
    },
    /// A check finished.
    CheckFinished {
        /// 1-based position.
        index: usize,
        /// Number planned.
        total: usize,
        /// Its result.
        result: CheckResult,
    },
    /// Cleanup of created users is starting (after the checks, a failure, or Ctrl-C).
    CleanupStarted {
        /// How many users need removing.
        users: usize,
    },
    /// The run is over.
    RunFinished {
        /// Counts.
        summary: Summary,
        /// Created users' fate.
        cleanup: Cleanup,
        /// Stopped early by a signal.
        interrupted: bool,
        /// Wall time.
        duration_ms: u64,
    },
}

/// The versioned JSON report (DESIGN §4.3), also the input of the JUnit and Markdown reporters.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always 1 for this schema.
    pub report_version: u32,
    /// `scimock`.
    pub tool: String,
    /// The crate version.
    pub tool_version: String,
    /// Target base URL.
    pub target: String,
    /// Profile name.
    pub profile: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time.
    pub duration_ms: u64,
    /// Counts.
    pub summary: Summary,
    /// Every check that ran, in order.
    pub checks: Vec<CheckResult>,
    /// Writes were allowed (extension).
    pub allow_writes: bool,
    /// Stopped early by a signal (extension).
    pub interrupted: bool,
    /// Every request the checks sent with the credentials was answered 401/403: the run could
    /// not really happen (extension; exit status 2).
    pub credentials_rejected: bool,
    /// Created users' fate (extension).
    pub cleanup: Cleanup,
}
