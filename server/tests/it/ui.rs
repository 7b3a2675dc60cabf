//! The dashboard at `/_scimock/ui`: the page and its assets (content types, CSP, nothing
//! external, no data without the admin token), and the admin data endpoint it reads.

use crate::common::*;
use reqwest::Method;
use scimock_server::ServeConfig;
use serde_json::{Value, json};

const ASSETS: [(&str, &str); 3] = [
    ("/_scimock/ui", "text/html"),
    ("/_scimock/ui/ui.js", "text/javascript"),
    ("/_scimock/ui/ui.css", "text/css"),
];

fn assert_locked_down(r: &Resp, path: &str) {
    let csp = r.header("content-security-policy").unwrap_or_default();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{path}: {part} in {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{path}"
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_their_types_and_a_strict_policy() {
    let c = Client::start("generic").await;
    for (path, ty) in ASSETS {
        let r = c.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        let ct = r.header("content-type").unwrap_or_default();
        assert!(ct.starts_with(ty), "{path}: {ct}");
        assert_locked_down(&r, path);
        // Nothing from elsewhere: no CDN, no fonts, no absolute URL at all.
        assert!(
            !r.text.contains("http://") && !r.text.contains("https://"),
            "{path} names an external URL"
        );
    }
    let page = c.get("/_scimock/ui").await.text;
    assert!(page.contains(r#"<script src="/_scimock/ui/ui.js" defer></script>"#));
    assert!(page.contains(r#"href="/_scimock/ui/ui.css""#));
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("<style"), "no inline style");
    // The page holds no data of its own: no base URL, no token, no stored user.
    let users = c.get("/_scimock/data?kind=users").await;
    let first = users.body["resources"][0]["userName"]
        .as_str()
        .unwrap_or("?");
    for (path, _) in ASSETS {
        let text = c.get(path).await.text;
        for datum in [c.base.as_str(), c.token.as_str(), first] {
            assert!(!text.contains(datum), "{path} holds {datum}");
        }
    }
    // The page reads the admin JSON API only.
    let js = c.get("/_scimock/ui/ui.js").await.text;
    for endpoint in [
        "/requests?after=",
        "/violations?after=",
        "/data?vendor=",
        "/faults",
        "/info",
    ] {
        assert!(js.contains(endpoint), "ui.js reads {endpoint}");
    }
    assert!(js.contains("X-Scimock-Admin-Token"));
    assert!(!js.contains("innerHTML") && !js.contains("eval("));
}

#[tokio::test]
async fn with_an_admin_token_the_page_loads_but_no_data_comes_without_the_token() {
    let c = Client::start_with(ServeConfig {
        admin_token: Some("adm1n".into()),
        ..config("generic")
    })
    .await;
    for (path, _) in ASSETS {
        let r = c.send_with(Method::GET, path, None, &[]).await;
        assert_eq!(r.status, 200, "{path}: the page itself asks for the token");
        assert!(!r.text.contains("adm1n") && !r.text.contains("scimock-token"));
    }
    for path in [
        "/_scimock/info",
        "/_scimock/requests?after=0&limit=10",
        "/_scimock/violations?after=0",
        "/_scimock/faults",
        "/_scimock/data?kind=users",
        "/_scimock/data?kind=groups&q=a",
    ] {
        // With the SCIM token only (the Client sends it), and with none.
        assert_eq!(c.get(path).await.status, 401, "{path}");
        let none = c
            .send_with(Method::GET, path, None, &[("authorization", "")])
            .await;
        assert_eq!(none.status, 401, "{path}");
        let wrong = c
            .send_with(
                Method::GET,
                path,
                None,
                &[("x-scimock-admin-token", "guess")],
            )
            .await;
        assert_eq!(wrong.status, 401, "{path}");
        let ok = c
            .send_with(
                Method::GET,
                path,
                None,
                &[("x-scimock-admin-token", "adm1n")],
            )
            .await;
        assert_eq!(ok.status, 200, "{path}: {}", ok.text);
    }
    // Writes from the page need the token too.
    let r = c
        .send_with(
            Method::POST,
            "/_scimock/faults",
            Some(&json!({"status": 429})),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(c.mock.app().shared.faults.describe()["faults"], json!([]));
}

fn names(r: &Resp, attr: &str) -> Vec<String> {
    r.body["resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u[attr].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_data_endpoint_lists_searches_and_shows_resources_as_the_profile_renders_them() {
    let c = Client::start("all").await;
    // Attio renders users its own way; /_scimock/data shows what its API returns.
    let attio = c
        .get(&format!("{}/attio/scim/v2/Users", c.mock.uri()))
        .await;
    assert_eq!(attio.status, 200, "{}", attio.text);
    let all = c.get("/_scimock/data?vendor=attio&kind=users").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["vendor"], "attio");
    assert_eq!(all.body["kind"], "Users");
    assert_eq!(all.body["total"], attio.body["totalResults"]);
    assert_eq!(all.body["matched"], all.body["total"]);
    assert_eq!(
        all.body["resources"], attio.body["Resources"],
        "the same rendering as the vendor's API"
    );
    // Search by userName, email and externalId, case-insensitively.
    let first = all.body["resources"][0].clone();
    let user_name = first["userName"].as_str().unwrap_or_default().to_string();
    let q = c
        .get(&format!(
            "/_scimock/data?vendor=attio&kind=users&q={}",
            urlencode(&user_name.to_uppercase())
        ))
        .await;
    assert_eq!(names(&q, "userName"), vec![user_name.clone()], "{}", q.text);
    let created = c
        .post(
            &format!("{}/generic/scim/v2/Users", c.mock.uri()),
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": "dashboard.person", "externalId": "ext-4711",
                    "emails": [{"value": "somebody.else@dash.test", "primary": true}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    for q in ["ext-4711", "dash.test", "DASHBOARD.P"] {
        let r = c
            .get(&format!("/_scimock/data?vendor=generic&kind=users&q={q}"))
            .await;
        assert_eq!(
            names(&r, "userName"),
            vec!["dashboard.person"],
            "{q}: {}",
            r.text
        );
        assert_eq!(r.body["matched"], 1);
    }
    // The vendor matters: attio has no such user.
    let other = c
        .get("/_scimock/data?vendor=attio&kind=users&q=ext-4711")
        .await;
    assert_eq!(other.body["matched"], 0, "{}", other.text);
    assert_eq!(other.body["resources"], json!([]));
    // One resource by id, rendered like GET /Users/{id}.
    let id = created.body["id"].as_str().unwrap_or_default();
    let one = c
        .get(&format!("/_scimock/data?vendor=generic&kind=users&id={id}"))
        .await;
    let scim = c
        .get(&format!("{}/generic/scim/v2/Users/{id}", c.mock.uri()))
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["resource"], scim.body);
    assert!(one.body["resource"].get("password").is_none());
    let missing = c
        .get("/_scimock/data?vendor=generic&kind=users&id=nope")
        .await;
    assert_eq!(missing.status, 404);
    // Groups, limits, and the errors.
    let groups = c.get("/_scimock/data?vendor=generic&kind=groups").await;
    assert_eq!(groups.status, 200, "{}", groups.text);
    assert_eq!(groups.body["kind"], "Groups");
    let limited = c
        .get("/_scimock/data?vendor=attio&kind=users&limit=1")
        .await;
    assert_eq!(limited.body["resources"].as_array().map(Vec::len), Some(1));
    assert_eq!(limited.body["matched"], all.body["total"]);
    assert_eq!(
        c.get("/_scimock/data?vendor=nosuch&kind=users")
            .await
            .status,
        404
    );
    assert_eq!(
        c.get("/_scimock/data?vendor=truto&kind=users").await.status,
        404,
        "a unified facade stores nothing of its own"
    );
    assert_eq!(
        c.get("/_scimock/data?vendor=generic&kind=widgets")
            .await
            .status,
        400
    );
    // Reading the data is not journaled as a SCIM request.
    let journal = c.get("/_scimock/requests").await;
    let paths: Vec<&str> = journal.body["requests"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        paths.iter().all(|p| !p.starts_with("/_scimock")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn info_names_each_profiles_section_of_the_vendor_reference() {
    let c = Client::start("all").await;
    let info = c.get("/_scimock/info").await;
    let profiles = info.body["profiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!profiles.is_empty());
    for p in profiles {
        let r = p["reference"].as_str().unwrap_or_default();
        assert!(r.starts_with("docs/vendors.md"), "{p}");
    }
    let attio = c.get("/_scimock/info").await.body["profiles"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == "attio").cloned())
        .unwrap_or(Value::Null);
    assert_eq!(attio["reference"], "docs/vendors.md#attio");
}

#[tokio::test]
async fn the_page_cannot_be_used_to_drive_the_mock_from_another_site() {
    let c = Client::start("generic").await;
    // What the dashboard sends is fine from its own origin...
    let host = c.mock.addr().to_string();
    let own = c
        .send_with(
            Method::POST,
            "/_scimock/faults",
            Some(&json!({"break": "auth.accept-any-token"})),
            &[
                ("origin", &format!("http://{host}")),
                ("content-type", "application/json"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    let off = c
        .send_with(
            Method::POST,
            "/_scimock/faults",
            Some(&json!({"unbreak": "auth.accept-any-token"})),
            &[("origin", &format!("http://{host}"))],
        )
        .await;
    assert_eq!(off.status, 201, "{}", off.text);
    // ...but not from another site, nor as a form post.
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
    ] {
        let r = c
            .send_with(
                Method::POST,
                "/_scimock/faults",
                Some(&json!({"status": 500})),
                &headers,
            )
            .await;
        assert_eq!(r.status, 403, "{headers:?}: {}", r.text);
    }
    let form = c
        .raw(
            Method::POST,
            "/_scimock/reset",
            Some("application/x-www-form-urlencoded"),
            b"a=1".to_vec(),
            None,
        )
        .await;
    assert_eq!(form.status, 403, "{}", form.text);
    assert_eq!(c.mock.app().shared.faults.describe()["faults"], json!([]));
    // The page cannot be framed, and is refused under a rebound host name like the rest.
    let r = c
        .send_with(
            Method::GET,
            "/_scimock/ui",
            None,
            &[("host", "evil.example")],
        )
        .await;
    assert_eq!(r.status, 421, "{}", r.text);
}
