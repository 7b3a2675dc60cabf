//! A PATCH body into operations (RFC 7644 §3.5.2), with each vendor's leniency: the
//! operations key, a bare array, `schemas` optional, `op` in any case, path-less operations,
//! `/` before an extension attribute, JSON objects encoded as strings, empty arrays refused.

use super::allow;
use super::{PATCH_OP_URN, PatchOp, PatchOpKind};
use crate::error::ScimError;
use crate::json::{check_depth, find_key, get_ci};
use crate::schema::{is_bare_urn, urn_path};
use crate::violations::{Effect, note};
use scimock_filter::{PatchPath, parse_patch_path};
use scimock_profile::PatchSpec;
use serde_json::Value;

/// Parses a PATCH body with the vendor's leniency. Errors are 400 with the RFC 7644 Table 9
/// `scimType` (see the module documentation for the choices).
pub fn parse_patch_body(body: &Value, spec: &PatchSpec) -> Result<Vec<PatchOp>, ScimError> {
    check_depth(body)?;
    let ops = match body {
        Value::Array(ops) if spec.bare_array => ops,
        Value::Object(m) => {
            match get_ci(body, "schemas") {
                None if spec.schemas_required => {
                    return Err(ScimError::invalid_syntax(format!(
                        "The PATCH body must have \"schemas\": [\"{PATCH_OP_URN}\"]"
                    )));
                }
                None => {}
                Some(s) if lists_patch_urn(s) => {}
                Some(_) => {
                    return Err(ScimError::invalid_syntax(format!(
                        "\"schemas\" must contain \"{PATCH_OP_URN}\""
                    )));
                }
            }
            let Some(ops) = spec.operations_keys.iter().find_map(|k| m.get(k)) else {
                if let Some(sent) = m.keys().find(|k| k.eq_ignore_ascii_case("operations")) {
                    note(
                        Effect::Refused,
                        "patch.operations_keys",
                        format!(
                            "PATCH operations under {sent:?}: the vendor reads only {}",
                            spec.operations_keys.join(" or ")
                        ),
                    );
                }
                return Err(ScimError::invalid_syntax(format!(
                    "The PATCH body must have an \"{}\" array",
                    spec.operations_keys
                        .first()
                        .map_or("Operations", String::as_str)
                )));
            };
            let Value::Array(ops) = ops else {
                return Err(ScimError::invalid_syntax(
                    "\"Operations\" must be a JSON array",
                ));
            };
            ops
        }
        _ => {
            return Err(ScimError::invalid_syntax(
                "The PATCH body must be a JSON object with \"schemas\" and \"Operations\"",
            ));
        }
    };
    if ops.is_empty() {
        return Err(ScimError::invalid_syntax(
            "\"Operations\" must hold at least one operation",
        ));
    }
    ops.iter()
        .enumerate()
        .map(|(i, op)| parse_op(i, op, spec))
        .collect()
}

fn lists_patch_urn(schemas: &Value) -> bool {
    match schemas {
        Value::Array(items) => items.iter().any(|s| {
            s.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_URN))
        }),
        Value::String(s) => s.eq_ignore_ascii_case(PATCH_OP_URN),
        _ => false,
    }
}

/// `Operations[i]: msg`, the prefix of every error about one operation.
fn at(i: usize, msg: impl std::fmt::Display) -> String {
    format!("Operations[{i}]: {msg}")
}

fn parse_op(i: usize, op: &Value, spec: &PatchSpec) -> Result<PatchOp, ScimError> {
    let kind = op_kind(i, op, spec)?;
    let (raw_path, path) = op_path(i, op, spec)?;
    let mut value = get_ci(op, "value").cloned();
    check_op_value(i, kind, path.as_ref(), value.as_ref(), spec)?;
    if spec.json_string_values {
        if let Some(v) = &mut value {
            decode_json_string_values(v).map_err(|e| ScimError::invalid_value(at(i, e)))?;
        }
    }
    let parsed = PatchOp {
        op: kind,
        path,
        raw_path,
        value,
    };
    allow::check_op(&parsed, spec).map_err(|p| {
        let e = ScimError::invalid_path(at(
            i,
            format!(
                "{} of '{p}' is not supported by this provider",
                kind.as_str()
            ),
        ));
        note(
            Effect::Refused,
            "patch",
            format!("PATCH refused: {}", e.detail),
        );
        e
    })?;
    Ok(parsed)
}

/// The operation's `op`, in the profile's case rule.
fn op_kind(i: usize, op: &Value, spec: &PatchSpec) -> Result<PatchOpKind, ScimError> {
    let Value::Object(_) = op else {
        return Err(ScimError::invalid_syntax(at(
            i,
            "an operation must be a JSON object",
        )));
    };
    let Some(name) = get_ci(op, "op").and_then(Value::as_str) else {
        return Err(ScimError::invalid_syntax(at(i, "\"op\" is required")));
    };
    PatchOpKind::parse(name, spec.op_case_insensitive).ok_or_else(|| {
        if PatchOpKind::parse(name, true).is_some() {
            note(
                Effect::Refused,
                "patch.op_case_insensitive",
                format!("op {name:?}: the vendor accepts only lowercase add, remove and replace"),
            );
        }
        ScimError::invalid_syntax(at(
            i,
            format!("unsupported op {name:?}; expected \"add\", \"remove\" or \"replace\""),
        ))
    })
}

