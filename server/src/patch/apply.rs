//! Operations onto a stored resource (RFC 7644 §3.5.2.1-3): each operation's target found
//! from its path (or, path-less, from each member of its value), inside the resource or one
//! of its extension objects, then written by `whole` or `elements`.

use super::guard::guard_remove;
use super::{PatchOp, PatchOpKind, path_label};
use crate::error::ScimError;
use crate::json::{Obj, canonicalize_key, find_key, get_ci};
use crate::schema::{AttrDef, ResourceSchemas, SchemaDef, WriteOptions, is_bare_urn, urn_path};
use axum::http::StatusCode;
use scimock_filter::{AttrPath, PatchPath, parse_attr_path};
use scimock_profile::{PatchSpec, UnknownAttributes};
use serde_json::{Map, Value};

/// Applies `ops` in order to `resource` (RFC 7644 §3.5.2.1-3) and returns the first error.
/// The caller passes a copy and keeps it only on success (all-or-nothing).
pub fn apply_patch(
    resource: &mut Value,
    ops: &[PatchOp],
    schemas: &ResourceSchemas,
    spec: &PatchSpec,
) -> Result<(), ScimError> {
    let Value::Object(obj) = resource else {
        return Err(ScimError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The stored resource is not a JSON object",
        ));
    };
    let patcher = Patcher {
        schemas,
        opts: WriteOptions {
            unknown: UnknownAttributes::Drop,
            string_booleans: spec.string_booleans,
        },
    };
    for op in ops {
        match unwrap_value_object(op, schemas, spec) {
            Some(unwrapped) => patcher.apply(obj, &unwrapped)?,
            None => patcher.apply(obj, op)?,
        }
    }
    Ok(())
}

/// `[{"value": x}]` on a single-valued path, read as `x` where the profile says so
/// (`patch.unwrap_value_objects`, Adra D:R6/D:R8); `None` when nothing is to unwrap.
fn unwrap_value_object(
    op: &PatchOp,
    schemas: &ResourceSchemas,
    spec: &PatchSpec,
) -> Option<PatchOp> {
    if !spec.unwrap_value_objects {
        return None;
    }
    let path = op.path.as_ref().filter(|p| p.filter.is_none())?;
    let def = schemas.lookup(&path.attr)?;
    if def.multi_valued || def.is_complex() {
        return None;
    }
    let [Value::Object(only)] = op.value.as_ref()?.as_array()?.as_slice() else {
        return None;
    };
    let (key, x) = only.iter().next().filter(|_| only.len() == 1)?;
    key.eq_ignore_ascii_case("value").then(|| PatchOp {
        value: Some(x.clone()),
        ..op.clone()
    })
}

/// One write at one target: the operation, its value and the target's name for errors.
#[derive(Debug, Clone, Copy)]
pub(super) struct Write<'v> {
    pub(super) kind: PatchOpKind,
    pub(super) value: Option<&'v Value>,
    pub(super) label: &'v str,
}

/// Applies operations with one resource type's schemas.
pub(super) struct Patcher<'a> {
    pub(super) schemas: &'a ResourceSchemas,
    pub(super) opts: WriteOptions,
}

