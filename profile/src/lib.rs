//! Vendor profiles as data.
//!
//! What it is for: one description per SCIM provider (paths, auth, list semantics, filter
//! allow-list, resource shape, write rules, PATCH leniency, discovery, rate limits, error
//! format), read by `scimock-server` to behave like the vendor and by
//! `scimock-conformance` to know what to expect. Every vendor fact lives here, once, with
//! its source tag from `docs/vendors.md` recorded in the profile's `quirks`.
//!
//! Beside the profiles, the facts every reader shares: the SCIM vocabulary ([`vocab`]: URNs,
//! `scimType` values, resource kinds), the RFC 7643 schemas as data ([`rfc7643`]), and the one
//! check both the server and `scimock filter` apply to a filter ([`FilterRules::check`]).
//!
//! What it is not for: behaviour. Code that acts on these facts lives in the server and
//! the runner. Profiles are JSON files under `fixtures/profiles/`, embedded at build time;
//! any field can be overridden at run time with [`Profile::with_overrides`] (that is how
//! the facts docs/vendors.md marks as inferences `[I]` become switches).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub mod file_schema;
mod filter;
mod load;
mod model;
mod registry;
pub mod rfc7643;
mod rules;
pub mod vocab;
pub use filter::{FilterRefusal, RefusalAnswer};
pub use load::{ANNOTATIONS, is_profile_path, merge};
pub use model::*;
pub use registry::{PROFILE_NAMES, builtin_fixtures, is_builtin};
pub use rules::{FILTER_OPERATORS, valid_profile_name};

/// The built-in Attio profile's error-code table (parsed once), for the Attio envelope on a
/// profile without its own table.
pub(crate) fn builtin_attio_codes() -> Option<&'static ErrorCodes> {
    static CODES: std::sync::OnceLock<Option<ErrorCodes>> = std::sync::OnceLock::new();
    CODES
        .get_or_init(|| Profile::builtin("attio").ok().and_then(|p| p.errors.codes))
        .as_ref()
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No built-in profile has this name.
    #[error("unknown profile {0:?} (known: {known}; a profile file's path contains '/' or ends in .json)", known = PROFILE_NAMES.join(", "))]
    Unknown(String),
    /// A profile file could not be read.
    #[error("profile file {}: {source}", path.display())]
    Read {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The document does not describe a valid profile: each problem names its JSON path.
    #[error("profile {origin}: {}", Problem::list(problems))]
    Invalid {
        /// The file path or profile name.
        origin: String,
        /// What is wrong, in document order (a type error stops at the first).
        problems: Vec<Problem>,
    },
    /// An override names a field that does not exist or has the wrong type.
    #[error("override {path}: {reason}")]
    Override {
        /// The dotted path given.
        path: String,
        /// Why it failed.
        reason: String,
    },
    /// `shape.extensions` names a URN that is neither a well-known RFC 7643 schema nor one of
    /// the profile's `schemas`.
    #[error(
        "profile {profile}: unknown extension schema {urn:?} in shape.extensions (neither an RFC 7643 schema nor declared in \"schemas\")"
    )]
    UnknownExtension {
        /// Profile name.
        profile: String,
        /// The URN as the profile spells it.
        urn: String,
    },
}

/// Attributes every resource keeps whatever `shape.stored_attributes` says (RFC 7643 §3.1
/// common attributes and `schemas`).
pub const ALWAYS_STORED: [&str; 4] = ["id", "externalId", "meta", "schemas"];

