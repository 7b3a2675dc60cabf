//! The check catalog (DESIGN §5): one table, [`CATALOG`], where each row is a check as data —
//! id, group, title, severity, reference, the profile switches and quirks whose sources extend
//! the reference, the planning predicate `applies`, and `run`, a function pointer to the code.
//! The code lives in one module per group; checks read the run through [`Ctx`] and return
//! `Result<Outcome, Skip>`.

mod auth;
mod discovery;
mod errors;
mod filter;
mod groups;
mod list;
mod pagination;
pub mod probe;
mod projection;
mod rate_limit;
mod resource;
mod unified;
mod writes;

pub use probe::Probe;

use crate::config::Config;
use crate::ctx::Ctx;
use crate::model::Severity;
use crate::outcome::{Outcome, Skip};
use scimock_profile::{Profile, ProfileKind};
use std::future::Future;
use std::pin::Pin;

/// The future a check's `run` returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<Outcome, Skip>> + Send + 'a>>;

/// A check's code: reads the run through the context, returns its outcome or why it skipped.
pub type RunFn = for<'a> fn(&'a Ctx) -> CheckFuture<'a>;

/// A check as data.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// Stable id.
    pub id: &'static str,
    /// The group: the id up to its first dot (JUnit's classname).
    pub group: &'static str,
    /// One line.
    pub title: &'static str,
    /// Severity.
    pub severity: Severity,
    /// RFC section(s) or vendor document.
    pub reference: &'static str,
    /// Profile fields whose documented source (a quirk's docs/vendors.md tags) is added to the reference.
    pub switches: &'static [&'static str],
    /// Profile quirk ids whose sources are added to the reference.
    pub quirks: &'static [&'static str],
    /// Planning: true when the check belongs in a run of this configuration. Checks that do
    /// not apply are left out of the plan, not skipped.
    pub applies: fn(&Config) -> bool,
    /// The code that runs it.
    pub run: RunFn,
}

/// For SCIM endpoints (not a unified facade).
pub fn scim_api(cfg: &Config) -> bool {
    cfg.profile.kind == ProfileKind::Scim
}

/// For unified (Truto-style) facades only.
pub fn unified_api(cfg: &Config) -> bool {
    cfg.profile.kind == ProfileKind::Unified
}

/// For every kind of API.
pub fn any_api(_: &Config) -> bool {
    true
}

/// A [`RunFn`] for an `async fn(&Ctx) -> Result<Outcome, Skip>`.
macro_rules! run {
    ($check:path) => {{
        fn run(ctx: &Ctx) -> CheckFuture<'_> {
            Box::pin($check(ctx))
        }
        run
    }};
}

use Severity::{Must, Should};

