//! The write stage (RFC 7644 §3.3, §3.5, §3.6): create, replace, patch and delete of users
//! and groups, with the schema's rules (required, mutability), the store's (uniqueness,
//! members), the profile's (see [`rules`]) and If-Match (RFC 7644 §3.14). Shared by the SCIM
//! handlers and the unified facade.

pub(crate) mod rules;

use crate::breaks::Bends;
use crate::error::{ScimError, ScimResult, ScimType};
use crate::patch::{self, PatchOp, PatchOpKind};
use crate::store::{Insert, Kind, Store, StoreError, Stored, UserNameUniqueness};
use crate::tenant::{Tenant, not_found};
use axum::http::{Method, StatusCode};
use scimock_profile::{DeleteMode, PatchResponse, Profile};
use serde_json::Value;
use std::sync::Arc;

/// True when `method` is a write: anything but the safe methods GET, HEAD and OPTIONS
/// (RFC 9110 §9.2.1). Rate limits and injected 429s count requests by this.
pub fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Most operations one PATCH may carry (more is 400 `tooMany`).
pub const MAX_PATCH_OPERATIONS: usize = 1_000;

/// The answer to a successful write.
#[derive(Debug)]
pub struct Written {
    /// The resource after the write (for Suspend deletes too).
    pub stored: Arc<Stored>,
    /// 200 or 201 normally; 204 where the vendor answers without a body.
    pub status: StatusCode,
}

fn store_error(profile: &Profile, kind: Kind, e: StoreError) -> ScimError {
    match e {
        StoreError::NotFound => ScimError::not_found(format!("{} not found", kind.resource_type())),
        StoreError::Duplicate(v) => {
            let group = profile
                .groups
                .as_ref()
                .and_then(|g| g.duplicate_refusal.as_ref());
            let refusal = match kind {
                Kind::Group => group.unwrap_or(&profile.writes.duplicate_refusal),
                Kind::User => &profile.writes.duplicate_refusal,
            };
            ScimError::from_refusal(refusal, &v, "")
        }
        StoreError::UnknownMember(m) => ScimError::invalid_value(format!(
            "Group member {m:?} is not an existing User or Group"
        )),
        StoreError::TooLarge => ScimError::invalid_value(format!(
            "The {} is too large to store",
            kind.resource_type()
        )),
    }
}

/// RFC 9110 §13.1.1/§13.1.2 comparison of a stored ETag with an `If-Match` / `If-None-Match`
/// header: `*` matches anything; otherwise any listed tag matches by weak comparison (the `W/`
/// prefix is ignored), which is what scimock's weak ETags call for.
pub fn etag_matches(have: &str, header: &str) -> bool {
    let header = header.trim();
    if header == "*" {
        return true;
    }
    let opaque = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    let have = opaque(have);
    header.split(',').any(|w| opaque(w) == have)
}

/// Checks `If-Match` against the stored version (RFC 7644 §3.14): 412 when it does not match.
pub fn check_if_match(stored: &Stored, if_match: Option<&str>) -> ScimResult<()> {
    match if_match {
        Some(want) if !etag_matches(&stored.etag(), want) => Err(ScimError::precondition_failed()),
        _ => Ok(()),
    }
}

/// If-Match, where the profile has ETags.
fn check_etag(
    t: &Tenant,
    stored: &Stored,
    if_match: Option<&str>,
    bends: &Bends,
) -> ScimResult<()> {
    if !t.profile.etag.supported || bends.if_match_ignored {
        return Ok(());
    }
    check_if_match(stored, if_match)
}

/// The client-writable view of a stored resource (no id, meta, groups).
fn writable_view(stored: &Stored) -> Value {
    let mut v = stored.to_value();
    if let Some(o) = v.as_object_mut() {
        o.shift_remove("id");
        o.shift_remove("meta");
    }
    v
}

