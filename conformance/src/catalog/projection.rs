//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), and Atlassian's rule that the two
//! are mutually exclusive.

use super::Probe;
use crate::client::{Exchange, Request, encode_component};
use crate::ctx::Ctx;
use crate::lenient::{Page, id_of};
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use scimock_profile::Pagination;
use serde_json::Value;

/// Attributes a server may add to any projection: `id` (returned always), `schemas`, `meta`.
const ALWAYS: &[&str] = &["id", "schemas", "meta"];

fn users_ctx(ctx: &Ctx, offered: bool, what: &str) -> Result<(), Skip> {
    skip_unless(offered, || SkipReason::ParameterNotDocumented {
        vendor: ctx.profile().title.clone(),
        what: what.to_string(),
    })?;
    ctx.need_users()
}

fn list_with(ctx: &Ctx, k: &str, v: &str) -> Request {
    let r = Request::get("/Users").query(k, v);
    match ctx.profile().list.pagination {
        Pagination::Index => r.query("count", "2"),
        Pagination::None => r,
    }
}

fn resources_of(p: &mut Probe<'_>, ex: &Exchange, what: &str, single: bool) -> Vec<Value> {
    match p.json_ok(ex, what) {
        Some(v) if single => vec![v],
        Some(v) => Page::parse(&v).resources,
        None => Vec::new(),
    }
}

/// attributes=userName: each user has id and userName and nothing else but schemas/meta.
pub async fn attributes(ctx: &Ctx) -> Result<Outcome, Skip> {
    users_ctx(
        ctx,
        ctx.profile().projection.attributes,
        "the attributes parameter",
    )?;
    let mut p = Probe::new(ctx);
    let mut users = Vec::new();
    let ex = p.send(list_with(ctx, "attributes", "userName")).await;
    users.extend(resources_of(
        &mut p,
        &ex,
        "list with attributes=userName",
        false,
    ));
    let id = ctx.plan.sample.first().map(id_of).unwrap_or_default();
    if !id.is_empty() {
        let ex = p
            .send(
                Request::get(format!("/Users/{}", encode_component(&id)))
                    .query("attributes", "userName"),
            )
            .await;
        users.extend(resources_of(
            &mut p,
            &ex,
            "GET /Users/{id}?attributes=userName",
            true,
        ));
    }
    for u in &users {
        let Some(o) = u.as_object() else { continue };
        let extra: Vec<&str> = o
            .keys()
            .map(String::as_str)
            .filter(|k| {
                !ALWAYS.iter().any(|a| a.eq_ignore_ascii_case(k))
                    && !k.eq_ignore_ascii_case("userName")
            })
            .collect();
        p.require(extra.is_empty(), || {
            format!(
                "user {} carries {} although only userName was asked for",
                id_of(u),
                extra.join(", ")
            )
        });
        p.require(o.keys().any(|k| k.eq_ignore_ascii_case("userName")), || {
            format!("user {} lacks the requested userName", id_of(u))
        });
        p.require(!id_of(u).is_empty(), || {
            "a projected user lacks id (returned: always)".into()
        });
    }
    Ok(p.finish(format!(
        "{} projected user(s) carry only id and userName",
        users.len()
    )))
}

/// excludedAttributes leaves out an attribute the users have.
pub async fn excluded(ctx: &Ctx) -> Result<Outcome, Skip> {
    users_ctx(
        ctx,
        ctx.profile().projection.excluded_attributes,
        "the excludedAttributes parameter",
    )?;
    let sample = ctx.plan.sample.first().ok_or(SkipReason::NoUsers)?;
    let attr = ["emails", "name", "active", "displayName"]
        .into_iter()
        .find(|a| sample.get(*a).is_some())
        .ok_or_else(|| {
            Skip::unobservable(
                "the sampled user has none of emails, name, active, displayName to exclude",
            )
        })?;
    let mut p = Probe::new(ctx);
    let ex = p.send(list_with(ctx, "excludedAttributes", attr)).await;
    let users = resources_of(
        &mut p,
        &ex,
        &format!("list with excludedAttributes={attr}"),
        false,
    );
    for u in &users {
        p.require(u.get(attr).is_none(), || {
            format!("user {} still carries {attr}", id_of(u))
        });
        p.require(!id_of(u).is_empty(), || {
            "a user lacks id with excludedAttributes (id is returned always)".into()
        });
    }
    Ok(p.finish(format!(
        "excludedAttributes={attr} leaves {attr} out of {} user(s)",
        users.len()
    )))
}

/// Both parameters at once: refused where the vendor documents them as mutually exclusive.
pub async fn exclusive(ctx: &Ctx) -> Result<Outcome, Skip> {
    skip_unless(ctx.profile().projection.mutually_exclusive, || {
        SkipReason::ProjectionNotExclusive {
            vendor: ctx.profile().title.clone(),
        }
    })?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(
            Request::get("/Users")
                .query("attributes", "userName")
                .query("excludedAttributes", "emails"),
        )
        .await;
    p.expect_error(&ex, "attributes with excludedAttributes", 400, None);
    Ok(p.finish("attributes with excludedAttributes is refused with 400"))
}
