//! Cleanup: removes every user and group the run created — after the last check, after a
//! failure, or when cancelled — and reports what it could not remove. Only resources whose
//! userName (or displayName) carries the run's prefix are ever touched.

use crate::client::{Request, encode_component};
use crate::ctx::{Ctx, Kind, TEST_USER_PREFIX, Tracked};
use crate::lenient::{Page, id_of, member, quote, str_attr};
use crate::model::{Cleanup, Event};
use reqwest::Method;
use scimock_profile::DeleteMode;
use serde_json::Value;

/// What a userName lookup found: `None` when the target cannot filter on userName, `Err` with
/// the answer when it did not answer with a list.
type Lookup = Option<Result<(), String>>;

/// Removes every user the run created; reports what could not be removed.
pub(super) async fn cleanup(ctx: &Ctx, sink: &mut dyn FnMut(&Event)) -> Cleanup {
    let tracked = ctx.tracked();
    let mut out = Cleanup::default();
    if tracked.is_empty() || !ctx.cfg.allow_writes {
        return out;
    }
    sink(&Event::CleanupStarted {
        users: tracked.len(),
    });
    let suspend = ctx.profile().writes.delete_mode == DeleteMode::Suspend;
    if suspend {
        out.note = Some(format!(
            "{}'s DELETE suspends users; removed users remain readable with active:false",
            ctx.profile().title
        ));
    }
    for t in tracked {
        let mut ids = t.ids.clone();
        let lookup = match t.kind {
            Kind::User => sweep(ctx, &t, suspend, &mut ids).await,
            Kind::Group => sweep_groups(ctx, &t, &mut ids).await,
            Kind::Unified => None,
        };
        if ids.is_empty() {
            settle_unknown(&t, lookup, &mut out);
            continue;
        }
        let mut all_gone = true;
        for id in ids {
            let removed = match t.kind {
                Kind::User => remove_user(ctx, &id, suspend).await,
                Kind::Group => {
                    let path = format!("/Groups/{}", encode_component(&id));
                    remove(
                        ctx,
                        Request::new(Method::DELETE, path.clone()),
                        Request::get(path),
                    )
                    .await
                }
                Kind::Unified => {
                    let one = |m: Method| {
                        Request::new(m, format!("/{}", encode_component(&id))).query(
                            "integrated_account_id",
                            ctx.plan.account.clone().unwrap_or_default(),
                        )
                    };
                    remove(ctx, one(Method::DELETE), one(Method::GET)).await
                }
            };
            if let Err(why) = removed {
                all_gone = false;
                out.leftovers.push(format!("{} ({id}): {why}", shown(&t)));
            }
        }
        if all_gone {
            out.removed.push(shown(&t));
        }
    }
    out.leftovers = out.leftovers.iter().map(|l| ctx.client.scrub(l)).collect();
    out
}

/// Sweeps by userName: finds users whose create answer was lost (timeout, Ctrl-C) and adds
/// their ids to `ids`.
async fn sweep(ctx: &Ctx, t: &Tracked, suspend: bool, ids: &mut Vec<String>) -> Lookup {
    if !ctx.filterable("userName") || ctx.filters().is_err() {
        return None;
    }
    let ex = ctx
        .client
        .send(
            Request::get("/Users").query("filter", format!("userName eq {}", quote(&t.user_name))),
        )
        .await;
    let page = ex
        .json()
        .filter(|_| ex.ok())
        .map(|v| Page::parse(&v))
        .filter(|p| p.has_resources || p.total.is_some());
    let lookup = match &page {
        Some(_) => Ok(()),
        None if ex.ok() => Err(format!("{} without a list", ex.outcome())),
        None => Err(ex.outcome()),
    };
    if let Some(page) = page {
        // A target may ignore or mis-evaluate the filter: remove only the run's own user.
        for r in page
            .resources
            .into_iter()
            .filter(|r| is_own(r, &t.user_name))
        {
            let id = id_of(&r);
            let already_suspended = suspend && member(&r, "active") == Some(&Value::Bool(false));
            if !id.is_empty() && !ids.contains(&id) && !already_suspended {
                ids.push(id);
            }
        }
    }
    Some(lookup)
}

