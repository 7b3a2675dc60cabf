//! The mutability rules every PATCH write passes (RFC 7644 §3.5.2, RFC 7643 §2.2), and the
//! value comparisons they use.

use crate::error::ScimError;
use crate::json::{get_ci, has_value};
use crate::schema::{AttrDef, Mutability, lookup_sub, values_equal};
use serde_json::Value;

/// `def` seen as one of its elements (for checking a single element of a multi-valued attribute).
pub(super) fn single(def: &AttrDef) -> AttrDef {
    let mut d = def.clone();
    d.multi_valued = false;
    d
}

/// 400 `mutability`: the attribute is read-only.
pub(super) fn read_only(label: &str) -> ScimError {
    ScimError::mutability(format!("Attribute '{label}' is readOnly"))
}

/// RFC 7644 §3.5.2 mutability of a write. `Ok(true)`: a read-only attribute given the value it
/// already has, nothing to do.
pub(super) fn guard_write(
    def: &AttrDef,
    existing: Option<&Value>,
    new: &Value,
    label: &str,
) -> Result<bool, ScimError> {
    match def.mutability {
        Mutability::ReadOnly => match existing {
            Some(e) if values_equal(def, e, new) => Ok(true),
            _ => Err(read_only(label)),
        },
        Mutability::Immutable
            if has_value(existing) && !existing.is_some_and(|e| values_equal(def, e, new)) =>
        {
            Err(ScimError::mutability(format!(
                "Attribute '{label}' is immutable and already has a value"
            )))
        }
        _ => Ok(false),
    }
}

/// RFC 7644 §3.5.2: removing (unassigning) a read-only, immutable-with-a-value or required
/// attribute is 400 `mutability`.
pub(super) fn guard_remove(
    def: &AttrDef,
    existing: Option<&Value>,
    label: &str,
) -> Result<(), ScimError> {
    if def.is_read_only() {
        return Err(read_only(label));
    }
    if !has_value(existing) {
        return Ok(());
    }
    if def.mutability == Mutability::Immutable {
        return Err(ScimError::mutability(format!(
            "Attribute '{label}' is immutable and already has a value"
        )));
    }
    if def.required {
        return Err(ScimError::mutability(format!(
            "Attribute '{label}' is required and cannot be removed"
        )));
    }
    Ok(())
}

/// True when every member of `part` is in `whole` with an equal value (per the
/// sub-attribute's case rules); for simple values, equality.
pub(super) fn is_subset(def: &AttrDef, part: &Value, whole: &Value) -> bool {
    match (part, whole) {
        (Value::Object(p), Value::Object(_)) => p.iter().all(|(k, v)| {
            let sub = lookup_sub(def, k);
            get_ci(whole, k).is_some_and(|w| match sub {
                Some(s) => values_equal(s, v, w),
                None => v == w,
            })
        }),
        _ => values_equal(def, part, whole),
    }
}

/// Whether `item` (from a remove's value) names element `e`: by `value` when it has one
/// (Entra ID / Okta send `{"value": id}` and sometimes `display`), else by all its members.
pub(super) fn removal_matches(def: &AttrDef, item: &Value, e: &Value) -> bool {
    match (get_ci(item, "value"), lookup_sub(def, "value")) {
        (Some(v), Some(vdef)) => get_ci(e, "value").is_some_and(|ev| values_equal(vdef, v, ev)),
        _ => is_subset(def, item, e),
    }
}
