//! Writes to groups: create, replace, delete, with members checked against the store and
//! every affected user's read-only `groups` recomputed.

use super::document::{meta_str, values_of};
use super::index::{add_to, remove_from};
use super::stored::etag_of;
use super::{Id, Insert, Kind, Store, StoreError, Stored, fold};
use crate::clock;
use crate::doc::{Doc, DocView};
use scimock_profile::Precision;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

impl Store {
    /// Replaces a stored group's canonical value in place (new version; `touch` bumps lastModified).
    pub(super) fn rewrite_group(
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
        self.touched(Kind::Group, &old.id);
        self.groups.items.insert(old.id.clone(), stored.clone());
        Ok(stored)
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
        self.touched(Kind::Group, &id);
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
        let (created, modified) = self.replaced_times(&old);
        let version = self.next_version();
        let doc = self.canonical(Kind::Group, id, &attrs, created, modified, version)?;
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
        self.touched(Kind::Group, &old.id);
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
        self.touched(Kind::Group, &old.id);
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
}
