//! `--client okta`: the requests Okta's SCIM 2.0 provisioning sends, replayed as documented
//! and judged by what Okta needs. The `userName eq` lookup (`startIndex=1&count=100`), the
//! import's paging (stable order, JSON integers), the read checks of Okta's published spec
//! test; with `--allow-writes`: create with `password`, `groups: []` and `locale`, the
//! duplicate (409), GET-then-PUT updates, the path-less deactivate, and Push Groups (create,
//! rename by a path-less replace, membership by `members[value eq]` and `members`, delete).

use super::Probe;
use super::idp::{
    OKTA_REFERENCE, OKTA_SPEC_TEST, OKTA_USER_AGENT, Shape, absent_value, active, created_user,
    delete_own, dotted_str, expect_created, expect_membership, expect_no_match, expect_one,
    expect_written, group_path, keep_created, new_group_name, patch_body, post_group, post_user,
    read, shown, user_path,
};
use crate::client::Request;
use crate::ctx::{Created, Ctx};
use crate::lenient::{Page, id_of, member, quote, str_attr};
use crate::outcome::{Outcome, Skip, SkipReason};
use reqwest::Method;
use scimock_profile::vocab::{CORE_GROUP, CORE_USER, ERROR};
use serde_json::{Value, json};
use std::collections::HashSet;

const REFERENCE: Shape = Shape {
    client: "Okta",
    source: OKTA_REFERENCE,
};
const SPEC_TEST: Shape = Shape {
    client: "Okta",
    source: OKTA_SPEC_TEST,
};

/// Okta's page size for lookups and imports.
const PAGE: u64 = 100;

fn okta(req: Request) -> Request {
    req.header("User-Agent", OKTA_USER_AGENT)
}

fn lookup(filter: &str) -> Request {
    okta(
        Request::get("/Users")
            .query("filter", filter)
            .query("startIndex", "1")
            .query("count", PAGE.to_string()),
    )
}

/// A user as Okta creates it (the protocol reference's example).
fn user_body(user_name: &str) -> Value {
    let ext = uuid::Uuid::new_v4().simple().to_string()[..20].to_string();
    json!({
        "schemas": [CORE_USER],
        "userName": user_name,
        "name": {"givenName": "Scimock", "familyName": "Okta"},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": "Scimock Okta",
        "locale": "en-US",
        "externalId": ext,
        "groups": [],
        "password": "1mz050nq-Scimock",
        "active": true
    })
}

/// `GET /Users?filter=userName eq "…"&startIndex=1&count=100`: an empty ListResponse when
/// nobody matches (Okta also accepts 404), the one user when someone does.
pub async fn lookup_user_name(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let filter = format!("userName eq {}", quote(&absent_value()));
    let ex = p.send(lookup(&filter)).await;
    let shape = REFERENCE.sends(
        "GET",
        &format!("/Users?filter={filter}&startIndex=1&count={PAGE}"),
        None,
    );
    if ex.is(404) {
        p.note("no match was answered 404, which Okta accepts (an empty ListResponse is the RFC's answer)");
    } else {
        expect_no_match(&mut p, &shape, &ex);
    }
    let known = ctx.plan.sample.iter().find_map(|u| {
        let v = str_attr(u, "userName")?;
        let id = id_of(u);
        (!id.is_empty()).then(|| (v.to_string(), id))
    });
    if let Some((user_name, id)) = known {
        let filter = format!("userName eq {}", quote(&user_name));
        let ex = p.send(lookup(&filter)).await;
        let shape = REFERENCE.sends(
            "GET",
            &format!("/Users?filter={filter}&startIndex=1&count={PAGE}"),
            None,
        );
        expect_one(&mut p, &shape, &ex, &id);
    }
    Ok(p.finish(
        "userName eq lookups answer a ListResponse: empty on no match, the user on a match",
    ))
}

