//! Write validation (RFC 7643 §2, RFC 7644 §3.3, §3.5.1): POST/PUT bodies cleaned against
//! the schemas (names in the schema's spelling, values type-checked, unassigned and read-only
//! attributes dropped, unknown ones per the profile), required attributes, immutable ones, and
//! the value checks PATCH shares.

use crate::error::ScimError;
use crate::json::{check_depth, find_key, get_ci, has_value, is_primary};
use crate::schema::defs::{AttrDef, find_def, values_equal};
use crate::schema::resource::ResourceSchemas;
use scimock_filter::AttrKind;
use scimock_profile::{Mutability, Profile, UnknownAttributes};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What a write does with a request body: the profile's unknown-attribute rule and leniency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Attributes the schema does not know.
    pub unknown: UnknownAttributes,
    /// `"true"`/`"false"` (any case) accepted for boolean attributes.
    pub string_booleans: bool,
}

impl WriteOptions {
    /// The options a profile documents for POST and PUT bodies.
    pub fn for_profile(profile: &Profile) -> WriteOptions {
        WriteOptions {
            unknown: profile.writes.unknown_attributes,
            string_booleans: profile.patch.string_booleans,
        }
    }
}

/// A schema-required attribute a resource lacks, in the schema's spelling (`userName`,
/// `urn:...:attr`, `name.givenName`). Derefs to that name, so it fills a refusal's `{attr}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("required attribute '{0}' has no value")]
pub struct MissingAttribute(pub String);

impl std::ops::Deref for MissingAttribute {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl ResourceSchemas {
    /// Validates and cleans a POST/PUT body (RFC 7643 §2, RFC 7644 §3.3, §3.5.1): attribute
    /// names in the schema's spelling, values type-checked, `null` and empty arrays dropped
    /// (unassigned, RFC 7643 §2.5), read-only attributes and `schemas` dropped, unknown
    /// attributes kept, dropped or refused per `opts`.
    pub fn normalize_write(&self, body: Value, opts: &WriteOptions) -> Result<Value, ScimError> {
        if !body.is_object() {
            return Err(ScimError::invalid_syntax(
                "The request body must be a JSON object",
            ));
        }
        check_depth(&body)?;
        let Value::Object(obj) = body else {
            return Err(ScimError::invalid_syntax(
                "The request body must be a JSON object",
            ));
        };
        let mut out = Map::new();
        for (key, value) in obj {
            if key.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some(ext) = self.extension(&key) {
                let cleaned = match value {
                    Value::Null => continue,
                    Value::Object(inner) => normalize_members(
                        &ext.attributes,
                        inner,
                        opts,
                        Some((&Label::new(&ext.id), ":")),
                    )?,
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "Extension '{}' must be a JSON object",
                            ext.id
                        )));
                    }
                };
                if !cleaned.is_empty() {
                    insert_once(&mut out, ext.id.clone(), Value::Object(cleaned))?;
                }
                continue;
            }
            let def = self.top_level(&key);
            normalize_member(def, key, value, opts, None, &mut out)?;
        }
        Ok(Value::Object(out))
    }

    /// The first schema-required attribute `v` lacks (`null`, `""`, `[]` count as missing),
    /// in the schema's spelling (`userName`, `urn:...:attr`, `name.givenName`).
    pub fn check_required(&self, v: &Value) -> Result<(), MissingAttribute> {
        check_required_in(self.top_level_attrs(), v, "")?;
        for ext in &self.extensions {
            if let Some(obj) = get_ci(v, &ext.id) {
                check_required_in(ext.attributes.iter(), obj, &format!("{}:", ext.id))?;
            }
        }
        Ok(())
    }

    /// True when [`check_immutable`](Self::check_immutable) has anything to compare: an
    /// immutable attribute, directly or inside a single-valued complex one.
    pub fn has_immutable(&self) -> bool {
        fn any<'a>(mut defs: impl Iterator<Item = &'a AttrDef>) -> bool {
            defs.any(|d| {
                d.mutability == Mutability::Immutable
                    || (d.is_complex() && !d.multi_valued && any(d.sub_attributes.iter()))
            })
        }
        any(self.top_level_attrs()) || self.extensions.iter().any(|e| any(e.attributes.iter()))
    }

    /// RFC 7644 §3.5.1: an immutable attribute that has a value may only be given that same
    /// value again (400 `mutability`). An immutable attribute absent from `new` is not a
    /// change here: the caller carries the stored value over.
    pub fn check_immutable(&self, old: &Value, new: &Value) -> Result<(), ScimError> {
        check_immutable_in(self.top_level_attrs(), old, new, "")?;
        for ext in &self.extensions {
            if let (Some(o), Some(n)) = (get_ci(old, &ext.id), get_ci(new, &ext.id)) {
                check_immutable_in(ext.attributes.iter(), o, n, &format!("{}:", ext.id))?;
            }
        }
        Ok(())
    }
}

