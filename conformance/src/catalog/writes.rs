//! Writes (`--allow-writes` only), on one user the run creates itself (userName prefixed
//! `scimock-check-`), built from the profile's write rules: create, duplicate, replace, PATCH
//! (incl. a value path), If-Match, delete. The runner removes it whatever happens.

use super::Probe;
use crate::client::{Request, encode_component};
use crate::ctx::{Created, Ctx, TEST_USER_PREFIX as PREFIX};
use crate::lenient::{id_of, member, str_attr, values_of};
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use reqwest::Method;
use scimock_profile::{DeleteMode, Refusal};
use serde_json::{Map, Value, json};

use scimock_profile::vocab::{CORE_USER, PATCH_OP, ScimType};

fn domain(ctx: &Ctx) -> String {
    ctx.profile()
        .writes
        .verified_domains
        .first()
        .cloned()
        .unwrap_or_else(|| "example.com".into())
}

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// A userName for a new test user: `scimock-check-<random>@<verified domain>`.
pub fn new_user_name(ctx: &Ctx) -> String {
    format!("{PREFIX}{}@{}", short_id(), domain(ctx))
}

/// True when the vendor never returns `attr`: hidden on read, or not among the attributes it
/// keeps.
fn hidden(ctx: &Ctx, attr: &str) -> bool {
    let p = ctx.profile();
    !p.stores(attr)
        || p.shape
            .hidden_attributes
            .iter()
            .any(|h| h.eq_ignore_ascii_case(attr))
}

/// The create body: what the profile's write rules require (Attio email userName on a verified
/// domain, Adra one primary work email and name parts, Elfsquad externalId, ...).
pub fn user_body(ctx: &Ctx, user_name: &str) -> Value {
    let w = &ctx.profile().writes;
    let mut o = Map::new();
    o.insert("schemas".into(), json!([CORE_USER]));
    o.insert("userName".into(), json!(user_name));
    o.insert(
        "name".into(),
        json!({"givenName": "Scimock", "familyName": "Check"}),
    );
    o.insert("active".into(), json!(true));
    if !hidden(ctx, "displayName") {
        o.insert("displayName".into(), json!("Scimock Check"));
    }
    if !hidden(ctx, "externalId") {
        o.insert(
            "externalId".into(),
            json!(format!("{PREFIX}{}", short_id())),
        );
    }
    let emails_read_only = w.emails.from_user_name || w.read_only.iter().any(|r| r == "emails");
    if !emails_read_only {
        let mut e = Map::new();
        e.insert("value".into(), json!(user_name));
        e.insert(
            "type".into(),
            json!(w.emails.only_type.clone().unwrap_or_else(|| "work".into())),
        );
        if ctx.profile().shape.email_primary || w.emails.primary_required {
            e.insert("primary".into(), json!(true));
        }
        o.insert("emails".into(), Value::Array(vec![Value::Object(e)]));
    }
    for req in &w.required {
        let present = match req.split_once('.') {
            Some((a, b)) => o.get(a).and_then(|v| v.get(b)).is_some(),
            None => o.contains_key(req.as_str()),
        };
        if !present && !req.starts_with("urn:") {
            o.insert(req.clone(), json!(format!("{PREFIX}{}", short_id())));
        }
    }
    Value::Object(o)
}

fn user_path(id: &str) -> String {
    format!("/Users/{}", encode_component(id))
}

/// The run's test user, for a check that also needs `feature` (a [`Ctx::feature`] verdict).
fn created(ctx: &Ctx, feature: Result<(), Skip>) -> Result<Created, Skip> {
    ctx.writes()?;
    let c = ctx
        .created
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .ok_or(SkipReason::NoTestUser)?;
    feature?;
    Ok(c)
}

fn given_name(v: &Value) -> Option<&str> {
    member(v, "name").and_then(|n| str_attr(n, "givenName"))
}