/// One thing wrong with a profile document, at a JSON path (`list.max_count`, `quirks[2].id`;
/// empty for the document as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON path.
    pub path: String,
    /// What is wrong, and what is expected there.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }

    /// One problem on the same line; several one per line.
    fn list(problems: &[Problem]) -> String {
        match problems {
            [one] => one.to_string(),
            many => many
                .iter()
                .map(|p| format!("\n  - {p}"))
                .collect::<String>(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl Profile {
    /// Checks what serde cannot: every URN in `shape.extensions` has a schema.
    pub fn validate(&self) -> Result<(), ProfileError> {
        match self
            .shape
            .extensions
            .iter()
            .find(|urn| self.extension_schema(urn).is_none())
        {
            Some(urn) => Err(ProfileError::UnknownExtension {
                profile: self.name.clone(),
                urn: urn.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The schema of the extension `urn` (case-insensitive): one the profile declares in
    /// `schemas`, else a well-known RFC 7643 one.
    pub fn extension_schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
            .or_else(|| rfc7643::well_known_extension(urn))
    }

    /// The schemas of `shape.extensions`, in that order.
    pub fn extension_schemas(&self) -> impl Iterator<Item = &Schema> {
        self.shape
            .extensions
            .iter()
            .filter_map(|urn| self.extension_schema(urn))
    }

    /// All built-in profiles, in [`PROFILE_NAMES`] order.
    pub fn all_builtin() -> Result<Vec<Profile>, ProfileError> {
        PROFILE_NAMES.iter().map(|n| Profile::builtin(n)).collect()
    }

    /// Returns a copy with fields replaced, each given as a dotted path and a JSON value,
    /// e.g. `("errors.format", "scim")` or `("list.max_count", 200)`. Unknown paths and
    /// values of the wrong type are errors, so a typo never silently does nothing.
    pub fn with_overrides(&self, overrides: &[(String, Value)]) -> Result<Profile, ProfileError> {
        let mut doc = serde_json::to_value(self).map_err(|e| ProfileError::Override {
            path: String::new(),
            reason: e.to_string(),
        })?;
        for (path, value) in overrides {
            let mut slot = &mut doc;
            for part in path.split('.') {
                slot = match slot {
                    Value::Object(map) => {
                        map.get_mut(part).ok_or_else(|| ProfileError::Override {
                            path: path.clone(),
                            reason: format!("no field {part:?}"),
                        })?
                    }
                    _ => {
                        return Err(ProfileError::Override {
                            path: path.clone(),
                            reason: format!("{part:?} is inside a value that is not an object"),
                        });
                    }
                };
            }
            *slot = value.clone();
        }
        let p: Profile = serde_json::from_value(doc).map_err(|e| ProfileError::Override {
            path: overrides
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            reason: e.to_string(),
        })?;
        p.validate()?;
        Ok(p)
    }

    /// The overrides meant for this profile: those qualified with its name (`attio.list.max_count`,
    /// the prefix removed), and unqualified ones whose path names a field it has (also one that
    /// is unset, `null`), so one `--set` can serve every profile mounted together. The flags say
    /// which overrides were taken.
    pub fn overrides_for(
        &self,
        overrides: &[(String, Value)],
    ) -> (Vec<(String, Value)>, Vec<bool>) {
        let doc = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut taken = Vec::new();
        let mut flags = Vec::with_capacity(overrides.len());
        for (path, value) in overrides {
            let (vendor, rest) = split_vendor(path, &[self.name.as_str()]);
            let take = match vendor {
                Some(v) => v == self.name,
                None => field_exists(&doc, rest),
            };
            if take {
                taken.push((rest.to_string(), value.clone()));
            }
            flags.push(take);
        }
        (taken, flags)
    }

    /// The base path with its id segments filled in from `path_params`
    /// (e.g. `/scim/directory/{directoryId}` -> `/scim/directory/3f1c...`).
    pub fn concrete_base_path(&self) -> String {
        fill_params(&self.base_path, &self.path_params)
    }

    /// True when the vendor keeps the top-level attribute `attr` (case-insensitive) on
    /// write: `shape.stored_attributes` is empty, names it (or one of its sub-attributes),
    /// or it is one of the attributes always kept.
    pub fn stores(&self, attr: &str) -> bool {
        let keep = &self.shape.stored_attributes;
        keep.is_empty()
            || ALWAYS_STORED.iter().any(|a| a.eq_ignore_ascii_case(attr))
            || self
                .shape
                .vendor_attributes
                .keys()
                .any(|a| a.eq_ignore_ascii_case(attr))
            || keep.iter().any(|e| {
                e.eq_ignore_ascii_case(attr)
                    || e.get(..attr.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(attr))
                        && matches!(e.as_bytes().get(attr.len()), Some(b'.' | b':'))
            })
    }

    /// The seed data `{"users":[...],"groups":[...]}` the mock starts with: the built-in's named
    /// by `fixtures`, else the built-in's of this profile's name; `None` when neither is a
    /// built-in (a new vendor without seed data).
    pub fn seed_fixtures(&self) -> Option<&'static str> {
        builtin_fixtures(self.fixtures.as_deref().unwrap_or(&self.name))
    }

    /// The quirk with this id, if the profile lists it.
    pub fn quirk(&self, id: &str) -> Option<&Quirk> {
        self.quirks.iter().find(|q| q.id == id)
    }
}

/// Replaces `{name}` placeholders in `template` with values from `params`.
pub fn fill_params(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// `attio.list.max_count` -> (`Some("attio")`, `list.max_count`): the head is a vendor when it is
/// a built-in's name or one of `also` (custom profiles); unqualified paths have no vendor. A
/// profile's name is never a top-level field's, so the two cannot be confused.
fn split_vendor<'a>(path: &'a str, also: &[&str]) -> (Option<&'a str>, &'a str) {
    match path.split_once('.') {
        Some((head, rest)) if PROFILE_NAMES.contains(&head) || also.contains(&head) => {
            (Some(head), rest)
        }
        _ => (None, path),
    }
}

/// True when the dotted `path` names an existing field of `doc`.
fn field_exists(doc: &Value, path: &str) -> bool {
    let mut slot = doc;
    for part in path.split('.') {
        match slot.get(part) {
            Some(v) => slot = v,
            None => return false,
        }
    }
    true
}

/// Checks `overrides` against the profiles mounted together, in the order given: each must be
/// taken by some profile and apply cleanly there. The error names the path as given; for a path
/// no profile has, it is the complaint of the profile where most of the path exists (a typo never
/// silently does nothing).
pub fn check_overrides(
    mounted: &[Profile],
    overrides: &[(String, Value)],
) -> Result<(), ProfileError> {
    for o in overrides {
        let (path, value) = o;
        let mut taken = false;
        for p in mounted {
            let (mine, flags) = p.overrides_for(std::slice::from_ref(o));
            if flags.first() == Some(&true) {
                taken = true;
                p.with_overrides(&mine).map_err(|e| as_given(e, path))?;
            }
        }
        if taken {
            continue;
        }
        let names: Vec<&str> = mounted.iter().map(|p| p.name.as_str()).collect();
        return Err(match split_vendor(path, &names) {
            (Some(v), _) => ProfileError::Override {
                path: path.clone(),
                reason: format!("the {v} profile is not mounted"),
            },
            (None, rest) => {
                let closest = mounted
                    .iter()
                    .min_by_key(|p| std::cmp::Reverse(resolved_depth(p, rest)));
                match closest.map(|p| p.with_overrides(&[(rest.to_string(), value.clone())])) {
                    Some(Err(e)) => as_given(e, path),
                    _ => ProfileError::Override {
                        path: path.clone(),
                        reason: "no mounted profile has this field".to_string(),
                    },
                }
            }
        });
    }
    // Together, in order, as the server applies them (`writes.role=null` then
    // `writes.role.keep_one=...` passes one by one but not together).
    for p in mounted {
        let (mine, _) = p.overrides_for(overrides);
        p.with_overrides(&mine)?;
    }
    Ok(())
}

/// An override error carrying the path as the user gave it (with its profile prefix).
fn as_given(e: ProfileError, path: &str) -> ProfileError {
    match e {
        ProfileError::Override { reason, .. } => ProfileError::Override {
            path: path.to_string(),
            reason,
        },
        other => other,
    }
}

/// How much of the dotted `path` exists in `p`: twice the leading segments found, plus one when
/// the last of them is an object (which could hold the next segment, unlike an unset `null`).
fn resolved_depth(p: &Profile, path: &str) -> usize {
    let doc = serde_json::to_value(p).unwrap_or(Value::Null);
    let mut slot = &doc;
    let mut depth = 0;
    for part in path.split('.') {
        match slot.get(part) {
            Some(v) => {
                slot = v;
                depth += 1;
            }
            None => break,
        }
    }
    2 * depth + usize::from(slot.is_object())
}

/// Parses a `--set path=value` argument: the value is JSON if it parses as JSON, else a string.
pub fn parse_override(arg: &str) -> Result<(String, Value), ProfileError> {
    let (path, raw) = arg.split_once('=').ok_or_else(|| ProfileError::Override {
        path: arg.to_string(),
        reason: "expected PATH=VALUE".to_string(),
    })?;
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((path.trim().to_string(), value))
}

/// Serde helper: lets profile JSON omit a `Vec` field.
fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}
