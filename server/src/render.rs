//! The render stage: one [`Renderer`] per tenant owns how its answers look — resources shaped
//! for the profile and projected, the ListResponse envelope, the media type of successes and
//! the error format. While any break switch is on, every answer it builds carries an
//! [`Output`] tag saying what it is, so the switches that only change output can be applied
//! at the edge (`breaks`).

mod shape;

/// The ListResponse message URN (the shared vocabulary's `LIST_RESPONSE`).
pub use scimock_profile::vocab::LIST_RESPONSE as LIST_URN;

use crate::error::{ScimError, ScimResult};
use crate::projection::{self, Projection};
use crate::resource::Schemas;
use crate::store::{Kind, Stored};
use crate::vendor::VendorBehaviour;
use crate::violations::{Effect, note};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use scimock_profile::{ItemsPerPage, Profile, UrlStyle};
use serde_json::Value;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a rendered response is, kept in its extensions for the output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A JSON document in the profile's media type.
    Json,
    /// One resource (GET, or the answer to a write); `created` for a 201.
    Resource {
        /// True for the answer to a create.
        created: bool,
        /// What the resource is.
        kind: Kind,
    },
    /// A ListResponse of resources of one kind (`None`: the root query's, of every kind).
    List(Option<Kind>),
    /// A discovery endpoint's answer (its error answers too).
    Discovery(DiscoveryDoc),
    /// A unified facade's JSON answer.
    Unified,
    /// A unified facade's NDJSON stream.
    UnifiedStream,
    /// The 404 of a GET for an id that does not exist.
    MissingResource,
}

/// The discovery endpoints (RFC 7644 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscoveryDoc {
    /// `/ServiceProviderConfig` (or the profile's path for it).
    ServiceProviderConfig,
    /// `/Schemas` and `/Schemas/{id}`.
    Schemas,
    /// `/ResourceTypes` and `/ResourceTypes/{id}`.
    ResourceTypes,
}

/// What a resource is rendered for: where a profile leaves group members out of reads
/// (`groups.members_in_reads`, AWS D:W5), a read and the answer to a write differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// GET by id, a list or a search: what the vendor's reads return.
    Read,
    /// The answer to a write, or the admin API's view: the resource as stored.
    Stored,
}

/// The fields of a ListResponse around its resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// Matching resources in all pages; `None` on a cursor page of a profile that leaves
    /// `totalResults` out (`list.cursor.total_results`).
    pub total: Option<usize>,
    /// 1-based index of the first resource; `None` for cursor pages (RFC 9865 has none).
    pub start_index: Option<usize>,
    /// The page size asked for (after caps), for profiles whose itemsPerPage echoes it.
    pub requested: usize,
    /// RFC 9865 `nextCursor`.
    pub next_cursor: Option<String>,
    /// RFC 9865 `previousCursor`.
    pub previous_cursor: Option<String>,
}

/// How one tenant's answers look.
#[derive(Debug)]
pub struct Renderer {
    profile: Arc<Profile>,
    public_path: String,
    base_url: String,
    schemas: Arc<Schemas>,
    behaviour: Arc<dyn VendorBehaviour>,
    /// How many break switches are on: answers are tagged only then (a tag costs an
    /// allocation, and only the output layer of the switches reads it).
    switches_on: Arc<AtomicUsize>,
}

impl Renderer {
    /// The renderer of a tenant mounted at `public_path` (absolute: `base_url`);
    /// `switches_on` counts the break switches that are on.
    pub fn new(
        profile: Arc<Profile>,
        public_path: String,
        base_url: String,
        schemas: Arc<Schemas>,
        behaviour: Arc<dyn VendorBehaviour>,
        switches_on: Arc<AtomicUsize>,
    ) -> Renderer {
        Renderer {
            profile,
            public_path,
            base_url,
            schemas,
            behaviour,
            switches_on,
        }
    }

    /// Tags a response with what it is, while any break switch is on.
    pub fn tag(&self, mut resp: Response, output: Output) -> Response {
        if self.switches_on.load(Ordering::Relaxed) > 0 {
            resp.extensions_mut().insert(output);
        }
        resp
    }

