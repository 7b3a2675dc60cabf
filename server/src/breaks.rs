//! Break switches: named violations of documented behaviour that prove conformance checks can
//! fail. They sit at the edge, like a tower layer, not inside the logic they sabotage:
//!
//! - switches that only change output are applied here, to the rendered response, by
//!   [`outgoing`] (resources, lists, discovery, unified answers, media type) and by
//!   [`render_error`] (the error format);
//! - the few that change behaviour are read by the stages through one narrow hook, [`Bends`].
//!
//! Adding a switch touches this file and `conformance/tests/breaks.json`.

use crate::error::ScimError;
use crate::render::{DiscoveryDoc, Output, Renderer};
use crate::store::Kind;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimock_profile::vocab::CORE_GROUP;
use scimock_profile::{ErrorFormat, UrlStyle};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

macro_rules! breaks {
    ($($variant:ident = $name:literal : $desc:literal,)*) => {
        /// A named way for the mock to violate one documented behaviour.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Break {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl Break {
            /// Every break switch.
            pub const ALL: &'static [Break] = &[$(Break::$variant,)*];

            /// The switch's name in the admin API.
            pub fn name(self) -> &'static str {
                match self { $(Break::$variant => $name,)* }
            }

            /// What the switch breaks.
            pub fn description(self) -> &'static str {
                match self { $(Break::$variant => $desc,)* }
            }

            /// Looks a switch up by name.
            pub fn from_name(name: &str) -> Option<Break> {
                Break::ALL.iter().copied().find(|b| b.name() == name)
            }
        }
    };
}