impl Patcher<'_> {
    fn apply(&self, obj: &mut Obj, op: &PatchOp) -> Result<(), ScimError> {
        let Some(path) = &op.path else {
            let Some(Value::Object(members)) = &op.value else {
                return Err(match op.op {
                    PatchOpKind::Remove => ScimError::no_target("remove needs a \"path\""),
                    _ => ScimError::invalid_value(
                        "An operation without \"path\" needs a JSON object value",
                    ),
                });
            };
            for (key, v) in members {
                self.apply_key(obj, op.op, key, v)?;
            }
            return Ok(());
        };
        let label = op
            .raw_path
            .clone()
            .unwrap_or_else(|| path_label(&path.attr, path.sub.as_deref()));
        let w = Write {
            kind: op.op,
            value: op.value.as_ref(),
            label: &label,
        };
        self.apply_path(obj, path, w)
    }

    /// One member of a path-less value, applied as if its key were the path: plain names,
    /// dotted names (`name.givenName`), URN-qualified names and extension objects.
    fn apply_key(
        &self,
        obj: &mut Obj,
        kind: PatchOpKind,
        key: &str,
        v: &Value,
    ) -> Result<(), ScimError> {
        if key.eq_ignore_ascii_case("schemas") {
            return Ok(());
        }
        let attr = if self.schemas.extension(key).is_some() {
            urn_path(key)
        } else if key.contains('.') || key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        {
            match parse_attr_path(key) {
                Ok(p) => p,
                Err(_) if is_bare_urn(key) => urn_path(key),
                Err(e) => {
                    return Err(ScimError::invalid_path(format!(
                        "Invalid attribute name {key:?}: {e}"
                    )));
                }
            }
        } else {
            AttrPath {
                urn: None,
                name: key.to_string(),
                sub: None,
            }
        };
        let path = PatchPath {
            attr,
            filter: None,
            sub: None,
        };
        let w = Write {
            kind,
            value: Some(v),
            label: key,
        };
        self.apply_path(obj, &path, w)
    }

    fn apply_path(&self, obj: &mut Obj, path: &PatchPath, w: Write) -> Result<(), ScimError> {
        // `null` unassigns (RFC 7643 §2.5).
        let w = match w.value {
            Some(Value::Null) => Write {
                kind: PatchOpKind::Remove,
                value: None,
                ..w
            },
            _ => w,
        };
        let label = w.label;
        if path.attr.urn.is_none() && path.attr.name.eq_ignore_ascii_case("schemas") {
            return Err(ScimError::mutability(
                "\"schemas\" is set by the service provider",
            ));
        }
        let Some(r) = self.schemas.resolve(&path.attr) else {
            return Err(ScimError::invalid_path(format!(
                "'{label}' is not an attribute of {}",
                self.schemas.resource_type
            )));
        };
        let Some(def) = r.attr else {
            // A bare extension URN: the extension object.
            let ext = r
                .extension
                .ok_or_else(|| ScimError::invalid_path(format!("Unknown path '{label}'")))?;
            return self.apply_extension(obj, ext, w);
        };
        let Some(ext) = r.extension else {
            return self.apply_attr(obj, def, path, w);
        };
        let ext_key = match find_key(obj, &ext.id) {
            Some(k) => k,
            None if w.kind == PatchOpKind::Remove => return Ok(()),
            None => {
                obj.insert(ext.id.clone(), Value::Object(Map::new()));
                ext.id.clone()
            }
        };
        let result = match obj.get_mut(&ext_key) {
            Some(Value::Object(container)) => self.apply_attr(container, def, path, w),
            _ => Err(ScimError::invalid_value(format!(
                "The stored '{}' is not an object",
                ext.id
            ))),
        };
        if obj
            .get(&ext_key)
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
        {
            obj.shift_remove(&ext_key);
        }
        result
    }

    /// A whole extension object: `add`/`replace` merge its members, `remove` drops it.
    fn apply_extension(&self, obj: &mut Obj, ext: &SchemaDef, w: Write) -> Result<(), ScimError> {
        if w.kind == PatchOpKind::Remove {
            let Some(key) = find_key(obj, &ext.id) else {
                return Ok(());
            };
            let stored = obj.get(&key).cloned().unwrap_or(Value::Null);
            for def in &ext.attributes {
                let existing = get_ci(&stored, &def.name);
                guard_remove(def, existing, &format!("{}:{}", ext.id, def.name))?;
            }
            obj.shift_remove(&key);
            return Ok(());
        }
        let Some(Value::Object(members)) = w.value else {
            return Err(ScimError::invalid_value(format!(
                "'{}' needs a JSON object value",
                w.label
            )));
        };
        // `schemas` is a resource-level attribute (RFC 7643 §3); clients echo it inside
        // extension values, where it carries nothing. Ignored, as in a path-less value.
        for (k, v) in members
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("schemas"))
        {
            let (name, sub) = match k.split_once('.') {
                Some((n, s)) => (n.to_string(), Some(s.to_string())),
                None => (k.clone(), None),
            };
            let attr = AttrPath {
                urn: Some(ext.id.clone()),
                name,
                sub,
            };
            let path = PatchPath {
                attr,
                filter: None,
                sub: None,
            };
            let label = format!("{}:{k}", ext.id);
            let member = Write {
                kind: w.kind,
                value: Some(v),
                label: &label,
            };
            self.apply_path(obj, &path, member)?;
        }
        Ok(())
    }

    /// `def` inside `container` (the resource or an extension object).
    fn apply_attr(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        path: &PatchPath,
        w: Write,
    ) -> Result<(), ScimError> {
        canonicalize_key(container, &def.name);
        match (&path.filter, path.attr.sub.as_deref()) {
            (Some(filter), _) => {
                self.apply_filtered(container, def, filter, path.sub.as_deref(), w)
            }
            (None, Some(sub)) => self.apply_sub(container, def, sub, w),
            (None, None) => self.apply_whole(container, def, w),
        }
    }
}
