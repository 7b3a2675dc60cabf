//! Loading a state file without building it as one `Value`: each user is parsed and moved into
//! a fresh store as it is read, so a million users load in the store's own memory plus the
//! file's bytes (a `Value` of the whole file took five times the store).

use super::{FORMAT, StateError, bytes_of};
use crate::seed;
use crate::store::Store;
use crate::tenant::Tenant;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A state file read for loading.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The mount the file records (none in files of earlier versions).
    pub mount: Option<Value>,
    /// Every tenant the file holds: its mount path and vendor.
    pub held: Vec<(String, String)>,
    /// The content for the mounted tenants, built aside: (position in the tenants, store).
    stores: Vec<(usize, Store)>,
}

impl Loaded {
    /// Swaps the loaded content into the tenants it was read for.
    pub fn install(self, tenants: &[Arc<Tenant>]) {
        for (i, store) in self.stores {
            if let Some(t) = tenants.get(i) {
                *t.write() = store;
            }
        }
    }
}

/// Reads the state file at `path` and loads the tenants it holds for `tenants` (matched by
/// mount path) into fresh stores; `Ok(None)` when there is no file. A file of another format or
/// of a mount other than `ours` is refused as soon as its header says so (scimock writes
/// `format`, `version` and `mount` before the tenants), before any content is loaded. Nothing
/// is installed: the caller checks a file without a recorded mount against the tenants.
pub fn load(
    path: &Path,
    tenants: &[Arc<Tenant>],
    ours: &Value,
) -> Result<Option<Loaded>, StateError> {
    let Some(bytes) = bytes_of(path)? else {
        return Ok(None);
    };
    let mut ctx = Ctx {
        tenants,
        ours,
        loaded: Loaded::default(),
        failure: None,
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let parsed = File(&mut ctx).deserialize(&mut de).and_then(|()| de.end());
    if let Some(failure) = ctx.failure.take() {
        return Err(failure.into_error(path, ours));
    }
    match parsed {
        Ok(()) => Ok(Some(ctx.loaded)),
        // Well-formed JSON of another shape is not a state file; anything else is torn.
        Err(e) if e.classify() == serde_json::error::Category::Data => Err(StateError::NotState {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(StateError::Corrupt {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Why a load stopped, beyond what the JSON parser says.
enum Failure {
    /// The file is JSON but not a scimock state file.
    NotState,
    /// The file has no `tenants`.
    NoTenants,
    /// The file records another mount.
    Foreign(Value),
    /// A tenant's content was refused.
    Restore(String, seed::LoadError),
}

impl Failure {
    fn into_error(self, path: &Path, ours: &Value) -> StateError {
        match self {
            Failure::Foreign(theirs) => super::foreign(path, &theirs, ours),
            Failure::NotState => StateError::NotState {
                path: path.to_path_buf(),
            },
            Failure::NoTenants => StateError::NoTenants,
            Failure::Restore(mount, source) => StateError::Restore { mount, source },
        }
    }
}

struct Ctx<'a> {
    tenants: &'a [Arc<Tenant>],
    ours: &'a Value,
    loaded: Loaded,
    failure: Option<Failure>,
}

impl Ctx<'_> {
    /// Records why the load stops and gives the parser an error to unwind with.
    fn fail<E: de::Error>(&mut self, why: Failure) -> E {
        self.failure = Some(why);
        E::custom("state file refused")
    }
}

/// The whole file: `{"format", "version", "mount", "tenants"}`, in any order.
struct File<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for File<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for File<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scimock state file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut format, mut version, mut tenants) = (false, false, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    format = map.next_value::<Value>()?.as_str() == Some(FORMAT);
                    if !format {
                        return Err(self.0.fail(Failure::NotState));
                    }
                }
                "version" => {
                    version = map.next_value::<Value>()? == json!(1);
                    if !version {
                        return Err(self.0.fail(Failure::NotState));
                    }
                }
                "mount" => {
                    let recorded: Value = map.next_value()?;
                    if &recorded != self.0.ours {
                        return Err(self.0.fail(Failure::Foreign(recorded)));
                    }
                    self.0.loaded.mount = Some(recorded);
                }
                "tenants" => {
                    tenants = true;
                    map.next_value_seed(Tenants(&mut *self.0))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !(format && version) {
            return Err(self.0.fail(Failure::NotState));
        }
        if !tenants {
            return Err(self.0.fail(Failure::NoTenants));
        }
        Ok(())
    }
}

/// `tenants`: mount path -> content.
struct Tenants<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for Tenants<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tenants<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the tenants by mount path")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(path) = map.next_key::<String>()? {
            let at = self.0.tenants.iter().position(|t| t.public_path == path);
            let vendor = map.next_value_seed(Content {
                ctx: &mut *self.0,
                at,
                path: &path,
            })?;
            self.0.loaded.held.push((path, vendor));
        }
        Ok(())
    }
}

/// One tenant's `{"vendor", "users", "groups"}`; loaded when `at` names a mounted tenant, only
/// its vendor read otherwise. Groups are added after the users, whatever the order in the file.
struct Content<'c, 'a, 'p> {
    ctx: &'c mut Ctx<'a>,
    at: Option<usize>,
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Content<'_, '_, '_> {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Content<'_, '_, '_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tenant's vendor, users and groups")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let tenant = self.at.and_then(|i| self.ctx.tenants.get(i)).cloned();
        let mut fresh = tenant.as_ref().map(|t| t.read().emptied());
        let (mut vendor, mut groups) = (String::from("?"), None);
        while let Some(key) = map.next_key::<String>()? {
            match (key.as_str(), fresh.as_mut(), tenant.as_ref()) {
                ("vendor", _, _) => {
                    if let Value::String(v) = map.next_value::<Value>()? {
                        vendor = v;
                    }
                }
                ("users", Some(store), Some(t)) => map.next_value_seed(Users {
                    ctx: &mut *self.ctx,
                    tenant: t,
                    store,
                    path: self.path,
                })?,
                ("groups", Some(_), _) => groups = Some(map.next_value::<Value>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let (Some(mut store), Some(at)) = (fresh, self.at) {
            if let Err(e) = seed::add_groups(&mut store, groups.as_ref()) {
                return Err(self.ctx.fail(Failure::Restore(self.path.to_string(), e)));
            }
            self.ctx.loaded.stores.push((at, store));
        }
        Ok(vendor)
    }
}

/// A tenant's `users`, each moved into the fresh store as soon as it is parsed.
struct Users<'c, 'a, 's, 'p> {
    ctx: &'c mut Ctx<'a>,
    tenant: &'s Tenant,
    store: &'s mut Store,
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Users<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Users<'_, '_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of users")
    }

    /// `"users": null` holds no users.
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some(n) = seq.size_hint() {
            self.store.reserve_users(n);
        }
        let mut i = 0;
        while let Some(user) = seq.next_element::<Value>()? {
            if let Err(e) = seed::add_user(&self.tenant.profile, self.store, i, user) {
                return Err(self.ctx.fail(Failure::Restore(self.path.to_string(), e)));
            }
            i += 1;
        }
        Ok(())
    }
}
