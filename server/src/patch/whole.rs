//! Writes to a whole attribute (`emails`, `name`, `title`) or to one sub-attribute of it
//! (`name.givenName`, `emails.value`), RFC 7644 §3.5.2.1-3.

use super::PatchOpKind;
use super::apply::{Patcher, Write};
use super::guard::{guard_remove, guard_write, is_subset, read_only, removal_matches};
use crate::error::ScimError;
use crate::json::{Obj, canonicalize_key, clear_primary, find_key, get_ci, is_primary};
use crate::schema::{AttrDef, check_value, lookup_sub, values_equal};
use serde_json::{Map, Value};

/// `add` to a multi-valued attribute: `current` with the items not already in it (an item
/// already there is a subset of an element, §3.5.2.1). Linear in the sizes: elements are
/// indexed by their string `value` (or by the value itself for simple attributes), so only
/// elements with an equal value are compared; items without one are compared with all.
pub(super) fn add_new(def: &AttrDef, mut merged: Vec<Value>, items: Vec<Value>) -> Vec<Value> {
    use std::collections::HashMap;
    if items.iter().any(is_primary) {
        merged.iter_mut().for_each(clear_primary);
    }
    // The equality `is_subset` applies to the `value` member (or to a simple value).
    let value_def = lookup_sub(def, "value");
    let key = |e: &Value| -> Option<String> {
        let (v, vdef) = match e {
            Value::Object(_) => (get_ci(e, "value")?, value_def?),
            other => (other, def),
        };
        let s = v.as_str()?;
        Some(if vdef.case_exact {
            s.to_string()
        } else {
            s.to_lowercase()
        })
    };
    let mut by_value: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in merged.iter().enumerate() {
        if let Some(k) = key(e) {
            by_value.entry(k).or_default().push(i);
        }
    }
    for item in items {
        let k = key(&item);
        let present = match &k {
            // Only an element with an equal value can contain the item; elements without a
            // string value cannot either (the item's value must be in them).
            Some(k) => by_value
                .get(k)
                .is_some_and(|ix| ix.iter().any(|&i| is_subset(def, &item, &merged[i]))),
            None => merged.iter().any(|e| is_subset(def, &item, e)),
        };
        if !present {
            if let Some(k) = k {
                by_value.entry(k).or_default().push(merged.len());
            }
            merged.push(item);
        }
    }
    merged
}

impl Patcher<'_> {
    /// A path naming a whole attribute.
    pub(super) fn apply_whole(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        w: Write,
    ) -> Result<(), ScimError> {
        let Write { kind, value, label } = w;
        let Some(value) = value else {
            // remove (§3.5.2.2): the attribute and all its values.
            guard_remove(def, container.get(&def.name), label)?;
            container.shift_remove(&def.name);
            return Ok(());
        };
        if kind == PatchOpKind::Remove {
            return self.remove_values(container, def, value, label);
        }
        if def.multi_valued {
            return self.write_values(container, def, w, value);
        }
        if def.is_complex() {
            return self.write_complex(container, def, label, value);
        }
        let existing = container.get(&def.name);
        let Some(checked) = check_value(def, value.clone(), &self.opts, label)? else {
            return Ok(());
        };
        if !guard_write(def, existing, &checked, label)? {
            container.insert(def.name.clone(), checked);
        }
        Ok(())
    }

    /// `add` or `replace` of a multi-valued attribute: `add` appends the values not already
    /// there, `replace` replaces them all; a single value is a one-element array.
    fn write_values(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        w: Write,
        value: &Value,
    ) -> Result<(), ScimError> {
        let Write { kind, label, .. } = w;
        let existing = container.get(&def.name);
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
            let within =
                |a: &[Value], b: &[Value]| a.iter().all(|i| b.iter().any(|e| is_subset(def, i, e)));
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
            add_new(def, current.clone(), new_items)
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
        Ok(())
    }

    /// `add` or `replace` of a single-valued complex attribute: both merge sub-attributes
    /// (§3.5.2.1, §3.5.2.3); a scalar is the `value` sub-attribute where there is one.
    fn write_complex(
        &self,
        container: &mut Obj,
        def: &AttrDef,
        label: &str,
        value: &Value,
    ) -> Result<(), ScimError> {
        let existing = container.get(&def.name);
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
    pub(super) fn apply_sub(
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
}
