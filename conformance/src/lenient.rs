//! Reading SCIM JSON leniently, as a client must (RFC 7643 §2.1: attribute names are
//! case-insensitive): members by name in any case, list pages whose numbers may be strings,
//! resource ids of any JSON type. Shared by the checks, the context and the runner's cleanup.

use serde_json::Value;

/// A list response, read leniently (member names case-insensitively, numbers of any JSON type).
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// `totalResults`.
    pub total: Option<u64>,
    /// `startIndex`.
    pub start_index: Option<i64>,
    /// `itemsPerPage`.
    pub items_per_page: Option<u64>,
    /// `Resources` (empty when absent).
    pub resources: Vec<Value>,
    /// `Resources` was present.
    pub has_resources: bool,
    /// RFC 9865 `nextCursor`.
    pub next_cursor: Option<String>,
}

/// A member of an object, name compared case-insensitively (RFC 7643 §2.1).
pub fn member<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let o = v.as_object()?;
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn as_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Page {
    /// Reads a ListResponse body.
    pub fn parse(v: &Value) -> Page {
        let res = member(v, "Resources");
        Page {
            total: as_u64(member(v, "totalResults")),
            start_index: member(v, "startIndex").and_then(|s| {
                s.as_i64()
                    .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
            }),
            items_per_page: as_u64(member(v, "itemsPerPage")),
            resources: res.and_then(Value::as_array).cloned().unwrap_or_default(),
            has_resources: res.is_some_and(Value::is_array),
            next_cursor: member(v, "nextCursor")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    /// The ids of the resources (missing ids as empty strings).
    pub fn ids(&self) -> Vec<String> {
        self.resources.iter().map(id_of).collect()
    }
}

/// A resource's id as text (empty when absent).
pub fn id_of(v: &Value) -> String {
    match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A string attribute of a resource (`userName`).
pub fn str_attr<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    member(v, name).and_then(Value::as_str)
}

/// The `value` of each entry of a multi-valued attribute (`emails`).
pub fn values_of(v: &Value, name: &str) -> Vec<String> {
    member(v, name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    member(e, "value")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A filter string literal (RFC 7644 §3.4.2.2 uses JSON string syntax).
pub fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_leniently() {
        let p = Page::parse(
            &serde_json::json!({"TotalResults": "3", "startIndex": 1, "resources": [{"id": 7}]}),
        );
        assert_eq!(p.total, Some(3));
        assert_eq!(p.ids(), vec!["7".to_string()]);
        assert!(p.has_resources);
        let empty = Page::parse(&serde_json::json!([1, 2]));
        assert_eq!(empty.total, None);
        assert!(!empty.has_resources);
    }
}
