//! Reporters over the runner's events: human (live), and JSON, JUnit XML, Markdown and HTML
//! over the finished [`Report`](crate::model::Report) built from the same events; GitHub
//! workflow commands ([`github`]) for CI annotations.
//!
//! Every format shows the gate the same way (`--fail-on` and `--baseline`, see
//! [`crate::baseline::Gate`]): a check that fails the run, a known finding (listed in the
//! baseline: reported, not failing), a failure below `--fail-on` (reported, not failing), and
//! baseline entries whose finding is gone ("fixed").

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;

use crate::model::{BaselineMark, CheckResult, Report, Severity, Status};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Progress and a summary for people.
    Human,
    /// The versioned JSON report (DESIGN §4.3).
    Json,
    /// JUnit XML.
    Junit,
    /// A Markdown table for pull-request comments.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// A report format name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}; one of human, json, junit, markdown, html")]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// Renders a finished report in `format` (human without colour).
pub fn render(format: Format, report: &Report) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}

/// How a check stands once the gate has judged it: what every format shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A finding that fails the run.
    Failing,
    /// A finding the baseline lists: reported, not failing.
    Known,
    /// A failure below `--fail-on`: reported, not failing.
    Below,
    /// A warning that does not fail the run.
    Warning,
    /// Passed.
    Passed,
    /// Skipped.
    Skipped,
}

impl Standing {
    /// How `c` stands in a run judged at `fail_on`.
    pub fn of(c: &CheckResult, fail_on: Severity) -> Standing {
        if Report::gates(c, fail_on) {
            if c.baseline == Some(BaselineMark::Known) {
                Standing::Known
            } else {
                Standing::Failing
            }
        } else {
            match c.status {
                Status::Fail => Standing::Below,
                Status::Warn => Standing::Warning,
                Status::Pass => Standing::Passed,
                Status::Skip => Standing::Skipped,
            }
        }
    }

    /// Order in reports that put failures first.
    pub fn rank(self) -> u8 {
        match self {
            Standing::Failing => 0,
            Standing::Known => 1,
            Standing::Below => 2,
            Standing::Warning => 3,
            Standing::Passed => 4,
            Standing::Skipped => 5,
        }
    }

    /// Why a finding does not fail the run, in words (None when it does, or is no finding).
    pub fn note(self, c: &CheckResult, fail_on: Severity, reason: Option<&str>) -> Option<String> {
        match self {
            Standing::Known => Some(match reason.filter(|r| !r.trim().is_empty()) {
                Some(r) => format!("known (baseline): {}", r.trim()),
                None => "known (baseline)".to_string(),
            }),
            Standing::Below => Some(format!(
                "{} failure below --fail-on {}: does not fail the run",
                c.severity.as_str(),
                fail_on.as_str()
            )),
            Standing::Failing if c.status == Status::Warn => Some(format!(
                "a warning fails the run at --fail-on {}",
                fail_on.as_str()
            )),
            _ => None,
        }
    }
}

/// The checks of a report, failures first (then known findings, failures below the threshold,
/// warnings, passes and skips), catalog order within each.
pub fn failures_first(report: &Report) -> Vec<&CheckResult> {
    let mut rows: Vec<&CheckResult> = report.checks.iter().collect();
    rows.sort_by_key(|c| Standing::of(c, report.fail_on).rank());
    rows
}

/// The reason the report's baseline gives for a known finding.
pub fn known_reason<'a>(report: &'a Report, c: &CheckResult) -> Option<&'a str> {
    let o = report.baseline.as_ref()?;
    let fp = c.fingerprint.as_deref()?;
    o.entries
        .iter()
        .find(|e| e.check == c.id && e.fingerprint == fp)
        .map(|e| e.reason.as_str())
}
