//! JUnit XML: one `<testcase>` per check, `classname` = the check's group. The `<failure>`
//! elements are exactly the checks that fail the run (so a JUnit-reading CI agrees with the
//! exit status): a known finding is `<skipped>` with the baseline's reason, a failure below
//! `--fail-on` and a warning pass with the finding in `system-out`, and at `--fail-on may` a
//! warning is a `<failure>`. Failures carry the detail and the evidence.

use super::{Standing, known_reason};
use crate::model::{CheckResult, EntryStatus, Evidence, Report};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// Evidence as plain text (also used by the human reporter).
pub fn evidence_text(ev: &[Evidence]) -> String {
    let mut out = String::new();
    for e in ev {
        out.push_str(&format!("> {}\n", e.request));
        out.push_str(&format!("  {}\n", e.curl));
        match (e.status, &e.error) {
            (Some(s), _) => out.push_str(&format!("< HTTP {s}\n")),
            (None, Some(err)) => out.push_str(&format!("< no response: {err}\n")),
            (None, None) => out.push_str("< no response\n"),
        }
        for (k, v) in &e.headers {
            out.push_str(&format!("< {k}: {v}\n"));
        }
        if !e.response_excerpt.is_empty() {
            out.push_str(&format!("< {}\n", e.response_excerpt.replace('\n', "\n  ")));
        }
    }
    out
}

fn case(report: &Report, r: &CheckResult) -> TestCase {
    let standing = Standing::of(r, report.fail_on);
    let note = standing.note(r, report.fail_on, known_reason(report, r));
    let status = match standing {
        Standing::Passed | Standing::Warning | Standing::Below => TestCaseStatus::success(),
        Standing::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.detail.as_str());
            s
        }
        Standing::Known => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "{}: {}",
                note.clone().unwrap_or_default(),
                r.detail
            ));
            s.set_description(evidence_text(&r.evidence));
            s
        }
        Standing::Failing => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let message = match &note {
                Some(n) => format!("{n}: {}", r.detail),
                None => r.detail.clone(),
            };
            s.set_message(message.as_str());
            s.set_type(format!("{} ({})", r.severity.as_str(), r.reference));
            s.set_description(format!("{message}\n\n{}", evidence_text(&r.evidence)));
            s
        }
    };
    let mut c = TestCase::new(r.id.as_str(), status);
    c.set_classname(r.group());
    c.set_time(Duration::from_millis(r.duration_ms));
    c.add_property(Property::new("title", r.title.as_str()));
    c.add_property(Property::new("severity", r.severity.as_str()));
    c.add_property(Property::new("reference", r.reference.as_str()));
    if let Some(fp) = &r.fingerprint {
        c.add_property(Property::new("fingerprint", fp.as_str()));
    }
    let system_out = match standing {
        Standing::Warning => Some(format!("warning: {}", r.detail)),
        Standing::Below => Some(format!("{}: {}", note.unwrap_or_default(), r.detail)),
        _ => None,
    };
    if let Some(text) = system_out {
        c.set_system_out(format!("{text}\n\n{}", evidence_text(&r.evidence)));
    }
    c
}

/// The report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut junit = quick_junit::Report::new(format!("scimock check {}", report.profile));
    junit.set_time(Duration::from_millis(report.duration_ms));
    let mut groups: Vec<&str> = Vec::new();
    for c in &report.checks {
        if !groups.contains(&c.group()) {
            groups.push(c.group());
        }
    }
    for g in groups {
        let mut suite = TestSuite::new(g);
        suite.add_property(Property::new("target", report.target.as_str()));
        suite.add_property(Property::new("profile", report.profile.as_str()));
        suite.add_property(Property::new("fail_on", report.fail_on.as_str()));
        if let Some(id) = &report.identity {
            suite.add_property(Property::new("profile_digest", id.profile_digest.as_str()));
        }
        suite.add_test_cases(
            report
                .checks
                .iter()
                .filter(|c| c.group() == g)
                .map(|c| case(report, c)),
        );
        junit.add_test_suite(suite);
    }
    if let Some(b) = &report.baseline {
        let mut suite = TestSuite::new("baseline");
        suite.add_property(Property::new("file", b.file.as_str()));
        let mut text = format!(
            "baseline {}: {} known, {} new, {} fixed\n",
            b.file, b.known, b.new, b.fixed
        );
        for e in &b.entries {
            if matches!(e.status, EntryStatus::Fixed | EntryStatus::Changed) {
                text.push_str(&format!(
                    "{} {} {}: remove it from the baseline\n",
                    e.status.as_str(),
                    e.check,
                    e.fingerprint
                ));
            }
        }
        suite.set_system_out(text);
        junit.add_test_suite(suite);
    }
    if !report.cleanup.leftovers.is_empty() || report.cleanup.note.is_some() {
        let mut suite = TestSuite::new("cleanup");
        let mut text = String::new();
        if let Some(n) = &report.cleanup.note {
            text.push_str(&format!("{n}\n"));
        }
        for l in &report.cleanup.leftovers {
            text.push_str(&format!("could not remove: {l}\n"));
        }
        suite.set_system_out(text);
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot render JUnit XML: {e} -->\n"))
}