/// An attribute's name in error messages (`emails.value`, `urn:…:User:manager.value`), put
/// together only when an error is reported, so valid writes format nothing.
#[derive(Debug, Clone, Copy)]
struct Label<'a> {
    /// The enclosing attribute or extension, and the separator after it (`.` or `:`).
    parent: Option<(&'a Label<'a>, &'static str)>,
    name: &'a str,
}

impl<'a> Label<'a> {
    fn new(name: &'a str) -> Label<'a> {
        Label { parent: None, name }
    }
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((parent, sep)) = self.parent {
            write!(f, "{parent}{sep}")?;
        }
        f.write_str(self.name)
    }
}

/// Type-checks one value of `def` (the whole value: an array for multi-valued attributes)
/// and returns it cleaned; `None` when it is unassigned (`null`, `[]`, `{}`). `label` names
/// the attribute in errors.
pub fn check_value(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &str,
) -> Result<Option<Value>, ScimError> {
    check_value_at(def, value, opts, &Label::new(label))
}

/// [`check_value`] with a label formatted only on error.
fn check_value_at(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &Label<'_>,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi_valued {
        if value.is_array() {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{label}' is single-valued; a JSON array is not allowed"
            )));
        }
        return check_single(def, value, opts, label);
    }
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value(format!(
            "Attribute '{label}' is multi-valued; expected a JSON array"
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{label}' takes single values, not nested arrays"
            )));
        }
        if let Some(v) = check_single(def, item, opts, label)? {
            out.push(v);
        }
    }
    check_one_primary(&out, label)?;
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// RFC 7643 §2.4: the primary value `true` appears at most once (400 `invalidValue`).
pub fn check_one_primary(items: &[Value], label: &dyn std::fmt::Display) -> Result<(), ScimError> {
    let primaries = items.iter().filter(|v| is_primary(v)).count();
    if primaries > 1 {
        return Err(ScimError::invalid_value(format!(
            "At most one value of '{label}' may have primary true"
        )));
    }
    Ok(())
}

/// Type-checks one single value of `def`.
fn check_single(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &Label<'_>,
) -> Result<Option<Value>, ScimError> {
    let wrong =
        |what: &str| ScimError::invalid_value(format!("Attribute '{label}' must be {what}"));
    let v = match def.kind {
        AttrKind::String | AttrKind::Reference | AttrKind::Binary => match value {
            Value::String(_) => value,
            _ => return Err(wrong("a string")),
        },
        AttrKind::Boolean => match value {
            Value::Bool(_) => value,
            Value::String(s) if opts.string_booleans && s.eq_ignore_ascii_case("true") => {
                Value::Bool(true)
            }
            Value::String(s) if opts.string_booleans && s.eq_ignore_ascii_case("false") => {
                Value::Bool(false)
            }
            _ => return Err(wrong("a boolean")),
        },
        AttrKind::Integer => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => value,
            _ => return Err(wrong("an integer")),
        },
        AttrKind::Decimal => match value {
            Value::Number(_) => value,
            _ => return Err(wrong("a number")),
        },
        AttrKind::DateTime => match &value {
            Value::String(s) if OffsetDateTime::parse(s, &Rfc3339).is_ok() => value,
            _ => return Err(wrong("an RFC 3339 dateTime string")),
        },
        AttrKind::Complex => match value {
            Value::Object(m) => {
                let cleaned = normalize_members(&def.sub_attributes, m, opts, Some((label, ".")))?;
                if cleaned.is_empty() {
                    return Ok(None);
                }
                Value::Object(cleaned)
            }
            _ => return Err(wrong("a JSON object")),
        },
    };
    Ok(Some(v))
}