    /// The profile it renders for.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// `attributes` / `excludedAttributes`, as far as the profile honours them.
    pub fn projection(
        &self,
        kind: Kind,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> ScimResult<Projection> {
        let p = &self.profile.projection;
        // Attio documents `excludedAttributes=members` on Groups only (D:A9).
        let group_excludes = kind == Kind::Group
            && self
                .profile
                .groups
                .as_ref()
                .is_some_and(|g| g.excluded_attributes);
        let a = attributes.filter(|_| p.attributes);
        let e = excluded.filter(|_| p.excluded_attributes || group_excludes);
        if attributes.is_some_and(|s| !s.trim().is_empty()) && a.is_none() {
            note(
                Effect::Altered,
                "projection.attributes",
                "attributes is ignored: the vendor returns whole resources",
            );
        }
        if excluded.is_some_and(|s| !s.trim().is_empty()) && e.is_none() {
            note(
                Effect::Altered,
                "projection.excluded_attributes",
                "excludedAttributes is ignored: the vendor returns whole resources",
            );
        }
        if p.mutually_exclusive && a.is_some() && e.is_some() {
            return Err(ScimError::invalid_value(
                "attributes and excludedAttributes are mutually exclusive",
            ));
        }
        Projection::parse(a, e)
    }

    /// The resource as JSON bytes for `view`: shaped for the profile, `returned: never` removed,
    /// projected. Without projection the read form is computed once per resource version and
    /// reused (while the store's render cache budget lasts); a stored form that differs from it
    /// (group members a profile leaves out of reads) is computed each time.
    pub fn resource(&self, kind: Kind, stored: &Stored, proj: &Projection, view: View) -> Bytes {
        let schema = self.schemas.of(kind);
        let differs = kind == Kind::Group && !self.members_in_reads();
        let cacheable = proj.is_empty() && !(differs && view == View::Stored);
        if cacheable {
            if let Some(b) = stored.rendered() {
                return b;
            }
        }
        let mut v = self.shape(kind, stored);
        if differs && view == View::Read {
            if let Some(o) = v.as_object_mut() {
                o.shift_remove("members");
            }
        }
        projection::strip_never(&mut v, schema);
        if !proj.is_empty() {
            v = projection::project(&v, proj, schema);
        }
        let b = Bytes::from(serde_json::to_vec(&v).unwrap_or_default());
        if cacheable {
            stored.keep_rendered(&b);
        }
        b
    }

    /// False where the profile leaves `members` out of group reads (`groups.members_in_reads`).
    fn members_in_reads(&self) -> bool {
        self.profile
            .groups
            .as_ref()
            .is_none_or(|g| g.members_in_reads)
    }

    /// The Content-Type of successful responses.
    pub fn media_type(&self) -> &str {
        &self.profile.media.response
    }

    /// A successful response with a JSON body.
    pub fn json(&self, status: StatusCode, body: impl Into<Bytes>) -> Response {
        let mut resp = Response::new(Body::from(body.into()));
        *resp.status_mut() = status;
        if let Some(v) = media_header(self.media_type()) {
            resp.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        self.tag(resp, Output::Json)
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
        view: View,
    ) -> Response {
        if status == StatusCode::NO_CONTENT {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            return r;
        }
        let created = status == StatusCode::CREATED;
        let mut resp = self.json(status, self.resource(kind, stored, proj, view));
        let h = resp.headers_mut();
        if self.profile.etag.supported {
            if let Ok(v) = HeaderValue::from_str(&stored.etag()) {
                h.insert(header::ETAG, v);
            }
        }
        if created {
            if let Ok(v) = HeaderValue::from_str(&self.location(kind, &stored.id)) {
                h.insert(header::LOCATION, v);
            }
        }
        self.tag(resp, Output::Resource { created, kind })
    }

    /// A ListResponse around already-rendered resources of `kind` (`None`: of every kind).
    pub fn list(&self, kind: Option<Kind>, resources: &[Bytes], env: &Envelope) -> Response {
        let resp = self.json(StatusCode::OK, self.envelope(resources, env));
        self.tag(resp, Output::List(kind))
    }

    /// The ListResponse body around already-rendered resources.
    pub fn envelope(&self, resources: &[Bytes], env: &Envelope) -> Vec<u8> {
        let list = &self.profile.list;
        let size: usize = resources.iter().map(Bytes::len).sum();
        let mut out: Vec<u8> = Vec::with_capacity(160 + size + resources.len());
        out.extend_from_slice(b"{\"schemas\":[\"");
        out.extend_from_slice(LIST_URN.as_bytes());
        out.extend_from_slice(b"\"]");
        if let Some(total) = env.total {
            let _ = write!(out, ",\"totalResults\":{total}");
        }
        if let Some(si) = env.start_index {
            let _ = write!(out, ",\"startIndex\":{si}");
        }
        let ipp = match list.items_per_page {
            ItemsPerPage::Returned => resources.len(),
            ItemsPerPage::Requested => env.requested.min(1_000_000),
        };
        let _ = write!(out, ",\"itemsPerPage\":{ipp}");
        // count=0 returns no resources "except for totalResults" (RFC 7644 §3.4.2.4); an empty
        // `Resources` still satisfies §3.4.2's "REQUIRED if totalResults is non-zero".
        if !(resources.is_empty() && list.omit_empty_resources) {
            out.extend_from_slice(b",\"Resources\":[");
            for (i, r) in resources.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(r);
            }
            out.push(b']');
        }
        if let Some(c) = &env.next_cursor {
            let _ = write!(out, ",\"nextCursor\":\"{c}\"");
        }
        if let Some(c) = &env.previous_cursor {
            let _ = write!(out, ",\"previousCursor\":\"{c}\"");
        }
        out.push(b'}');
        out
    }

    /// A `ScimError` in the profile's error format and content type.
    pub fn error(&self, e: &ScimError, instance: &str) -> Response {
        let errors = &self.profile.errors;
        e.render(errors, &errors.content_type, instance)
    }

    /// The URL of a resource in the profile's style.
    pub fn resource_url(&self, kind: Kind, id: &str, style: UrlStyle) -> String {
        match style {
            UrlStyle::Absolute => format!("{}/{}/{}", self.base_url, kind.endpoint(), id),
            UrlStyle::Relative => format!("{}/{}/{}", self.public_path, kind.endpoint(), id),
        }
    }

    /// The absolute URL of a resource (the `Location` header).
    pub fn location(&self, kind: Kind, id: &str) -> String {
        self.resource_url(kind, id, UrlStyle::Absolute)
    }
}

/// The `Content-Type` value for `media`; the usual ones without parsing or copying.
pub fn media_header(media: &str) -> Option<HeaderValue> {
    const KNOWN: [&str; 3] = ["application/scim+json", "application/json", "text/plain"];
    match KNOWN.iter().find(|k| **k == media) {
        Some(k) => Some(HeaderValue::from_static(k)),
        None => HeaderValue::from_str(media).ok(),
    }
}
