//! `--client entra`: the requests Microsoft Entra ID's provisioning service sends to a SCIM
//! server, replayed as documented, judged by what Entra needs. Matching by userName and by
//! externalId (200 with totalResults 0 on no match), group reads with
//! `excludedAttributes=members`; with `--allow-writes`: create with a client-sent `meta` and
//! `roles: []`, PATCH with capitalised ops, disable with the string `"False"`, the manager as
//! a bare string, a path-less replace with dotted and URN keys (`aadOptscim062020`), the
//! group lifecycle, and soft delete then DELETE. `--client-option aadOptscim062020` switches
//! to the shapes Entra sends with that flag.

use super::Probe;
use super::idp::{
    ENTRA_COMPAT, ENTRA_GUIDE, ENTRA_VALIDATION, Shape, absent_value, active, created_user,
    delete_own, dotted_str, expect_created, expect_membership, expect_no_match, expect_one,
    expect_written, group_path, keep_created, new_group_name, patch_body, post_group, post_user,
    read, shown, user_path,
};
use crate::client::Request;
use crate::config::AAD_OPT_SCIM_062020;
use crate::ctx::{Created, Ctx};
use crate::lenient::{Page, id_of, member, quote, str_attr};
use crate::outcome::{Outcome, Skip};
use reqwest::Method;
use scimock_profile::vocab::{CORE_GROUP, CORE_USER, ENTERPRISE_USER};
use serde_json::{Value, json};

/// The extra schema Entra puts on the groups it creates.
const ADSCIM_GROUP: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

const GUIDE: Shape = Shape {
    client: "Entra ID",
    source: ENTRA_GUIDE,
};
const COMPAT: Shape = Shape {
    client: "Entra ID",
    source: ENTRA_COMPAT,
};
const VALIDATION: Shape = Shape {
    client: "Entra ID",
    source: ENTRA_VALIDATION,
};

/// True when the run replays Entra with the `aadOptscim062020` flag.
fn flag(ctx: &Ctx) -> bool {
    ctx.cfg.client_option(AAD_OPT_SCIM_062020)
}

/// An op as Entra spells it: capitalised by default, lowercase with the flag.
fn op(ctx: &Ctx, name: &str) -> String {
    if flag(ctx) {
        name.to_ascii_lowercase()
    } else {
        let mut c = name.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    }
}

/// `active` as Entra sends it: the string `"False"`/`"True"` by default, a boolean with the flag.
fn active_value(ctx: &Ctx, on: bool) -> Value {
    match (flag(ctx), on) {
        (true, b) => json!(b),
        (false, true) => json!("True"),
        (false, false) => json!("False"),
    }
}

fn suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// A user as Entra creates it (the guide's example): both schemas, externalId, a primary work
/// email, name with formatted, a client-sent `meta` and `roles: []`.
fn user_body(user_name: &str) -> Value {
    json!({
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "externalId": format!("scimock-check-ext-{}", suffix()),
        "userName": user_name,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Scimock Entra", "familyName": "Entra", "givenName": "Scimock"},
        "roles": []
    })
}

/// GET /Users?filter=userName eq "…": 200 with totalResults 0 when nobody matches, and the
/// one user when someone does.
pub async fn match_user_name(ctx: &Ctx) -> Result<Outcome, Skip> {
    match_by(ctx, "userName").await
}

/// GET /Users?filter=externalId eq "…": as [`match_user_name`].
pub async fn match_external_id(ctx: &Ctx) -> Result<Outcome, Skip> {
    match_by(ctx, "externalId").await
}

async fn match_by(ctx: &Ctx, attr: &str) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let filter = format!("{attr} eq {}", quote(&absent_value()));
    let ex = p
        .send(Request::get("/Users").query("filter", &filter))
        .await;
    let shape = GUIDE.sends("GET", &format!("/Users?filter={filter}"), None);
    expect_no_match(&mut p, &shape, &ex);
    let known = ctx.plan.sample.iter().find_map(|u| {
        let v = str_attr(u, attr)?;
        let id = id_of(u);
        (!id.is_empty() && !v.is_empty()).then(|| (v.to_string(), id))
    });
    match known {
        Some((value, id)) => {
            let filter = format!("{attr} eq {}", quote(&value));
            let ex = p
                .send(Request::get("/Users").query("filter", &filter))
                .await;
            let shape = GUIDE.sends("GET", &format!("/Users?filter={filter}"), None);
            expect_one(&mut p, &shape, &ex, &id);
        }
        None => p.note(format!(
            "no sampled user has an {attr}, so only the no-match answer was judged"
        )),
    }
    Ok(p.finish(format!(
        "{attr} eq matches: 200 with totalResults 0 when nobody matches"
    )))
}

