//! The list envelope, totals, sorting and media types of successful responses.

use super::Probe;
use crate::classify::same_media_type;
use crate::client::{Request, encode_component};
use crate::ctx::Ctx;
use crate::lenient::{Page, id_of, str_attr};
use crate::outcome::{Outcome, Skip, skip_unless};
use scimock_profile::Pagination;
use serde_json::Value;

use scimock_profile::vocab::LIST_RESPONSE;

/// The first page request the list checks share.
pub fn first_page(ctx: &Ctx, count: u64) -> Request {
    match ctx.profile().list.pagination {
        Pagination::Index => Request::get("/Users")
            .query("startIndex", "1")
            .query("count", count.to_string()),
        Pagination::None => Request::get("/Users"),
    }
}

/// The ListResponse envelope: schemas URN, totalResults, Resources spelled as RFC 7644 does.
pub async fn envelope(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let ex = p
        .send(first_page(ctx, ctx.cfg.sample_size.max(1) as u64))
        .await;
    let Some(v) = p.json_ok(&ex, "list") else {
        return Ok(p.finish(""));
    };
    let Some(o) = v.as_object() else {
        p.problem("the list response is not a JSON object");
        return Ok(p.finish(""));
    };
    let has_urn = o
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(LIST_RESPONSE)));
    p.require(has_urn, || {
        format!("schemas does not contain {LIST_RESPONSE}")
    });
    let total = o.get("totalResults").and_then(Value::as_u64);
    p.require(total.is_some(), || {
        "totalResults is missing or not a non-negative integer".into()
    });
    match o.keys().find(|k| k.eq_ignore_ascii_case("Resources")) {
        Some(k) if k != "Resources" => p.problem(format!(
            "the resources array is named {k:?}; RFC 7644 §3.4.2 names it \"Resources\""
        )),
        Some(_) => p.require(o.get("Resources").is_some_and(Value::is_array), || {
            "Resources is not an array".into()
        }),
        None => p.require(total == Some(0), || {
            "Resources is missing although totalResults is not 0".into()
        }),
    }
    let page = Page::parse(&v);
    if ctx.profile().list.pagination == Pagination::Index
        && total.is_some_and(|t| t > page.resources.len() as u64)
    {
        p.require(
            o.contains_key("itemsPerPage") && o.contains_key("startIndex"),
            || "a partial page lacks itemsPerPage or startIndex (REQUIRED when paginated)".into(),
        );
    }
    p.require(page.resources.iter().all(Value::is_object), || {
        "Resources contains something that is not an object".into()
    });
    Ok(p.finish(format!(
        "ListResponse with totalResults {} and {} resource(s)",
        total.unwrap_or(0),
        page.resources.len()
    )))
}

/// totalResults equals the number of resources when they all fit in one page.
pub async fn total_results(ctx: &Ctx) -> Result<Outcome, Skip> {
    let room = ctx.profile().list.max_count.unwrap_or(1000).min(1000);
    if let Some(t) = ctx.plan.total.filter(|t| *t > room) {
        return Err(Skip::unobservable(format!(
            "{t} users do not fit in one page of {room}; list.pagination.walk compares the totals"
        )));
    }
    let mut p = Probe::new(ctx);
    let ex = p.send(first_page(ctx, room)).await;
    let Some(v) = p.json_ok(&ex, "list") else {
        return Ok(p.finish(""));
    };
    let page = Page::parse(&v);
    let n = page.resources.len() as u64;
    match page.total {
        None => p.problem("totalResults is missing"),
        Some(t) if t > room => {
            return Err(p.unobservable(format!("{t} users do not fit in one page of {room}")));
        }
        Some(t) => p.require(t == n, || {
            format!("totalResults is {t} but the page that holds every user has {n}")
        }),
    }
    Ok(p.finish(format!("totalResults {n} equals the resources returned")))
}

/// The userNames of a list page in order, folded for comparison (userName is caseExact false);
/// a resource without one counts as "".
pub(super) fn folded_user_names(v: &Value) -> Vec<String> {
    Page::parse(v)
        .resources
        .iter()
        .map(|r| str_attr(r, "userName").unwrap_or_default().to_lowercase())
        .collect()
}

/// True when `names` are in ascending (or descending) order by code point.
pub(super) fn in_order(names: &[String], descending: bool) -> bool {
    in_order_by(names, descending, |s| s.chars().map(u32::from).collect())
}

fn in_order_by(names: &[String], descending: bool, key: impl Fn(&str) -> Vec<u32>) -> bool {
    let keys: Vec<Vec<u32>> = names.iter().map(|n| key(n)).collect();
    keys.windows(2).all(|w| {
        if descending {
            w[0] >= w[1]
        } else {
            w[0] <= w[1]
        }
    })
}

/// The ASCII characters below letters in the Unicode root collation (CLDR root, UCA DUCET,
/// punctuation not ignorable), lowest first: `Intl.Collator("und")` and ICU order them so.
const ROOT_ASCII: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789";

/// A primary-strength key of the Unicode root collation, exact for ASCII (case folded, the
/// order of [`ROOT_ASCII`], then letters) and approximated by code point beyond it.
fn root_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            if let Some(i) = ROOT_ASCII.find(c) {
                return u32::try_from(i).ok().map(|i| i + 1);
            }
            if c.is_ascii_lowercase() {
                return Some(100 + u32::from(c));
            }
            // Control characters are ignorable at the primary level.
            (!c.is_control()).then(|| 1000 + u32::from(c))
        })
        .collect()
}

