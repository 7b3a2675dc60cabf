//! `scimock diff OLD.json NEW.json`: what changed between two JSON reports of the same target
//! and profile — regressions (a check that did not fail and now fails), fixes (a check that
//! failed and now passes or only warns), checks new or removed in NEW, other status changes
//! (to or from a skip, pass <-> warn) and changed details (same status, a different finding:
//! details are compared with their volatile parts masked, as fingerprints are).
//!
//! Reports of different targets or profiles are refused (they are not like with like) unless
//! the caller chooses to compare anyway; a changed profile digest or `ServiceProviderConfig`
//! digest is reported as a note, since it explains changes.

use crate::baseline::normalise;
use crate::model::{CheckResult, Report, Status};
use crate::report::markdown::cell;

/// Why a report cannot be compared (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Not a scimock JSON report.
    #[error("{path} is not a scimock JSON report: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A report version this scimock does not read.
    #[error("{path}: report_version {version} is not supported (this scimock reads version 1)")]
    Version {
        /// The file.
        path: String,
        /// Its version.
        version: String,
    },
    /// The reports are for different targets or profiles.
    #[error("{0}")]
    Mismatch(String),
}

/// Parses a JSON report's text; `path` names it in errors.
pub fn parse_report(text: &str, path: &str) -> Result<Report, DiffError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| DiffError::Parse {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    match v.get("report_version") {
        Some(n) if n == 1 => {}
        Some(n) => {
            return Err(DiffError::Version {
                path: path.to_string(),
                version: n.to_string(),
            });
        }
        None => {
            return Err(DiffError::Parse {
                path: path.to_string(),
                reason: "no report_version (write it with scimock check --format json)".into(),
            });
        }
    }
    serde_json::from_value(v).map_err(|e| DiffError::Parse {
        path: path.to_string(),
        reason: e.to_string(),
    })
}

/// Reads a JSON report file.
pub fn read_report(path: &std::path::Path) -> Result<Report, DiffError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| DiffError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    parse_report(&text, &shown)
}

/// What differs about the targets of two reports: their base URLs, their profiles.
fn differences(old: &Report, new: &Report) -> Vec<String> {
    let mut why = Vec::new();
    if old.target != new.target {
        why.push(format!("targets differ: {} vs {}", old.target, new.target));
    }
    if old.profile != new.profile {
        why.push(format!(
            "profiles differ: {} vs {}",
            old.profile, new.profile
        ));
    }
    why
}

/// Why two reports are not like with like (different target or profile), if they are not.
pub fn mismatch(old: &Report, new: &Report) -> Option<String> {
    let why = differences(old, new);
    (!why.is_empty()).then(|| {
        format!(
            "the reports are not for the same target and profile ({}); pass --ignore-identity to compare them anyway",
            why.join("; ")
        )
    })
}

/// One check in both reports whose status or finding changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The check in OLD.
    pub old: CheckResult,
    /// The check in NEW.
    pub new: CheckResult,
}

/// What changed from OLD to NEW.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// OLD's target, profile, start and tool version, in words.
    pub old_label: String,
    /// NEW's, in words.
    pub new_label: String,
    /// What differs about the runs themselves (identity, tool version, writes).
    pub notes: Vec<String>,
    /// Checks that did not fail in OLD and fail in NEW.
    pub regressions: Vec<Change>,
    /// Checks that failed in OLD and pass or only warn in NEW.
    pub fixes: Vec<Change>,
    /// Checks only in NEW.
    pub added: Vec<CheckResult>,
    /// Checks only in OLD.
    pub removed: Vec<CheckResult>,
    /// Other status changes (to or from a skip, pass <-> warn).
    pub status_changes: Vec<Change>,
    /// Same status, another finding.
    pub changed_details: Vec<Change>,
    /// Checks in both with the same status and finding.
    pub unchanged: usize,
}

