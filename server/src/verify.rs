//! Request verification: which journal entries a [`Matcher`] selects, and, when none does, the
//! closest entries with what differs ("near misses", as WireMock reports them). Served as
//! `POST /_scimock/requests/count` and `/find`, and used by [`crate::MockServer::expect`].

use crate::journal::Entry;
use crate::query::Query;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// How many near misses `find` returns at most.
pub const NEAR_MISSES: usize = 3;

/// Which requests to select; every field given must hold (an empty matcher selects all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// HTTP method, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path, exact or a glob (`*` any run of characters, `?` one): matched against the
    /// whole path and against the path below the profile's base (`/Users/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Query parameters that must be present with these values (after percent-decoding).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Request headers that must be present with these values (names in any case).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body: a JSON subset, or one value at a JSON pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyMatcher>,
    /// The profile that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// What a request body must contain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BodyMatcher {
    /// `{"pointer": "/Operations/0/op", "equals": "replace"}`: one value (RFC 6901 pointer).
    Pointer {
        /// Where in the body.
        pointer: String,
        /// The value expected there.
        equals: Value,
    },
    /// Any other JSON: the body must contain it (objects: these members, recursively; arrays:
    /// each element matched by some element; anything else: equal).
    Subset(Value),
}

/// A journal entry that almost matched, with every condition it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearMiss {
    /// The entry.
    pub request: Entry,
    /// One line per condition that failed (`method: expected PATCH, got POST`).
    pub differences: Vec<String>,
}

impl Matcher {
    /// A matcher on the HTTP method.
    pub fn method(method: &str) -> Matcher {
        Matcher::default().and_method(method)
    }

    /// Any request (add conditions with the builder methods).
    pub fn any() -> Matcher {
        Matcher::default()
    }

    /// Also requires this method.
    pub fn and_method(mut self, method: &str) -> Matcher {
        self.method = Some(method.to_string());
        self
    }

    /// Also requires the path (exact or glob, see [`Matcher::path`]).
    pub fn path(mut self, path: &str) -> Matcher {
        self.path = Some(path.to_string());
        self
    }

    /// Also requires a query parameter with this value.
    pub fn query(mut self, name: &str, value: &str) -> Matcher {
        self.query.insert(name.to_string(), value.to_string());
        self
    }

    /// Also requires a header with this value.
    pub fn header(mut self, name: &str, value: &str) -> Matcher {
        self.headers.insert(name.to_string(), value.to_string());
        self
    }

    /// Also requires the body to contain this JSON.
    pub fn body_json(mut self, subset: Value) -> Matcher {
        self.body = Some(BodyMatcher::Subset(subset));
        self
    }

    /// Also requires `equals` at the JSON pointer in the body.
    pub fn body_pointer(mut self, pointer: &str, equals: Value) -> Matcher {
        self.body = Some(BodyMatcher::Pointer {
            pointer: pointer.to_string(),
            equals,
        });
        self
    }

    /// Also requires the serving profile.
    pub fn vendor(mut self, vendor: &str) -> Matcher {
        self.vendor = Some(vendor.to_string());
        self
    }

