//! Writes to users: create (from a body or straight from the generator), replace, delete
//! (leaving every group it was in), and the in-place rewrite group changes cause.

use super::document::{meta_str, values_of};
use super::stored::etag_of;
use super::{Id, Insert, Kind, Store, StoreError, Stored};
use crate::doc::{Doc, DocBuilder};
use crate::generate::GeneratedUser;
use serde_json::Value;
use std::sync::Arc;

impl Store {
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
        Ok(self.insert_user(id, version, doc, opts.pending))
    }

    fn insert_user(&mut self, id: Id, version: u64, doc: Doc, pending: bool) -> Arc<Stored> {
        self.next_seq += 1;
        let stored = Arc::new(Stored::new(
            id.clone(),
            self.next_seq,
            version,
            doc,
            pending,
        ));
        self.index_user(&stored);
        self.touched(Kind::User, &id);
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

    /// Replaces a user's attributes (keeps id, created, read-only `groups`, position);
    /// `pending` marks a pending account (see [`Stored::pending`]).
    pub fn replace_user(
        &mut self,
        id: &str,
        attrs: Value,
        pending: bool,
    ) -> Result<Arc<Stored>, StoreError> {
        let old = self.users.get(id).cloned().ok_or(StoreError::NotFound)?;
        if let Some(u) = self.user_name_taken(&attrs, Some(id)) {
            return Err(StoreError::Duplicate(u));
        }
        let (created, modified) = self.replaced_times(&old);
        let mut attrs = attrs;
        if let Some(o) = attrs.as_object_mut() {
            o.remove("groups");
            if let Some(g) = old.view().get("groups") {
                o.insert("groups".into(), g.to_value());
            }
        }
        let version = self.next_version();
        let doc = self.canonical(Kind::User, id, &attrs, created, modified, version)?;
        let stored = Arc::new(Stored::new(old.id.clone(), old.seq, version, doc, pending));
        self.unindex_user(&old);
        self.index_user(&stored);
        self.touched(Kind::User, &old.id);
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
        self.touched(Kind::User, &old.id);
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

    /// Replaces a stored user's canonical value in place (new version, same lastModified).
    pub(super) fn rewrite_user(
        &mut self,
        old: &Arc<Stored>,
        mut value: Value,
    ) -> Result<(), StoreError> {
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
            old.pending,
        ));
        self.touched(Kind::User, &old.id);
        self.users.items.insert(old.id.clone(), stored);
        Ok(())
    }
}
