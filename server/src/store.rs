//! The only place that touches resources and their indexes.
//!
//! Users and Groups live in insertion order (so index pagination is a slice and a cursor
//! is a sequence number), with hash indexes for `eq` on `userName` and `emails.value`
//! (case-insensitive, RFC 7643 `caseExact: false`) and `externalId` (exact). Resources are
//! immutable `Arc`s holding a compact [`Doc`]: a write builds a new one, so readers never see
//! half an update. Locking is the caller's job (one `RwLock` per tenant).

use crate::clock;
use crate::doc::{Doc, DocBuilder, DocView};
use crate::generate::GeneratedUser;
use bytes::Bytes;
use indexmap::IndexMap;
use scimock_profile::Precision;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// The hasher of the store's maps: seeded per map like the standard one, several times faster
/// than SipHash on ids and user names (every look-up and every insert at start-up hashes one).
type Hasher = foldhash::fast::RandomState;

/// A hash index from a (folded) attribute value.
type Index<V> = HashMap<Box<str>, V, Hasher>;

/// The ids under one index key: nearly always one, kept without an allocation of its own.
#[derive(Debug, Clone)]
enum Ids {
    One(Id),
    Many(Vec<Id>),
}

impl Ids {
    fn as_slice(&self) -> &[Id] {
        match self {
            Ids::One(id) => std::slice::from_ref(id),
            Ids::Many(ids) => ids,
        }
    }

    fn push(&mut self, id: Id) {
        match self {
            Ids::One(first) => *self = Ids::Many(vec![first.clone(), id]),
            Ids::Many(ids) => ids.push(id),
        }
    }
}

/// Files `id` under `key`; with `once`, not when it is there already.
fn add_to(map: &mut Index<Ids>, key: String, id: &Id, once: bool) {
    match map.entry(key.into_boxed_str()) {
        Entry::Occupied(mut e) => {
            if !(once && e.get().as_slice().contains(id)) {
                e.get_mut().push(id.clone());
            }
        }
        Entry::Vacant(e) => {
            e.insert(Ids::One(id.clone()));
        }
    }
}
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

/// A resource id.
pub type Id = Arc<str>;

/// The two resource types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl Kind {
    /// `meta.resourceType`.
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    /// The endpoint segment.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }
}

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
    /// A pending invite rather than an active member (Attio).
    pub invite: bool,
    /// The profile-shaped JSON without projection, kept after the first render while the
    /// process-wide [`RENDER_CACHE_BUDGET`] lasts.
    rendered: OnceLock<Bytes>,
}

/// Bytes of rendered JSON kept across all resources, so walking every page of a million users
/// cannot double the memory: past the budget, resources are rendered on each request instead.
pub const RENDER_CACHE_BUDGET: usize = 256 * 1024 * 1024;

static RENDER_CACHE_BYTES: AtomicUsize = AtomicUsize::new(0);

impl Stored {
    fn new(id: Id, seq: u64, version: u64, doc: Doc, invite: bool) -> Stored {
        Stored {
            id,
            seq,
            version,
            doc,
            invite,
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

fn etag_of(version: u64) -> String {
    format!("W/\"{version:x}\"")
}

/// Why a store operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No resource with that id.
    NotFound,
    /// A unique attribute (`userName`, or a group's `displayName`) is taken; carries the value.
    Duplicate(String),
    /// A group member id that is neither a user nor a group.
    UnknownMember(String),
    /// Beyond what the compact form holds (see [`crate::doc::TooLarge`]).
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
    /// Mark as a pending invite.
    pub invite: bool,
}

/// Resources read ahead together by [`Collection::scan`].
const SCAN_BATCH: usize = 16;

/// Collections at least this large are scanned on several threads (a thread costs tens of
/// microseconds; 20,000 resources take a few milliseconds).
pub const PARALLEL_SCAN_MIN: usize = 20_000;

/// The most threads one scan uses.
const MAX_SCAN_THREADS: usize = 4;

/// An insertion-ordered set of resources of one kind.
#[derive(Debug, Default)]
pub struct Collection {
    items: IndexMap<Id, Arc<Stored>, Hasher>,
}

impl Collection {
    /// Number of resources.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The resource with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Stored>> {
        self.items.get(id)
    }

    /// The resource at position `i` in insertion order.
    pub fn at(&self, i: usize) -> Option<&Arc<Stored>> {
        self.items.get_index(i).map(|(_, v)| v)
    }

    /// Resources in insertion order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<Stored>> + ExactSizeIterator {
        self.items.values()
    }