    /// Every condition `e` fails (empty: it matches). `base_of` gives a profile's base path.
    pub fn differences(&self, e: &Entry, base_of: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(&e.method)
        {
            out.push(format!("method: expected {m}, got {}", e.method));
        }
        if let Some(p) = &self.path
            && !path_matches(p, &e.path, base_of(&e.vendor).as_deref())
        {
            out.push(format!("path: expected {p}, got {}", e.path));
        }
        if !self.query.is_empty() {
            out.extend(self.query_differences(e.query.as_deref()));
        }
        for (name, want) in &self.headers {
            let got = e
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str());
            if got != Some(want.as_str()) {
                out.push(format!(
                    "header {name}: expected {want:?}, got {}",
                    got.map_or("nothing".to_string(), |g| format!("{g:?}"))
                ));
            }
        }
        if let Some(b) = &self.body
            && let Some(d) = body_difference(b, e.body.as_deref())
        {
            out.push(d);
        }
        if let Some(v) = &self.vendor
            && v != &e.vendor
        {
            out.push(format!("vendor: expected {v}, got {}", e.vendor));
        }
        out
    }

    fn query_differences(&self, raw: Option<&str>) -> Vec<String> {
        let parsed = Query::parse(raw).ok();
        self.query
            .iter()
            .filter_map(|(name, want)| {
                let got: Vec<&str> = parsed
                    .as_ref()
                    .map(|q| q.all(name).collect())
                    .unwrap_or_default();
                (!got.contains(&want.as_str())).then(|| match got.first() {
                    Some(g) => format!("query {name}: expected {want:?}, got {g:?}"),
                    None => format!("query {name}: expected {want:?}, got nothing"),
                })
            })
            .collect()
    }

    /// The entries that match.
    pub fn select<'a>(
        &self,
        entries: &'a [Entry],
        base_of: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<&'a Entry> {
        entries
            .iter()
            .filter(|e| self.differences(e, base_of).is_empty())
            .collect()
    }

    /// The [`NEAR_MISSES`] entries with the fewest failed conditions, newest first among equals.
    pub fn near_misses(
        &self,
        entries: &[Entry],
        base_of: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<NearMiss> {
        let mut misses: Vec<NearMiss> = entries
            .iter()
            .map(|e| NearMiss {
                differences: self.differences(e, base_of),
                request: e.clone(),
            })
            .filter(|m| !m.differences.is_empty())
            .collect();
        misses.sort_by(|a, b| {
            a.differences
                .len()
                .cmp(&b.differences.len())
                .then(b.request.seq.cmp(&a.request.seq))
        });
        misses.truncate(NEAR_MISSES);
        misses
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

/// `pattern` against the whole path, or the part below `base` (`/scim/v2` + `/Users/x`).
fn path_matches(pattern: &str, path: &str, base: Option<&str>) -> bool {
    if glob(pattern.as_bytes(), path.as_bytes()) {
        return true;
    }
    base.and_then(|b| path.strip_prefix(b.trim_end_matches('/')))
        .is_some_and(|rest| glob(pattern.as_bytes(), rest.as_bytes()))
}

/// Glob match: `*` any run of bytes (also `/`), `?` one byte, anything else itself.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Why `body` does not satisfy `m`, if it does not.
fn body_difference(m: &BodyMatcher, body: Option<&str>) -> Option<String> {
    let Some(parsed) = body.and_then(|b| serde_json::from_str::<Value>(b).ok()) else {
        return Some(match body {
            None => "body: expected JSON, got no body".to_string(),
            Some(_) => "body: expected JSON, got a body that is not JSON".to_string(),
        });
    };
    match m {
        BodyMatcher::Pointer { pointer, equals } => match parsed.pointer(pointer) {
            Some(v) if v == equals => None,
            Some(v) => Some(format!("body {pointer}: expected {equals}, got {v}")),
            None => Some(format!("body {pointer}: expected {equals}, got nothing")),
        },
        BodyMatcher::Subset(want) => {
            (!contains(&parsed, want)).then(|| format!("body: does not contain {want}"))
        }
    }
}

/// Whether `have` contains `want` (see [`BodyMatcher::Subset`]).
fn contains(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| contains(hv, wv))),
        (Value::Array(h), Value::Array(w)) => {
            w.iter().all(|wv| h.iter().any(|hv| contains(hv, wv)))
        }
        _ => have == want,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(method: &str, path: &str, query: Option<&str>, body: Option<Value>) -> Entry {
        Entry {
            seq: 1,
            time: "2026-01-01T00:00:00Z".into(),
            vendor: "generic".into(),
            method: method.into(),
            path: path.into(),
            query: query.map(String::from),
            headers: BTreeMap::from([("content-type".into(), "application/scim+json".into())]),
            body: body.map(|b| b.to_string()),
            status: 200,
            duration_ms: 1.0,
            response_body: None,
        }
    }

    fn base(_: &str) -> Option<String> {
        Some("/scim/v2".into())
    }

    #[test]
    fn globs_match_whole_paths_and_paths_below_the_base() {
        assert!(glob(b"/Users/*", b"/Users/abc"));
        assert!(glob(b"*", b""));
        assert!(glob(b"/U?ers", b"/Users"));
        assert!(!glob(b"/Users", b"/Users/abc"));
        assert!(!glob(b"/Users/*/x", b"/Users/abc"));
        assert!(path_matches(
            "/Users/*",
            "/scim/v2/Users/1",
            Some("/scim/v2")
        ));
        assert!(path_matches("/scim/v2/Users", "/scim/v2/Users", None));
        assert!(!path_matches(
            "/Groups/*",
            "/scim/v2/Users/1",
            Some("/scim/v2")
        ));
    }

    #[test]
    fn every_condition_is_checked_and_named_when_it_fails() {
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}]});
        let e = entry(
            "PATCH",
            "/scim/v2/Users/7",
            Some("attributes=userName"),
            Some(patch),
        );
        let m = Matcher::method("patch")
            .path("/Users/*")
            .query("attributes", "userName")
            .header("Content-Type", "application/scim+json")
            .body_pointer("/Operations/0/op", json!("replace"))
            .vendor("generic");
        assert!(m.differences(&e, &base).is_empty());
        let subset = Matcher::any().body_json(json!({"Operations": [{"path": "active"}]}));
        assert!(subset.differences(&e, &base).is_empty());

        let wrong = Matcher::method("POST")
            .path("/Groups")
            .query("attributes", "id")
            .header("content-type", "application/json")
            .body_pointer("/Operations/0/op", json!("add"))
            .vendor("attio");
        let d = wrong.differences(&e, &base);
        assert_eq!(d.len(), 6, "{d:#?}");
        assert_eq!(d[0], "method: expected POST, got PATCH");
        assert!(d[4].contains("expected \"add\", got \"replace\""), "{d:#?}");
        let no_body = entry("GET", "/scim/v2/Users", None, None);
        assert_eq!(
            subset.differences(&no_body, &base),
            ["body: expected JSON, got no body"]
        );
    }

    #[test]
    fn near_misses_are_the_closest_entries_newest_first() {
        let mut a = entry(
            "POST",
            "/scim/v2/Users",
            None,
            Some(json!({"userName": "a"})),
        );
        a.seq = 1;
        let mut b = entry(
            "POST",
            "/scim/v2/Groups",
            None,
            Some(json!({"displayName": "g"})),
        );
        b.seq = 2;
        let mut c = entry("GET", "/scim/v2/Groups", None, None);
        c.seq = 3;
        let m = Matcher::method("POST")
            .path("/Users")
            .body_json(json!({"userName": "b"}));
        let entries = [a, b, c];
        assert!(m.select(&entries, &base).is_empty());
        let near = m.near_misses(&entries, &base);
        assert_eq!(near.len(), 3);
        assert_eq!(near[0].request.seq, 1);
        assert_eq!(
            near[0].differences,
            ["body: does not contain {\"userName\":\"b\"}"]
        );
        assert_eq!(near[1].request.seq, 2);
        assert_eq!(near[2].request.seq, 3);
    }

    #[test]
    fn matchers_read_the_documented_json_and_refuse_unknown_fields() {
        let m: Matcher = serde_json::from_value(json!({"method": "PATCH", "path": "/Users/*",
            "body": {"pointer": "/Operations/0/op", "equals": "replace"}}))
        .unwrap();
        assert!(matches!(m.body, Some(BodyMatcher::Pointer { .. })));
        let m: Matcher = serde_json::from_value(json!({"body": {"userName": "x"}})).unwrap();
        assert!(matches!(m.body, Some(BodyMatcher::Subset(_))));
        assert!(serde_json::from_value::<Matcher>(json!({"methd": "GET"})).is_err());
    }
}
