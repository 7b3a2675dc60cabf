//! The profile data model. Field comments say what the server does with each fact.

mod errors;
mod lists;
mod schema;
pub use errors::*;
pub use lists::*;
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

pub(super) fn yes() -> bool {
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
    /// Backing profile name (one that honours `startIndex`: the facade pages its backends by it).
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
