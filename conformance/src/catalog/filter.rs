//! Filters checked against real data (RFC 7644 §3.4.2.2): eq finds exactly the sampled users,
//! case-insensitively where RFC 7643 says caseExact is false, a miss is empty, refused and
//! malformed filters get the documented errors.

use super::Probe;
use crate::client::Request;
use crate::ctx::Ctx;
use crate::lenient::{Page, id_of, quote, str_attr, values_of};
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use reqwest::Method;
use scimock_profile::vocab::{self, ScimType};
use serde_json::{Value, json};

/// The attributes the filter checks use, with whether RFC 7643 makes them case-insensitive.
const ATTRS: &[(&str, bool)] = &[
    ("userName", true),
    ("externalId", false),
    ("emails.value", true),
];

fn values(u: &Value, attr: &str) -> Vec<String> {
    match attr {
        "emails.value" => values_of(u, "emails"),
        a => str_attr(u, a)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    }
}

fn filter_req(expr: String) -> Request {
    Request::get("/Users").query("filter", expr)
}

/// `attr eq "value"` for each filterable attribute a sampled user has: the user is found and
/// every result carries the value.
pub async fn eq(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let mut tried = Vec::new();
    for (attr, fold) in ATTRS.iter().copied().filter(|(a, _)| ctx.filterable(a)) {
        let Some((u, val)) = ctx
            .plan
            .sample
            .iter()
            .find_map(|u| values(u, attr).into_iter().next().map(|v| (u, v)))
        else {
            continue;
        };
        let id = id_of(u);
        let ex = p
            .send(filter_req(format!("{attr} eq {}", quote(&val))))
            .await;
        let Some(pg) = p
            .json_ok(&ex, &format!("{attr} eq"))
            .map(|v| Page::parse(&v))
        else {
            continue;
        };
        tried.push(attr);
        p.require(pg.ids().contains(&id), || {
            format!("{attr} eq {} did not return user {id}", quote(&val))
        });
        let same = |x: &String| {
            if fold {
                x.eq_ignore_ascii_case(&val) || x.to_lowercase() == val.to_lowercase()
            } else {
                *x == val
            }
        };
        let strays: Vec<String> = pg
            .resources
            .iter()
            .filter(|r| !values(r, attr).iter().any(same))
            .map(id_of)
            .collect();
        p.require(strays.is_empty(), || {
            format!(
                "{attr} eq {} also returned users without that value: {}",
                quote(&val),
                strays.join(", ")
            )
        });
        p.require(pg.total == Some(pg.resources.len() as u64), || {
            format!(
                "{attr} eq {}: totalResults {:?} but {} resource(s) returned",
                quote(&val),
                pg.total,
                pg.resources.len()
            )
        });
        if attr == "userName" {
            p.require(pg.resources.len() == 1, || {
                format!(
                    "userName is unique, yet {} users matched",
                    pg.resources.len()
                )
            });
        }
    }
    if tried.is_empty() && p.clean() {
        return Err(p.unobservable("no filterable attribute with a value on the sampled users"));
    }
    Ok(p.finish(format!("eq finds exactly the user on {}", tried.join(", "))))
}

fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_lowercase().collect()
            }
        })
        .collect()
}

/// userName / emails.value eq with the case flipped still finds the user.
pub async fn case_insensitive(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let mut tried = Vec::new();
    for (attr, _) in ATTRS
        .iter()
        .copied()
        .filter(|(a, fold)| *fold && ctx.filterable(a))
    {
        let found = ctx.plan.sample.iter().find_map(|u| {
            values(u, attr)
                .into_iter()
                .find(|v| swap_case(v) != *v)
                .map(|v| (id_of(u), swap_case(&v)))
        });
        let Some((id, flipped)) = found else { continue };
        let ex = p
            .send(filter_req(format!("{attr} eq {}", quote(&flipped))))
            .await;
        if let Some(pg) = p
            .json_ok(&ex, &format!("{attr} eq (case flipped)"))
            .map(|v| Page::parse(&v))
        {
            tried.push(attr);
            p.require(pg.ids().contains(&id), || {
                format!("{attr} eq {} did not find user {id}: {attr} is caseExact false (RFC 7643 §4.1)", quote(&flipped))
            });
        }
    }
    if tried.is_empty() && p.clean() {
        return Err(p.unobservable(
            "no case-insensitive attribute the target filters on has letters to flip",
        ));
    }
    Ok(p.finish(format!("eq ignores case on {}", tried.join(", "))))
}

/// A filter naming nobody: 200 with totalResults 0.
pub async fn no_match(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_filter("userName")?;
    let mut p = Probe::new(ctx);
    let nobody = format!(
        "scimock-check-nobody-{}@example.invalid",
        uuid::Uuid::new_v4().simple()
    );
    let ex = p
        .send(filter_req(format!("userName eq {}", quote(&nobody))))
        .await;
    if let Some(pg) = p
        .json_ok(&ex, "a filter matching nobody")
        .map(|v| Page::parse(&v))
    {
        p.require(pg.total == Some(0), || {
            format!("totalResults is {:?}, not 0", pg.total)
        });
        p.require(pg.resources.is_empty(), || {
            format!(
                "{} resource(s) returned for a userName nobody has",
                pg.resources.len()
            )
        });
    }
    Ok(p.finish("a filter matching nobody gives totalResults 0"))
}