/// The import: pages of `count=100` from `startIndex=1` (+100 each), every number a JSON
/// integer, each user once, the first page read twice in the same order.
pub async fn import_paging(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let page_req = |start: u64| {
        okta(
            Request::get("/Users")
                .query("startIndex", start.to_string())
                .query("count", PAGE.to_string()),
        )
    };
    let mut seen = HashSet::new();
    let mut first_ids = Vec::new();
    let mut total = None;
    let mut start = 1;
    for n in 0..ctx.cfg.max_pages {
        let ex = p.send(page_req(start)).await;
        let shape = REFERENCE.sends(
            "GET",
            &format!("/Users?startIndex={start}&count={PAGE}"),
            None,
        );
        let Some(v) = ex.json().filter(|_| ex.is(200)) else {
            p.problem(format!("{shape}: answered {}", ex.outcome()));
            break;
        };
        for key in ["totalResults", "startIndex", "itemsPerPage"] {
            if let Some(x) = member(&v, key) {
                p.require(x.is_u64(), || {
                    format!(
                        "{shape}: {key} is {x}, not a JSON integer; Okta needs integers as numbers"
                    )
                });
            }
        }
        let page = Page::parse(&v);
        if n == 0 {
            first_ids = page.ids();
            total = page.total;
        } else if page.total != total {
            p.problem(format!(
                "{shape}: totalResults changed from {} to {} during the import",
                shown(total),
                shown(page.total)
            ));
        }
        for id in page.ids() {
            if !seen.insert(id.clone()) {
                p.problem(format!("{shape}: user {id} was already on an earlier page"));
            }
        }
        let got = page.resources.len() as u64;
        if got == 0 || start - 1 + got >= total.unwrap_or(0) {
            break;
        }
        start += PAGE;
    }
    if let Some(t) = total {
        if (seen.len() as u64) < t && p.clean() && (t as usize) <= ctx.cfg.max_pages * PAGE as usize
        {
            p.problem(format!(
                "the import found {} users where totalResults is {t}",
                seen.len()
            ));
        }
    }
    let ex = p.send(page_req(1)).await;
    if let Some(v) = ex.json().filter(|_| ex.is(200)) {
        let again = Page::parse(&v).ids();
        p.require(again == first_ids, || {
            format!(
                "{}: the first page listed {first_ids:?}, then {again:?}; Okta needs a stable order",
                REFERENCE.sends("GET", &format!("/Users?startIndex=1&count={PAGE}"), None)
            )
        });
    }
    Ok(p.finish(format!(
        "imported {} users in pages of {PAGE}: integers are numbers, the order is stable",
        seen.len()
    )))
}

/// The read checks of Okta's spec test: the first user carries the attributes Okta maps, it
/// reads by id, and an unknown id answers 404 with a SCIM Error carrying `detail`.
pub async fn spec_reads(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let ex = p
        .send(okta(
            Request::get("/Users")
                .query("count", "1")
                .query("startIndex", "1"),
        ))
        .await;
    let shape = SPEC_TEST.sends("GET", "/Users?count=1&startIndex=1", None);
    let first = ex
        .json()
        .filter(|_| ex.is(200))
        .and_then(|v| Page::parse(&v).resources.into_iter().next());
    match (&first, ex.is(200)) {
        (_, false) => p.problem(format!("{shape}: answered {}", ex.outcome())),
        (None, true) => return Err(p.skip(SkipReason::NoUsers)),
        (Some(u), true) => {
            for attr in ["name.givenName", "name.familyName", "userName"] {
                p.require(dotted_str(u, attr).is_some(), || {
                    format!("{shape}: the user has no {attr}")
                });
            }
            p.require(active(u).is_some(), || {
                format!("{shape}: the user has no boolean active")
            });
            let email = member(u, "emails")
                .and_then(Value::as_array)
                .and_then(|e| e.first())
                .and_then(|e| str_attr(e, "value"));
            p.require(email.is_some(), || {
                format!("{shape}: the user has no emails[0].value")
            });
        }
    }
    if let Some(id) = first.as_ref().map(id_of).filter(|i| !i.is_empty()) {
        let ex = p.send(okta(Request::get(user_path(&id)))).await;
        let shape = SPEC_TEST.sends("GET", "/Users/{id}", None);
        let got = ex.json().filter(|_| ex.is(200)).map(|v| id_of(&v));
        p.require(got.as_deref() == Some(id.as_str()), || {
            format!("{shape}: answered {} for a listed user's id", ex.outcome())
        });
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    let ex = p.send(okta(Request::get(user_path(&unknown)))).await;
    let shape = SPEC_TEST.sends("GET", &format!("/Users/{unknown}"), None);
    let body = ex.json().unwrap_or(Value::Null);
    let error_schema = member(&body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(ERROR)));
    p.require(
        ex.is(404) && error_schema && str_attr(&body, "detail").is_some(),
        || {
            format!(
                "{shape}: answered {}; Okta's spec test expects 404 with the SCIM Error schema and a detail",
                ex.outcome()
            )
        },
    );
    Ok(p.finish("the spec test's reads pass: first user's attributes, get by id, unknown id 404"))
}

/// POST /Users as Okta sends it (`password`, `groups: []`, `locale`): 201 with an id.
pub async fn create_user(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.writes()?;
    let mut p = Probe::new(ctx);
    let user_name = super::writes::new_user_name(ctx);
    let body = user_body(&user_name);
    let (ex, id) = post_user(&mut p, &user_name, &body).await;
    let shape = REFERENCE.sends("POST", "/Users", Some(&body));
    if !expect_created(&mut p, &shape, &ex, &id, "Okta", "user") {
        return Ok(p.finish(""));
    }
    if let Some(v) = ex.json() {
        p.require(member(&v, "password").is_none(), || {
            format!("{shape}: the answer returns the password")
        });
    }
    keep_created(
        ctx,
        Created {
            id: id.clone(),
            user_name: user_name.clone(),
            body,
        },
    );
    Ok(p.finish(format!("created {user_name} ({id}) from Okta's body")))
}

