//! The vendor audit as data: every claim from the vendors' documents that one request can
//! check, in `fixtures/audit/<vendor>.json` as `{id, source, claim, vendor, request, expect}`
//! (`users`: generated users, `rate_limits`: `serve --rate-limits`). `expect.values` maps a
//! dotted path into the answer (`result.0.username`; keys with dots such as URNs are matched
//! whole) to its value, `"<absent>"` for a key that must be missing. A failure names the
//! claim id; docs/vendors.md "Coverage" says which test verifies each claim.

use crate::common::*;
use reqwest::Method;
use scimock_server::ServeConfig;
use serde_json::Value;

/// The audit files, one per vendor (plus `cross`, claims every profile shares).
pub const AUDIT_FILES: [&str; 6] = ["truto", "elfsquad", "attio", "adra", "atlassian", "cross"];

/// The claims of one audit file.
pub fn audit_claims(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/../fixtures/audit/{file}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("audit file");
    serde_json::from_str(&text).expect("audit file is JSON")
}

/// The value at a dotted path; a key containing dots (a URN) is matched whole.
fn find<'v>(v: &'v Value, segs: &[&str]) -> Option<&'v Value> {
    if segs.is_empty() {
        return Some(v);
    }
    for n in (1..=segs.len()).rev() {
        let key = segs[..n].join(".");
        let next = match v {
            Value::Object(o) => o.get(&key),
            Value::Array(a) if n == 1 => key.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        if let Some(next) = next.and_then(|x| find(x, &segs[n..])) {
            return Some(next);
        }
    }
    None
}

fn encode_query(path: &str) -> String {
    path.replace(' ', "%20")
        .replace('"', "%22")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace('|', "%7C")
}

/// Sends one claim's request and returns what does not hold.
async fn check(c: &Client, e: &Value) -> Vec<String> {
    let r = &e["request"];
    let method = Method::from_bytes(r["method"].as_str().unwrap().as_bytes()).unwrap();
    let url = format!(
        "{}{}",
        c.mock.uri(),
        encode_query(r["path"].as_str().unwrap())
    );
    let mut req = c.http.request(method, url);
    let headers: Vec<(String, String)> = r["headers"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let has = |n: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    if !has("authorization") {
        req = req.bearer_auth(&c.token);
    }
    if let Some(b) = r.get("body") {
        if !has("content-type") {
            req = req.header("content-type", "application/scim+json");
        }
        req = req.body(b.to_string());
    }
    for (k, v) in &headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.expect("the mock answers");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let text = resp.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(text.lines().next().unwrap_or("")))
        .unwrap_or(Value::Null);
    let x = &e["expect"];
    let mut wrong = Vec::new();
    if x["status"] != status {
        wrong.push(format!(
            "status {status}, expected {}: {text:.300}",
            x["status"]
        ));
    }
    if let Some(want) = x["content_type"].as_str() {
        if want != ct {
            wrong.push(format!("content type {ct}, expected {want}"));
        }
    }
    if let Some(values) = x["values"].as_object() {
        for (path, want) in values {
            let segs: Vec<&str> = path.split('.').collect();
            let got = find(&body, &segs);
            let ok = if want == "<absent>" {
                got.is_none()
            } else {
                got == Some(want)
            };
            if !ok {
                wrong.push(format!("{path} is {got:?}, expected {want}"));
            }
        }
    }
    wrong
}

/// Every claim in `fixtures/audit/` holds against a fresh mock of its vendor.
#[tokio::test]
async fn every_audited_claim_holds() {
    let mut failures = Vec::new();
    let mut n = 0;
    for file in AUDIT_FILES {
        for e in audit_claims(file) {
            n += 1;
            let vendor = e["vendor"].as_str().unwrap();
            let c = Client::start_with(ServeConfig {
                users: e["users"].as_u64().map(|u| u as usize),
                rate_limits: e["rate_limits"].as_bool().unwrap_or(false),
                ..config(vendor)
            })
            .await;
            for w in check(&c, &e).await {
                failures.push(format!(
                    "{} [{}]: {w}",
                    e["id"].as_str().unwrap(),
                    e["source"].as_str().unwrap()
                ));
            }
        }
    }
    assert!(n > 100, "{n} claims");
    assert!(
        failures.is_empty(),
        "{} of {n} claims fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A test reference (`module::function`) names a test that exists: `fn function(` in
/// `module.rs` of the server's, the conformance runner's or the binary's integration tests.
fn test_exists(reference: &str) -> bool {
    let Some((module, function)) = reference.rsplit_once("::") else {
        return false;
    };
    let module = module.replace("::", "/");
    let root = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    ["server/tests/it", "conformance/tests/it", "tests/it"]
        .iter()
        .flat_map(|dir| {
            [
                format!("{dir}/{module}.rs"),
                format!("{dir}/{module}/mod.rs"),
            ]
        })
        .filter_map(|file| std::fs::read_to_string(format!("{root}/{file}")).ok())
        .any(|src| src.contains(&format!("fn {function}(")))
}

/// `fixtures/audit/claims.json` (every audited claim) and the "Coverage" table of
/// docs/vendors.md agree claim by claim; every test they name exists, every claim the audit
/// runner verifies is in an audit file, and every claim in an audit file is in the list.
#[test]
fn the_coverage_table_and_the_claims_file_agree() {
    let root = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let claims: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/fixtures/audit/claims.json")).unwrap(),
    )
    .unwrap();
    let doc = std::fs::read_to_string(format!("{root}/docs/vendors.md")).unwrap();
    let coverage = &doc[doc.find("## Coverage").expect("a Coverage section")..];
    let rows: Vec<Vec<&str>> = coverage
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), claims.len(), "one row per claim");
    let in_files: std::collections::BTreeSet<String> = AUDIT_FILES
        .iter()
        .flat_map(|f| audit_claims(f))
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let listed: std::collections::BTreeSet<&str> =
        claims.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in &in_files {
        assert!(
            listed.contains(id.as_str()),
            "{id} is in an audit file but not in claims.json"
        );
    }
    for (c, row) in claims.iter().zip(&rows) {
        let id = c["id"].as_str().unwrap();
        assert_eq!(
            row[0],
            format!("`{id}`"),
            "the table lists the claims in the file's order"
        );
        match c["status"].as_str().unwrap() {
            "verified" => {
                let test = c["test"].as_str().unwrap();
                assert_eq!(row[2], format!("`{test}`"), "{id}");
                assert!(test_exists(test), "{id}: no test {test}");
                if test == "audit::every_audited_claim_holds" {
                    assert!(in_files.contains(id), "{id} is not in fixtures/audit/");
                }
            }
            "not modelled" => {
                let note = c["note"].as_str().unwrap();
                assert!(row[2].starts_with("not modelled: "), "{id}: {}", row[2]);
                assert!(
                    row[2].contains(note.split('|').next().unwrap_or(note)),
                    "{id}"
                );
            }
            other => panic!("{id}: unknown status {other}"),
        }
    }
}
