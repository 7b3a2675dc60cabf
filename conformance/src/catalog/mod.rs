//! The check catalog (DESIGN §5): every check's id, title, severity and reference as data,
//! and the code that runs it, one module per group.

mod auth;
mod discovery;
mod errors;
mod filter;
mod list;
mod pagination;
mod projection;
mod rate_limit;
mod resource;
mod unified;
pub(crate) mod writes;

use crate::client::{Exchange, Request};
use crate::model::{Evidence, Severity, Status};
use crate::runner::Ctx;
use scimock_profile::Profile;
use serde_json::Value;

/// A check as data.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// Stable id.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Severity.
    pub severity: Severity,
    /// RFC section(s) or vendor document.
    pub reference: &'static str,
    /// Profile fields whose documented source (a quirk's VENDORS.md tags) is added to the reference.
    pub switches: &'static [&'static str],
    /// Profile quirk ids whose sources are added to the reference.
    pub quirks: &'static [&'static str],
}

use Severity::{Must, Should};

macro_rules! def {
    ($id:literal, $sev:expr, $title:literal, $rfc:literal, [$($sw:literal),*], [$($q:literal),*]) => {
        CheckDef { id: $id, title: $title, severity: $sev, reference: $rfc, switches: &[$($sw),*], quirks: &[$($q),*] }
    };
}

