//! The dashboard at `/_scimock/ui`: one static page (HTML, CSS and plain JavaScript embedded in
//! the binary) that reads only the admin JSON API. The page and its assets hold no data, so they
//! are served without the `--admin-token`; every datum comes from the token-protected admin
//! endpoints, which the page calls with the token the operator types in (kept in memory only).

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page.
pub const INDEX_HTML: &str = include_str!("ui/index.html");
/// The page's script (no inline script: the CSP forbids it).
pub const UI_JS: &str = include_str!("ui/ui.js");
/// The page's style sheet.
pub const UI_CSS: &str = include_str!("ui/ui.css");

/// The Content-Security-Policy of the page and its assets: only this origin, no inline code,
/// no framing, no forms posting anywhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The routes of the page and its two assets (mounted under `/_scimock`, outside the admin
/// token check: they carry no data).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/ui",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/ui/ui.js",
            get(|| async { asset("text/javascript; charset=utf-8", UI_JS) }),
        )
        .route(
            "/ui/ui.css",
            get(|| async { asset("text/css; charset=utf-8", UI_CSS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Where a built-in vendor is described in the repository (`docs/vendors.md` and its section).
pub fn vendor_reference(name: &str) -> Option<&'static str> {
    Some(match name {
        "truto" => "docs/vendors.md#truto--unified-user-directory",
        "elfsquad" => "docs/vendors.md#elfsquad",
        "attio" => "docs/vendors.md#attio",
        "adra" => "docs/vendors.md#adra-trintech-adra-suite",
        "atlassian" => "docs/vendors.md#atlassian-user-provisioning-scim",
        "generic" => "docs/vendors.md",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's anchor for a Markdown heading.
    fn anchor(heading: &str) -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    }

    #[test]
    fn every_vendor_reference_names_a_section_of_the_vendor_reference() {
        let doc = include_str!("../../docs/vendors.md");
        let anchors: Vec<String> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(anchor)
            .collect();
        for name in scimock_profile::PROFILE_NAMES {
            let r = vendor_reference(name).unwrap_or_else(|| panic!("{name} has a reference"));
            if let Some((_, a)) = r.split_once('#') {
                assert!(
                    anchors.iter().any(|x| x == a),
                    "{name}: #{a} in {anchors:?}"
                );
            }
        }
    }

    #[test]
    fn the_assets_reference_nothing_outside_this_server() {
        for (name, text) in [
            ("index.html", INDEX_HTML),
            ("ui.js", UI_JS),
            ("ui.css", UI_CSS),
        ] {
            for bad in [
                "http://",
                "https://",
                "//cdn",
                "<script>",
                " onclick=",
                "style=\"",
            ] {
                assert!(!text.contains(bad), "{name} contains {bad}");
            }
        }
    }
}
