//! What the identity-provider checks (`--client entra|okta`, modules `entra` and `okta`) share:
//! sending a documented request shape and saying, when the answer would break the identity
//! provider, exactly which shape it was, quoted, with its source; creating and reading the
//! run's own users and groups (prefixed `scimock-check-`, removed by the runner whatever
//! happens).

use super::Probe;
use crate::client::{Exchange, Request, encode_component};
use crate::ctx::{Created, Ctx, Kind, TEST_USER_PREFIX as PREFIX};
use crate::lenient::{Page, id_of, member, str_attr};
use crate::outcome::{Skip, SkipReason};
use reqwest::Method;
use serde_json::Value;

/// A documented request shape: which identity provider sends it, and where that is written.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// `Entra ID` or `Okta`.
    pub client: &'static str,
    /// The document that shows the shape (title and address).
    pub source: &'static str,
}

/// Microsoft's SCIM endpoint guide for Entra ID provisioning.
pub const ENTRA_GUIDE: &str = "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\" (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups)";
/// Microsoft's list of Entra ID's SCIM deviations and the `aadOptscim062020` flag.
pub const ENTRA_COMPAT: &str = "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user provisioning service\" (learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility)";
/// Microsoft's SCIM validation test overview (SCIM reference code).
pub const ENTRA_VALIDATION: &str = "AzureAD/SCIMReferenceCode, \"SCIM Validation Test Overview\" (github.com/AzureAD/SCIMReferenceCode)";
/// Okta's SCIM 2.0 protocol reference.
pub const OKTA_REFERENCE: &str = "Okta Developer, \"SCIM 2.0 protocol reference\" (developer.okta.com/docs/reference/scim/scim-20/)";
/// Okta's guide to testing a SCIM API (its published spec test).
pub const OKTA_SPEC_TEST: &str = "Okta Developer, \"Test your SCIM API\" (developer.okta.com/docs/guides/build-provisioning-integration/test-scim-api/)";

/// The User-Agent Okta's provisioning sends.
pub const OKTA_USER_AGENT: &str = "Okta SCIM Client 1.0.0";

impl Shape {
    /// `Entra ID sends PATCH /Users/{id} {...} (source): ` — the prefix of every problem this
    /// shape causes, quoting the request as the identity provider sends it.
    pub fn sends(&self, method: &str, target: &str, body: Option<&Value>) -> String {
        let body = body.map(|b| format!(" {b}")).unwrap_or_default();
        format!(
            "{} sends {method} {target}{body} ({})",
            self.client, self.source
        )
    }
}

/// A PATCH request body with the PatchOp schema.
pub fn patch_body(ops: Value) -> Value {
    serde_json::json!({"schemas": [scimock_profile::vocab::PATCH_OP], "Operations": ops})
}

/// `/Users/{id}`.
pub fn user_path(id: &str) -> String {
    format!("/Users/{}", encode_component(id))
}

/// `/Groups/{id}`.
pub fn group_path(id: &str) -> String {
    format!("/Groups/{}", encode_component(id))
}

/// A read-back value as a problem shows it: JSON (`"x"`, `0`, `{...}`), or `absent`.
pub fn shown<T: serde::Serialize>(v: Option<T>) -> String {
    v.and_then(|x| serde_json::to_string(&x).ok())
        .unwrap_or_else(|| "absent".to_string())
}

