//! A Markdown summary for pull-request comments and GitHub job summaries: a heading with the
//! counts, the target and its identity, the gate (`--fail-on`, baseline) when one is in use, a
//! table with failures first, baseline entries whose finding is gone, and leftover users.

use super::{Standing, failures_first, known_reason};
use crate::model::{BaselineOutcome, EntryStatus, Report, Severity, Status};

/// A single line of at most 300 characters.
fn one_line(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    let mut out: String = one_line.chars().take(300).collect();
    if one_line.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// One table cell of text the target controls: a single line of at most 300 characters, with
/// pipes, HTML and link brackets escaped (a hostile detail renders as text and fetches nothing).
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in one_line(s).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline code that survives any content (backticks replaced, pipes escaped for tables).
pub(crate) fn code(s: &str) -> String {
    format!("`{}`", one_line(s).replace('`', "'").replace('|', "\\|"))
}

fn icon(standing: Standing, status: Status) -> &'static str {
    match (standing, status) {
        (Standing::Failing, Status::Warn) => "❌ warn",
        (Standing::Failing, _) => "❌ fail",
        (Standing::Known, _) => "🔕 known",
        (Standing::Below, _) => "➖ fail",
        (Standing::Warning, _) => "⚠️ warn",
        (Standing::Passed, _) => "✅ pass",
        (Standing::Skipped, _) => "⏭️ skip",
    }
}

/// The gate in one line, when it differs from a plain run (a threshold other than the
/// default, or a baseline).
pub(crate) fn gate_text(
    fail_on: Severity,
    failing: usize,
    baseline: Option<&BaselineOutcome>,
) -> Option<String> {
    if fail_on == Severity::Should && baseline.is_none() {
        return None;
    }
    let mut s = format!(
        "{failing} check(s) fail the run at --fail-on {}",
        fail_on.as_str()
    );
    if let Some(b) = baseline {
        s.push_str(&format!(
            "; baseline {}: {} known, {} new, {} fixed",
            b.file, b.known, b.new, b.fixed
        ));
    }
    Some(s)
}

/// [`gate_text`] of a finished report.
pub(crate) fn gate_line(report: &Report) -> Option<String> {
    gate_text(report.fail_on, report.failing, report.baseline.as_ref())
}

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = format!(
        "### scimock check · `{}` · {}\n\n",
        report.profile,
        s.line()
    );
    out.push_str(&format!(
        "Target {} · {} · {} ms{}\n\n",
        code(&report.target),
        if report.allow_writes {
            "with writes"
        } else {
            "read-only"
        },
        report.duration_ms,
        if report.interrupted {
            " · **interrupted**"
        } else {
            ""
        }
    ));
    if let Some(id) = &report.identity {
        out.push_str(&format!(
            "Profile digest {} · ServiceProviderConfig {}\n\n",
            code(&short_digest(&id.profile_digest)),
            id.service_provider_config_sha256
                .as_deref()
                .map_or_else(|| "not fetched".to_string(), |d| code(&short_digest(d)))
        ));
    }
    if let Some(g) = gate_line(report) {
        out.push_str(&format!("**Gate**: {}\n\n", cell(&g)));
    }
    out.push_str("| Status | Check | Severity | Reference | Detail |\n|---|---|---|---|---|\n");
    for c in failures_first(report) {
        let standing = Standing::of(c, report.fail_on);
        let detail = match standing.note(c, report.fail_on, known_reason(report, c)) {
            Some(n) => format!("**{}** — {}", cell(&n), cell(&c.detail)),
            None => cell(&c.detail),
        };
        out.push_str(&format!(
            "| {} | `{}` {} | {} | {} | {} |\n",
            icon(standing, c.status),
            c.id,
            cell(&c.title),
            c.severity.as_str(),
            cell(&c.reference),
            detail
        ));
    }
    if let Some(b) = &report.baseline {
        let gone: Vec<_> = b
            .entries
            .iter()
            .filter(|e| matches!(e.status, EntryStatus::Fixed | EntryStatus::Changed))
            .collect();
        if !gone.is_empty() {
            out.push_str("\n**Baseline entries whose finding is gone** (remove them):\n\n");
            for e in gone {
                let reason = if e.reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(" — {}", cell(&e.reason))
                };
                out.push_str(&format!(
                    "- `{}` `{}`: {}{}\n",
                    e.check,
                    e.fingerprint,
                    if e.status == EntryStatus::Fixed {
                        "fixed"
                    } else {
                        "changed (the check now fails with another finding)"
                    },
                    reason
                ));
            }
        }
    }
    if !report.cleanup.leftovers.is_empty() {
        out.push_str("\n**Users the run could not remove:**\n\n");
        for l in &report.cleanup.leftovers {
            out.push_str(&format!("- {}\n", cell(l)));
        }
    }
    out
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(d: &str) -> String {
    d.chars().take("sha256:".len() + 12).collect()
}
