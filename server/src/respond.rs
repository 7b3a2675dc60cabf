//! Rendering resources and successful responses in the profile's shape and media type.

use crate::faults::Break;
use crate::projection::{self, Projection};
use crate::store::{Kind, Stored};
use crate::tenant::Tenant;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

impl Tenant {
    /// True when a break switch changes how resources look (render caches are bypassed).
    fn shape_broken(&self) -> bool {
        self.shared.faults.any_broken()
    }

    /// The resource as JSON bytes: shaped for the profile, `returned: never` removed, projected.
    /// Without projection the bytes are computed once per resource version and reused (while the
    /// store's render cache budget lasts).
    pub fn render(&self, kind: Kind, stored: &Stored, proj: &Projection) -> Bytes {
        let schema = self.schemas(kind);
        if proj.is_empty() && !self.shape_broken() {
            if let Some(b) = stored.rendered() {
                return b;
            }
            let mut v = self.shape(kind, stored);
            projection::strip_never(&mut v, schema);
            let b = Bytes::from(serde_json::to_vec(&v).unwrap_or_default());
            stored.keep_rendered(&b);
            return b;
        }
        let mut v = self.shape(kind, stored);
        projection::strip_never(&mut v, schema);
        if !proj.is_empty() && !self.shared.faults.is_broken(Break::ProjectionIgnored) {
            v = projection::project(&v, proj, schema);
        }
        if let Some(o) = v.as_object_mut() {
            if self.shared.faults.is_broken(Break::SchemasMissing) {
                o.shift_remove("schemas");
            }
            if self.shared.faults.is_broken(Break::IdMissing) {
                o.shift_remove("id");
            }
        }
        Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
    }

    /// The Content-Type of successful responses.
    pub fn media_type(&self) -> &str {
        if self.shared.faults.is_broken(Break::ContentTypePlainJson) {
            "text/plain"
        } else {
            &self.profile.media.response
        }
    }

    /// A successful response with a JSON body.
    pub fn json(&self, status: StatusCode, body: impl Into<Bytes>) -> Response {
        let mut resp = Response::new(Body::from(body.into()));
        *resp.status_mut() = status;
        if let Some(v) = media_header(self.media_type()) {
            resp.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        resp
    }

    /// A successful response with a JSON value.
    pub fn json_value(&self, status: StatusCode, body: &Value) -> Response {
        self.json(status, serde_json::to_vec(body).unwrap_or_default())
    }

    /// A single-resource response: body, ETag (when the profile has ETags), Location on 201.
    pub fn resource_response(
        &self,
        kind: Kind,
        stored: &Stored,
        status: StatusCode,
        proj: &Projection,
    ) -> Response {
        if status == StatusCode::NO_CONTENT {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            return r;
        }
        let created = status == StatusCode::CREATED;
        let mut status = status;
        if created && self.shared.faults.is_broken(Break::CreateStatus200) {
            status = StatusCode::OK;
        }
        let mut resp = self.json(status, self.render(kind, stored, proj));
        let h = resp.headers_mut();
        if self.profile.etag.supported {
            if let Ok(v) = HeaderValue::from_str(&stored.etag()) {
                h.insert(header::ETAG, v);
            }
        }
        if created && !self.shared.faults.is_broken(Break::CreateNoLocation) {
            if let Ok(v) = HeaderValue::from_str(&self.location(kind, &stored.id)) {
                h.insert(header::LOCATION, v);
            }
        }
        resp
    }
}

/// The `Content-Type` value for `media`; the usual ones without parsing or copying.
fn media_header(media: &str) -> Option<HeaderValue> {
    const KNOWN: [&str; 3] = ["application/scim+json", "application/json", "text/plain"];
    match KNOWN.iter().find(|k| **k == media) {
        Some(k) => Some(HeaderValue::from_static(k)),
        None => HeaderValue::from_str(media).ok(),
    }
}