/// Every check, in the order the runner runs them (writes last, rate limiting after writes).
pub const CATALOG: &[CheckDef] = &[
    CheckDef {
        id: "discovery.service-provider-config",
        group: "discovery",
        title: "The service provider configuration is served and complete",
        severity: Must,
        reference: "RFC 7644 §4; RFC 7643 §5",
        switches: &["discovery.service_provider_config"],
        quirks: &[],
        applies: scim_api,
        run: run!(discovery::service_provider_config),
    },
    CheckDef {
        id: "discovery.spc-consistent",
        group: "discovery",
        title: "The service provider configuration tells the truth about sorting and versioning (meta.version; a bare HTTP ETag is not SCIM versioning)",
        severity: Should,
        reference: "RFC 7643 §5",
        switches: &["discovery"],
        quirks: &[],
        applies: scim_api,
        run: run!(discovery::spc_consistent),
    },
    CheckDef {
        id: "discovery.schemas",
        group: "discovery",
        title: "/Schemas lists the User schema and the extensions /ResourceTypes advertises (a vendor profile: those it documents)",
        severity: Must,
        reference: "RFC 7644 §4; RFC 7643 §7",
        switches: &["discovery.schemas", "discovery"],
        quirks: &[],
        applies: scim_api,
        run: run!(discovery::schemas),
    },
    CheckDef {
        id: "discovery.resource-types",
        group: "discovery",
        title: "/ResourceTypes describes the User endpoint (and a vendor profile's documented extensions)",
        severity: Must,
        reference: "RFC 7644 §4; RFC 7643 §6",
        switches: &["discovery.resource_types", "discovery"],
        quirks: &[],
        applies: scim_api,
        run: run!(discovery::resource_types),
    },
    CheckDef {
        id: "list.envelope",
        group: "list",
        title: "List responses carry the ListResponse envelope",
        severity: Must,
        reference: "RFC 7644 §3.4.2",
        switches: &["list.omit_empty_resources"],
        quirks: &[],
        applies: scim_api,
        run: run!(list::envelope),
    },
    CheckDef {
        id: "list.total-results",
        group: "list",
        title: "totalResults counts the matching resources",
        severity: Must,
        reference: "RFC 7644 §3.4.2",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(list::total_results),
    },
    CheckDef {
        id: "list.pagination.start-index",
        group: "list",
        title: "startIndex is 1-based, echoed, and selects the page",
        severity: Must,
        reference: "RFC 7644 §3.4.2.4",
        switches: &["list.pagination"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::start_index),
    },
    CheckDef {
        id: "list.pagination.count",
        group: "list",
        title: "count bounds the page size; count=0 and negative counts return no resources",
        severity: Must,
        reference: "RFC 7644 §3.4.2.4",
        switches: &["list.pagination"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::count),
    },
    CheckDef {
        id: "list.pagination.items-per-page",
        group: "list",
        title: "itemsPerPage means what the profile documents",
        severity: Must,
        reference: "RFC 7644 §3.4.2",
        switches: &["list.items_per_page"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::items_per_page),
    },
    CheckDef {
        id: "list.pagination.cap",
        group: "list",
        title: "A count above the cap (the vendor's, or the advertised filter.maxResults) is clamped or refused",
        severity: Must,
        reference: "RFC 7644 §3.4.2.4",
        switches: &["list.max_count", "list.over_max"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::cap),
    },
    CheckDef {
        id: "list.pagination.walk",
        group: "list",
        title: "Walking every page finds each resource once: no duplicates, no gaps, stable totals, no page over count",
        severity: Must,
        reference: "RFC 7644 §3.4.2.4",
        switches: &["list.pagination"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::walk),
    },
    CheckDef {
        id: "list.pagination.beyond-end",
        group: "list",
        title: "A startIndex beyond totalResults returns an empty page",
        severity: Must,
        reference: "RFC 7644 §3.4.2.4",
        switches: &["list.pagination"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::beyond_end),
    },
    CheckDef {
        id: "list.pagination.cursor-walk",
        group: "list",
        title: "A cursor walk reaches the end with no duplicates or gaps",
        severity: Must,
        reference: "RFC 9865 §2",
        switches: &["list.cursor"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::cursor_walk),
    },
    CheckDef {
        id: "list.pagination.cursor-invalid",
        group: "list",
        title: "An invalid cursor is refused with 400 invalidCursor",
        severity: Must,
        reference: "RFC 9865 §2.2",
        switches: &["list.cursor"],
        quirks: &[],
        applies: scim_api,
        run: run!(pagination::cursor_invalid),
    },
    CheckDef {
        id: "list.sort",
        group: "list",
        title: "sortBy/sortOrder order the results (code-point or Unicode root-collation order) where sorting is offered",
        severity: Must,
        reference: "RFC 7644 §3.4.2.3",
        switches: &["sort.reject_when_unsupported"],
        quirks: &[],
        applies: scim_api,
        run: run!(list::sort),
    },
    CheckDef {
        id: "resource.get-by-id",
        group: "resource",
        title: "GET /Users/{id} returns the user listed",
        severity: Must,
        reference: "RFC 7644 §3.4.1",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(resource::get_by_id),
    },
    CheckDef {
        id: "resource.core-attributes",
        group: "resource",
        title: "Users carry id, userName and the profile's schemas",
        severity: Must,
        reference: "RFC 7643 §3, §4.1",
        switches: &["shape.schemas"],
        quirks: &[],
        applies: scim_api,
        run: run!(resource::core_attributes),
    },
    CheckDef {
        id: "resource.meta",
        group: "resource",
        title: "meta carries the profile's fields: resourceType, timestamps, location, and version where versioning is claimed",
        severity: Should,
        reference: "RFC 7643 §3.1",
        switches: &["shape.meta_fields"],
        quirks: &["meta-without-location"],
        applies: scim_api,
        run: run!(resource::meta),
    },
    CheckDef {
        id: "resource.not-found",
        group: "resource",
        title: "An unknown id answers 404 in the profile's error format",
        severity: Must,
        reference: "RFC 7644 §3.12",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(resource::not_found),
    },
    CheckDef {
        id: "filter.eq",
        group: "filter",
        title: "eq on each filterable attribute finds exactly the user it names",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2",
        switches: &["filter.users"],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::eq),
    },
    CheckDef {
        id: "filter.case-insensitive",
        group: "filter",
        title: "eq on userName and emails.value ignores case (caseExact false), where the exact case finds the user",
        severity: Must,
        reference: "RFC 7643 §4.1.1, §4.1.2; RFC 7644 §3.4.2.2",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::case_insensitive),
    },
    CheckDef {
        id: "filter.attribute-name-case",
        group: "filter",
        title: "Attribute names in filters are case-insensitive: USERNAME eq finds what userName eq finds",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2",
        switches: &["filter.users"],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::attribute_name_case),
    },
    CheckDef {
        id: "filter.no-match",
        group: "filter",
        title: "A filter matching nobody gives totalResults 0",
        severity: Must,
        reference: "RFC 7644 §3.4.2",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::no_match),
    },
    CheckDef {
        id: "filter.unsupported",
        group: "filter",
        title: "A filter the profile refuses gives its documented error",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2, §3.12",
        switches: &[
            "filter.users",
            "filter.refusal",
            "filter.unknown_attr_empty",
        ],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::unsupported),
    },
    CheckDef {
        id: "filter.undefined-attribute",
        group: "filter",
        title: "A filter on an attribute no schema defines is refused with 400 (no match: a warning), never answered with resources",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2, §3.12 Table 9; RFC 7643 §2.5",
        switches: &["filter.refusal", "filter.unknown_attr_empty"],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::undefined_attribute),
    },
    CheckDef {
        id: "filter.malformed",
        group: "filter",
        title: "A malformed filter is refused with 400 in the profile's error format",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2, §3.12",
        switches: &[],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::malformed),
    },
    CheckDef {
        id: "filter.search",
        group: "filter",
        title: "POST /Users/.search with a SearchRequest body finds what the same filter finds",
        severity: Must,
        reference: "RFC 7644 §3.4.3",
        switches: &["list.search"],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::search),
    },
    CheckDef {
        id: "filter.search-parameters",
        group: "filter",
        title: "POST /Users/.search honours startIndex, count and attributes in its body",
        severity: Must,
        reference: "RFC 7644 §3.4.3",
        switches: &["list.search"],
        quirks: &[],
        applies: scim_api,
        run: run!(filter::search_parameters),
    },
    CheckDef {
        id: "projection.attributes",
        group: "projection",
        title: "attributes returns only the attributes asked for (plus id)",
        severity: Must,
        reference: "RFC 7644 §3.4.2.5; RFC 7643 §7",
        switches: &["projection"],
        quirks: &[],
        applies: scim_api,
        run: run!(projection::attributes),
    },
    CheckDef {
        id: "projection.excluded-attributes",
        group: "projection",
        title: "excludedAttributes leaves the named attributes out",
        severity: Must,
        reference: "RFC 7644 §3.4.2.5",
        switches: &["projection"],
        quirks: &[],
        applies: scim_api,
        run: run!(projection::excluded),
    },
    CheckDef {
        id: "projection.exclusive",
        group: "projection",
        title: "attributes and excludedAttributes together are refused where the vendor documents it",
        severity: Must,
        reference: "RFC 7644 §3.4.2.5",
        switches: &["projection.mutually_exclusive"],
        quirks: &[],
        applies: scim_api,
        run: run!(projection::exclusive),
    },
    CheckDef {
        id: "groups.list",
        group: "groups",
        title: "GET /Groups lists groups with id and displayName; totalResults counts them",
        severity: Must,
        reference: "RFC 7644 §3.4.2; RFC 7643 §4.2",
        switches: &["groups"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::list),
    },
    CheckDef {
        id: "groups.get",
        group: "groups",
        title: "GET /Groups/{id} returns the group listed",
        severity: Must,
        reference: "RFC 7644 §3.4.1",
        switches: &["groups"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::get),
    },
    CheckDef {
        id: "groups.filter",
        group: "groups",
        title: "displayName eq finds exactly the group it names, and nothing for a name nobody has",
        severity: Must,
        reference: "RFC 7644 §3.4.2.2",
        switches: &["filter.groups"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::filter),
    },
    CheckDef {
        id: "groups.excluded-members",
        group: "groups",
        title: "excludedAttributes=members leaves members out of lists and single groups",
        severity: Must,
        reference: "RFC 7644 §3.4.2.5",
        switches: &["groups.excluded_attributes", "projection"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::excluded_members),
    },
    CheckDef {
        id: "groups.members-exist",
        group: "groups",
        title: "Group members reference users (or groups) that exist; $ref points at them",
        severity: Should,
        reference: "RFC 7643 §4.2",
        switches: &["groups.member_ref"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::members_exist),
    },
    CheckDef {
        id: "errors.format",
        group: "errors",
        title: "Errors use the profile's error format",
        severity: Must,
        reference: "RFC 7644 §3.12",
        switches: &["errors.format"],
        quirks: &[],
        applies: any_api,
        run: run!(errors::format),
    },
    CheckDef {
        id: "errors.status",
        group: "errors",
        title: "The error body's status matches the HTTP status, typed as the format requires",
        severity: Must,
        reference: "RFC 7644 §3.12; RFC 7807 §3.1",
        switches: &["errors.format"],
        quirks: &[],
        applies: any_api,
        run: run!(errors::status),
    },
    CheckDef {
        id: "errors.scim-type",
        group: "errors",
        title: "SCIM Errors for a bad filter carry a valid scimType (none at all: a warning, scimType is OPTIONAL)",
        severity: Must,
        reference: "RFC 7644 §3.12 Table 9",
        switches: &["errors.format"],
        quirks: &[],
        applies: scim_api,
        run: run!(errors::scim_type),
    },
    CheckDef {
        id: "errors.content-type",
        group: "errors",
        title: "Errors are sent with the profile's error content type",
        severity: Should,
        reference: "RFC 7644 §3.1, §3.12",
        switches: &["errors.content_type", "errors.format"],
        quirks: &[],
        applies: any_api,
        run: run!(errors::content_type),
    },
    CheckDef {
        id: "auth.missing-token",
        group: "auth",
        title: "A request without credentials is refused with 401",
        severity: Must,
        reference: "RFC 7644 §2; RFC 6750 §3",
        switches: &["auth"],
        quirks: &[],
        applies: any_api,
        run: run!(auth::missing_token),
    },
    CheckDef {
        id: "auth.wrong-token",
        group: "auth",
        title: "A request with a wrong token is refused with 401",
        severity: Must,
        reference: "RFC 7644 §2; RFC 6750 §3.1",
        switches: &["auth"],
        quirks: &[],
        applies: any_api,
        run: run!(auth::wrong_token),
    },
    CheckDef {
        id: "media.content-type",
        group: "media",
        title: "Successful responses use the profile's media type",
        severity: Should,
        reference: "RFC 7644 §3.1, §8.1",
        switches: &["media.response"],
        quirks: &[],
        applies: any_api,
        run: run!(list::media_type),
    },
    CheckDef {
        id: "writes.create",
        group: "writes",
        title: "POST /Users answers 201 with Location and meta",
        severity: Must,
        reference: "RFC 7644 §3.3",
        switches: &[
            "writes.required",
            "writes.emails",
            "writes.verified_domains",
        ],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::create),
    },
    CheckDef {
        id: "writes.duplicate",
        group: "writes",
        title: "A duplicate userName is refused as documented (409 uniqueness)",
        severity: Must,
        reference: "RFC 7644 §3.3, §3.12",
        switches: &["writes.duplicate_refusal"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::duplicate),
    },
    CheckDef {
        id: "writes.duplicate-case",
        group: "writes",
        title: "A userName differing only in case is refused as a duplicate",
        severity: Must,
        reference: "RFC 7643 §4.1.1; RFC 7644 §3.3",
        switches: &["writes.duplicate_refusal"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::duplicate_case),
    },
    CheckDef {
        id: "writes.required",
        group: "writes",
        title: "POST and PUT without userName are refused as documented",
        severity: Must,
        reference: "RFC 7643 §4.1.1; RFC 7644 §3.3, §3.12",
        switches: &["writes.required", "writes.required_refusal"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::required),
    },
    CheckDef {
        id: "writes.replace",
        group: "writes",
        title: "PUT replaces the user",
        severity: Must,
        reference: "RFC 7644 §3.5.1",
        switches: &["writes.replace"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::replace),
    },
    CheckDef {
        id: "writes.patch",
        group: "writes",
        title: "PATCH replace changes the user; 200 with the resource or 204 are both valid",
        severity: Must,
        reference: "RFC 7644 §3.5.2",
        switches: &["patch.response", "patch.allowed_paths"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::patch),
    },
    CheckDef {
        id: "writes.patch-value-path",
        group: "writes",
        title: "PATCH with a value-path filter changes the selected value",
        severity: Must,
        reference: "RFC 7644 §3.5.2, §3.5.2.3",
        switches: &["patch.allowed_paths", "writes.read_only"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::patch_value_path),
    },
    CheckDef {
        id: "writes.etag-if-match",
        group: "writes",
        title: "A write with a stale If-Match is refused with 412",
        severity: Must,
        reference: "RFC 7644 §3.14",
        switches: &["etag.supported"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::etag_if_match),
    },
    CheckDef {
        id: "writes.meta-timestamps",
        group: "writes",
        title: "PUT and PATCH advance meta.lastModified and leave meta.created unchanged",
        severity: Must,
        reference: "RFC 7643 §3.1",
        switches: &["shape.meta_fields"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::meta_timestamps),
    },
    CheckDef {
        id: "groups.create",
        group: "groups",
        title: "POST /Groups with a member answers 201 with Location; the member reads back",
        severity: Must,
        reference: "RFC 7644 §3.3; RFC 7643 §4.2",
        switches: &["groups.create"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::create),
    },
    CheckDef {
        id: "groups.patch-members",
        group: "groups",
        title: "PATCH removes a member by members[value eq \"…\"] and adds one by members",
        severity: Must,
        reference: "RFC 7644 §3.5.2.1, §3.5.2.2",
        switches: &["groups.patch"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::patch_members),
    },
    CheckDef {
        id: "groups.replace",
        group: "groups",
        title: "PUT /Groups/{id} replaces displayName and members",
        severity: Must,
        reference: "RFC 7644 §3.5.1",
        switches: &["groups.replace"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::replace),
    },
    CheckDef {
        id: "groups.delete",
        group: "groups",
        title: "DELETE /Groups/{id} answers 204, then the group answers 404",
        severity: Must,
        reference: "RFC 7644 §3.6",
        switches: &["groups.delete"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::delete),
    },
    CheckDef {
        id: "groups.read-only",
        group: "groups",
        title: "Group writes the vendor does not offer are refused with its documented status",
        severity: Must,
        reference: "RFC 7644 §3.12",
        switches: &["groups", "errors.not_offered_status"],
        quirks: &[],
        applies: scim_api,
        run: run!(groups::read_only),
    },
    CheckDef {
        id: "writes.delete",
        group: "writes",
        title: "DELETE removes the user (then 404), or deactivates/suspends it as the vendor documents",
        severity: Must,
        reference: "RFC 7644 §3.6",
        switches: &["writes.delete_mode"],
        quirks: &[],
        applies: scim_api,
        run: run!(writes::delete),
    },
    CheckDef {
        id: "rate-limit.retry-after",
        group: "rate-limit",
        title: "Every 429 carries a usable Retry-After (honoured by the runner)",
        severity: Should,
        reference: "RFC 6585 §4; RFC 9110 §10.2.3",
        switches: &["rate_limit"],
        quirks: &[],
        applies: any_api,
        run: run!(rate_limit::retry_after),
    },
    CheckDef {
        id: "unified.envelope",
        group: "unified",
        title: "Unified lists use the {result, next_cursor, result_count} envelope",
        severity: Must,
        reference: "Truto D:T2, 3P:T7",
        switches: &[],
        quirks: &["cursor-pagination"],
        applies: unified_api,
        run: run!(unified::envelope),
    },
    CheckDef {
        id: "unified.cursor-walk",
        group: "unified",
        title: "Following next_cursor reaches null with no duplicates",
        severity: Must,
        reference: "Truto D:T2, D:T12",
        switches: &[],
        quirks: &["cursor-pagination"],
        applies: unified_api,
        run: run!(unified::cursor_walk),
    },
    CheckDef {
        id: "unified.key-by",
        group: "unified",
        title: "truto_key_by turns result into an object keyed by that field",
        severity: Must,
        reference: "Truto S-000",
        switches: &[],
        quirks: &["key-by"],
        applies: unified_api,
        run: run!(unified::key_by),
    },
    CheckDef {
        id: "unified.exclude-fields",
        group: "unified",
        title: "truto_exclude_fields drops the fields, in [] and comma forms",
        severity: Must,
        reference: "Truto S-000, 3P:T7",
        switches: &[],
        quirks: &["exclude-fields"],
        applies: unified_api,
        run: run!(unified::exclude_fields),
    },
    CheckDef {
        id: "unified.ignore-remote-data",
        group: "unified",
        title: "truto_ignore_remote_data drops remote_data",
        severity: Must,
        reference: "Truto S-000",
        switches: &[],
        quirks: &["ignore-remote-data"],
        applies: unified_api,
        run: run!(unified::ignore_remote_data),
    },
    CheckDef {
        id: "unified.account-required",
        group: "unified",
        title: "A missing integrated_account_id is refused with 400 in Truto's envelope",
        severity: Must,
        reference: "Truto S-000, D:T5",
        switches: &[],
        quirks: &["integrated-account-required"],
        applies: unified_api,
        run: run!(unified::account_required),
    },
    CheckDef {
        id: "unified.create",
        group: "unified",
        title: "POST through the facade creates a user and answers it as an object",
        severity: Must,
        reference: "Truto D:T8, 3P:T7",
        switches: &["writes.create"],
        quirks: &[],
        applies: unified_api,
        run: run!(unified::create),
    },
    CheckDef {
        id: "unified.update",
        group: "unified",
        title: "PATCH through the facade changes the user, and the change reads back",
        severity: Must,
        reference: "Truto D:T8, 3P:T7",
        switches: &["writes.patch"],
        quirks: &[],
        applies: unified_api,
        run: run!(unified::update),
    },
    CheckDef {
        id: "unified.idempotency",
        group: "unified",
        title: "Idempotency-Key: a replay answers the first answer without a second user; another body is 422",
        severity: Must,
        reference: "Truto 3P:T7",
        switches: &["unified.idempotency_ttl_secs"],
        quirks: &[],
        applies: unified_api,
        run: run!(unified::idempotency),
    },
    CheckDef {
        id: "unified.delete",
        group: "unified",
        title: "DELETE through the facade answers {id}; the user then answers 404",
        severity: Must,
        reference: "Truto D:T8, 3P:T7",
        switches: &["writes.delete"],
        quirks: &[],
        applies: unified_api,
        run: run!(unified::delete),
    },
];