breaks! {
    ListTotalResultsWrong = "list.total-results-wrong": "totalResults is one more than the number of matching resources",
    ListStartIndexZero = "list.start-index-zero": "list responses report startIndex 0 (zero-based) instead of echoing the 1-based index",
    ListIgnoreCount = "list.ignore-count": "count is ignored: pages are larger than asked for and the vendor cap is not applied",
    ListPagesOverlap = "list.pages-overlap": "each page after the first starts one resource early, so consecutive pages overlap",
    ListSchemasMissing = "list.schemas-missing": "list responses omit the ListResponse schema URN",
    ListItemsPerPageWrong = "list.items-per-page-wrong": "itemsPerPage is off by one from what the profile defines it to mean",
    ListResourcesKeyLowercase = "list.resources-lowercase": "list responses name the array `resources` instead of `Resources`",
    ListBeyondEndFirstPage = "list.beyond-end-first-page": "a startIndex beyond totalResults answers the first page, as if startIndex were 1",
    FilterIgnored = "filter.ignored": "the filter parameter is ignored: every resource is returned",
    FilterCaseSensitive = "filter.case-sensitive": "eq on caseExact:false attributes (userName, emails.value) compares case-sensitively",
    FilterAcceptUnsupported = "filter.accept-unsupported": "filters the profile documents as refused are evaluated instead of refused",
    FilterMalformedAccepted = "filter.malformed-accepted": "a filter that does not parse is ignored instead of refused with invalidFilter",
    FilterAttributeNamesCaseSensitive = "filter.attribute-names-case-sensitive": "attribute names in filters count only when spelled as the schema spells them (`USERNAME` is an undefined attribute)",
    FilterUndefinedAttributeMatches = "filter.undefined-attribute-matches": "a filter naming an attribute no schema defines matches every resource instead of being refused",
    SearchBodyIgnored = "search.body-ignored": "POST .search ignores its SearchRequest body (filter, paging, attributes) and lists every resource",
    SearchPagingIgnored = "search.paging-ignored": "POST .search applies its filter (and sort) but ignores startIndex, count, cursor, attributes and excludedAttributes",
    ErrorStatusInteger = "error.status-as-integer": "SCIM errors carry status as a JSON number instead of a string",
    ErrorContentTypeText = "error.content-type-text": "errors are sent as text/plain",
    ErrorScimTypeMissing = "error.scim-type-missing": "SCIM errors omit scimType",
    ErrorScimTypeInvalid = "error.scim-type-invalid": "SCIM errors that carry a scimType carry \"scimockInvalid\", which RFC 7644 Table 9 does not define",
    ErrorGenericFormat = "error.generic-format": "errors use a plain {\"error\": \"...\"} body instead of the profile's format",
    AuthAcceptAnyToken = "auth.accept-any-token": "any request is accepted, with or without a valid token",
    ContentTypePlainJson = "content-type.plain-json": "successful responses are sent as text/plain instead of the profile's media type",
    DiscoverySpcMissing = "discovery.spc-missing": "the service provider configuration endpoint answers 404",
    DiscoverySchemasMissing = "discovery.schemas-missing": "/Schemas answers 404",
    DiscoveryResourceTypesMissing = "discovery.resource-types-missing": "/ResourceTypes answers 404",
    DiscoverySpcLies = "discovery.spc-lies": "the service provider configuration claims sorting and ETags are unsupported and filter.maxResults is 1",
    MetaLocationMissing = "meta.location-missing": "meta.location is omitted from resources",
    SchemasMissing = "resource.schemas-missing": "resources are returned without their schemas attribute",
    IdMissing = "resource.id-missing": "resources are returned without id",
    ProjectionIgnored = "projection.ignored": "attributes and excludedAttributes are ignored",
    SortIgnored = "sort.ignored": "sortBy and sortOrder are ignored",
    CreateNoLocation = "create.no-location": "POST answers without a Location header",
    CreateStatus200 = "create.status-200": "POST answers 200 instead of 201",
    CreateAllowDuplicates = "create.allow-duplicates": "a duplicate userName is accepted instead of refused",
    ReplaceIgnored = "replace.ignored": "PUT answers 200 but changes nothing",
    PatchIgnored = "patch.ignored": "PATCH answers success but changes nothing",
    DeleteIgnored = "delete.ignored": "DELETE answers 204 but the resource stays readable and active",
    CreateDuplicateCaseSensitive = "create.duplicate-case-sensitive": "userName uniqueness compares case-sensitively: a userName differing only in case is created",
    CreateRequiredNotEnforced = "create.required-not-enforced": "POST and PUT /Users without a required attribute (userName) are accepted",
    MetaLastModifiedFrozen = "meta.last-modified-frozen": "PUT and PATCH leave meta.lastModified as it was before the write",
    GroupsTotalResultsWrong = "groups.total-results-wrong": "/Groups lists report totalResults one more than the matching groups",
    GroupsGetDisplayNameWrong = "groups.get-display-name-wrong": "a single group (GET /Groups/{id}, and the answer to a group write) carries a displayName other than its stored one; lists show the stored one",
    GroupsFilterIgnored = "groups.filter-ignored": "the filter parameter is ignored on /Groups: every group is returned",
    GroupsExcludedMembersIgnored = "groups.excluded-members-ignored": "excludedAttributes=members is ignored on /Groups",
    GroupsMembersDangling = "groups.members-dangling": "every group read that carries members carries one more, a user that does not exist",
    GroupsCreateMembersIgnored = "groups.create-members-ignored": "POST /Groups stores the group without the members it was sent",
    GroupsPatchMembersIgnored = "groups.patch-members-ignored": "PATCH on a group answers 200 but changes nothing",
    GroupsReplaceIgnored = "groups.replace-ignored": "PUT on a group answers 200 but changes nothing",
    GroupsDeleteIgnored = "groups.delete-ignored": "DELETE on a group answers 204 but the group stays readable",
    GroupsWritesAccepted = "groups.writes-accepted": "group writes the profile documents as not offered are carried out as the generic profile would",
    NotFoundAs200 = "get.not-found-200": "GET of an unknown id answers 200 with an empty object",
    EtagIgnoreIfMatch = "etag.ignore-if-match": "If-Match is ignored: writes with a stale version succeed",
    CursorRepeats = "cursor.repeats": "nextCursor always points at the first page, so a cursor walk never ends",
    CursorInvalidAccepted = "cursor.invalid-accepted": "an invalid cursor is treated as the first page instead of refused",
    RetryAfterMissing = "rate-limit.no-retry-after": "429 responses carry no Retry-After header",
    UnifiedNextCursorNeverNull = "unified.next-cursor-never-null": "the last unified page still carries a next_cursor",
    UnifiedKeyByIgnored = "unified.key-by-ignored": "truto_key_by is ignored",
    UnifiedExcludeFieldsIgnored = "unified.exclude-fields-ignored": "truto_exclude_fields is ignored",
    UnifiedRemoteDataKept = "unified.remote-data-kept": "truto_ignore_remote_data is ignored",
    UnifiedAccountOptional = "unified.account-optional": "a missing integrated_account_id is not refused",
    UnifiedResultCountWrong = "unified.result-count-wrong": "unified lists report a result_count one more than the items in result",
    UnifiedCreateWrapped = "unified.create-wrapped": "a unified create answers the user wrapped as {\"result\": {...}} instead of the object itself",
    UnifiedUpdateIgnored = "unified.update-ignored": "a unified PATCH answers 200 with the user unchanged",
    UnifiedIdempotencyIgnored = "unified.idempotency-ignored": "the Idempotency-Key header is ignored: every unified POST and PATCH is carried out again",
    UnifiedDeleteIgnored = "unified.delete-ignored": "a unified DELETE answers {\"id\": ...} but the user stays readable",
    ListNoMatch404 = "list.no-match-404": "a list or filter that matches nothing answers 404 instead of 200 with totalResults 0",
    ListNumbersAsStrings = "list.numbers-as-strings": "totalResults, startIndex and itemsPerPage are JSON strings (\"10\") instead of integers",
    CreateReadOnlyRefused = "create.read-only-refused": "a POST carrying read-only attributes (a client-sent meta, groups) is refused with 400 mutability instead of ignoring them",
    PatchOpsCaseSensitive = "patch.ops-case-sensitive": "PATCH op values are compared case-sensitively: \"Replace\", \"Add\", \"Remove\" are refused",
    PatchStringBooleansRefused = "patch.string-booleans-refused": "PATCH values \"True\"/\"False\" (strings) are refused as booleans",
    PatchDottedKeysRefused = "patch.dotted-keys-refused": "a path-less PATCH value with dotted (name.givenName) or URN-qualified keys is refused",
    PatchPathlessRefused = "patch.pathless-refused": "a PATCH operation without a path is refused with invalidPath",
    PatchManagerStringRefused = "patch.manager-string-refused": "the enterprise manager given as a bare string id is refused (only {\"value\": id} is accepted)",
}

