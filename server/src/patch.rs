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

/// One write at one target: the operation, its value and the target's name for errors.
#[derive(Debug, Clone, Copy)]
struct Write<'v> {
    kind: PatchOpKind,
    value: Option<&'v Value>,
    label: &'v str,
}

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

    /// A path naming a whole attribute.
    fn apply_whole(&self, container: &mut Obj, def: &AttrDef, w: Write) -> Result<(), ScimError> {
        let Write { kind, value, label } = w;
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
            if def.is_read_only() {
                // Judge the client's own values: read-only sub-attributes are not stripped first,
                // so a write of new values is refused rather than silently emptied (§3.5.2).
                let current = existing
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let within = |a: &[Value], b: &[Value]| {
                    a.iter().all(|i| b.iter().any(|e| is_subset(def, i, e)))
                };
                let unchanged = match kind {
                    PatchOpKind::Add => within(&items, current),
                    _ => within(&items, current) && within(current, &items),
                };
                return if unchanged {
                    Ok(())
                } else {
                    Err(read_only(label))
                };
            }
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
        def: &AttrDef,
        sub_name: &str,
        w: Write,
    ) -> Result<(), ScimError> {
        let Write { kind, value, label } = w;
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
            return self.apply_to_elements(container, def, Some(sub), &all, w);
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
    fn apply_filtered(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        filter: &Filter,
        sub_name: Option<&str>,
        w: Write,
    ) -> Result<(), ScimError> {
        let label = w.label;
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
            match w.kind {
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
        self.apply_to_elements(container, def, sub, &matches, w)
    }

    /// Applies the operation to the elements at `indices` of `def` (whole elements, or their
    /// `sub`), then restores the §2.4 single-primary rule.
    fn apply_to_elements(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        sub: Option<&AttrDef>,
        indices: &[usize],
        w: Write,
    ) -> Result<(), ScimError> {
        let Write { kind, value, label } = w;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ScimType;
    use crate::schema::ENTERPRISE_USER_URN;
    const ELFSQUAD_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
    const ATLASSIAN_EXTERNAL_URN: &str = "urn:scim:schemas:extension:atlassian-external:1.0";
    use scimock_profile::Profile;
    use serde_json::json;

    fn profile(name: &str) -> Profile {
        Profile::builtin(name).expect("builtin profile")
    }

    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_OP_URN], "Operations": ops})
    }

    fn parse(vendor: &str, body: &Value) -> Result<Vec<PatchOp>, ScimError> {
        parse_patch_body(body, &profile(vendor).patch)
    }

    /// Parses `ops` with the vendor's rules and applies them to `resource` (a User).
    fn run(vendor: &str, resource: Value, ops: Value) -> Result<Value, ScimError> {
        let p = profile(vendor);
        let parsed = parse_patch_body(&body(ops), &p.patch)?;
        let mut r = resource;
        apply_patch(&mut r, &parsed, &ResourceSchemas::user(&p), &p.patch)?;
        Ok(r)
    }

    fn run_group(vendor: &str, resource: Value, ops: Value) -> Result<Value, ScimError> {
        let p = profile(vendor);
        let parsed = parse_patch_body(&body(ops), &p.patch)?;
        let mut r = resource;
        apply_patch(&mut r, &parsed, &ResourceSchemas::group(&p), &p.patch)?;
        Ok(r)
    }

    #[track_caller]
    fn assert_err<T: std::fmt::Debug>(r: Result<T, ScimError>, t: ScimType) -> ScimError {
        let e = r.expect_err("expected an error");
        assert_eq!(e.status.as_u16(), 400, "{e}");
        assert_eq!(e.scim_type, Some(t), "{e}");
        e
    }

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "u1",
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "displayName": "Babs",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "active": true,
            "meta": {"resourceType": "User", "created": "2020-01-01T00:00:00Z"}
        })
    }

    fn group() -> Value {
        json!({
            "id": "g1",
            "displayName": "Tour Guides",
            "members": [
                {"value": "u1", "display": "Babs"},
                {"value": "u2", "display": "John"},
                {"value": "u3", "display": "Jane"}
            ]
        })
    }

    fn member_ids(g: &Value) -> Vec<&str> {
        g["members"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect())
            .unwrap_or_default()
    }

    // ---- parsing ----------------------------------------------------------------------

    #[test]
    fn a_standard_body_parses_into_operations() {
        let ops = parse(
            "generic",
            &body(json!([
                {"op": "add", "path": "emails[type eq \"work\"].value", "value": "x@y"},
                {"op": "remove", "path": "name.givenName"},
                {"op": "replace", "value": {"active": false}}
            ])),
        )
        .expect("parses");
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0].op, PatchOpKind::Add);
        let p0 = ops[0].path.as_ref().expect("path");
        assert_eq!(
            (p0.attr.name.as_str(), p0.sub.as_deref()),
            ("emails", Some("value"))
        );
        assert!(p0.filter.is_some());
        assert_eq!(
            ops[0].raw_path.as_deref(),
            Some("emails[type eq \"work\"].value")
        );
        assert_eq!(
            ops[1].path.as_ref().and_then(|p| p.attr.sub.as_deref()),
            Some("givenName")
        );
        assert_eq!(
            (ops[2].op, ops[2].path.is_none()),
            (PatchOpKind::Replace, true)
        );
    }

    #[test]
    fn schemas_are_required_when_the_profile_says_so() {
        let no_schemas =
            json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
        let e = assert_err(parse("generic", &no_schemas), ScimType::InvalidSyntax);
        assert!(e.detail.contains(PATCH_OP_URN), "{e}");
        assert!(
            parse("atlassian", &no_schemas).is_ok(),
            "atlassian-python-api omits schemas"
        );
        assert!(parse("adra", &no_schemas).is_ok());
    }

    #[test]
    fn a_present_schemas_without_the_patch_urn_is_refused_even_when_optional() {
        let wrong = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": [{"op": "remove", "path": "title"}]});
        assert_err(parse("atlassian", &wrong), ScimType::InvalidSyntax);
        assert_err(
            parse("generic", &json!({"schemas": 5, "Operations": []})),
            ScimType::InvalidSyntax,
        );
        let lower = json!({"schemas": [PATCH_OP_URN.to_lowercase()], "Operations": [{"op": "remove", "path": "title"}]});
        assert!(parse("generic", &lower).is_ok());
    }

    #[test]
    fn operations_key_spelling_follows_the_profile() {
        let lower =
            json!({"schemas": [PATCH_OP_URN], "operations": [{"op": "remove", "path": "title"}]});
        assert!(parse("atlassian", &lower).is_ok());
        assert!(parse("elfsquad", &lower).is_ok());
        let e = assert_err(parse("generic", &lower), ScimType::InvalidSyntax);
        assert!(e.detail.contains("Operations"), "{e}");
        assert_err(
            parse(
                "generic",
                &json!({"schemas": [PATCH_OP_URN], "Operations": {"op": "add"}}),
            ),
            ScimType::InvalidSyntax,
        );
        assert_err(
            parse(
                "generic",
                &json!({"schemas": [PATCH_OP_URN], "Operations": []}),
            ),
            ScimType::InvalidSyntax,
        );
        assert_err(
            parse(
                "generic",
                &json!({"schemas": [PATCH_OP_URN], "Operations": ["add"]}),
            ),
            ScimType::InvalidSyntax,
        );
    }

    #[test]
    fn a_bare_array_body_is_accepted_only_by_elfsquad() {
        let bare = json!([{"op": "remove", "path": "roles[value eq \"r1\"]"}]);
        assert_eq!(parse("elfsquad", &bare).map(|o| o.len()).ok(), Some(1));
        for vendor in ["generic", "attio", "atlassian", "adra"] {
            assert_err(parse(vendor, &bare), ScimType::InvalidSyntax);
        }
        assert_err(parse("elfsquad", &json!("remove")), ScimType::InvalidSyntax);
    }

    #[test]
    fn op_case_is_refused_when_profile_is_strict() {
        let capital = body(json!([{"op": "Replace", "path": "active", "value": false}]));
        let e = assert_err(parse("attio", &capital), ScimType::InvalidSyntax);
        assert!(
            e.detail.contains("Replace") && e.detail.contains("Operations[0]"),
            "{e}"
        );
        assert_err(parse("elfsquad", &capital), ScimType::InvalidSyntax);
        for vendor in ["generic", "adra", "atlassian"] {
            assert_eq!(
                parse(vendor, &capital).expect("lenient")[0].op,
                PatchOpKind::Replace,
                "{vendor}"
            );
        }
    }

    #[test]
    fn an_unknown_or_missing_op_is_invalid_syntax() {
        for op in [
            json!({"op": "move", "path": "a"}),
            json!({"path": "title"}),
            json!({"op": 1, "path": "title"}),
        ] {
            assert_err(
                parse("generic", &body(json!([op]))),
                ScimType::InvalidSyntax,
            );
        }
    }

    #[test]
    fn remove_without_path_is_no_target() {
        let e = assert_err(
            parse("generic", &body(json!([{"op": "remove"}]))),
            ScimType::NoTarget,
        );
        assert!(e.detail.contains("3.5.2.2"), "{e}");
        assert_err(
            parse("generic", &body(json!([{"op": "remove", "path": ""}]))),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn add_and_replace_without_value_are_invalid_value() {
        for op in ["add", "replace"] {
            assert_err(
                parse("generic", &body(json!([{"op": op, "path": "title"}]))),
                ScimType::InvalidValue,
            );
        }
        assert_err(
            parse(
                "generic",
                &body(json!([{"op": "add", "path": "title", "value": null}])),
            ),
            ScimType::InvalidValue,
        );
    }

    #[test]
    fn a_missing_path_is_refused_unless_the_profile_allows_pathless_operations() {
        let pathless = body(json!([{"op": "replace", "value": {"active": false}}]));
        let e = assert_err(parse("adra", &pathless), ScimType::InvalidPath);
        assert!(e.detail.contains("path"), "{e}");
        assert!(parse("generic", &pathless).is_ok());
        assert!(parse("attio", &pathless).is_ok());
        for value in [json!("x"), json!([{"active": false}]), json!(null)] {
            let e = parse("generic", &body(json!([{"op": "add", "value": value}])));
            assert_err(e, ScimType::InvalidValue);
        }
    }

    #[test]
    fn a_malformed_path_is_invalid_path_with_the_parser_message() {
        for bad in [
            "emails[type eq \"work\"",
            "name..givenName",
            "emails[type eq]",
            "1abc",
            "name.givenName[x eq 1]",
        ] {
            let e = assert_err(
                parse("generic", &body(json!([{"op": "remove", "path": bad}]))),
                ScimType::InvalidPath,
            );
            assert!(e.detail.contains("column"), "{bad}: {e}");
        }
        assert_err(
            parse("generic", &body(json!([{"op": "remove", "path": 5}]))),
            ScimType::InvalidPath,
        );
    }

    #[test]
    fn elfsquad_slash_extension_paths_are_rewritten() {
        let slash = body(
            json!([{"op": "replace", "path": format!("{ELFSQUAD_USER_URN}/currencyIso"), "value": "c0ffee"}]),
        );
        let ops = parse("elfsquad", &slash).expect("elfsquad accepts /");
        let p = ops[0].path.as_ref().expect("path");
        assert_eq!(
            (p.attr.urn.as_deref(), p.attr.name.as_str()),
            (Some(ELFSQUAD_USER_URN), "currencyIso")
        );
        assert_eq!(
            ops[0].raw_path.as_deref(),
            Some(format!("{ELFSQUAD_USER_URN}/currencyIso").as_str())
        );
        assert_err(parse("generic", &slash), ScimType::InvalidPath);
        assert_eq!(
            slash_to_colon("emails[value eq \"a/b\"]"),
            "emails[value eq \"a/b\"]"
        );
        assert_eq!(
            slash_to_colon("urn:x:y/z[value eq \"a/b\"]"),
            "urn:x:y:z[value eq \"a/b\"]"
        );
    }

    #[test]
    fn attio_only_writes_its_documented_paths() {
        let ok = [
            json!({"op": "replace", "path": "name.givenName", "value": "B"}),
            json!({"op": "replace", "path": "NAME.FAMILYNAME", "value": "J"}),
            json!({"op": "replace", "path": "active", "value": false}),
            json!({"op": "replace", "path": "appRole", "value": "admin"}),
            json!({"op": "replace", "path": "name", "value": {"givenName": "B", "familyName": "J"}}),
            json!({"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:active", "value": true}),
            json!({"op": "replace", "value": {"active": false, "name": {"givenName": "B"}, "name.familyName": "J"}}),
        ];
        for op in ok {
            assert!(parse("attio", &body(json!([op.clone()]))).is_ok(), "{op}");
        }
        let refused = [
            json!({"op": "replace", "path": "emails", "value": [{"value": "x@y"}]}),
            json!({"op": "replace", "path": "name", "value": {"middleName": "Q"}}),
            json!({"op": "replace", "value": {"active": false, "userName": "x@y"}}),
            json!({"op": "add", "path": "title", "value": "Boss"}),
        ];
        for op in refused {
            let e = assert_err(
                parse("attio", &body(json!([op.clone()]))),
                ScimType::InvalidPath,
            );
            assert!(e.detail.contains("not supported"), "{op}: {e}");
        }
    }

    #[test]
    fn attio_remove_is_limited_to_name_parts() {
        assert!(
            parse(
                "attio",
                &body(json!([{"op": "remove", "path": "name.familyName"}]))
            )
            .is_ok()
        );
        let e = assert_err(
            parse("attio", &body(json!([{"op": "remove", "path": "active"}]))),
            ScimType::InvalidPath,
        );
        assert!(e.detail.contains("remove of 'active'"), "{e}");
        assert!(
            parse(
                "generic",
                &body(json!([{"op": "remove", "path": "active"}]))
            )
            .is_ok()
        );
    }

    #[test]
    fn an_empty_array_value_is_refused_when_the_profile_says_so() {
        let p = profile("atlassian")
            .with_overrides(&[("patch.reject_empty_array".to_string(), json!(true))])
            .expect("override");
        let empty = body(json!([{"op": "replace", "path": "emails", "value": []}]));
        let e = assert_err(parse_patch_body(&empty, &p.patch), ScimType::InvalidValue);
        assert!(e.detail.contains("empty array"), "{e}");
        assert!(parse("atlassian", &empty).is_ok());
    }

    #[test]
    fn elfsquad_role_values_holding_json_strings_are_decoded() {
        let roles = json!({"operations": [{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"r-42\"}"}]}]});
        let ops = parse("elfsquad", &roles).expect("parses");
        assert_eq!(ops[0].value, Some(json!([{"value": "r-42"}])));
        let generic = parse("atlassian", &roles).expect("parses");
        assert_eq!(
            generic[0].value,
            Some(json!([{"value": "{\"value\": \"r-42\"}"}]))
        );
        // Strings that are not JSON objects stay as they are.
        let plain = json!([{"op": "add", "path": "roles", "value": [{"value": "r-1"}, {"value": "[1]"}, {"value": "{oops"}]}]);
        assert_eq!(
            parse("elfsquad", &plain).expect("parses")[0].value,
            Some(json!([{"value": "r-1"}, {"value": "[1]"}, {"value": "{oops"}]))
        );
        // End to end: the role lands as {"value": "r-42"}.
        let out = run(
            "elfsquad",
            user(),
            json!([{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"r-42\"}"}]}]),
        )
        .expect("applies");
        assert_eq!(out["roles"], json!([{"value": "r-42"}]));
    }

    #[test]
    fn bodies_nested_deeper_than_32_levels_are_invalid_value() {
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!([deep]);
        }
        let e = assert_err(
            parse(
                "generic",
                &body(json!([{"op": "add", "path": "title", "value": deep}])),
            ),
            ScimType::InvalidValue,
        );
        assert!(e.detail.contains("32"), "{e}");
        let nested = "{\"value\": ".repeat(40) + "1" + &"}".repeat(40);
        let json_string = json!([{"op": "add", "path": "roles", "value": [{"value": nested}]}]);
        assert_err(parse("elfsquad", &json_string), ScimType::InvalidValue);
    }

    // ---- add (RFC 7644 §3.5.2.1) --------------------------------------------------------

    #[test]
    fn add_sets_a_single_valued_attribute() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "add", "path": "title", "value": "Tour Guide"}]),
        )
        .expect("ok");
        assert_eq!(out["title"], "Tour Guide");
        let out = run(
            "generic",
            user(),
            json!([{"op": "add", "path": "displayName", "value": "B. Jensen"}]),
        )
        .expect("ok");
        assert_eq!(out["displayName"], "B. Jensen");
    }

    #[test]
    fn add_merges_the_sub_attributes_of_a_complex_attribute() {
        let out = run("generic", user(), json!([{"op": "add", "path": "name", "value": {"middleName": "Jane", "givenName": "Barb"}}])).expect("ok");
        assert_eq!(
            out["name"],
            json!({"givenName": "Barb", "familyName": "Jensen", "middleName": "Jane"})
        );
    }

    #[test]
    fn add_appends_only_values_not_already_present() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "BABS@jensen.org", "type": "home"}, {"value": "new@x.org", "type": "other"}]}]),
        )
        .expect("ok");
        let values: Vec<&str> = out["emails"]
            .as_array()
            .expect("emails")
            .iter()
            .filter_map(|e| e["value"].as_str())
            .collect();
        assert_eq!(
            values,
            ["bjensen@example.com", "babs@jensen.org", "new@x.org"]
        );
        // A single object is taken as a one-element array.
        let out = run("generic", user(), json!([{"op": "add", "path": "phoneNumbers", "value": {"value": "555", "type": "work"}}])).expect("ok");
        assert_eq!(
            out["phoneNumbers"],
            json!([{"value": "555", "type": "work"}])
        );
    }

    #[test]
    fn add_with_a_value_path_sets_the_sub_attribute_of_matching_elements() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}]),
        )
        .expect("ok");
        assert_eq!(
            out["emails"][1],
            json!({"value": "babs@jensen.org", "type": "home", "display": "Home"})
        );
        assert!(out["emails"][0].get("display").is_none());
    }

    #[test]
    fn add_with_an_eq_value_path_matching_nothing_creates_the_element() {
        let out = run("generic", user(), json!([{"op": "add", "path": "phoneNumbers[type eq \"work\"].value", "value": "555-1234"}])).expect("ok");
        assert_eq!(
            out["phoneNumbers"],
            json!([{"type": "work", "value": "555-1234"}])
        );
        let out = run("generic", user(), json!([{"op": "add", "path": "addresses[type eq \"work\" and country eq \"NL\"]", "value": {"locality": "Utrecht"}}])).expect("ok");
        assert_eq!(
            out["addresses"],
            json!([{"type": "work", "country": "NL", "locality": "Utrecht"}])
        );
    }

    #[test]
    fn add_with_another_value_path_matching_nothing_is_no_target() {
        let r = run(
            "generic",
            user(),
            json!([{"op": "add", "path": "emails[value co \"nobody\"].display", "value": "x"}]),
        );
        assert_err(r, ScimType::NoTarget);
    }

    // ---- replace (RFC 7644 §3.5.2.3) ----------------------------------------------------

    #[test]
    fn replace_sets_single_values_and_replaces_all_values_of_multi_valued_ones() {
        let out = run(
            "generic",
            user(),
            json!([
                {"op": "replace", "path": "displayName", "value": "B"},
                {"op": "replace", "path": "emails", "value": [{"value": "only@x.org", "type": "work"}]}
            ]),
        )
        .expect("ok");
        assert_eq!(out["displayName"], "B");
        assert_eq!(
            out["emails"],
            json!([{"value": "only@x.org", "type": "work"}])
        );
    }

    #[test]
    fn replace_of_a_complex_attribute_leaves_unspecified_sub_attributes() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "name", "value": {"givenName": "Barb"}}]),
        )
        .expect("ok");
        assert_eq!(
            out["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
    }

    #[test]
    fn replace_of_an_unassigned_attribute_acts_like_add() {
        let out = run("generic", user(), json!([{"op": "replace", "path": "nickName", "value": "Babs"}, {"op": "replace", "path": "addresses", "value": [{"locality": "Utrecht"}]}])).expect("ok");
        assert_eq!(out["nickName"], "Babs");
        assert_eq!(out["addresses"], json!([{"locality": "Utrecht"}]));
    }

    #[test]
    fn replace_with_a_value_path_replaces_the_matching_elements() {
        let out = run("generic", user(), json!([{"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "b@home.org", "type": "home"}}])).expect("ok");
        assert_eq!(
            out["emails"][1],
            json!({"value": "b@home.org", "type": "home"})
        );
        assert_eq!(out["emails"][0]["value"], "bjensen@example.com");
    }

    #[test]
    fn replace_with_a_value_path_and_sub_attribute_sets_that_sub_attribute() {
        let out = run("generic", user(), json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}])).expect("ok");
        assert_eq!(
            out["emails"][0],
            json!({"value": "new@example.com", "type": "work", "primary": true})
        );
    }

    #[test]
    fn replace_with_a_value_path_matching_nothing_is_no_target() {
        let e = assert_err(
            run(
                "generic",
                user(),
                json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x"}]),
            ),
            ScimType::NoTarget,
        );
        assert!(e.detail.contains("emails"), "{e}");
        assert_err(
            run(
                "generic",
                user(),
                json!([{"op": "replace", "path": "phoneNumbers[type eq \"work\"]", "value": {"value": "1"}}]),
            ),
            ScimType::NoTarget,
        );
    }

    #[test]
    fn value_filters_use_the_sub_attribute_case_rules() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"WORK\"].display", "value": "Work"}]),
        )
        .expect("ok");
        assert_eq!(out["emails"][0]["display"], "Work");
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "emails[value eq \"BABS@JENSEN.ORG\"]"}]),
        )
        .expect("ok");
        assert_eq!(out["emails"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn replace_with_null_unassigns_the_attribute() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "displayName", "value": null}]),
        )
        .expect("ok");
        assert!(out.get("displayName").is_none());
    }

    // ---- remove (RFC 7644 §3.5.2.2) -----------------------------------------------------

    #[test]
    fn remove_drops_a_whole_attribute() {
        let out = run("generic", user(), json!([{"op": "remove", "path": "emails"}, {"op": "remove", "path": "displayName"}, {"op": "remove", "path": "title"}])).expect("ok");
        assert!(out.get("emails").is_none() && out.get("displayName").is_none());
    }

    #[test]
    fn remove_of_a_sub_attribute_keeps_the_rest_and_drops_an_emptied_parent() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "name.givenName"}]),
        )
        .expect("ok");
        assert_eq!(out["name"], json!({"familyName": "Jensen"}));
        let out = run(
            "generic",
            out,
            json!([{"op": "remove", "path": "name.familyName"}]),
        )
        .expect("ok");
        assert!(out.get("name").is_none());
    }

    #[test]
    fn remove_with_value_filter_removes_only_matching_members() {
        let out = run_group(
            "generic",
            group(),
            json!([{"op": "remove", "path": "members[value eq \"u2\"]"}]),
        )
        .expect("ok");
        assert_eq!(member_ids(&out), ["u1", "u3"]);
        let out = run_group(
            "generic",
            group(),
            json!([{"op": "remove", "path": "members[value eq \"u1\" or value eq \"u3\"]"}]),
        )
        .expect("ok");
        assert_eq!(member_ids(&out), ["u2"]);
    }

    #[test]
    fn remove_with_a_value_filter_matching_nothing_succeeds() {
        let out = run_group(
            "generic",
            group(),
            json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
        )
        .expect("ok");
        assert_eq!(out, group());
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "phoneNumbers[type eq \"fax\"]"}]),
        )
        .expect("ok");
        assert_eq!(out, user());
    }

    #[test]
    fn remove_of_members_with_a_value_array_removes_those_members() {
        // What Entra ID and Okta send.
        let ops = json!([{"op": "remove", "path": "members", "value": [{"value": "u1"}, {"value": "U3", "display": "ignored"}]}]);
        let out = run_group("generic", group(), ops).expect("ok");
        assert_eq!(member_ids(&out), ["u2"]);
        let out = run_group(
            "adra",
            group(),
            json!([{"op": "Remove", "path": "members"}]),
        )
        .expect("ok");
        assert!(
            out.get("members").is_none(),
            "remove without value clears all members (Adra D:R4)"
        );
    }

    #[test]
    fn remove_of_a_sub_attribute_of_matching_elements() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}]),
        )
        .expect("ok");
        assert_eq!(
            out["emails"][0],
            json!({"value": "bjensen@example.com", "type": "work"})
        );
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "emails.type"}]),
        )
        .expect("ok");
        assert!(
            out["emails"]
                .as_array()
                .expect("emails")
                .iter()
                .all(|e| e.get("type").is_none())
        );
    }

    #[test]
    fn group_members_can_be_added_and_renamed_with_a_path_less_replace() {
        let out = run_group(
            "generic",
            group(),
            json!([
                {"op": "add", "path": "members", "value": [{"value": "u4"}, {"value": "u1"}]},
                {"op": "replace", "value": {"id": "g1", "displayName": "Guides"}}
            ]),
        )
        .expect("ok");
        assert_eq!(member_ids(&out), ["u1", "u2", "u3", "u4"]);
        assert_eq!(out["displayName"], "Guides");
    }

    // ---- path-less operations -----------------------------------------------------------

    #[test]
    fn pathless_replace_applies_each_member_as_a_path() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "value": {"ACTIVE": false, "name": {"givenName": "Barb"}, "emails": [{"value": "x@y.org"}], "schemas": ["ignored"]}}]),
        )
        .expect("ok");
        assert_eq!(out["active"], false);
        assert_eq!(
            out["name"],
            json!({"givenName": "Barb", "familyName": "Jensen"})
        );
        assert_eq!(out["emails"], json!([{"value": "x@y.org"}]));
        assert_eq!(out["schemas"], user()["schemas"]);
    }

    #[test]
    fn pathless_replace_accepts_entra_dotted_keys() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "value": {
                "name.givenName": "Barb",
                format!("{ENTERPRISE_USER_URN}:department"): "Tours",
                format!("{ENTERPRISE_USER_URN}:manager"): "m-9",
                "urn:ietf:params:scim:schemas:core:2.0:User:title": "Guide"
            }}]),
        )
        .expect("ok");
        assert_eq!(out["name"]["givenName"], "Barb");
        assert_eq!(
            out[ENTERPRISE_USER_URN],
            json!({"department": "Tours", "manager": {"value": "m-9"}})
        );
        assert_eq!(out["title"], "Guide");
    }

    #[test]
    fn pathless_add_with_an_extension_object_merges_into_the_extension() {
        let start = run("generic", user(), json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:costCenter"), "value": "4130"}])).expect("ok");
        let out = run("generic", start, json!([{"op": "add", "value": {ENTERPRISE_USER_URN: {"department": "Tours", "manager": {"value": "m1"}}}}])).expect("ok");
        assert_eq!(
            out[ENTERPRISE_USER_URN],
            json!({"costCenter": "4130", "department": "Tours", "manager": {"value": "m1"}})
        );
        let gone = run(
            "generic",
            out,
            json!([{"op": "remove", "path": ENTERPRISE_USER_URN}]),
        )
        .expect("ok");
        assert!(gone.get(ENTERPRISE_USER_URN).is_none());
    }

    #[test]
    fn pathless_null_members_unassign() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "value": {"displayName": null, "name.givenName": null}}]),
        )
        .expect("ok");
        assert!(out.get("displayName").is_none());
        assert_eq!(out["name"], json!({"familyName": "Jensen"}));
    }

    // ---- extensions ---------------------------------------------------------------------

    #[test]
    fn extension_objects_are_created_on_demand_and_dropped_when_emptied() {
        let out = run("generic", user(), json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": "Tours"}])).expect("ok");
        assert_eq!(out[ENTERPRISE_USER_URN], json!({"department": "Tours"}));
        let out = run(
            "generic",
            out,
            json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:department")}]),
        )
        .expect("ok");
        assert!(out.get(ENTERPRISE_USER_URN).is_none());
        let out = run(
            "generic",
            user(),
            json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:department")}]),
        )
        .expect("ok");
        assert_eq!(out, user());
    }

    #[test]
    fn elfsquad_slash_path_writes_the_extension_attribute() {
        let ops = json!([
            {"op": "replace", "path": format!("{ELFSQUAD_USER_URN}/currencyIso"), "value": "5c3a0f6e-0000-4000-8000-000000000001"},
            {"op": "add", "path": format!("{ELFSQUAD_USER_URN}:isAdmin"), "value": true}
        ]);
        let out = run("elfsquad", user(), ops).expect("ok");
        assert_eq!(
            out[ELFSQUAD_USER_URN],
            json!({"currencyIso": "5c3a0f6e-0000-4000-8000-000000000001", "isAdmin": true})
        );
    }

    #[test]
    fn entra_manager_given_as_a_string_becomes_its_value() {
        let out = run("generic", user(), json!([{"op": "Add", "path": format!("{ENTERPRISE_USER_URN}:manager"), "value": "m-1"}])).expect("ok");
        assert_eq!(out[ENTERPRISE_USER_URN]["manager"], json!({"value": "m-1"}));
        let out = run(
            "generic",
            out,
            json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:manager.value")}]),
        )
        .expect("ok");
        assert!(out.get(ENTERPRISE_USER_URN).is_none());
    }

    // ---- mutability, types, unknown attributes ------------------------------------------

    #[test]
    fn read_only_targets_are_refused_with_mutability() {
        let cases = [
            json!({"op": "replace", "path": "id", "value": "other"}),
            json!({"op": "remove", "path": "id"}),
            json!({"op": "replace", "path": "meta.created", "value": "2021-01-01T00:00:00Z"}),
            json!({"op": "add", "path": "groups", "value": [{"value": "g1"}]}),
            json!({"op": "replace", "path": "schemas", "value": ["x"]}),
            json!({"op": "replace", "value": {"id": "other"}}),
        ];
        for op in cases {
            let e = assert_err(
                run("generic", user(), json!([op.clone()])),
                ScimType::Mutability,
            );
            assert!(!e.detail.is_empty(), "{op}");
        }
        let atl = json!({"id": "u1", "userName": "u", ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "a1"}});
        let op = json!([{"op": "replace", "path": format!("{ATLASSIAN_EXTERNAL_URN}:atlassianAccountId"), "value": "a2"}]);
        assert_err(run("atlassian", atl.clone(), op), ScimType::Mutability);
        assert_err(
            run(
                "atlassian",
                atl,
                json!([{"op": "remove", "path": ATLASSIAN_EXTERNAL_URN}]),
            ),
            ScimType::Mutability,
        );
    }

    #[test]
    fn writing_a_read_only_attribute_with_its_current_value_is_a_no_op() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "value": {"id": "u1", "displayName": "B"}}]),
        )
        .expect("okta style");
        assert_eq!(out["id"], "u1");
        assert_eq!(out["displayName"], "B");
    }

    #[test]
    fn immutable_attributes_may_be_set_once_but_not_changed() {
        let e = assert_err(
            run_group(
                "generic",
                group(),
                json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u9"}]),
            ),
            ScimType::Mutability,
        );
        assert!(e.detail.contains("immutable"), "{e}");
        assert_err(
            run_group(
                "generic",
                group(),
                json!([{"op": "replace", "path": "members[value eq \"u1\"]", "value": {"value": "u9"}}]),
            ),
            ScimType::Mutability,
        );
        let out = run_group("generic", group(), json!([{"op": "replace", "path": "members[value eq \"u1\"].display", "value": "Barbara"}])).expect("display is writable");
        assert_eq!(
            out["members"][0],
            json!({"value": "u1", "display": "Barbara"})
        );
        let bare = json!({"id": "g2", "displayName": "G", "members": [{"display": "nobody yet"}]});
        let out = run_group("generic", bare, json!([{"op": "add", "path": "members[display eq \"nobody yet\"].value", "value": "u5"}])).expect("first value");
        assert_eq!(out["members"][0]["value"], "u5");
    }

    #[test]
    fn removing_a_required_attribute_is_mutability() {
        let e = assert_err(
            run(
                "generic",
                user(),
                json!([{"op": "remove", "path": "userName"}]),
            ),
            ScimType::Mutability,
        );
        assert!(e.detail.contains("required"), "{e}");
        assert_err(
            run(
                "generic",
                user(),
                json!([{"op": "replace", "path": "userName", "value": null}]),
            ),
            ScimType::Mutability,
        );
        assert_err(
            run_group(
                "generic",
                group(),
                json!([{"op": "remove", "path": "displayName"}]),
            ),
            ScimType::Mutability,
        );
    }

    #[test]
    fn unknown_attributes_are_invalid_path() {
        for op in [
            json!({"op": "replace", "path": "favouriteColour", "value": "blue"}),
            json!({"op": "replace", "path": "name.nickname", "value": "B"}),
            json!({"op": "replace", "path": "emails[type eq \"work\"].label", "value": "B"}),
            json!({"op": "replace", "path": format!("{ELFSQUAD_USER_URN}:isAdmin"), "value": true}),
            json!({"op": "replace", "path": "urn:example:unknown:1.0", "value": {"a": 1}}),
            json!({"op": "add", "value": {"favouriteColour": "blue"}}),
            json!({"op": "add", "path": "title.value", "value": "x"}),
            json!({"op": "add", "path": "title[value eq \"x\"]", "value": "x"}),
        ] {
            assert_err(
                run("generic", user(), json!([op.clone()])),
                ScimType::InvalidPath,
            );
        }
    }

    #[test]
    fn wrong_value_types_are_invalid_value() {
        for op in [
            json!({"op": "replace", "path": "active", "value": "false"}),
            json!({"op": "replace", "path": "userName", "value": 42}),
            json!({"op": "replace", "path": "name", "value": 3}),
            json!({"op": "add", "path": "emails", "value": ["plain@string"]}),
            json!({"op": "replace", "path": "emails[type eq \"work\"].primary", "value": "yes"}),
            json!({"op": "replace", "path": "emails[type eq \"work\"]", "value": "x@y"}),
            json!({"op": "replace", "value": {"displayName": ["a"]}}),
        ] {
            assert_err(
                run("generic", user(), json!([op.clone()])),
                ScimType::InvalidValue,
            );
        }
    }

    #[test]
    fn string_booleans_are_coerced_for_adra() {
        let op = json!([{"op": "replace", "path": "active", "value": "False"}]);
        let out = run("adra", user(), op.clone()).expect("adra sends string booleans (D:R6)");
        assert_eq!(out["active"], false);
        assert_err(run("generic", user(), op), ScimType::InvalidValue);
    }

    #[test]
    fn keys_are_written_in_the_schema_spelling() {
        let odd = json!({"id": "u1", "username": "old", "DisplayName": "x"});
        let out = run("generic", odd, json!([{"op": "replace", "path": "USERNAME", "value": "new"}, {"op": "replace", "value": {"displayname": "y"}}])).expect("ok");
        assert_eq!(
            out,
            json!({"id": "u1", "userName": "new", "displayName": "y"})
        );
    }

    // ---- primary ------------------------------------------------------------------------

    #[test]
    fn setting_primary_on_one_value_clears_it_on_the_others() {
        let out = run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]),
        )
        .expect("ok");
        assert_eq!(out["emails"][0]["primary"], false);
        assert_eq!(out["emails"][1]["primary"], true);
        let out = run("generic", user(), json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.org", "primary": true}]}])).expect("ok");
        let primaries: Vec<bool> = out["emails"]
            .as_array()
            .expect("emails")
            .iter()
            .map(|e| e["primary"] == true)
            .collect();
        assert_eq!(primaries, [false, false, true]);
    }

    #[test]
    fn two_primary_values_in_one_replace_are_refused() {
        let op = json!([{"op": "replace", "path": "emails", "value": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}]);
        assert_err(run("generic", user(), op), ScimType::InvalidValue);
        let op = json!([{"op": "replace", "path": "emails[value pr].primary", "value": true}]);
        assert_err(run("generic", user(), op), ScimType::InvalidValue);
    }

    // ---- robustness ---------------------------------------------------------------------

    #[test]
    fn operations_apply_in_order_and_the_first_error_is_returned() {
        let p = profile("generic");
        let ops = parse_patch_body(
            &body(json!([
                {"op": "replace", "path": "displayName", "value": "First"},
                {"op": "replace", "path": "id", "value": "x"},
                {"op": "replace", "path": "title", "value": "never"}
            ])),
            &p.patch,
        )
        .expect("parses");
        let mut r = user();
        let e = apply_patch(&mut r, &ops, &ResourceSchemas::user(&p), &p.patch)
            .expect_err("id is readOnly");
        assert_eq!(e.scim_type, Some(ScimType::Mutability));
        assert_eq!(
            r["displayName"], "First",
            "earlier operations were applied to the working copy"
        );
        assert!(r.get("title").is_none());
    }

    #[test]
    fn a_stored_resource_that_is_not_an_object_is_a_server_error_not_a_panic() {
        let p = profile("generic");
        let ops = parse_patch_body(&body(json!([{"op": "remove", "path": "title"}])), &p.patch)
            .expect("parses");
        let mut r = json!([1, 2]);
        let e = apply_patch(&mut r, &ops, &ResourceSchemas::user(&p), &p.patch)
            .expect_err("not an object");
        assert_eq!(e.status.as_u16(), 500);
        let mut odd =
            json!({"id": "u1", "userName": "u", "emails": "not-an-array", ENTERPRISE_USER_URN: 5});
        let ops = parse_patch_body(
            &body(json!([
                {"op": "add", "path": "emails", "value": [{"value": "a@b"}]},
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x"}
            ])),
            &p.patch,
        )
        .expect("parses");
        assert!(apply_patch(&mut odd.clone(), &ops, &ResourceSchemas::user(&p), &p.patch).is_err());
        let ext = parse_patch_body(&body(json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": "x"}])), &p.patch).expect("parses");
        assert!(apply_patch(&mut odd, &ext, &ResourceSchemas::user(&p), &p.patch).is_err());
    }

    // ---- untrusted input never panics -------------------------------------------------

    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        const KEYS: &[&str] = &[
            "value",
            "type",
            "primary",
            "display",
            "givenName",
            "userName",
            "active",
            "emails",
            "name",
            "id",
            "members",
            "department",
            "manager",
            "schemas",
            "op",
            "path",
            "Operations",
            "meta",
            "name.givenName",
            ENTERPRISE_USER_URN,
        ];
        const PATHS: &[&str] = &[
            "userName",
            "name",
            "name.givenName",
            "emails",
            "emails[type eq \"work\"]",
            "emails[type eq \"work\"].value",
            "emails[value pr].primary",
            "members",
            "members[value eq \"u1\"]",
            "meta.created",
            "id",
            "groups",
            "active",
            "x[",
            "roles",
            "addresses[type eq \"work\" and country eq \"NL\"].locality",
            ENTERPRISE_USER_URN,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User/isAdmin",
        ];

        fn arb_json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                "[a-zA-Z@. ]{0,8}".prop_map(Value::String),
                prop::sample::select(vec!["true", "False", "work", "{\"value\": \"r\"}", "u1"])
                    .prop_map(|s| json!(s)),
            ];
            leaf.prop_recursive(4, 32, 5, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(
                        |kv| Value::Object(
                            kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                        )
                    ),
                ]
            })
        }

        fn arb_op() -> impl Strategy<Value = Value> {
            (
                prop::sample::select(vec!["add", "remove", "replace", "Replace"]),
                prop::option::of(prop::sample::select(PATHS)),
                prop::option::of(arb_json()),
            )
                .prop_map(|(op, path, value)| {
                    let mut m = Map::new();
                    m.insert("op".into(), json!(op));
                    if let Some(p) = path {
                        m.insert("path".into(), json!(p));
                    }
                    if let Some(v) = value {
                        m.insert("value".into(), v);
                    }
                    Value::Object(m)
                })
        }

        proptest! {
            #[test]
            fn patch_parsing_and_application_never_panic(
                ops in prop::collection::vec(arb_op(), 1..4),
                vendor in prop::sample::select(vec!["generic", "attio", "atlassian", "adra", "elfsquad"]),
                start in arb_json(),
            ) {
                let _ = run(vendor, user(), Value::Array(ops.clone()));
                let _ = run_group(vendor, group(), Value::Array(ops.clone()));
                let _ = run(vendor, start, Value::Array(ops.clone()));
                let _ = parse(vendor, &Value::Array(ops));
            }

            #[test]
            fn write_normalisation_never_panics(body in arb_json()) {
                for vendor in ["generic", "atlassian", "elfsquad"] {
                    let s = ResourceSchemas::user(&profile(vendor));
                    for unknown in [UnknownAttributes::Keep, UnknownAttributes::Drop, UnknownAttributes::Reject] {
                        let opts = WriteOptions { unknown, string_booleans: true };
                        if let Ok(v) = s.normalize_write(body.clone(), &opts) {
                            let _ = s.check_required(&v);
                            let _ = s.check_immutable(&body, &v);
                        }
                    }
                }
            }
        }
    }
}
