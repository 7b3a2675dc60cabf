//! `--state FILE`: the whole store as JSON, written atomically (temp file, fsync, rename) and
//! refused loudly when torn or corrupt, never silently replaced.

use crate::seed::{self, LoadError, PENDING_KEY};
use crate::tenant::Tenant;
use serde_json::{Map, Value, json};
use std::io::Write;
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
    /// The file could not be written.
    #[error("writing state file {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Everything the tenants hold.
pub fn snapshot(tenants: &[Arc<Tenant>]) -> Value {
    let mut out = Map::new();
    for t in tenants {
        let store = t.read();
        let users: Vec<Value> = store
            .users
            .iter()
            .map(|s| {
                let mut v = s.to_value();
                if s.pending {
                    v[PENDING_KEY] = Value::Bool(true);
                }
                v
            })
            .collect();
        let groups: Vec<Value> = store.groups.iter().map(|s| s.to_value()).collect();
        out.insert(
            t.public_path.clone(),
            json!({"vendor": t.profile.name, "users": users, "groups": groups}),
        );
    }
    json!({"format": FORMAT, "version": 1, "tenants": out})
}

/// Writes `doc` to `path` so that a crash leaves either the old file or the new one.
pub fn write_atomic(path: &Path, doc: &Value) -> std::io::Result<()> {
    // One writer at a time, each with its own temporary file: concurrent snapshots never
    // truncate or rename each other's half-written file.
    static WRITING: std::sync::Mutex<u64> = std::sync::Mutex::new(0);
    let mut n = WRITING.lock().unwrap_or_else(|e| e.into_inner());
    *n += 1;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), *n));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec(doc).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