/// Every check, in the order the runner runs them (writes last, rate limiting after writes).
pub const CATALOG: &[CheckDef] = &[
    def!(
        "discovery.service-provider-config",
        Must,
        "The service provider configuration is served and complete",
        "RFC 7644 §4; RFC 7643 §5",
        ["discovery.service_provider_config"],
        []
    ),
    def!(
        "discovery.spc-consistent",
        Should,
        "The service provider configuration tells the truth about sorting and ETags",
        "RFC 7643 §5",
        ["discovery"],
        []
    ),
    def!(
        "discovery.schemas",
        Must,
        "/Schemas lists the User schema and the profile's extensions",
        "RFC 7644 §4; RFC 7643 §7",
        ["discovery.schemas", "discovery"],
        []
    ),
    def!(
        "discovery.resource-types",
        Must,
        "/ResourceTypes describes the User endpoint and its extensions",
        "RFC 7644 §4; RFC 7643 §6",
        ["discovery.resource_types", "discovery"],
        []
    ),
    def!(
        "list.envelope",
        Must,
        "List responses carry the ListResponse envelope",
        "RFC 7644 §3.4.2",
        ["list.omit_empty_resources"],
        []
    ),
    def!(
        "list.total-results",
        Must,
        "totalResults counts the matching resources",
        "RFC 7644 §3.4.2",
        [],
        []
    ),
    def!(
        "list.pagination.start-index",
        Must,
        "startIndex is 1-based, echoed, and selects the page",
        "RFC 7644 §3.4.2.4",
        ["list.pagination"],
        []
    ),
    def!(
        "list.pagination.count",
        Must,
        "count bounds the page size; count=0 and negative counts return no resources",
        "RFC 7644 §3.4.2.4",
        ["list.pagination"],
        []
    ),
    def!(
        "list.pagination.items-per-page",
        Must,
        "itemsPerPage means what the profile documents",
        "RFC 7644 §3.4.2",
        ["list.items_per_page"],
        []
    ),
    def!(
        "list.pagination.cap",
        Must,
        "A count above the vendor's cap is clamped or refused as documented",
        "RFC 7644 §3.4.2.4",
        ["list.max_count", "list.over_max"],
        []
    ),
    def!(
        "list.pagination.walk",
        Must,
        "Walking every page finds each resource once: no duplicates, no gaps, stable totals",
        "RFC 7644 §3.4.2.4",
        ["list.pagination"],
        []
    ),
    def!(
        "list.pagination.cursor-walk",
        Must,
        "A cursor walk reaches the end with no duplicates or gaps",
        "RFC 9865 §2",
        ["list.cursor"],
        []
    ),
    def!(
        "list.pagination.cursor-invalid",
        Must,
        "An invalid cursor is refused with 400 invalidCursor",
        "RFC 9865 §2.2",
        ["list.cursor"],
        []
    ),
    def!(
        "list.sort",
        Must,
        "sortBy/sortOrder order the results where sorting is offered",
        "RFC 7644 §3.4.2.3",
        ["sort.reject_when_unsupported"],
        []
    ),
    def!(
        "resource.get-by-id",
        Must,
        "GET /Users/{id} returns the user listed",
        "RFC 7644 §3.4.1",
        [],
        []
    ),
    def!(
        "resource.core-attributes",
        Must,
        "Users carry id, userName and the profile's schemas",
        "RFC 7643 §3, §4.1",
        ["shape.schemas"],
        []
    ),
    def!(
        "resource.meta",
        Should,
        "meta carries the profile's fields: resourceType, timestamps, location",
        "RFC 7643 §3.1",
        ["shape.meta_fields"],
        ["meta-without-location"]
    ),
    def!(
        "resource.not-found",
        Must,
        "An unknown id answers 404 in the profile's error format",
        "RFC 7644 §3.12",
        [],
        []
    ),
    def!(
        "filter.eq",
        Must,
        "eq on each filterable attribute finds exactly the user it names",
        "RFC 7644 §3.4.2.2",
        ["filter.users"],
        []
    ),
    def!(
        "filter.case-insensitive",
        Must,
        "eq on userName and emails.value ignores case (caseExact false)",
        "RFC 7643 §4.1.1, §4.1.2; RFC 7644 §3.4.2.2",
        [],
        []
    ),
    def!(
        "filter.no-match",
        Must,
        "A filter matching nobody gives totalResults 0",
        "RFC 7644 §3.4.2",
        [],
        []
    ),
    def!(
        "filter.unsupported",
        Must,
        "A filter the profile refuses gives its documented error",
        "RFC 7644 §3.4.2.2, §3.12",
        [
            "filter.users",
            "filter.refusal",
            "filter.unknown_attr_empty"
        ],
        []
    ),
    def!(
        "filter.malformed",
        Must,
        "A malformed filter is refused with 400 invalidFilter",
        "RFC 7644 §3.4.2.2, §3.12",
        [],
        []
    ),
    def!(
        "filter.search",
        Must,
        "POST /Users/.search with a SearchRequest body finds what the same filter finds",
        "RFC 7644 §3.4.3",
        ["list.search"],
        []
    ),
    def!(
        "projection.attributes",
        Must,
        "attributes returns only the attributes asked for (plus id)",
        "RFC 7644 §3.4.2.5; RFC 7643 §7",
        ["projection"],
        []
    ),
    def!(
        "projection.excluded-attributes",
        Must,
        "excludedAttributes leaves the named attributes out",
        "RFC 7644 §3.4.2.5",
        ["projection"],
        []
    ),
    def!(
        "projection.exclusive",
        Must,
        "attributes and excludedAttributes together are refused where the vendor documents it",
        "RFC 7644 §3.4.2.5",
        ["projection.mutually_exclusive"],
        []
    ),
    def!(
        "errors.format",
        Must,
        "Errors use the profile's error format",
        "RFC 7644 §3.12",
        ["errors.format"],
        []
    ),
    def!(
        "errors.status",
        Must,
        "The error body's status matches the HTTP status, typed as the format requires",
        "RFC 7644 §3.12; RFC 7807 §3.1",
        ["errors.format"],
        []
    ),
    def!(
        "errors.scim-type",
        Must,
        "SCIM Errors for a bad filter carry a valid scimType",
        "RFC 7644 §3.12 Table 9",
        ["errors.format"],
        []
    ),
    def!(
        "errors.content-type",
        Should,
        "Errors are sent with the profile's error content type",
        "RFC 7644 §3.1, §3.12",
        ["errors.content_type", "errors.format"],
        []
    ),
    def!(
        "auth.missing-token",
        Must,
        "A request without credentials is refused with 401",
        "RFC 7644 §2; RFC 6750 §3",
        ["auth"],
        []
    ),
    def!(
        "auth.wrong-token",
        Must,
        "A request with a wrong token is refused with 401",
        "RFC 7644 §2; RFC 6750 §3.1",
        ["auth"],
        []
    ),
    def!(
        "media.content-type",
        Should,
        "Successful responses use the profile's media type",
        "RFC 7644 §3.1, §8.1",
        ["media.response"],
        []
    ),
    def!(
        "writes.create",
        Must,
        "POST /Users answers 201 with Location and meta",
        "RFC 7644 §3.3",
        [
            "writes.required",
            "writes.emails",
            "writes.verified_domains"
        ],
        []
    ),
    def!(
        "writes.duplicate",
        Must,
        "A duplicate userName is refused as documented (409 uniqueness)",
        "RFC 7644 §3.3, §3.12",
        ["writes.duplicate_refusal"],
        []
    ),
    def!(
        "writes.replace",
        Must,
        "PUT replaces the user",
        "RFC 7644 §3.5.1",
        ["writes.replace"],
        []
    ),
    def!(
        "writes.patch",
        Must,
        "PATCH replace changes the user; 200 with the resource or 204 are both valid",
        "RFC 7644 §3.5.2",
        ["patch.response", "patch.allowed_paths"],
        []
    ),
    def!(
        "writes.patch-value-path",
        Must,
        "PATCH with a value-path filter changes the selected value",
        "RFC 7644 §3.5.2, §3.5.2.3",
        ["patch.allowed_paths", "writes.read_only"],
        []
    ),
    def!(
        "writes.etag-if-match",
        Must,
        "A write with a stale If-Match is refused with 412",
        "RFC 7644 §3.14",
        ["etag.supported"],
        []
    ),
    def!(
        "writes.delete",
        Must,
        "DELETE removes the user (then 404), or deactivates/suspends it as the vendor documents",
        "RFC 7644 §3.6",
        ["writes.delete_mode"],
        []
    ),
    def!(
        "rate-limit.retry-after",
        Should,
        "Every 429 carries a usable Retry-After (honoured by the runner)",
        "RFC 6585 §4; RFC 9110 §10.2.3",
        ["rate_limit"],
        []
    ),
    def!(
        "unified.envelope",
        Must,
        "Unified lists use the {result, next_cursor, result_count} envelope",
        "Truto D:T2, 3P:T7",
        [],
        ["cursor-pagination"]
    ),
    def!(
        "unified.cursor-walk",
        Must,
        "Following next_cursor reaches null with no duplicates",
        "Truto D:T2, D:T12",
        [],
        ["cursor-pagination"]
    ),
    def!(
        "unified.key-by",
        Must,
        "truto_key_by turns result into an object keyed by that field",
        "Truto S-000",
        [],
        ["key-by"]
    ),
    def!(
        "unified.exclude-fields",
        Must,
        "truto_exclude_fields drops the fields, in [] and comma forms",
        "Truto S-000, 3P:T7",
        [],
        ["exclude-fields"]
    ),
    def!(
        "unified.ignore-remote-data",
        Must,
        "truto_ignore_remote_data drops remote_data",
        "Truto S-000",
        [],
        ["ignore-remote-data"]
    ),
    def!(
        "unified.account-required",
        Must,
        "A missing integrated_account_id is refused with 400 in Truto's envelope",
        "Truto S-000, D:T5",
        [],
        ["integrated-account-required"]
    ),
];

