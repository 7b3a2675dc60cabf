//! The profile data model. Field comments say what the server does with each fact.

mod schema;
pub use schema::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One vendor's SCIM behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// CLI name (`attio`).
    pub name: String,
    /// Display name (`Attio`).
    pub title: String,
    /// One-line description for `scimock vendors`.
    pub summary: String,
    /// A SCIM endpoint, or a unified facade over other profiles (Truto).
    pub kind: ProfileKind,
    /// The vendor behaviour that is code, not data, by name (`standard` when left out). A
    /// profile that extends `attio` keeps Attio's behaviour whatever its own name.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Path the profile is mounted at, with `{param}` id segments.
    pub base_path: String,
    /// The vendor's real base URL, for documentation only (never contacted).
    pub vendor_base_url: String,
    /// Fixed values for the id segments in `base_path` (directory id, organization sid).
    #[serde(default)]
    pub path_params: BTreeMap<String, String>,
    /// The built-in profile whose seed users and groups (`fixtures/users/NAME.json`) the mock
    /// starts with; `null`: the profile's own name's (a built-in's own, none for a new vendor).
    /// A file that `extends` a built-in inherits that built-in's unless it says otherwise.
    /// `serve --fixtures FILE` replaces them.
    #[serde(default)]
    pub fixtures: Option<String>,
    /// How requests authenticate.
    pub auth: AuthSpec,
    /// Content types in and out.
    pub media: MediaSpec,
    /// How errors are rendered.
    pub errors: ErrorSpec,
    /// List semantics: pagination, caps, envelope details.
    pub list: ListSpec,
    /// Which filters are accepted and how a refusal looks.
    pub filter: FilterSpec,
    /// `sortBy` / `sortOrder`.
    pub sort: SortSpec,
    /// `attributes` / `excludedAttributes`.
    pub projection: ProjectionSpec,
    /// The shape of User resources on the wire.
    pub shape: ShapeSpec,
    /// The extension schemas this vendor defines (RFC 7643 §7 representation), for the URNs in
    /// `shape.extensions` that are not well-known RFC 7643 schemas. A URN in
    /// `shape.extensions` that is neither is a load error.
    #[serde(default, skip_serializing_if = "crate::is_empty")]
    pub schemas: Vec<Schema>,
    /// Groups, if the vendor has them.
    #[serde(default)]
    pub groups: Option<GroupSpec>,
    /// Create / replace / delete rules.
    pub writes: WriteSpec,
    /// PATCH leniency and limits.
    pub patch: PatchSpec,
    /// Discovery endpoints and where they live.
    pub discovery: DiscoverySpec,
    /// ETag / If-Match / If-None-Match support.
    pub etag: EtagSpec,
    /// Documented rate limits (enforced only with `serve --rate-limits`).
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
    /// For unified facades: the integrated accounts and their backing vendors.
    #[serde(default)]
    pub unified: Option<UnifiedSpec>,
    /// Every documented quirk with its source, for `scimock vendors` and tests.
    pub quirks: Vec<Quirk>,
}

/// What kind of API the profile exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// A SCIM 2.0 service provider.
    Scim,
    /// A unified (non-SCIM) user-directory facade over SCIM profiles.
    Unified,
}

/// Vendor behaviour that is code rather than data, selected by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Nothing beyond the profile's data.
    #[default]
    Standard,
    /// Attio: a create for an unverified domain is a pending invite (read as active; deactivating
    /// it answers 204), `appRole` defaults to `member` on create and is kept by a replace that
    /// leaves it out, and suspended users are returned without `appRole` (D:A1-D:A4).
    Attio,
}

impl Behaviour {
    /// Every named behaviour, in declaration order.
    pub const ALL: &[Behaviour] = &[Behaviour::Standard, Behaviour::Attio];

    /// The name a profile selects it by.
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Standard => "standard",
            Behaviour::Attio => "attio",
        }
    }
}

/// Authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    /// What the vendor calls the credential (`directory API key`), shown in `/_scimock/info`.
    pub token_name: String,
    /// Accept `Authorization: <token>` without the `Bearer` word (Elfsquad, [I]).
    #[serde(default)]
    pub accept_bare_token: bool,
    /// `WWW-Authenticate` header value sent with 401, if any.
    #[serde(default)]
    pub www_authenticate: Option<String>,
    /// Request headers the vendor refuses a request without (GitHub: `User-Agent`, D:G2),
    /// checked before the credential; `null`: none.
    #[serde(default)]
    pub required_headers: Option<RequiredHeaders>,
}

/// Headers every request must carry, and the answer to one that lacks any of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredHeaders {
    /// Header names, compared case-insensitively; a header sent empty counts as missing.
    pub names: Vec<String>,
    /// The answer to a request without one (`{attr}` is replaced with the header's name).
    pub refusal: Refusal,
}

/// Content types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaSpec {
    /// Content-Type of successful responses.
    pub response: String,
    /// Media types accepted for request bodies (parameters such as charset are ignored).
    pub accepted: Vec<String>,
}

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

/// How `schemas` is filled on a User.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemasRule {
    /// Core URN plus each extension present, in `extensions` order.
    Present,
    /// Exactly `fixed_schemas`, always.
    Fixed,
}

/// Timestamp precision on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// `2024-01-01T00:00:00Z`
    Seconds,
    /// `2024-01-01T00:00:00.000Z`
    Millis,
    /// `2021-02-16T15:05:41.185473Z`
    Micros,
}

/// How `meta.location` and member `$ref` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UrlStyle {
    /// `http://127.0.0.1:8080/scim/v2/Users/ID`
    Absolute,
    /// `/scim/v2/Users/ID`
    Relative,
}

/// A top-level attribute that mirrors an extension sub-attribute (Atlassian `department`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mirror {
    /// Top-level attribute name.
    pub top: String,
    /// Extension URN.
    pub urn: String,
    /// Sub-attribute under the extension.
    pub sub: String,
}

/// The shape of User resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapeSpec {
    /// How `schemas` is filled.
    pub schemas: SchemasRule,
    /// The list every User carries when `schemas` is `fixed`, in wire order.
    #[serde(default)]
    pub fixed_schemas: Vec<String>,
    /// Extension URNs the vendor knows, in order; others are dropped on write. Each is a
    /// well-known RFC 7643 schema (the enterprise extension) or one of the profile's `schemas`.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Which `meta` sub-attributes appear, in order.
    pub meta_fields: Vec<String>,
    /// Timestamp precision.
    pub timestamp_precision: Precision,
    /// `meta.location` style.
    pub location: UrlStyle,
    /// Emit `primary` on emails.
    pub email_primary: bool,
    /// Attributes always present on read, with their value when the resource has none
    /// (Atlassian `groups: []`).
    #[serde(default)]
    pub defaults_on_read: BTreeMap<String, Value>,
    /// Top-level copies of extension sub-attributes.
    #[serde(default)]
    pub mirrors: Vec<Mirror>,
    /// Top-level attributes the vendor adds to the core schema (Attio `appRole`), with their
    /// allowed values (empty: any).
    #[serde(default)]
    pub vendor_attributes: BTreeMap<String, Vec<String>>,
    /// Core attributes the vendor never returns.
    #[serde(default)]
    pub hidden_attributes: Vec<String>,
    /// Emit `User.groups` (read-only membership).
    pub user_groups: bool,
    /// The attributes the vendor keeps, when it documents a closed set (Adra D:R5): top-level
    /// names (`title`), sub-attributes (`name.givenName`), extension attributes
    /// (`urn:...:User:employeeNumber`) or a whole extension (its URN). Everything else is
    /// accepted and silently dropped on every write. `id`, `externalId`, `meta`, the
    /// vendor's own attributes and generated ones are always kept. Empty: every schema
    /// attribute is kept.
    #[serde(default)]
    pub stored_attributes: Vec<String>,
    /// Return `roles` in SCIM responses; false keeps them write-only (stored, visible through
    /// the admin API, never returned: Elfsquad, D:E1/D:E2).
    #[serde(default = "yes")]
    pub echo_roles: bool,
}