/// A write to the store under the store's rules as the break switches bend them, for this
/// write only: userName uniqueness (`create.allow-duplicates`, `create.duplicate-case-sensitive`)
/// and lastModified (`meta.last-modified-frozen`).
fn bent_write<T>(t: &Tenant, store: &mut Store, write: impl FnOnce(&mut Store) -> T) -> T {
    let bends = t.shared.faults.bends();
    let user_names = if bends.duplicates_allowed {
        UserNameUniqueness::Off
    } else if bends.user_names_case_sensitive {
        UserNameUniqueness::CaseSensitive
    } else {
        UserNameUniqueness::CaseInsensitive
    };
    let keep_last_modified = bends.last_modified_frozen;
    if user_names == UserNameUniqueness::CaseInsensitive && !keep_last_modified {
        return write(store);
    }
    (store.user_names, store.keep_last_modified) = (user_names, keep_last_modified);
    let out = write(store);
    (store.user_names, store.keep_last_modified) = (UserNameUniqueness::CaseInsensitive, false);
    out
}

/// The schema's required attributes, refused as the profile documents.
fn check_required(t: &Tenant, kind: Kind, attrs: &Value) -> ScimResult<()> {
    t.schemas
        .of(kind)
        .check_required(attrs)
        .map_err(|attr| ScimError::from_refusal(&t.profile.writes.required_refusal, &attr, ""))
}

/// POST /Users or /Groups.
pub fn create(t: &Tenant, kind: Kind, body: Value) -> ScimResult<Written> {
    crate::breaks::refuse_create(&t.shared.faults.bends(), &body)?;
    match kind {
        Kind::User => create_user(t, body),
        Kind::Group => create_group(t, body),
    }
}

/// POST /Users.
pub fn create_user(t: &Tenant, mut body: Value) -> ScimResult<Written> {
    rules::mirror_in(&t.profile, &mut body);
    let attrs = t.schemas.users.normalize_write(body, &t.rules.writes)?;
    let (attrs, pending) = rules::finish_user_write(t, attrs, None)?;
    let mut store = t.write();
    if let Some(limit) = &t.profile.writes.max_users {
        // A duplicate userName is refused as a duplicate (409) even in a full directory.
        let user_name = attrs.get("userName").and_then(Value::as_str).unwrap_or("");
        if store.users.len() as u64 >= limit.max && !store.has_user(user_name, None) {
            return Err(ScimError::from_refusal(
                &limit.refusal,
                &limit.max.to_string(),
                "",
            ));
        }
    }
    let insert = Insert {
        pending,
        ..Insert::default()
    };
    let stored = bent_write(t, &mut store, |s| s.create_user(attrs, insert))
        .map_err(|e| store_error(&t.profile, Kind::User, e))?;
    t.created(&stored.id);
    let status = t
        .behaviour
        .user_write_status(None, &stored)
        .unwrap_or(StatusCode::CREATED);
    Ok(Written { stored, status })
}

/// POST /Groups.
pub fn create_group(t: &Tenant, body: Value) -> ScimResult<Written> {
    let mut attrs = t.schemas.groups.normalize_write(body, &t.rules.writes)?;
    if t.shared.faults.bends().group_create_members_ignored {
        if let Some(o) = attrs.as_object_mut() {
            o.shift_remove("members");
        }
    }
    check_required(t, Kind::Group, &attrs)?;
    let members = attrs
        .get("members")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    check_member_count(t, members)?;
    let stored = t
        .write()
        .create_group(attrs, Insert::default())
        .map_err(|e| store_error(&t.profile, Kind::Group, e))?;
    t.created(&stored.id);
    Ok(Written {
        stored,
        status: StatusCode::CREATED,
    })
}

