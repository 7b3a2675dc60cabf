//! Attributes at dotted paths (`name.givenName`, or `urn:...:1.0.sub` for an extension
//! sub-attribute), and the vendor-generated values filled in at them (Atlassian account ids).

use crate::store::Stored;
use serde_json::{Map, Value, json};

/// The value at a dotted path: `name.givenName`, or `urn:...:1.0.sub` for an extension
/// sub-attribute (the sub-attribute follows the last dot).
pub fn dotted<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    dotted_in(v.as_object()?, path)
}

/// [`dotted`] starting from an object's members.
pub fn dotted_in<'a>(o: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if path.starts_with("urn:") {
        return match path.rsplit_once('.') {
            Some((urn, sub)) if !sub.contains(':') => o.get(urn)?.get(sub),
            _ => o.get(path),
        };
    }
    let mut parts = path.split('.');
    let first = o.get(parts.next()?)?;
    parts.try_fold(first, |cur, part| cur.get(part))
}

/// [`dotted`] read in place from a stored resource.
pub fn dotted_stored(s: &Stored, path: &str) -> Option<Value> {
    let root = s.view();
    let found = if path.starts_with("urn:") {
        match path.rsplit_once('.') {
            Some((urn, sub)) if !sub.contains(':') => root.get(urn).and_then(|u| u.get(sub)),
            _ => root.get(path),
        }
    } else {
        let mut parts = path.split('.');
        let first = root.get(parts.next()?)?;
        parts.try_fold(first, |cur, part| cur.get(part))
    };
    found.map(|v| v.to_value())
}

/// True for a missing, null, blank-string, empty-array or empty-object value.
pub fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// Fills a generated attribute: `hex24` (Atlassian account ids) or `uuid`.
pub fn generate(kind: &str) -> Value {
    let u = uuid::Uuid::new_v4().simple().to_string();
    match kind {
        "hex24" => Value::String(u[..24].to_string()),
        _ => Value::String(uuid::Uuid::new_v4().to_string()),
    }
}

/// Sets `path` (`attr` or `urn:...:1.0.sub`) in `obj`.
pub fn set_generated(obj: &mut Map<String, Value>, path: &str, value: Value) {
    if path.starts_with("urn:") {
        if let Some((urn, sub)) = path.rsplit_once('.') {
            let ext = obj.entry(urn.to_string()).or_insert_with(|| json!({}));
            if let Some(e) = ext.as_object_mut() {
                e.insert(sub.to_string(), value);
            }
            return;
        }
    }
    obj.insert(path.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Insert, Store};

    #[test]
    fn dotted_paths_reach_core_and_extension_attributes() {
        let v = json!({"name": {"givenName": "A"}, "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "x"}});
        assert_eq!(dotted(&v, "name.givenName"), Some(&json!("A")));
        assert_eq!(
            dotted(
                &v,
                "urn:scim:schemas:extension:atlassian-external:1.0.atlassianAccountId"
            ),
            Some(&json!("x"))
        );
        assert_eq!(dotted(&v, "name.familyName"), None);
    }

    #[test]
    fn dotted_paths_read_in_place_match_the_json_ones() {
        let v = json!({"userName": "a", "name": {"givenName": "A"}, "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "x"}});
        let mut s = Store::new();
        let u = s.create_user(v.clone(), Insert::default()).unwrap();
        for path in [
            "name.givenName",
            "name.familyName",
            "urn:scim:schemas:extension:atlassian-external:1.0.atlassianAccountId",
            "urn:scim:schemas:extension:atlassian-external:1.0",
            "nope",
        ] {
            assert_eq!(dotted_stored(&u, path), dotted(&v, path).cloned(), "{path}");
        }
    }
}
