//! Pagination (RFC 7644 §3.4.2.4, RFC 9865): startIndex and count bounds, itemsPerPage, the
//! vendor's cap, a bounded walk of every page, and cursor walks.

use super::Probe;
use crate::client::Request;
use crate::ctx::Ctx;
use crate::lenient::Page;
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use scimock_profile::vocab::ScimType;
use scimock_profile::{BelowMinimum, ItemsPerPage, OverMax, Pagination};
use std::collections::HashSet;

fn page(start: u64, count: u64) -> Request {
    Request::get("/Users")
        .query("startIndex", start.to_string())
        .query("count", count.to_string())
}

fn total(ctx: &Ctx) -> u64 {
    ctx.plan.total.unwrap_or(ctx.plan.sample.len() as u64)
}

/// The page size of a walk: enough to cover the tenant in --max-pages pages, at least 2, at
/// most the vendor's cap.
fn walk_page_size(ctx: &Ctx) -> u64 {
    let max_pages = ctx.cfg.max_pages.max(1) as u64;
    let cap = ctx.profile().list.max_count.unwrap_or(1000);
    total(ctx).div_ceil(max_pages).clamp(2, cap.max(2))
}

/// True when the vendor refuses startIndex/count below 1 (Adra, `list.below_minimum`).
fn rejects_below_minimum(ctx: &Ctx) -> bool {
    ctx.profile().list.below_minimum == BelowMinimum::Reject
}

/// startIndex=1 and 2 select consecutive pages and are echoed; startIndex=0 means 1.
pub async fn start_index(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.start_index_paging()?;
    skip_unless(total(ctx) >= 2, || {
        Skip::unobservable("needs at least 2 users to tell pages apart")
    })?;
    let mut p = Probe::new(ctx);
    let first = p.send(page(1, 2)).await;
    let Some(first) = p
        .json_ok(&first, "startIndex=1&count=2")
        .map(|v| Page::parse(&v))
    else {
        return Ok(p.finish(""));
    };
    p.require(first.start_index.is_none_or(|s| s == 1), || {
        format!("startIndex=1 is echoed as {:?}", first.start_index)
    });
    let second = p.send(page(2, 1)).await;
    if let Some(second) = p
        .json_ok(&second, "startIndex=2&count=1")
        .map(|v| Page::parse(&v))
    {
        p.require(second.start_index.is_none_or(|s| s == 2), || {
            format!("startIndex=2 is echoed as {:?}", second.start_index)
        });
        let want = first.ids().get(1).cloned();
        p.require(
            want.is_some() && second.ids().first() == want.as_ref(),
            || {
                format!(
                    "startIndex=2 returned {:?}, the second user of the first page is {:?}",
                    second.ids(),
                    want
                )
            },
        );
    }
    let zero = p.send(page(0, 1)).await;
    if rejects_below_minimum(ctx) {
        p.expect_error(&zero, "startIndex=0 (\"Minimum value is 1\")", 400, None);
        return Ok(p.finish("startIndex selects and echoes the page; 0 is refused, as documented"));
    }
    if let Some(zero) = p
        .json_ok(&zero, "startIndex=0&count=1")
        .map(|v| Page::parse(&v))
    {
        p.require(zero.ids().first() == first.ids().first(), || {
            format!(
                "startIndex=0 must be read as 1 (RFC 7644 §3.4.2.4) but returned {:?}",
                zero.ids()
            )
        });
    }
    Ok(p.finish("startIndex selects and echoes the page; 0 is read as 1"))
}

