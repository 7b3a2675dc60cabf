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

/// A report format name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}; one of human, json, junit, markdown")]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
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
    }
}
