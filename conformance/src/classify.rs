//! The error-format classifier: tells a SCIM Error (RFC 7644 §3.12) from RFC 7807
//! problem+json, the Attio, Truto and Slack envelopes, other JSON, text and an empty body, and
//! validates each against what the profile documents. It never panics, whatever the body.

use scimock_profile::vocab::{self, ScimType};
use scimock_profile::{ErrorFormat, ErrorSpec};
use serde_json::{Map, Value};

/// The SCIM Error message schema URN.
pub const ERROR_URN: &str = vocab::ERROR;

/// RFC 7644 §3.12 Table 9 `scimType` values and RFC 9865's cursor errors: the wire spellings
/// of [`ScimType::ALL`], in that order.
pub const SCIM_TYPES: &[&str] = &scim_type_names();

const fn scim_type_names() -> [&'static str; ScimType::ALL.len()] {
    let mut names = [""; ScimType::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ScimType::ALL[i].as_str();
        i += 1;
    }
    names
}

/// What an error body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `schemas` (or AWS's `schema`) contains the SCIM Error URN.
    ScimError,
    /// RFC 7807 problem details (by content type or by its members).
    Problem,
    /// Attio: `status_code` with `type`/`code`/`message`.
    Attio,
    /// Truto: `statusCode` with `error`/`message`.
    Truto,
    /// Slack: an `Errors` object with `description`/`code`.
    Slack,
    /// JSON of another shape.
    OtherJson,
    /// Not JSON.
    Text,
    /// No body (or only whitespace).
    Empty,
}

impl BodyKind {
    /// A short name for details.
    pub fn describe(self) -> &'static str {
        match self {
            BodyKind::ScimError => "a SCIM Error",
            BodyKind::Problem => "RFC 7807 problem details",
            BodyKind::Attio => "an Attio error envelope",
            BodyKind::Truto => "a Truto error envelope",
            BodyKind::Slack => "a Slack error envelope",
            BodyKind::OtherJson => "JSON of no known error format",
            BodyKind::Text => "a body that is not JSON",
            BodyKind::Empty => "an empty body",
        }
    }

    /// The kind a profile's error format produces.
    pub fn of_format(f: ErrorFormat) -> BodyKind {
        match f {
            ErrorFormat::Scim => BodyKind::ScimError,
            ErrorFormat::Problem => BodyKind::Problem,
            ErrorFormat::Attio => BodyKind::Attio,
            ErrorFormat::Truto => BodyKind::Truto,
            ErrorFormat::Slack => BodyKind::Slack,
        }
    }
}

/// A classified error body.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    /// What it is.
    pub kind: BodyKind,
    /// The body's status member (`status`, `status_code` or `statusCode`), as sent.
    pub status: Option<Value>,
    /// `scimType`, when present and a string.
    pub scim_type: Option<String>,
    /// The human-readable message (`detail`, `message`, `title`, `description`), when present.
    pub message: Option<String>,
    /// The members that carry the SCIM Error URN list (`schemas`, `schema`), in body order.
    pub urn_keys: Vec<String>,
}

fn get<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k)
}