/// The definition of a check id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOG.iter().find(|d| d.id == id)
}

impl CheckDef {
    /// The reference shown for the check: its RFC sections plus the profile's documented sources.
    pub fn reference_for(&self, profile: &Profile) -> String {
        let mut tags: Vec<String> = Vec::new();
        for q in &profile.quirks {
            let by_switch = q.switches.iter().any(|s| {
                self.switches.iter().any(|w| {
                    s == w || s.starts_with(&format!("{w}.")) || w.starts_with(&format!("{s}."))
                })
            });
            if by_switch || self.quirks.contains(&q.id.as_str()) {
                for t in q.source.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let t = t.to_string();
                    if !tags.contains(&t) && !self.reference.contains(&t) {
                        tags.push(t);
                    }
                }
            }
        }
        if tags.is_empty() {
            self.reference.to_string()
        } else {
            format!("{}; {} {}", self.reference, profile.title, tags.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_grouped_and_implemented() {
        let mut seen = std::collections::HashSet::new();
        for d in CATALOG {
            assert!(seen.insert(d.id), "duplicate {}", d.id);
            assert!(
                d.id.contains('.') && d.id == d.id.to_ascii_lowercase(),
                "{}",
                d.id
            );
            assert!(!d.reference.is_empty() && !d.title.is_empty());
            assert_eq!(d.group, crate::model::group_of(d.id), "{}", d.id);
        }
        assert!(CATALOG.len() >= 40);
    }

    #[test]
    fn the_readme_catalog_lists_every_check() {
        let readme = include_str!("../../../README.md");
        for d in CATALOG {
            assert!(
                readme.contains(&format!("| `{}` |", d.id)),
                "README.md does not list {}",
                d.id
            );
        }
    }

    #[test]
    fn references_add_the_vendor_sources_of_the_switches() {
        let attio = Profile::builtin("attio").unwrap();
        let cap = find("list.pagination.cap").unwrap();
        assert_eq!(cap.reference_for(&attio), "RFC 7644 §3.4.2.4; Attio S-002");
        let truto = Profile::builtin("truto").unwrap();
        assert!(
            find("unified.key-by")
                .unwrap()
                .reference_for(&truto)
                .starts_with("Truto S-000")
        );
    }

    #[test]
    fn the_plan_keeps_unified_checks_for_unified_apis_and_scim_checks_for_scim_endpoints() {
        let kinds = |name: &str| {
            let cfg = Config::new("http://127.0.0.1:9", Profile::builtin(name).unwrap());
            CATALOG
                .iter()
                .filter(|d| (d.applies)(&cfg))
                .map(|d| d.id)
                .collect::<Vec<_>>()
        };
        let scim = kinds("generic");
        assert!(scim.contains(&"errors.scim-type") && scim.contains(&"writes.create"));
        assert!(!scim.iter().any(|i| i.starts_with("unified.")));
        let unified = kinds("truto");
        assert!(unified.iter().all(|i| {
            i.starts_with("unified.")
                || ["errors.format", "errors.status", "errors.content-type"].contains(i)
                || i.starts_with("auth.")
                || i.starts_with("media.")
                || i.starts_with("rate-limit.")
        }));
        assert!(!unified.contains(&"errors.scim-type"));
    }
}
