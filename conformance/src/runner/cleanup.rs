//! Cleanup: removes every user the run created — after the last check, after a failure, or
//! when cancelled — and reports what it could not remove. Only users whose userName carries
//! the run's prefix are ever touched.

use crate::client::{Request, encode_component};
use crate::ctx::{Ctx, TEST_USER_PREFIX, Tracked};
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
        let lookup = sweep(ctx, &t, suspend, &mut ids).await;
        if ids.is_empty() {
            settle_unknown(&t, lookup, &mut out);
            continue;
        }
        let mut all_gone = true;
        for id in ids {
            if let Err(why) = remove_user(ctx, &id, suspend).await {
                all_gone = false;
                out.leftovers.push(format!("{} ({id}): {why}", t.user_name));
            }
        }
        if all_gone {
            out.removed.push(t.user_name.clone());
        }
    }
    out.leftovers = out.leftovers.iter().map(|l| ctx.client.scrub(l)).collect();
    out
}

/// Sweeps by userName: finds users whose create answer was lost (timeout, Ctrl-C) and adds
/// their ids to `ids`.
async fn sweep(ctx: &Ctx, t: &Tracked, suspend: bool, ids: &mut Vec<String>) -> Lookup {
    if !ctx.filterable("userName") {
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

/// A user with no id to remove counts as removed only when known: its DELETE was verified, or
/// the lookup found nobody.
fn settle_unknown(t: &Tracked, lookup: Lookup, out: &mut Cleanup) {
    match lookup {
        _ if t.removed => out.removed.push(t.user_name.clone()),
        Some(Ok(())) => out.removed.push(t.user_name.clone()),
        Some(Err(why)) => out.leftovers.push(format!(
            "{}: could not verify it is gone: its id is unknown and the userName lookup answered {why}",
            t.user_name
        )),
        None => out.leftovers.push(format!(
            "{}: its id is unknown and the target cannot filter on userName",
            t.user_name
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