fn essence(ct: Option<&str>) -> String {
    ct.unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Classifies an error body; `content_type` helps recognise problem+json.
pub fn classify(content_type: Option<&str>, body: &[u8]) -> Classified {
    let mut c = Classified {
        kind: BodyKind::Empty,
        status: None,
        scim_type: None,
        message: None,
        urn_keys: Vec::new(),
    };
    let trimmed = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if trimmed.iter().all(u8::is_ascii_whitespace) {
        return c;
    }
    let v: Value = match serde_json::from_slice(trimmed) {
        Ok(v) => v,
        Err(_) => {
            c.kind = BodyKind::Text;
            return c;
        }
    };
    let Value::Object(o) = v else {
        c.kind = BodyKind::OtherJson;
        return c;
    };
    let text = |k: &str| get(&o, k).and_then(Value::as_str).map(str::to_string);
    c.urn_keys = o
        .iter()
        .filter(|(k, v)| {
            (*k == "schemas" || *k == "schema")
                && v.as_array()
                    .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(ERROR_URN)))
        })
        .map(|(k, _)| k.clone())
        .collect();
    let is_scim = !c.urn_keys.is_empty();
    let slack = get(&o, "Errors")
        .and_then(Value::as_object)
        .filter(|e| e.contains_key("description") || e.contains_key("code"));
    let problem_members = ["type", "title", "status", "detail", "instance"]
        .iter()
        .filter(|k| o.contains_key(**k))
        .count();
    if is_scim {
        c.kind = BodyKind::ScimError;
        c.status = get(&o, "status").cloned();
        c.scim_type = text("scimType");
        c.message = text("detail");
    } else if let Some(e) = slack {
        c.kind = BodyKind::Slack;
        c.status = e.get("code").cloned();
        c.message = e
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
    } else if o.contains_key("statusCode") && (o.contains_key("error") || o.contains_key("message"))
    {
        c.kind = BodyKind::Truto;
        c.status = get(&o, "statusCode").cloned();
        c.message = text("message");
    } else if o.contains_key("status_code")
        && (o.contains_key("type") || o.contains_key("code") || o.contains_key("message"))
    {
        c.kind = BodyKind::Attio;
        c.status = get(&o, "status_code").cloned();
        c.message = text("message");
    } else if essence(content_type) == "application/problem+json"
        || (problem_members >= 2
            && get(&o, "status").is_none_or(Value::is_number)
            && !o.contains_key("schemas"))
    {
        c.kind = BodyKind::Problem;
        c.status = get(&o, "status").cloned();
        c.message = text("detail").or_else(|| text("title"));
    } else {
        c.kind = BodyKind::OtherJson;
        c.status = get(&o, "status").cloned();
        c.message = text("detail")
            .or_else(|| text("message"))
            .or_else(|| text("error"));
    }
    c
}

fn status_is_int(v: &Option<Value>, http: u16) -> Result<(), String> {
    match v {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(http)) => Ok(()),
        Some(Value::Number(n)) => Err(format!("carries status {n}, not the HTTP status {http}")),
        Some(other) => Err(format!(
            "carries status {other} where an integer is expected"
        )),
        None => Err("has no status member".into()),
    }
}

/// What is wrong with where a SCIM Error carries its URN, given the members the profile
/// declares (`errors.schema_keys`; RFC 7644 §3.12: `schemas`).
pub fn urn_key_problems(c: &Classified, spec: &ErrorSpec) -> Vec<String> {
    if c.kind != BodyKind::ScimError {
        return Vec::new();
    }
    let mut problems: Vec<String> = spec
        .schema_keys
        .iter()
        .filter(|k| !c.urn_keys.contains(k))
        .map(|k| format!("the SCIM Error carries no {k:?} with the Error URN"))
        .collect();
    problems.extend(
        c.urn_keys
            .iter()
            .filter(|k| !spec.schema_keys.contains(k))
            .map(|k| format!("the Error URN is under {k:?}, which the profile does not document")),
    );
    problems
}

