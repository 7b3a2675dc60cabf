//! The `eq` indexes: `userName` (unique, folded), `emails.value` (folded), `externalId`
//! (exact) and group `displayName` (folded), and the uniqueness checks they answer.

use super::{Id, Indexed, Store, Stored, UserNameUniqueness};
use crate::doc::DocView;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The hasher of the store's maps: seeded per map like the standard one, several times faster
/// than SipHash on ids and user names (every look-up and every insert at start-up hashes one).
pub(super) type Hasher = foldhash::fast::RandomState;

/// A hash index from a (folded) attribute value.
pub(super) type Index<V> = HashMap<Box<str>, V, Hasher>;

/// The ids under one index key: nearly always one, kept without an allocation of its own.
#[derive(Debug, Clone)]
pub(super) enum Ids {
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
pub(super) fn add_to(map: &mut Index<Ids>, key: String, id: &Id, once: bool) {
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

/// Case folding for `caseExact: false` index keys.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// [`fold`], without a copy when `s` is already folded.
pub(super) fn folded(s: &str) -> Cow<'_, str> {
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

pub(super) fn remove_from(map: &mut Index<Ids>, key: &str, id: &Id) {
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
pub(super) fn ids_of(map: &Index<Ids>, key: &str) -> Vec<Id> {
    map.get(key)
        .map(|ids| ids.as_slice().to_vec())
        .unwrap_or_default()
}

impl Store {
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

    /// Makes room for `n` more users (bulk loads: no rehashing on the way).
    pub fn reserve_users(&mut self, n: usize) {
        self.users.items.reserve(n);
        self.by_user_name.reserve(n);
        self.by_email.reserve(n + n / 2);
        self.by_external_id.reserve(n);
    }

    pub(super) fn index_user(&mut self, s: &Stored) {
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

    pub(super) fn unindex_user(&mut self, s: &Stored) {
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

    pub(super) fn user_name_taken(&self, value: &Value, except: Option<&str>) -> Option<String> {
        self.name_taken(value.get("userName").and_then(Value::as_str), except)
    }

    pub(super) fn name_taken(
        &self,
        user_name: Option<&str>,
        except: Option<&str>,
    ) -> Option<String> {
        let u = user_name?;
        match self.user_names {
            UserNameUniqueness::Off => None,
            // The index holds one id per folded name, so variants are found by a scan (only
            // while the break switch is on).
            UserNameUniqueness::CaseSensitive => self
                .users
                .iter()
                .any(|s| Some(&*s.id) != except && s.str_attr("userName") == Some(u))
                .then(|| u.to_string()),
            UserNameUniqueness::CaseInsensitive => match self.by_user_name.get(fold(u).as_str()) {
                Some(id) if Some(&**id) != except => Some(u.to_string()),
                _ => None,
            },
        }
    }

    pub(super) fn group_name_taken(&self, value: &Value, except: Option<&str>) -> Option<String> {
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
}
