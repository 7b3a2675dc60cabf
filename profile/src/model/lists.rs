//! How a profile lists: paging, count caps, cursors, filters, sorting and projection.

use super::yes;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How lists page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// RFC 7644 §3.4.2.4 `startIndex` / `count`.
    Index,
    /// No paging: `startIndex`/`count` ignored, everything returned.
    None,
}

/// What to do with a `count` above the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverMax {
    /// Silently return at most the maximum.
    Clamp,
    /// 400 (`invalidValue`).
    Reject,
}

/// What `itemsPerPage` means in a list response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemsPerPage {
    /// The number of resources in this page (RFC 7644).
    Returned,
    /// The page size asked for (or the default), whatever was returned (Adra S-003).
    Requested,
}

/// List semantics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Index paging or none.
    pub pagination: Pagination,
    /// Page size when `count` is absent (`null`: everything).
    pub default_count: Option<u64>,
    /// Largest page (`null`: no cap).
    pub max_count: Option<u64>,
    /// Clamp or reject a `count` above `max_count`.
    pub over_max: OverMax,
    /// Meaning of `itemsPerPage`.
    pub items_per_page: ItemsPerPage,
    /// Leave out `Resources` when the page is empty.
    pub omit_empty_resources: bool,
    /// RFC 9865 cursor pagination, if offered.
    #[serde(default)]
    pub cursor: Option<CursorSpec>,
    /// Queries across resource types and in request bodies offered: `GET /` at the base
    /// (RFC 7644 §3.4.2.1), `POST /.search` and `POST /{Resource}/.search` (§3.4.3).
    #[serde(default)]
    pub search: bool,
    /// `startIndex` below 1 and `count` below 1: read the RFC 7644 §3.4.2.4 way (`rfc`), or
    /// refused with 400 where the document says "Minimum value is 1" (`reject`, Adra S-003).
    #[serde(default)]
    pub below_minimum: BelowMinimum,
    /// `startIndex` is not supported and ignored: every index page starts at the first result
    /// (AWS IAM Identity Center, D:W4; it pages with `cursor`).
    #[serde(default)]
    pub ignore_start_index: bool,
    /// Eventual consistency, a testing aid (off: 0): a user or group created through the API
    /// appears in list results only this many milliseconds after its create was answered
    /// (reads by id see it at once). Some vendors provision asynchronously.
    #[serde(default)]
    pub visibility_delay_ms: u64,
}

/// What `startIndex` / `count` below 1 get.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BelowMinimum {
    /// RFC 7644 §3.4.2.4: startIndex < 1 is 1, count 0 is totals only.
    #[default]
    Rfc,
    /// 400 naming the parameter and the minimum.
    Reject,
}

/// Which attributes `/Schemas` advertises.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemaAttributes {
    /// The whole RFC 7643 schemas (with the vendor's own attributes).
    #[default]
    Rfc,
    /// Only `shape.stored_attributes` (and the vendor's own attributes): advertising and
    /// storing use one list.
    Documented,
}

/// RFC 9865 cursor pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CursorSpec {
    /// Seconds a cursor stays valid (`cursorTimeout`).
    pub timeout_secs: u64,
    /// Cursor pages carry `totalResults` (RFC 9865 allows leaving it out; AWS IAM Identity
    /// Center does, D:W4/D:W5).
    #[serde(default = "yes")]
    pub total_results: bool,
}

/// A documented refusal: status, `scimType` and the message the vendor gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// RFC 7644 `scimType`, when the format carries one.
    #[serde(default)]
    pub scim_type: Option<String>,
    /// Message; `{attr}` and `{op}` are replaced with what was refused.
    pub detail: String,
}

/// Which filters one resource type accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterRules {
    /// Any attribute with any operator (generic).
    #[serde(default)]
    pub any: bool,
    /// Otherwise: these attribute paths with these operators (`eq`, `pr`, ...).
    #[serde(default)]
    pub allow: Vec<AllowedAttr>,
    /// `and` / `or` allowed.
    #[serde(default)]
    pub logical: bool,
    /// `not` allowed.
    #[serde(default)]
    pub not: bool,
    /// Value paths `attr[...]` allowed.
    #[serde(default)]
    pub value_paths: bool,
    /// This resource type's answer to an attribute outside `allow` (default:
    /// `filter.refusal`; Atlassian Groups name displayName, 3P:L5).
    #[serde(default)]
    pub refusal: Option<Refusal>,
}

/// One allowed attribute and its operators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedAttr {
    /// Dotted attribute path, compared case-insensitively.
    pub attr: String,
    /// Allowed operators (lowercase).
    pub ops: Vec<String>,
}

/// Filter support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    /// Rules for `/Users`.
    pub users: FilterRules,
    /// Rules for `/Groups`.
    pub groups: FilterRules,
    /// The documented answer to a filter the vendor does not support (`{attr}`: the
    /// attribute, `{op}`: the operator).
    pub refusal: Refusal,
    /// The answer to a logical operator or value path the vendor does not support (`{attr}`
    /// and `{op}`: `and`, `or`, `not`, `[]`); default `refusal`.
    #[serde(default)]
    pub construct_refusal: Option<Refusal>,
    /// The answer to an allowed attribute with an operator the vendor does not support
    /// (`userName co`); default the resource type's attribute refusal.
    #[serde(default)]
    pub operator_refusal: Option<Refusal>,
    /// Answer a syntactically valid filter on an attribute outside the allow-list, or on one no
    /// schema defines, with an empty list instead of the refusal (Attio `externalId` probe,
    /// [I]). Off, an attribute no schema defines is refused with `refusal` even where the
    /// allow-list accepts any attribute: RFC 7644 §3.12 Table 9 `invalidFilter`, "the specified
    /// attribute and filter comparison combination is not supported".
    #[serde(default)]
    pub unknown_attr_empty: bool,
    /// Longest accepted filter, bytes.
    pub max_length: usize,
    /// Deepest accepted nesting.
    pub max_depth: usize,
}

/// Sorting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    /// `sortBy` honoured.
    pub supported: bool,
    /// When unsupported: reject `sortBy` with 400 instead of ignoring it.
    #[serde(default)]
    pub reject_when_unsupported: bool,
}

/// `attributes` / `excludedAttributes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectionSpec {
    /// `attributes` honoured.
    pub attributes: bool,
    /// `excludedAttributes` honoured.
    pub excluded_attributes: bool,
    /// Both at once is a 400 (Atlassian).
    #[serde(default)]
    pub mutually_exclusive: bool,
}
