//! `--state FILE`: the whole store as JSON, written atomically (see [`crate::durable::files`])
//! and refused loudly when torn, corrupt or written for another mount, never silently replaced.
//!
//! The file records its mount: the `--vendor` choice and the base path of every tenant. A file
//! whose mount differs is refused (a generic file is not an attio tenant, and `--vendor all`
//! mounts other paths). Files written before the mount was recorded are accepted when the
//! tenants they hold are exactly the mounted ones (same paths, same vendors), with a warning.

use crate::seed::{self, LoadError};
use crate::store::Stored;
use crate::tenant::Tenant;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod load;
pub use load::{Loaded, load};

/// Marks the file format.
const FORMAT: &str = "scimock-state";

/// Why a state file could not be read, loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but cannot be read.
    #[error("cannot read state file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON (torn by a crash, or edited).
    #[error(
        "state file {} is corrupt or truncated ({source}); refusing to start so it is not overwritten. Move it away or fix it.",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The file is JSON but not a scimock state file.
    #[error(
        "{} is not a scimock state file (format {FORMAT}, version 1); refusing to start so it is not overwritten",
        path.display()
    )]
    NotState {
        /// The file.
        path: PathBuf,
    },
    /// The file has no `tenants`.
    #[error("state file has no tenants")]
    NoTenants,
    /// A tenant's content could not be loaded.
    #[error("state for {mount}: {source}")]
    Restore {
        /// The tenant's mount path.
        mount: String,
        /// Why.
        source: LoadError,
    },
    /// The file belongs to another mount (vendor choice or base paths).
    #[error(
        "state file {} belongs to another mount ({theirs}); this server mounts {ours}. Refusing to start so it is not overwritten: start with the options that wrote it, or pass another --state FILE",
        path.display()
    )]
    ForeignMount {
        /// The file.
        path: PathBuf,
        /// The mount the file records.
        theirs: String,
        /// The mount of this server.
        ours: String,
    },
    /// The `--state` path cannot be used (its directory is missing or not writable, it is a
    /// directory, or a dangling symlink).
    #[error("cannot use --state {}: {source}", path.display())]
    Unusable {
        /// The path as given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("writing state file {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The mount a state file belongs to: the `--vendor` choice and every tenant's base path.
pub fn mount(vendor: &str, tenants: &[Arc<Tenant>]) -> Value {
    let paths: Vec<&str> = tenants.iter().map(|t| t.public_path.as_str()).collect();
    json!({"vendor": vendor, "paths": paths})
}

/// A mount in words, for messages.
fn describe(mount: &Value) -> String {
    let vendor = mount.get("vendor").and_then(Value::as_str).unwrap_or("?");
    let paths: Vec<&str> = mount
        .get("paths")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    format!("--vendor {vendor} at {}", paths.join(", "))
}

/// What one tenant holds, taken under its read lock (the resources' `Arc`s only, a few
/// milliseconds for a million users) and serialised after the lock is released, so neither
/// readers nor writers wait for a snapshot.
struct Held {
    path: String,
    vendor: String,
    users: Vec<Arc<Stored>>,
    groups: Vec<Arc<Stored>>,
}

impl Held {
    fn take(t: &Tenant) -> Held {
        let store = t.read();
        Held {
            path: t.public_path.clone(),
            vendor: t.profile.name.clone(),
            users: store.users.iter().cloned().collect(),
            groups: store.groups.iter().cloned().collect(),
        }
    }
}

/// A state document, serialised resource by resource straight from the store's documents
/// (no `Value` of the whole store is ever built).
struct Snapshot<'a> {
    mount: &'a Value,
    held: Vec<Held>,
}

impl Snapshot<'_> {
    fn take<'a>(tenants: &[Arc<Tenant>], mount: &'a Value) -> Snapshot<'a> {
        Snapshot {
            mount,
            held: tenants.iter().map(|t| Held::take(t)).collect(),
        }
    }
}

impl Serialize for Snapshot<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("format", FORMAT)?;
        m.serialize_entry("version", &1)?;
        m.serialize_entry("mount", self.mount)?;
        m.serialize_entry("tenants", &Tenants(&self.held))?;
        m.end()
    }
}

struct Tenants<'a>(&'a [Held]);

impl Serialize for Tenants<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for h in self.0 {
            m.serialize_entry(&h.path, &TenantContent(h))?;
        }
        m.end()
    }
}

struct TenantContent<'a>(&'a Held);

impl Serialize for TenantContent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("vendor", &self.0.vendor)?;
        m.serialize_entry("users", &Resources(&self.0.users))?;
        m.serialize_entry("groups", &Resources(&self.0.groups))?;
        m.end()
    }
}

struct Resources<'a>(&'a [Arc<Stored>]);

impl Serialize for Resources<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| Resource(r)))
    }
}

