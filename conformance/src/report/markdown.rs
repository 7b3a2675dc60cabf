//! A Markdown summary table for pull-request comments.

use crate::model::{Report, Status};

fn cell(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    let short: String = one_line.chars().take(300).collect();
    let mut out = short.replace('|', "\\|");
    if one_line.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Skip => "⏭️ skip",
        Status::Warn => "⚠️ warn",
    }
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
        "Target `{}` · {} · {} ms{}\n\n",
        report.target,
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
    out.push_str("| Status | Check | Severity | Reference | Detail |\n|---|---|---|---|---|\n");
    let mut rows: Vec<_> = report.checks.iter().collect();
    rows.sort_by_key(|c| match c.status {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Pass => 2,
        Status::Skip => 3,
    });
    for c in rows {
        out.push_str(&format!(
            "| {} | `{}` {} | {} | {} | {} |\n",
            icon(c.status),
            c.id,
            cell(&c.title),
            c.severity.as_str(),
            cell(&c.reference),
            cell(&c.detail)
        ));
    }
    if !report.cleanup.leftovers.is_empty() {
        out.push_str("\n**Users the run could not remove:**\n\n");
        for l in &report.cleanup.leftovers {
            out.push_str(&format!("- {}\n", cell(l)));
        }
    }
    out
}