/// Which switches are on (shared by every tenant; flipped by the admin API).
#[derive(Debug)]
pub struct Switches {
    flags: Vec<AtomicBool>,
    /// How many switches are on, so "none" costs one load per request.
    on: Arc<AtomicUsize>,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            flags: Break::ALL.iter().map(|_| AtomicBool::new(false)).collect(),
            on: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Switches {
    /// Turns a switch on or off.
    pub fn set(&self, b: Break, on: bool) {
        if let Some(flag) = self.flags.get(b as usize) {
            self.flip(flag, on);
        }
    }

    /// True when the switch is on.
    pub fn is_broken(&self, b: Break) -> bool {
        self.flags
            .get(b as usize)
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// True when any switch is on.
    pub fn any_broken(&self) -> bool {
        self.on.load(Ordering::Relaxed) > 0
    }

    /// The count of switches that are on, shared (renderers tag their answers only then).
    pub fn counter(&self) -> Arc<AtomicUsize> {
        self.on.clone()
    }

    /// Turns every switch off.
    pub fn clear(&self) {
        for f in &self.flags {
            self.flip(f, false);
        }
    }

    /// The names of the switches that are on.
    pub fn names_on(&self) -> Vec<&'static str> {
        Break::ALL
            .iter()
            .filter(|b| self.is_broken(**b))
            .map(|b| b.name())
            .collect()
    }

    fn flip(&self, flag: &AtomicBool, on: bool) {
        match (flag.swap(on, Ordering::SeqCst), on) {
            (false, true) => {
                self.on.fetch_add(1, Ordering::SeqCst);
            }
            (true, false) => {
                self.on.fetch_sub(1, Ordering::SeqCst);
            }
            _ => {}
        }
    }
}

/// The behavioural switches, as the stages read them: one snapshot, all off (and one atomic
/// load) unless some switch is on. This is the only way a stage learns it should misbehave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bends {
    /// `filter.ignored`: every resource matches.
    pub filter_ignored: bool,
    /// `filter.malformed-accepted`: a filter that does not parse matches everything.
    pub filter_malformed_accepted: bool,
    /// `filter.accept-unsupported`: the profile's filter allow-list is not enforced.
    pub filter_accept_unsupported: bool,
    /// `filter.case-sensitive`: every attribute compares case-exactly.
    pub filter_case_sensitive: bool,
    /// `search.body-ignored`: a valid SearchRequest is replaced by an empty one.
    pub search_body_ignored: bool,
    /// `projection.ignored`: `attributes` / `excludedAttributes` are not read.
    pub projection_ignored: bool,
    /// `sort.ignored`: `sortBy` / `sortOrder` are not read.
    pub sort_ignored: bool,
    /// `list.ignore-count`: pages are one larger than asked and the cap is not applied.
    pub count_ignored: bool,
    /// `list.pages-overlap`: every page after the first starts one resource early.
    pub pages_overlap: bool,
    /// `cursor.repeats`: `nextCursor` always points at the first page.
    pub cursor_repeats: bool,
    /// `cursor.invalid-accepted`: an invalid cursor is the first page.
    pub cursor_invalid_accepted: bool,
    /// `auth.accept-any-token`: no credential is checked.
    pub any_token: bool,
    /// `etag.ignore-if-match`: If-Match is not compared.
    pub if_match_ignored: bool,
    /// `create.allow-duplicates`: a create with a taken userName is stored.
    pub duplicates_allowed: bool,
    /// `replace.ignored`: PUT answers without writing.
    pub replace_ignored: bool,
    /// `patch.ignored`: PATCH answers without writing.
    pub patch_ignored: bool,
    /// `delete.ignored`: DELETE answers without deleting.
    pub delete_ignored: bool,
    /// `unified.next-cursor-never-null`: the last unified page still has a next_cursor.
    pub unified_next_cursor_never_null: bool,
    /// `unified.key-by-ignored`: truto_key_by is not read.
    pub unified_key_by_ignored: bool,
    /// `unified.exclude-fields-ignored`: truto_exclude_fields is not read.
    pub unified_exclude_fields_ignored: bool,
    /// `unified.remote-data-kept`: truto_ignore_remote_data is not read.
    pub unified_remote_data_kept: bool,
    /// `unified.account-optional`: a missing integrated_account_id means the first account.
    pub unified_account_optional: bool,
    /// `list.beyond-end-first-page`: a startIndex beyond the end is read as 1.
    pub beyond_end_first_page: bool,
    /// `filter.attribute-names-case-sensitive`: a filter's attribute names must be spelled as
    /// the schema spells them.
    pub filter_names_case_sensitive: bool,
    /// `filter.undefined-attribute-matches`: a filter naming an undefined attribute matches all.
    pub filter_undefined_matches: bool,
    /// `search.paging-ignored`: a SearchRequest keeps only its filter and sort.
    pub search_paging_ignored: bool,
    /// `create.duplicate-case-sensitive`: userName uniqueness compares case-exactly.
    pub user_names_case_sensitive: bool,
    /// `create.required-not-enforced`: a user without a required attribute is stored.
    pub required_not_enforced: bool,
    /// `meta.last-modified-frozen`: PUT and PATCH keep meta.lastModified.
    pub last_modified_frozen: bool,
    /// `groups.filter-ignored`: every group matches.
    pub group_filter_ignored: bool,
    /// `groups.excluded-members-ignored`: `excludedAttributes` on Groups does not drop members.
    pub group_excluded_members_ignored: bool,
    /// `groups.create-members-ignored`: POST /Groups drops the members it was sent.
    pub group_create_members_ignored: bool,
    /// `groups.patch-members-ignored`: PATCH on a group answers without writing.
    pub group_patch_ignored: bool,
    /// `groups.replace-ignored`: PUT on a group answers without writing.
    pub group_replace_ignored: bool,
    /// `groups.delete-ignored`: DELETE on a group answers without deleting.
    pub group_delete_ignored: bool,
    /// `groups.writes-accepted`: group writes the profile does not offer are carried out.
    pub group_writes_accepted: bool,
    /// `unified.update-ignored`: a unified PATCH answers without writing.
    pub unified_update_ignored: bool,
    /// `unified.idempotency-ignored`: `Idempotency-Key` is not read.
    pub unified_idempotency_ignored: bool,
    /// `unified.delete-ignored`: a unified DELETE answers without deleting.
    pub unified_delete_ignored: bool,
    /// `create.read-only-refused`: a POST with read-only attributes is refused.
    pub create_read_only_refused: bool,
    /// `patch.ops-case-sensitive`: PATCH ops must be lowercase.
    pub patch_ops_case_sensitive: bool,
    /// `patch.string-booleans-refused`: "True"/"False" are refused.
    pub patch_string_booleans_refused: bool,
    /// `patch.dotted-keys-refused`: path-less values with dotted or URN keys are refused.
    pub patch_dotted_keys_refused: bool,
    /// `patch.pathless-refused`: operations without a path are refused.
    pub patch_pathless_refused: bool,
    /// `patch.manager-string-refused`: a bare-string manager is refused.
    pub patch_manager_string_refused: bool,
}