/// True when a check applies to this kind of API (SCIM endpoint or unified facade); checks
/// that do not are left out of the plan, not skipped.
pub fn applies(def: &CheckDef, kind: scimock_profile::ProfileKind) -> bool {
    use scimock_profile::ProfileKind;
    match crate::model::group_of(def.id) {
        "unified" => kind == ProfileKind::Unified,
        "errors" | "auth" | "media" | "rate-limit" => {
            def.id != "errors.scim-type" || kind == ProfileKind::Scim
        }
        _ => kind == ProfileKind::Scim,
    }
}

/// The definition of a check id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOG.iter().find(|d| d.id == id)
}

/// The reference shown for a check: its RFC sections plus the profile's documented sources.
pub fn reference(def: &CheckDef, profile: &Profile) -> String {
    let mut tags: Vec<String> = Vec::new();
    for q in &profile.quirks {
        let by_switch = q.switches.iter().any(|s| {
            def.switches.iter().any(|w| {
                s == w || s.starts_with(&format!("{w}.")) || w.starts_with(&format!("{s}."))
            })
        });
        if by_switch || def.quirks.contains(&q.id.as_str()) {
            for t in q.source.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let t = t.to_string();
                if !tags.contains(&t) && !def.reference.contains(&t) {
                    tags.push(t);
                }
            }
        }
    }
    if tags.is_empty() {
        def.reference.to_string()
    } else {
        format!("{}; {} {}", def.reference, profile.title, tags.join(", "))
    }
}

