//! A vendor's list of writable paths ([`PatchSpec::allowed_paths`],
//! [`PatchSpec::remove_paths`]): which attribute paths an operation writes, spelled as the
//! lists spell them, and whether the list covers them.

use super::{PatchOp, PatchOpKind, is_core_urn, path_label};
use crate::schema::is_bare_urn;
use scimock_profile::PatchSpec;
use serde_json::Value;

/// `Err(path)` for the first path `op` writes that the profile's list for its kind does not
/// cover (`remove` uses `remove_paths`, else `allowed_paths`); `Ok` when there is no list.
pub(super) fn check_op(op: &PatchOp, spec: &PatchSpec) -> Result<(), String> {
    let allowed = match op.op {
        PatchOpKind::Remove => spec.remove_paths.as_ref().or(spec.allowed_paths.as_ref()),
        _ => spec.allowed_paths.as_ref(),
    };
    match allowed {
        Some(list) => check_allowed(op, list),
        None => Ok(()),
    }
}

/// Strips a leading core schema URN (`urn:...:core:2.0:User:name.givenName` -> `name.givenName`).
fn strip_core_urn(key: &str) -> &str {
    match key.rsplit_once(':') {
        Some((urn, rest)) if is_core_urn(urn) && !rest.is_empty() => rest,
        _ => key,
    }
}

fn path_allowed(p: &str, list: &[String]) -> bool {
    list.iter().any(|a| {
        p.eq_ignore_ascii_case(a)
            || [".", ":"].iter().any(|sep| {
                p.len() > a.len() + 1
                    && p.get(..a.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(a))
                    && p.get(a.len()..).is_some_and(|rest| rest.starts_with(sep))
            })
    })
}

/// `Err(path)` for the first written path the allow-list does not cover. An object value
/// written at a path that is not listed is checked member by member (`name` with
/// `{"givenName": ...}` is `name.givenName`).
fn check_allowed(op: &PatchOp, list: &[String]) -> Result<(), String> {
    fn check(base: &str, sep: char, value: Option<&Value>, list: &[String]) -> Result<(), String> {
        if path_allowed(base, list) {
            return Ok(());
        }
        match value {
            Some(Value::Object(m)) if !m.is_empty() => {
                for k in m.keys() {
                    let p = format!("{base}{sep}{k}");
                    if !path_allowed(&p, list) {
                        return Err(p);
                    }
                }
                Ok(())
            }
            _ => Err(base.to_string()),
        }
    }
    match &op.path {
        Some(p) => {
            let base = path_label(&p.attr, p.sub.as_deref());
            let sep = if p.attr.name.is_empty() { ':' } else { '.' };
            let value = if p.filter.is_none() && p.sub.is_none() {
                op.value.as_ref()
            } else {
                None
            };
            check(&base, sep, value, list)
        }
        None => {
            let Some(Value::Object(m)) = &op.value else {
                return Ok(());
            };
            for (k, v) in m {
                if k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let key = strip_core_urn(k);
                let sep = if is_bare_urn(key) && v.is_object() {
                    ':'
                } else {
                    '.'
                };
                check(key, sep, Some(v), list)?;
            }
            Ok(())
        }
    }
}