/// True when `names` (already case-folded) are sorted: RFC 7644 §3.4.2.3 asks for "Unicode
/// alphabetic sort order with no specific locale implied", which code-point order and the
/// Unicode root collation (JavaScript `localeCompare`, ICU) both are; either is accepted.
pub(super) fn sorted(names: &[String], descending: bool) -> bool {
    in_order(names, descending) || in_order_by(names, descending, root_key)
}

/// sortBy=userName ascending and descending order the page (case-insensitively: caseExact false).
pub async fn sort(ctx: &Ctx) -> Result<Outcome, Skip> {
    let s = &ctx.profile().sort;
    if !s.supported && s.reject_when_unsupported {
        let mut p = Probe::new(ctx);
        let ex = p
            .send(Request::get("/Users").query("sortBy", "userName"))
            .await;
        p.expect_error(&ex, "sortBy on a target without sorting", 400, None);
        return Ok(p.finish("sortBy is refused with the documented 400"));
    }
    ctx.feature(s.supported, "sorting", Some("sort.supported"))?;
    skip_unless(
        ctx.plan.total.unwrap_or(ctx.plan.sample.len() as u64) >= 2,
        || Skip::unobservable("sorting needs at least 2 users"),
    )?;
    let n = ctx
        .profile()
        .list
        .max_count
        .unwrap_or(50)
        .min(50)
        .to_string();
    let mut p = Probe::new(ctx);
    for (order, desc) in [("ascending", false), ("descending", true)] {
        let ex = p
            .send(
                Request::get("/Users")
                    .query("sortBy", "userName")
                    .query("sortOrder", order)
                    .query("count", n.clone()),
            )
            .await;
        if let Some(v) = p.json_ok(&ex, "sorted list") {
            let names = folded_user_names(&v);
            p.require(sorted(&names, desc), || {
                format!(
                    "sortOrder={order} returned userNames in neither code-point nor Unicode root-collation order: {}",
                    names.join(", ")
                )
            });
        }
    }
    Ok(p.finish("userName sorts ascending and descending"))
}

/// Successful responses carry the profile's media type (list, single resource, discovery).
pub async fn media_type(ctx: &Ctx) -> Result<Outcome, Skip> {
    let want = ctx.profile().media.response.clone();
    let mut p = Probe::new(ctx);
    let mut reqs = Vec::new();
    if ctx.is_scim() {
        reqs.push(first_page(ctx, 1));
        if let Some(u) = ctx.plan.sample.first().map(id_of).filter(|i| !i.is_empty()) {
            reqs.push(Request::get(format!("/Users/{}", encode_component(&u))));
        }
        if let Some(path) = &ctx.profile().discovery.service_provider_config {
            reqs.push(Request::get(path.clone()));
        }
    } else if let Some(acct) = &ctx.plan.account {
        reqs.push(
            Request::get("")
                .query("integrated_account_id", acct.clone())
                .query("limit", "1"),
        );
    }
    let mut seen = 0;
    for r in reqs {
        let ex = p.send(r).await;
        if !ex.ok() {
            continue;
        }
        seen += 1;
        let got = ex.header("content-type").map(str::to_string);
        p.require(same_media_type(got.as_deref(), &want), || {
            format!(
                "{} {} answered Content-Type {}, the profile documents {want}",
                ex.method,
                ex.target,
                got.as_deref().unwrap_or("(none)")
            )
        });
    }
    if seen == 0 {
        return Err(p.unobservable("no successful response to inspect"));
    }
    Ok(p.finish(format!("{seen} successful response(s) use {want}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_names_fold_case_and_order_both_ways() {
        let page = json!({"Resources": [
            {"userName": "Alice"}, {"userName": "bob"}, {"id": "x"}, {"userName": "CAROL"}
        ]});
        let names = folded_user_names(&page);
        assert_eq!(names, ["alice", "bob", "", "carol"]);
        assert!(!in_order(&names, false) && !in_order(&names, true));
        let up: Vec<String> = ["", "alice", "bob", "bob"].map(String::from).into();
        assert!(in_order(&up, false) && !in_order(&up, true));
        let down: Vec<String> = up.iter().rev().cloned().collect();
        assert!(in_order(&down, true) && !in_order(&down, false));
        assert!(in_order(&[], false) && in_order(&["x".into()], true));
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn code_point_and_root_collation_orders_are_both_sorted() {
        // Code points: '0' (0x30) < '@' (0x40), so user10@ comes first.
        let code_point = names(&["user10@x.com", "user11@x.com", "user1@x.com", "user2@x.com"]);
        // Root collation (what Intl.Collator("und") and localeCompare give): '@' < '0'.
        let root = names(&["user1@x.com", "user10@x.com", "user11@x.com", "user2@x.com"]);
        for (asc, what) in [(&code_point, "code point"), (&root, "root collation")] {
            assert!(sorted(asc, false), "{what} ascending");
            let desc: Vec<String> = asc.iter().rev().cloned().collect();
            assert!(sorted(&desc, true), "{what} descending");
            assert!(!sorted(&desc, false), "{what}");
        }
        assert!(!in_order(&root, false));
        // Punctuation sorts before digits and letters in the root collation.
        let root_punct = names(&["user a", "user_a", "user-a", "user.a", "user1", "usera"]);
        assert!(sorted(&root_punct, false));
    }

    #[test]
    fn an_unsorted_page_is_sorted_in_neither_order() {
        // Insertion order, as a server that ignores sortBy answers.
        let unsorted = names(&[
            "bjensen@example.com",
            "jsmith@example.com",
            "jdoe@example.com",
        ]);
        assert!(!sorted(&unsorted, false) && !sorted(&unsorted, true));
        let mixed = names(&["user1@x.com", "user10@x.com", "user2@x.com", "user11@x.com"]);
        assert!(!sorted(&mixed, false));
    }
}