/// What is wrong with a classified body, given the profile's error format and the HTTP status.
/// An empty list means it is a well-formed error of that format.
pub fn validate(c: &Classified, spec: &ErrorSpec, http: u16) -> Vec<String> {
    let format = spec.format;
    let want = BodyKind::of_format(format);
    if c.kind != want {
        return vec![format!(
            "the error body is {}, not {}",
            c.kind.describe(),
            want.describe()
        )];
    }
    let mut problems = Vec::new();
    match format {
        ErrorFormat::Scim => {
            match &c.status {
                Some(Value::String(s)) if s == &http.to_string() => {}
                Some(Value::String(s)) => {
                    problems.push(format!("status {s:?} differs from the HTTP status {http}"))
                }
                Some(other) => problems.push(format!(
                    "status is {other} (a JSON {}), RFC 7644 §3.12 makes it a string",
                    json_type(other)
                )),
                None => problems.push("the SCIM Error has no status".into()),
            }
            if let Some(t) = &c.scim_type {
                if !SCIM_TYPES.contains(&t.as_str()) {
                    problems.push(format!("scimType {t:?} is not one of RFC 7644 Table 9"));
                }
            }
            problems.extend(urn_key_problems(c, spec));
        }
        ErrorFormat::Problem => {
            // RFC 7807 §3.1: status is optional but, when present, an integer equal to the HTTP status.
            if c.status.is_some() {
                if let Err(e) = status_is_int(&c.status, http) {
                    problems.push(format!("the problem {e}"));
                }
            }
        }
        ErrorFormat::Attio | ErrorFormat::Truto | ErrorFormat::Slack => {
            if let Err(e) = status_is_int(&c.status, http) {
                problems.push(format!("the envelope {e}"));
            }
        }
    }
    problems
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Compares media types by essence (type/subtype, case-insensitive, parameters ignored).
pub fn same_media_type(got: Option<&str>, want: &str) -> bool {
    got.is_some() && essence(got) == essence(Some(want))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ct: Option<&str>, body: &[u8]) -> BodyKind {
        classify(ct, body).kind
    }

    fn spec(format: ErrorFormat) -> ErrorSpec {
        ErrorSpec {
            format,
            ..ErrorSpec::rfc7644()
        }
    }

    #[test]
    fn tells_the_four_documented_formats_apart() {
        let scim = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"x"}"#;
        let c = classify(Some("application/scim+json"), scim);
        assert_eq!(c.kind, BodyKind::ScimError);
        assert_eq!(c.scim_type.as_deref(), Some("invalidFilter"));
        assert!(validate(&c, &spec(ErrorFormat::Scim), 400).is_empty());
        let problem = br#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,"detail":"d","instance":"/x"}"#;
        assert_eq!(
            kind(Some("application/scim+json"), problem),
            BodyKind::Problem
        );
        assert!(validate(&classify(None, problem), &spec(ErrorFormat::Problem), 400).is_empty());
        let attio = br#"{"status_code":429,"type":"rate_limit_error","code":"rate_limit_exceeded","message":"m"}"#;
        assert_eq!(kind(Some("application/json"), attio), BodyKind::Attio);
        let truto = br#"{"statusCode":400,"error":"Bad Request","message":"integrated_account_id is required"}"#;
        assert_eq!(kind(Some("application/json"), truto), BodyKind::Truto);
        assert!(validate(&classify(None, truto), &spec(ErrorFormat::Truto), 400).is_empty());
    }

    #[test]
    fn slack_envelope_and_aws_schema_key_are_recognised() {
        let slack = br#"{"Errors":{"description":"no_such_user","code":404}}"#;
        let c = classify(Some("application/json"), slack);
        assert_eq!(c.kind, BodyKind::Slack);
        assert_eq!(c.message.as_deref(), Some("no_such_user"));
        assert!(validate(&c, &spec(ErrorFormat::Slack), 404).is_empty());
        assert!(!validate(&c, &spec(ErrorFormat::Slack), 400).is_empty());
        let aws = br#"{"schema":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"d","status":"400","exceptionRequestId":"x","timeStamp":"2022-01-26 16:50:48.135"}"#;
        let c = classify(None, aws);
        assert_eq!(c.kind, BodyKind::ScimError);
        // The RFC profile needs `schemas`; a profile that documents `schema` takes it.
        let p = validate(&c, &spec(ErrorFormat::Scim), 400);
        assert_eq!(p.len(), 2, "{p:?}");
        let documented = ErrorSpec {
            schema_keys: vec!["schema".into()],
            ..ErrorSpec::rfc7644()
        };
        assert!(validate(&c, &documented, 400).is_empty());
    }

    #[test]
    fn scim_status_must_be_the_http_status_as_a_string() {
        let int = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":404}"#;
        let p = validate(&classify(None, int), &spec(ErrorFormat::Scim), 404);
        assert!(p[0].contains("a JSON number"), "{p:?}");
        let other =
            br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400"}"#;
        assert!(
            validate(&classify(None, other), &spec(ErrorFormat::Scim), 404)[0].contains("differs")
        );
        let bad_type = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"nope"}"#;
        assert!(
            validate(&classify(None, bad_type), &spec(ErrorFormat::Scim), 400)[0]
                .contains("Table 9")
        );
    }

    #[test]
    fn problem_status_must_be_an_integer_equal_to_the_http_status() {
        let s = br#"{"type":"about:blank","title":"x","status":"400"}"#;
        assert_eq!(kind(Some("application/problem+json"), s), BodyKind::Problem);
        assert!(
            !validate(
                &classify(Some("application/problem+json"), s),
                &spec(ErrorFormat::Problem),
                400
            )
            .is_empty()
        );
        let wrong = br#"{"type":"about:blank","title":"x","status":42}"#;
        assert!(
            validate(&classify(None, wrong), &spec(ErrorFormat::Problem), 400)[0].contains("42")
        );
    }

    #[test]
    fn odd_bodies_are_classified_without_panicking() {
        assert_eq!(kind(None, b""), BodyKind::Empty);
        assert_eq!(kind(None, b" \r\n\t"), BodyKind::Empty);
        assert_eq!(kind(None, b"Not Found"), BodyKind::Text);
        assert_eq!(
            kind(Some("text/html"), b"<html><body>502</body></html>"),
            BodyKind::Text
        );
        assert_eq!(kind(None, &[0xff, 0xfe, 0x00, 0x7b]), BodyKind::Text);
        assert_eq!(kind(None, b"null"), BodyKind::OtherJson);
        assert_eq!(kind(None, b"[1,2]"), BodyKind::OtherJson);
        assert_eq!(kind(None, b"\"error\""), BodyKind::OtherJson);
        assert_eq!(kind(None, b"42"), BodyKind::OtherJson);
        assert_eq!(kind(None, br#"{"error":"x"}"#), BodyKind::OtherJson);
        assert_eq!(
            kind(
                None,
                br#"{"schemas":"urn:ietf:params:scim:api:messages:2.0:Error"}"#
            ),
            BodyKind::OtherJson
        );
        assert_eq!(
            kind(None, br#"{"schemas":[1,null,{}],"status":{}}"#),
            BodyKind::OtherJson
        );
        assert_eq!(
            kind(None, b"\xEF\xBB\xBF{\"statusCode\":500,\"error\":\"x\"}"),
            BodyKind::Truto
        );
        assert_eq!(kind(None, br#"{"a":1"#), BodyKind::Text);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(kind(None, deep.as_bytes()), BodyKind::Text);
        let odd_scim = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":[],"scimType":7}"#;
        let c = classify(None, odd_scim);
        assert_eq!(c.scim_type, None);
        assert!(!validate(&c, &spec(ErrorFormat::Scim), 400).is_empty());
        for f in [
            ErrorFormat::Scim,
            ErrorFormat::Problem,
            ErrorFormat::Attio,
            ErrorFormat::Truto,
            ErrorFormat::Slack,
        ] {
            assert_eq!(validate(&classify(None, b"oops"), &spec(f), 500).len(), 1);
        }
    }

    #[test]
    fn media_types_compare_by_essence() {
        assert!(same_media_type(
            Some("application/scim+json; charset=utf-8"),
            "application/scim+json"
        ));
        assert!(same_media_type(
            Some("Application/JSON"),
            "application/json"
        ));
        assert!(!same_media_type(Some("text/plain"), "application/json"));
        assert!(!same_media_type(None, "application/json"));
    }
}