impl Bends {
    /// The behavioural switches that are on now.
    pub fn of(switches: &Switches) -> Bends {
        if !switches.any_broken() {
            return Bends::default();
        }
        let on = |b| switches.is_broken(b);
        Bends {
            filter_ignored: on(Break::FilterIgnored),
            filter_malformed_accepted: on(Break::FilterMalformedAccepted),
            filter_accept_unsupported: on(Break::FilterAcceptUnsupported),
            filter_case_sensitive: on(Break::FilterCaseSensitive),
            search_body_ignored: on(Break::SearchBodyIgnored),
            projection_ignored: on(Break::ProjectionIgnored),
            sort_ignored: on(Break::SortIgnored),
            count_ignored: on(Break::ListIgnoreCount),
            pages_overlap: on(Break::ListPagesOverlap),
            cursor_repeats: on(Break::CursorRepeats),
            cursor_invalid_accepted: on(Break::CursorInvalidAccepted),
            any_token: on(Break::AuthAcceptAnyToken),
            if_match_ignored: on(Break::EtagIgnoreIfMatch),
            duplicates_allowed: on(Break::CreateAllowDuplicates),
            replace_ignored: on(Break::ReplaceIgnored),
            patch_ignored: on(Break::PatchIgnored),
            delete_ignored: on(Break::DeleteIgnored),
            unified_next_cursor_never_null: on(Break::UnifiedNextCursorNeverNull),
            unified_key_by_ignored: on(Break::UnifiedKeyByIgnored),
            unified_exclude_fields_ignored: on(Break::UnifiedExcludeFieldsIgnored),
            unified_remote_data_kept: on(Break::UnifiedRemoteDataKept),
            unified_account_optional: on(Break::UnifiedAccountOptional),
            beyond_end_first_page: on(Break::ListBeyondEndFirstPage),
            filter_names_case_sensitive: on(Break::FilterAttributeNamesCaseSensitive),
            filter_undefined_matches: on(Break::FilterUndefinedAttributeMatches),
            search_paging_ignored: on(Break::SearchPagingIgnored),
            user_names_case_sensitive: on(Break::CreateDuplicateCaseSensitive),
            required_not_enforced: on(Break::CreateRequiredNotEnforced),
            last_modified_frozen: on(Break::MetaLastModifiedFrozen),
            group_filter_ignored: on(Break::GroupsFilterIgnored),
            group_excluded_members_ignored: on(Break::GroupsExcludedMembersIgnored),
            group_create_members_ignored: on(Break::GroupsCreateMembersIgnored),
            group_patch_ignored: on(Break::GroupsPatchMembersIgnored),
            group_replace_ignored: on(Break::GroupsReplaceIgnored),
            group_delete_ignored: on(Break::GroupsDeleteIgnored),
            group_writes_accepted: on(Break::GroupsWritesAccepted),
            unified_update_ignored: on(Break::UnifiedUpdateIgnored),
            unified_idempotency_ignored: on(Break::UnifiedIdempotencyIgnored),
            unified_delete_ignored: on(Break::UnifiedDeleteIgnored),
            create_read_only_refused: on(Break::CreateReadOnlyRefused),
            patch_ops_case_sensitive: on(Break::PatchOpsCaseSensitive),
            patch_string_booleans_refused: on(Break::PatchStringBooleansRefused),
            patch_dotted_keys_refused: on(Break::PatchDottedKeysRefused),
            patch_pathless_refused: on(Break::PatchPathlessRefused),
            patch_manager_string_refused: on(Break::PatchManagerStringRefused),
        }
    }
}