/// count=1 returns one resource; count=0 returns none but still the total.
pub async fn count(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.index_paging()?;
    let mut p = Probe::new(ctx);
    let zero = p.send(page(1, 0)).await;
    if rejects_below_minimum(ctx) {
        p.expect_error(&zero, "count=0 (\"Minimum value is 1\")", 400, None);
        let one = p.send(page(1, 1)).await;
        if let Some(o) = p.json_ok(&one, "count=1").map(|v| Page::parse(&v)) {
            p.require(o.resources.len() <= 1, || {
                format!("count=1 returned {} resources", o.resources.len())
            });
        }
        return Ok(p.finish("count bounds the page; 0 is refused, as documented"));
    }
    if let Some(z) = p.json_ok(&zero, "count=0").map(|v| Page::parse(&v)) {
        p.require(z.resources.is_empty(), || {
            format!(
                "count=0 returned {} resources; RFC 7644 §3.4.2.4 returns none",
                z.resources.len()
            )
        });
        p.require(z.total.is_some(), || {
            "count=0 returned no totalResults".into()
        });
    }
    let negative = p
        .send(
            Request::get("/Users")
                .query("startIndex", "1")
                .query("count", "-1"),
        )
        .await;
    if let Some(n) = p.json_ok(&negative, "count=-1").map(|v| Page::parse(&v)) {
        p.require(n.resources.is_empty(), || {
            format!(
                "count=-1 returned {} resources; RFC 7644 §3.4.2.4 reads a negative count as 0",
                n.resources.len()
            )
        });
    }
    if total(ctx) >= 2 {
        let one = p.send(page(1, 1)).await;
        if let Some(o) = p.json_ok(&one, "count=1").map(|v| Page::parse(&v)) {
            p.require(o.resources.len() == 1, || {
                format!("count=1 returned {} resources", o.resources.len())
            });
        }
    } else {
        p.note("fewer than 2 users: only count=0 was observable");
    }
    Ok(p.finish("count bounds the page"))
}

/// itemsPerPage is the number returned, or the page size asked for (Adra), as the profile says.
pub async fn items_per_page(ctx: &Ctx) -> Result<Outcome, Skip> {
    let meaning = ctx.profile().list.items_per_page;
    let mut p = Probe::new(ctx);
    // The last user alone on a page of 2: "returned" (1) and "requested" (2) differ.
    let (req, asked) = match ctx.profile().list.pagination {
        Pagination::Index => (page(total(ctx).max(1), 2), 2),
        Pagination::None => (Request::get("/Users"), 0),
    };
    let ex = p.send(req).await;
    let Some(pg) = p.json_ok(&ex, "list").map(|v| Page::parse(&v)) else {
        return Ok(p.finish(""));
    };
    let returned = pg.resources.len() as u64;
    let want = match (meaning, ctx.profile().list.pagination) {
        (ItemsPerPage::Requested, Pagination::Index) => asked,
        _ => returned,
    };
    match pg.items_per_page {
        None => p.problem("itemsPerPage is missing"),
        Some(ipp) => p.require(ipp == want, || {
            let means = match meaning {
                ItemsPerPage::Returned => "the number of resources returned",
                ItemsPerPage::Requested => "the page size asked for",
            };
            format!("itemsPerPage is {ipp}; the profile defines it as {means} ({want})")
        }),
    }
    Ok(p.finish(format!("itemsPerPage {want} as the profile defines it")))
}

/// The page-size cap a check holds the target to, and where it comes from: for a vendor
/// profile its documented cap; for the RFC profile the ServiceProviderConfig's
/// `filter.maxResults` (RFC 7643 §5: "the maximum number of resources returned in a response").
fn advertised_cap(ctx: &Ctx) -> Result<(u64, String), Skip> {
    if ctx.rfc_baseline() {
        let max = ctx.spc_number("filter.maxResults").ok_or_else(|| {
            Skip::unobservable(if ctx.plan.spc.is_some() {
                "the ServiceProviderConfig advertises no filter.maxResults"
            } else {
                "no service provider configuration could be read, so no filter.maxResults is advertised"
            })
        })?;
        return Ok((max, "the advertised filter.maxResults".into()));
    }
    let cap = ctx
        .profile()
        .list
        .max_count
        .ok_or_else(|| ctx.not_documented("page-size cap"))?;
    Ok((cap, format!("{}'s documented cap", ctx.profile().title)))
}

