//! PATCH (RFC 7644 §3.5.2): parsing the request body with a vendor's leniency
//! ([`PatchSpec`]) and applying the operations to a stored resource.
//!
//! Choices where the RFC leaves room (each one is tested):
//! - An `op` other than `add`/`remove`/`replace` (or one in the wrong case for a strict
//!   profile) is 400 `invalidSyntax`: §3.5.2 lists the three values and Table 9 gives
//!   `invalidSyntax` to a body that does "not conform to the request schema".
//! - A path naming an attribute the schema does not have is 400 `invalidPath` (Table 9:
//!   "the path attribute was invalid"); `noTarget` is kept for a value filter matching nothing
//!   on `replace` (§3.5.2.3) and for a path-less `remove` (§3.5.2.2).
//! - `remove` with a value filter that matches nothing succeeds (the state asked for holds).
//! - `remove` of a multi-valued attribute with a `value` removes just those values (what Entra
//!   ID and Okta send for group members).
//! - `add` with a value filter that matches nothing appends a new element built from the
//!   filter's `eq` comparisons (`emails[type eq "work"].value` creates a work email, as Entra
//!   ID expects); any other filter gives `noTarget`.
//! - `value: null` on `replace` (or a `null` member of a path-less value) unassigns the target
//!   (RFC 7643 §2.5).
//! - A single value given for a multi-valued attribute is taken as a one-element array; a
//!   string given for a complex attribute with a `value` sub-attribute (`manager`) is its
//!   `value`.
//! - Writing a read-only attribute with the value it already has is a no-op (§3.5.2.1: no
//!   change, success), so Okta's path-less `{"id": ..., "displayName": ...}` works; any other
//!   write is 400 `mutability`. `schemas` in a path-less value is ignored (the server
//!   recomputes it); as an explicit path it is 400 `mutability`.
//! - Read-only sub-attributes inside a complex value (`manager.displayName`) are ignored as
//!   in a PUT body, and unknown ones dropped.

// `ScimError` is the crate-wide error (error.rs); its size is that module's call.
#![allow(clippy::result_large_err)]

use crate::error::ScimError;
use crate::schema::{
    AttrDef, Mutability, ResourceSchemas, SchemaDef, WriteOptions, check_depth, check_one_primary,
    check_value, find_key, get_ci, has_value, is_bare_urn, is_primary, lookup_sub, urn_path,
    values_equal,
};
use axum::http::StatusCode;
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, CompValue, CompareOp, CompiledFilter, Filter, PatchPath,
    SchemaInfo, parse_attr_path, parse_patch_path,
};
use scimock_profile::{PatchSpec, UnknownAttributes};
use serde_json::{Map, Value};

/// RFC 7644 §3.5.2 PATCH request message URN.
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The three PATCH operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// §3.5.2.1
    Add,
    /// §3.5.2.2
    Remove,
    /// §3.5.2.3
    Replace,
}

impl PatchOpKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }

    fn parse(op: &str, case_insensitive: bool) -> Option<PatchOpKind> {
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|k| {
                if case_insensitive {
                    k.as_str().eq_ignore_ascii_case(op)
                } else {
                    k.as_str() == op
                }
            })
    }
}

/// One parsed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    /// The operation.
    pub op: PatchOpKind,
    /// The parsed path (`None`: the resource itself).
    pub path: Option<PatchPath>,
    /// The path as the client sent it.
    pub raw_path: Option<String>,
    /// The value (JSON-string values already decoded when the profile says so).
    pub value: Option<Value>,
}

