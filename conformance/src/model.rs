//! The result model shared by the runner and the reporters: severities, statuses, evidence,
//! check results, run events and the versioned report (DESIGN §4.3; documented field by field
//! in `docs/report-format.md`). Reports also deserialize, leniently, so `scimock diff` can read
//! reports written by older versions.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How strongly the reference requires what a check guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// Strength for comparisons: `may` 0, `should` 1, `must` 2.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Must => 2,
            Severity::Should => 1,
            Severity::May => 0,
        }
    }

    /// True when this severity is at least `other` (`must` is at least `should`).
    pub fn at_least(self, other: Severity) -> bool {
        self.rank() >= other.rank()
    }
}

/// A severity name that is not `must`, `should` or `may`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?}; one of must, should, may")]
pub struct UnknownSeverity(pub String);

impl std::str::FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Severity, UnknownSeverity> {
        match s {
            "must" => Ok(Severity::Must),
            "should" => Ok(Severity::Should),
            "may" => Ok(Severity::May),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Method, path relative to the base URL, and readable query (`GET /Users?count=2`).
    pub request: String,
    /// A curl command reproducing the request; credentials appear as `$SCIM_TOKEN`.
    #[serde(default)]
    pub curl: String,
    /// Response status (absent when no response arrived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The response headers that matter (content-type, location, etag, retry-after, www-authenticate).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The start of the response body.
    #[serde(default)]
    pub response_excerpt: String,
    /// Transport error (timeout, connection refused), when there was no response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The finished result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable id (`list.pagination.walk`).
    pub id: String,
    /// One-line title.
    #[serde(default)]
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// RFC section or vendor document (a docs/vendors.md source tag).
    #[serde(default)]
    pub reference: String,
    /// Outcome.
    pub status: Status,
    /// What was observed, or why it was skipped.
    #[serde(default)]
    pub detail: String,
    /// Wall time of the check.
    #[serde(default)]
    pub duration_ms: u64,
    /// The requests that support the conclusion.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// A stable fingerprint of a finding (`fail` and `warn` only): the check id and its detail
    /// with volatile parts masked (extension; see [`crate::baseline::fingerprint`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// With `--baseline`: whether a finding that would fail the run is a known one (extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineMark>,
}

/// What a baseline says about a finding that would fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineMark {
    /// The baseline lists it: reported, not failing.
    Known,
    /// The baseline does not list it: it fails the run.
    New,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleanup {
    /// Users removed (or suspended, where that is the vendor's DELETE) at the end of the run.
    #[serde(default)]
    pub removed: Vec<String>,
    /// Users the run created and could not remove: `userName (id): why`.
    #[serde(default)]
    pub leftovers: Vec<String>,
    /// A note on what removal means for this vendor (suspend semantics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
        /// `--client` with its options (`entra aadOptscim062020`), when replaying an IdP.
        client: Option<String>,
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

/// Who was checked against what: the target, the profile and its digest, and the digest of the
/// service provider configuration the target served, so reports are compared like with like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The target base URL (as in `target`).
    pub base_url: String,
    /// The profile's name.
    pub profile: String,
    /// `sha256:` and the hex SHA-256 of the profile's canonical JSON: its version, which changes
    /// whenever a fact of the profile changes.
    pub profile_digest: String,
    /// `sha256:` and the hex SHA-256 of the canonical JSON of the `ServiceProviderConfig` body
    /// the target served, or null when none was fetched or it did not parse.
    pub service_provider_config_sha256: Option<String>,
}

/// How a baseline entry fared in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// Its check fails with the same fingerprint: a known finding.
    Known,
    /// Its check ran and the finding is gone (it passed, or it reports another finding that
    /// would not fail the run): the entry can be removed.
    Fixed,
    /// Its check still fails the run, with another finding (another fingerprint: a new one).
    Changed,
    /// Its check did not run, or was skipped: nothing to say.
    Unobserved,
}

impl EntryStatus {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Known => "known",
            EntryStatus::Fixed => "fixed",
            EntryStatus::Changed => "changed",
            EntryStatus::Unobserved => "unobserved",
        }
    }
}

/// One baseline entry and how it fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOutcome {
    /// The check id.
    pub check: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Why the finding is accepted (written by people).
    #[serde(default)]
    pub reason: String,
    /// How it fared.
    pub status: EntryStatus,
}

/// What `--baseline` did to a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineOutcome {
    /// The baseline file, as given.
    pub file: String,
    /// Findings the baseline lists: reported, not failing.
    pub known: usize,
    /// Findings that would fail the run and the baseline does not list.
    pub new: usize,
    /// Entries whose finding is gone.
    pub fixed: usize,
    /// Every entry, in the baseline's order.
    pub entries: Vec<EntryOutcome>,
}

/// `Should`: the default `--fail-on`, which is what the exit status always meant.
fn default_fail_on() -> Severity {
    Severity::Should
}

/// The versioned JSON report (DESIGN §4.3), also the input of the JUnit and Markdown reporters.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// `--client`: the identity provider whose requests were replayed, with its options
    /// (`entra`, `entra aadOptscim062020`, `okta`); absent for a profile run (extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Wall time.
    pub duration_ms: u64,
    /// Counts.
    pub summary: Summary,
    /// Every check that ran, in order.
    pub checks: Vec<CheckResult>,
    /// Writes were allowed (extension).
    #[serde(default)]
    pub allow_writes: bool,
    /// Stopped early by a signal (extension).
    #[serde(default)]
    pub interrupted: bool,
    /// Every request the checks sent with the credentials was answered 401/403: the run could
    /// not really happen (extension; exit status 2).
    #[serde(default)]
    pub credentials_rejected: bool,
    /// Created users' fate (extension).
    #[serde(default)]
    pub cleanup: Cleanup,
    /// Who was checked against what (extension; absent in reports of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The `--fail-on` threshold the exit status used (extension).
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
    /// Checks that fail the run: findings at or above `fail_on` that no baseline lists
    /// (extension; exit status 1 when above 0).
    #[serde(default)]
    pub failing: usize,
    /// What `--baseline` did (extension; present only with a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineOutcome>,
}

impl Report {
    /// True when `c` is a finding that fails a run at `fail_on`, baseline aside: a failure at
    /// or above the threshold, or, at `may`, any failure or warning.
    pub fn gates(c: &CheckResult, fail_on: Severity) -> bool {
        match c.status {
            Status::Fail => c.severity.at_least(fail_on),
            Status::Warn => fail_on == Severity::May,
            Status::Pass | Status::Skip => false,
        }
    }

    /// True when `c` fails this run: it gates at the report's `fail_on` and no baseline lists it.
    pub fn is_failing(&self, c: &CheckResult) -> bool {
        Report::gates(c, self.fail_on) && c.baseline != Some(BaselineMark::Known)
    }

    /// Counts the checks that fail the run into `failing`.
    pub fn count_failing(&mut self) {
        self.failing = self.checks.iter().filter(|c| self.is_failing(c)).count();
    }
}
