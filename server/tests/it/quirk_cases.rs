//! Quirk tests as data: `fixtures/quirks/<vendor>.json` holds request/response cases, each named
//! after the quirk it proves, so a vendor added as JSON is tested without Rust.
//!
//! ```json
//! {"cases": [{"quirk": "count-capped-at-100", "users": 150, "set": {"list.max_count": 100},
//!             "steps": [{"method": "GET", "path": "/Users?count=500", "status": 200,
//!                        "json": {"/itemsPerPage": 100}, "absent": ["/nextCursor"]}]}]}
//! ```
//!
//! A step's `path` may use `{id}`: the `id` of the last response that had one (a created user).

use crate::common::*;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One vendor's cases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuirkCases {
    /// The cases, in order.
    pub cases: Vec<QuirkCase>,
}

/// Requests against a fresh mock that show one quirk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuirkCase {
    /// The quirk's id in the vendor's profile.
    pub quirk: String,
    /// Generated users besides the fixtures.
    #[serde(default)]
    users: usize,
    /// Profile switches (`--set`).
    #[serde(default)]
    set: BTreeMap<String, Value>,
    /// The requests and what each must answer.
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    method: String,
    path: String,
    #[serde(default)]
    body: Option<Value>,
    status: u16,
    /// JSON pointers into the response body and the value each must have.
    #[serde(default)]
    json: BTreeMap<String, Value>,
    /// JSON pointers that must not be in the response body.
    #[serde(default)]
    absent: Vec<String>,
}

/// The cases of `vendor`, if it has a `fixtures/quirks/<vendor>.json`.
pub fn cases_of(vendor: &str) -> Option<QuirkCases> {
    let path = format!(
        "{}/../fixtures/quirks/{vendor}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")))
}

async fn run(vendor: &str, case: &QuirkCase) {
    let set: Vec<(&str, Value)> = case
        .set
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let c = start(vendor, case.users, &set).await;
    let mut last_id = String::new();
    for (i, s) in case.steps.iter().enumerate() {
        let what = format!("{vendor} {} step {i} ({} {})", case.quirk, s.method, s.path);
        let method = Method::from_bytes(s.method.as_bytes()).expect("an HTTP method");
        let path = s.path.replace("{id}", &last_id);
        let r = c.send_with(method, &path, s.body.as_ref(), &[]).await;
        let body = excerpt(&r.text);
        assert_eq!(r.status, s.status, "{what}: {body}");
        for (pointer, want) in &s.json {
            assert_eq!(
                r.body.pointer(pointer),
                Some(want),
                "{what}: {pointer} in {body}"
            );
        }
        for pointer in &s.absent {
            assert!(
                r.body.pointer(pointer).is_none(),
                "{what}: {pointer} in {body}"
            );
        }
        if let Some(id) = r.body.get("id").and_then(Value::as_str) {
            last_id = id.to_string();
        }
    }
}

/// The start of a response body, for a failure message.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

#[tokio::test]
async fn every_quirk_case_holds_and_names_a_quirk_of_its_vendor() {
    for p in profiles() {
        let Some(cases) = cases_of(&p.name) else {
            continue;
        };
        for case in &cases.cases {
            assert!(
                p.quirk(&case.quirk).is_some(),
                "fixtures/quirks/{}.json: {} is not a quirk of {}",
                p.name,
                case.quirk,
                p.name
            );
            run(&p.name, case).await;
        }
    }
}