/// What a check concluded, before the runner adds id, timing and redaction.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Status.
    pub status: Status,
    /// Detail.
    pub detail: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    /// A skip with its reason.
    pub fn skip(reason: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Skip,
            detail: reason.into(),
            evidence: Vec::new(),
        }
    }
}

/// At most this many exchanges are kept as evidence per check.
const MAX_EVIDENCE: usize = 6;

/// Collects a check's evidence, problems and notes, and turns them into an [`Outcome`].
pub struct Probe<'a> {
    /// The run context.
    pub ctx: &'a Ctx,
    evidence: Vec<Evidence>,
    problems: Vec<String>,
    notes: Vec<String>,
    more: usize,
}

impl<'a> Probe<'a> {
    /// A probe for one check.
    pub fn new(ctx: &'a Ctx) -> Probe<'a> {
        Probe {
            ctx,
            evidence: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            more: 0,
        }
    }

    /// Sends a request and keeps its evidence.
    pub async fn send(&mut self, req: Request) -> Exchange {
        let ex = self.ctx.client.send(req).await;
        self.record(&ex);
        ex
    }

    /// Keeps an exchange's evidence.
    pub fn record(&mut self, ex: &Exchange) {
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(self.ctx.client.evidence(ex));
        } else {
            self.more += 1;
        }
    }

    /// Records a violation.
    pub fn problem(&mut self, p: impl Into<String>) {
        self.problems.push(p.into());
    }

