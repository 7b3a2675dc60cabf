//! Filters checked against real data (RFC 7644 §3.4.2.2): eq finds exactly the sampled users,
//! case-insensitively where RFC 7643 says caseExact is false, a miss is empty, refused and
//! malformed filters get the documented errors.

use super::Probe;
use crate::client::Request;
use crate::ctx::Ctx;
use crate::lenient::{Page, id_of, quote, str_attr, values_of};
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use reqwest::Method;
use scimock_profile::vocab;
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
    ctx.filters()?;
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

/// userName / emails.value eq with the case flipped still finds the user. Only attributes the
/// target can filter at all are judged: where the exact-case `eq` does not find the user,
/// `filter.eq` has already failed and a case diagnosis would measure nothing.
pub async fn case_insensitive(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.filters()?;
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let mut tried = Vec::new();
    let mut unfiltered = Vec::new();
    for (attr, _) in ATTRS
        .iter()
        .copied()
        .filter(|(a, fold)| *fold && ctx.filterable(a))
    {
        let found = ctx.plan.sample.iter().find_map(|u| {
            values(u, attr)
                .into_iter()
                .find(|v| swap_case(v) != *v)
                .map(|v| (id_of(u), v))
        });
        let Some((id, exact)) = found else { continue };
        let ex = p
            .send(filter_req(format!("{attr} eq {}", quote(&exact))))
            .await;
        let exact_found = ex.ok()
            && ex
                .json()
                .is_some_and(|v| Page::parse(&v).ids().contains(&id));
        if !exact_found {
            unfiltered.push(attr);
            continue;
        }
        let flipped = swap_case(&exact);
        let ex = p
            .send(filter_req(format!("{attr} eq {}", quote(&flipped))))
            .await;
        if let Some(pg) = p.page_ok(&ex, &format!("{attr} eq (case flipped)")) {
            tried.push(attr);
            p.require(pg.ids().contains(&id), || {
                format!("{attr} eq {} did not find user {id}, which {attr} eq {} finds: {attr} is caseExact false (RFC 7643 §4.1)", quote(&flipped), quote(&exact))
            });
        }
    }
    if !unfiltered.is_empty() {
        p.note(format!(
            "not judged: the exact-case eq on {} does not find the user (see filter.eq)",
            unfiltered.join(", ")
        ));
    }
    if tried.is_empty() && p.clean() {
        return Err(p.unobservable(if unfiltered.is_empty() {
            "no case-insensitive attribute the target filters on has letters to flip".to_string()
        } else {
            format!(
                "the exact-case eq on {} does not find the user, so case cannot be judged (see filter.eq)",
                unfiltered.join(", ")
            )
        }));
    }
    Ok(p.finish(format!("eq ignores case on {}", tried.join(", "))))
}

/// Attribute names in filters are case-insensitive (RFC 7644 §3.4.2.2): `USERNAME eq` finds
/// what `userName eq` finds.
pub async fn attribute_name_case(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_filter("userName")?;
    ctx.need_users()?;
    let (id, name) = ctx
        .plan
        .sample
        .iter()
        .find_map(|u| str_attr(u, "userName").map(|n| (id_of(u), n.to_string())))
        .ok_or_else(|| Skip::unobservable("the sampled users carry no userName"))?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(filter_req(format!("userName eq {}", quote(&name))))
        .await;
    let exact = ex
        .json()
        .filter(|_| ex.ok())
        .map(|v| Page::parse(&v).ids())
        .filter(|ids| ids.contains(&id));
    let Some(mut exact) = exact else {
        return Err(p.unobservable(format!(
            "userName eq {} does not find user {id} (see filter.eq)",
            quote(&name)
        )));
    };
    for spelling in ["USERNAME", "username"] {
        let ex = p
            .send(filter_req(format!("{spelling} eq {}", quote(&name))))
            .await;
        if ex.is(400) {
            p.problem(format!(
                "{spelling} eq {} was refused ({}); RFC 7644 §3.4.2.2: attribute names in filters are case insensitive",
                quote(&name),
                super::probe::error_summary(&ex)
            ));
            continue;
        }
        if let Some(pg) = p.page_ok(&ex, &format!("{spelling} eq")) {
            let mut got = pg.ids();
            got.sort();
            exact.sort();
            p.require(got == exact, || {
                format!(
                    "{spelling} eq {} returned {got:?}; userName eq returns {exact:?} (RFC 7644 §3.4.2.2: attribute names are case insensitive)",
                    quote(&name)
                )
            });
        }
    }
    Ok(p.finish("USERNAME eq and username eq find what userName eq finds"))
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
    ctx.filters()?;
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
            "{expr} is refused as documented: {}",
            super::probe::error_summary(&ex)
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
        "{expr} is refused as documented: {}",
        super::probe::error_summary(&ex)
    )))
}

/// A filter that does not parse: 400 in the profile's error format. Its `scimType` is judged by
/// `errors.scim-type` alone (RFC 7644 §3.12 makes it OPTIONAL), so one response missing it is
/// one finding, not two.
pub async fn malformed(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.filters()?;
    let mut p = Probe::new(ctx);
    let ex = p.send(filter_req(MALFORMED.into())).await;
    p.expect_error(&ex, "a malformed filter", 400, None);
    Ok(p.finish(format!(
        "a malformed filter is refused: {}",
        super::probe::error_summary(&ex)
    )))
}

