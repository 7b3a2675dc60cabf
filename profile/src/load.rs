//! Profiles from documents: a built-in's embedded JSON or a user's file, the same format.
//!
//! A document is a profile object with, at the top level, three annotations the loader ignores
//! (`$schema`, `$comment`, `$docs`) and an optional `"extends": "NAME"`: the built-in it starts
//! from. The document's fields are deep-merged over that built-in (objects merge key by key;
//! arrays, strings, numbers, booleans and `null` replace), then the result is read as a
//! [`Profile`] with every error naming its JSON path, and checked ([`Profile::validate`],
//! [`Profile::problems`]).

use crate::file_schema;
use crate::registry::{PROFILE_NAMES, builtin_source, is_builtin};
use crate::{Problem, Profile, ProfileError};
use serde_json::{Map, Value};
use std::path::Path;

/// Top-level keys that annotate a document and are not part of the profile.
pub const ANNOTATIONS: &[&str] = &["$schema", "$comment", "$docs"];

/// How deep `extends` may chain (a built-in may extend another built-in).
const MAX_EXTENDS: usize = 8;

/// True when a `--vendor` / `--profile` argument names a profile file rather than a built-in:
/// it contains `/` or ends in `.json` (`./acme.json`, `profiles/acme.json`, `acme.json`).
pub fn is_profile_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".json")
}

impl Profile {
    /// A built-in profile by name, or a profile file when `arg` is a path ([`is_profile_path`]).
    pub fn load(arg: &str) -> Result<Profile, ProfileError> {
        if is_profile_path(arg) {
            Profile::from_file(Path::new(arg))
        } else {
            Profile::builtin(arg)
        }
    }

    /// Loads a built-in profile by name.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let src = builtin_source(name).ok_or_else(|| ProfileError::Unknown(name.to_string()))?;
        let doc = resolve(name, src, 0, false)?;
        finish(name, doc)
    }

    /// Loads a profile file (see the module documentation for the format). A file that extends
    /// a built-in starts with that built-in's seed data unless it sets `fixtures`.
    pub fn from_file(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::from_document(&path.display().to_string(), &text)
    }

    /// Parses a profile document; `origin` (a file path or a name) is what errors call it.
    pub fn from_document(origin: &str, text: &str) -> Result<Profile, ProfileError> {
        let doc = resolve(origin, text, 0, true)?;
        finish(origin, doc)
    }

    /// Parses a profile from JSON text: [`Profile::from_document`] under another name.
    pub fn from_json(name: &str, src: &str) -> Result<Profile, ProfileError> {
        Profile::from_document(name, src)
    }

    /// The effective document of a profile file or built-in after `extends`, before it is read
    /// as a profile: what [`Profile::load`] checks, for tools that want to show it.
    pub fn resolve_document(origin: &str, text: &str) -> Result<Value, ProfileError> {
        resolve(origin, text, 0, true)
    }
}

fn invalid(origin: &str, path: &str, message: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        origin: origin.to_string(),
        problems: vec![Problem::new(path, message)],
    }
}

/// The document `text` with its annotations removed and its `extends` merged in. With
/// `inherit_fixtures`, a document that extends a built-in and leaves `fixtures` out gets that
/// built-in's seed data (built-ins themselves keep their own).
fn resolve(
    origin: &str,
    text: &str,
    depth: usize,
    inherit_fixtures: bool,
) -> Result<Value, ProfileError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| invalid(origin, "", format!("not valid JSON: {e}")))?;
    let Value::Object(mut map) = doc else {
        return Err(invalid(
            origin,
            "",
            format!(
                "a profile is a JSON object, not {}",
                file_schema::json_type(&doc)
            ),
        ));
    };
    for key in ANNOTATIONS {
        map.shift_remove(*key);
    }
    let Some(extends) = map.shift_remove("extends") else {
        return Ok(Value::Object(map));
    };
    let base_name = match &extends {
        Value::String(s) if is_builtin(s) => s.clone(),
        other => {
            return Err(invalid(
                origin,
                "extends",
                format!(
                    "{} is not a built-in profile; allowed values: {}",
                    other,
                    PROFILE_NAMES.join(", ")
                ),
            ));
        }
    };
    if depth >= MAX_EXTENDS {
        return Err(invalid(
            origin,
            "extends",
            format!("more than {MAX_EXTENDS} profiles extend each other (a cycle?)"),
        ));
    }
    let base_src = builtin_source(&base_name).unwrap_or("{}");
    let mut base = resolve(&base_name, base_src, depth + 1, false)?;
    if inherit_fixtures && !map.contains_key("fixtures") {
        if let Value::Object(b) = &mut base {
            if b.get("fixtures").is_none_or(Value::is_null) {
                b.insert("fixtures".into(), Value::String(base_name));
            }
        }
    }
    merge(&mut base, Value::Object(map));
    Ok(base)
}

/// Deep-merges `over` into `base`: objects merge key by key, anything else replaces.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => merge_objects(b, o),
        (slot, v) => *slot = v,
    }
}

fn merge_objects(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match base.get_mut(&k) {
            Some(slot) => merge(slot, v),
            None => {
                base.insert(k, v);
            }
        }
    }
}

/// Reads a resolved document as a profile and checks it.
fn finish(origin: &str, doc: Value) -> Result<Profile, ProfileError> {
    let p = deserialize(doc).map_err(|problem| ProfileError::Invalid {
        origin: origin.to_string(),
        problems: vec![problem],
    })?;
    p.validate()?;
    let problems = p.problems();
    if problems.is_empty() {
        Ok(p)
    } else {
        Err(ProfileError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }
}

/// `doc` as a [`Profile`], or the first problem with its JSON path, the expected type and the
/// allowed values.
pub(crate) fn deserialize(doc: Value) -> Result<Profile, Problem> {
    serde_path_to_error::deserialize::<_, Profile>(doc).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().to_string();
        let hint = file_schema::hint(&path, &message);
        Problem::new(path, format!("{message}{hint}"))
    })
}