/// Cleans the members of an object whose attributes are `defs`; `parent` names the enclosing
/// attribute or extension in errors (`name` + `.`, `urn:...` + `:`).
fn normalize_members(
    defs: &[AttrDef],
    obj: Map<String, Value>,
    opts: &WriteOptions,
    parent: Option<(&Label<'_>, &'static str)>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in obj {
        let def = find_def(defs, &key);
        normalize_member(def, key, value, opts, parent, &mut out)?;
    }
    Ok(out)
}

/// Cleans one member into `out`: known ones checked and renamed, unknown ones per `opts`.
fn normalize_member(
    def: Option<&AttrDef>,
    key: String,
    value: Value,
    opts: &WriteOptions,
    parent: Option<(&Label<'_>, &'static str)>,
    out: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    match def {
        Some(def) => {
            if def.is_read_only() {
                return Ok(());
            }
            let label = Label {
                parent,
                name: &def.name,
            };
            if let Some(v) = check_value_at(def, value, opts, &label)? {
                insert_once(out, def.name.clone(), v)?;
            }
            Ok(())
        }
        None => match opts.unknown {
            UnknownAttributes::Keep => {
                if !value.is_null() {
                    insert_once(out, key, value)?;
                }
                Ok(())
            }
            UnknownAttributes::Drop => Ok(()),
            UnknownAttributes::Reject => Err(ScimError::invalid_syntax(format!(
                "Unknown attribute '{}'",
                Label { parent, name: &key }
            ))),
        },
    }
}

/// Inserts `key`, refusing a second spelling of the same name (names are case-insensitive).
fn insert_once(out: &mut Map<String, Value>, key: String, value: Value) -> Result<(), ScimError> {
    if find_key(out, &key).is_some() {
        return Err(ScimError::invalid_syntax(format!(
            "Attribute '{key}' is given more than once (attribute names are case-insensitive)"
        )));
    }
    out.insert(key, value);
    Ok(())
}

fn check_required_in<'a>(
    defs: impl Iterator<Item = &'a AttrDef>,
    v: &Value,
    prefix: &str,
) -> Result<(), MissingAttribute> {
    for def in defs {
        let value = get_ci(v, &def.name);
        if def.required && !has_value(value) {
            return Err(MissingAttribute(format!("{prefix}{}", def.name)));
        }
        if def.is_complex() && !def.sub_attributes.iter().any(|s| s.required) {
            continue;
        }
        let elements: Vec<&Value> = match value {
            Some(Value::Array(a)) if def.is_complex() => a.iter().collect(),
            Some(o @ Value::Object(_)) if def.is_complex() => vec![o],
            _ => continue,
        };
        for e in elements {
            for sub in def.sub_attributes.iter().filter(|s| s.required) {
                if !has_value(get_ci(e, &sub.name)) {
                    return Err(MissingAttribute(format!(
                        "{prefix}{}.{}",
                        def.name, sub.name
                    )));
                }
            }
        }
    }
    Ok(())
}

fn check_immutable_in<'a>(
    defs: impl Iterator<Item = &'a AttrDef>,
    old: &Value,
    new: &Value,
    prefix: &str,
) -> Result<(), ScimError> {
    for def in defs {
        let (o, n) = (get_ci(old, &def.name), get_ci(new, &def.name));
        if def.mutability == Mutability::Immutable {
            if let (true, true, Some(o), Some(n)) = (has_value(o), has_value(n), o, n) {
                if !values_equal(def, o, n) {
                    return Err(ScimError::mutability(format!(
                        "Attribute '{prefix}{}' is immutable and already has a value",
                        def.name
                    )));
                }
            }
            continue;
        }
        // Sub-attributes of a single-valued complex attribute; elements of multi-valued ones
        // have no identity across a replace, so their immutable sub-attributes are not compared.
        if def.is_complex() && !def.multi_valued {
            if let (Some(o), Some(n)) = (o, n) {
                check_immutable_in(
                    def.sub_attributes.iter(),
                    o,
                    n,
                    &format!("{prefix}{}.", def.name),
                )?;
            }
        }
    }
    Ok(())
}