/// The request shapes identity providers send that the PATCH switches refuse, before the
/// body is parsed (`patch.ops-case-sensitive`, `patch.string-booleans-refused`,
/// `patch.dotted-keys-refused`, `patch.pathless-refused`, `patch.manager-string-refused`).
pub fn refuse_patch(bends: &Bends, body: &Value) -> Result<(), ScimError> {
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        if bends.patch_ops_case_sensitive && name != name.to_ascii_lowercase() {
            return Err(ScimError::invalid_syntax(format!(
                "Unknown PATCH op {name:?} (ops are compared case-sensitively)"
            )));
        }
        if bends.patch_string_booleans_refused
            && value
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"))
        {
            return Err(ScimError::invalid_value(
                "A boolean must be true or false, not a string",
            ));
        }
        if path.is_none() && bends.patch_pathless_refused {
            return Err(ScimError::invalid_path(
                "Every PATCH operation needs a path",
            ));
        }
        let dotted = value
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| k.contains('.') || k.starts_with("urn:")));
        if path.is_none() && dotted && bends.patch_dotted_keys_refused {
            return Err(ScimError::invalid_path(
                "A path-less value's keys must be attribute names, not paths",
            ));
        }
        let manager = path.is_some_and(|p| p.to_ascii_lowercase().ends_with(":manager"));
        if manager && value.is_some_and(Value::is_string) && bends.patch_manager_string_refused {
            return Err(ScimError::invalid_value(
                "manager must be an object {\"value\": id}",
            ));
        }
    }
    Ok(())
}