/// Group reads with `excludedAttributes=members` (the filter by displayName, and one group by
/// id): 200 without members.
pub async fn groups_excluded_members(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.groups()?;
    let mut p = Probe::new(ctx);
    let filter = format!("displayName eq {}", quote(&absent_value()));
    let ex = p
        .send(
            Request::get("/Groups")
                .query("excludedAttributes", "members")
                .query("filter", &filter),
        )
        .await;
    let shape = GUIDE.sends(
        "GET",
        &format!("/Groups?excludedAttributes=members&filter={filter}"),
        None,
    );
    expect_no_match(&mut p, &shape, &ex);
    let ex = p
        .send(
            Request::get("/Groups")
                .query("startIndex", "1")
                .query("count", "1"),
        )
        .await;
    let first = ex
        .json()
        .filter(|_| ex.is(200))
        .and_then(|v| Page::parse(&v).resources.into_iter().next())
        .map(|g| id_of(&g))
        .filter(|id| !id.is_empty());
    match first {
        Some(id) => {
            let target = format!("{}?excludedAttributes=members", group_path(&id));
            let ex = p
                .send(Request::get(group_path(&id)).query("excludedAttributes", "members"))
                .await;
            let shape = GUIDE.sends("GET", &target, None);
            match ex.json().filter(|_| ex.is(200)) {
                None => p.problem(format!("{shape}: answered {}", ex.outcome())),
                Some(g) => p.require(member(&g, "members").is_none(), || {
                    format!("{shape}: the group still carries members")
                }),
            }
        }
        None => p.note("the target has no group to read by id"),
    }
    Ok(p.finish("group reads with excludedAttributes=members answer without members"))
}

/// POST /Users as Entra sends it (client-sent `meta`, `roles: []`, both schemas): 201 with an
/// id, and the new user is then found by userName and by externalId.
pub async fn create_user(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.writes()?;
    let mut p = Probe::new(ctx);
    let user_name = super::writes::new_user_name(ctx);
    let body = user_body(&user_name);
    let (ex, id) = post_user(&mut p, &user_name, &body).await;
    let shape = GUIDE.sends("POST", "/Users", Some(&body));
    if !expect_created(&mut p, &shape, &ex, &id, "Entra", "user") {
        return Ok(p.finish(""));
    }
    for attr in ["userName", "externalId"] {
        let value = str_attr(&body, attr).unwrap_or_default();
        let filter = format!("{attr} eq {}", quote(value));
        let ex = p
            .send(Request::get("/Users").query("filter", &filter))
            .await;
        let shape = GUIDE.sends("GET", &format!("/Users?filter={filter}"), None);
        expect_one(&mut p, &shape, &ex, &id);
    }
    keep_created(
        ctx,
        Created {
            id: id.clone(),
            user_name: user_name.clone(),
            body,
        },
    );
    Ok(p.finish(format!(
        "created {user_name} ({id}) from Entra's body, then matched it by userName and externalId"
    )))
}

/// PATCH with Entra's ops (`Replace`, `Add`; lowercase with the flag): replace displayName
/// and the work email by a value path, `Add` to an empty attribute and `Replace` on another
/// empty one; every change reads back.
pub async fn patch_ops(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let email = format!("scimock-check-{}@example.com", suffix());
    let body = patch_body(json!([
        {"op": op(ctx, "replace"), "path": "displayName", "value": "Scimock Entra Patched"},
        {"op": op(ctx, "replace"), "path": "emails[type eq \"work\"].value", "value": email},
        {"op": op(ctx, "add"), "path": "title", "value": "Engineer"},
        {"op": op(ctx, "replace"), "path": "nickName", "value": "Scimock"}
    ]));
    let path = user_path(&c.id);
    let ex = p
        .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
        .await;
    let shape = GUIDE.sends("PATCH", "/Users/{id}", Some(&body));
    if expect_written(&mut p, &shape, &ex) {
        if let Some(v) = read(&mut p, &path).await {
            let work = member(&v, "emails")
                .and_then(Value::as_array)
                .and_then(|es| {
                    es.iter()
                        .find(|e| str_attr(e, "type") == Some("work"))
                        .and_then(|e| str_attr(e, "value"))
                });
            for (attr, got, want) in [
                (
                    "displayName",
                    str_attr(&v, "displayName"),
                    "Scimock Entra Patched",
                ),
                ("the work email", work, email.as_str()),
                ("title", str_attr(&v, "title"), "Engineer"),
                ("nickName", str_attr(&v, "nickName"), "Scimock"),
            ] {
                p.require(got.is_some_and(|g| g.eq_ignore_ascii_case(want)), || {
                    format!(
                        "{shape}: answered {}, but {attr} reads back as {}, not {}",
                        ex.outcome(),
                        shown(got),
                        shown(Some(want))
                    )
                });
            }
        }
    }
    Ok(p.finish(format!(
        "PATCH with ops {} and {} applied every change",
        op(ctx, "replace"),
        op(ctx, "add")
    )))
}