/// Parses a PATCH body with the vendor's leniency. Errors are 400 with the RFC 7644 Table 9
/// `scimType` (see the module documentation for the choices).
pub fn parse_patch_body(body: &Value, spec: &PatchSpec) -> Result<Vec<PatchOp>, ScimError> {
    check_depth(body)?;
    let ops = match body {
        Value::Array(ops) if spec.bare_array => ops,
        Value::Object(m) => {
            match get_ci(body, "schemas") {
                None if spec.schemas_required => {
                    return Err(ScimError::invalid_syntax(format!(
                        "The PATCH body must have \"schemas\": [\"{PATCH_OP_URN}\"]"
                    )));
                }
                None => {}
                Some(s) if lists_patch_urn(s) => {}
                Some(_) => {
                    return Err(ScimError::invalid_syntax(format!(
                        "\"schemas\" must contain \"{PATCH_OP_URN}\""
                    )));
                }
            }
            let Some(ops) = spec.operations_keys.iter().find_map(|k| m.get(k)) else {
                return Err(ScimError::invalid_syntax(format!(
                    "The PATCH body must have an \"{}\" array",
                    spec.operations_keys
                        .first()
                        .map_or("Operations", String::as_str)
                )));
            };
            let Value::Array(ops) = ops else {
                return Err(ScimError::invalid_syntax(
                    "\"Operations\" must be a JSON array",
                ));
            };
            ops
        }
        _ => {
            return Err(ScimError::invalid_syntax(
                "The PATCH body must be a JSON object with \"schemas\" and \"Operations\"",
            ));
        }
    };
    if ops.is_empty() {
        return Err(ScimError::invalid_syntax(
            "\"Operations\" must hold at least one operation",
        ));
    }
    ops.iter()
        .enumerate()
        .map(|(i, op)| parse_op(i, op, spec))
        .collect()
}

fn lists_patch_urn(schemas: &Value) -> bool {
    match schemas {
        Value::Array(items) => items.iter().any(|s| {
            s.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_URN))
        }),
        Value::String(s) => s.eq_ignore_ascii_case(PATCH_OP_URN),
        _ => false,
    }
}

fn parse_op(i: usize, op: &Value, spec: &PatchSpec) -> Result<PatchOp, ScimError> {
    let at = |msg: String| format!("Operations[{i}]: {msg}");
    let Value::Object(_) = op else {
        return Err(ScimError::invalid_syntax(at(
            "an operation must be a JSON object".into(),
        )));
    };
    let Some(name) = get_ci(op, "op").and_then(Value::as_str) else {
        return Err(ScimError::invalid_syntax(at("\"op\" is required".into())));
    };
    let Some(kind) = PatchOpKind::parse(name, spec.op_case_insensitive) else {
        return Err(ScimError::invalid_syntax(at(format!(
            "unsupported op {name:?}; expected \"add\", \"remove\" or \"replace\""
        ))));
    };
    let raw_path = match get_ci(op, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            return Err(ScimError::invalid_path(at(
                "\"path\" must be a string".into()
            )));
        }
    };
    let path = match &raw_path {
        Some(raw) => Some(parse_path(raw, spec).map_err(|e| ScimError::invalid_path(at(e)))?),
        None => None,
    };
    let mut value = get_ci(op, "value").cloned();
    match kind {
        PatchOpKind::Remove if path.is_none() => {
            return Err(ScimError::no_target(at(
                "remove needs a \"path\" (RFC 7644 §3.5.2.2)".into(),
            )));
        }
        PatchOpKind::Remove => {}
        PatchOpKind::Add | PatchOpKind::Replace => {
            let op_name = kind.as_str();
            match &value {
                None => {
                    return Err(ScimError::invalid_value(at(format!(
                        "{op_name} needs a \"value\""
                    ))));
                }
                Some(Value::Null) if kind == PatchOpKind::Add || path.is_none() => {
                    return Err(ScimError::invalid_value(at(format!(
                        "{op_name} needs a non-null \"value\""
                    ))));
                }
                _ => {}
            }
            if path.is_none() {
                if !spec.pathless {
                    return Err(ScimError::invalid_path(at(
                        "\"path\" is required by this provider".into(),
                    )));
                }
                if !value.as_ref().is_some_and(Value::is_object) {
                    return Err(ScimError::invalid_value(at(format!(
                        "a {op_name} without \"path\" needs a JSON object value"
                    ))));
                }
            }
        }
    }
    if spec.reject_empty_array
        && value
            .as_ref()
            .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
    {
        return Err(ScimError::invalid_value(at(
            "an empty array is not accepted as a value".into(),
        )));
    }
    if spec.json_string_values {
        if let Some(v) = &mut value {
            decode_json_string_values(v).map_err(|e| ScimError::invalid_value(at(e)))?;
        }
    }
    let parsed = PatchOp {
        op: kind,
        path,
        raw_path,
        value,
    };
    let allowed = match kind {
        PatchOpKind::Remove => spec.remove_paths.as_ref().or(spec.allowed_paths.as_ref()),
        _ => spec.allowed_paths.as_ref(),
    };
    if let Some(list) = allowed {
        check_allowed(&parsed, list).map_err(|p| {
            ScimError::invalid_path(at(format!(
                "{} of '{p}' is not supported by this provider",
                kind.as_str()
            )))
        })?;
    }
    Ok(parsed)
}

