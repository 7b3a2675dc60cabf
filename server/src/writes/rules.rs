//! The profile's write rules for users, beyond the schema: mirrored attributes, email rules,
//! vendor-required attributes, verified domains, generated ids, role spelling, and the last
//! holder of a role that must be kept.

use crate::dotted::{dotted, dotted_stored, generate, is_blank, set_generated};
use crate::error::{ScimError, ScimResult};
use crate::patch::PatchOp;
use crate::store::{Store, Stored};
use crate::tenant::Tenant;
use crate::vendor;
use crate::violations::{Effect, note};
use scimock_profile::{MemberRules, Profile, SpecValidation, UnverifiedDomain};
use serde_json::{Value, json};

/// Moves top-level mirrors (Atlassian `department`) into their extension before validation.
pub(crate) fn mirror_in(profile: &Profile, body: &mut Value) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    for m in &profile.shape.mirrors {
        let key = obj.keys().find(|k| k.eq_ignore_ascii_case(&m.top)).cloned();
        if let Some(v) = key.and_then(|k| obj.shift_remove(&k)) {
            let ext = obj.entry(m.urn.clone()).or_insert_with(|| json!({}));
            if let Some(e) = ext.as_object_mut() {
                e.entry(m.sub.clone()).or_insert(v);
            }
        }
    }
}

/// Rewrites PATCH paths that name a top-level mirror (Atlassian `department`) to the extension.
pub(crate) fn mirror_ops(profile: &Profile, ops: &mut [PatchOp]) {
    for op in ops.iter_mut() {
        let Some(path) = op.path.as_mut() else {
            continue;
        };
        if path.attr.urn.is_some() {
            continue;
        }
        if let Some(m) = profile
            .shape
            .mirrors
            .iter()
            .find(|m| m.top.eq_ignore_ascii_case(&path.attr.name))
        {
            path.attr.urn = Some(m.urn.clone());
            path.attr.name = m.sub.clone();
        }
    }
}

/// Applies the profile's email rules (D:A10, D:E2, D:R5).
fn check_emails(profile: &Profile, attrs: &mut Value) -> ScimResult<()> {
    let rules = &profile.writes.emails;
    if rules.from_user_name {
        if let Some(u) = attrs
            .get("userName")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            if let Some(o) = attrs.as_object_mut() {
                o.insert(
                    "emails".into(),
                    json!([{"value": u, "type": "work", "primary": true}]),
                );
            }
        }
        return Ok(());
    }
    let Some(emails) = attrs.get_mut("emails").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    if rules.exactly_one && emails.len() != 1 {
        return Err(ScimError::invalid_value(format!(
            "Exactly one email is required, got {}",
            emails.len()
        )));
    }
    for e in emails.iter_mut() {
        if let Some(t) = &rules.only_type {
            match e.get("type").and_then(Value::as_str) {
                None => {
                    if let Some(o) = e.as_object_mut() {
                        o.insert("type".into(), Value::String(t.clone()));
                    }
                }
                Some(got) if !got.eq_ignore_ascii_case(t) => {
                    return Err(ScimError::invalid_value(format!(
                        "Email type {got:?} is not supported; only {t:?}"
                    )));
                }
                Some(_) => {}
            }
        }
        if rules.primary_required
            && rules.exactly_one
            && e.get("primary") != Some(&Value::Bool(true))
        {
            return Err(ScimError::invalid_value(
                "The email must have primary: true",
            ));
        }
    }
    // 3P:L5 (Atlassian): "One value must be marked as primary."
    if rules.primary_required
        && !rules.exactly_one
        && !emails
            .iter()
            .any(|e| e.get("primary") == Some(&Value::Bool(true)))
    {
        return Err(ScimError::invalid_value(
            "One of the emails must be marked primary",
        ));
    }
    Ok(())
}

/// Multi-valued attributes the vendor limits to one value (`writes.single_value`; AWS D:W6,
/// D:W13), checked on the document a create, replace or PATCH leaves. A user that already
/// holds more (bulk-loaded, from fixtures or an older state file) is refused only when the
/// write adds to them, so deactivating it still works.
fn check_single_value(
    profile: &Profile,
    attrs: &Value,
    existing: Option<&Stored>,
) -> ScimResult<()> {
    let Some(obj) = attrs.as_object() else {
        return Ok(());
    };
    for attr in &profile.writes.single_value {
        let n = obj
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attr))
            .and_then(|(_, v)| v.as_array())
            .map_or(0, Vec::len);
        let had = existing
            .and_then(|s| {
                s.view()
                    .members()
                    .find(|(k, _)| k.eq_ignore_ascii_case(attr))
            })
            .map_or(0, |(_, v)| v.len());
        if n > 1 && n > had {
            note(
                Effect::Refused,
                "writes.single_value",
                format!("{attr} takes one value at the vendor, {n} were sent: 400"),
            );
            return Err(ScimError::invalid_value(format!(
                "{attr} takes at most one value, got {n}"
            )));
        }
    }
    Ok(())
}

