//! Query strings and `.search` bodies into a [`ListRequest`].
//!
//! Query strings are decoded strictly: `+` is a space (form encoding, as
//! atlassian-python-api sends), percent-escapes must decode to UTF-8 (else 400), and a
//! SCIM parameter given twice is refused rather than silently picking one.

use crate::error::{ScimError, ScimResult};
use scimock_profile::vocab::SEARCH_REQUEST;
use serde_json::Value;

/// Decoded query parameters in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

fn decode(raw: &str) -> ScimResult<String> {
    if !raw.contains(['%', '+']) {
        return Ok(raw.to_string());
    }
    let malformed =
        || ScimError::invalid_syntax(format!("Malformed percent-encoding in query: {raw:?}"));
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let (Some(hi), Some(lo)) = (bytes.next().and_then(hex), bytes.next().and_then(hex))
                else {
                    return Err(malformed());
                };
                out.push((hi * 16 + lo) as u8);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| {
        ScimError::invalid_syntax("Query string is not valid UTF-8 after percent-decoding")
    })
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> ScimResult<Query> {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(k)?, decode(v)?));
        }
        Ok(Query { pairs })
    }

    /// Every value of `name` (exact match), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the parameter is present (even with an empty value).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    }

    /// The single value of a SCIM parameter (name matched case-insensitively); 400 if repeated.
    pub fn single(&self, name: &str) -> ScimResult<Option<&str>> {
        let mut it = self
            .pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = it.next();
        if it.next().is_some() {
            return Err(ScimError::invalid_syntax(format!(
                "Query parameter {name} is given more than once"
            )));
        }
        Ok(first)
    }

    /// All pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// A list/search request, from a query string or a `.search` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    /// `filter`
    pub filter: Option<String>,
    /// `startIndex` (before RFC clamping)
    pub start_index: Option<i64>,
    /// `count` (before RFC clamping)
    pub count: Option<i64>,
    /// `sortBy`
    pub sort_by: Option<String>,
    /// `sortOrder`
    pub sort_order: Option<String>,
    /// `attributes`
    pub attributes: Option<String>,
    /// `excludedAttributes`
    pub excluded: Option<String>,
    /// RFC 9865 `cursor` (`Some("")` asks for the first cursor page)
    pub cursor: Option<String>,
}

/// Parses an integer parameter; huge values saturate, non-integers are 400 `invalidValue`.
pub fn parse_int(name: &str, raw: &str) -> ScimResult<i64> {
    let t = raw.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScimError::invalid_value(format!(
            "{name} must be an integer, got {raw:?}"
        )));
    }
    Ok(t.parse::<i64>().unwrap_or(if t.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

impl ListRequest {
    /// From a GET query string.
    pub fn from_query(q: &Query) -> ScimResult<ListRequest> {
        let s = |n: &str| q.single(n).map(|v| v.map(str::to_string));
        Ok(ListRequest {
            filter: s("filter")?,
            start_index: q
                .single("startIndex")?
                .map(|v| parse_int("startIndex", v))
                .transpose()?,
            count: q
                .single("count")?
                .map(|v| parse_int("count", v))
                .transpose()?,
            sort_by: s("sortBy")?,
            sort_order: s("sortOrder")?,
            attributes: s("attributes")?,
            excluded: s("excludedAttributes")?,
            cursor: s("cursor")?,
        })
    }

    /// From a `POST .search` body (RFC 7644 §3.4.3): attributes as arrays, numbers as numbers.
    pub fn from_search_body(body: &Value) -> ScimResult<ListRequest> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("SearchRequest body must be a JSON object"))?;
        if let Some(schemas) = obj.get("schemas") {
            let ok = schemas
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(SEARCH_REQUEST)));
            if !ok {
                return Err(ScimError::invalid_syntax(format!(
                    "schemas must contain {SEARCH_REQUEST}"
                )));
            }
        }
        let get = |k: &str| {
            obj.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        };
        let string = |k: &str| -> ScimResult<Option<String>> {
            match get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ScimError::invalid_value(format!("{k} must be a string"))),
            }
        };
        let list = |k: &str| -> ScimResult<Option<String>> {
            match get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            ScimError::invalid_value(format!("{k} must be an array of strings"))
                        })
                    })
                    .collect::<ScimResult<Vec<_>>>()
                    .map(|v| Some(v.join(","))),
                Some(_) => Err(ScimError::invalid_value(format!(
                    "{k} must be an array of strings"
                ))),
            }
        };
        let int = |k: &str| -> ScimResult<Option<i64>> {
            match get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => Ok(Some(n.as_i64().unwrap_or(
                    if n.as_f64().unwrap_or(0.0) < 0.0 {
                        i64::MIN
                    } else {
                        i64::MAX
                    },
                ))),
                Some(Value::String(s)) => parse_int(k, s).map(Some),
                Some(_) => Err(ScimError::invalid_value(format!("{k} must be an integer"))),
            }
        };
        Ok(ListRequest {
            filter: string("filter")?,
            start_index: int("startIndex")?,
            count: int("count")?,
            sort_by: string("sortBy")?,
            sort_order: string("sortOrder")?,
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
            cursor: string("cursor")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plus_is_a_space_and_escapes_decode() {
        let q = Query::parse(Some("filter=userName+eq+%22a%40b.c%22&count=2")).unwrap();
        assert_eq!(q.single("filter").unwrap(), Some("userName eq \"a@b.c\""));
        assert_eq!(q.single("COUNT").unwrap(), Some("2"));
    }

    #[test]
    fn bad_escapes_and_invalid_utf8_are_refused() {
        assert_eq!(
            Query::parse(Some("filter=%zz")).unwrap_err().scim_type,
            Some(crate::ScimType::InvalidSyntax)
        );
        assert!(Query::parse(Some("filter=%ff%fe")).is_err());
        assert!(Query::parse(Some("filter=%4")).is_err());
        assert!(Query::parse(Some("filter=%%41")).is_err());
    }

    #[test]
    fn escaped_plus_and_multibyte_escapes_decode() {
        let q = Query::parse(Some("a=1%2B1+%3D+2&b=%C3%a9t%C3%A9&c=d%C3%A9j%C3%A0")).unwrap();
        assert_eq!(q.single("a").unwrap(), Some("1+1 = 2"));
        assert_eq!(q.single("b").unwrap(), Some("été"));
        assert_eq!(q.single("c").unwrap(), Some("déjà"));
    }

    #[test]
    fn repeated_scim_parameters_are_refused() {
        let q = Query::parse(Some("count=1&count=2")).unwrap();
        assert!(ListRequest::from_query(&q).is_err());
    }

    #[test]
    fn integers_saturate_and_non_integers_are_refused() {
        assert_eq!(
            parse_int("count", "99999999999999999999999").unwrap(),
            i64::MAX
        );
        assert_eq!(parse_int("count", "-5").unwrap(), -5);
        assert!(parse_int("count", "ten").is_err());
        assert!(parse_int("count", "1.5").is_err());
        assert!(parse_int("count", "").is_err());
    }

    #[test]
    fn search_body_accepts_arrays_and_checks_schemas() {
        let r = ListRequest::from_search_body(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "attributes": ["userName", "emails"], "filter": "userName sw \"a\"", "startIndex": 1, "count": 10
        }))
        .unwrap();
        assert_eq!(r.attributes.as_deref(), Some("userName,emails"));
        assert_eq!(r.count, Some(10));
        assert!(ListRequest::from_search_body(&json!({"schemas": ["nope"]})).is_err());
        assert!(ListRequest::from_search_body(&json!([1])).is_err());
    }
}