/// PATCH the manager as a bare string id, then remove it by a Replace with an empty value.
pub async fn manager(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let boss_name = super::writes::new_user_name(ctx);
    let boss_body = user_body(&boss_name);
    let (ex, boss) = post_user(&mut p, &boss_name, &boss_body).await;
    if !ex.ok() || boss.is_empty() {
        return Err(p.unobservable(format!(
            "the manager-to-be could not be created (POST /Users answered {}; see entra.create-user)",
            ex.outcome()
        )));
    }
    let path_attr = format!("{ENTERPRISE_USER}:manager");
    let path = user_path(&c.id);
    let body = patch_body(json!([{"op": op(ctx, "add"), "path": path_attr, "value": boss}]));
    let ex = p
        .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
        .await;
    let shape = VALIDATION.sends("PATCH", "/Users/{id}", Some(&body));
    let manager_of = |v: &Value| {
        member(v, ENTERPRISE_USER)
            .and_then(|e| member(e, "manager"))
            .and_then(|m| str_attr(m, "value").map(str::to_string))
    };
    if expect_written(&mut p, &shape, &ex) {
        if let Some(v) = read(&mut p, &path).await {
            let got = manager_of(&v);
            p.require(got.as_deref() == Some(boss.as_str()), || {
                format!(
                    "{shape}: answered {}, but the manager reads back as {}, not {{\"value\": {}}}",
                    ex.outcome(),
                    shown(got.as_deref()),
                    shown(Some(&boss))
                )
            });
        }
        let body = patch_body(json!([{"op": op(ctx, "replace"), "path": path_attr, "value": ""}]));
        let ex = p
            .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
            .await;
        let shape = VALIDATION.sends("PATCH", "/Users/{id}", Some(&body));
        if expect_written(&mut p, &shape, &ex) {
            if let Some(v) = read(&mut p, &path).await {
                let got = manager_of(&v);
                p.require(got.as_deref().is_none_or(str::is_empty), || {
                    format!(
                        "{shape}: answered {}, but the manager still reads back as {}",
                        ex.outcome(),
                        shown(got.as_deref())
                    )
                });
            }
        }
    }
    delete_own(&mut p, &user_path(&boss), &boss_name).await;
    Ok(p.finish("the manager was set from a bare string id and removed by an empty Replace"))
}

/// With `aadOptscim062020`: one path-less replace whose value uses plain, dotted and
/// URN-qualified keys; every change reads back.
pub async fn pathless_replace(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let number = format!("E{}", &suffix()[..6]);
    let body = patch_body(json!([{"op": "replace", "value": {
        "displayName": "Scimock Pathless",
        "name.givenName": "Pathless",
        format!("{ENTERPRISE_USER}:employeeNumber"): number
    }}]));
    let path = user_path(&c.id);
    let ex = p
        .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
        .await;
    let shape = COMPAT.sends("PATCH", "/Users/{id}", Some(&body));
    if expect_written(&mut p, &shape, &ex) {
        if let Some(v) = read(&mut p, &path).await {
            let employee = member(&v, ENTERPRISE_USER).and_then(|e| str_attr(e, "employeeNumber"));
            for (attr, got, want) in [
                (
                    "displayName",
                    str_attr(&v, "displayName"),
                    "Scimock Pathless",
                ),
                (
                    "name.givenName",
                    dotted_str(&v, "name.givenName"),
                    "Pathless",
                ),
                ("employeeNumber", employee, number.as_str()),
            ] {
                p.require(got == Some(want), || {
                    format!(
                        "{shape}: answered {}, but {attr} reads back as {}, not {}",
                        ex.outcome(),
                        shown(got),
                        shown(Some(want))
                    )
                });
            }
        }
    }
    Ok(p.finish("a path-less replace with dotted and URN keys applied every change"))
}