/// A count above the cap is clamped (observable with more users than the cap) or refused: the
/// vendor's documented behaviour, or for the RFC profile either (RFC 7644 §3.4.2.4 lets the
/// provider return fewer results than `count`; Table 9 has `tooMany`).
pub async fn cap(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.index_paging()?;
    let (cap, whose) = advertised_cap(ctx)?;
    let over = cap.saturating_add(1);
    let mut p = Probe::new(ctx);
    let over_max = if ctx.rfc_baseline() {
        None
    } else {
        Some(ctx.profile().list.over_max)
    };
    if over_max == Some(OverMax::Reject) {
        let ex = p.send(page(1, over)).await;
        p.expect_error(&ex, &format!("count={over}"), 400, None);
        return Ok(p.finish(format!("count above {cap} ({whose}) is refused with 400")));
    }
    let t = total(ctx);
    skip_unless(t > cap, || {
        Skip::unobservable(format!(
            "the tenant has {t} users, not more than {whose} of {cap}: clamping is not observable"
        ))
    })?;
    let ex = p.send(page(1, over)).await;
    if over_max.is_none() && ex.is(400) {
        p.expect_error(&ex, &format!("count={over}"), 400, None);
        return Ok(p.finish(format!(
            "count above {cap} ({whose}) is refused: {}",
            super::probe::error_summary(&ex)
        )));
    }
    if let Some(pg) = p.page_ok(&ex, &format!("count={over}")) {
        let n = pg.resources.len() as u64;
        p.require(n <= cap, || {
            format!("count={over} returned {n} resources; {whose} is {cap}")
        });
    }
    Ok(p.finish(format!("count above {cap} ({whose}) is clamped to {cap}")))
}

/// A startIndex beyond totalResults selects no resource: the page is empty (RFC 7644
/// §3.4.2.4: startIndex is "the 1-based index of the first query result"; there is none there).
pub async fn beyond_end(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.start_index_paging()?;
    let start = ctx.plan.total.ok_or_else(|| {
        Skip::unobservable("the first page carried no totalResults: where the end is is unknown")
    })? + 1;
    let mut p = Probe::new(ctx);
    let ex = p.send(page(start, 2)).await;
    if let Some(pg) = p.page_ok(&ex, &format!("startIndex={start}")) {
        p.require(pg.resources.is_empty(), || {
            format!(
                "startIndex={start} is beyond the {} user(s) there are, yet returned {:?}",
                start - 1,
                pg.ids()
            )
        });
    }
    Ok(p.finish(format!(
        "startIndex={start}, beyond the last user, returns an empty page"
    )))
}

/// Walks every page with a small count (bounded by --max-pages): no duplicates, no gaps,
/// stable totalResults.
pub async fn walk(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.start_index_paging()?;
    let max_pages = ctx.cfg.max_pages.max(1) as u64;
    let size = walk_page_size(ctx);
    let mut p = Probe::new(ctx);
    let mut seen: HashSet<String> = HashSet::new();
    let mut dups: Vec<String> = Vec::new();
    let mut first_total: Option<u64> = None;
    let (mut start, mut pages, mut missing_ids) = (1u64, 0u64, 0usize);
    let mut complete = false;
    while pages < max_pages {
        let ex = p.send(page(start, size)).await;
        pages += 1;
        let Some(pg) = p
            .json_ok(&ex, &format!("page {pages}"))
            .map(|v| Page::parse(&v))
        else {
            return Ok(p.finish(""));
        };
        match (first_total, pg.total) {
            (None, Some(t)) => first_total = Some(t),
            (Some(a), Some(b)) if a != b => p.problem(format!(
                "totalResults changed from {a} to {b} on page {pages}"
            )),
            _ => {}
        }
        let total = first_total.unwrap_or(0);
        p.require(pg.resources.len() as u64 <= size, || {
            format!(
                "page {pages} (startIndex={start}&count={size}) overflowed count: it returned {} resources (RFC 7644 §3.4.2.4: MUST NOT return more results than specified)",
                pg.resources.len()
            )
        });
        if pg.resources.is_empty() {
            if start <= total {
                p.problem(format!(
                    "the page at startIndex {start} is empty although totalResults is {total}"
                ));
            }
            complete = true;
            break;
        }
        for id in pg.ids() {
            if id.is_empty() {
                missing_ids += 1;
            } else if !seen.insert(id.clone()) && dups.len() < 5 {
                dups.push(id);
            }
        }
        start += pg.resources.len() as u64;
        if start > total {
            complete = true;
            break;
        }
    }
    p.require(dups.is_empty(), || {
        format!("resources returned twice across pages: {}", dups.join(", "))
    });
    p.require(missing_ids == 0, || {
        format!("{missing_ids} listed resources have no id")
    });
    let total = first_total.unwrap_or(0);
    if complete {
        p.require(seen.len() as u64 + missing_ids as u64 == total, || {
            format!("walked {pages} page(s) of {size} and found {} distinct resources; totalResults says {total}", seen.len())
        });
        Ok(p.finish(format!(
            "{pages} page(s) of {size}: {} resources, each once, totalResults {total} stable",
            seen.len()
        )))
    } else {
        p.note(format!(
            "walk capped at {max_pages} pages of {size} ({} of {total} resources; raise --max-pages to walk further)",
            seen.len()
        ));
        Ok(p.finish("no duplicates and stable totals in the part walked"))
    }
}