/// `create.read-only-refused`: a POST carrying `meta` or `groups` (read-only, RFC 7643 §3.1,
/// §4.1.2) is refused instead of their values being ignored.
pub fn refuse_create(bends: &Bends, body: &Value) -> Result<(), ScimError> {
    if !bends.create_read_only_refused {
        return Ok(());
    }
    match body
        .as_object()
        .and_then(|o| o.keys().find(|k| ["meta", "groups"].contains(&k.as_str())))
    {
        Some(k) => Err(ScimError::mutability(format!(
            "Attribute '{k}' is readOnly"
        ))),
        None => Ok(()),
    }
}

/// The output-only switches applied to a handler's answer, before errors are rendered (which
/// [`render_error`] does). `generated_spc` is the service provider configuration as generated,
/// without the profile's overrides. Free when no switch is on.
pub async fn outgoing(
    switches: &Switches,
    renderer: &Renderer,
    generated_spc: impl FnOnce() -> Value,
    resp: Response,
) -> Response {
    if !switches.any_broken() {
        return resp;
    }
    let Some(output) = resp.extensions().get::<Output>().copied() else {
        return resp;
    };
    let on = |b| switches.is_broken(b);
    let failed = resp.extensions().get::<ScimError>().is_some();
    let dangling = on(Break::GroupsMembersDangling).then(|| dangling_member(renderer));
    let mut resp = match output {
        Output::Discovery(doc) if on(discovery_switch(doc)) => {
            return ScimError::not_found("No such endpoint").into_response();
        }
        Output::Discovery(DiscoveryDoc::ServiceProviderConfig)
            if !failed && on(Break::DiscoverySpcLies) =>
        {
            let mut doc = generated_spc();
            doc["filter"]["maxResults"] = json!(1);
            doc["sort"]["supported"] = json!(false);
            doc["etag"]["supported"] = json!(false);
            renderer.tag(renderer.json_value(StatusCode::OK, &doc), output)
        }
        Output::MissingResource if failed && on(Break::NotFoundAs200) => {
            renderer.json(StatusCode::OK, "{}")
        }
        _ if failed => return resp,
        Output::Resource { created, kind } => {
            let mut r = edit_json(resp, |v| {
                resource(switches, dangling.as_ref(), Some(kind), v);
                if kind == Kind::Group && !created && on(Break::GroupsGetDisplayNameWrong) {
                    renamed(v);
                }
            })
            .await;
            if created && on(Break::CreateStatus200) {
                *r.status_mut() = StatusCode::OK;
            }
            if created && on(Break::CreateNoLocation) {
                r.headers_mut().remove(header::LOCATION);
            }
            r
        }
        Output::List(kind) => {
            let mut empty = false;
            let r = edit_json(resp, |v| {
                empty = v.get("totalResults").and_then(Value::as_u64) == Some(0);
                list(switches, dangling.as_ref(), kind, v);
            })
            .await;
            if empty && on(Break::ListNoMatch404) {
                return ScimError::not_found("No resources match").into_response();
            }
            r
        }
        Output::Unified => {
            let created = resp.status() == StatusCode::CREATED;
            edit_json(resp, |v| unified(switches, created, v)).await
        }
        Output::UnifiedStream => return edit_lines(resp, |v| unified(switches, false, v)).await,
        _ => resp,
    };
    if on(Break::ContentTypePlainJson) {
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain"),
        );
    }
    resp
}

fn discovery_switch(doc: DiscoveryDoc) -> Break {
    match doc {
        DiscoveryDoc::ServiceProviderConfig => Break::DiscoverySpcMissing,
        DiscoveryDoc::Schemas => Break::DiscoverySchemasMissing,
        DiscoveryDoc::ResourceTypes => Break::DiscoveryResourceTypesMissing,
    }
}