/// Replaces `old` with `attrs` under the store's write lock: immutability, required
/// attributes, the profile's user rules, then the store's uniqueness and members.
fn replace_locked(
    t: &Tenant,
    kind: Kind,
    store: &mut Store,
    old: &Arc<Stored>,
    attrs: Value,
) -> ScimResult<Written> {
    let schema = t.schemas.of(kind);
    if schema.has_immutable() {
        schema.check_immutable(&old.to_value(), &attrs)?;
    }
    let stored = match kind {
        Kind::User => {
            let (attrs, pending) = rules::finish_user_write(t, attrs, Some(old))?;
            if pending
                && attrs.get("active") == Some(&Value::Bool(false))
                && t.behaviour.deactivation_cancels_invite()
            {
                // D:A3, D:A4, D:A8: deactivating a pending invite cancels it (204, then 404).
                store
                    .delete_user(&old.id)
                    .map_err(|e| store_error(&t.profile, kind, e))?;
                return Ok(Written {
                    stored: Arc::clone(old),
                    status: StatusCode::NO_CONTENT,
                });
            }
            rules::keep_last_holder(&t.profile, store, old, Some((&attrs, pending)))?;
            bent_write(t, store, |s| s.replace_user(&old.id, attrs, pending))
        }
        Kind::Group => {
            check_required(t, kind, &attrs)?;
            bent_write(t, store, |s| s.replace_group(&old.id, attrs))
        }
    }
    .map_err(|e| store_error(&t.profile, kind, e))?;
    let status = match kind {
        Kind::User => t.behaviour.user_write_status(Some(old), &stored),
        Kind::Group => None,
    };
    Ok(Written {
        stored,
        status: status.unwrap_or(StatusCode::OK),
    })
}

/// PUT /Users/{id} or /Groups/{id}: replace with mutability rules (RFC 7644 §3.5.1).
pub fn replace(
    t: &Tenant,
    kind: Kind,
    id: &str,
    mut body: Value,
    if_match: Option<&str>,
) -> ScimResult<Written> {
    if kind == Kind::User {
        rules::mirror_in(&t.profile, &mut body);
    }
    let attrs = t.schemas.of(kind).normalize_write(body, &t.rules.writes)?;
    let mut store = t.write();
    let old = store
        .collection(kind)
        .get(id)
        .cloned()
        .ok_or_else(|| not_found(kind, id))?;
    let bends = t.shared.faults.bends();
    check_etag(t, &old, if_match, &bends)?;
    if bends.replace_ignored || (kind == Kind::Group && bends.group_replace_ignored) {
        return Ok(Written {
            stored: old,
            status: StatusCode::OK,
        });
    }
    replace_locked(t, kind, &mut store, &old, attrs)
}

/// PATCH /Users/{id} or /Groups/{id}: every operation applies, or none does.
pub fn patch(
    t: &Tenant,
    kind: Kind,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> ScimResult<Written> {
    crate::breaks::refuse_patch(&t.shared.faults.bends(), body)?;
    let ops = patch::parse_patch_body(body, &t.profile.patch)?;
    patch_ops(t, kind, id, ops, if_match)
}

/// Okta re-sends a group's own `id` in its path-less rename (`{"id": ..., "displayName": ...}`,
/// Okta's SCIM 2.0 protocol reference): the id the resource already has changes nothing, so it
/// is dropped before the mutability rules, which refuse any other id (RFC 7643 §3.1).
fn without_own_id(ops: &mut [PatchOp], id: &str) {
    for op in ops.iter_mut().filter(|o| o.path.is_none()) {
        if let Some(o) = op.value.as_mut().and_then(Value::as_object_mut) {
            o.retain(|k, v| !(k.eq_ignore_ascii_case("id") && v.as_str() == Some(id)));
        }
    }
}

/// Refuses a group rename by PATCH where the vendor does (Atlassian).
fn check_group_rename(t: &Tenant, ops: &[PatchOp]) -> ScimResult<()> {
    let renames = t
        .profile
        .groups
        .as_ref()
        .is_some_and(|g| !g.rename_by_patch);
    let touches_name = ops.iter().any(|op| match &op.path {
        Some(p) => p.attr.name.eq_ignore_ascii_case("displayName"),
        None => op
            .value
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("displayName"))),
    });
    if renames && touches_name {
        return Err(ScimError::mutability(
            "Group displayName cannot be changed with PATCH",
        ));
    }
    Ok(())
}

