//! Discovery (RFC 7644 §4): the service provider configuration, /Schemas, /ResourceTypes.

use super::Probe;
use super::list::{folded_user_names, sorted};
use crate::client::Request;
use crate::ctx::Ctx;
use crate::lenient::{Page, id_of, member, str_attr};
use crate::outcome::{Outcome, Skip, SkipReason};
use serde_json::Value;

use scimock_profile::vocab::{CORE_USER, SERVICE_PROVIDER_CONFIG};

fn spc_path(ctx: &Ctx) -> Result<String, Skip> {
    ctx.profile()
        .discovery
        .service_provider_config
        .clone()
        .ok_or_else(|| ctx.not_documented("service provider configuration endpoint"))
}

/// GET the service provider configuration: schema URN and every RFC 7643 §5 member.
pub async fn service_provider_config(ctx: &Ctx) -> Result<Outcome, Skip> {
    let path = spc_path(ctx)?;
    let mut p = Probe::new(ctx);
    let ex = p.send(Request::get(path.clone())).await;
    let Some(v) = p.json_ok(&ex, "service provider configuration") else {
        return Ok(p.finish(""));
    };
    let has_urn = member(&v, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|s| s.as_str() == Some(SERVICE_PROVIDER_CONFIG))
        });
    p.require(has_urn, || {
        format!("schemas does not contain {SERVICE_PROVIDER_CONFIG}")
    });
    for feature in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        let ok = member(&v, feature)
            .and_then(|f| member(f, "supported"))
            .is_some_and(Value::is_boolean);
        p.require(ok, || {
            format!("{feature}.supported is missing or not a boolean (RFC 7643 §5)")
        });
    }
    let schemes = member(&v, "authenticationSchemes").and_then(Value::as_array);
    p.require(schemes.is_some(), || {
        "authenticationSchemes is missing (RFC 7643 §5)".into()
    });
    Ok(p.finish(format!("{path} is served with every RFC 7643 §5 member")))
}

/// The claims of the configuration against what the target does: ETags and sorting.
pub async fn spc_consistent(ctx: &Ctx) -> Result<Outcome, Skip> {
    spc_path(ctx)?;
    ctx.plan.spc.as_ref().ok_or(SkipReason::SpcUnreadable)?;
    ctx.need_users().map_err(|_| SkipReason::NoUsersToCompare)?;
    let mut p = Probe::new(ctx);
    let mut observed = Vec::new();
    let id = ctx.plan.sample.first().map(id_of).unwrap_or_default();
    if !id.is_empty() {
        let ex = p
            .send(Request::get(format!(
                "/Users/{}",
                crate::client::encode_component(&id)
            )))
            .await;
        if ex.ok() {
            let version = ex.json().and_then(|v| {
                member(&v, "meta")
                    .and_then(|m| member(m, "version"))
                    .cloned()
            });
            let header = ex.header("etag").is_some();
            // RFC 7644 §3.14: SCIM versioning shows as meta.version (and 412s to a stale
            // If-Match); a bare HTTP ETag is a plain RFC 9110 validator many frameworks add to
            // every response, and claims nothing about SCIM versioning.
            match ctx.spc_claim("etag.supported") {
                Some(false) if version.is_some() => p.problem("etag.supported is false, yet the user carries meta.version"),
                Some(false) if header => p.note("the ETag header without meta.version is read as a plain HTTP validator, not SCIM versioning (RFC 7644 §3.14)"),
                Some(true) if !header && version.is_none() => p.problem("etag.supported is true, yet GET /Users/{id} has no ETag header and no meta.version"),
                _ => {}
            }
            observed.push("ETags");
        }
    }
    if ctx.spc_claim("sort.supported") == Some(false)
        && ctx.plan.total.unwrap_or(ctx.plan.sample.len() as u64) >= 2
    {
        let n = ctx
            .profile()
            .list
            .max_count
            .unwrap_or(50)
            .min(50)
            .to_string();
        let asc = p
            .send(
                Request::get("/Users")
                    .query("sortBy", "userName")
                    .query("sortOrder", "ascending")
                    .query("count", n.clone()),
            )
            .await;
        let desc = p
            .send(
                Request::get("/Users")
                    .query("sortBy", "userName")
                    .query("sortOrder", "descending")
                    .query("count", n),
            )
            .await;
        if let (Some(a), Some(d)) = (
            asc.json().filter(|_| asc.ok()),
            desc.json().filter(|_| desc.ok()),
        ) {
            let (a, d) = (folded_user_names(&a), folded_user_names(&d));
            let distinct = a.iter().collect::<std::collections::HashSet<_>>().len() >= 2;
            if distinct && a != d && sorted(&a, false) && sorted(&d, true) {
                p.problem("sort.supported is false, yet sortBy=userName&sortOrder=ascending/descending sorts the users");
            }
            observed.push("sorting");
        }
    }
    if observed.is_empty() {
        return Err(p.unobservable("nothing observable to compare the configuration's claims with"));
    }
    Ok(p.finish(format!(
        "the configuration's claims match what the target does ({})",
        observed.join(", ")
    )))
}