/// The id of the member `groups.members-dangling` adds: no user has it.
const DANGLING_MEMBER: &str = "scimock-dangling-member";

/// The member `groups.members-dangling` adds, with `$ref` in the profile's style.
fn dangling_member(renderer: &Renderer) -> Value {
    let style = renderer
        .profile()
        .groups
        .as_ref()
        .map_or(UrlStyle::Absolute, |g| g.member_ref);
    let r = renderer.resource_url(Kind::User, DANGLING_MEMBER, style);
    json!({"value": DANGLING_MEMBER, "type": "User", "$ref": r})
}

/// One rendered resource of `kind` (`None`: unknown, told by its `schemas`); `dangling` is the
/// member `groups.members-dangling` adds, while it is on.
fn resource(switches: &Switches, dangling: Option<&Value>, kind: Option<Kind>, v: &mut Value) {
    let Some(o) = v.as_object_mut() else {
        return;
    };
    let is_group = kind.map_or_else(
        || {
            o.get("schemas")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(CORE_GROUP)))
        },
        |k| k == Kind::Group,
    );
    if let Some(member) = dangling.filter(|_| is_group) {
        // Only where members are rendered: `excludedAttributes=members` still removes it.
        if let Some(members) = o.get_mut("members").and_then(Value::as_array_mut) {
            members.push(member.clone());
        }
    }
    if switches.is_broken(Break::MetaLocationMissing) {
        if let Some(meta) = o.get_mut("meta").and_then(Value::as_object_mut) {
            meta.shift_remove("location");
        }
    }
    if switches.is_broken(Break::SchemasMissing) {
        o.shift_remove("schemas");
    }
    if switches.is_broken(Break::IdMissing) {
        o.shift_remove("id");
    }
}

/// A group's displayName, changed (`groups.get-display-name-wrong`).
fn renamed(v: &mut Value) {
    if let Some(name) = v.get("displayName").and_then(Value::as_str) {
        v["displayName"] = json!(format!("{name} (renamed)"));
    }
}

/// A ListResponse of resources of `kind` (`None`: every kind): its resources, then the envelope.
/// `dangling` as for [`resource`].
fn list(switches: &Switches, dangling: Option<&Value>, kind: Option<Kind>, v: &mut Value) {
    if let Some(items) = v.get_mut("Resources").and_then(Value::as_array_mut) {
        items
            .iter_mut()
            .for_each(|r| resource(switches, dangling, kind, r));
    }
    let Some(o) = v.as_object_mut() else {
        return;
    };
    let on = |b| switches.is_broken(b);
    if on(Break::ListSchemasMissing) {
        o.shift_remove("schemas");
    }
    let bump = |o: &mut Map<String, Value>, key: &str| {
        if let Some(n) = o.get(key).and_then(Value::as_u64) {
            o.insert(key.into(), json!(n + 1));
        }
    };
    if on(Break::ListTotalResultsWrong)
        || (kind == Some(Kind::Group) && on(Break::GroupsTotalResultsWrong))
    {
        bump(o, "totalResults");
    }
    if on(Break::ListStartIndexZero) && o.contains_key("startIndex") {
        o.insert("startIndex".into(), json!(0));
    }
    if on(Break::ListItemsPerPageWrong) {
        bump(o, "itemsPerPage");
    }
    if on(Break::ListNumbersAsStrings) {
        for key in ["totalResults", "startIndex", "itemsPerPage"] {
            if let Some(n) = o.get(key).and_then(Value::as_u64) {
                o.insert(key.into(), json!(n.to_string()));
            }
        }
    }
    if on(Break::ListResourcesKeyLowercase) {
        *o = std::mem::take(o)
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "Resources" => ("resources".to_string(), v),
                _ => (k, v),
            })
            .collect();
    }
}

/// A unified answer: the SCIM resources inside it (`remote_data`, raw lists) and the envelope;
/// `created` for the answer to a create.
fn unified(switches: &Switches, created: bool, v: &mut Value) {
    if switches.is_broken(Break::MetaLocationMissing) {
        without_meta_location(v);
    }
    if switches.is_broken(Break::UnifiedResultCountWrong) {
        if let Some(n) = v.get("result_count").and_then(Value::as_u64) {
            v["result_count"] = json!(n + 1);
        }
    }
    if created && switches.is_broken(Break::UnifiedCreateWrapped) {
        *v = json!({"result": v.take()});
    }
}