    /// Records a violation unless `ok`.
    pub fn require(&mut self, ok: bool, p: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(p());
        }
    }

    /// Adds an observation to the detail.
    pub fn note(&mut self, n: impl Into<String>) {
        self.notes.push(n.into());
    }

    /// True when no violation was recorded so far.
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Expects a 2xx JSON response; records a problem otherwise. Returns the JSON.
    pub fn json_ok(&mut self, ex: &Exchange, what: &str) -> Option<Value> {
        if !ex.ok() {
            self.problem(format!(
                "{what}: {} {} answered {}",
                ex.method,
                ex.target,
                ex.outcome()
            ));
            return None;
        }
        match ex.json() {
            Some(v) => Some(v),
            None => {
                self.problem(format!(
                    "{what}: {} {} answered {} with a body that is not JSON",
                    ex.method,
                    ex.target,
                    ex.outcome()
                ));
                None
            }
        }
    }

    /// Expects the profile's documented error: this HTTP status, the profile's error format,
    /// and (for SCIM Errors) this `scimType`.
    pub fn expect_error(
        &mut self,
        ex: &Exchange,
        what: &str,
        status: u16,
        scim_type: Option<&str>,
    ) {
        if ex.status != Some(status) {
            self.problem(format!(
                "{what}: expected HTTP {status}, got {}",
                ex.outcome()
            ));
            return;
        }
        let format = self.ctx.profile.errors.format;
        let c = crate::classify::classify(ex.header("content-type"), &ex.body);
        let want = crate::classify::BodyKind::of_format(format);
        if c.kind != want {
            self.problem(format!(
                "{what}: the error body is {}, the profile documents {}",
                c.kind.describe(),
                want.describe()
            ));
            return;
        }
        if let (scimock_profile::ErrorFormat::Scim, Some(t)) = (format, scim_type) {
            if c.scim_type.as_deref() != Some(t) {
                self.problem(format!(
                    "{what}: scimType is {}, expected {t:?}",
                    c.scim_type
                        .as_deref()
                        .map_or_else(|| "absent".to_string(), |s| format!("{s:?}"))
                ));
            }
        }
    }

    /// Finishes: pass (with the notes) when nothing was violated, else fail (warn for `may`).
    pub fn finish(self, pass: impl Into<String>) -> Outcome {
        let mut evidence = self.evidence;
        if self.more > 0 {
            if let Some(last) = evidence.last_mut() {
                last.response_excerpt
                    .push_str(&format!("\n[{} more requests not shown]", self.more));
            }
        }
        if self.problems.is_empty() {
            let mut detail = pass.into();
            for n in self.notes {
                detail.push_str("; ");
                detail.push_str(&n);
            }
            Outcome {
                status: Status::Pass,
                detail,
                evidence,
            }
        } else {
            let mut detail = self.problems.join("; ");
            for n in self.notes {
                detail.push_str("; ");
                detail.push_str(&n);
            }
            Outcome {
                status: Status::Fail,
                detail,
                evidence,
            }
        }
    }

    /// Finishes as a skip, keeping the evidence gathered.
    pub fn skip(self, reason: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Skip,
            detail: reason.into(),
            evidence: self.evidence,
        }
    }
}

/// Runs the check `id`; `None` when no code implements it.
pub async fn run(ctx: &Ctx, id: &str) -> Option<Outcome> {
    Some(match id {
        "discovery.service-provider-config" => discovery::service_provider_config(ctx).await,
        "discovery.spc-consistent" => discovery::spc_consistent(ctx).await,
        "discovery.schemas" => discovery::schemas(ctx).await,
        "discovery.resource-types" => discovery::resource_types(ctx).await,
        "list.envelope" => list::envelope(ctx).await,
        "list.total-results" => list::total_results(ctx).await,
        "list.sort" => list::sort(ctx).await,
        "list.pagination.start-index" => pagination::start_index(ctx).await,
        "list.pagination.count" => pagination::count(ctx).await,
        "list.pagination.items-per-page" => pagination::items_per_page(ctx).await,
        "list.pagination.cap" => pagination::cap(ctx).await,
        "list.pagination.walk" => pagination::walk(ctx).await,
        "list.pagination.cursor-walk" => pagination::cursor_walk(ctx).await,
        "list.pagination.cursor-invalid" => pagination::cursor_invalid(ctx).await,
        "resource.get-by-id" => resource::get_by_id(ctx).await,
        "resource.core-attributes" => resource::core_attributes(ctx).await,
        "resource.meta" => resource::meta(ctx).await,
        "resource.not-found" => resource::not_found(ctx).await,
        "filter.eq" => filter::eq(ctx).await,
        "filter.case-insensitive" => filter::case_insensitive(ctx).await,
        "filter.no-match" => filter::no_match(ctx).await,
        "filter.unsupported" => filter::unsupported(ctx).await,
        "filter.malformed" => filter::malformed(ctx).await,
        "filter.search" => filter::search(ctx).await,
        "projection.attributes" => projection::attributes(ctx).await,
        "projection.excluded-attributes" => projection::excluded(ctx).await,
        "projection.exclusive" => projection::exclusive(ctx).await,
        "errors.format" => errors::format(ctx).await,
        "errors.status" => errors::status(ctx).await,
        "errors.scim-type" => errors::scim_type(ctx).await,
        "errors.content-type" => errors::content_type(ctx).await,
        "auth.missing-token" => auth::missing_token(ctx).await,
        "auth.wrong-token" => auth::wrong_token(ctx).await,
        "media.content-type" => list::media_type(ctx).await,
        "writes.create" => writes::create(ctx).await,
        "writes.duplicate" => writes::duplicate(ctx).await,
        "writes.replace" => writes::replace(ctx).await,
        "writes.patch" => writes::patch(ctx).await,
        "writes.patch-value-path" => writes::patch_value_path(ctx).await,
        "writes.etag-if-match" => writes::etag_if_match(ctx).await,
        "writes.delete" => writes::delete(ctx).await,
        "rate-limit.retry-after" => rate_limit::retry_after(ctx).await,
        "unified.envelope" => unified::envelope(ctx).await,
        "unified.cursor-walk" => unified::cursor_walk(ctx).await,
        "unified.key-by" => unified::key_by(ctx).await,
        "unified.exclude-fields" => unified::exclude_fields(ctx).await,
        "unified.ignore-remote-data" => unified::ignore_remote_data(ctx).await,
        "unified.account-required" => unified::account_required(ctx).await,
        _ => return None,
    })
}