/// The operation's `path` as sent (trimmed; blank is none) and parsed.
fn op_path(
    i: usize,
    op: &Value,
    spec: &PatchSpec,
) -> Result<(Option<String>, Option<PatchPath>), ScimError> {
    let raw_path = match get_ci(op, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            return Err(ScimError::invalid_path(at(i, "\"path\" must be a string")));
        }
    };
    let path = match &raw_path {
        Some(raw) => Some(parse_path(raw, spec).map_err(|e| ScimError::invalid_path(at(i, e)))?),
        None => None,
    };
    Ok((raw_path, path))
}

/// What each operation needs: `remove` a path (§3.5.2.2), `add`/`replace` a value, non-null
/// for `add` and path-less ones, a path-less one a JSON object where the profile allows it
/// at all; and no empty array where the profile refuses one.
fn check_op_value(
    i: usize,
    kind: PatchOpKind,
    path: Option<&PatchPath>,
    value: Option<&Value>,
    spec: &PatchSpec,
) -> Result<(), ScimError> {
    match kind {
        PatchOpKind::Remove if path.is_none() => {
            return Err(ScimError::no_target(at(
                i,
                "remove needs a \"path\" (RFC 7644 §3.5.2.2)",
            )));
        }
        PatchOpKind::Remove => {}
        PatchOpKind::Add | PatchOpKind::Replace => {
            let op_name = kind.as_str();
            match value {
                None => {
                    return Err(ScimError::invalid_value(at(
                        i,
                        format!("{op_name} needs a \"value\""),
                    )));
                }
                Some(Value::Null) if kind == PatchOpKind::Add || path.is_none() => {
                    return Err(ScimError::invalid_value(at(
                        i,
                        format!("{op_name} needs a non-null \"value\""),
                    )));
                }
                _ => {}
            }
            if path.is_none() {
                if !spec.pathless {
                    return Err(ScimError::invalid_path(at(
                        i,
                        "\"path\" is required by this provider",
                    )));
                }
                if !value.is_some_and(Value::is_object) {
                    return Err(ScimError::invalid_value(at(
                        i,
                        format!("a {op_name} without \"path\" needs a JSON object value"),
                    )));
                }
            }
        }
    }
    if spec.reject_empty_array && value.is_some_and(|v| v.as_array().is_some_and(Vec::is_empty)) {
        return Err(ScimError::invalid_value(at(
            i,
            "an empty array is not accepted as a value",
        )));
    }
    Ok(())
}

/// Parses a path, after the profile's `/` extension separator rewrite.
fn parse_path(raw: &str, spec: &PatchSpec) -> Result<PatchPath, String> {
    let path = if spec.slash_extension_separator {
        slash_to_colon(raw)
    } else {
        raw.to_string()
    };
    match parse_patch_path(&path) {
        Ok(p) => Ok(p),
        Err(_) if is_bare_urn(&path) => Ok(PatchPath {
            attr: urn_path(&path),
            filter: None,
            sub: None,
        }),
        Err(e) => Err(format!("invalid path {raw:?}: {e}")),
    }
}

/// `urn:...:User/currencyIso` -> `urn:...:User:currencyIso` (Elfsquad, docs/vendors.md: "Changing users").
/// Only the part before a value filter is rewritten.
pub(super) fn slash_to_colon(raw: &str) -> String {
    if !raw.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return raw.to_string();
    }
    let split = raw.find('[').unwrap_or(raw.len());
    let (head, tail) = raw.split_at(split);
    format!("{}{tail}", head.replace('/', ":"))
}

/// Elfsquad roles (docs/vendors.md, Elfsquad, D:E1): `{"value": "{\"value\": \"<roleId>\"}"}` becomes
/// `{"value": "<roleId>"}`: a `value` member holding a JSON object as a string is replaced by
/// that object's members.
fn decode_json_string_values(v: &mut Value) -> Result<(), String> {
    let items: Vec<&mut Value> = match v {
        Value::Array(items) => items.iter_mut().collect(),
        other => vec![other],
    };
    for item in items {
        let Value::Object(m) = item else { continue };
        let Some(key) = find_key(m, "value") else {
            continue;
        };
        let Some(Value::String(s)) = m.get(&key) else {
            continue;
        };
        let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(s.trim()) else {
            continue;
        };
        check_depth(&inner).map_err(|e| e.detail)?;
        let Value::Object(inner) = inner else {
            continue;
        };
        m.shift_remove(&key);
        for (k, iv) in inner {
            m.insert(k, iv);
        }
    }
    Ok(())
}