impl Diff {
    /// True when NEW fails a check OLD did not fail (exit status 1).
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }

    /// The counts line: `N regressions, N fixes, N new, N removed, N status changes, N changed details, N unchanged`.
    pub fn line(&self) -> String {
        format!(
            "{} regressions, {} fixes, {} new, {} removed, {} status changes, {} changed details, {} unchanged",
            self.regressions.len(),
            self.fixes.len(),
            self.added.len(),
            self.removed.len(),
            self.status_changes.len(),
            self.changed_details.len(),
            self.unchanged
        )
    }
}

fn label(r: &Report) -> String {
    format!(
        "{} --profile {} (started {}, scimock {}, {})",
        r.target,
        r.profile,
        r.started_at,
        r.tool_version,
        if r.allow_writes {
            "with writes"
        } else {
            "read-only"
        }
    )
}

fn notes(old: &Report, new: &Report) -> Vec<String> {
    let mut n: Vec<String> = differences(old, new)
        .into_iter()
        .map(|d| format!("compared anyway: {d}"))
        .collect();
    match (&old.identity, &new.identity) {
        (Some(a), Some(b)) => {
            if a.profile_digest != b.profile_digest {
                n.push(format!(
                    "the profile's facts differ between the runs ({} -> {}): checks may judge differently",
                    a.profile_digest, b.profile_digest
                ));
            }
            match (
                &a.service_provider_config_sha256,
                &b.service_provider_config_sha256,
            ) {
                (Some(x), Some(y)) if x != y => n.push(format!(
                    "the target's ServiceProviderConfig changed between the runs ({x} -> {y})"
                )),
                (Some(_), None) => n.push(
                    "NEW has no ServiceProviderConfig digest (not served, or not parsed)".into(),
                ),
                (None, Some(_)) => n.push(
                    "OLD has no ServiceProviderConfig digest (not served, or not parsed)".into(),
                ),
                _ => {}
            }
        }
        (None, _) | (_, None) => n.push(
            "a report without an identity (written by an older scimock): compared by target and profile only"
                .into(),
        ),
    }
    if old.tool_version != new.tool_version {
        n.push(format!(
            "written by different scimock versions ({} -> {})",
            old.tool_version, new.tool_version
        ));
    }
    if old.allow_writes != new.allow_writes {
        n.push(
            "one run allowed writes and the other did not: write checks skip in the read-only one"
                .into(),
        );
    }
    if new.interrupted {
        n.push("NEW was interrupted: checks it did not reach show as removed".into());
    }
    n
}

/// Compares two reports (the caller decides first whether a [`mismatch`] stops it).
pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut d = Diff {
        old_label: label(old),
        new_label: label(new),
        notes: notes(old, new),
        ..Diff::default()
    };
    for n in &new.checks {
        let Some(o) = old.checks.iter().find(|o| o.id == n.id) else {
            d.added.push(n.clone());
            continue;
        };
        let change = Change {
            old: o.clone(),
            new: n.clone(),
        };
        match (o.status, n.status) {
            (a, Status::Fail) if a != Status::Fail => d.regressions.push(change),
            (Status::Fail, Status::Pass | Status::Warn) => d.fixes.push(change),
            (a, b) if a != b => d.status_changes.push(change),
            _ if normalise(&o.detail) != normalise(&n.detail) => d.changed_details.push(change),
            _ => d.unchanged += 1,
        }
    }
    d.removed = old
        .checks
        .iter()
        .filter(|o| !new.checks.iter().any(|n| n.id == o.id))
        .cloned()
        .collect();
    d
}

fn transition(c: &Change) -> String {
    format!("{} -> {}", c.old.status.as_str(), c.new.status.as_str())
}

