//! One stored resource ([`Stored`]): its compact document, version and sequence number, and
//! its cached rendering under a process-wide memory budget.

use super::Id;
use crate::doc::{Doc, DocView};
use bytes::Bytes;
use serde_json::Value;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One stored resource: its canonical JSON (compact) and bookkeeping.
#[derive(Debug)]
pub struct Stored {
    /// Resource id.
    pub id: Id,
    /// Insertion sequence number (stable order, cursor position).
    pub seq: u64,
    /// Version, unique across the store; the ETag is `W/"<hex>"`.
    pub version: u64,
    /// Canonical resource: `id`, attributes, `meta` {resourceType, created, lastModified, version}
    /// (timestamps in microseconds), and for users the read-only `groups`.
    pub doc: Doc,
    /// A pending account (invited, not yet joined). The store carries the flag and never
    /// interprets it; what it means is vendor behaviour (Attio's invites, `crate::vendor`).
    /// State files spell it [`crate::seed::PENDING_KEY`].
    pub pending: bool,
    /// The profile-shaped JSON without projection, kept after the first render while the
    /// process-wide [`RENDER_CACHE_BUDGET`] lasts.
    rendered: OnceLock<Bytes>,
}

/// Bytes of rendered JSON kept across all resources, so walking every page of a million users
/// cannot double the memory: past the budget, resources are rendered on each request instead.
pub const RENDER_CACHE_BUDGET: usize = 256 * 1024 * 1024;

static RENDER_CACHE_BYTES: AtomicUsize = AtomicUsize::new(0);

impl Stored {
    pub(super) fn new(id: Id, seq: u64, version: u64, doc: Doc, pending: bool) -> Stored {
        Stored {
            id,
            seq,
            version,
            doc,
            pending,
            rendered: OnceLock::new(),
        }
    }

    /// The weak ETag of this version.
    pub fn etag(&self) -> String {
        etag_of(self.version)
    }

    /// A view of the canonical resource (read it in place: filters, indexes, sort keys).
    #[inline]
    pub fn view(&self) -> DocView<'_> {
        self.doc.root()
    }

    /// The canonical resource as a `serde_json::Value` (a copy, for code that edits or shapes it).
    pub fn to_value(&self) -> Value {
        self.doc.to_value()
    }

    /// A string attribute at the top level.
    pub fn str_attr(&self, name: &str) -> Option<&str> {
        self.view().get(name).and_then(DocView::str)
    }

    /// The cached rendering, if there is one.
    pub fn rendered(&self) -> Option<Bytes> {
        self.rendered.get().cloned()
    }

    /// The length of the cached rendering, if there is one.
    pub fn rendered_len(&self) -> Option<usize> {
        self.rendered.get().map(Bytes::len)
    }

    /// Keeps `bytes` as this resource's rendering while the cache budget allows.
    pub fn keep_rendered(&self, bytes: &Bytes) {
        let len = bytes.len();
        let reserved = RENDER_CACHE_BYTES
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used + len <= RENDER_CACHE_BUDGET).then_some(used + len)
            })
            .is_ok();
        if reserved && self.rendered.set(bytes.clone()).is_err() {
            RENDER_CACHE_BYTES.fetch_sub(len, Ordering::Relaxed);
        }
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        if let Some(b) = self.rendered.get() {
            RENDER_CACHE_BYTES.fetch_sub(b.len(), Ordering::Relaxed);
        }
    }
}

/// The weak ETag of `version` (`W/"<hex>"`).
pub(super) fn etag_of(version: u64) -> String {
    format!("W/\"{version:x}\"")
}