/// Parses a path, after the profile's `/` extension separator rewrite.
fn parse_path(raw: &str, spec: &PatchSpec) -> Result<PatchPath, String> {
    let path = if spec.slash_extension_separator {
        slash_to_colon(raw)
    } else {
        raw.to_string()
    };
    match parse_patch_path(&path) {
        Ok(p) => Ok(p),
        Err(_) if is_bare_urn(&path) => Ok(PatchPath {
            attr: urn_path(&path),
            filter: None,
            sub: None,
        }),
        Err(e) => Err(format!("invalid path {raw:?}: {e}")),
    }
}

/// `urn:...:User/currencyIso` -> `urn:...:User:currencyIso` (Elfsquad, VENDORS.md §3 quirk 7).
/// Only the part before a value filter is rewritten.
fn slash_to_colon(raw: &str) -> String {
    if !raw.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return raw.to_string();
    }
    let split = raw.find('[').unwrap_or(raw.len());
    let (head, tail) = raw.split_at(split);
    format!("{}{tail}", head.replace('/', ":"))
}

/// Elfsquad roles (VENDORS.md §3, D:E1): `{"value": "{\"value\": \"<roleId>\"}"}` becomes
/// `{"value": "<roleId>"}`: a `value` member holding a JSON object as a string is replaced by
/// that object's members.
fn decode_json_string_values(v: &mut Value) -> Result<(), String> {
    let items: Vec<&mut Value> = match v {
        Value::Array(items) => items.iter_mut().collect(),
        other => vec![other],
    };
    for item in items {
        let Value::Object(m) = item else { continue };
        let Some(key) = find_key(m, "value") else {
            continue;
        };
        let Some(Value::String(s)) = m.get(&key) else {
            continue;
        };
        let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(s.trim()) else {
            continue;
        };
        check_depth(&inner).map_err(|e| e.detail)?;
        let Value::Object(inner) = inner else {
            continue;
        };
        m.shift_remove(&key);
        for (k, iv) in inner {
            m.insert(k, iv);
        }
    }
    Ok(())
}

/// A path as the allow-lists spell it: no core URN, `name.sub`, `urn:...:name.sub`.
fn path_label(attr: &AttrPath, sub_after_filter: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(urn) = attr.urn.as_deref().filter(|u| !is_core_urn(u)) {
        s.push_str(urn);
        if !attr.name.is_empty() {
            s.push(':');
        }
    }
    s.push_str(&attr.name);
    for sub in [attr.sub.as_deref(), sub_after_filter]
        .into_iter()
        .flatten()
    {
        s.push('.');
        s.push_str(sub);
    }
    s
}

fn is_core_urn(urn: &str) -> bool {
    scimock_filter::schema::is_core_urn(urn)
}

/// Strips a leading core schema URN (`urn:...:core:2.0:User:name.givenName` -> `name.givenName`).
fn strip_core_urn(key: &str) -> &str {
    match key.rsplit_once(':') {
        Some((urn, rest)) if is_core_urn(urn) && !rest.is_empty() => rest,
        _ => key,
    }
}

fn path_allowed(p: &str, list: &[String]) -> bool {
    list.iter().any(|a| {
        p.eq_ignore_ascii_case(a)
            || [".", ":"].iter().any(|sep| {
                p.len() > a.len() + 1
                    && p.get(..a.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(a))
                    && p.get(a.len()..).is_some_and(|rest| rest.starts_with(sep))
            })
    })
}