/// Sweeps groups by displayName, where the target filters groups on it: finds a group whose
/// create answer was lost.
async fn sweep_groups(ctx: &Ctx, t: &Tracked, ids: &mut Vec<String>) -> Lookup {
    let rules = &ctx.profile().filter.groups;
    let filterable = rules.any
        || rules
            .allow
            .iter()
            .any(|a| a.attr.eq_ignore_ascii_case("displayName"));
    if !filterable || ctx.filters().is_err() {
        return None;
    }
    let ex = ctx
        .client
        .send(
            Request::get("/Groups")
                .query("filter", format!("displayName eq {}", quote(&t.user_name))),
        )
        .await;
    let page = ex
        .json()
        .filter(|_| ex.ok())
        .map(|v| Page::parse(&v))
        .filter(|p| p.has_resources || p.total.is_some());
    let Some(page) = page else {
        return Some(Err(ex.outcome()));
    };
    for r in page.resources.into_iter().filter(|r| {
        str_attr(r, "displayName")
            .is_some_and(|n| n == t.user_name && n.starts_with(TEST_USER_PREFIX))
    }) {
        let id = id_of(&r);
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    Some(Ok(()))
}

/// How a tracked resource is named in the cleanup report: a user by its userName, a group as
/// `group <displayName>`.
fn shown(t: &Tracked) -> String {
    match t.kind {
        Kind::Group => format!("group {}", t.user_name),
        Kind::User | Kind::Unified => t.user_name.clone(),
    }
}

/// A user with no id to remove counts as removed only when known: its DELETE was verified, or
/// the lookup found nobody.
fn settle_unknown(t: &Tracked, lookup: Lookup, out: &mut Cleanup) {
    match lookup {
        _ if t.removed => out.removed.push(shown(t)),
        Some(Ok(())) => out.removed.push(shown(t)),
        Some(Err(why)) => out.leftovers.push(format!(
            "{}: could not verify it is gone: its id is unknown and the lookup answered {why}",
            shown(t)
        )),
        None => out.leftovers.push(format!(
            "{}: its id is unknown and the target cannot look it up by {}",
            shown(t),
            if t.kind == Kind::Group {
                "displayName"
            } else {
                "userName"
            }
        )),
    }
}

/// True when `resource` is the user the run created as `user_name`: the same userName
/// (case-insensitively: userName is caseExact false), which carries the run's prefix.
fn is_own(resource: &Value, user_name: &str) -> bool {
    let prefix = TEST_USER_PREFIX;
    str_attr(resource, "userName").is_some_and(|n| {
        n.eq_ignore_ascii_case(user_name)
            && n.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    })
}

/// DELETE, then GET must answer 404 (or 410).
async fn remove(ctx: &Ctx, delete: Request, get: Request) -> Result<(), String> {
    let del = ctx.client.send(delete).await;
    if !del.ok() && !del.is(404) {
        return Err(format!("DELETE answered {}", del.outcome()));
    }
    let get = ctx.client.send(get).await;
    if get.is(404) || get.is(410) {
        return Ok(());
    }
    Err(format!(
        "still readable after DELETE (GET answered {})",
        get.outcome()
    ))
}

/// DELETE and verify (404, or `active:false` where DELETE suspends).
async fn remove_user(ctx: &Ctx, id: &str, suspend: bool) -> Result<(), String> {
    let path = format!("/Users/{}", encode_component(id));
    let del = ctx
        .client
        .send(Request::new(Method::DELETE, path.clone()))
        .await;
    if !del.ok() && !del.is(404) {
        return Err(format!("DELETE answered {}", del.outcome()));
    }
    let get = ctx.client.send(Request::get(path)).await;
    if get.is(404) || get.is(410) {
        return Ok(());
    }
    if suspend
        && get.ok()
        && get
            .json()
            .is_some_and(|v| member(&v, "active") == Some(&Value::Bool(false)))
    {
        return Ok(());
    }
    Err(format!(
        "still readable after DELETE (GET answered {})",
        get.outcome()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cleanup_removes_only_users_with_its_own_prefixed_user_name() {
        let own = "scimock-check-0123456789ab@example.com";
        assert!(is_own(&json!({"id": "1", "userName": own}), own));
        assert!(is_own(
            &json!({"id": "1", "userName": "SCIMOCK-CHECK-0123456789AB@Example.com"}),
            own
        ));
        assert!(!is_own(
            &json!({"id": "2", "userName": "jdoe@example.com"}),
            own
        ));
        assert!(!is_own(&json!({"id": "3"}), own));
        assert!(!is_own(
            &json!({"id": "4", "userName": "scimock-check-other@example.com"}),
            own
        ));
        // Never a user without the prefix, even if the run was somehow told that name.
        assert!(!is_own(
            &json!({"id": "5", "userName": "jdoe@example.com"}),
            "jdoe@example.com"
        ));
    }
}
