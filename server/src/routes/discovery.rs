//! Discovery (RFC 7644 §4): the service provider configuration, resource types and schemas,
//! generated from what the tenant really does, at the paths the profile documents.

use crate::error::{ScimError, ScimResult};
use crate::faults::Break;
use crate::query::Query;
use crate::shape::{GROUP_URN, LIST_URN, USER_URN};
use crate::tenant::Tenant;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use scimock_profile::{Pagination, Profile};
use serde_json::{Value, json};
use std::sync::Arc;

type Ten = State<Arc<Tenant>>;

/// The ServiceProviderConfig schema URN.
pub const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// The ResourceType schema URN.
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/// Adds the discovery routes the profile documents.
pub fn routes(mut r: Router<Arc<Tenant>>, p: &Profile) -> Router<Arc<Tenant>> {
    if let Some(path) = &p.discovery.service_provider_config {
        r = r.route(path, get(service_provider_config));
    }
    if p.discovery.resource_types {
        r = r
            .route("/ResourceTypes", get(resource_types))
            .route("/ResourceTypes/{id}", get(resource_type));
    }
    if p.discovery.schemas {
        r = r
            .route("/Schemas", get(schemas))
            .route("/Schemas/{id}", get(schema));
    }
    r
}

/// RFC 7644 §4: a filter on discovery endpoints is answered with 403.
fn refuse_filter(raw: Option<&str>) -> ScimResult<()> {
    let q = Query::parse(raw)?;
    if q.has("filter") {
        return Err(ScimError::new(
            StatusCode::FORBIDDEN,
            "Filtering is not supported on discovery endpoints",
        ));
    }
    Ok(())
}

/// Deep-merges `over` into `base` (objects merge, everything else replaces).
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

impl Tenant {
    /// The service provider configuration document.
    pub fn service_provider_config(&self) -> Value {
        let p = &self.profile;
        let max = p.list.max_count.unwrap_or(10_000);
        let lies = self.shared.faults.is_broken(Break::DiscoverySpcLies);
        let path = p
            .discovery
            .service_provider_config
            .as_deref()
            .unwrap_or("/ServiceProviderConfig");
        let mut doc = json!({
            "schemas": [SPC_URN],
            "documentationUri": "https://github.com/scimock/scimock",
            "patch": {"supported": p.writes.patch},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": if lies { 1 } else { max }},
            "changePassword": {"supported": false},
            "sort": {"supported": p.sort.supported && !lies},
            "etag": {"supported": p.etag.supported && !lies},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": format!("Authentication with the {} as a bearer token", p.auth.token_name),
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": true
            }],
        });
        if let Some(c) = &p.list.cursor {
            doc["pagination"] = json!({
                "cursor": true,
                "index": p.list.pagination == Pagination::Index,
                "defaultPaginationMethod": "index",
                "defaultPageSize": p.list.default_count,
                "maxPageSize": p.list.max_count,
                "cursorTimeout": c.timeout_secs,
            });
        }
        if !p.discovery.spc_overrides.is_null() && !lies {
            merge(&mut doc, &p.discovery.spc_overrides);
        }
        doc["meta"] = json!({
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}{path}", self.base_url),
        });
        doc
    }

    /// The ResourceType documents.
    pub fn resource_type_docs(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let ext: Vec<Value> = self
            .profile
            .shape
            .extensions
            .iter()
            .map(|u| json!({"schema": u, "required": false}))
            .collect();
        let mut user = json!({
            "schemas": [RESOURCE_TYPE_URN],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_URN,
            "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/User", self.base_url)},
        });
        if !ext.is_empty() {
            user["schemaExtensions"] = Value::Array(ext);
        }
        out.push(user);
        if self.profile.groups.is_some() {
            out.push(json!({
                "schemas": [RESOURCE_TYPE_URN],
                "id": "Group",
                "name": "Group",
                "endpoint": "/Groups",
                "description": "Group",
                "schema": GROUP_URN,
                "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/Group", self.base_url)},
            }));
        }
        out
    }

    /// The Schema documents.
    pub fn schema_docs(&self) -> Vec<Value> {
        let mut out = self.users_schema.to_scim_json(&self.base_url);
        if self.profile.groups.is_some() {
            out.extend(self.groups_schema.to_scim_json(&self.base_url));
        }
        out
    }

    fn list_of(&self, docs: Vec<Value>) -> Response {
        let n = docs.len();
        self.json_value(
            StatusCode::OK,
            &json!({"schemas": [LIST_URN], "totalResults": n, "startIndex": 1, "itemsPerPage": n, "Resources": docs}),
        )
    }
}

fn missing(broken: bool) -> ScimResult<()> {
    if broken {
        Err(ScimError::not_found("No such endpoint"))
    } else {
        Ok(())
    }
}

async fn service_provider_config(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    missing(t.shared.faults.is_broken(Break::DiscoverySpcMissing))?;
    refuse_filter(q.as_deref())?;
    Ok(t.json_value(StatusCode::OK, &t.service_provider_config()))
}

async fn resource_types(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    missing(
        t.shared
            .faults
            .is_broken(Break::DiscoveryResourceTypesMissing),
    )?;
    refuse_filter(q.as_deref())?;
    Ok(t.list_of(t.resource_type_docs()))
}

async fn resource_type(State(t): Ten, Path(id): Path<String>) -> ScimResult<Response> {
    missing(
        t.shared
            .faults
            .is_broken(Break::DiscoveryResourceTypesMissing),
    )?;
    one_of(&t, t.resource_type_docs(), "Resource type", &id)
}

/// The document whose `id` is `id` (case-insensitively), or the profile's 404.
fn one_of(t: &Tenant, docs: Vec<Value>, what: &str, id: &str) -> ScimResult<Response> {
    docs.into_iter()
        .find(|d| d["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .map(|d| t.json_value(StatusCode::OK, &d))
        .ok_or_else(|| ScimError::not_found(format!("{what} {id} not found")))
}

async fn schemas(State(t): Ten, RawQuery(q): RawQuery) -> ScimResult<Response> {
    missing(t.shared.faults.is_broken(Break::DiscoverySchemasMissing))?;
    refuse_filter(q.as_deref())?;
    Ok(t.list_of(t.schema_docs()))
}

async fn schema(State(t): Ten, Path(id): Path<String>) -> ScimResult<Response> {
    missing(t.shared.faults.is_broken(Break::DiscoverySchemasMissing))?;
    one_of(&t, t.schema_docs(), "Schema", &id)
}