/// `Err(path)` for the first written path the allow-list does not cover. An object value
/// written at a path that is not listed is checked member by member (`name` with
/// `{"givenName": ...}` is `name.givenName`).
fn check_allowed(op: &PatchOp, list: &[String]) -> Result<(), String> {
    fn check(base: &str, sep: char, value: Option<&Value>, list: &[String]) -> Result<(), String> {
        if path_allowed(base, list) {
            return Ok(());
        }
        match value {
            Some(Value::Object(m)) if !m.is_empty() => {
                for k in m.keys() {
                    let p = format!("{base}{sep}{k}");
                    if !path_allowed(&p, list) {
                        return Err(p);
                    }
                }
                Ok(())
            }
            _ => Err(base.to_string()),
        }
    }
    match &op.path {
        Some(p) => {
            let base = path_label(&p.attr, p.sub.as_deref());
            let sep = if p.attr.name.is_empty() { ':' } else { '.' };
            let value = if p.filter.is_none() && p.sub.is_none() {
                op.value.as_ref()
            } else {
                None
            };
            check(&base, sep, value, list)
        }
        None => {
            let Some(Value::Object(m)) = &op.value else {
                return Ok(());
            };
            for (k, v) in m {
                if k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let key = strip_core_urn(k);
                let sep = if is_bare_urn(key) && v.is_object() {
                    ':'
                } else {
                    '.'
                };
                check(key, sep, Some(v), list)?;
            }
            Ok(())
        }
    }
}

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
        patcher.apply(obj, op)?;
    }
    Ok(())
}

/// Facts about the sub-attributes of one multi-valued attribute, for value filters whose
/// paths are relative to an element (`type` in `emails[type eq "work"]` is `emails.type`).
struct ElementSchema<'a> {
    parent: &'a AttrDef,
}

impl SchemaInfo for ElementSchema<'_> {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        if path.urn.is_some() || path.sub.is_some() {
            return None;
        }
        lookup_sub(self.parent, &path.name).map(AttrDef::info)
    }
}

type Obj = Map<String, Value>;

