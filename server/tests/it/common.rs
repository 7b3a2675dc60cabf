//! A small HTTP client around a `MockServer` for the integration tests.
#![allow(dead_code)]

use reqwest::Method;
use reqwest::header::HeaderMap;
use scimock_server::{MockServer, ServeConfig, VendorChoice};
use serde_json::Value;
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
}

pub struct Client {
    pub mock: MockServer,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
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
            http: reqwest::Client::new(),
            base,
            token,
        }
    }

    /// Sends `method` to `path` (relative to the SCIM base unless it starts with http or /_).
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else if path.starts_with("/_") {
            format!("{}{path}", self.mock.uri())
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.http.request(method, url);
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
        let r = req.send().await.expect("request succeeds");
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

    pub async fn get(&self, path: &str) -> Resp {
        self.send_with(Method::GET, path, None, &[]).await
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

pub fn patch_op(ops: Value) -> Value {
    serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
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