/// A filter outside the profile's allow-list gets the documented refusal.
pub async fn unsupported(ctx: &Ctx) -> Result<Outcome, Skip> {
    let rules = &ctx.profile().filter.users;
    skip_unless(!rules.any, || SkipReason::AcceptsEveryFilter {
        vendor: ctx.profile().title.clone(),
    })?;
    let allowed = rules
        .allow
        .first()
        .ok_or_else(|| ctx.not_documented("filters at all"))?;
    let refusal = &ctx.profile().filter.refusal;
    let mut p = Probe::new(ctx);
    if !rules.logical {
        let expr = format!("{a} eq \"x\" or {a} eq \"y\"", a = allowed.attr);
        let ex = p.send(filter_req(expr.clone())).await;
        p.expect_error(
            &ex,
            &format!("the refused filter {expr}"),
            refusal.status,
            refusal.scim_type.as_deref(),
        );
        return Ok(p.finish(format!(
            "{expr} is refused with the documented {}",
            refusal.status
        )));
    }
    let attr = [
        "title",
        "nickName",
        "displayName",
        "name.familyName",
        "locale",
    ]
    .into_iter()
    .find(|c| !rules.allow.iter().any(|a| a.attr.eq_ignore_ascii_case(c)))
    .ok_or_else(|| Skip::unobservable("no attribute outside the allow-list to probe with"))?;
    let expr = format!("{attr} eq \"scimock-check\"");
    let ex = p.send(filter_req(expr.clone())).await;
    if ctx.profile().filter.unknown_attr_empty {
        if let Some(pg) = p.json_ok(&ex, &expr).map(|v| Page::parse(&v)) {
            p.require(pg.total == Some(0) && pg.resources.is_empty(), || {
                format!("{expr} should answer an empty list, as documented")
            });
        }
        return Ok(p.finish(format!("{expr} answers an empty list, as documented")));
    }
    p.expect_error(
        &ex,
        &format!("the refused filter {expr}"),
        refusal.status,
        refusal.scim_type.as_deref(),
    );
    Ok(p.finish(format!(
        "{expr} is refused with the documented {}",
        refusal.status
    )))
}

/// A filter that does not parse: 400 invalidFilter in the profile's format.
pub async fn malformed(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let ex = p
        .send(filter_req("userName eq \"scimock-check".into()))
        .await;
    p.expect_error(
        &ex,
        "a malformed filter",
        400,
        Some(ScimType::InvalidFilter.as_str()),
    );
    Ok(p.finish("a malformed filter is refused with 400 invalidFilter"))
}

/// `POST /Users/.search` (RFC 7644 §3.4.3): a `SearchRequest` body with a `userName eq` filter
/// finds the sampled user and only that user, and a userName nobody has finds nobody. A POST, so
/// it runs only with `--allow-writes`, although it changes nothing.
pub async fn search(ctx: &Ctx) -> Result<Outcome, Skip> {
    skip_unless(ctx.profile().list.search, || {
        ctx.not_documented(".search endpoint")
    })?;
    skip_unless(ctx.client.allow_writes(), || SkipReason::SearchIsAPost)?;
    ctx.need_filter("userName")?;
    let mut p = Probe::new(ctx);
    let search = |user_name: &str| {
        Request::new(Method::POST, "/Users/.search").json(json!({
            "schemas": [vocab::SEARCH_REQUEST],
            "filter": format!("userName eq {}", quote(user_name)),
            "startIndex": 1,
            "count": 10,
        }))
    };
    let nobody = format!(
        "scimock-check-nobody-{}@example.invalid",
        uuid::Uuid::new_v4().simple()
    );
    let ex = p.send(search(&nobody)).await;
    if let Some(pg) = p
        .json_ok(&ex, "a search for a userName nobody has")
        .map(|v| Page::parse(&v))
    {
        p.require(pg.total == Some(0) && pg.resources.is_empty(), || {
            format!(
                "a search for a userName nobody has answered totalResults {:?} with {} resource(s)",
                pg.total,
                pg.resources.len()
            )
        });
    }
    let sampled = ctx
        .plan
        .sample
        .iter()
        .find_map(|u| str_attr(u, "userName").map(|n| (id_of(u), n.to_string())));
    if let Some((id, name)) = &sampled {
        let ex = p.send(search(name)).await;
        if let Some(pg) = p
            .json_ok(&ex, "a search for a sampled userName")
            .map(|v| Page::parse(&v))
        {
            p.require(
                pg.ids() == [id.clone()] && pg.total == Some(1),
                || {
                    format!(
                        "a search for userName {} should find user {id} alone; it answered totalResults {:?} and ids {:?}",
                        quote(name),
                        pg.total,
                        pg.ids()
                    )
                },
            );
        }
    } else {
        p.note("the tenant has no users, so only a search that finds nobody was tried");
    }
    Ok(p.finish(if sampled.is_some() {
        "a SearchRequest finds exactly the user its filter names, and nobody for a miss"
    } else {
        "a SearchRequest for a userName nobody has finds nobody"
    }))
}