fn yes() -> bool {
    true
}

/// What DELETE does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeleteMode {
    /// Removed; later requests get 404 (RFC 7644).
    Delete,
    /// Deactivated and unlinked: the SCIM record is gone, later requests get 404 (Atlassian).
    #[serde(rename = "deactivate_then_404")]
    DeactivateThen404,
    /// Suspended: `active:false`, still readable (Attio).
    Suspend,
}

/// What to do with attributes the vendor's schema does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownAttributes {
    /// Store and return them.
    Keep,
    /// Silently drop them (Adra).
    Drop,
    /// 400 `invalidSyntax`.
    Reject,
}

/// Rules for `emails` on write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRules {
    /// Exactly one email required (Adra).
    #[serde(default)]
    pub exactly_one: bool,
    /// The only accepted `type` (Elfsquad, Adra: `work`).
    #[serde(default)]
    pub only_type: Option<String>,
    /// `primary: true` required on the email (Adra).
    #[serde(default)]
    pub primary_required: bool,
    /// Derived from `userName` and read-only (Attio).
    #[serde(default)]
    pub from_user_name: bool,
}

/// What happens to a create for an email on an unverified domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnverifiedDomain {
    /// Created normally.
    Allow,
    /// Refused with `unverified_refusal`.
    Reject,
    /// Created as a pending invite (Attio).
    Invite,
}

/// Create / replace / delete rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteSpec {
    /// POST /Users exists.
    pub create: bool,
    /// PUT /Users/{id} exists.
    pub replace: bool,
    /// PATCH /Users/{id} exists.
    pub patch: bool,
    /// DELETE /Users/{id} exists.
    pub delete: bool,
    /// Attribute paths required on create and replace.
    pub required: Vec<String>,
    /// The answer to a missing required attribute.
    pub required_refusal: Refusal,
    /// The answer to a duplicate `userName`.
    pub duplicate_refusal: Refusal,
    /// What DELETE does.
    pub delete_mode: DeleteMode,
    /// `active` when a create omits it.
    pub active_default: bool,
    /// A replace (PUT, and the document a PATCH leaves) that omits `active` gets
    /// `active_default` too, instead of storing no `active` at all (Elfsquad D:E2 schema
    /// default, Atlassian 3P:L5 "will default to true if not provided").
    #[serde(default)]
    pub replace_applies_defaults: bool,
    /// Attributes the client cannot write (silently ignored).
    #[serde(default)]
    pub read_only: Vec<String>,
    /// Unknown attributes on write.
    pub unknown_attributes: UnknownAttributes,
    /// `userName` must look like an email.
    #[serde(default)]
    pub user_name_is_email: bool,
    /// Email rules.
    pub emails: EmailRules,
    /// Multi-valued attributes that take at most one value (AWS IAM Identity Center:
    /// `addresses`, `phoneNumbers`, `roles`, D:W6/D:W13): a create, replace or PATCH that
    /// leaves two or more is refused with 400 `invalidValue`.
    #[serde(default)]
    pub single_value: Vec<String>,
    /// Domains treated as verified (for vendors that care).
    #[serde(default)]
    pub verified_domains: Vec<String>,
    /// What an unverified domain gets.
    pub unverified_domain: UnverifiedDomain,
    /// The answer when `unverified_domain` is `reject`.
    #[serde(default)]
    pub unverified_refusal: Option<Refusal>,
    /// Attributes generated on create, with their generator (`uuid`, `hex24`).
    #[serde(default)]
    pub generated: BTreeMap<String, String>,
    /// A vendor role attribute's rules (Attio `appRole`), if the vendor has one.
    #[serde(default)]
    pub role: Option<RoleRules>,
    /// What the vendor's specification declares for the members of complex attributes,
    /// by attribute name or extension URN (Elfsquad D:E2: `Name` needs both parts, `Email`
    /// type and value, types from a closed list, `format: uuid` members). Checked on every
    /// write as far as `spec_validation` says.
    #[serde(default)]
    pub members: BTreeMap<String, MemberRules>,
    /// How much of `members` is enforced.
    #[serde(default)]
    pub spec_validation: SpecValidation,
    /// Most users a tenant holds (Atlassian: 20,000 per directory); a create beyond it is
    /// refused, and so is an admin bulk load past it (409). Fixtures and `--users` are not limited.
    #[serde(default)]
    pub max_users: Option<UserLimit>,
}

