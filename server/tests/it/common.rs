//! The one helper layer of the integration tests: starting a `MockServer`, sending requests
//! (well-formed or raw), and asserting each vendor's error format.
#![allow(dead_code)]

use reqwest::Method;
use reqwest::header::HeaderMap;
use scimock_profile::{ErrorFormat, PROFILE_NAMES, Profile, ProfileKind};
use scimock_server::{MockServer, ServeConfig, VendorChoice};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A response: status, headers, body as JSON (Null when empty or not JSON) and as text.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub async fn read(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }
}

/// Every built-in profile (the registry), with its data.
pub fn profiles() -> Vec<Profile> {
    PROFILE_NAMES
        .iter()
        .map(|n| Profile::builtin(n).expect("built-in profile"))
        .collect()
}

/// Every built-in SCIM profile (not unified facades).
pub fn scim_profiles() -> Vec<Profile> {
    profiles()
        .into_iter()
        .filter(|p| p.kind == ProfileKind::Scim)
        .collect()
}

pub fn config(vendor: &str) -> ServeConfig {
    ServeConfig {
        vendor: if vendor == "all" {
            VendorChoice::All
        } else {
            VendorChoice::One(vendor.into())
        },
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..ServeConfig::default()
    }
}

/// A mock of `vendor` with `users` generated users (0: fixtures only) and profile overrides.
pub async fn start(vendor: &str, users: usize, overrides: &[(&str, Value)]) -> Client {
    Client::start_with(ServeConfig {
        users: (users > 0).then_some(users),
        overrides: overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ..config(vendor)
    })
    .await
}