    /// The resources for which `keep` is true, in insertion order.
    ///
    /// Made for full scans, which are bound by memory latency: a resource is three dependent
    /// reads away (its `Stored`, then its document's nodes and text), each usually a cache
    /// miss. Resources are taken [`SCAN_BATCH`] at a time and the lines each will need are
    /// read for the whole batch first; those reads are independent of one another, so the
    /// processor overlaps their misses instead of waiting for them one resource at a time.
    /// Collections of [`PARALLEL_SCAN_MIN`] or more are split across the machine's cores.
    pub fn scan(&self, keep: impl Fn(&Stored) -> bool + Sync) -> Vec<Arc<Stored>> {
        let len = self.items.len();
        let threads = if len < PARALLEL_SCAN_MIN {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_SCAN_THREADS))
        };
        if threads == 1 {
            return self.scan_range(0, len, &keep);
        }
        let share = len.div_ceil(threads);
        std::thread::scope(|scope| {
            let keep = &keep;
            let others: Vec<_> = (1..threads)
                .map(|t| {
                    let (from, to) = ((t * share).min(len), ((t + 1) * share).min(len));
                    scope.spawn(move || self.scan_range(from, to, keep))
                })
                .collect();
            let mut out = self.scan_range(0, share.min(len), keep);
            for h in others {
                match h.join() {
                    Ok(part) => out.extend(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            out
        })
    }

    fn scan_range(
        &self,
        from: usize,
        to: usize,
        keep: &impl Fn(&Stored) -> bool,
    ) -> Vec<Arc<Stored>> {
        let mut out = Vec::new();
        for start in (from..to).step_by(SCAN_BATCH) {
            let Some(batch) = self.items.get_range(start..(start + SCAN_BATCH).min(to)) else {
                break;
            };
            let mut touched = 0u64;
            for s in batch.values() {
                touched ^= s.version;
            }
            for s in batch.values() {
                touched ^= s.doc.touch();
            }
            std::hint::black_box(touched);
            for s in batch.values() {
                if keep(s) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// The position of the first resource whose sequence number is `>= seq`.
    pub fn position_of_seq(&self, seq: u64) -> usize {
        let (mut lo, mut hi) = (0, self.items.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.items.get_index(mid) {
                Some((_, s)) if s.seq < seq => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }
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
    /// Accept a duplicate `userName` (the `create.allow-duplicates` break switch).
    pub allow_duplicate_user_names: bool,
    next_seq: u64,
    next_version: u64,
    /// Scratch space for building documents.
    builder: DocBuilder,
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

/// Case folding for `caseExact: false` index keys.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// [`fold`], without a copy when `s` is already folded.
fn folded(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(fold(s))
    }
}

fn emails_of(d: DocView<'_>) -> impl Iterator<Item = &str> {
    d.get("emails")
        .into_iter()
        .flat_map(DocView::elements)
        .filter_map(|e| e.get("value").and_then(DocView::str))
}

/// `meta.created` / `meta.lastModified` of a resource body.
fn meta_str<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get("meta").and_then(|m| m.get(k)).and_then(Value::as_str)
}

/// `meta.created` / `meta.lastModified` of a stored resource.
fn doc_meta_str<'a>(d: DocView<'a>, k: &str) -> Option<&'a str> {
    d.get("meta").and_then(|m| m.get(k)).and_then(DocView::str)
}

/// The `value` of each element of `attr` (`members`, `groups`).
fn values_of<'a>(d: DocView<'a>, attr: &str) -> impl Iterator<Item = &'a str> {
    d.get(attr)
        .into_iter()
        .flat_map(DocView::elements)
        .filter_map(|e| e.get("value").and_then(DocView::str))
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

    /// Ids whose indexed attribute equals `value` (folded where the attribute is case-insensitive).
    pub fn lookup(&self, attr: Indexed, value: &str) -> Vec<Id> {
        let fold = folded;
        match attr {
            Indexed::UserName => self
                .by_user_name
                .get(&*fold(value))
                .cloned()
                .into_iter()
                .collect(),
            Indexed::Email => ids_of(&self.by_email, &fold(value)),
            Indexed::ExternalId => ids_of(&self.by_external_id, value),
            Indexed::GroupName => ids_of(&self.by_group_name, &fold(value)),
        }
    }

    fn next_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }

    /// Builds the canonical document: `id` first, attributes, then `meta`.
    fn canonical(
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
    fn canonical_with(
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

    /// Created and lastModified from `meta` strings (now, and created, when absent or invalid).
    fn meta_times(
        created: Option<&str>,
        modified: Option<&str>,
    ) -> (OffsetDateTime, OffsetDateTime) {
        let created = created.and_then(clock::parse).unwrap_or_else(clock::now);
        (created, modified.and_then(clock::parse).unwrap_or(created))
    }

    /// Makes room for `n` more users (bulk loads: no rehashing on the way).
    pub fn reserve_users(&mut self, n: usize) {
        self.users.items.reserve(n);
        self.by_user_name.reserve(n);
        self.by_email.reserve(n + n / 2);
        self.by_external_id.reserve(n);
    }

    fn index_user(&mut self, s: &Stored) {
        if let Some(u) = s.str_attr("userName") {
            self.by_user_name
                .insert(fold(u).into_boxed_str(), s.id.clone());
        }
        for e in emails_of(s.view()) {
            add_to(&mut self.by_email, fold(e), &s.id, true);
        }
        if let Some(x) = s.str_attr("externalId") {
            add_to(&mut self.by_external_id, x.to_string(), &s.id, false);
        }
    }

    fn unindex_user(&mut self, s: &Stored) {
        if let Some(u) = s.str_attr("userName") {
            let k = fold(u);
            if self.by_user_name.get(k.as_str()) == Some(&s.id) {
                self.by_user_name.remove(k.as_str());
            }
        }
        for e in emails_of(s.view()) {
            remove_from(&mut self.by_email, &fold(e), &s.id);
        }
        if let Some(x) = s.str_attr("externalId") {
            remove_from(&mut self.by_external_id, x, &s.id);
        }
    }

    fn user_name_taken(&self, value: &Value, except: Option<&str>) -> Option<String> {
        self.name_taken(value.get("userName").and_then(Value::as_str), except)
    }

    fn name_taken(&self, user_name: Option<&str>, except: Option<&str>) -> Option<String> {
        if self.allow_duplicate_user_names {
            return None;
        }
        let u = user_name?;
        match self.by_user_name.get(fold(u).as_str()) {
            Some(id) if Some(&**id) != except => Some(u.to_string()),
            _ => None,
        }
    }

    fn group_name_taken(&self, value: &Value, except: Option<&str>) -> Option<String> {
        if !self.unique_group_names {
            return None;
        }
        let n = value.get("displayName").and_then(Value::as_str)?;
        let ids = self.by_group_name.get(fold(n).as_str())?;
        ids.as_slice()
            .iter()
            .any(|id| Some(&**id) != except)
            .then(|| n.to_string())
    }

    /// Inserts a user. `attrs` holds client attributes (no `meta`, `groups` is ignored).
    pub fn create_user(&mut self, attrs: Value, opts: Insert) -> Result<Arc<Stored>, StoreError> {
        if let Some(u) = self.user_name_taken(&attrs, None) {
            return Err(StoreError::Duplicate(u));
        }
        let id: Id = match opts.id {
            Some(id) if !self.users.items.contains_key(id.as_str()) => id.into(),
            Some(id) => return Err(StoreError::Duplicate(id)),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let (fc, fm) = Self::meta_times(
            meta_str(&attrs, "created"),
            meta_str(&attrs, "lastModified"),
        );
        let created = opts.created.unwrap_or(fc);
        let modified = opts.modified.unwrap_or(fm);
        let mut attrs = attrs;
        if let Some(o) = attrs.as_object_mut() {
            o.remove("groups");
        }
        let version = self.next_version();
        let doc = self.canonical(Kind::User, &id, &attrs, created, modified, version)?;
        Ok(self.insert_user(id, version, doc, opts.invite))
    }

    fn insert_user(&mut self, id: Id, version: u64, doc: Doc, invite: bool) -> Arc<Stored> {
        self.next_seq += 1;
        let stored = Arc::new(Stored::new(id.clone(), self.next_seq, version, doc, invite));
        self.index_user(&stored);
        self.users.items.insert(id, stored.clone());
        stored
    }

    /// Inserts a generated user straight from the generator, without a JSON body in between:
    /// the same checks and the same document as [`Store::create_user`] with
    /// [`GeneratedUser::to_value`] and its id.
    pub fn create_generated_user(&mut self, u: &GeneratedUser) -> Result<Arc<Stored>, StoreError> {
        if let Some(taken) = self.name_taken(Some(&u.user_name), None) {
            return Err(StoreError::Duplicate(taken));
        }
        if self.users.items.contains_key(u.id.as_str()) {
            return Err(StoreError::Duplicate(u.id.clone()));
        }
        let version = self.next_version();
        let write = |b: &mut DocBuilder| u.write_attributes(b);
        let doc = self.canonical_with(Kind::User, &u.id, write, u.created, u.created, version)?;
        Ok(self.insert_user(Id::from(u.id.as_str()), version, doc, false))
    }

    /// Replaces a user's attributes (keeps id, created, read-only `groups`, position).
    pub fn replace_user(
        &mut self,
        id: &str,
        attrs: Value,
        invite: bool,
    ) -> Result<Arc<Stored>, StoreError> {
        let old = self.users.get(id).cloned().ok_or(StoreError::NotFound)?;
        if let Some(u) = self.user_name_taken(&attrs, Some(id)) {
            return Err(StoreError::Duplicate(u));
        }
        let (created, _) = Self::meta_times(doc_meta_str(old.view(), "created"), None);
        let mut attrs = attrs;
        if let Some(o) = attrs.as_object_mut() {
            o.remove("groups");
            if let Some(g) = old.view().get("groups") {
                o.insert("groups".into(), g.to_value());
            }
        }
        let version = self.next_version();
        let doc = self.canonical(Kind::User, id, &attrs, created, clock::now(), version)?;
        let stored = Arc::new(Stored::new(old.id.clone(), old.seq, version, doc, invite));
        self.unindex_user(&old);
        self.index_user(&stored);
        self.users.items.insert(old.id.clone(), stored.clone());
        Ok(stored)
    }

    /// Deletes a user and removes it from every group.
    pub fn delete_user(&mut self, id: &str) -> Result<Arc<Stored>, StoreError> {
        let old = self
            .users
            .items
            .shift_remove(id)
            .ok_or(StoreError::NotFound)?;
        self.unindex_user(&old);
        let groups: Vec<Id> = values_of(old.view(), "groups").map(Id::from).collect();
        for gid in groups {
            if let Some(g) = self.groups.get(&gid).cloned() {
                let mut v = g.to_value();
                if let Some(members) = v.get_mut("members").and_then(Value::as_array_mut) {
                    members.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
                }
                self.rewrite_group(&g, v, true)?;
            }
        }
        Ok(old)
    }

    /// Replaces a stored group's canonical value in place (new version; `touch` bumps lastModified).
    fn rewrite_group(
        &mut self,
        old: &Arc<Stored>,
        mut value: Value,
        touch: bool,
    ) -> Result<Arc<Stored>, StoreError> {
        let version = self.next_version();
        if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
            meta.insert("version".into(), Value::String(etag_of(version)));
            if touch {
                meta.insert(
                    "lastModified".into(),
                    Value::String(clock::format(clock::now(), Precision::Micros)),
                );
            }
        }
        let doc = Doc::from_value(&value)?;
        let stored = Arc::new(Stored::new(old.id.clone(), old.seq, version, doc, false));
        self.groups.items.insert(old.id.clone(), stored.clone());
        Ok(stored)
    }

    /// Replaces a stored user's canonical value in place (new version, same lastModified).
    fn rewrite_user(&mut self, old: &Arc<Stored>, mut value: Value) -> Result<(), StoreError> {
        let version = self.next_version();
        if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
            meta.insert("version".into(), Value::String(etag_of(version)));
        }
        let doc = Doc::from_value(&value)?;
        let stored = Arc::new(Stored::new(
            old.id.clone(),
            old.seq,
            version,
            doc,
            old.invite,
        ));
        self.users.items.insert(old.id.clone(), stored);
        Ok(())
    }

    /// Checks members and fills in their `type`.
    fn check_members(&self, attrs: &mut Value, group_id: Option<&str>) -> Result<(), StoreError> {
        let Some(members) = attrs.get_mut("members").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        let mut seen = HashSet::new();
        members.retain(|m| {
            m.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| seen.insert(v.to_string()))
        });
        for m in members.iter_mut() {
            let Some(v) = m.get("value").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let kind = if self.users.get(&v).is_some() {
                "User"
            } else if self.groups.get(&v).is_some() && Some(v.as_str()) != group_id {
                "Group"
            } else {
                return Err(StoreError::UnknownMember(v));
            };
            if let Some(o) = m.as_object_mut() {
                o.entry("type")
                    .or_insert_with(|| Value::String(kind.into()));
            }
        }
        Ok(())
    }

    fn member_ids(d: DocView<'_>) -> HashSet<String> {
        values_of(d, "members").map(str::to_string).collect()
    }

    /// Recomputes `User.groups` for `user_ids`.
    fn sync_user_groups(
        &mut self,
        user_ids: impl IntoIterator<Item = String>,
    ) -> Result<(), StoreError> {
        let users: Vec<String> = user_ids.into_iter().collect();
        if users.is_empty() {
            return Ok(());
        }
        // Each group's members once, not once per user.
        let groups: Vec<(Value, HashSet<String>)> = self
            .groups
            .iter()
            .map(|g| {
                let mut e = Map::new();
                e.insert("value".into(), Value::String(g.id.to_string()));
                if let Some(d) = g.str_attr("displayName") {
                    e.insert("display".into(), Value::String(d.to_string()));
                }
                e.insert("type".into(), Value::String("direct".into()));
                (Value::Object(e), Self::member_ids(g.view()))
            })
            .collect();
        for uid in users {
            let Some(u) = self.users.get(&uid).cloned() else {
                continue;
            };
            let mine: Vec<Value> = groups
                .iter()
                .filter(|(_, members)| members.contains(&uid))
                .map(|(e, _)| e.clone())
                .collect();
            let current = u.view().get("groups").map(DocView::to_value);
            if current
                .as_ref()
                .and_then(Value::as_array)
                .map_or(mine.is_empty(), |c| *c == mine)
            {
                continue;
            }
            let mut v = u.to_value();
            if let Some(o) = v.as_object_mut() {
                let meta = o.shift_remove("meta");
                if mine.is_empty() {
                    o.shift_remove("groups");
                } else {
                    o.insert("groups".into(), Value::Array(mine));
                }
                if let Some(meta) = meta {
                    o.insert("meta".into(), meta);
                }
            }
            self.rewrite_user(&u, v)?;
        }
        Ok(())
    }

    /// Inserts a group; every member must exist.
    pub fn create_group(&mut self, attrs: Value, opts: Insert) -> Result<Arc<Stored>, StoreError> {
        let mut attrs = attrs;
        if let Some(n) = self.group_name_taken(&attrs, None) {
            return Err(StoreError::Duplicate(n));
        }
        self.check_members(&mut attrs, opts.id.as_deref())?;
        let id: Id = match opts.id {
            Some(id) if self.groups.get(&id).is_none() => id.into(),
            Some(id) => return Err(StoreError::Duplicate(id)),
            None => uuid::Uuid::new_v4().to_string().into(),
        };
        let (fc, fm) = Self::meta_times(
            meta_str(&attrs, "created"),
            meta_str(&attrs, "lastModified"),
        );
        let version = self.next_version();
        let doc = self.canonical(
            Kind::Group,
            &id,
            &attrs,
            opts.created.unwrap_or(fc),
            opts.modified.unwrap_or(fm),
            version,
        )?;
        self.next_seq += 1;
        let stored = Arc::new(Stored::new(id.clone(), self.next_seq, version, doc, false));
        if let Some(n) = stored.str_attr("displayName") {
            add_to(&mut self.by_group_name, fold(n), &id, false);
        }
        let members = Self::member_ids(stored.view());
        self.groups.items.insert(id, stored.clone());
        self.sync_user_groups(members)?;
        Ok(stored)
    }

    /// Replaces a group's attributes.
    pub fn replace_group(&mut self, id: &str, attrs: Value) -> Result<Arc<Stored>, StoreError> {
        let old = self.groups.get(id).cloned().ok_or(StoreError::NotFound)?;
        let mut attrs = attrs;
        if let Some(n) = self.group_name_taken(&attrs, Some(id)) {
            return Err(StoreError::Duplicate(n));
        }
        self.check_members(&mut attrs, Some(id))?;
        let (created, _) = Self::meta_times(doc_meta_str(old.view(), "created"), None);
        let version = self.next_version();
        let doc = self.canonical(Kind::Group, id, &attrs, created, clock::now(), version)?;
        let stored = Arc::new(Stored::new(old.id.clone(), old.seq, version, doc, false));
        if let Some(n) = old.str_attr("displayName") {
            remove_from(&mut self.by_group_name, &fold(n), &old.id);
        }
        if let Some(n) = stored.str_attr("displayName") {
            add_to(&mut self.by_group_name, fold(n), &old.id, false);
        }
        let (before, after) = (
            Self::member_ids(old.view()),
            Self::member_ids(stored.view()),
        );
        // Only users whose membership changed need a new `groups`, unless the group was renamed
        // (every member shows the group's display name).
        let affected: HashSet<String> =
            if old.str_attr("displayName") == stored.str_attr("displayName") {
                before.symmetric_difference(&after).cloned().collect()
            } else {
                before.union(&after).cloned().collect()
            };
        self.groups.items.insert(old.id.clone(), stored.clone());
        self.sync_user_groups(affected)?;
        Ok(stored)
    }

    /// Deletes a group (and removes it from groups that contain it).
    pub fn delete_group(&mut self, id: &str) -> Result<Arc<Stored>, StoreError> {
        let old = self
            .groups
            .items
            .shift_remove(id)
            .ok_or(StoreError::NotFound)?;
        if let Some(n) = old.str_attr("displayName") {
            remove_from(&mut self.by_group_name, &fold(n), &old.id);
        }
        let parents: Vec<Arc<Stored>> = self
            .groups
            .iter()
            .filter(|g| values_of(g.view(), "members").any(|m| m == id))
            .cloned()
            .collect();
        for g in parents {
            let mut v = g.to_value();
            if let Some(members) = v.get_mut("members").and_then(Value::as_array_mut) {
                members.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
            }
            self.rewrite_group(&g, v, true)?;
        }
        self.sync_user_groups(Self::member_ids(old.view()))?;
        Ok(old)
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
            allow_duplicate_user_names: self.allow_duplicate_user_names,
            ..Store::default()
        }
    }

    /// True when a user with this `userName` (case-insensitively) or this id exists.
    pub fn has_user(&self, user_name: &str, id: Option<&str>) -> bool {
        !self.lookup(Indexed::UserName, user_name).is_empty()
            || id.is_some_and(|i| self.users.get(i).is_some())
    }
}

