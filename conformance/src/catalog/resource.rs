//! Single resources: GET by id, core attributes and schemas, meta, and 404 for unknown ids.

use super::Probe;
use crate::client::{Request, encode_component};
use crate::ctx::Ctx;
use crate::lenient::{id_of, member, str_attr};
use crate::outcome::{Outcome, Skip, SkipReason};
use scimock_profile::{SchemasRule, UrlStyle};
use serde_json::Value;

use scimock_profile::vocab::CORE_USER;

/// GET /Users/{id} of a listed user returns that user.
pub async fn get_by_id(ctx: &Ctx) -> Result<Outcome, Skip> {
    let listed = ctx.plan.sample.first().ok_or(SkipReason::NoUsers)?;
    let id = id_of(listed);
    let mut p = Probe::new(ctx);
    if id.is_empty() {
        p.problem("the listed users carry no id to read them by");
        return Ok(p.finish(""));
    }
    let ex = p
        .send(Request::get(format!("/Users/{}", encode_component(&id))))
        .await;
    if let Some(v) = p.json_ok(&ex, "GET /Users/{id}") {
        p.require(id_of(&v) == id, || {
            format!("asked for {id}, got id {:?}", id_of(&v))
        });
        p.require(
            str_attr(&v, "userName") == str_attr(listed, "userName"),
            || {
                format!(
                    "userName {:?} differs from the listed {:?}",
                    str_attr(&v, "userName"),
                    str_attr(listed, "userName")
                )
            },
        );
    }
    Ok(p.finish(format!("user {id} reads back as listed")))
}

/// id, userName and schemas on every sampled user, per the profile's schemas rule.
pub async fn core_attributes(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let shape = &ctx.profile().shape;
    for u in &ctx.plan.sample {
        let label = str_attr(u, "userName").unwrap_or("a user").to_string();
        p.require(!id_of(u).is_empty(), || format!("{label} has no id"));
        p.require(
            str_attr(u, "userName").is_some_and(|s| !s.is_empty()),
            || format!("user {} has no userName", id_of(u)),
        );
        let schemas: Vec<&str> = member(u, "schemas")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if schemas.is_empty() {
            p.problem(format!("{label} has no schemas"));
            continue;
        }
        p.require(schemas.contains(&CORE_USER), || {
            format!("{label}'s schemas lack {CORE_USER}")
        });
        match shape.schemas {
            SchemasRule::Fixed => {
                for s in &shape.fixed_schemas {
                    p.require(schemas.contains(&s.as_str()), || {
                        format!("{label}'s schemas lack {s}")
                    });
                }
            }
            SchemasRule::Present => {
                if let Some(o) = u.as_object() {
                    for k in o.keys().filter(|k| k.starts_with("urn:")) {
                        p.require(schemas.contains(&k.as_str()), || {
                            format!(
                                "{label} carries {k} but schemas does not list it (RFC 7643 §3)"
                            )
                        });
                    }
                }
            }
        }
    }
    Ok(p.finish(format!(
        "{} sampled user(s) carry id, userName and schemas",
        ctx.plan.sample.len()
    )))
}

fn rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// meta has the fields the profile documents, with valid timestamps and a location for the user.
pub async fn meta(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let shape = &ctx.profile().shape;
    // RFC 7643 §3.1: version is "subject to the service provider's support for versioning":
    // required only where the configuration claims ETags (for a vendor profile: where it also
    // documents version).
    let versioned = if ctx.rfc_baseline() {
        ctx.spc_claim("etag.supported") == Some(true)
    } else {
        ctx.spc_claim("etag.supported") != Some(false)
    };
    let fields: Vec<&String> = shape
        .meta_fields
        .iter()
        .filter(|f| f.as_str() != "version" || versioned)
        .collect();
    if !versioned && shape.meta_fields.iter().any(|f| f == "version") {
        p.note(
            "meta.version not required: the ServiceProviderConfig does not claim etag.supported",
        );
    }
    for u in ctx.plan.sample.iter().take(3) {
        let id = id_of(u);
        let Some(m) = member(u, "meta") else {
            p.problem(format!("user {id} has no meta"));
            continue;
        };
        for f in fields.iter().copied() {
            let v = member(m, f);
            match f.as_str() {
                "resourceType" => p.require(v.and_then(Value::as_str) == Some("User"), || {
                    format!("user {id}: meta.resourceType is {v:?}, not \"User\"")
                }),
                "created" | "lastModified" => p
                    .require(v.and_then(Value::as_str).is_some_and(rfc3339), || {
                        format!("user {id}: meta.{f} is {v:?}, not an RFC 3339 date-time")
                    }),
                "location" => {
                    let loc = v.and_then(Value::as_str).unwrap_or_default();
                    let suffix = format!("/Users/{id}");
                    let style_ok = match shape.location {
                        UrlStyle::Absolute => {
                            loc.starts_with("http://") || loc.starts_with("https://")
                        }
                        UrlStyle::Relative => loc.starts_with('/'),
                    };
                    p.require(!loc.is_empty(), || {
                        format!("user {id}: meta.location is missing")
                    });
                    if !loc.is_empty() {
                        p.require(style_ok && loc.ends_with(&suffix), || {
                            format!(
                                "user {id}: meta.location {loc:?} is not the {:?} URL of the user",
                                shape.location
                            )
                        });
                    }
                }
                "version" => p.require(
                    v.and_then(Value::as_str).is_some_and(|s| !s.is_empty()),
                    || format!("user {id}: meta.version is missing"),
                ),
                _ => {}
            }
        }
    }
    Ok(p.finish(format!(
        "meta carries {}",
        fields
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// An id no resource has: a random UUID, the shape most servers give their ids, so a server
/// whose router accepts only ids of its own shape still answers as the SCIM endpoint (an
/// unroutable path is a web server's 404, not a finding about unknown resources).
pub fn unknown_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// An unknown id answers 404 in the profile's error format.
pub async fn not_found(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let id = unknown_id();
    let ex = p.send(Request::get(format!("/Users/{id}"))).await;
    p.expect_error(&ex, "an unknown id", 404, None);
    Ok(p.finish("an unknown id answers 404 in the profile's error format"))
}
