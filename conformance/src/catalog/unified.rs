//! The Truto-style unified API (docs/vendors.md, Truto): the `{result, next_cursor, result_count}`
//! envelope, a cursor walk to `next_cursor: null`, `truto_key_by`, `truto_exclude_fields`
//! (`[]` and comma forms), `truto_ignore_remote_data`, the required `integrated_account_id`,
//! and with `--allow-writes` create, update and delete through the facade and the
//! `Idempotency-Key` contract, on users the run creates itself.

use super::Probe;
use crate::client::{Request, encode_component};
use crate::ctx::{Created, Ctx, Kind, TEST_USER_PREFIX as PREFIX, refused};
use crate::lenient::id_of;
use crate::outcome::{Outcome, Skip, skip_unless};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;

fn list(ctx: &Ctx, limit: &str) -> Request {
    let acct = ctx.plan.account.clone().unwrap_or_default();
    Request::get("")
        .query("integrated_account_id", acct)
        .query("limit", limit)
}

fn result_items(v: &Value) -> Option<&Vec<Value>> {
    v.get("result").and_then(Value::as_array)
}

/// The list envelope.
pub async fn envelope(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let ex = p.send(list(ctx, "2")).await;
    let Some(v) = p.json_ok(&ex, "unified list") else {
        return Ok(p.finish(""));
    };
    let Some(items) = result_items(&v) else {
        p.problem("result is missing or not an array");
        return Ok(p.finish(""));
    };
    match v.get("next_cursor") {
        None => p.problem("next_cursor is missing (null on the last page, D:T2)"),
        Some(Value::Null | Value::String(_)) => {}
        Some(other) => p.problem(format!("next_cursor is {other}, not a string or null")),
    }
    if let Some(n) = v.get("result_count") {
        p.require(n.as_u64() == Some(items.len() as u64), || {
            format!("result_count is {n} but result has {} item(s)", items.len())
        });
    }
    p.require(items.iter().all(|i| !id_of(i).is_empty()), || {
        "an item of result has no id (required, S-000)".into()
    });
    p.require(items.len() <= 2, || {
        format!("limit=2 returned {} items", items.len())
    });
    Ok(p.finish(format!(
        "{{result, next_cursor}} envelope with {} item(s)",
        items.len()
    )))
}

