//! The profile file format described for people and editors, generated from the model's types
//! (their doc comments become the descriptions): the JSON Schema `scimock profile schema` prints
//! and `docs/profile.schema.json` holds, the field reference (`$docs` of a starting file, the
//! table in `docs/profiles.md`), and the hints that make a loader error say what is expected.
//!
//! The schema is schemars' picture of [`Profile`] with what a file adds: the annotations
//! `$schema`, `$comment` and `$docs`, and `extends`. A file that extends a built-in gives only
//! the fields it changes, so objects that merge over a built-in's require nothing; the top level
//! requires every field only when there is no `extends`, and array items (which replace rather
//! than merge) stay complete.

use crate::Profile;
use crate::registry::PROFILE_NAMES;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The JSON Schema (draft 2020-12) of a profile file.
pub fn json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(build)
}

/// [`json_schema`] as `scimock profile schema` prints it and `docs/profile.schema.json` holds it:
/// pretty-printed, ending in a newline.
pub fn json_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(json_schema()).unwrap_or_default();
    s.push('\n');
    s
}

fn build() -> Value {
    let mut root = schemars::schema_for!(Profile).to_value();
    let Some(obj) = root.as_object_mut() else {
        return root;
    };
    obj.insert("title".into(), json!("scimock profile"));
    obj.insert(
        "description".into(),
        json!(
            "A scimock vendor profile: what one SCIM service provider does, as data (docs/profiles.md). \
             A file may start from a built-in with \"extends\" and give only the fields it changes \
             (objects merge; arrays, strings, numbers, booleans and null replace); without \"extends\" \
             it gives every required field."
        ),
    );
    let required = obj.remove("required").unwrap_or_else(|| json!([]));
    obj.insert(
        "if".into(),
        json!({"required": ["extends"], "description": "a file that extends a built-in gives only what it changes"}),
    );
    obj.insert("else".into(), json!({ "required": required }));
    let mut props = Map::new();
    props.insert(
        "$schema".into(),
        json!({"type": "string", "description": "Where an editor finds this schema (ignored by scimock), e.g. \"./profile.schema.json\" after `scimock profile schema > profile.schema.json`."}),
    );
    props.insert(
        "$comment".into(),
        json!({"description": "A note for people (ignored by scimock)."}),
    );
    props.insert(
        "$docs".into(),
        json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "What each field does, by dotted path, as `scimock profile new` writes it (ignored by scimock)."}),
    );
    props.insert(
        "extends".into(),
        json!({"enum": PROFILE_NAMES, "description": "The built-in profile this file starts from: its fields are deep-merged under this file's (objects merge key by key; arrays, strings, numbers, booleans and null replace). Without it the file gives every required field."}),
    );
    if let Some(Value::Object(own)) = obj.remove("properties") {
        props.extend(own);
    }
    obj.insert("properties".into(), Value::Object(props));
    // Array items replace whole, so they (and everything inside them) stay complete; every other
    // object merges over a built-in's and requires nothing.
    let complete = complete_defs(obj);
    if let Some(Value::Object(defs)) = obj.get_mut("$defs") {
        for (name, def) in defs.iter_mut() {
            if !complete.contains(name) {
                if let Some(d) = def.as_object_mut() {
                    d.remove("required");
                }
            }
        }
    }
    root
}

/// The definitions reachable from an array's `items` (transitively).
fn complete_defs(root: &Map<String, Value>) -> BTreeSet<String> {
    let mut seeds = Vec::new();
    let whole = Value::Object(root.clone());
    collect_items_refs(&whole, &mut seeds);
    let mut done = BTreeSet::new();
    while let Some(name) = seeds.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(def) = root.get("$defs").and_then(|d| d.get(&name)) {
            collect_refs(def, &mut seeds);
        }
    }
    done
}

fn collect_items_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == "items" {
                    collect_refs(child, out);
                }
                collect_items_refs(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_items_refs(c, out)),
        _ => {}
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = m.get("$ref").and_then(Value::as_str).and_then(def_name) {
                out.push(name.to_string());
            }
            m.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

fn def_name(r: &str) -> Option<&str> {
    r.strip_prefix("#/$defs/")
}

/// `s` with a `$ref` followed.
fn deref(s: &Value) -> &Value {
    match s.get("$ref").and_then(Value::as_str).and_then(def_name) {
        Some(name) => json_schema()
            .get("$defs")
            .and_then(|d| d.get(name))
            .unwrap_or(s),
        None => s,
    }
}