/// A specification's rules for the members of one complex attribute (each element of a
/// multi-valued one), or of an extension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRules {
    /// Members required whenever the attribute is sent (400 `invalidValue` otherwise).
    #[serde(default)]
    pub required: Vec<String>,
    /// The allowed `type` values (empty: any).
    #[serde(default)]
    pub types: Vec<String>,
    /// Members declared `format: uuid`.
    #[serde(default)]
    pub uuid: Vec<String>,
}

/// How much of `writes.members` is enforced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpecValidation {
    /// Every declared rule, for every attribute.
    #[default]
    Strict,
    /// Only the rules for `emails` and `name`.
    EmailsOnly,
    /// None.
    Off,
}

/// A cap on the users of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserLimit {
    /// Users at most.
    pub max: u64,
    /// The answer to a create beyond it (`{attr}` is replaced with the limit).
    pub refusal: Refusal,
}

/// A top-level role attribute (Attio `appRole`): what an unrecognised value becomes, and a role
/// whose last active holder cannot lose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRules {
    /// The attribute (one of `shape.vendor_attributes`).
    pub attr: String,
    /// What a value outside the attribute's allowed values is stored as (`member`).
    pub fallback: String,
    /// A role some active user must keep (`admin`): demoting, deactivating or deleting its last
    /// active holder is refused.
    #[serde(default)]
    pub keep_one: Option<String>,
    /// The answer to a write that would leave no active holder of `keep_one`.
    pub last_holder_refusal: Refusal,
}

/// What a successful PATCH answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatchResponse {
    /// 200 with the resource.
    Resource,
    /// 204 without a body.
    NoContent,
}

/// PATCH leniency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSpec {
    /// `op` matched case-insensitively (`Replace`).
    pub op_case_insensitive: bool,
    /// Accepted keys for the operations array (`Operations`, `operations`).
    pub operations_keys: Vec<String>,
    /// A bare JSON array of operations is accepted as the body.
    pub bare_array: bool,
    /// `schemas` with the PatchOp URN is required.
    pub schemas_required: bool,
    /// Path-less `add`/`replace` with an object value.
    pub pathless: bool,
    /// String booleans (`"false"`) accepted for boolean attributes.
    pub string_booleans: bool,
    /// If set, the only paths that may be written (others: 400 `invalidPath`).
    #[serde(default)]
    pub allowed_paths: Option<Vec<String>>,
    /// If set, the only paths `remove` may target.
    #[serde(default)]
    pub remove_paths: Option<Vec<String>>,
    /// Extension sub-attribute paths may use `/` instead of `:` (Elfsquad `...:User/currencyIso`).
    #[serde(default)]
    pub slash_extension_separator: bool,
    /// `value[].value` may be a JSON object encoded as a string (Elfsquad roles).
    #[serde(default)]
    pub json_string_values: bool,
    /// `value: []` is refused with 400 (reported for Atlassian; unverified).
    #[serde(default)]
    pub reject_empty_array: bool,
    /// What a successful PATCH answers.
    pub response: PatchResponse,
    /// A one-element `[{"value": x}]` for a single-valued path is read as `x` (Adra: one
    /// OpenAPI revision types `value` as a list of `{value}` objects, D:R6/D:R8).
    #[serde(default)]
    pub unwrap_value_objects: bool,
}

/// Discovery endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverySpec {
    /// Path of the service provider configuration, relative to the base (`/ServiceProviderConfig`,
    /// Adra `/serviceConfiguration`), if documented.
    #[serde(default)]
    pub service_provider_config: Option<String>,
    /// `/Schemas` offered.
    pub schemas: bool,
    /// `/ResourceTypes` offered.
    pub resource_types: bool,
    /// Fields merged over the generated configuration (vendor's documented body).
    #[serde(default)]
    pub spc_overrides: Value,
    /// What `/Schemas` advertises (Attio: `documented`, J1).
    #[serde(default)]
    pub schema_attributes: SchemaAttributes,
}

