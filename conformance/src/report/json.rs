//! The versioned JSON report (DESIGN §4.3): `report_version: 1`.

use crate::model::Report;

/// The report as pretty JSON.
pub fn render(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