/// The branch of an optional (`anyOf: [X, {"type": "null"}]`) that is not null, or `s`.
fn non_null(s: &Value) -> &Value {
    let s = deref(s);
    match s.get("anyOf").and_then(Value::as_array) {
        Some(branches) => branches
            .iter()
            .find(|b| b.get("type") != Some(&json!("null")))
            .map_or(s, deref),
        None => s,
    }
}

/// The schema of the field at a JSON path (`list.max_count`, `quirks[2].id`), if the model has it.
pub fn schema_at(path: &str) -> Option<&'static Value> {
    let mut s = json_schema();
    for seg in segments(path) {
        let here = non_null(s);
        s = match seg {
            Segment::Field(name) => here
                .get("properties")
                .and_then(|p| p.get(name))
                .or_else(|| here.get("additionalProperties").filter(|a| a.is_object()))?,
            Segment::Index => here.get("items")?,
        };
    }
    Some(s)
}

enum Segment<'a> {
    Field(&'a str),
    Index,
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            out.push(Segment::Field(name));
        }
        out.extend(rest.matches(']').map(|_| Segment::Index));
    }
    out
}

/// A short picture of what a schema accepts: `integer >= 0, or null`, `one of: scim, problem`.
pub fn describe(s: &Value) -> String {
    let s = deref(s);
    if let Some(values) = allowed_values(s) {
        return format!("one of: {}", values.join(", "));
    }
    if let Some(branches) = s.get("anyOf").and_then(Value::as_array) {
        let parts: Vec<String> = branches
            .iter()
            .map(|b| {
                if b.get("type") == Some(&json!("null")) {
                    "null".to_string()
                } else {
                    describe(b)
                }
            })
            .collect();
        return parts.join(", or ");
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return "any JSON value".to_string(),
    };
    let nullable = types.contains(&"null");
    let base = types
        .iter()
        .find(|t| **t != "null")
        .copied()
        .unwrap_or("null");
    let mut d = match base {
        "integer" | "number" => {
            let min = s.get("minimum").and_then(Value::as_i64);
            let max = s.get("maximum").and_then(Value::as_i64);
            match (min, max) {
                (Some(a), Some(b)) => format!("{base} from {a} to {b}"),
                (Some(a), None) => format!("{base} >= {a}"),
                (None, Some(b)) => format!("{base} <= {b}"),
                (None, None) => base.to_string(),
            }
        }
        "array" => match s.get("items") {
            Some(items) => format!("array of {}", plural(&describe(items))),
            None => "array".to_string(),
        },
        "object" => match s.get("additionalProperties") {
            Some(a) if a.is_object() => format!("object of {}", plural(&describe(a))),
            _ => "object".to_string(),
        },
        other => other.to_string(),
    };
    if nullable {
        d.push_str(", or null");
    }
    d
}

fn plural(kind: &str) -> String {
    if kind.starts_with("one of") || kind.contains(',') {
        format!("({kind})")
    } else if let Some(rest) = kind.strip_prefix("array of ") {
        format!("arrays of {rest}")
    } else if let Some(rest) = kind.strip_prefix("object of ") {
        format!("objects of {rest}")
    } else {
        format!("{kind}s")
    }
}