/// A list response, read leniently (member names case-insensitively, numbers of any JSON type).
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// `totalResults`.
    pub total: Option<u64>,
    /// `startIndex`.
    pub start_index: Option<i64>,
    /// `itemsPerPage`.
    pub items_per_page: Option<u64>,
    /// `Resources` (empty when absent).
    pub resources: Vec<Value>,
    /// `Resources` was present.
    pub has_resources: bool,
    /// RFC 9865 `nextCursor`.
    pub next_cursor: Option<String>,
}

/// A member of an object, name compared case-insensitively (RFC 7643 §2.1).
pub fn member<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let o = v.as_object()?;
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn as_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Page {
    /// Reads a ListResponse body.
    pub fn parse(v: &Value) -> Page {
        let res = member(v, "Resources");
        Page {
            total: as_u64(member(v, "totalResults")),
            start_index: member(v, "startIndex").and_then(|s| {
                s.as_i64()
                    .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
            }),
            items_per_page: as_u64(member(v, "itemsPerPage")),
            resources: res.and_then(Value::as_array).cloned().unwrap_or_default(),
            has_resources: res.is_some_and(Value::is_array),
            next_cursor: member(v, "nextCursor")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    /// The ids of the resources (missing ids as empty strings).
    pub fn ids(&self) -> Vec<String> {
        self.resources.iter().map(id_of).collect()
    }
}

/// A resource's id as text (empty when absent).
pub fn id_of(v: &Value) -> String {
    match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A string attribute of a resource (`userName`).
pub fn str_attr<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    member(v, name).and_then(Value::as_str)
}

/// The `value` of each entry of a multi-valued attribute (`emails`).
pub fn values_of(v: &Value, name: &str) -> Vec<String> {
    member(v, name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    member(e, "value")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A filter string literal (RFC 7644 §3.4.2.2 uses JSON string syntax).
pub fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
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
        assert_eq!(reference(cap, &attio), "RFC 7644 §3.4.2.4; Attio S-002");
        let truto = Profile::builtin("truto").unwrap();
        assert!(reference(find("unified.key-by").unwrap(), &truto).starts_with("Truto S-000"));
    }

    #[test]
    fn pages_are_read_leniently() {
        let p = Page::parse(
            &serde_json::json!({"TotalResults": "3", "startIndex": 1, "resources": [{"id": 7}]}),
        );
        assert_eq!(p.total, Some(3));
        assert_eq!(p.ids(), vec!["7".to_string()]);
        assert!(p.has_resources);
        let empty = Page::parse(&serde_json::json!([1, 2]));
        assert_eq!(empty.total, None);
        assert!(!empty.has_resources);
    }
}