/// True when something answers HTTP at `url`.
pub async fn answers(url: &str) -> bool {
    reqwest::Client::new().get(url).send().await.is_ok()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct Client {
    pub mock: MockServer,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Client {
    pub async fn start(vendor: &str) -> Client {
        Client::start_with(config(vendor)).await
    }

    pub async fn start_with(cfg: ServeConfig) -> Client {
        let mock = MockServer::start_with(cfg).await.expect("mock starts");
        let base = mock.base_url();
        let token = mock.token().to_string();
        Client {
            mock,
            // Like every real client (and as GitHub requires, D:G2).
            http: reqwest::Client::builder()
                .user_agent("scimock-tests")
                .build()
                .expect("an HTTP client"),
            base,
            token,
        }
    }

    /// `path` relative to the SCIM base unless it starts with http or /_.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else if path.starts_with("/_") {
            format!("{}{path}", self.mock.uri())
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends `method` to `path` with the token (unless `headers` has an Authorization) and a
    /// JSON body as application/scim+json.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.http.request(method, self.url(path));
        let mut has_auth = false;
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("authorization") {
                has_auth = true;
            }
            req = req.header(*k, *v);
        }
        if !has_auth {
            req = req.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        Resp::read(req.send().await.expect("request succeeds")).await
    }

    /// Sends exactly what it is given: any bytes, any content type, any Authorization (or none).
    pub async fn raw(
        &self,
        m: Method,
        path: &str,
        ct: Option<&str>,
        body: Vec<u8>,
        auth: Option<&str>,
    ) -> Resp {
        let mut req = self.http.request(m, self.url(path));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        if !body.is_empty() {
            req = req.body(body);
        }
        Resp::read(req.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send_with(Method::GET, path, None, &[]).await
    }

    /// GET with a bearer token the mock does not accept.
    pub async fn get_with_wrong_token(&self, path: &str) -> Resp {
        self.send_with(
            Method::GET,
            path,
            None,
            &[("authorization", "Bearer wrong")],
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send_with(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send_with(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send_with(Method::PATCH, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send_with(Method::DELETE, path, None, &[]).await
    }
}

pub fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

pub fn user_names(r: &Resp) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["userName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- error formats

/// Asserts a SCIM Error body: status string equal to the HTTP code, and the scimType.
pub fn assert_scim_error(r: &Resp, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{}",
        r.text
    );
    assert_eq!(
        r.body["status"],
        Value::String(status.to_string()),
        "{}",
        r.text
    );
    match scim_type {
        Some(t) => assert_eq!(r.body["scimType"], t, "{}", r.text),
        None => assert!(r.body.get("scimType").is_none(), "{}", r.text),
    }
    assert!(
        r.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{}",
        r.text
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/scim+json"),
        "{}",
        r.text
    );
}

/// Asserts Attio's error envelope (D:A7) with its `code`.
pub fn assert_attio_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["status_code"], status, "{}", r.text);
    assert_eq!(r.body["code"], code, "{}", r.text);
    assert!(
        r.body["type"].as_str().is_some() && r.body["message"].as_str().is_some(),
        "{}",
        r.text
    );
    assert!(r.body.get("schemas").is_none());
    assert_eq!(r.header("content-type"), Some("application/json"));
}

/// Asserts an RFC 7807 problem document as Adra sends it.
pub fn assert_problem(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.body["status"],
        json!(status),
        "integer status: {}",
        r.text
    );
    for k in ["type", "title", "detail", "instance"] {
        assert!(r.body[k].as_str().is_some(), "{k} missing: {}", r.text);
    }
    assert!(r.body.get("scimType").is_none() && r.body.get("schemas").is_none());
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
}

/// Asserts Truto's error envelope, wrapping a backend's error when `remote`.
pub fn assert_truto_error(r: &Resp, status: u16, remote: bool) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["statusCode"], status, "{}", r.text);
    assert!(
        r.body["error"].as_str().is_some() && r.body["message"].as_str().is_some(),
        "{}",
        r.text
    );
    assert_eq!(
        r.body.get("truto_is_remote_error") == Some(&json!(true)),
        remote,
        "{}",
        r.text
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
}

/// Checks that `r` is an error of `status` in `p`'s format and content type.
pub fn assert_vendor_error(p: &Profile, r: &Resp, status: u16, what: &str) {
    assert_eq!(r.status, status, "{} {what}: {}", p.name, r.text);
    assert_vendor_error_body(p, r, what);
}

/// Checks that `r`'s body and content type are an error in `p`'s format.
pub fn assert_vendor_error_body(p: &Profile, r: &Resp, what: &str) {
    let ctx = format!("{} {what} -> {} {}", p.name, r.status, r.text);
    assert_eq!(
        r.header("content-type"),
        Some(p.errors.content_type.as_str()),
        "{ctx}"
    );
    let code = r.status;
    match p.errors.format {
        ErrorFormat::Scim => {
            for key in &p.errors.schema_keys {
                assert_eq!(
                    r.body[key.as_str()],
                    json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
                    "{ctx}"
                );
            }
            assert_eq!(r.body["status"], json!(code.to_string()), "{ctx}");
            assert!(r.body["detail"].is_string(), "{ctx}");
        }
        ErrorFormat::Problem => {
            assert_eq!(r.body["status"], json!(code), "{ctx}");
            assert!(
                r.body["title"].is_string() && r.body["type"].is_string(),
                "{ctx}"
            );
        }
        ErrorFormat::Attio => {
            assert_eq!(r.body["status_code"], json!(code), "{ctx}");
            assert!(
                r.body["code"].is_string() && r.body["message"].is_string(),
                "{ctx}"
            );
        }
        ErrorFormat::Truto => {
            assert_eq!(r.body["statusCode"], json!(code), "{ctx}");
            assert!(
                r.body["error"].is_string() && r.body["message"].is_string(),
                "{ctx}"
            );
        }
        ErrorFormat::Slack => {
            assert_eq!(r.body["Errors"]["code"], json!(code), "{ctx}");
            assert!(r.body["Errors"]["description"].is_string(), "{ctx}");
        }
    }
}

/// Any answer: a 2xx/3xx, or a 4xx in the vendor's format. Never a 5xx.
pub fn assert_sane(p: &Profile, r: &Resp, what: &str) {
    assert!(r.status < 500, "{} {what}: 5xx {}", p.name, r.text);
    if r.status >= 400 {
        assert_vendor_error_body(p, r, what);
    }
}