/// Disable (`active` "False" by default, false with the flag), then enable again; both read
/// back as booleans.
pub async fn disable(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let path = user_path(&c.id);
    for on in [false, true] {
        let body = patch_body(
            json!([{"op": op(ctx, "replace"), "path": "active", "value": active_value(ctx, on)}]),
        );
        let ex = p
            .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
            .await;
        let shape = COMPAT.sends("PATCH", "/Users/{id}", Some(&body));
        if !expect_written(&mut p, &shape, &ex) {
            break;
        }
        if let Some(v) = read(&mut p, &path).await {
            p.require(active(&v) == Some(on), || {
                format!(
                    "{shape}: answered {}, but active reads back as {}, not {on}",
                    ex.outcome(),
                    shown(member(&v, "active"))
                )
            });
        }
    }
    Ok(p.finish(format!(
        "active {} disabled the user and {} enabled it again",
        active_value(ctx, false),
        active_value(ctx, true)
    )))
}

/// The group lifecycle: POST /Groups with Entra's extra schema and no members, add the run's
/// user (`$ref: null`), remove it (a value list; with the flag, a `members[value eq]` path),
/// DELETE (204).
pub async fn group_lifecycle(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    ctx.groups()?;
    let mut p = Probe::new(ctx);
    let name = new_group_name();
    let body = json!({
        "schemas": [CORE_GROUP, ADSCIM_GROUP],
        "externalId": format!("scimock-check-ext-{}", suffix()),
        "displayName": name,
        "meta": {"resourceType": "Group"}
    });
    let (ex, gid) = post_group(&mut p, &name, &body).await;
    let shape = GUIDE.sends("POST", "/Groups", Some(&body));
    if !expect_created(&mut p, &shape, &ex, &gid, "Entra", "group") {
        return Ok(p.finish(""));
    }
    let path = group_path(&gid);
    let add = patch_body(
        json!([{"op": op(ctx, "add"), "path": "members", "value": [{"$ref": null, "value": c.id}]}]),
    );
    let remove = if flag(ctx) {
        patch_body(json!([{"op": "remove", "path": format!("members[value eq {}]", quote(&c.id))}]))
    } else {
        patch_body(json!([{"op": "Remove", "path": "members", "value": [{"value": c.id}]}]))
    };
    for (body, member_after) in [(add, true), (remove, false)] {
        let ex = p
            .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
            .await;
        let shape = GUIDE.sends("PATCH", "/Groups/{id}", Some(&body));
        if !expect_written(&mut p, &shape, &ex) {
            break;
        }
        expect_membership(&mut p, &shape, &ex, &gid, &c.id, None, member_after).await;
    }
    let ex = delete_own(&mut p, &path, &name).await;
    p.require(ex.is(204), || {
        format!(
            "{}: answered {}; Entra expects 204",
            GUIDE.sends("DELETE", "/Groups/{id}", None),
            ex.outcome()
        )
    });
    Ok(p.finish("created a group with Entra's schema, added and removed a member, deleted it"))
}

/// Soft delete (active false, as on unassignment), then DELETE /Users/{id}: 204, and the user
/// is gone (404).
pub async fn soft_delete(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_user(ctx)?;
    let mut p = Probe::new(ctx);
    let path = user_path(&c.id);
    let body = patch_body(
        json!([{"op": op(ctx, "replace"), "path": "active", "value": active_value(ctx, false)}]),
    );
    let ex = p
        .send(Request::new(Method::PATCH, path.clone()).json(body.clone()))
        .await;
    let shape = GUIDE.sends("PATCH", "/Users/{id}", Some(&body));
    expect_written(&mut p, &shape, &ex);
    let ex = p.send(Request::new(Method::DELETE, path.clone())).await;
    let shape = GUIDE.sends("DELETE", "/Users/{id}", None);
    p.require(ex.is(204), || {
        format!("{shape}: answered {}; Entra expects 204", ex.outcome())
    });
    if ex.ok() {
        let gone = p.send(Request::get(path.clone())).await;
        if gone.is(404) {
            ctx.untrack(&c.user_name);
        } else {
            p.problem(format!(
                "{shape}: answered {}, but GET /Users/{{id}} then answered {}",
                ex.outcome(),
                gone.outcome()
            ));
        }
    }
    Ok(p.finish("the soft-deleted user was deleted with 204 and reads 404"))
}