/// The values an enumeration allows (`enum`, or `oneOf`/`anyOf` of constants).
pub fn allowed_values(s: &Value) -> Option<Vec<String>> {
    let s = deref(s);
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        return Some(values.iter().map(show).collect());
    }
    let branches = s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)?;
    let mut out = Vec::new();
    for b in branches {
        let b = deref(b);
        if let Some(c) = b.get("const") {
            out.push(show(c));
        } else if let Some(values) = b.get("enum").and_then(Value::as_array) {
            out.extend(values.iter().map(show));
        } else if b.get("type") == Some(&json!("null")) {
            out.push("null".to_string());
        } else {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The description of a field's schema (of the property, else of the type it refers to).
pub fn description(s: &Value) -> String {
    s.get("description")
        .or_else(|| non_null(s).get("description"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The JSON type of a value, as messages name it.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What a loader error adds to serde's message: what the field at `path` accepts, or for an
/// unknown field the nearest known name, or for a missing field what that field is.
pub(crate) fn hint(path: &str, message: &str) -> String {
    if message.starts_with("unknown field") {
        let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
        let given = quoted(message).unwrap_or("");
        let known = schema_at(parent)
            .map(non_null)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object);
        return known
            .and_then(|k| nearest(given, k.keys().map(String::as_str)))
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
    }
    if message.starts_with("missing field") {
        let field = quoted(message).unwrap_or("");
        let full = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        let top = if path.is_empty() {
            "; a file without \"extends\" gives every field (`scimock profile new NAME --from BASE` writes one), or add \"extends\": \"generic\""
        } else {
            ""
        };
        return match schema_at(&full) {
            Some(s) => format!(" ({full}: {}){top}", describe(s)),
            None => top.to_string(),
        };
    }
    match schema_at(path) {
        Some(s) => format!(" (expected {})", describe(s)),
        None => String::new(),
    }
}

/// The first `backquoted` word of a serde message.
fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('`')?;
    rest.split_once('`').map(|(w, _)| w)
}

/// The known name closest to `given`, if it is close (a typo, not another word).
fn nearest<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (edit_distance(given, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One field of the profile format: its dotted path (`[]` for the items of an array), what it
/// accepts and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    /// `list.max_count`, `quirks[].id`.
    pub path: String,
    /// What it accepts ([`describe`]).
    pub accepts: String,
    /// What it does (the model's doc comment).
    pub description: String,
}

/// Every field of the format, depth first in the model's order (annotations and `extends`
/// first).
pub fn field_docs() -> Vec<FieldDoc> {
    let mut out = Vec::new();
    walk(json_schema(), "", &mut Vec::new(), &mut out);
    out
}

/// The definition a schema (or the non-null branch of an optional one) refers to.
fn ref_name(s: &Value) -> Option<&str> {
    let s = match s.get("anyOf").and_then(Value::as_array) {
        Some(branches) => branches
            .iter()
            .find(|b| b.get("type") != Some(&json!("null")))?,
        None => s,
    };
    s.get("$ref").and_then(Value::as_str).and_then(def_name)
}

/// Walks the fields under `s`; `seen` holds the definitions being walked, so a recursive one
/// (an attribute's `subAttributes`) is described once, not forever.
fn walk<'a>(s: &'a Value, prefix: &str, seen: &mut Vec<&'a str>, out: &mut Vec<FieldDoc>) {
    let Some(props) = non_null(s).get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in props {
        let path = format!("{prefix}{name}");
        out.push(FieldDoc {
            path: path.clone(),
            accepts: describe(field),
            description: one_line(&description(field)),
        });
        let inner = non_null(field);
        let (next, prefix) = if inner.get("properties").is_some() {
            (field, format!("{path}."))
        } else if let Some(items) = inner.get("items") {
            if non_null(items).get("properties").is_none() {
                continue;
            }
            (items, format!("{path}[]."))
        } else {
            continue;
        };
        let def = ref_name(next);
        if def.is_some_and(|d| seen.contains(&d)) {
            continue;
        }
        seen.extend(def);
        walk(next, &prefix, seen, out);
        if def.is_some() {
            seen.pop();
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field reference as a Markdown table (field, what it accepts, what it does), as
/// `scimock profile schema --format markdown` prints it and `docs/profiles.md` holds it.
pub fn reference_markdown() -> String {
    let mut out = String::from("| field | accepts | what it does |\n|---|---|---|\n");
    for f in field_docs() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            f.path,
            cell(&f.accepts),
            cell(&f.description)
        ));
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The `$docs` map of a starting file: every profile field's path with what it accepts and does.
pub fn docs_map() -> Map<String, Value> {
    field_docs()
        .into_iter()
        .filter(|f| !f.path.starts_with('$') && f.path != "extends")
        .map(|f| {
            let text = if f.description.is_empty() {
                f.accepts
            } else {
                format!("{}. {}", f.accepts, f.description)
            };
            (f.path, Value::String(text))
        })
        .collect()
}

/// A starting profile file named `name`: every field of `base` (its fixtures kept), `$schema`,
/// a `$comment` saying where it came from, and `$docs` at the end. It loads as it is.
pub fn starter(base: &Profile, name: &str) -> Value {
    let mut p = base.clone();
    p.name = name.to_string();
    p.title = name.to_string();
    p.summary = format!("{name}: a custom profile started from {}.", base.name);
    p.fixtures = p.fixtures.clone().or_else(|| Some(base.name.clone()));
    let mut out = Map::new();
    out.insert("$schema".into(), json!("./profile.schema.json"));
    out.insert(
        "$comment".into(),
        json!(format!(
            "Started from the built-in profile {:?} by `scimock profile new`. Every field is here; \"$docs\" at the end says what each does. \
             For a short file keep only what you change and add \"extends\": {:?}. `scimock profile schema > profile.schema.json` lets an editor check this file. Format: docs/profiles.md.",
            base.name, base.name
        )),
    );
    if let Ok(Value::Object(fields)) = serde_json::to_value(&p) {
        out.extend(fields);
    }
    out.insert("$docs".into(), Value::Object(docs_map()));
    Value::Object(out)
}