/// The profile's limits on member changes in one group PATCH: how many values, and whether the
/// whole list may be replaced or removed (`groups.max_member_changes`,
/// `groups.whole_members_refused`).
fn check_member_changes(t: &Tenant, ops: &[PatchOp]) -> ScimResult<()> {
    let Some(g) = t.profile.groups.as_ref() else {
        return Ok(());
    };
    let is_members = |name: &str| name.eq_ignore_ascii_case("members");
    let mut changes = 0usize;
    for op in ops {
        let members: Option<&Value> = match &op.path {
            Some(p) if is_members(&p.attr.name) => {
                if g.whole_members_refused
                    && p.filter.is_none()
                    && matches!(op.op, PatchOpKind::Replace | PatchOpKind::Remove)
                    && !(op.op == PatchOpKind::Remove && op.value.is_some())
                {
                    crate::violations::note(
                        crate::violations::Effect::Refused,
                        "groups.whole_members_refused",
                        format!("{} of the whole member list is refused", op.op.as_str()),
                    );
                    return Err(ScimError::invalid_value(
                        "Replacing or removing all members of a group is not supported; add or remove members by value",
                    ));
                }
                changes += usize::from(p.filter.is_some());
                op.value.as_ref()
            }
            Some(_) => None,
            None => op
                .value
                .as_ref()
                .and_then(Value::as_object)
                .and_then(|o| o.iter().find(|(k, _)| is_members(k)).map(|(_, v)| v)),
        };
        if op.path.is_none()
            && members.is_some()
            && g.whole_members_refused
            && op.op == PatchOpKind::Replace
        {
            crate::violations::note(
                crate::violations::Effect::Refused,
                "groups.whole_members_refused",
                "replace of the whole member list is refused",
            );
            return Err(ScimError::invalid_value(
                "Replacing all members of a group is not supported; add or remove members by value",
            ));
        }
        changes += members.map_or(0, |m| m.as_array().map_or(1, Vec::len));
    }
    check_member_count(t, changes)
}

/// `groups.max_member_changes` for `n` members created or changed in one request.
fn check_member_count(t: &Tenant, n: usize) -> ScimResult<()> {
    let Some(max) = t.profile.groups.as_ref().and_then(|g| g.max_member_changes) else {
        return Ok(());
    };
    if n as u64 > max {
        crate::violations::note(
            crate::violations::Effect::Refused,
            "groups.max_member_changes",
            format!("{n} member changes in one request; the vendor takes at most {max}"),
        );
        return Err(ScimError::invalid_value(format!(
            "At most {max} members can be added or removed in one request ({n} given)"
        )));
    }
    Ok(())
}

/// Applies parsed PATCH operations (also used by the unified facade).
pub fn patch_ops(
    t: &Tenant,
    kind: Kind,
    id: &str,
    mut ops: Vec<PatchOp>,
    if_match: Option<&str>,
) -> ScimResult<Written> {
    without_own_id(&mut ops, id);
    match kind {
        Kind::User => rules::mirror_ops(&t.profile, &mut ops),
        Kind::Group => {
            check_group_rename(t, &ops)?;
            check_member_changes(t, &ops)?;
        }
    }
    if ops.len() > MAX_PATCH_OPERATIONS {
        return Err(ScimError::bad_request(
            ScimType::TooMany,
            format!("A PATCH request carries at most {MAX_PATCH_OPERATIONS} operations"),
        ));
    }
    let mut written = apply_patch(t, kind, id, &ops, if_match)?;
    if written.status == StatusCode::OK && t.profile.patch.response == PatchResponse::NoContent {
        written.status = StatusCode::NO_CONTENT;
    }
    Ok(written)
}

/// Optimistic tries of a PATCH before it takes the write lock for the whole of its work.
const OPTIMISTIC_TRIES: u32 = 4;