/// A resource as the state file holds it: its document, and a pending account marked with
/// [`seed::PENDING_KEY`] (what [`crate::durable::log::resource_value`] builds as a `Value`).
struct Resource<'a>(&'a Stored);

impl Serialize for Resource<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let root = self.0.view();
        let mut m = s.serialize_map(Some(root.len() + usize::from(self.0.pending)))?;
        for (k, v) in root.members() {
            m.serialize_entry(k, &v)?;
        }
        if self.0.pending {
            m.serialize_entry(seed::PENDING_KEY, &true)?;
        }
        m.end()
    }
}

/// Everything the tenants hold, with the mount they belong to, as a `Value` (for replaying a
/// write log over the seeded content when there is no state file yet).
pub fn snapshot(tenants: &[Arc<Tenant>], mount: &Value) -> Value {
    serde_json::to_value(Snapshot::take(tenants, mount)).unwrap_or(Value::Null)
}

/// Writes everything the tenants hold to `path` so that a crash leaves either the old file or
/// the new one (see [`crate::durable::files::replace`]), streaming one resource at a time: memory stays at the store's own size plus a write buffer, and the
/// tenants are locked only while their resources' handles are copied.
pub fn save(path: &Path, tenants: &[Arc<Tenant>], mount: &Value) -> std::io::Result<()> {
    let doc = Snapshot::take(tenants, mount);
    crate::durable::files::replace(path, |w| {
        serde_json::to_writer(w, &doc).map_err(std::io::Error::other)
    })
}

/// The refusal of a file (`path`) recorded for mount `theirs` by a server mounting `ours`.
pub fn foreign(path: &Path, theirs: &Value, ours: &Value) -> StateError {
    StateError::ForeignMount {
        path: path.to_path_buf(),
        theirs: describe(theirs),
        ours: describe(ours),
    }
}

/// The tenants a state document holds: their mount paths and vendors.
pub fn held(doc: &Value) -> Vec<(String, String)> {
    doc.get("tenants")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(p, t)| {
            let v = t.get("vendor").and_then(Value::as_str).unwrap_or("?");
            (p.clone(), v.to_string())
        })
        .collect()
}

/// Checks that a file (at `path`, recording mount `recorded` and holding the tenants `held`)
/// belongs to this mount; `Ok(Some(warning))` for a file written before mounts were recorded
/// whose tenants are exactly the mounted ones.
pub fn check_mount(
    path: &Path,
    recorded: Option<&Value>,
    held: &[(String, String)],
    mount: &Value,
    tenants: &[Arc<Tenant>],
) -> Result<Option<String>, StateError> {
    let foreign = |theirs: String| StateError::ForeignMount {
        path: path.to_path_buf(),
        theirs,
        ours: describe(mount),
    };
    if let Some(recorded) = recorded {
        return if recorded == mount {
            Ok(None)
        } else {
            Err(foreign(describe(recorded)))
        };
    }
    let mut mounted: Vec<(String, String)> = tenants
        .iter()
        .map(|t| (t.public_path.clone(), t.profile.name.clone()))
        .collect();
    let mut sorted = held.to_vec();
    sorted.sort();
    mounted.sort();
    if sorted == mounted {
        Ok(Some(format!(
            "state file {} records no mount (written by an earlier scimock); its tenants match this one, so it is loaded and will be rewritten with the mount recorded",
            path.display()
        )))
    } else {
        let theirs: Vec<String> = held.iter().map(|(p, v)| format!("{v} at {p}")).collect();
        Err(foreign(format!("tenants {}", theirs.join(", "))))
    }
}

/// A state file's bytes; `Ok(None)` when it does not exist.
fn bytes_of(path: &Path) -> Result<Option<Vec<u8>>, StateError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Reads a state file: `Ok(None)` when it does not exist, an error naming the problem when it
/// is unreadable, torn, or not a scimock state file.
pub fn read(path: &Path) -> Result<Option<Value>, StateError> {
    let Some(bytes) = bytes_of(path)? else {
        return Ok(None);
    };
    let doc: Value = serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt {
        path: path.to_path_buf(),
        source,
    })?;
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT)
        || doc.get("version") != Some(&json!(1))
    {
        return Err(StateError::NotState {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(doc))
}

/// Loads a snapshot into tenants matched by mount path (consuming it: resources are moved into
/// the stores, not copied).
pub fn restore(mut doc: Value, tenants: &[Arc<Tenant>]) -> Result<(), StateError> {
    let Some(all) = doc.get_mut("tenants").and_then(Value::as_object_mut) else {
        return Err(StateError::NoTenants);
    };
    for t in tenants {
        if let Some(data) = all.get_mut(&t.public_path).map(Value::take) {
            seed::load_into(&t.profile, &mut t.write(), data, None).map_err(|source| {
                StateError::Restore {
                    mount: t.public_path.clone(),
                    source,
                }
            })?;
        }
    }
    Ok(())
}