/// POST /Users: 201, Location, id, meta.
pub async fn create(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.writes()?;
    ctx.feature(ctx.profile().writes.create, "POST /Users", None)?;
    let user_name = new_user_name(ctx);
    let body = user_body(ctx, &user_name);
    ctx.track(&user_name);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::POST, "/Users").json(body.clone()))
        .await;
    let v = ex.json().unwrap_or(Value::Null);
    let id = id_of(&v);
    if ex.ok() {
        ctx.track_id(&user_name, &id);
    }
    p.require(ex.is(201), || {
        format!(
            "POST /Users answered {}; RFC 7644 §3.3 requires 201 Created",
            ex.outcome()
        )
    });
    if !ex.ok() {
        return Ok(p.finish(""));
    }
    p.require(!id.is_empty(), || "the created user has no id".into());
    p.require(
        str_attr(&v, "userName").is_some_and(|u| u.eq_ignore_ascii_case(&user_name)),
        || {
            format!(
                "the created user's userName is {:?}, not {user_name:?}",
                str_attr(&v, "userName")
            )
        },
    );
    match ex.header("location") {
        None => p.problem("no Location header (RFC 7644 §3.3: SHALL be returned with 201)"),
        Some(loc) => {
            p.require(loc.ends_with(&format!("/Users/{id}")), || {
                format!("Location {loc:?} does not point at /Users/{id}")
            });
            if let Some(ml) = member(&v, "meta").and_then(|m| str_attr(m, "location")) {
                p.require(ml.starts_with('/') || ml == loc, || {
                    format!("Location {loc:?} differs from meta.location {ml:?}")
                });
            }
        }
    }
    if ctx
        .profile()
        .shape
        .meta_fields
        .iter()
        .any(|f| f == "resourceType")
    {
        p.require(
            member(&v, "meta").and_then(|m| str_attr(m, "resourceType")) == Some("User"),
            || "meta.resourceType is not \"User\"".into(),
        );
    }
    if !id.is_empty() {
        if let Ok(mut c) = ctx.created.lock() {
            *c = Some(Created {
                id: id.clone(),
                user_name: user_name.clone(),
                body,
            });
        }
    }
    Ok(p.finish(format!("created {user_name} ({id}) with 201 and Location")))
}

/// The same userName again: the documented refusal (409 uniqueness by default).
pub async fn duplicate(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created(ctx, Ok(()))?;
    let refusal = &ctx.profile().writes.duplicate_refusal;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::POST, "/Users").json(c.body.clone()))
        .await;
    if ex.ok() {
        let dup = ex.json().map(|v| id_of(&v)).unwrap_or_default();
        ctx.track_id(&c.user_name, &dup);
        p.problem(format!(
            "a second user with userName {} was created ({dup})",
            c.user_name
        ));
    } else {
        p.expect_error(
            &ex,
            "a duplicate userName",
            refusal.status,
            refusal.scim_type.as_deref(),
        );
    }
    Ok(p.finish(format!(
        "a duplicate userName is refused with {}",
        refusal.status
    )))
}

async fn read_back(p: &mut Probe<'_>, id: &str) -> Option<Value> {
    let ex = p.send(Request::get(user_path(id))).await;
    p.json_ok(&ex, "reading the user back")
}

/// PUT with a changed givenName: 200, and the change reads back.
pub async fn replace(ctx: &Ctx) -> Result<Outcome, Skip> {
    let offered = ctx.feature(ctx.profile().writes.replace, "PUT /Users/{id}", None);
    let c = created(ctx, offered)?;
    let mut body = c.body.clone();
    body["name"]["givenName"] = json!("Replaced");
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::PUT, user_path(&c.id)).json(body.clone()))
        .await;
    p.require(ex.is(200), || {
        format!(
            "PUT answered {}; RFC 7644 §3.5.1 answers 200 with the resource",
            ex.outcome()
        )
    });
    if let Some(v) = ex.json().filter(|_| ex.is(200)) {
        p.require(given_name(&v) == Some("Replaced"), || {
            format!("the PUT response has givenName {:?}", given_name(&v))
        });
    }
    if let Some(v) = read_back(&mut p, &c.id).await {
        p.require(given_name(&v) == Some("Replaced"), || {
            format!(
                "after PUT the user reads back with givenName {:?}",
                given_name(&v)
            )
        });
    }
    if let Ok(mut g) = ctx.created.lock() {
        if let Some(cc) = g.as_mut() {
            cc.body = body;
        }
    }
    Ok(p.finish("PUT replaced the user"))
}