/// The malformed filter the filter and error checks send (an unterminated string).
pub const MALFORMED: &str = "userName eq \"scimock-check";

/// An attribute no schema defines.
const UNDEFINED_ATTR: &str = "scimockCheckUndefined";

/// A filter on an attribute no schema defines. RFC 7644 §3.12 Table 9 gives `invalidFilter`
/// for "the specified attribute and filter comparison combination is not supported", so 400 is
/// the expected answer; RFC 7643 §2.5 reads an unassigned attribute as having no value, so a
/// comparison with it matches nobody: 200 with no resource is allowed too and only warned about
/// (DESIGN §5). Returning resources, or any other error, fails. Vendor profiles expect their
/// documented refusal (or the documented empty list).
pub async fn undefined_attribute(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.filters()?;
    let expr = format!("{UNDEFINED_ATTR} eq \"scimock-check\"");
    let mut p = Probe::new(ctx);
    let ex = p.send(filter_req(expr.clone())).await;
    let rfc = ctx.rfc_baseline();
    let f = &ctx.profile().filter;
    let empty_documented = f.unknown_attr_empty || (!rfc && f.users.any);
    if ex.ok() {
        let Some(pg) = p.page_ok(&ex, &expr) else {
            return Ok(p.finish(""));
        };
        if !pg.resources.is_empty() {
            p.problem(format!(
                "{expr} returned {} resource(s): no resource has a value for an attribute no schema defines",
                pg.resources.len()
            ));
            return Ok(p.finish(""));
        }
        if empty_documented && !rfc {
            return Ok(p.finish(format!("{expr} answers an empty list, as documented")));
        }
        return Ok(p.warn(format!(
            "{expr} answered 200 with no resource; RFC 7644 §3.12 Table 9 expects 400 invalidFilter for an attribute the server does not support (RFC 7643 §2.5 also allows no match)"
        )));
    }
    if rfc {
        p.expect_error(&ex, &expr, 400, None);
    } else {
        p.expect_error(&ex, &expr, f.refusal.status, f.refusal.scim_type.as_deref());
    }
    Ok(p.finish(format!(
        "{expr} is refused: {}",
        super::probe::error_summary(&ex)
    )))
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
    if ctx.rfc_baseline() && ex.is(501) {
        return Err(p.unobservable(
            "POST /Users/.search answered 501 Not Implemented: the target does not offer .search (RFC 7644 §3.12)",
        ));
    }
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

/// `POST /Users/.search` honours `startIndex`, `count` and `attributes` of its body (RFC 7644
/// §3.4.3: the SearchRequest carries the query parameters of §3.4.2): the page is the one the
/// same GET returns, of one resource, projected to userName.
pub async fn search_parameters(ctx: &Ctx) -> Result<Outcome, Skip> {
    skip_unless(ctx.profile().list.search, || {
        ctx.not_documented(".search endpoint")
    })?;
    skip_unless(ctx.client.allow_writes(), || SkipReason::SearchIsAPost)?;
    ctx.index_paging()?;
    skip_unless(
        ctx.plan.total.unwrap_or(ctx.plan.sample.len() as u64) >= 2,
        || Skip::unobservable("needs at least 2 users to tell a page from the first"),
    )?;
    let mut p = Probe::new(ctx);
    let get = p
        .send(
            Request::get("/Users")
                .query("startIndex", "2")
                .query("count", "1"),
        )
        .await;
    let Some(want) = p.page_ok(&get, "GET /Users?startIndex=2&count=1") else {
        return Ok(p.finish(""));
    };
    let ex = p
        .send(Request::new(Method::POST, "/Users/.search").json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "startIndex": 2,
            "count": 1,
            "attributes": ["userName"],
        })))
        .await;
    if ex.is(404) || (ctx.rfc_baseline() && ex.is(501)) {
        return Err(p.unobservable(format!(
            "POST /Users/.search answered {}: whether .search is served is filter.search's to judge",
            ex.outcome()
        )));
    }
    let Some(got) = p.page_ok(
        &ex,
        "a SearchRequest with startIndex 2, count 1, attributes [userName]",
    ) else {
        return Ok(p.finish(""));
    };
    p.require(got.resources.len() <= 1, || {
        format!(
            "the SearchRequest asked for count 1 and got {} resources",
            got.resources.len()
        )
    });
    p.require(got.ids() == want.ids(), || {
        format!(
            "the SearchRequest with startIndex 2 returned {:?}; GET with startIndex=2 returns {:?}",
            got.ids(),
            want.ids()
        )
    });
    p.require(got.start_index.is_none_or(|s| s == 2), || {
        format!("startIndex 2 is echoed as {:?}", got.start_index)
    });
    for r in &got.resources {
        let extra: Vec<&String> = r
            .as_object()
            .map(|o| {
                o.keys()
                    .filter(|k| {
                        !["id", "schemas", "meta", "userName"]
                            .iter()
                            .any(|a| a.eq_ignore_ascii_case(k))
                    })
                    .collect()
            })
            .unwrap_or_default();
        p.require(extra.is_empty(), || {
            format!(
                "the SearchRequest asked for attributes [userName]; user {} also carries {}",
                id_of(r),
                extra
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    Ok(p.finish(
        "a SearchRequest's startIndex, count and attributes select and project the page as the same GET does",
    ))
}