/// Follows next_cursor until it is null: every user once, and the walk ends.
pub async fn cursor_walk(ctx: &Ctx) -> Result<Outcome, Skip> {
    let max_pages = ctx.cfg.max_pages.max(1);
    let mut p = Probe::new(ctx);
    let mut seen: HashSet<String> = HashSet::new();
    let mut cursors: HashSet<String> = HashSet::new();
    let mut dups = Vec::new();
    let mut cursor: Option<String> = None;
    let mut complete = false;
    for n in 1..=max_pages {
        let mut req = list(ctx, "2");
        if let Some(c) = &cursor {
            req = req.query("next_cursor", c.clone());
        }
        let ex = p.send(req).await;
        let Some(v) = p.json_ok(&ex, &format!("page {n}")) else {
            return Ok(p.finish(""));
        };
        let Some(items) = result_items(&v) else {
            p.problem(format!("page {n} has no result array"));
            break;
        };
        for id in items.iter().map(id_of) {
            if !id.is_empty() && !seen.insert(id.clone()) && dups.len() < 5 {
                dups.push(id);
            }
        }
        match v
            .get("next_cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
        {
            None => {
                complete = true;
                break;
            }
            Some(_) if items.is_empty() => {
                p.problem(format!("page {n} is empty but next_cursor is not null"));
                break;
            }
            Some(c) if !cursors.insert(c.to_string()) => {
                p.problem(format!(
                    "next_cursor {c:?} came back again: the walk would never end"
                ));
                break;
            }
            Some(c) => cursor = Some(c.to_string()),
        }
    }
    p.require(dups.is_empty(), || {
        format!("users returned twice during the walk: {}", dups.join(", "))
    });
    if !complete && p.clean() {
        p.note(format!(
            "walk capped at {max_pages} pages ({} users)",
            seen.len()
        ));
        return Ok(p.finish("no duplicates in the part walked"));
    }
    Ok(p.finish(format!(
        "the walk reached next_cursor null after {} users, each once",
        seen.len()
    )))
}

/// truto_key_by=id: result is an object keyed by each item's id.
pub async fn key_by(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let ex = p.send(list(ctx, "2").query("truto_key_by", "id")).await;
    let Some(v) = p.json_ok(&ex, "truto_key_by=id") else {
        return Ok(p.finish(""));
    };
    match v.get("result") {
        Some(Value::Object(m)) => {
            p.require(!m.is_empty(), || {
                "result is an empty object although the account has users".into()
            });
            for (k, item) in m {
                p.require(id_of(item) == *k, || {
                    format!("key {k:?} holds the item with id {:?}", id_of(item))
                });
            }
        }
        Some(other) => p.problem(format!(
            "truto_key_by=id left result as {}, not an object keyed by id",
            kind(other)
        )),
        None => p.problem("result is missing"),
    }
    Ok(p.finish("truto_key_by=id keys result by id"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a scalar",
    }
}

/// truto_exclude_fields in both forms: the fields are gone.
pub async fn exclude_fields(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let field = ["emails", "username", "first_name", "name"]
        .into_iter()
        .find(|f| ctx.plan.sample.iter().any(|u| u.get(*f).is_some()))
        .ok_or_else(|| {
            Skip::unobservable(
                "the sampled users have none of emails, username, first_name, name to exclude",
            )
        })?;
    let mut p = Probe::new(ctx);
    let forms = [
        (
            "truto_exclude_fields[]",
            list(ctx, "2")
                .query("truto_exclude_fields[]", field)
                .query("truto_exclude_fields[]", "title"),
        ),
        (
            "truto_exclude_fields",
            list(ctx, "2").query("truto_exclude_fields", format!("{field},title")),
        ),
    ];
    for (form, req) in forms {
        let ex = p.send(req).await;
        if let Some(v) = p.json_ok(&ex, form) {
            let items = result_items(&v).cloned().unwrap_or_default();
            p.require(!items.is_empty(), || format!("{form}: result is empty"));
            for i in &items {
                p.require(i.get(field).is_none(), || {
                    format!("{form}: user {} still carries {field}", id_of(i))
                });
            }
        }
    }
    Ok(p.finish(format!("{field} is excluded in the [] and comma forms")))
}

/// truto_ignore_remote_data=true: no item carries remote_data.
pub async fn ignore_remote_data(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.need_users()?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(list(ctx, "2").query("truto_ignore_remote_data", "true"))
        .await;
    if let Some(v) = p.json_ok(&ex, "truto_ignore_remote_data=true") {
        let items = result_items(&v).cloned().unwrap_or_default();
        for i in &items {
            p.require(i.get("remote_data").is_none(), || {
                format!("user {} still carries remote_data", id_of(i))
            });
        }
    }
    if !ctx
        .plan
        .sample
        .iter()
        .any(|u| u.get("remote_data").is_some())
    {
        p.note("the users carry no remote_data even without the flag");
    }
    Ok(p.finish("truto_ignore_remote_data=true drops remote_data"))
}

/// No integrated_account_id: 400 in Truto's envelope.
pub async fn account_required(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let ex = p.send(Request::get("").query("limit", "1")).await;
    p.expect_error(&ex, "a list without integrated_account_id", 400, None);
    Ok(
        p.finish(
            "a missing integrated_account_id is refused with 400 {statusCode, error, message}",
        ),
    )
}

/// A unified request for one user, with the account.
fn one(ctx: &Ctx, method: Method, id: &str) -> Request {
    let acct = ctx.plan.account.clone().unwrap_or_default();
    Request::new(method, format!("/{}", encode_component(id))).query("integrated_account_id", acct)
}

/// A unified write with a JSON body (Truto wants `application/json`, D:T4).
fn write(ctx: &Ctx, method: Method, id: Option<&str>, body: Value) -> Request {
    let req = match id {
        Some(id) => one(ctx, method, id),
        None => {
            let acct = ctx.plan.account.clone().unwrap_or_default();
            Request::new(method, "").query("integrated_account_id", acct)
        }
    };
    req.header("Content-Type", "application/json").json(body)
}

fn unified_body(user_name: &str) -> Value {
    json!({
        "username": user_name,
        "first_name": "Scimock",
        "last_name": "Check",
        "emails": [{"email": user_name, "type": "work", "is_primary": true}],
    })
}

fn new_name() -> String {
    format!(
        "{PREFIX}{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The single-resource answer of a unified write: the object itself (3P:T7), not wrapped in
/// `result`; records a problem otherwise.
fn object(p: &mut Probe<'_>, ex: &crate::client::Exchange, what: &str) -> Option<Value> {
    let v = p.json_ok(ex, what)?;
    if v.get("result").is_some() && v.get("id").is_none() {
        p.problem(format!(
            "{what}: the user is wrapped in result; GET/POST/PATCH return the object itself (3P:T7)"
        ));
        return None;
    }
    Some(v)
}

/// Writes are allowed and the facade documents them.
fn unified_writes(ctx: &Ctx, offered: bool, what: &str) -> Result<(), Skip> {
    ctx.writes()?;
    ctx.feature(offered, what, None)
}

/// POST through the facade: the created user comes back as an object with an id and the
/// username sent.
pub async fn create(ctx: &Ctx) -> Result<Outcome, Skip> {
    unified_writes(
        ctx,
        ctx.profile().writes.create,
        "POST on the unified users endpoint",
    )?;
    let name = new_name();
    ctx.track_kind(Kind::Unified, &name);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(write(ctx, Method::POST, None, unified_body(&name)))
        .await;
    let v = ex.json().unwrap_or(Value::Null);
    let id = id_of(&v);
    if ex.ok() {
        ctx.track_id(&name, &id);
    } else if refused(&ex) {
        ctx.forget(&name);
    }
    let Some(v) = object(&mut p, &ex, "POST") else {
        return Ok(p.finish(""));
    };
    p.require(!id.is_empty(), || "the created user has no id".into());
    p.require(
        v.get("username")
            .and_then(Value::as_str)
            .is_some_and(|u| u.eq_ignore_ascii_case(&name)),
        || {
            format!(
                "the created user's username is {:?}, not {name:?}",
                v.get("username")
            )
        },
    );
    if !id.is_empty() {
        if let Ok(mut c) = ctx.created_unified.lock() {
            *c = Some(Created {
                id: id.clone(),
                user_name: name.clone(),
                body: unified_body(&name),
            });
        }
    }
    Ok(p.finish(format!(
        "created {name} ({id}) through the facade: {}",
        ex.outcome()
    )))
}

fn created_unified(ctx: &Ctx, offered: bool, what: &str) -> Result<Created, Skip> {
    unified_writes(ctx, offered, what)?;
    ctx.created_unified
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .ok_or_else(|| {
            Skip::unobservable("no test user exists (unified.create did not create one)")
        })
}

/// PATCH through the facade: the answer and a read-back carry the change.
pub async fn update(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_unified(ctx, ctx.profile().writes.patch, "PATCH on a unified user")?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(write(
            ctx,
            Method::PATCH,
            Some(&c.id),
            json!({"first_name": "Patched"}),
        ))
        .await;
    if let Some(v) = object(&mut p, &ex, "PATCH") {
        p.require(v.get("first_name") == Some(&json!("Patched")), || {
            format!("the PATCH answer has first_name {:?}", v.get("first_name"))
        });
    }
    let get = p.send(one(ctx, Method::GET, &c.id)).await;
    if let Some(v) = object(&mut p, &get, "GET after PATCH") {
        p.require(v.get("first_name") == Some(&json!("Patched")), || {
            format!(
                "after PATCH the user reads back with first_name {:?}",
                v.get("first_name")
            )
        });
    }
    Ok(p.finish("PATCH changed first_name, and it reads back"))
}

/// The Idempotency-Key contract (3P:T7): a POST replayed with the same key and body answers
/// the first answer again without creating a second user; the key reused with another body is
/// refused with 422.
pub async fn idempotency(ctx: &Ctx) -> Result<Outcome, Skip> {
    unified_writes(
        ctx,
        ctx.profile().writes.create,
        "POST on the unified users endpoint",
    )?;
    skip_unless(
        ctx.profile()
            .unified
            .as_ref()
            .is_some_and(|u| u.idempotency_ttl_secs.is_some()),
        || ctx.not_documented("Idempotency-Key"),
    )?;
    let key = format!("{PREFIX}{}", uuid::Uuid::new_v4().simple());
    let name = new_name();
    ctx.track_kind(Kind::Unified, &name);
    let post =
        |body: Value| write(ctx, Method::POST, None, body).header("Idempotency-Key", key.clone());
    let mut p = Probe::new(ctx);
    let first = p.send(post(unified_body(&name))).await;
    let first_id = first.json().map(|v| id_of(&v)).unwrap_or_default();
    if first.ok() {
        ctx.track_id(&name, &first_id);
    } else {
        if refused(&first) {
            ctx.forget(&name);
        }
        p.problem(format!(
            "the first POST with an Idempotency-Key answered {}",
            first.outcome()
        ));
        return Ok(p.finish(""));
    }
    let replay = p.send(post(unified_body(&name))).await;
    let replay_id = replay.json().map(|v| id_of(&v)).unwrap_or_default();
    if replay.ok() {
        ctx.track_id(&name, &replay_id);
    }
    p.require(replay.status == first.status && replay_id == first_id, || {
        format!(
            "the replay with the same key and body answered {} with id {replay_id:?}; the first answer was {} with id {first_id:?}",
            replay.outcome(),
            first.outcome()
        )
    });
    let mut other = unified_body(&name);
    other["first_name"] = json!("Other");
    let reuse = p.send(post(other)).await;
    if reuse.ok() {
        ctx.track_id(&name, &reuse.json().map(|v| id_of(&v)).unwrap_or_default());
    }
    p.require(reuse.is(422), || {
        format!(
            "the same key with another body answered {}; expected 422",
            reuse.outcome()
        )
    });
    Ok(p.finish(
        "a replay answers the first answer again (no second user); the key with another body is refused with 422",
    ))
}

/// DELETE through the facade: `{id}` (3P:T7), then the user answers 404.
pub async fn delete(ctx: &Ctx) -> Result<Outcome, Skip> {
    let c = created_unified(ctx, ctx.profile().writes.delete, "DELETE on a unified user")?;
    let mut p = Probe::new(ctx);
    let ex = p.send(one(ctx, Method::DELETE, &c.id)).await;
    if let Some(v) = p.json_ok(&ex, "DELETE") {
        p.require(id_of(&v) == c.id, || {
            format!(
                "DELETE answered {v}; Truto returns {{\"id\": \"{}\"}} (3P:T7)",
                c.id
            )
        });
    }
    let get = p.send(one(ctx, Method::GET, &c.id)).await;
    p.expect_error(&get, "GET after DELETE", 404, None);
    if p.clean() {
        ctx.untrack(&c.user_name);
    }
    Ok(p.finish("DELETE answered {id}; the user then answers 404"))
}