fn patch_body(ctx: &Ctx, ops: Value) -> Value {
    let key = ctx
        .profile()
        .patch
        .operations_keys
        .first()
        .cloned()
        .unwrap_or_else(|| "Operations".into());
    let mut o = Map::new();
    o.insert("schemas".into(), json!([PATCH_OP]));
    o.insert(key, ops);
    Value::Object(o)
}

/// Skips unless the profile allows PATCH on `path`.
fn need_patch_path(ctx: &Ctx, path: &str) -> Result<(), Skip> {
    skip_unless(patch_allowed(ctx, path), || {
        SkipReason::PatchPathNotAllowed {
            vendor: ctx.profile().title.clone(),
            path: path.to_string(),
        }
    })
}

fn patch_allowed(ctx: &Ctx, path: &str) -> bool {
    ctx.profile().patch.allowed_paths.as_ref().is_none_or(|a| {
        a.iter()
            .any(|x| x.eq_ignore_ascii_case(path) || path.starts_with(&format!("{x}[")))
    })
}

/// PATCH replace name.givenName: 200 with the resource or 204 (both valid), then reads back.
pub async fn patch(ctx: &Ctx) -> Result<Outcome, Skip> {
    let offered = ctx.feature(ctx.profile().writes.patch, "PATCH", Some("patch.supported"));
    let c = created(ctx, offered)?;
    need_patch_path(ctx, "name.givenName")?;
    let mut p = Probe::new(ctx);
    let body = patch_body(
        ctx,
        json!([{"op": "replace", "path": "name.givenName", "value": "Patched"}]),
    );
    let ex = p
        .send(Request::new(Method::PATCH, user_path(&c.id)).json(body))
        .await;
    match ex.status {
        Some(204) => p.note("answered 204 No Content (RFC 7644 §3.5.2 allows it)"),
        Some(200) => match ex.json() {
            Some(v) => p.require(given_name(&v) == Some("Patched"), || format!("the 200 response has givenName {:?}", given_name(&v))),
            None => p.problem("PATCH answered 200 without the resource (RFC 7644 §3.5.2: 200 carries the resource, else 204)"),
        },
        _ => p.problem(format!("PATCH answered {}", ex.outcome())),
    }
    if let Some(v) = read_back(&mut p, &c.id).await {
        p.require(given_name(&v) == Some("Patched"), || {
            format!(
                "after PATCH the user reads back with givenName {:?}",
                given_name(&v)
            )
        });
    }
    Ok(p.finish("PATCH replace changed name.givenName"))
}

/// PATCH replace `emails[type eq "work"].value`: the selected email changes.
pub async fn patch_value_path(ctx: &Ctx) -> Result<Outcome, Skip> {
    let offered = ctx.feature(ctx.profile().writes.patch, "PATCH", Some("patch.supported"));
    let c = created(ctx, offered)?;
    let w = &ctx.profile().writes;
    skip_unless(
        !(w.emails.from_user_name || w.read_only.iter().any(|r| r == "emails")),
        || SkipReason::EmailsReadOnly {
            vendor: ctx.profile().title.clone(),
        },
    )?;
    let path = "emails[type eq \"work\"].value";
    need_patch_path(ctx, "emails")?;
    let new = format!("{PREFIX}{}-patched@{}", short_id(), domain(ctx));
    let mut p = Probe::new(ctx);
    let body = patch_body(ctx, json!([{"op": "replace", "path": path, "value": new}]));
    let ex = p
        .send(Request::new(Method::PATCH, user_path(&c.id)).json(body))
        .await;
    p.require(ex.is(200) || ex.is(204), || {
        format!("PATCH {path} answered {}", ex.outcome())
    });
    if let Some(v) = read_back(&mut p, &c.id).await {
        let emails = values_of(&v, "emails");
        p.require(emails.iter().any(|e| e.eq_ignore_ascii_case(&new)), || {
            format!("after PATCH {path} the emails are {emails:?}")
        });
    }
    Ok(p.finish(format!("PATCH {path} changed the work email")))
}