/// The diff for people.
pub fn render_human(d: &Diff) -> String {
    let mut out = format!(
        "scimock diff\n  old: {}\n  new: {}\n",
        d.old_label, d.new_label
    );
    for n in &d.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    let mut section = |title: &str, items: &[Change], show_old: bool| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title} ({}):\n", items.len()));
        for c in items {
            out.push_str(&format!(
                "  {:<36} {:<14} [{}] {}\n",
                c.new.id,
                transition(c),
                c.new.severity.as_str(),
                c.new.title
            ));
            if show_old {
                out.push_str(&format!("      was: {}\n", c.old.detail));
            }
            out.push_str(&format!("      now: {}\n", c.new.detail));
        }
    };
    section("Regressions", &d.regressions, false);
    section("Fixes", &d.fixes, true);
    section("Other status changes", &d.status_changes, false);
    section("Changed details", &d.changed_details, true);
    for (title, items) in [("New checks", &d.added), ("Removed checks", &d.removed)] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({}):\n", items.len()));
        for c in items {
            out.push_str(&format!(
                "  {:<36} {:<6} [{}] {}\n",
                c.id,
                c.status.as_str(),
                c.severity.as_str(),
                c.title
            ));
        }
    }
    out.push('\n');
    out.push_str(&d.line());
    out.push('\n');
    out
}

