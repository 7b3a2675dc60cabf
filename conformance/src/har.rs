//! HAR 1.2 (HTTP Archive) of a run's exchanges, for a vendor's support team to read or replay
//! in any HAR viewer: one page per part of the run (`preflight`, each check id, `cleanup`),
//! one entry per attempt. Credentials never appear: the recorder stores credential headers as
//! their placeholder (`Bearer $SCIM_TOKEN`) and scrubs every credential from URLs, headers and
//! bodies. A request that got no response has status 0 and an `_error`.

use crate::client::Recorded;
use serde_json::{Map, Value, json};
use time::macros::format_description;

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn name_values(pairs: &[(String, String)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect(),
    )
}

/// The query string of a URL as HAR name/value pairs (percent-decoding left as sent).
fn query_of(url: &str) -> Value {
    let query = url
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or(q))
        .unwrap_or("");
    Value::Array(
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                json!({"name": k, "value": v})
            })
            .collect(),
    )
}

fn header<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// An ISO 8601 UTC time with milliseconds, as HAR viewers expect.
fn stamp(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

fn entry(r: &Recorded) -> Value {
    let mut request = json!({
        "method": r.method,
        "url": r.url,
        "httpVersion": if r.http_version.is_empty() { "HTTP/1.1" } else { r.http_version.as_str() },
        "cookies": [],
        "headers": name_values(&r.request_headers),
        "queryString": query_of(&r.url),
        "headersSize": -1,
        "bodySize": r.request_body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &r.request_body {
        request["postData"] = json!({
            "mimeType": header(&r.request_headers, "content-type").unwrap_or("application/scim+json"),
            "text": body,
        });
    }
    let mime = header(&r.response_headers, "content-type").unwrap_or("");
    let mut response = json!({
        "status": r.status.unwrap_or(0),
        "statusText": r.status.map_or("", status_text),
        "httpVersion": if r.http_version.is_empty() { "HTTP/1.1" } else { r.http_version.as_str() },
        "cookies": [],
        "headers": name_values(&r.response_headers),
        "content": {"size": r.response_size, "mimeType": mime, "text": r.response_body},
        "redirectURL": header(&r.response_headers, "location").unwrap_or(""),
        "headersSize": -1,
        "bodySize": if r.status.is_some() { r.response_size as i64 } else { -1 },
    });
    if let Some(e) = &r.error {
        response["_error"] = Value::String(e.clone());
    }
    json!({
        "pageref": r.part,
        "startedDateTime": stamp(r.started),
        "time": ms(r.wait + r.receive),
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": ms(r.wait), "receive": ms(r.receive)},
    })
}

/// The HAR 1.2 document of `entries` (as JSON text, pretty, with a final newline).
pub fn render(entries: &[Recorded]) -> String {
    let mut pages: Vec<Value> = Vec::new();
    let mut seen: Map<String, Value> = Map::new();
    for r in entries {
        if !seen.contains_key(&r.part) {
            seen.insert(r.part.clone(), Value::Null);
            pages.push(json!({
                "startedDateTime": stamp(r.started),
                "id": r.part,
                "title": r.part,
                "pageTimings": {},
            }));
        }
    }
    let har = json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "scimock", "version": env!("CARGO_PKG_VERSION")},
            "pages": pages,
            "entries": entries.iter().map(entry).collect::<Vec<_>>(),
        }
    });
    let mut s = serde_json::to_string_pretty(&har).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn recorded(part: &str, status: Option<u16>) -> Recorded {
        Recorded {
            part: part.into(),
            started: time::macros::datetime!(2026-01-02 03:04:05.006 UTC),
            method: "GET".into(),
            url: "http://127.0.0.1:9/scim/v2/Users?filter=userName%20eq%20%22a%22&count=2".into(),
            request_headers: vec![("Authorization".into(), "Bearer $SCIM_TOKEN".into())],
            request_body: None,
            status,
            http_version: "HTTP/1.1".into(),
            response_headers: vec![("content-type".into(), "application/scim+json".into())],
            response_body: "{}".into(),
            response_size: 2,
            error: status.is_none().then(|| "could not connect".to_string()),
            wait: Duration::from_micros(1500),
            receive: Duration::from_micros(250),
        }
    }

    #[test]
    fn a_har_has_the_required_fields_pages_and_entries() {
        let text = render(&[
            recorded("preflight", Some(200)),
            recorded("list.envelope", Some(200)),
            recorded("list.envelope", None),
        ]);
        let v: Value = serde_json::from_str(&text).unwrap();
        let log = &v["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"]["name"], "scimock");
        assert_eq!(log["pages"].as_array().unwrap().len(), 2);
        let e = &log["entries"][0];
        assert_eq!(e["pageref"], "preflight");
        assert_eq!(e["startedDateTime"], "2026-01-02T03:04:05.006Z");
        assert_eq!(e["time"], 1.75);
        assert_eq!(
            e["request"]["queryString"][1],
            json!({"name":"count","value":"2"})
        );
        assert_eq!(e["request"]["headers"][0]["value"], "Bearer $SCIM_TOKEN");
        assert_eq!(e["response"]["statusText"], "OK");
        assert_eq!(
            e["response"]["content"]["mimeType"],
            "application/scim+json"
        );
        for key in ["cache", "timings"] {
            assert!(e.get(key).is_some(), "{key}");
        }
        let failed = &log["entries"][2]["response"];
        assert_eq!(failed["status"], 0);
        assert_eq!(failed["_error"], "could not connect");
    }
}