/// Drops what the vendor does not keep (`shape.stored_attributes`; Adra D:R5 "others are
/// ignored at runtime", and the documented attribute sets of Attio, Elfsquad, Atlassian):
/// accepted without error, never stored, so never returned.
pub(crate) fn keep_stored(p: &Profile, attrs: &mut Value) {
    let keep = &p.shape.stored_attributes;
    if keep.is_empty() {
        return;
    }
    let Some(obj) = attrs.as_object_mut() else {
        return;
    };
    let mut dropped: Vec<String> = Vec::new();
    obj.retain(|k, v| {
        if !p.stores(k) {
            dropped.push(k.clone());
            return false;
        }
        if keep.iter().any(|e| e.eq_ignore_ascii_case(k)) || !keep_members(keep, k) {
            return true;
        }
        let subs: Vec<&str> = keep.iter().filter_map(|e| member_of(e, k)).collect();
        let sep = if k.contains(':') { ':' } else { '.' };
        let mut retain = |o: &mut serde_json::Map<String, Value>| {
            o.retain(|s, _| {
                let kept = subs.iter().any(|x| x.eq_ignore_ascii_case(s));
                if !kept && !dropped.iter().any(|d| d == &format!("{k}{sep}{s}")) {
                    dropped.push(format!("{k}{sep}{s}"));
                }
                kept
            });
        };
        match v {
            Value::Object(o) => {
                retain(o);
                !o.is_empty()
            }
            Value::Array(items) => {
                items
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(retain);
                true
            }
            _ => true,
        }
    });
    if !dropped.is_empty() {
        note(
            Effect::Altered,
            "shape.stored_attributes",
            format!(
                "accepted but not stored by the vendor (never returned): {}",
                dropped.join(", ")
            ),
        );
    }
}

/// True when some entry names a member of `attr` (`name.givenName`, `urn:...:employeeNumber`).
fn keep_members(keep: &[String], attr: &str) -> bool {
    keep.iter().any(|e| member_of(e, attr).is_some())
}

/// `givenName` for (`name.givenName`, `name`), the member an entry names under `attr`.
fn member_of<'e>(entry: &'e str, attr: &str) -> Option<&'e str> {
    let head = entry.get(..attr.len())?;
    if !head.eq_ignore_ascii_case(attr) {
        return None;
    }
    entry[attr.len()..]
        .strip_prefix('.')
        .or_else(|| entry[attr.len()..].strip_prefix(':'))
}

/// Applies `writes.members` (Elfsquad D:E2): required members of a sent complex attribute,
/// its allowed `type` values, and `format: uuid` members; 400 `invalidValue` otherwise.
fn check_members(p: &Profile, attrs: &Value) -> ScimResult<()> {
    let mode = p.writes.spec_validation;
    for (attr, rules) in &p.writes.members {
        let applies = match mode {
            SpecValidation::Strict => true,
            SpecValidation::EmailsOnly => attr == "emails" || attr == "name",
            SpecValidation::Off => false,
        };
        let Some(value) = attrs.get(attr.as_str()).filter(|_| applies) else {
            continue;
        };
        let elements: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for e in elements {
            check_element(attr, rules, e)?;
        }
    }
    Ok(())
}

fn check_element(attr: &str, rules: &MemberRules, e: &Value) -> ScimResult<()> {
    for m in &rules.required {
        if is_blank(e.get(m.as_str())) {
            return Err(ScimError::invalid_value(format!(
                "{attr}.{m} is required when {attr} is sent"
            )));
        }
    }
    if let Some(t) = e.get("type").and_then(Value::as_str) {
        if !rules.types.is_empty() && !rules.types.iter().any(|a| a.eq_ignore_ascii_case(t)) {
            return Err(ScimError::invalid_value(format!(
                "{attr} type {t:?} is not supported; allowed: {}",
                rules.types.join(", ")
            )));
        }
    }
    for m in &rules.uuid {
        if let Some(v) = e.get(m.as_str()).and_then(Value::as_str) {
            if uuid::Uuid::parse_str(v).is_err() {
                return Err(ScimError::invalid_value(format!(
                    "{attr}:{m} must be a UUID, got {v:?}"
                )));
            }
        }
    }
    Ok(())
}

/// Runs every write rule over a normalized user body. `existing` is the stored user for
/// replace and patch. Returns the attributes to store and whether it is a pending account.
pub(crate) fn finish_user_write(
    t: &Tenant,
    mut attrs: Value,
    existing: Option<&Stored>,
) -> ScimResult<(Value, bool)> {
    let p = &t.profile;
    keep_stored(p, &mut attrs);
    check_members(p, &attrs)?;
    check_emails(p, &mut attrs)?;
    check_single_value(p, &attrs, existing)?;
    if let Some(obj) = attrs.as_object_mut() {
        if !obj.contains_key("active") && (existing.is_none() || p.writes.replace_applies_defaults)
        {
            obj.insert("active".into(), Value::Bool(p.writes.active_default));
        }
    }
    if !t.shared.faults.bends().required_not_enforced {
        check_required(t, &attrs)?;
    }
    check_user_name(p, &attrs, existing.is_none())?;
    if let Some(obj) = attrs.as_object_mut() {
        for (path, generator) in &p.writes.generated {
            let kept = existing.and_then(|s| dotted_stored(s, path));
            set_generated(obj, path, kept.unwrap_or_else(|| generate(generator)));
        }
    }
    normalize_role(p, &mut attrs);
    let pending = t.behaviour.prepare_user_write(p, &mut attrs, existing);
    Ok((attrs, pending))
}

