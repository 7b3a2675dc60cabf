//! What a web page in the operator's browser must not make a loopback mock do: drive the admin
//! API with a "simple" cross-site request (a form or `fetch` POST needs no CORS preflight), or
//! read it through DNS rebinding (a hostile name resolving to 127.0.0.1).
//!
//! - On a loopback bind, the `Host` header must name loopback: `localhost`, `127.0.0.1` or
//!   `[::1]`, any port (a missing `Host` is let through: no browser omits it).
//! - A state-changing admin request (anything but GET, HEAD, OPTIONS) is refused when the
//!   browser says it is cross-site (`Sec-Fetch-Site: cross-site`), when its `Origin` is not this
//!   server's own (`http://` + the `Host` it was sent to), and when it carries a body whose
//!   `Content-Type` is not JSON (`application/json` or `*/*+json`): the three content types a
//!   page may send without a preflight are not JSON.

use crate::admin::admin_error;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// True when `host` (a `Host` header value) names the loopback interface.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, port)) if port.is_empty() || port.starts_with(':') => {
                return inner == "::1";
            }
            _ => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

/// Middleware for loopback binds: refuses a `Host` that does not name loopback.
pub async fn loopback_host(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}"));
    match host {
        Some(h) if !is_loopback_host(h) => admin_error(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "Host {h:?} does not name this loopback server (localhost, 127.0.0.1 or [::1]); refused against DNS rebinding"
            ),
        ),
        _ => next.run(req).await,
    }
}

/// Why a state-changing admin request is refused, if it is.
pub fn refuse_admin_write(method: &Method, headers: &HeaderMap) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return Some(
            "cross-site requests may not change the mock (Sec-Fetch-Site: cross-site)".into(),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = text("host").map(|h| format!("http://{h}"));
        let same = origin
            .to_str()
            .ok()
            .zip(own.as_deref())
            .is_some_and(|(o, own)| o.eq_ignore_ascii_case(own));
        if !same {
            return Some(format!(
                "requests from another origin ({}) may not change the mock",
                String::from_utf8_lossy(origin.as_bytes())
            ));
        }
    }
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || text("content-length").is_some_and(|n| n.trim() != "0");
    let content_type = text("content-type");
    let json = content_type.is_some_and(|c| {
        let essence = c
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    });
    if (has_body || content_type.is_some()) && !json {
        return Some(format!(
            "admin requests that change the mock need Content-Type: application/json (got {})",
            content_type.map_or_else(|| "none".to_string(), |c| format!("{c:?}"))
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_with_any_port_and_nothing_else() {
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:80",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil",
            "[::2]:80",
            "[::1]x",
            "10.0.0.1",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn admin_writes_need_json_and_the_same_origin() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, v.parse().unwrap());
            }
            m
        };
        let post = Method::POST;
        assert!(
            refuse_admin_write(
                &post,
                &h(&[("content-type", "text/plain"), ("content-length", "20")])
            )
            .is_some()
        );
        assert!(refuse_admin_write(&post, &h(&[("content-length", "20")])).is_some());
        assert!(
            refuse_admin_write(
                &post,
                &h(&[
                    ("content-type", "application/json"),
                    ("content-length", "2")
                ])
            )
            .is_none()
        );
        assert!(
            refuse_admin_write(&post, &h(&[])).is_none(),
            "a body-less POST from a script"
        );
        assert!(refuse_admin_write(&post, &h(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(
            refuse_admin_write(
                &post,
                &h(&[("host", "127.0.0.1:9"), ("origin", "http://evil.example")])
            )
            .is_some()
        );
        assert!(
            refuse_admin_write(&post, &h(&[("host", "127.0.0.1:9"), ("origin", "null")])).is_some()
        );
        assert!(
            refuse_admin_write(
                &post,
                &h(&[("host", "127.0.0.1:9"), ("origin", "http://127.0.0.1:9")])
            )
            .is_none()
        );
        assert!(
            refuse_admin_write(&Method::GET, &h(&[("sec-fetch-site", "cross-site")])).is_none()
        );
    }
}
