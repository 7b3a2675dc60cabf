//! Case-insensitive JSON helpers: SCIM attribute names are case-insensitive (RFC 7643 §2.1),
//! so looking a member up, renaming it to the schema's spelling or asking whether it carries a
//! value never compares keys exactly. Nothing here knows a schema.

use crate::error::ScimError;
use serde_json::{Map, Value};

/// A JSON object.
pub type Obj = Map<String, Value>;

/// Deepest JSON nesting accepted in a request body.
pub const MAX_DEPTH: usize = 32;

/// 400 `invalidValue` when `v` nests deeper than [`MAX_DEPTH`]. Recursion stops at the limit.
pub fn check_depth(v: &Value) -> Result<(), ScimError> {
    fn within(v: &Value, budget: usize) -> bool {
        match v {
            Value::Array(a) => budget > 0 && a.iter().all(|x| within(x, budget - 1)),
            Value::Object(m) => budget > 0 && m.values().all(|x| within(x, budget - 1)),
            _ => true,
        }
    }
    if within(v, MAX_DEPTH) {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "The request body nests deeper than {MAX_DEPTH} levels"
        )))
    }
}

/// The value of `obj`'s member `name` (case-insensitive), if `obj` is an object.
pub fn get_ci<'v>(obj: &'v Value, name: &str) -> Option<&'v Value> {
    get_ci_map(obj.as_object()?, name)
}

/// The value of `m`'s member `name` (case-insensitive).
pub fn get_ci_map<'m>(m: &'m Obj, name: &str) -> Option<&'m Value> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The key in `map` that spells `name` case-insensitively.
pub fn find_key(map: &Obj, name: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Renames a key spelled differently from `name` (case-insensitively equal) to `name`.
pub fn canonicalize_key(m: &mut Obj, name: &str) {
    if let Some(k) = find_key(m, name) {
        if k != name {
            if let Some(v) = m.shift_remove(&k) {
                m.insert(name.to_string(), v);
            }
        }
    }
}

/// True when `v` carries a value (not `null`, `""` or `[]`).
pub fn has_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

/// True when an element of a multi-valued attribute has `primary: true`.
pub fn is_primary(v: &Value) -> bool {
    get_ci(v, "primary").and_then(Value::as_bool) == Some(true)
}

/// Sets `primary: true` of an element to `false` (any spelling of the key).
pub fn clear_primary(e: &mut Value) {
    if let Value::Object(m) = e {
        if let Some(k) = find_key(m, "primary") {
            if m.get(&k) == Some(&Value::Bool(true)) {
                m.insert(k, Value::Bool(false));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn look_ups_ignore_case_and_renames_keep_the_value() {
        let v = json!({"UserName": "b", "emails": []});
        assert_eq!(get_ci(&v, "username"), Some(&json!("b")));
        assert_eq!(get_ci(&json!([]), "x"), None);
        let Value::Object(mut m) = v else {
            unreachable!()
        };
        assert_eq!(find_key(&m, "USERNAME").as_deref(), Some("UserName"));
        canonicalize_key(&mut m, "userName");
        assert_eq!(m.get("userName"), Some(&json!("b")));
        assert!(!m.contains_key("UserName"));
    }

    #[test]
    fn blank_empty_and_null_carry_no_value() {
        for v in [json!(null), json!(" "), json!([]), json!({})] {
            assert!(!has_value(Some(&v)), "{v}");
        }
        assert!(!has_value(None));
        for v in [json!(false), json!(0), json!("x"), json!([1])] {
            assert!(has_value(Some(&v)), "{v}");
        }
    }

    #[test]
    fn primary_is_read_and_cleared_in_any_spelling() {
        let mut e = json!({"value": "a", "Primary": true});
        assert!(is_primary(&e));
        clear_primary(&mut e);
        assert_eq!(e, json!({"value": "a", "Primary": false}));
    }

    #[test]
    fn depth_is_bounded() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(check_depth(&deep).is_ok());
        assert!(check_depth(&json!({ "x": deep })).is_err());
    }
}
