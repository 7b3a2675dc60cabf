//! The Truto-style unified API (docs/vendors.md, Truto): the `{result, next_cursor, result_count}`
//! envelope, a cursor walk to `next_cursor: null`, `truto_key_by`, `truto_exclude_fields`
//! (`[]` and comma forms), `truto_ignore_remote_data`, and the required `integrated_account_id`.

use super::Probe;
use crate::client::Request;
use crate::ctx::Ctx;
use crate::lenient::id_of;
use crate::outcome::{Outcome, Skip};
use serde_json::Value;
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