/// The operations are applied to a copy without holding the lock (a large PATCH must not
/// stall every other request), then committed only if nobody wrote the resource meanwhile;
/// otherwise they are applied again to the newer version. After [`OPTIMISTIC_TRIES`] the
/// PATCH is applied under the write lock, so under a steady stream of other writes it still
/// commits (applying is linear in the size of the change, so the lock is held briefly).
fn apply_patch(
    t: &Tenant,
    kind: Kind,
    id: &str,
    ops: &[PatchOp],
    if_match: Option<&str>,
) -> ScimResult<Written> {
    let schema = t.schemas.of(kind);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut held = (attempts > OPTIMISTIC_TRIES).then(|| t.write());
        let old = match &held {
            Some(store) => store
                .collection(kind)
                .get(id)
                .cloned()
                .ok_or_else(|| not_found(kind, id))?,
            None => t.get(kind, id)?,
        };
        let bends = t.shared.faults.bends();
        check_etag(t, &old, if_match, &bends)?;
        if bends.patch_ignored || (kind == Kind::Group && bends.group_patch_ignored) {
            return Ok(Written {
                stored: old,
                status: StatusCode::OK,
            });
        }
        let mut work = writable_view(&old);
        patch::apply_patch(&mut work, ops, schema, &t.profile.patch)?;
        let attrs = schema.normalize_write(work, &t.rules.writes)?;
        let mut store = match held.take() {
            Some(store) => store,
            None => {
                let store = t.write();
                match store.collection(kind).get(id).map(|s| s.version) {
                    None => return Err(not_found(kind, id)),
                    Some(v) if v != old.version => continue,
                    Some(_) => store,
                }
            }
        };
        return replace_locked(t, kind, &mut store, &old, attrs);
    }
}

/// DELETE /Users/{id} or /Groups/{id}: users are deleted, deactivated-then-404 or suspended,
/// per the profile.
pub fn delete(t: &Tenant, kind: Kind, id: &str, if_match: Option<&str>) -> ScimResult<()> {
    let mut store = t.write();
    let old = store
        .collection(kind)
        .get(id)
        .cloned()
        .ok_or_else(|| not_found(kind, id))?;
    let bends = t.shared.faults.bends();
    check_etag(t, &old, if_match, &bends)?;
    if bends.delete_ignored || (kind == Kind::Group && bends.group_delete_ignored) {
        return Ok(());
    }
    let err = |e| store_error(&t.profile, kind, e);
    if kind == Kind::Group {
        return store.delete_group(id).map(drop).map_err(err);
    }
    rules::keep_last_holder(&t.profile, &store, &old, None)?;
    match t.profile.writes.delete_mode {
        DeleteMode::Delete | DeleteMode::DeactivateThen404 => {
            store.delete_user(id).map_err(err)?;
        }
        DeleteMode::Suspend if old.pending && t.behaviour.deactivation_cancels_invite() => {
            // D:A8: DELETE "suspends active members and cancels pending invites".
            store.delete_user(id).map_err(err)?;
        }
        DeleteMode::Suspend => {
            let mut v = writable_view(&old);
            if let Some(o) = v.as_object_mut() {
                o.insert("active".into(), Value::Bool(false));
            }
            bent_write(t, &mut store, |s| s.replace_user(id, v, old.pending)).map_err(err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn if_match_accepts_star_and_the_current_weak_or_strong_tag() {
        let mut s = Store::new();
        let u = s
            .create_user(json!({"userName": "a"}), Insert::default())
            .unwrap();
        assert!(check_if_match(&u, Some("*")).is_ok());
        assert!(check_if_match(&u, Some(&u.etag())).is_ok());
        assert!(check_if_match(&u, Some(u.etag().trim_start_matches("W/"))).is_ok());
        assert_eq!(
            check_if_match(&u, Some("W/\"nope\"")).unwrap_err().status,
            StatusCode::PRECONDITION_FAILED
        );
    }

    #[test]
    fn only_schemas_with_immutable_attributes_compare_them() {
        let generic = Profile::builtin("generic").unwrap();
        let schemas = crate::resource::Schemas::for_profile(&generic);
        assert!(!schemas.users.has_immutable());
        assert!(!schemas.groups.has_immutable());
    }
}
