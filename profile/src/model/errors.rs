//! How a profile renders errors: the body format, its fields, and the vendor error-code tables.

use super::yes;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Error rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// Body format.
    pub format: ErrorFormat,
    /// Content-Type of error responses.
    pub content_type: String,
    /// Status of an operation the vendor does not offer on a route it has (405; Adra 501).
    #[serde(
        default = "default_not_offered_status",
        deserialize_with = "error_status"
    )]
    #[schemars(range(min = 400, max = 599))]
    pub not_offered_status: u16,
    /// The vendor's error `type` and `code` per status, for envelopes that carry them (Attio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<ErrorCodes>,
    /// `scim` format: the members that carry the Error URN list, in order (RFC 7644:
    /// `schemas`; AWS IAM Identity Center: `schema` beside `schemas`, 3P:W12/3P:W15).
    #[serde(default = "default_schema_keys")]
    pub schema_keys: Vec<String>,
    /// `scim` format: render `scimType` where the error has one (AWS sends none, 3P:W12).
    #[serde(default = "yes")]
    pub scim_type: bool,
    /// `scim` format: a member carrying a fresh request id (a UUID) on every error (AWS
    /// `exceptionRequestId`, 3P:W12); `null`: none.
    #[serde(default)]
    pub request_id: Option<String>,
    /// `scim` format: a member carrying when the error happened (AWS `timeStamp`, 3P:W12);
    /// `null`: none.
    #[serde(default)]
    pub timestamp: Option<ErrorTimestamp>,
}

fn default_schema_keys() -> Vec<String> {
    vec!["schemas".to_string()]
}

/// A timestamp member of an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorTimestamp {
    /// The member's name (`timeStamp`).
    pub field: String,
    /// How the time is written.
    pub format: TimestampFormat,
}

/// How a timestamp is written, always in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// RFC 3339 with milliseconds: `2022-01-26T16:50:48.135Z`.
    Rfc3339,
    /// Date, a space, the time with milliseconds and no zone: `2022-01-26 16:50:48.135` (AWS,
    /// 3P:W12).
    SpaceMillis,
}

impl ErrorSpec {
    /// RFC 7644 §3.12 SCIM Errors as `application/scim+json`, for answers no profile owns.
    pub fn rfc7644() -> ErrorSpec {
        ErrorSpec {
            format: ErrorFormat::Scim,
            content_type: "application/scim+json".to_string(),
            not_offered_status: default_not_offered_status(),
            codes: None,
            schema_keys: default_schema_keys(),
            scim_type: true,
            request_id: None,
            timestamp: None,
        }
    }

    /// The error-code table for this format: the profile's own, else (for the Attio envelope
    /// chosen by a switch on another profile) the built-in Attio profile's.
    pub fn codes(&self) -> Option<&ErrorCodes> {
        match (&self.codes, self.format) {
            (Some(c), _) => Some(c),
            (None, ErrorFormat::Attio) => crate::builtin_attio_codes(),
            (None, _) => None,
        }
    }
}

/// A vendor's error-code table: an entry per HTTP status and one for any other status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    /// Entries by HTTP status.
    pub by_status: BTreeMap<u16, ErrorCode>,
    /// The entry for a status not in `by_status`.
    pub other: ErrorCode,
}

impl ErrorCodes {
    /// The entry for `status`.
    pub fn for_status(&self, status: u16) -> &ErrorCode {
        self.by_status.get(&status).unwrap_or(&self.other)
    }
}

/// One error-code entry: the envelope's `type` and `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The `type` field (Attio: `invalid_request_error`, `auth_error`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The `code` field (Attio: `not_found`, `rate_limit_exceeded`, ...).
    pub code: String,
}

fn default_not_offered_status() -> u16 {
    405
}

/// An HTTP error status (400–599); anything else is refused when the profile loads.
fn error_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let status = u16::deserialize(d)?;
    if (400..=599).contains(&status) {
        Ok(status)
    } else {
        Err(serde::de::Error::custom(format!(
            "{status} is not an error status (400-599)"
        )))
    }
}

/// The error body formats scimock can render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorFormat {
    /// RFC 7644 §3.12 SCIM Error: `schemas`, `status` as a string, `scimType`, `detail`.
    Scim,
    /// RFC 7807 problem details: `type`, `title`, integer `status`, `detail`, `instance`.
    Problem,
    /// Attio envelope: `status_code`, `type`, `code`, `message`.
    Attio,
    /// Truto envelope: `statusCode`, `error`, `message` (+ remote fields).
    Truto,
    /// Slack's SCIM envelope: `{"Errors": {"description", "code"}}`, `code` the HTTP status as
    /// an integer (D:S6).
    Slack,
}