/// The diff as Markdown (for a pull-request comment or a job summary).
pub fn render_markdown(d: &Diff) -> String {
    let mut out = format!(
        "### scimock diff · {}\n\n- old: {}\n- new: {}\n",
        d.line(),
        cell(&d.old_label),
        cell(&d.new_label)
    );
    for n in &d.notes {
        out.push_str(&format!("- note: {}\n", cell(n)));
    }
    let mut section = |title: &str, items: &[Change], show_old: bool| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!(
            "\n#### {title} ({})\n\n| Check | Change | Severity | {}Now |\n|---|---|---|{}---|\n",
            items.len(),
            if show_old { "Was | " } else { "" },
            if show_old { "---|" } else { "" }
        ));
        for c in items {
            out.push_str(&format!(
                "| `{}` {} | {} | {} | {}{} |\n",
                c.new.id,
                cell(&c.new.title),
                transition(c),
                c.new.severity.as_str(),
                if show_old {
                    format!("{} | ", cell(&c.old.detail))
                } else {
                    String::new()
                },
                cell(&c.new.detail)
            ));
        }
    };
    section("❌ Regressions", &d.regressions, false);
    section("✅ Fixes", &d.fixes, true);
    section("Other status changes", &d.status_changes, false);
    section("Changed details", &d.changed_details, true);
    for (title, items) in [("New checks", &d.added), ("Removed checks", &d.removed)] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n#### {title} ({})\n\n| Check | Status | Severity |\n|---|---|---|\n",
            items.len()
        ));
        for c in items {
            out.push_str(&format!(
                "| `{}` {} | {} | {} |\n",
                c.id,
                cell(&c.title),
                c.status.as_str(),
                c.severity.as_str()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cleanup, Identity, Severity, Summary};

    fn check(id: &str, status: Status, detail: &str) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: format!("{id} title"),
            severity: Severity::Must,
            reference: "RFC 7644".into(),
            status,
            detail: detail.into(),
            duration_ms: 1,
            evidence: Vec::new(),
            fingerprint: None,
            baseline: None,
        }
    }

    fn report(checks: Vec<CheckResult>, spc: &str) -> Report {
        let mut summary = Summary::default();
        for c in &checks {
            summary.add(c.status);
        }
        Report {
            report_version: 1,
            tool: "scimock".into(),
            tool_version: "0.1.0".into(),
            target: "http://127.0.0.1:8080/scim/v2".into(),
            profile: "generic".into(),
            client: None,
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 5,
            summary,
            checks,
            allow_writes: false,
            interrupted: false,
            credentials_rejected: false,
            cleanup: Cleanup::default(),
            identity: Some(Identity {
                base_url: "http://127.0.0.1:8080/scim/v2".into(),
                profile: "generic".into(),
                profile_digest: "sha256:p".into(),
                service_provider_config_sha256: Some(spc.into()),
            }),
            fail_on: Severity::Should,
            failing: 0,
            baseline: None,
        }
    }

    #[test]
    fn regressions_fixes_new_removed_and_changed_details_are_told_apart() {
        let old = report(
            vec![
                check("a.regress", Status::Pass, "fine"),
                check("b.fix", Status::Fail, "broken"),
                check("c.same", Status::Fail, "took 12 ms"),
                check("d.detail", Status::Fail, "HTTP 400"),
                check("e.skip", Status::Pass, "fine"),
                check("f.gone", Status::Pass, "fine"),
                check("g.from-skip", Status::Skip, "no users"),
            ],
            "sha256:1",
        );
        let new = report(
            vec![
                check("a.regress", Status::Fail, "broken now"),
                check("b.fix", Status::Pass, "fine"),
                check("c.same", Status::Fail, "took 99 ms"),
                check("d.detail", Status::Fail, "HTTP 500"),
                check("e.skip", Status::Skip, "read-only"),
                check("g.from-skip", Status::Fail, "broken"),
                check("h.new", Status::Pass, "fine"),
            ],
            "sha256:2",
        );
        let d = diff(&old, &new);
        let ids = |v: &[Change]| v.iter().map(|c| c.new.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.regressions), vec!["a.regress", "g.from-skip"]);
        assert_eq!(ids(&d.fixes), vec!["b.fix"]);
        assert_eq!(ids(&d.changed_details), vec!["d.detail"]);
        assert_eq!(ids(&d.status_changes), vec!["e.skip"]);
        assert_eq!(d.added[0].id, "h.new");
        assert_eq!(d.removed[0].id, "f.gone");
        assert_eq!(d.unchanged, 1);
        assert!(d.has_regressions());
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("ServiceProviderConfig changed"))
        );
        let human = render_human(&d);
        assert!(human.contains("Regressions (2):") && human.contains("pass -> fail"));
        assert!(human.ends_with(&format!("{}\n", d.line())));
        let md = render_markdown(&d);
        assert!(
            md.contains("#### ❌ Regressions (2)")
                && md.contains("| `a.regress` a.regress title | pass -> fail |")
        );
        // The other direction turns the fix into the regression.
        assert_eq!(ids(&diff(&new, &old).regressions), vec!["b.fix"]);
    }

    #[test]
    fn reports_of_other_targets_or_profiles_are_not_like_with_like() {
        let a = report(Vec::new(), "sha256:1");
        let mut b = a.clone();
        assert_eq!(mismatch(&a, &b), None);
        b.profile = "attio".into();
        let m = mismatch(&a, &b).unwrap();
        assert!(m.contains("profiles differ") && m.contains("--ignore-identity"));
        b.profile = a.profile.clone();
        b.target = "http://other/scim".into();
        assert!(mismatch(&a, &b).unwrap().contains("targets differ"));
    }

    #[test]
    fn unreadable_inputs_are_errors_that_name_the_file() {
        assert!(matches!(
            parse_report("{", "a.json"),
            Err(DiffError::Parse { .. })
        ));
        assert!(matches!(
            parse_report(r#"{"report_version":2}"#, "a.json"),
            Err(DiffError::Version { .. })
        ));
        assert!(matches!(
            parse_report(r#"{"checks":[]}"#, "a.json"),
            Err(DiffError::Parse { .. })
        ));
        let e = parse_report(r#"{"report_version":1}"#, "a.json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("a.json is not a scimock JSON report"),
            "{e}"
        );
        // A version-1 report of an older scimock (no extension fields) is read.
        let old = r#"{"report_version":1,"tool":"scimock","tool_version":"0.0.9","target":"t","profile":"generic",
            "started_at":"x","duration_ms":1,"summary":{"passed":1,"failed":0,"skipped":0,"warnings":0},
            "checks":[{"id":"a.b","title":"t","severity":"must","reference":"r","status":"pass","detail":"d",
            "duration_ms":1,"evidence":[{"request":"GET /Users","status":200,"response_excerpt":"{}"}]}]}"#;
        let r = parse_report(old, "old.json").unwrap();
        assert_eq!(r.checks[0].evidence[0].curl, "");
        assert_eq!(r.fail_on, Severity::Should);
    }
}
