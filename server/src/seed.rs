//! Loading a tenant's content: fixtures, generated users (`--users N`), bulk loads
//! (`POST /_scimock/users`), resets and state files. Ids and meta timestamps given are kept,
//! vendor-generated attributes are filled in, and a load that fails changes nothing.

use crate::dotted::{dotted_in, generate, set_generated};
use crate::generate::Generator;
use crate::store::{Insert, Store, StoreError};
use scimock_profile::Profile;
use serde_json::Value;
use std::collections::HashSet;

/// The key that marks a user as a pending account ([`crate::store::Stored::pending`]) in a
/// state file or bulk load. It keeps its original spelling so existing state files load.
pub const PENDING_KEY: &str = "x-scimock-invite";

/// Why content could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The users are not a JSON array.
    #[error("expected a JSON array of users")]
    NotAnArray,
    /// A user without a string `userName`, found before anything was added.
    #[error("user #{0} has no userName (or is not a JSON object)")]
    Unnamed(usize),
    /// A user whose `userName` or id is taken (by the store or earlier in the batch).
    #[error("user #{index}: userName {user_name:?} or its id is already taken")]
    Taken {
        /// Position in the batch.
        index: usize,
        /// The `userName`.
        user_name: String,
    },
    /// A user that is not a JSON object.
    #[error("user #{0} is not a JSON object")]
    NotAnObject(usize),
    /// A user that has no `userName` once generated attributes are filled in.
    #[error("user #{0} has no userName")]
    NoUserName(usize),
    /// The store refused a user.
    #[error("user #{index}: {error:?}")]
    User {
        /// Position among the users loaded.
        index: usize,
        /// The store's refusal.
        error: StoreError,
    },
    /// The store refused a group.
    #[error("group {display_name}: {error:?}")]
    Group {
        /// The group's `displayName` (as JSON text).
        display_name: String,
        /// The store's refusal.
        error: StoreError,
    },
}

/// Replaces the store's content with `data` (`{"users": [...], "groups": [...]}`), keeping
/// given ids and timestamps, then adds `n` users generated from `seed`. Returns how many users
/// and groups were loaded.
pub fn load_into(
    profile: &Profile,
    store: &mut Store,
    mut data: Value,
    generated: Option<(usize, u64)>,
) -> Result<(usize, usize), LoadError> {
    // Built aside and swapped in whole: readers never see a half-loaded tenant, and a load
    // that fails leaves the previous content in place.
    let mut fresh = store.emptied();
    let users = data.get_mut("users").map(Value::take).unwrap_or_default();
    let counts = fill_with(profile, &mut fresh, users, &data, generated)?;
    *store = fresh;
    Ok(counts)
}

/// Loads the fixtures in `data` and `generated` users into `fresh` (an emptied store).
pub fn fill(
    profile: &Profile,
    fresh: &mut Store,
    data: &Value,
    generated: Option<(usize, u64)>,
) -> Result<(usize, usize), LoadError> {
    let users = data.get("users").cloned().unwrap_or_default();
    fill_with(profile, fresh, users, data, generated)
}

/// [`fill`] with the users given apart (owned, so a state file's million users are moved into
/// the store, not copied) and the groups read from `data`.
fn fill_with(
    profile: &Profile,
    fresh: &mut Store,
    users: Value,
    data: &Value,
    generated: Option<(usize, u64)>,
) -> Result<(usize, usize), LoadError> {
    let mut added = add_users(profile, fresh, users)?;
    if let Some((n, seed)) = generated {
        fresh.reserve_users(n);
        let mut g = Generator::new(profile, n, seed);
        let direct = g.complete();
        while let Some(u) = g.next_user() {
            if direct {
                fresh
                    .create_generated_user(&u)
                    .map_err(|error| LoadError::User {
                        index: added,
                        error,
                    })?;
            } else {
                add_user(profile, fresh, added, u.to_value())?;
            }
            added += 1;
        }
    }
    let groups = add_groups(fresh, data.get("groups"))?;
    let users = fresh.users.len();
    Ok((users, groups))
}

/// Adds the groups of a load (`groups`: an array; ids kept), after its users.
pub(crate) fn add_groups(store: &mut Store, groups: Option<&Value>) -> Result<usize, LoadError> {
    let mut added = 0;
    for g in groups.and_then(Value::as_array).into_iter().flatten() {
        let id = g.get("id").and_then(Value::as_str).map(str::to_string);
        store
            .create_group(
                g.clone(),
                Insert {
                    id,
                    ..Insert::default()
                },
            )
            .map_err(|error| LoadError::Group {
                display_name: g.get("displayName").unwrap_or(&Value::Null).to_string(),
                error,
            })?;
        added += 1;
    }
    Ok(added)
}

/// Adds users (fixture or bulk-load bodies: ids and meta timestamps kept, vendor-generated
/// attributes filled in). Fails on the first invalid one, having added none.
pub fn add_users(profile: &Profile, store: &mut Store, users: Value) -> Result<usize, LoadError> {
    let list = match users {
        Value::Null => return Ok(0),
        Value::Array(a) => a,
        _ => return Err(LoadError::NotAnArray),
    };
    // Validate the whole batch first, so a bad user refuses the load without adding any.
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    for (i, u) in list.iter().enumerate() {
        let name = u
            .get("userName")
            .and_then(Value::as_str)
            .ok_or(LoadError::Unnamed(i))?;
        let id = u.get("id").and_then(Value::as_str);
        if !names.insert(crate::store::fold(name))
            || !id.is_none_or(|i| ids.insert(i))
            || store.has_user(name, id)
        {
            return Err(LoadError::Taken {
                index: i,
                user_name: name.to_string(),
            });
        }
    }
    let n = list.len();
    for (i, u) in list.into_iter().enumerate() {
        add_user(profile, store, i, u)?;
    }
    Ok(n)
}

/// Adds user number `i` of a load (the number is for error messages).
pub(crate) fn add_user(
    profile: &Profile,
    store: &mut Store,
    i: usize,
    mut attrs: Value,
) -> Result<(), LoadError> {
    let id = attrs.get("id").and_then(Value::as_str).map(str::to_string);
    let pending = attrs.get(PENDING_KEY) == Some(&Value::Bool(true));
    let Some(o) = attrs.as_object_mut() else {
        return Err(LoadError::NotAnObject(i));
    };
    o.shift_remove(PENDING_KEY);
    for (path, generator) in &profile.writes.generated {
        if dotted_in(o, path).is_none() {
            set_generated(o, path, generate(generator));
        }
    }
    if attrs.get("userName").and_then(Value::as_str).is_none() {
        return Err(LoadError::NoUserName(i));
    }
    store
        .create_user(
            attrs,
            Insert {
                id,
                pending,
                ..Insert::default()
            },
        )
        .map_err(|error| LoadError::User { index: i, error })?;
    Ok(())
}