fn list_ids(v: &Value) -> Vec<Value> {
    Page::parse(v).resources
}

/// GET /Schemas: the core User schema with attributes, and every extension the profile knows.
pub async fn schemas(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.feature(ctx.profile().discovery.schemas, "/Schemas endpoint", None)?;
    let mut p = Probe::new(ctx);
    let ex = p.send(Request::get("/Schemas")).await;
    let Some(v) = p.json_ok(&ex, "/Schemas") else {
        return Ok(p.finish(""));
    };
    let docs = list_ids(&v);
    let user = docs.iter().find(|d| str_attr(d, "id") == Some(CORE_USER));
    match user {
        None => p.problem(format!("/Schemas does not list {CORE_USER}")),
        Some(u) => {
            let attrs = member(u, "attributes").and_then(Value::as_array);
            p.require(
                attrs.is_some_and(|a| {
                    a.iter().any(|x| {
                        str_attr(x, "name").is_some_and(|n| n.eq_ignore_ascii_case("userName"))
                    })
                }),
                || "the User schema does not define userName in attributes".into(),
            );
        }
    }
    let (required, whose) = expected_extensions(ctx);
    for urn in &required {
        p.require(
            docs.iter().any(|d| str_attr(d, "id") == Some(urn.as_str())),
            || format!("/Schemas does not list the extension {urn} ({whose})"),
        );
    }
    Ok(p.finish(format!(
        "/Schemas lists the User schema and {} extension(s) ({whose})",
        required.len()
    )))
}

/// The schema extensions /Schemas must describe, and who says so: for a vendor profile those it
/// documents; for the RFC profile those the target's /ResourceTypes advertises (RFC 7643 §6:
/// `schemaExtensions` is OPTIONAL, and §4.3's enterprise extension is optional too).
fn expected_extensions(ctx: &Ctx) -> (Vec<String>, &'static str) {
    if !ctx.rfc_baseline() {
        return (
            ctx.profile().shape.extensions.clone(),
            "documented by the profile",
        );
    }
    let mut urns: Vec<String> = Vec::new();
    for t in ctx.plan.resource_types.iter().flatten() {
        for e in member(t, "schemaExtensions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(u) = str_attr(e, "schema").filter(|u| !urns.iter().any(|x| x == u)) {
                urns.push(u.to_string());
            }
        }
    }
    (urns, "advertised by /ResourceTypes")
}

/// GET /ResourceTypes: User at /Users with the core schema and the profile's extensions.
pub async fn resource_types(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.feature(
        ctx.profile().discovery.resource_types,
        "/ResourceTypes endpoint",
        None,
    )?;
    let mut p = Probe::new(ctx);
    let ex = p.send(Request::get("/ResourceTypes")).await;
    let Some(v) = p.json_ok(&ex, "/ResourceTypes") else {
        return Ok(p.finish(""));
    };
    let docs = list_ids(&v);
    let user = docs
        .iter()
        .find(|d| str_attr(d, "endpoint").is_some_and(|e| e.eq_ignore_ascii_case("/Users")));
    match user {
        None => p.problem("no resource type has endpoint /Users"),
        Some(u) => {
            p.require(str_attr(u, "schema") == Some(CORE_USER), || {
                format!("the /Users resource type's schema is not {CORE_USER}")
            });
            let ext: Vec<&str> = member(u, "schemaExtensions")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|e| str_attr(e, "schema")).collect())
                .unwrap_or_default();
            // The RFC profile requires no extension: what a target advertises is its choice.
            if !ctx.rfc_baseline() {
                for urn in &ctx.profile().shape.extensions {
                    p.require(ext.contains(&urn.as_str()), || {
                        format!("schemaExtensions does not list {urn}, which the profile documents")
                    });
                }
            }
        }
    }
    Ok(p.finish(if ctx.rfc_baseline() {
        "/ResourceTypes describes /Users with its schema"
    } else {
        "/ResourceTypes describes /Users with its schema and the profile's extensions"
    }))
}
