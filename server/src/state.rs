//! `--state FILE`: the whole store as JSON, written atomically (see [`crate::durable::files`])
//! and refused loudly when torn, corrupt or written for another mount, never silently replaced.
//!
//! The file records its mount: the `--vendor` choice and the base path of every tenant. A file
//! whose mount differs is refused (a generic file is not an attio tenant, and `--vendor all`
//! mounts other paths). Files written before the mount was recorded are accepted when the
//! tenants they hold are exactly the mounted ones (same paths, same vendors), with a warning.

use crate::seed::{self, LoadError};
use crate::tenant::Tenant;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Everything the tenants hold, with the mount they belong to.
pub fn snapshot(tenants: &[Arc<Tenant>], mount: &Value) -> Value {
    let mut out = Map::new();
    for t in tenants {
        let store = t.read();
        let users: Vec<Value> = store
            .users
            .iter()
            .map(|s| crate::durable::log::resource_value(s))
            .collect();
        let groups: Vec<Value> = store.groups.iter().map(|s| s.to_value()).collect();
        out.insert(
            t.public_path.clone(),
            json!({"vendor": t.profile.name, "users": users, "groups": groups}),
        );
    }
    json!({"format": FORMAT, "version": 1, "mount": mount, "tenants": out})
}

/// The refusal of a file (`path`) recorded for mount `theirs` by a server mounting `ours`.
pub fn foreign(path: &Path, theirs: &Value, ours: &Value) -> StateError {
    StateError::ForeignMount {
        path: path.to_path_buf(),
        theirs: describe(theirs),
        ours: describe(ours),
    }
}

/// Checks that `doc` belongs to this mount; `Ok(Some(warning))` for a file written before
/// mounts were recorded whose tenants are exactly the mounted ones.
pub fn check_mount(
    path: &Path,
    doc: &Value,
    mount: &Value,
    tenants: &[Arc<Tenant>],
) -> Result<Option<String>, StateError> {
    let foreign = |theirs: String| StateError::ForeignMount {
        path: path.to_path_buf(),
        theirs,
        ours: describe(mount),
    };
    if let Some(recorded) = doc.get("mount") {
        return if recorded == mount {
            Ok(None)
        } else {
            Err(foreign(describe(recorded)))
        };
    }
    let held: Vec<(String, String)> = doc
        .get("tenants")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(p, t)| {
            let v = t.get("vendor").and_then(Value::as_str).unwrap_or("?");
            (p.clone(), v.to_string())
        })
        .collect();
    let mut mounted: Vec<(String, String)> = tenants
        .iter()
        .map(|t| (t.public_path.clone(), t.profile.name.clone()))
        .collect();
    let mut sorted = held.clone();
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

/// Writes `doc` to `path` so that a crash leaves either the old file or the new one (an
/// exclusively created temporary file with mode 0600, fsynced and renamed over it).
pub fn write_atomic(path: &Path, doc: &Value) -> std::io::Result<()> {
    crate::durable::files::replace(path, |w| {
        serde_json::to_writer(w, doc).map_err(std::io::Error::other)
    })
}

/// Reads a state file: `Ok(None)` when it does not exist, an error naming the problem when it
/// is unreadable, torn, or not a scimock state file.
pub fn read(path: &Path) -> Result<Option<Value>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
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

/// Loads a snapshot into tenants matched by mount path.
pub fn restore(doc: &Value, tenants: &[Arc<Tenant>]) -> Result<(), StateError> {
    let Some(all) = doc.get("tenants").and_then(Value::as_object) else {
        return Err(StateError::NoTenants);
    };
    for t in tenants {
        if let Some(data) = all.get(&t.public_path) {
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