/// ETags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EtagSpec {
    /// Weak ETags, `meta.version`, If-Match (412) and If-None-Match (304).
    pub supported: bool,
}

/// `Retry-After` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryAfter {
    /// Delay in seconds.
    Seconds,
    /// An HTTP-date (Attio).
    HttpDate,
}

/// Documented rate limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Reads per second.
    pub read_rps: u32,
    /// Writes per second.
    pub write_rps: u32,
    /// `Retry-After` form.
    pub retry_after: RetryAfter,
    /// The 429 message.
    pub detail: String,
    /// 429s also carry `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset`
    /// (when the limit resets, `yyyy-MM-ddTHH:mmZ`), as Atlassian's cloud APIs send them.
    #[serde(default)]
    pub x_ratelimit_headers: bool,
}

/// Groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// POST /Groups exists.
    pub create: bool,
    /// PUT /Groups/{id} exists.
    pub replace: bool,
    /// PATCH /Groups/{id} exists.
    pub patch: bool,
    /// DELETE /Groups/{id} exists.
    pub delete: bool,
    /// Member `$ref` style.
    pub member_ref: UrlStyle,
    /// `displayName` may be changed by PATCH.
    pub rename_by_patch: bool,
    /// A `displayName` another group has is refused with 409 (Atlassian).
    #[serde(default)]
    pub unique_display_name: bool,
    /// `excludedAttributes` honoured on Groups even where Users ignore it (Attio `members`, D:A9).
    #[serde(default)]
    pub excluded_attributes: bool,
    /// Which `meta` sub-attributes appear.
    pub meta_fields: Vec<String>,
    /// The answer to a duplicate `displayName` (default: `writes.duplicate_refusal`).
    #[serde(default)]
    pub duplicate_refusal: Option<Refusal>,
    /// Most members a create may carry, and most member values one PATCH may add or remove
    /// (AWS IAM Identity Center: 100); more is 400 `invalidValue` (`null`: no limit).
    #[serde(default)]
    pub max_member_changes: Option<u64>,
    /// A PATCH that replaces the whole member list or removes every member (`remove` of
    /// `members` without a filter) is refused with 400 `invalidValue` (AWS PatchGroup).
    #[serde(default)]
    pub whole_members_refused: bool,
    /// GET /Groups/{id} and group lists carry `members`; false leaves the attribute out of
    /// every read while the store keeps the members, so a `members eq "<userId>"` filter still
    /// finds a user's groups (AWS GetGroup and ListGroups, D:W5). Write answers keep them.
    #[serde(default = "yes")]
    pub members_in_reads: bool,
}

/// A Truto-style integrated account: an id and the vendor tenant behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegratedAccount {
    /// `integrated_account_id` value (UUID).
    pub id: String,
    /// Backing profile name.
    pub vendor: String,
}

/// Unified facade settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnifiedSpec {
    /// Integrated accounts.
    pub accounts: Vec<IntegratedAccount>,
    /// `limit` when absent.
    pub default_limit: u64,
    /// Largest `limit` unless `truto_ignore_limit`.
    pub max_limit: u64,
    /// Seconds an `Idempotency-Key` on POST/PATCH is remembered (`null`: the header is ignored).
    #[serde(default)]
    pub idempotency_ttl_secs: Option<u64>,
}

/// A documented vendor behaviour, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quirk {
    /// Stable id (`count-capped-at-100`); tests are named after it.
    pub id: String,
    /// One line.
    pub summary: String,
    /// Provenance tags from docs/vendors.md (`S-002`, `D:A3`, `I`).
    pub source: String,
    /// Profile fields that control it (a dotted path), when it is a switch.
    #[serde(default, skip_serializing_if = "crate::is_empty")]
    pub switches: Vec<String>,
}
