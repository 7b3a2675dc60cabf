//! Reporters over the runner's events: human (live), and JSON, JUnit XML and Markdown over the
//! finished [`Report`](crate::model::Report) built from the same events.

pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;

use crate::model::Report;

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
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(format!(
                "unknown format {s:?}; one of human, json, junit, markdown"
            )),
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
    }
}