fn cursors_offered(ctx: &Ctx) -> Result<(), Skip> {
    ctx.feature(
        ctx.profile().list.cursor.is_some(),
        "RFC 9865 cursor pagination",
        Some("pagination.cursor"),
    )?;
    // RFC 9865 §5: a provider offering cursors advertises pagination.cursor; one whose
    // configuration is readable and does not, does not offer them.
    skip_unless(
        ctx.plan.spc.is_none() || ctx.spc_claim("pagination.cursor") == Some(true),
        || SkipReason::CursorNotAdvertised,
    )
}

/// Follows nextCursor from `cursor=` (first page) to the end.
pub async fn cursor_walk(ctx: &Ctx) -> Result<Outcome, Skip> {
    cursors_offered(ctx)?;
    let max_pages = ctx.cfg.max_pages.max(1);
    let size = walk_page_size(ctx).to_string();
    let mut p = Probe::new(ctx);
    let mut seen: HashSet<String> = HashSet::new();
    let mut cursors: HashSet<String> = HashSet::new();
    let mut dups = Vec::new();
    let mut cursor = String::new();
    let mut total = None;
    let mut complete = false;
    for n in 1..=max_pages {
        let ex = p
            .send(
                Request::get("/Users")
                    .query("cursor", cursor.clone())
                    .query("count", size.clone()),
            )
            .await;
        let Some(pg) = p
            .json_ok(&ex, &format!("cursor page {n}"))
            .map(|v| Page::parse(&v))
        else {
            return Ok(p.finish(""));
        };
        total = total.or(pg.total);
        for id in pg.ids() {
            if !id.is_empty() && !seen.insert(id.clone()) && dups.len() < 5 {
                dups.push(id);
            }
        }
        match pg.next_cursor.filter(|c| !c.is_empty()) {
            None => {
                complete = true;
                break;
            }
            Some(c) if !cursors.insert(c.clone()) => {
                p.problem(format!(
                    "nextCursor {c:?} came back again: the walk would never end"
                ));
                break;
            }
            Some(_) if pg.resources.is_empty() => {
                p.problem("an empty page still carries a nextCursor");
                break;
            }
            Some(c) => cursor = c,
        }
    }
    p.require(dups.is_empty(), || {
        format!(
            "resources returned twice during the cursor walk: {}",
            dups.join(", ")
        )
    });
    if complete {
        if let Some(t) = total {
            p.require(seen.len() as u64 == t, || {
                format!(
                    "the cursor walk found {} resources; totalResults says {t}",
                    seen.len()
                )
            });
        }
        Ok(p.finish(format!(
            "the cursor walk ended after {} resources, each once",
            seen.len()
        )))
    } else {
        p.note(format!(
            "walk capped at {max_pages} pages ({} resources)",
            seen.len()
        ));
        Ok(p.finish("no duplicates in the part walked"))
    }
}

/// An invalid cursor is 400 invalidCursor.
pub async fn cursor_invalid(ctx: &Ctx) -> Result<Outcome, Skip> {
    cursors_offered(ctx)?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(
            Request::get("/Users")
                .query("cursor", "scimock-check-not-a-cursor")
                .query("count", "2"),
        )
        .await;
    p.expect_error(
        &ex,
        "an invalid cursor",
        400,
        Some(ScimType::InvalidCursor.as_str()),
    );
    Ok(p.finish("an invalid cursor is refused with 400 invalidCursor"))
}