/// Removes `meta.location` from every resource nested anywhere in `v`.
fn without_meta_location(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                match child.as_object_mut() {
                    Some(meta) if k == "meta" => {
                        meta.shift_remove("location");
                    }
                    _ => without_meta_location(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_meta_location),
        _ => {}
    }
}

/// The response with its JSON body edited (left alone when it is not JSON).
async fn edit_json(resp: Response, edit: impl FnOnce(&mut Value)) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut v) => {
            edit(&mut v);
            Body::from(serde_json::to_vec(&v).unwrap_or_default())
        }
        Err(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// The response with each line of its NDJSON body edited.
async fn edit_lines(resp: Response, edit: impl Fn(&mut Value)) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut out = String::new();
    for line in String::from_utf8_lossy(&bytes).lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(mut v) => {
                edit(&mut v);
                out.push_str(&v.to_string());
            }
            Err(_) => out.push_str(line),
        }
        out.push('\n');
    }
    Response::from_parts(parts, Body::from(out))
}

/// A `ScimError` in the profile's format, with the error switches applied.
pub fn render_error(
    switches: &Switches,
    renderer: &Renderer,
    e: &ScimError,
    instance: &str,
) -> Response {
    if !switches.any_broken() {
        return renderer.error(e, instance);
    }
    let errors = &renderer.profile().errors;
    let mut e = e.clone();
    if switches.is_broken(Break::RetryAfterMissing) {
        e.headers.retain(|(n, _)| n != header::RETRY_AFTER);
    }
    if switches.is_broken(Break::ErrorScimTypeMissing) {
        e.scim_type = None;
    }
    let content_type = if switches.is_broken(Break::ErrorContentTypeText) {
        "text/plain"
    } else {
        &errors.content_type
    };
    if switches.is_broken(Break::ErrorGenericFormat) {
        return e.respond_with(&json!({"error": e.detail}), content_type);
    }
    let integer = switches.is_broken(Break::ErrorStatusInteger);
    let invalid_type = e.scim_type.is_some() && switches.is_broken(Break::ErrorScimTypeInvalid);
    if errors.format == ErrorFormat::Scim && (integer || invalid_type) {
        let mut body = e.body(errors, instance);
        if integer {
            body["status"] = json!(e.status.as_u16());
        }
        if invalid_type {
            body["scimType"] = json!("scimockInvalid");
        }
        return e.respond_with(&body, content_type);
    }
    e.render(errors, content_type, instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for b in Break::ALL {
            assert!(seen.insert(b.name()), "duplicate {}", b.name());
            assert_eq!(Break::from_name(b.name()), Some(*b));
        }
    }

    #[test]
    fn switches_are_indexed_in_declaration_order_and_counted() {
        let f = Switches::default();
        assert_eq!(f.flags.len(), Break::ALL.len());
        assert!(!f.any_broken());
        f.set(Break::IdMissing, true);
        f.set(Break::IdMissing, true);
        f.set(Break::ListSchemasMissing, true);
        assert!(f.is_broken(Break::IdMissing) && f.any_broken());
        assert_eq!(
            f.names_on(),
            vec!["list.schemas-missing", "resource.id-missing"]
        );
        f.set(Break::IdMissing, false);
        assert!(f.any_broken());
        f.clear();
        assert!(!f.any_broken() && !f.is_broken(Break::ListSchemasMissing));
        f.set(Break::IdMissing, false);
        assert!(!f.any_broken());
    }

    #[test]
    fn no_switch_bends_nothing() {
        assert_eq!(Bends::of(&Switches::default()), Bends::default());
        let f = Switches::default();
        f.set(Break::SortIgnored, true);
        assert!(Bends::of(&f).sort_ignored);
    }

    #[test]
    fn lowercasing_the_resources_key_keeps_the_envelope_order() {
        let f = Switches::default();
        f.set(Break::ListResourcesKeyLowercase, true);
        f.set(Break::ListTotalResultsWrong, true);
        let mut v = json!({"schemas": ["x"], "totalResults": 1, "Resources": [{"id": "a"}], "nextCursor": "c"});
        list(&f, None, Some(Kind::User), &mut v);
        assert_eq!(
            v.to_string(),
            r#"{"schemas":["x"],"totalResults":2,"resources":[{"id":"a"}],"nextCursor":"c"}"#
        );
    }
}
