//! GitHub Actions workflow commands for a finished report (`--annotations github`):
//! `::error` for each check that fails the run, `::warning` for warnings and failures below
//! `--fail-on`, `::notice` for known findings and for baseline entries whose finding is gone.
//! Values are escaped by the runner's rules: in messages `%`, `\r`, `\n`; in properties also
//! `:` and `,`. (The job summary is the Markdown report, appended to `GITHUB_STEP_SUMMARY` by
//! the binary.)

use super::{Standing, known_reason};
use crate::model::{CheckResult, EntryStatus, Report};

/// A message escaped for a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`title=...`) escaped for a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(kind: &str, title: &str, message: &str) -> String {
    format!(
        "::{kind} title={}::{}\n",
        escape_property(title),
        escape_data(message)
    )
}

fn message(c: &CheckResult, note: Option<String>) -> String {
    let mut m = String::new();
    if let Some(n) = note {
        m.push_str(&n);
        m.push_str(": ");
    }
    m.push_str(&c.detail);
    m.push_str(&format!("\n{} — {}", c.title, c.reference));
    if let Some(e) = c.evidence.first() {
        m.push_str(&format!("\n{}", e.curl));
    }
    m
}

/// The workflow commands for a report, one per line.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let standing = Standing::of(c, report.fail_on);
        let kind = match standing {
            Standing::Failing => "error",
            Standing::Below | Standing::Warning => "warning",
            Standing::Known => "notice",
            Standing::Passed | Standing::Skipped => continue,
        };
        let title = format!(
            "scimock {} ({}, {})",
            c.id,
            c.severity.as_str(),
            c.status.as_str()
        );
        let note = standing.note(c, report.fail_on, known_reason(report, c));
        out.push_str(&command(kind, &title, &message(c, note)));
    }
    if let Some(b) = &report.baseline {
        for e in &b.entries {
            let what = match e.status {
                EntryStatus::Fixed => "fixed",
                EntryStatus::Changed => "changed: the check now fails with another finding",
                EntryStatus::Known | EntryStatus::Unobserved => continue,
            };
            out.push_str(&command(
                "notice",
                &format!("scimock baseline {}", e.check),
                &format!(
                    "{} {} {what}; remove the entry from {}",
                    e.check, e.fingerprint, b.file
                ),
            ));
        }
    }
    for l in &report.cleanup.leftovers {
        out.push_str(&command(
            "warning",
            "scimock cleanup",
            &format!("could not remove a user the run created: {l}"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_by_the_runner_rules() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(
            escape_property("100% a\r\nb: c, d"),
            "100%25 a%0D%0Ab%3A c%2C d"
        );
        let line = command("error", "scimock a.b (must, fail)", "x\n::error::injected");
        assert_eq!(
            line,
            "::error title=scimock a.b (must%2C fail)::x%0A::error::injected\n"
        );
        assert_eq!(
            line.lines().count(),
            1,
            "a message never starts a new command"
        );
    }
}
