//! The only place that touches resources and their indexes.
//!
//! Users and Groups live in insertion order (so index pagination is a slice and a cursor
//! is a sequence number), with hash indexes for `eq` on `userName` and `emails.value`
//! (case-insensitive, RFC 7643 `caseExact: false`) and `externalId` (exact). Resources are
//! immutable `Arc`s holding a compact [`Doc`](crate::doc::Doc): a write builds a new one, so
//! readers never see half an update. Locking is the caller's job (one `RwLock` per tenant).
//!
//! - `stored`: one resource and its cached rendering; `collection`: the ordered set of one
//!   kind and its scan.
//! - `index`: the `eq` indexes and uniqueness; `document`: the canonical document.
//! - `users`, `groups`: the writes, keeping indexes and memberships in step.

mod collection;
mod document;
mod groups;
mod index;
mod stored;
mod users;

#[cfg(test)]
mod tests;

pub use collection::{Collection, PARALLEL_SCAN_MIN};
pub use index::fold;
pub use stored::{RENDER_CACHE_BUDGET, Stored};

/// The two resource types (the shared vocabulary's [`ResourceKind`](scimock_profile::vocab::ResourceKind)).
pub use scimock_profile::vocab::ResourceKind as Kind;

use crate::doc::DocBuilder;
use index::{Hasher, Ids, Index};
use std::sync::Arc;
use time::OffsetDateTime;

/// A resource id.
pub type Id = Arc<str>;

/// Why a store operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No resource with that id.
    #[error("no resource with that id")]
    NotFound,
    /// A unique attribute (`userName`, or a group's `displayName`) is taken; carries the value.
    #[error("{0:?} is already taken")]
    Duplicate(String),
    /// A group member id that is neither a user nor a group.
    #[error("member {0:?} is neither a user nor a group")]
    UnknownMember(String),
    /// Beyond what the compact form holds (see [`crate::doc::TooLarge`]).
    #[error("the resource is too large to store")]
    TooLarge,
}

impl From<crate::doc::TooLarge> for StoreError {
    fn from(_: crate::doc::TooLarge) -> StoreError {
        StoreError::TooLarge
    }
}

/// Options for inserting a resource.
#[derive(Debug, Default, Clone)]
pub struct Insert {
    /// Keep this id (fixtures, state files) instead of generating one.
    pub id: Option<String>,
    /// Keep these timestamps.
    pub created: Option<OffsetDateTime>,
    /// Keep this lastModified.
    pub modified: Option<OffsetDateTime>,
    /// Mark as a pending account (see [`Stored::pending`]).
    pub pending: bool,
}

/// Users, groups and their indexes.
#[derive(Debug, Default)]
pub struct Store {
    /// Users in insertion order.
    pub users: Collection,
    /// Groups in insertion order.
    pub groups: Collection,
    by_user_name: Index<Id>,
    by_email: Index<Ids>,
    by_external_id: Index<Ids>,
    by_group_name: Index<Ids>,
    /// Refuse a group `displayName` that another group has (Atlassian); RFC 7643 does not require it.
    pub unique_group_names: bool,
    /// How `userName` uniqueness is judged.
    pub user_names: UserNameUniqueness,
    /// Replacing a user or group keeps its `meta.lastModified` (the `meta.last-modified-frozen`
    /// break switch).
    pub keep_last_modified: bool,
    next_seq: u64,
    next_version: u64,
    /// Scratch space for building documents.
    builder: DocBuilder,
    /// What writes changed, while tracking is on (`--state`: the write log reads it).
    changes: Option<Changes>,
}

/// The resources writes changed since the last [`Store::take_changes`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The whole content was replaced (a reset or a load into an emptied store).
    pub replaced: bool,
    /// Resources written, created or deleted, in the order they were touched (may repeat).
    pub touched: Vec<(Kind, Id)>,
}

/// How `userName` uniqueness is judged. RFC 7643 §4.1.1: "unique across the service
/// provider's entire set of Users" and "case insensitive"; the others are break switches'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserNameUniqueness {
    /// Case-insensitively (RFC 7643 §4.1.1).
    #[default]
    CaseInsensitive,
    /// Case-exactly: a userName differing only in case is another one
    /// (`create.duplicate-case-sensitive`).
    CaseSensitive,
    /// Not at all (`create.allow-duplicates`).
    Off,
}

/// The attributes with an `eq` index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    /// `userName` (case-insensitive).
    UserName,
    /// `emails.value` (case-insensitive).
    Email,
    /// `externalId` (case-exact).
    ExternalId,
    /// Group `displayName` (case-insensitive).
    GroupName,
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// The collection of `kind`.
    pub fn collection(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        *self = self.emptied();
    }

    /// An empty store with this one's settings and counters (versions and sequence numbers keep
    /// growing, so ETags and cursors from before never match resources loaded after).
    pub fn emptied(&self) -> Store {
        Store {
            next_seq: self.next_seq,
            next_version: self.next_version,
            unique_group_names: self.unique_group_names,
            user_names: self.user_names,
            keep_last_modified: self.keep_last_modified,
            changes: self.changes.as_ref().map(|_| Changes {
                replaced: true,
                touched: Vec::new(),
            }),
            ..Store::default()
        }
    }

    /// The sequence and version counters: they move with every write, so equal counters at two
    /// moments mean nothing was written in between.
    pub fn counters(&self) -> (u64, u64) {
        (self.next_seq, self.next_version)
    }

    /// Starts recording which resources writes change (see [`Store::take_changes`]).
    pub fn track_changes(&mut self) {
        self.changes.get_or_insert_with(Changes::default);
    }

    /// What writes changed since the last call, when tracking is on and anything changed.
    pub fn take_changes(&mut self) -> Option<Changes> {
        let c = self.changes.as_mut()?;
        if !c.replaced && c.touched.is_empty() {
            return None;
        }
        Some(std::mem::take(c))
    }

    /// Records that a write changed the resource `id` of `kind`.
    fn touched(&mut self, kind: Kind, id: &Id) {
        // Once the whole content is replaced, the log writes all of it: no list needed.
        if let Some(c) = self.changes.as_mut().filter(|c| !c.replaced) {
            c.touched.push((kind, id.clone()));
        }
    }

    /// True when a user with this `userName` (case-insensitively) or this id exists.
    pub fn has_user(&self, user_name: &str, id: Option<&str>) -> bool {
        !self.lookup(Indexed::UserName, user_name).is_empty()
            || id.is_some_and(|i| self.users.get(i).is_some())
    }
}