/// The schema's required attributes and the profile's, refused as the profile documents.
fn check_required(t: &Tenant, attrs: &Value) -> ScimResult<()> {
    let p = &t.profile;
    if let Err(attr) = t.schemas.users.check_required(attrs) {
        return Err(ScimError::from_refusal(
            &p.writes.required_refusal,
            &attr,
            "",
        ));
    }
    for r in &p.writes.required {
        if is_blank(dotted(attrs, r)) {
            note(
                Effect::Refused,
                "writes.required",
                format!("{r} is required by the vendor and was not sent"),
            );
            return Err(ScimError::from_refusal(&p.writes.required_refusal, r, ""));
        }
    }
    Ok(())
}

/// `userName` as an email where the vendor requires one, and (on create) in a verified domain
/// where the vendor refuses others.
fn check_user_name(p: &Profile, attrs: &Value, creating: bool) -> ScimResult<()> {
    let user_name = attrs
        .get("userName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if p.writes.user_name_is_email && !user_name.contains('@') {
        note(
            Effect::Refused,
            "writes.user_name_is_email",
            format!("userName {user_name:?} is not an email address"),
        );
        return Err(ScimError::invalid_value(format!(
            "userName {user_name:?} must be an email address"
        )));
    }
    if creating && p.writes.unverified_domain == UnverifiedDomain::Reject {
        let email = attrs
            .get("emails")
            .and_then(Value::as_array)
            .and_then(|es| {
                es.iter()
                    .find(|e| e.get("primary") == Some(&Value::Bool(true)))
                    .or_else(|| es.first())
            })
            .and_then(|e| e.get("value"))
            .and_then(Value::as_str)
            .unwrap_or(&user_name)
            .to_string();
        if !vendor::domain_verified(p, &email) {
            let domain = email.rsplit_once('@').map_or(email.as_str(), |(_, d)| d);
            if let Some(r) = &p.writes.unverified_refusal {
                note(
                    Effect::Refused,
                    "writes.unverified_domain",
                    format!("{domain} is not a verified domain of the workspace"),
                );
                return Err(ScimError::from_refusal(r, domain, ""));
            }
        }
    }
    Ok(())
}

/// Stores a recognised value of the profile's role attribute in its canonical spelling and
/// an unrecognised one as the fallback (Attio: anything but admin is member, D:A6).
fn normalize_role(p: &Profile, attrs: &mut Value) {
    let Some(role) = &p.writes.role else {
        return;
    };
    let Some(allowed) = p
        .shape
        .vendor_attributes
        .get(&role.attr)
        .filter(|a| !a.is_empty())
    else {
        return;
    };
    if let Some(v) = attrs.get_mut(&role.attr) {
        if let Some(s) = v.as_str() {
            let canonical = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(s))
                .unwrap_or_else(|| {
                    note(
                        Effect::Altered,
                        "writes.role.fallback",
                        format!(
                            "{} {s:?} is not one of {}: stored as {}",
                            role.attr,
                            allowed.join(", "),
                            role.fallback
                        ),
                    );
                    &role.fallback
                });
            *v = Value::String(canonical.clone());
        }
    }
}

/// Refuses a write that would leave no active holder of the profile's `keep_one` role
/// (Attio: the last admin, D:A6). `after` is the user's new attributes and pending flag,
/// `None` when the user is deleted.
pub(crate) fn keep_last_holder(
    p: &Profile,
    store: &Store,
    old: &Stored,
    after: Option<(&Value, bool)>,
) -> ScimResult<()> {
    let Some(role) = &p.writes.role else {
        return Ok(());
    };
    let Some(keep) = role.keep_one.as_deref() else {
        return Ok(());
    };
    let holds = |s: &Stored| {
        !s.pending
            && s.view().get("active").and_then(|a| a.boolean()) != Some(false)
            && s.str_attr(&role.attr)
                .is_some_and(|r| r.eq_ignore_ascii_case(keep))
    };
    if !holds(old) {
        return Ok(());
    }
    let keeps = after.is_some_and(|(v, pending)| {
        !pending
            && v.get("active") != Some(&Value::Bool(false))
            && v.get(&role.attr)
                .and_then(Value::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case(keep))
    });
    if keeps || store.users.iter().any(|s| s.id != old.id && holds(s)) {
        return Ok(());
    }
    Err(ScimError::from_refusal(
        &role.last_holder_refusal,
        &role.attr,
        "",
    ))
}
