//! Discovery documents (RFC 7644 §4): the service provider configuration, resource types and
//! schemas, generated from what the tenant really does.

use crate::tenant::Tenant;
use scimock_profile::Pagination;
use scimock_profile::vocab::{CORE_GROUP, CORE_USER, RESOURCE_TYPE, SERVICE_PROVIDER_CONFIG};
use serde_json::{Value, json};

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

/// The service provider configuration document, with the profile's documented overrides.
pub fn service_provider_config(t: &Tenant) -> Value {
    spc(t, true)
}

/// The service provider configuration as generated from the tenant's behaviour alone, without
/// the profile's documented overrides.
pub fn generated_service_provider_config(t: &Tenant) -> Value {
    spc(t, false)
}

fn spc(t: &Tenant, overrides: bool) -> Value {
    let p = &t.profile;
    let max = p.list.max_count.unwrap_or(10_000);
    let path = p
        .discovery
        .service_provider_config
        .as_deref()
        .unwrap_or("/ServiceProviderConfig");
    let mut doc = json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://github.com/scimock/scimock",
        "patch": {"supported": p.writes.patch},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max},
        "changePassword": {"supported": false},
        "sort": {"supported": p.sort.supported},
        "etag": {"supported": p.etag.supported},
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
    if overrides && !p.discovery.spc_overrides.is_null() {
        merge(&mut doc, &p.discovery.spc_overrides);
    }
    doc["meta"] = json!({
        "resourceType": "ServiceProviderConfig",
        "location": format!("{}{path}", t.base_url),
    });
    doc
}

/// The ResourceType documents.
pub fn resource_types(t: &Tenant) -> Vec<Value> {
    let mut out = Vec::new();
    let ext: Vec<Value> = t
        .profile
        .shape
        .extensions
        .iter()
        .map(|u| json!({"schema": u, "required": false}))
        .collect();
    let mut user = json!({
        "schemas": [RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": CORE_USER,
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/User", t.base_url)},
    });
    if !ext.is_empty() {
        user["schemaExtensions"] = Value::Array(ext);
    }
    out.push(user);
    if t.profile.groups.is_some() {
        out.push(json!({
            "schemas": [RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": CORE_GROUP,
            "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/Group", t.base_url)},
        }));
    }
    out
}

/// The Schema documents.
pub fn schemas(t: &Tenant) -> Vec<Value> {
    let mut out = t.schemas.users.to_scim_json(&t.base_url);
    if t.profile.groups.is_some() {
        out.extend(t.schemas.groups.to_scim_json(&t.base_url));
    }
    out
}
