//! Writes to the elements of a multi-valued attribute that a value filter selects
//! (`emails[type eq "work"]`, `emails[type eq "work"].value`, RFC 7644 §3.5.2), or to every
//! element (`emails.value`), keeping at most one `primary` (RFC 7643 §2.4).

use super::PatchOpKind;
use super::apply::{Patcher, Write};
use super::guard::{guard_remove, guard_write, is_subset, read_only, single};
use crate::error::ScimError;
use crate::json::{
    Obj, canonicalize_key, clear_primary, find_key, get_ci, get_ci_map, has_value, is_primary,
};
use crate::schema::{AttrDef, Mutability, check_one_primary, check_value, lookup_sub};
use scimock_filter::{
    AttrInfo, AttrOp, AttrPath, CompValue, CompareOp, CompiledFilter, Filter, SchemaInfo,
};
use serde_json::{Map, Value};

impl Patcher<'_> {
    /// `attr[filter]` or `attr[filter].sub`.
    pub(super) fn apply_filtered(
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
    pub(super) fn apply_to_elements(
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
        let made_primary = match (kind, sub, value) {
            (PatchOpKind::Remove, None, _) => {
                if def.is_read_only() {
                    return Err(read_only(label));
                }
                let mut i = 0;
                items.retain(|_| {
                    let keep = !indices.contains(&i);
                    i += 1;
                    keep
                });
                false
            }
            (PatchOpKind::Remove, Some(sub), _) => {
                remove_sub_of_elements(&mut items, sub, indices, label)?;
                false
            }
            (_, _, None) => {
                return Err(ScimError::invalid_value(format!("'{label}' needs a value")));
            }
            (_, None, Some(value)) => {
                match self.write_elements(&mut items, def, indices, kind, value, label)? {
                    Some(made_primary) => made_primary,
                    None => return Ok(()),
                }
            }
            (_, Some(sub), Some(value)) => {
                match self.write_sub_of_elements(&mut items, sub, indices, value, label)? {
                    Some(made_primary) => made_primary,
                    None => return Ok(()),
                }
            }
        };
        if made_primary {
            if indices.len() > 1 {
                return Err(ScimError::invalid_value(format!(
                    "'{label}' would make more than one value of '{}' primary",
                    def.name
                )));
            }
            for (i, e) in items.iter_mut().enumerate() {
                if !indices.contains(&i) {
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

    /// `add` or `replace` of whole elements: `add` merges the value's members into each,
    /// `replace` replaces each with the value. `Some(true)` when the value is primary; `None`
    /// when it is unassigned (nothing to do).
    fn write_elements(
        &self,
        items: &mut [Value],
        def: &AttrDef,
        indices: &[usize],
        kind: PatchOpKind,
        value: &Value,
        label: &str,
    ) -> Result<Option<bool>, ScimError> {
        let Some(checked) = check_value(&single(def), value.clone(), &self.opts, label)? else {
            return Ok(None);
        };
        let Value::Object(new) = &checked else {
            return Err(ScimError::invalid_value(format!(
                "'{label}' needs a JSON object value"
            )));
        };
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
            guard_element(def, &old, &next, label)?;
            *e = next;
        }
        Ok(Some(is_primary(&checked)))
    }

    /// `add` or `replace` of one sub-attribute of each element. `Some(true)` when it sets
    /// `primary` to true; `None` when the value is unassigned (nothing to do).
    fn write_sub_of_elements(
        &self,
        items: &mut [Value],
        sub: &AttrDef,
        indices: &[usize],
        value: &Value,
        label: &str,
    ) -> Result<Option<bool>, ScimError> {
        let Some(checked) = check_value(sub, value.clone(), &self.opts, label)? else {
            return Ok(None);
        };
        let made_primary = sub.name == "primary" && checked == Value::Bool(true);
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
        Ok(Some(made_primary))
    }
}

/// `remove` of one sub-attribute of each selected element; elements left empty go.
fn remove_sub_of_elements(
    items: &mut Vec<Value>,
    sub: &AttrDef,
    indices: &[usize],
    label: &str,
) -> Result<(), ScimError> {
    for i in indices {
        if let Some(Value::Object(e)) = items.get_mut(*i) {
            guard_remove(sub, get_ci_map(e, &sub.name), label)?;
            if let Some(k) = find_key(e, &sub.name) {
                e.shift_remove(&k);
            }
        }
    }
    items.retain(|e| !e.as_object().is_some_and(Map::is_empty));
    Ok(())
}

/// The mutability of each sub-attribute across one element's write, `old` to `next`: a
/// read-only or immutable one may not change, and an immutable one with a value may not go.
fn guard_element(def: &AttrDef, old: &Value, next: &Obj, label: &str) -> Result<(), ScimError> {
    for s in &def.sub_attributes {
        let before = get_ci(old, &s.name);
        match get_ci_map(next, &s.name) {
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