struct Patcher<'a> {
    schemas: &'a ResourceSchemas,
    opts: WriteOptions,
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
        self.apply_path(obj, op.op, path, op.value.as_ref(), &label)
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
        self.apply_path(obj, kind, &path, Some(v), key)
    }

    fn apply_path(
        &self,
        obj: &mut Obj,
        kind: PatchOpKind,
        path: &PatchPath,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        // `null` unassigns (RFC 7643 §2.5).
        let (kind, value) = match value {
            Some(Value::Null) => (PatchOpKind::Remove, None),
            v => (kind, v),
        };
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
            return self.apply_extension(obj, kind, ext, value, label);
        };
        let Some(ext) = r.extension else {
            return self.apply_attr(obj, kind, def, path, value, label);
        };
        let ext_key = match find_key(obj, &ext.id) {
            Some(k) => k,
            None if kind == PatchOpKind::Remove => return Ok(()),
            None => {
                obj.insert(ext.id.clone(), Value::Object(Map::new()));
                ext.id.clone()
            }
        };
        let result = match obj.get_mut(&ext_key) {
            Some(Value::Object(container)) => {
                self.apply_attr(container, kind, def, path, value, label)
            }
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
    fn apply_extension(
        &self,
        obj: &mut Obj,
        kind: PatchOpKind,
        ext: &SchemaDef,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        if kind == PatchOpKind::Remove {
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
        let Some(Value::Object(members)) = value else {
            return Err(ScimError::invalid_value(format!(
                "'{label}' needs a JSON object value"
            )));
        };
        for (k, v) in members {
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
            self.apply_path(obj, kind, &path, Some(v), &format!("{}:{k}", ext.id))?;
        }
        Ok(())
    }

    /// `def` inside `container` (the resource or an extension object).
    fn apply_attr(
        &self,
        container: &mut Obj,
        kind: PatchOpKind,
        def: &AttrDef,
        path: &PatchPath,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        canonicalize_key(container, &def.name);
        match (&path.filter, path.attr.sub.as_deref()) {
            (Some(filter), _) => self.apply_filtered(
                container,
                kind,
                def,
                filter,
                path.sub.as_deref(),
                value,
                label,
            ),
            (None, Some(sub)) => self.apply_sub(container, kind, def, sub, value, label),
            (None, None) => self.apply_whole(container, kind, def, value, label),
        }
    }

    /// A path naming a whole attribute.
    fn apply_whole(
        &self,
        container: &mut Obj,
        kind: PatchOpKind,
        def: &AttrDef,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        let existing = container.get(&def.name);
        let Some(value) = value else {
            // remove (§3.5.2.2): the attribute and all its values.
            guard_remove(def, existing, label)?;
            container.shift_remove(&def.name);
            return Ok(());
        };
        if kind == PatchOpKind::Remove {
            return self.remove_values(container, def, value, label);
        }
        if def.multi_valued {
            let items = match value {
                Value::Array(a) => a.clone(),
                single => vec![single.clone()],
            };
            let new_items = match check_value(def, Value::Array(items), &self.opts, label)? {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            let current: Vec<Value> = existing
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let merged = if kind == PatchOpKind::Add {
                let mut merged = current.clone();
                if new_items.iter().any(is_primary) {
                    merged.iter_mut().for_each(clear_primary);
                }
                for item in new_items {
                    if !merged.iter().any(|e| is_subset(def, &item, e)) {
                        merged.push(item);
                    }
                }
                merged
            } else {
                new_items
            };
            let merged = Value::Array(merged);
            if guard_write(def, existing, &merged, label)? {
                return Ok(());
            }
            if merged.as_array().is_some_and(Vec::is_empty) {
                guard_remove(def, existing, label)?;
                container.shift_remove(&def.name);
            } else {
                container.insert(def.name.clone(), merged);
            }
            return Ok(());
        }
        if def.is_complex() {
            // add and replace both merge sub-attributes (§3.5.2.1, §3.5.2.3).
            let value = match value {
                Value::Object(_) => value.clone(),
                scalar if lookup_sub(def, "value").is_some() => {
                    Value::Object(Map::from_iter([("value".to_string(), scalar.clone())]))
                }
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "Attribute '{label}' must be a JSON object"
                    )));
                }
            };
            if def.is_read_only() {
                return match existing {
                    Some(e) if is_subset(def, &value, e) => Ok(()),
                    _ => Err(read_only(label)),
                };
            }
            let Some(Value::Object(members)) = check_value(def, value, &self.opts, label)? else {
                return Ok(());
            };
            let mut merged = match existing {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            for (k, v) in members {
                if let Some(sub) = lookup_sub(def, &k) {
                    canonicalize_key(&mut merged, &sub.name);
                    guard_write(sub, merged.get(&sub.name), &v, &format!("{label}.{k}"))?;
                }
                merged.insert(k, v);
            }
            container.insert(def.name.clone(), Value::Object(merged));
            return Ok(());
        }
        let Some(checked) = check_value(def, value.clone(), &self.opts, label)? else {
            return Ok(());
        };
        if !guard_write(def, existing, &checked, label)? {
            container.insert(def.name.clone(), checked);
        }
        Ok(())
    }

    /// `remove` with a value: those values leave the multi-valued attribute.
    fn remove_values(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        value: &Value,
        label: &str,
    ) -> Result<(), ScimError> {
        if !def.multi_valued {
            // A single-valued attribute has one value: remove it.
            guard_remove(def, container.get(&def.name), label)?;
            container.shift_remove(&def.name);
            return Ok(());
        }
        if def.is_read_only() {
            return Err(read_only(label));
        }
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            single => vec![single],
        };
        let Some(Value::Array(current)) = container.get(&def.name) else {
            return Ok(());
        };
        let kept: Vec<Value> = current
            .iter()
            .filter(|e| !items.iter().any(|it| removal_matches(def, it, e)))
            .cloned()
            .collect();
        if kept.is_empty() {
            guard_remove(def, container.get(&def.name), label)?;
            container.shift_remove(&def.name);
        } else {
            container.insert(def.name.clone(), Value::Array(kept));
        }
        Ok(())
    }

    /// `attr.sub` without a value filter.
    fn apply_sub(
        &self,
        container: &mut Obj,
        kind: PatchOpKind,
        def: &AttrDef,
        sub_name: &str,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        if !def.is_complex() {
            return Err(ScimError::invalid_path(format!(
                "'{}' has no sub-attributes",
                def.name
            )));
        }
        let Some(sub) = lookup_sub(def, sub_name) else {
            return Err(ScimError::invalid_path(format!(
                "'{label}' is not an attribute of {}",
                self.schemas.resource_type
            )));
        };
        if def.multi_valued {
            // `emails.value`: every element.
            let n = container
                .get(&def.name)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if n == 0 {
                return match kind {
                    PatchOpKind::Remove => Ok(()),
                    _ => Err(ScimError::no_target(format!(
                        "'{}' has no values to modify",
                        def.name
                    ))),
                };
            }
            let all: Vec<usize> = (0..n).collect();
            return self.apply_to_elements(container, kind, def, Some(sub), &all, value, label);
        }
        let existing = container.get(&def.name).and_then(|p| get_ci(p, &sub.name));
        let Some(value) = value.filter(|_| kind != PatchOpKind::Remove) else {
            guard_remove(sub, existing, label)?;
            if let Some(Value::Object(parent)) = container.get_mut(&def.name) {
                if let Some(k) = find_key(parent, &sub.name) {
                    parent.shift_remove(&k);
                }
                if parent.is_empty() {
                    container.shift_remove(&def.name);
                }
            }
            return Ok(());
        };
        let Some(checked) = check_value(sub, value.clone(), &self.opts, label)? else {
            return Ok(());
        };
        if def.is_read_only() && !existing.is_some_and(|e| values_equal(sub, e, &checked)) {
            return Err(read_only(label));
        }
        if guard_write(sub, existing, &checked, label)? {
            return Ok(());
        }
        let parent = container
            .entry(def.name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !parent.is_object() {
            *parent = Value::Object(Map::new());
        }
        if let Value::Object(parent) = parent {
            canonicalize_key(parent, &sub.name);
            parent.insert(sub.name.clone(), checked);
        }
        Ok(())
    }

    /// `attr[filter]` or `attr[filter].sub`.
    #[allow(clippy::too_many_arguments)]
    fn apply_filtered(
        &self,
        container: &mut Obj,
        kind: PatchOpKind,
        def: &AttrDef,
        filter: &Filter,
        sub_name: Option<&str>,
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        if !def.multi_valued {
            return Err(ScimError::invalid_path(format!(
                "'{}' is not multi-valued; value filters select elements of multi-valued attributes",
                def.name
            )));
        }
        let sub = match sub_name {
            Some(s) => Some(lookup_sub(def, s).ok_or_else(|| {
                ScimError::invalid_path(format!(
                    "'{label}': '{}' has no sub-attribute '{s}'",
                    def.name
                ))
            })?),
            None => None,
        };
        let compiled =
            CompiledFilter::new(filter, &ElementSchema { parent: def }).map_err(|e| {
                ScimError::invalid_path(format!("Invalid filter in path '{label}': {e}"))
            })?;
        let current: Vec<Value> = container
            .get(&def.name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut matches: Vec<usize> = current
            .iter()
            .enumerate()
            .filter(|(_, e)| compiled.matches(e))
            .map(|(i, _)| i)
            .collect();
        if matches.is_empty() {
            match kind {
                PatchOpKind::Remove => return Ok(()),
                PatchOpKind::Replace => {
                    return Err(ScimError::no_target(format!(
                        "No value of '{}' matches the filter in '{label}'",
                        def.name
                    )));
                }
                PatchOpKind::Add => {
                    let Some(seed) = element_from_filter(filter, def) else {
                        return Err(ScimError::no_target(format!(
                            "No value of '{}' matches the filter in '{label}'",
                            def.name
                        )));
                    };
                    let mut grown = current;
                    grown.push(Value::Object(seed));
                    matches = vec![grown.len() - 1];
                    container.insert(def.name.clone(), Value::Array(grown));
                }
            }
        }
        self.apply_to_elements(container, kind, def, sub, &matches, value, label)
    }

    /// Applies the operation to the elements at `indices` of `def` (whole elements, or their
    /// `sub`), then restores the §2.4 single-primary rule.
    #[allow(clippy::too_many_arguments)]
    fn apply_to_elements(
        &self,
        container: &mut Obj,
        kind: PatchOpKind,
        def: &AttrDef,
        sub: Option<&AttrDef>,
        indices: &[usize],
        value: Option<&Value>,
        label: &str,
    ) -> Result<(), ScimError> {
        let mut items: Vec<Value> = container
            .get(&def.name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let selected = |i: usize| indices.contains(&i);
        let mut made_primary = false;
        match (kind, sub) {
            (PatchOpKind::Remove, None) => {
                if def.is_read_only() {
                    return Err(read_only(label));
                }
                let mut i = 0;
                items.retain(|_| {
                    let keep = !selected(i);
                    i += 1;
                    keep
                });
            }
            (PatchOpKind::Remove, Some(sub)) => {
                for i in indices {
                    if let Some(Value::Object(e)) = items.get_mut(*i) {
                        guard_remove(sub, get_ci_map(e, &sub.name), label)?;
                        if let Some(k) = find_key(e, &sub.name) {
                            e.shift_remove(&k);
                        }
                    }
                }
                items.retain(|e| !e.as_object().is_some_and(Map::is_empty));
            }
            (_, None) => {
                let Some(value) = value else {
                    return Err(ScimError::invalid_value(format!("'{label}' needs a value")));
                };
                let Some(checked) = check_value(&single(def), value.clone(), &self.opts, label)?
                else {
                    return Ok(());
                };
                let Value::Object(new) = &checked else {
                    return Err(ScimError::invalid_value(format!(
                        "'{label}' needs a JSON object value"
                    )));
                };
                made_primary = is_primary(&checked);
                for i in indices {
                    let Some(Value::Object(e)) = items.get_mut(*i) else {
                        continue;
                    };
                    let old = Value::Object(e.clone());
                    if def.is_read_only() && !is_subset(def, &checked, &old) {
                        return Err(read_only(label));
                    }
                    let mut next = if kind == PatchOpKind::Replace {
                        Map::new()
                    } else {
                        e.clone()
                    };
                    for (k, v) in new {
                        canonicalize_key(&mut next, k);
                        next.insert(k.clone(), v.clone());
                    }
                    for s in &def.sub_attributes {
                        let before = get_ci(&old, &s.name);
                        match get_ci_map(&next, &s.name) {
                            Some(after) => {
                                guard_write(s, before, after, &format!("{label}.{}", s.name))?;
                            }
                            None if s.mutability == Mutability::Immutable && has_value(before) => {
                                return Err(ScimError::mutability(format!(
                                    "'{label}.{}' is immutable and already has a value",
                                    s.name
                                )));
                            }
                            None => {}
                        }
                    }
                    *e = next;
                }
            }
            (_, Some(sub)) => {
                let Some(value) = value else {
                    return Err(ScimError::invalid_value(format!("'{label}' needs a value")));
                };
                let Some(checked) = check_value(sub, value.clone(), &self.opts, label)? else {
                    return Ok(());
                };
                made_primary = sub.name == "primary" && checked == Value::Bool(true);
                for i in indices {
                    let Some(Value::Object(e)) = items.get_mut(*i) else {
                        continue;
                    };
                    if guard_write(sub, get_ci_map(e, &sub.name), &checked, label)? {
                        continue;
                    }
                    canonicalize_key(e, &sub.name);
                    e.insert(sub.name.clone(), checked.clone());
                }
            }
        }
        if made_primary {
            if indices.len() > 1 {
                return Err(ScimError::invalid_value(format!(
                    "'{label}' would make more than one value of '{}' primary",
                    def.name
                )));
            }
            for (i, e) in items.iter_mut().enumerate() {
                if !selected(i) {
                    clear_primary(e);
                }
            }
        }
        check_one_primary(&items, &def.name)?;
        if items.is_empty() {
            guard_remove(def, container.get(&def.name), label)?;
            container.shift_remove(&def.name);
        } else {
            container.insert(def.name.clone(), Value::Array(items));
        }
        Ok(())
    }
}

/// `def` seen as one of its elements (for checking a single element of a multi-valued attribute).
fn single(def: &AttrDef) -> AttrDef {
    let mut d = def.clone();
    d.multi_valued = false;
    d
}

fn get_ci_map<'m>(m: &'m Obj, name: &str) -> Option<&'m Value> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Renames a key spelled differently from `name` (case-insensitively equal) to `name`.
fn canonicalize_key(m: &mut Obj, name: &str) {
    if let Some(k) = find_key(m, name) {
        if k != name {
            if let Some(v) = m.shift_remove(&k) {
                m.insert(name.to_string(), v);
            }
        }
    }
}

fn read_only(label: &str) -> ScimError {
    ScimError::mutability(format!("Attribute '{label}' is readOnly"))
}

/// RFC 7644 §3.5.2 mutability of a write. `Ok(true)`: a read-only attribute given the value it
/// already has, nothing to do.
fn guard_write(
    def: &AttrDef,
    existing: Option<&Value>,
    new: &Value,
    label: &str,
) -> Result<bool, ScimError> {
    match def.mutability {
        Mutability::ReadOnly => match existing {
            Some(e) if values_equal(def, e, new) => Ok(true),
            _ => Err(read_only(label)),
        },
        Mutability::Immutable
            if has_value(existing) && !existing.is_some_and(|e| values_equal(def, e, new)) =>
        {
            Err(ScimError::mutability(format!(
                "Attribute '{label}' is immutable and already has a value"
            )))
        }
        _ => Ok(false),
    }
}

/// RFC 7644 §3.5.2: removing (unassigning) a read-only, immutable-with-a-value or required
/// attribute is 400 `mutability`.
fn guard_remove(def: &AttrDef, existing: Option<&Value>, label: &str) -> Result<(), ScimError> {
    if def.is_read_only() {
        return Err(read_only(label));
    }
    if !has_value(existing) {
        return Ok(());
    }
    if def.mutability == Mutability::Immutable {
        return Err(ScimError::mutability(format!(
            "Attribute '{label}' is immutable and already has a value"
        )));
    }
    if def.required {
        return Err(ScimError::mutability(format!(
            "Attribute '{label}' is required and cannot be removed"
        )));
    }
    Ok(())
}

/// True when every member of `part` is in `whole` with an equal value (per the
/// sub-attribute's case rules); for simple values, equality.
fn is_subset(def: &AttrDef, part: &Value, whole: &Value) -> bool {
    match (part, whole) {
        (Value::Object(p), Value::Object(_)) => p.iter().all(|(k, v)| {
            let sub = lookup_sub(def, k);
            get_ci(whole, k).is_some_and(|w| match sub {
                Some(s) => values_equal(s, v, w),
                None => v == w,
            })
        }),
        _ => values_equal(def, part, whole),
    }
}

/// Whether `item` (from a remove's value) names element `e`: by `value` when it has one
/// (Entra ID / Okta send `{"value": id}` and sometimes `display`), else by all its members.
fn removal_matches(def: &AttrDef, item: &Value, e: &Value) -> bool {
    match (get_ci(item, "value"), lookup_sub(def, "value")) {
        (Some(v), Some(vdef)) => get_ci(e, "value").is_some_and(|ev| values_equal(vdef, v, ev)),
        _ => is_subset(def, item, e),
    }
}

fn clear_primary(e: &mut Value) {
    if let Value::Object(m) = e {
        if let Some(k) = find_key(m, "primary") {
            if m.get(&k) == Some(&Value::Bool(true)) {
                m.insert(k, Value::Bool(false));
            }
        }
    }
}

/// The element a filter of `eq` comparisons joined by `and` describes
/// (`type eq "work"` -> `{"type": "work"}`); `None` for any other filter.
fn element_from_filter(filter: &Filter, def: &AttrDef) -> Option<Obj> {
    let mut out = Map::new();
    fill_from_filter(filter, def, &mut out).then_some(out)
}

fn fill_from_filter(filter: &Filter, def: &AttrDef, out: &mut Obj) -> bool {
    match filter {
        Filter::And { left, right } => {
            fill_from_filter(left, def, out) && fill_from_filter(right, def, out)
        }
        Filter::Attr {
            path,
            op:
                AttrOp::Compare {
                    op: CompareOp::Eq,
                    value,
                },
        } if path.urn.is_none() && path.sub.is_none() => {
            let Some(sub) = lookup_sub(def, &path.name) else {
                return false;
            };
            let v = match value {
                CompValue::Null => return false,
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::String(s) => Value::String(s.clone()),
            };
            out.insert(sub.name.clone(), v);
            true
        }
        _ => false,
    }
}
