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

/// The vendor reference shipped with the repository, read for its section headings.
const VENDORS_MD: &str = include_str!("../../docs/vendors.md");

/// GitHub's anchor for a Markdown heading (`Adra (Trintech Adra Suite)` -> `adra-trintech-adra-suite`).
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Where a vendor is described in the repository: the `docs/vendors.md` section whose heading
/// starts with the first word of the profile's title (so a vendor added as data needs no code
/// here); the document itself for a built-in without a section (`generic`); none for a profile
/// from a file that the reference does not describe.
pub fn vendor_reference(profile: &scimock_profile::Profile) -> Option<String> {
    let word = profile.title.split_whitespace().next().unwrap_or_default();
    let section = VENDORS_MD
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .find(|h| {
            h.split_whitespace()
                .next()
                .is_some_and(|w| !word.is_empty() && w.eq_ignore_ascii_case(word))
        });
    match section {
        Some(h) => Some(format!("docs/vendors.md#{}", anchor(h))),
        None if scimock_profile::PROFILE_NAMES.contains(&profile.name.as_str()) => {
            Some("docs/vendors.md".into())
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_reference_names_a_section_of_the_vendor_reference() {
        let doc = include_str!("../../docs/vendors.md");
        let anchors: Vec<String> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(anchor)
            .collect();
        for name in scimock_profile::PROFILE_NAMES {
            let p = scimock_profile::Profile::builtin(name).unwrap();
            let r = vendor_reference(&p).unwrap_or_else(|| panic!("{name} has a reference"));
            if *name != "generic" {
                assert!(r.contains('#'), "{name}: a section of its own, {r}");
            }
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