/// A value nobody's userName (or externalId, or group displayName) has.
pub fn absent_value() -> String {
    format!(
        "{PREFIX}absent-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A displayName for a group of the run's own.
pub fn new_group_name() -> String {
    format!(
        "{PREFIX}group-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Expects a list answer with no match (200, totalResults 0, no resources); records the
/// problem, prefixed by the shape's quote, otherwise.
pub fn expect_no_match(p: &mut Probe<'_>, shape: &str, ex: &Exchange) {
    if !ex.is(200) {
        p.problem(format!(
            "{shape}: answered {}; a lookup that matches nobody must answer 200 with totalResults 0",
            ex.outcome()
        ));
        return;
    }
    let Some(v) = ex.json() else {
        p.problem(format!("{shape}: the 200 answer is not JSON"));
        return;
    };
    let page = Page::parse(&v);
    p.require(page.total == Some(0) && page.resources.is_empty(), || {
        format!(
            "{shape}: answered totalResults {} with {} resources; nobody matches, so totalResults must be 0",
            shown(page.total),
            page.resources.len()
        )
    });
}

/// Expects a list answer with exactly the resource `id`; records the problem otherwise.
pub fn expect_one(p: &mut Probe<'_>, shape: &str, ex: &Exchange, id: &str) {
    let Some(v) = ex.json().filter(|_| ex.is(200)) else {
        p.problem(format!("{shape}: answered {}", ex.outcome()));
        return;
    };
    let page = Page::parse(&v);
    p.require(
        page.total == Some(1) && page.ids() == vec![id.to_string()],
        || {
            format!(
                "{shape}: answered totalResults {} with ids {:?}; exactly one user, {id}, matches",
                shown(page.total),
                page.ids()
            )
        },
    );
}

/// Expects a write answered 2xx (200 with the resource or 204); records the problem otherwise.
pub fn expect_written(p: &mut Probe<'_>, shape: &str, ex: &Exchange) -> bool {
    if ex.ok() {
        return true;
    }
    p.problem(format!("{shape}: answered {}", ex.outcome()));
    false
}

/// Expects a create answered 201 with the new resource's `id` (`what`: "user", "group");
/// records the problem in `idp`'s words otherwise.
pub fn expect_created(
    p: &mut Probe<'_>,
    shape: &str,
    ex: &Exchange,
    id: &str,
    idp: &str,
    what: &str,
) -> bool {
    if ex.is(201) && !id.is_empty() {
        return true;
    }
    p.problem(format!(
        "{shape}: answered {}; {idp} expects 201 with the {what}'s id",
        ex.outcome()
    ));
    false
}

/// After `shape` was answered with `ex`, group `gid` must hold `user` (`want`) or not, as the
/// target shows membership (`read_back`: the group already read, if any); records the problem
/// otherwise.
pub async fn expect_membership(
    p: &mut Probe<'_>,
    shape: &str,
    ex: &Exchange,
    gid: &str,
    user: &str,
    read_back: Option<&Value>,
    want: bool,
) {
    if let Some((has, seen)) = super::groups::member_seen(p, gid, user, read_back).await {
        p.require(has == want, || {
            format!(
                "{shape}: answered {}, but the group {} the user ({seen})",
                ex.outcome(),
                if has { "still has" } else { "does not have" }
            )
        });
    }
}

/// GET of the run's own resource, for a read-back after a write.
pub async fn read(p: &mut Probe<'_>, path: &str) -> Option<Value> {
    let ex = p.send(Request::get(path)).await;
    p.json_ok(&ex, "reading it back")
}

/// POSTs a user of the run's own (`body` carries the userName): tracked before the request,
/// its id recorded. Returns the answer and the id (empty when none).
pub async fn post_user(p: &mut Probe<'_>, user_name: &str, body: &Value) -> (Exchange, String) {
    p.ctx.track(user_name);
    let ex = p
        .send(Request::new(Method::POST, "/Users").json(body.clone()))
        .await;
    let id = ex.json().map(|v| id_of(&v)).unwrap_or_default();
    if ex.ok() {
        p.ctx.track_id(user_name, &id);
    } else if crate::ctx::refused(&ex) {
        p.ctx.forget(user_name);
    }
    (ex, id)
}

/// POSTs a group of the run's own; as [`post_user`].
pub async fn post_group(p: &mut Probe<'_>, name: &str, body: &Value) -> (Exchange, String) {
    p.ctx.track_kind(Kind::Group, name);
    let ex = p
        .send(Request::new(Method::POST, "/Groups").json(body.clone()))
        .await;
    let id = ex.json().map(|v| id_of(&v)).unwrap_or_default();
    if ex.ok() {
        p.ctx.track_id(name, &id);
    } else if crate::ctx::refused(&ex) {
        p.ctx.forget(name);
    }
    (ex, id)
}

/// DELETEs one of the run's own resources and confirms it is gone (404); untracks it then.
/// Returns the DELETE's answer.
pub async fn delete_own(p: &mut Probe<'_>, path: &str, name: &str) -> Exchange {
    let ex = p.send(Request::new(Method::DELETE, path)).await;
    if ex.ok() {
        let gone = p.send(Request::get(path)).await;
        if gone.is(404) {
            p.ctx.untrack(name);
        }
    }
    ex
}

/// The user the client's create check made, for the checks that change it.
pub fn created_user(ctx: &Ctx) -> Result<Created, Skip> {
    ctx.writes()?;
    ctx.created
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .ok_or_else(|| SkipReason::NoTestUser.into())
}

/// Keeps the user a client's create check made.
pub fn keep_created(ctx: &Ctx, c: Created) {
    if let Ok(mut g) = ctx.created.lock() {
        *g = Some(c);
    }
}

/// `active` of a resource, when it is a JSON boolean.
pub fn active(v: &Value) -> Option<bool> {
    member(v, "active").and_then(Value::as_bool)
}

/// A string attribute at a dotted path (`name.givenName`).
pub fn dotted_str<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    let mut cur = v;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return str_attr(cur, part);
        }
        cur = member(cur, part)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_back_values_show_as_json_or_absent() {
        assert_eq!(shown(Some(0u64)), "0");
        assert_eq!(shown(None::<u64>), "absent");
        assert_eq!(shown(Some("Pathless")), r#""Pathless""#);
        assert_eq!(shown(Some(&serde_json::json!("False"))), r#""False""#);
    }
}
