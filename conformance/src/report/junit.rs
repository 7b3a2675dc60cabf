//! JUnit XML: one `<testcase>` per check, `classname` = the check's group, failures carrying
//! the detail and the evidence.

use crate::model::{CheckResult, Evidence, Report, Status};
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

fn case(r: &CheckResult) -> TestCase {
    let status = match r.status {
        Status::Pass | Status::Warn => TestCaseStatus::success(),
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.detail.as_str());
            s
        }
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(r.detail.as_str());
            s.set_type(format!("{} ({})", r.severity.as_str(), r.reference));
            s.set_description(format!("{}\n\n{}", r.detail, evidence_text(&r.evidence)));
            s
        }
    };
    let mut c = TestCase::new(r.id.as_str(), status);
    c.set_classname(r.group());
    c.set_time(Duration::from_millis(r.duration_ms));
    c.add_property(Property::new("title", r.title.as_str()));
    c.add_property(Property::new("severity", r.severity.as_str()));
    c.add_property(Property::new("reference", r.reference.as_str()));
    if r.status == Status::Warn {
        c.set_system_out(format!(
            "warning: {}\n\n{}",
            r.detail,
            evidence_text(&r.evidence)
        ));
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
        suite.add_test_cases(report.checks.iter().filter(|c| c.group() == g).map(case));
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