/// A stale If-Match is 412; the current ETag is accepted.
pub async fn etag_if_match(ctx: &Ctx) -> Result<Outcome, Skip> {
    let offered = ctx.feature(
        ctx.profile().etag.supported,
        "ETags",
        Some("etag.supported"),
    );
    let c = created(ctx, offered)?;
    let mut p = Probe::new(ctx);
    let ops = json!([{"op": "replace", "path": "name.givenName", "value": "Stale"}]);
    let stale = p
        .send(
            Request::new(Method::PATCH, user_path(&c.id))
                .header("If-Match", "W/\"scimock-check-stale\"")
                .json(patch_body(ctx, ops)),
        )
        .await;
    p.expect_error(&stale, "PATCH with a stale If-Match", 412, None);
    let get = p.send(Request::get(user_path(&c.id))).await;
    match get.header("etag").map(str::to_string) {
        None => p.problem("GET /Users/{id} has no ETag header although ETags are supported"),
        Some(tag) => {
            let ops = json!([{"op": "replace", "path": "name.givenName", "value": "Fresh"}]);
            let fresh = p
                .send(
                    Request::new(Method::PATCH, user_path(&c.id))
                        .header("If-Match", tag)
                        .json(patch_body(ctx, ops)),
                )
                .await;
            p.require(fresh.ok(), || {
                format!("PATCH with the current ETag answered {}", fresh.outcome())
            });
        }
    }
    Ok(p.finish("a stale If-Match is refused with 412; the current ETag is accepted"))
}

/// DELETE: 204, then 404 (delete, deactivate-then-404) or active:false (suspend).
pub async fn delete(ctx: &Ctx) -> Result<Outcome, Skip> {
    let offered = ctx.feature(ctx.profile().writes.delete, "DELETE /Users/{id}", None);
    let c = created(ctx, offered)?;
    let mut p = Probe::new(ctx);
    let ex = p.send(Request::new(Method::DELETE, user_path(&c.id))).await;
    p.require(ex.is(204), || {
        format!(
            "DELETE answered {}; RFC 7644 §3.6 answers 204 No Content",
            ex.outcome()
        )
    });
    let get = p.send(Request::get(user_path(&c.id))).await;
    let mode = ctx.profile().writes.delete_mode;
    match mode {
        DeleteMode::Delete | DeleteMode::DeactivateThen404 => {
            p.expect_error(&get, "GET after DELETE", 404, None);
        }
        DeleteMode::Suspend => {
            let active = get.json().and_then(|v| member(&v, "active").cloned());
            p.require(get.is(200) && active == Some(Value::Bool(false)), || {
                format!("after DELETE (which suspends) GET answered {} with active {active:?}; expected 200 and active:false", get.outcome())
            });
        }
    }
    if p.clean() {
        ctx.untrack(&c.user_name);
    }
    let how = match mode {
        DeleteMode::Delete => "deleted: GET answers 404",
        DeleteMode::DeactivateThen404 => "deactivated and unlinked: GET answers 404",
        DeleteMode::Suspend => "suspended: GET shows active:false",
    };
    Ok(p.finish(format!("DELETE answered 204; the user is {how}")))
}

