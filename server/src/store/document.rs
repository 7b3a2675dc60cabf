//! The canonical stored document of a resource: `id` first, the attributes, then `meta`
//! (resourceType, created, lastModified in microseconds, version), and the `meta` and
//! membership values read back from it.

use super::stored::etag_of;
use super::{Kind, Store, StoreError, Stored};
use crate::clock;
use crate::doc::{Doc, DocBuilder, DocView};
use scimock_profile::Precision;
use serde_json::Value;
use time::OffsetDateTime;

/// `meta.created` / `meta.lastModified` of a resource body.
pub(super) fn meta_str<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get("meta").and_then(|m| m.get(k)).and_then(Value::as_str)
}

/// `meta.created` / `meta.lastModified` of a stored resource.
pub(super) fn doc_meta_str<'a>(d: DocView<'a>, k: &str) -> Option<&'a str> {
    d.get("meta").and_then(|m| m.get(k)).and_then(DocView::str)
}

/// The `value` of each element of `attr` (`members`, `groups`).
pub(super) fn values_of<'a>(d: DocView<'a>, attr: &str) -> impl Iterator<Item = &'a str> {
    d.get(attr)
        .into_iter()
        .flat_map(DocView::elements)
        .filter_map(|e| e.get("value").and_then(DocView::str))
}

impl Store {
    pub(super) fn next_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }

    /// Builds the canonical document: `id` first, attributes, then `meta`.
    pub(super) fn canonical(
        &mut self,
        kind: Kind,
        id: &str,
        attrs: &Value,
        created: OffsetDateTime,
        modified: OffsetDateTime,
        version: u64,
    ) -> Result<Doc, StoreError> {
        let write = |b: &mut DocBuilder| {
            if let Some(obj) = attrs.as_object() {
                for (k, v) in obj {
                    if k != "id" && k != "meta" && k != "schemas" {
                        b.key(k);
                        b.value(v);
                    }
                }
            }
        };
        self.canonical_with(kind, id, write, created, modified, version)
    }

    /// [`Store::canonical`] with the attributes written by `write`.
    pub(super) fn canonical_with(
        &mut self,
        kind: Kind,
        id: &str,
        write: impl FnOnce(&mut DocBuilder),
        created: OffsetDateTime,
        modified: OffsetDateTime,
        version: u64,
    ) -> Result<Doc, StoreError> {
        let b = &mut self.builder;
        b.begin_object();
        b.key("id");
        b.string(id);
        write(b);
        b.key("meta");
        b.begin_object();
        b.key("resourceType");
        b.string(kind.resource_type());
        b.key("created");
        b.string(&clock::format(created, Precision::Micros));
        b.key("lastModified");
        b.string(&clock::format(modified, Precision::Micros));
        b.key("version");
        b.string(&etag_of(version));
        b.end();
        b.end();
        Ok(b.finish()?)
    }

    /// `meta.created` and `meta.lastModified` of a replacement of `old`: created kept,
    /// lastModified now (kept too while [`Store::keep_last_modified`]).
    pub(super) fn replaced_times(&self, old: &Stored) -> (OffsetDateTime, OffsetDateTime) {
        let created = doc_meta_str(old.view(), "created");
        let (created, kept) = Self::meta_times(created, doc_meta_str(old.view(), "lastModified"));
        (
            created,
            if self.keep_last_modified {
                kept
            } else {
                clock::now()
            },
        )
    }

    /// Created and lastModified from `meta` strings (now, and created, when absent or invalid).
    pub(super) fn meta_times(
        created: Option<&str>,
        modified: Option<&str>,
    ) -> (OffsetDateTime, OffsetDateTime) {
        let created = created.and_then(clock::parse).unwrap_or_else(clock::now);
        (created, modified.and_then(clock::parse).unwrap_or(created))
    }
}