/// The same create again: 409.
pub async fn duplicate(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(okta(
            Request::new(Method::POST, "/Users").json(c.body.clone()),
        ))
        .await;
    let shape = REFERENCE.sends("POST", "/Users", Some(&c.body));
    if ex.ok() {
        let dup = ex.json().map(|v| id_of(&v)).unwrap_or_default();
        ctx.track_id(&c.user_name, &dup);
    }
    p.require(ex.is(409), || {
        format!(
            "{shape} for a userName that exists: answered {}; Okta expects 409",
            ex.outcome()
        )
    });
    Ok(p.finish("a duplicate userName is refused with 409"))
}

/// A profile update as Okta makes it: GET the user, then PUT the full user with a change;
/// 200 and the change reads back.
pub async fn update_put(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let path = user_path(&c.id);
    if read(&mut p, &path).await.is_none() {
        return Ok(p.finish(""));
    }
    let mut body = c.body.clone();
    body["id"] = json!(c.id);
    body["name"]["givenName"] = json!("Updated");
    body["displayName"] = json!("Updated Okta");
    let ex = p
        .send(okta(
            Request::new(Method::PUT, path.clone()).json(body.clone()),
        ))
        .await;
    let shape = REFERENCE.sends("PUT", "/Users/{id}", Some(&body));
    p.require(ex.is(200), || {
        format!("{shape}: answered {}; Okta expects 200", ex.outcome())
    });
    if ex.ok() {
        if let Some(v) = read(&mut p, &path).await {
            let got = dotted_str(&v, "name.givenName");
            p.require(got == Some("Updated"), || {
                format!(
                    "{shape}: answered {}, but name.givenName reads back as {}",
                    ex.outcome(),
                    shown(got)
                )
            });
        }
    }
    Ok(p.finish("GET then PUT updated the user"))
}

/// Okta's deactivate, a path-less replace `{"active": false}`, then its reactivate: 200 or
/// 204, and `active` reads back.
pub async fn deactivate(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let path = user_path(&c.id);
    for on in [false, true] {
        let body = patch_body(json!([{"op": "replace", "value": {"active": on}}]));
        let ex = p
            .send(okta(
                Request::new(Method::PATCH, path.clone()).json(body.clone()),
            ))
            .await;
        let shape = REFERENCE.sends("PATCH", "/Users/{id}", Some(&body));
        if !expect_written(&mut p, &shape, &ex) {
            break;
        }
        if let Some(v) = read(&mut p, &path).await {
            p.require(active(&v) == Some(on), || {
                format!(
                    "{shape}: answered {}, but active reads back as {}",
                    ex.outcome(),
                    shown(member(&v, "active"))
                )
            });
        }
    }
    Ok(p.finish("the path-less replace deactivated and reactivated the user"))
}

/// Push Groups: POST /Groups with `members: []`, rename by a path-less replace of
/// `{id, displayName}`, add the run's user (`path: members`), remove it by
/// `members[value eq]` (with the rename re-sent), replace all members, DELETE.
pub async fn push_groups(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    ctx.groups()?;
    let mut p = Probe::new(ctx);
    let name = new_group_name();
    let body = json!({"schemas": [CORE_GROUP], "displayName": name, "members": []});
    let (ex, gid) = post_group(&mut p, &name, &body).await;
    let shape = REFERENCE.sends("POST", "/Groups", Some(&body));
    if !expect_created(&mut p, &shape, &ex, &gid, "Okta", "group") {
        return Ok(p.finish(""));
    }
    let path = group_path(&gid);
    let renamed = format!("{name}-renamed");
    let rename = json!({"op": "replace", "value": {"id": gid, "displayName": renamed}});
    let member = json!([{"value": c.id, "display": c.user_name}]);
    let steps = [
        (patch_body(json!([rename])), false),
        (
            patch_body(json!([rename, {"op": "add", "path": "members", "value": member}])),
            true,
        ),
        (
            patch_body(
                json!([rename, {"op": "remove", "path": format!("members[value eq {}]", quote(&c.id))}]),
            ),
            false,
        ),
        (
            patch_body(json!([{"op": "replace", "path": "members", "value": member}])),
            true,
        ),
    ];
    for (body, member_after) in steps {
        let ex = p
            .send(okta(
                Request::new(Method::PATCH, path.clone()).json(body.clone()),
            ))
            .await;
        let shape = REFERENCE.sends("PATCH", "/Groups/{id}", Some(&body));
        if !expect_written(&mut p, &shape, &ex) {
            break;
        }
        if let Some(g) = read(&mut p, &path).await {
            let got = str_attr(&g, "displayName");
            p.require(got == Some(renamed.as_str()), || {
                format!(
                    "{shape}: answered {}, but displayName reads back as {}",
                    ex.outcome(),
                    shown(got)
                )
            });
            expect_membership(&mut p, &shape, &ex, &gid, &c.id, Some(&g), member_after).await;
        }
    }
    let ex = delete_own(&mut p, &path, &name).await;
    p.require(ex.is(204), || {
        format!(
            "{}: answered {}; Okta expects 204",
            REFERENCE.sends("DELETE", "/Groups/{id}", None),
            ex.outcome()
        )
    });
    Ok(p.finish(
        "pushed a group: created, renamed, membership added, removed and replaced, deleted",
    ))
}