fn remove_from(map: &mut Index<Ids>, key: &str, id: &Id) {
    let Some(ids) = map.get_mut(key) else {
        return;
    };
    match ids {
        Ids::One(x) if x == id => {
            map.remove(key);
        }
        Ids::One(_) => {}
        Ids::Many(v) => {
            v.retain(|x| x != id);
            match v.len() {
                0 => {
                    map.remove(key);
                }
                1 => *ids = Ids::One(v[0].clone()),
                _ => {}
            }
        }
    }
}

/// The ids filed under `key`.
fn ids_of(map: &Index<Ids>, key: &str) -> Vec<Id> {
    map.get(key)
        .map(|ids| ids.as_slice().to_vec())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn user(name: &str) -> Value {
        json!({"userName": name, "emails": [{"value": format!("{name}@Example.com")}], "externalId": format!("x-{name}")})
    }

    #[test]
    fn user_name_is_unique_case_insensitively() {
        let mut s = Store::new();
        s.create_user(user("alice"), Insert::default()).unwrap();
        assert_eq!(
            s.create_user(user("ALICE"), Insert::default()).unwrap_err(),
            StoreError::Duplicate("ALICE".into())
        );
    }

    #[test]
    fn indexes_follow_replace_and_delete() {
        let mut s = Store::new();
        let a = s.create_user(user("alice"), Insert::default()).unwrap();
        assert_eq!(
            s.lookup(Indexed::Email, "ALICE@example.COM"),
            vec![a.id.clone()]
        );
        assert_eq!(s.lookup(Indexed::ExternalId, "x-alice"), vec![a.id.clone()]);
        assert!(s.lookup(Indexed::ExternalId, "X-ALICE").is_empty());
        s.replace_user(&a.id, user("alicia"), false).unwrap();
        assert!(s.lookup(Indexed::UserName, "alice").is_empty());
        assert_eq!(s.lookup(Indexed::UserName, "Alicia"), vec![a.id.clone()]);
        s.delete_user(&a.id).unwrap();
        assert!(s.lookup(Indexed::UserName, "alicia").is_empty());
        assert!(s.lookup(Indexed::Email, "alicia@example.com").is_empty());
    }

    #[test]
    fn indexes_hold_several_ids_per_key_and_drop_them_one_by_one() {
        let mut s = Store::new();
        let shared = |n: &str| json!({"userName": n, "externalId": "x", "emails": [{"value": "Team@Example.com"}, {"value": "team@example.com"}]});
        let a = s.create_user(shared("a"), Insert::default()).unwrap();
        let b = s.create_user(shared("b"), Insert::default()).unwrap();
        let c = s.create_user(shared("c"), Insert::default()).unwrap();
        assert_eq!(
            s.lookup(Indexed::Email, "TEAM@example.com"),
            vec![a.id.clone(), b.id.clone(), c.id.clone()]
        );
        s.delete_user(&b.id).unwrap();
        assert_eq!(
            s.lookup(Indexed::ExternalId, "x"),
            vec![a.id.clone(), c.id.clone()]
        );
        s.delete_user(&a.id).unwrap();
        assert_eq!(
            s.lookup(Indexed::Email, "team@example.com"),
            vec![c.id.clone()]
        );
        s.delete_user(&c.id).unwrap();
        assert!(s.lookup(Indexed::ExternalId, "x").is_empty());
        assert!(s.by_email.is_empty() && s.by_external_id.is_empty());
    }

    #[test]
    fn replace_keeps_position_created_and_bumps_version() {
        let mut s = Store::new();
        let a = s.create_user(user("a"), Insert::default()).unwrap();
        s.create_user(user("b"), Insert::default()).unwrap();
        let a2 = s.replace_user(&a.id, user("a2"), false).unwrap();
        assert_eq!(s.users.at(0).unwrap().id, a.id);
        assert_ne!(a.etag(), a2.etag());
        assert_eq!(
            a.to_value()["meta"]["created"],
            a2.to_value()["meta"]["created"]
        );
    }

    #[test]
    fn group_members_must_exist_and_user_groups_follow() {
        let mut s = Store::new();
        let a = s.create_user(user("a"), Insert::default()).unwrap();
        let bad = s.create_group(
            json!({"displayName": "g", "members": [{"value": "nope"}]}),
            Insert::default(),
        );
        assert_eq!(bad.unwrap_err(), StoreError::UnknownMember("nope".into()));
        let g = s
            .create_group(
                json!({"displayName": "g", "members": [{"value": &*a.id}]}),
                Insert::default(),
            )
            .unwrap();
        let a_now = s.users.get(&a.id).unwrap().to_value();
        assert_eq!(a_now["groups"][0]["value"], json!(&*g.id));
        assert_eq!(a_now["groups"][0]["display"], json!("g"));
        s.delete_user(&a.id).unwrap();
        assert_eq!(
            s.groups.get(&g.id).unwrap().to_value()["members"],
            json!([])
        );
    }

    #[test]
    fn deleting_a_group_clears_user_groups() {
        let mut s = Store::new();
        let a = s.create_user(user("a"), Insert::default()).unwrap();
        let g = s
            .create_group(
                json!({"displayName": "g", "members": [{"value": &*a.id}]}),
                Insert::default(),
            )
            .unwrap();
        s.delete_group(&g.id).unwrap();
        assert!(s.users.get(&a.id).unwrap().view().get("groups").is_none());
    }

    #[test]
    fn position_of_seq_finds_the_next_resource_after_deletes() {
        let mut s = Store::new();
        let ids: Vec<Id> = (0..10)
            .map(|i| {
                s.create_user(user(&format!("u{i}")), Insert::default())
                    .unwrap()
                    .id
                    .clone()
            })
            .collect();
        let seq5 = s.users.get(&ids[5]).unwrap().seq;
        s.delete_user(&ids[5]).unwrap();
        let p = s.position_of_seq_for_test(seq5);
        assert_eq!(s.users.at(p).unwrap().id, ids[6]);
    }

    #[test]
    fn scan_keeps_matches_in_order_across_batch_edges() {
        let mut s = Store::new();
        for i in 0..(3 * SCAN_BATCH + 5) {
            s.create_user(user(&format!("u{i}")), Insert::default())
                .unwrap();
        }
        let odd = |st: &Stored| st.seq % 2 == 1;
        let want: Vec<Id> = s
            .users
            .iter()
            .filter(|st| odd(st))
            .map(|st| st.id.clone())
            .collect();
        let got: Vec<Id> = s.users.scan(odd).iter().map(|st| st.id.clone()).collect();
        assert_eq!(got, want);
        assert_eq!(s.users.scan(|_| true).len(), s.users.len());
        assert!(Store::new().users.scan(|_| true).is_empty());
    }

    #[test]
    fn parallel_scan_keeps_matches_in_order() {
        let mut s = Store::new();
        s.reserve_users(PARALLEL_SCAN_MIN + 7);
        for i in 0..PARALLEL_SCAN_MIN + 7 {
            s.create_user(
                json!({"userName": format!("u{i}"), "title": if i % 1000 == 3 { "x" } else { "y" }}),
                Insert::default(),
            )
            .unwrap();
        }
        let x = |st: &Stored| st.str_attr("title") == Some("x");
        let want: Vec<Id> = s
            .users
            .iter()
            .filter(|st| x(st))
            .map(|st| st.id.clone())
            .collect();
        let got: Vec<Id> = s.users.scan(x).iter().map(|st| st.id.clone()).collect();
        assert_eq!(got.len(), 21);
        assert_eq!(got, want);
        assert_eq!(s.users.scan(|_| true).len(), s.users.len());
    }

    impl Store {
        fn position_of_seq_for_test(&self, seq: u64) -> usize {
            self.users.position_of_seq(seq)
        }
    }
}