/// The refusal a check expects: the vendor's documented one, or for the RFC profile the status
/// alone (RFC 7644 §3.12 makes `scimType` OPTIONAL, except where a section names it).
fn refusal_for<'a>(
    ctx: &Ctx,
    documented: &'a Refusal,
    rfc_scim_type: Option<&'a str>,
) -> (u16, Option<&'a str>) {
    if ctx.rfc_baseline() {
        (documented.status, rfc_scim_type)
    } else {
        (documented.status, documented.scim_type.as_deref())
    }
}

/// A userName differing from the run's user only in case is refused as a duplicate: userName
/// is case insensitive and unique (RFC 7643 §4.1.1; RFC 7644 §3.3: 409 with scimType
/// uniqueness).
pub async fn duplicate_case(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created(ctx, Ok(()))?;
    let variant = match c.user_name.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", local.to_uppercase()),
        None => c.user_name.to_uppercase(),
    };
    skip_unless(variant != c.user_name, || {
        Skip::unobservable("the test user's userName has no letters to change the case of")
    })?;
    let w = &ctx.profile().writes;
    let (status, scim_type) = refusal_for(
        ctx,
        &w.duplicate_refusal,
        Some(ScimType::Uniqueness.as_str()),
    );
    ctx.track(&variant);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::POST, "/Users").json(user_body(ctx, &variant)))
        .await;
    if ex.ok() {
        let dup = ex.json().map(|v| id_of(&v)).unwrap_or_default();
        ctx.track_id(&variant, &dup);
        p.problem(format!(
            "{variant} was created ({dup}) although {} exists: userName is case insensitive and unique (RFC 7643 §4.1.1)",
            c.user_name
        ));
    } else {
        if crate::ctx::refused(&ex) {
            ctx.forget(&variant);
        }
        p.expect_error(&ex, "a userName differing only in case", status, scim_type);
    }
    Ok(p.finish(format!(
        "{variant} is refused as a duplicate of {}: {}",
        c.user_name,
        super::probe::error_summary(&ex)
    )))
}

/// POST and PUT without userName are refused (RFC 7643 §4.1.1: userName is REQUIRED; RFC 7644
/// §3.12 Table 9: invalidValue "A required value was missing"), as the vendor documents.
pub async fn required(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.writes()?;
    ctx.feature(ctx.profile().writes.create, "POST /Users", None)?;
    let w = &ctx.profile().writes;
    skip_unless(w.required.iter().any(|r| r == "userName"), || {
        ctx.not_documented("userName as a required attribute")
    })?;
    let (status, scim_type) = refusal_for(ctx, &w.required_refusal, None);
    let label = format!("{PREFIX}{}-without-userName", short_id());
    let mut body = user_body(ctx, &new_user_name(ctx));
    if let Some(o) = body.as_object_mut() {
        o.remove("userName");
    }
    ctx.track(&label);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::POST, "/Users").json(body))
        .await;
    if ex.ok() {
        let id = ex.json().map(|v| id_of(&v)).unwrap_or_default();
        ctx.track_id(&label, &id);
        p.problem(format!(
            "POST /Users without userName was accepted ({}, id {id:?}); RFC 7643 §4.1.1: userName is REQUIRED",
            ex.outcome()
        ));
    } else {
        if crate::ctx::refused(&ex) {
            ctx.forget(&label);
        }
        p.expect_error(&ex, "POST /Users without userName", status, scim_type);
    }
    let mut did = vec![format!("POST: {}", super::probe::error_summary(&ex))];
    let test_user = ctx.created.lock().ok().and_then(|c| c.clone());
    match test_user.filter(|_| w.replace) {
        Some(c) => {
            let mut body = c.body.clone();
            if let Some(o) = body.as_object_mut() {
                o.remove("userName");
            }
            let put = p
                .send(Request::new(Method::PUT, user_path(&c.id)).json(body))
                .await;
            if put.ok() {
                p.problem(format!(
                    "PUT /Users/{{id}} without userName was accepted ({}); RFC 7643 §4.1.1: userName is REQUIRED",
                    put.outcome()
                ));
                // Put the test user back as it was, for the checks that follow and for cleanup.
                p.send(Request::new(Method::PUT, user_path(&c.id)).json(c.body.clone()))
                    .await;
            } else {
                p.expect_error(&put, "PUT /Users/{id} without userName", status, scim_type);
            }
            did.push(format!("PUT: {}", super::probe::error_summary(&put)));
        }
        None => p.note("PUT not tried (no test user, or PUT not documented)"),
    }
    Ok(p.finish(format!(
        "a user without userName is refused ({})",
        did.join("; ")
    )))
}

fn meta_time(v: &Value, name: &str) -> Option<(String, time::OffsetDateTime)> {
    let s = member(v, "meta").and_then(|m| str_attr(m, name))?;
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some((s.to_string(), t))
}

/// After PUT and PATCH, meta.lastModified has advanced and meta.created has not changed
/// (RFC 7643 §3.1: lastModified is "the most recent DateTime that the details of this resource
/// were updated"; created is when it "was added").
pub async fn meta_timestamps(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created(ctx, Ok(()))?;
    let w = &ctx.profile().writes;
    let patch = w.patch
        && ctx.spc_claim("patch.supported") != Some(false)
        && patch_allowed(ctx, "name.givenName");
    skip_unless(patch || w.replace, || {
        ctx.not_documented("PUT or PATCH on /Users/{id}")
    })?;
    let mut p = Probe::new(ctx);
    let Some(before) = read_back(&mut p, &c.id).await else {
        return Ok(p.finish(""));
    };
    let (Some(created), Some(mut last)) = (
        meta_time(&before, "created"),
        meta_time(&before, "lastModified"),
    ) else {
        return Err(p.unobservable(
            "the test user carries no RFC 3339 meta.created and meta.lastModified (see resource.meta)",
        ));
    };
    let mut writes: Vec<(&str, Request)> = Vec::new();
    if patch {
        let ops = json!([{"op": "replace", "path": "name.givenName", "value": "Timestamps"}]);
        writes.push((
            "PATCH",
            Request::new(Method::PATCH, user_path(&c.id)).json(patch_body(ctx, ops)),
        ));
    }
    if w.replace {
        let mut body = c.body.clone();
        body["name"]["givenName"] = json!("Timestamps-replaced");
        writes.push((
            "PUT",
            Request::new(Method::PUT, user_path(&c.id)).json(body),
        ));
    }
    let mut done = Vec::new();
    for (what, req) in writes {
        // A whole-second timestamp cannot advance within the same second.
        let gap = if last.0.contains('.') { 20 } else { 1100 };
        tokio::time::sleep(std::time::Duration::from_millis(gap)).await;
        let ex = p.send(req).await;
        if !ex.ok() {
            p.problem(format!("{what} answered {}", ex.outcome()));
            continue;
        }
        let Some(after) = read_back(&mut p, &c.id).await else {
            continue;
        };
        let (c2, l2) = (
            meta_time(&after, "created"),
            meta_time(&after, "lastModified"),
        );
        p.require(c2.as_ref().is_some_and(|c2| c2.1 == created.1), || {
            format!(
                "after {what} meta.created is {:?}; it was {:?} (RFC 7643 §3.1: when the resource was added)",
                c2.map(|c| c.0),
                created.0
            )
        });
        match l2 {
            Some(l2) if l2.1 > last.1 => last = l2,
            other => p.problem(format!(
                "after {what} meta.lastModified is {:?}; it was {:?} before (RFC 7643 §3.1: the most recent DateTime the resource was updated)",
                other.map(|l| l.0),
                last.0
            )),
        }
        done.push(what);
    }
    Ok(p.finish(format!(
        "meta.lastModified advanced after {} and meta.created stayed {}",
        done.join(" and "),
        created.0
    )))
}
