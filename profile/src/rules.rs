//! What a profile must satisfy beyond its types: the rules a JSON Schema cannot say (one field
//! against another, names against the registry). Checked when a built-in or a file loads;
//! `--set` switches are checked for their types and extension URNs only, so a switch may take a
//! profile outside these rules on purpose (`--set list.max_count=5` on a profile whose default
//! page is 100 caps the default page too).

use crate::load::ANNOTATIONS;
use crate::registry::{PROFILE_NAMES, builtin_source, is_builtin};
use crate::vocab::ScimType;
use crate::{OverMax, Problem, Profile, ProfileKind, Refusal, SchemasRule, UnverifiedDomain};
use serde_json::Value;
use std::collections::HashSet;

/// The operators an allow-list may name (RFC 7644 §3.4.2.2).
pub const FILTER_OPERATORS: &[&str] = &["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"];

/// True for a name a profile may have: lowercase letters, digits, `-` and `_`, starting with a
/// letter (it is a CLI argument, a URL segment under `--vendor all` and a `--set` prefix).
pub fn valid_profile_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl Profile {
    /// Everything wrong with this profile beyond its types, each at its JSON path; empty when
    /// it is sound. (Unknown extension URNs are [`Profile::validate`]'s.)
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        self.name_rules(&mut out);
        self.path_rules(&mut out);
        self.list_rules(&mut out);
        self.filter_rules(&mut out);
        self.refusal_rules(&mut out);
        self.shape_rules(&mut out);
        self.unified_rules(&mut out);
        self.quirk_rules(&mut out);
        out
    }

    fn name_rules(&self, out: &mut Vec<Problem>) {
        if !valid_profile_name(&self.name) {
            out.push(Problem::new(
                "name",
                format!(
                    "{:?} is not a profile name: lowercase letters, digits, '-' and '_', starting with a letter",
                    self.name
                ),
            ));
        }
        let doc = serde_json::to_value(self).unwrap_or(Value::Null);
        if doc.get(&self.name).is_some() || ANNOTATIONS.contains(&self.name.as_str()) {
            out.push(Problem::new(
                "name",
                format!(
                    "{:?} is a field of the profile itself; `--set {}.PATH` could not tell them apart",
                    self.name, self.name
                ),
            ));
        }
        if let Some(f) = self.fixtures.as_deref().filter(|f| !is_builtin(f)) {
            out.push(Problem::new(
                "fixtures",
                format!(
                    "{f:?} is not a built-in profile; allowed values: {} (or null)",
                    PROFILE_NAMES.join(", ")
                ),
            ));
        }
    }

    fn path_rules(&self, out: &mut Vec<Problem>) {
        let bp = &self.base_path;
        if !bp.starts_with('/') {
            out.push(Problem::new(
                "base_path",
                format!("{bp:?} must start with '/'"),
            ));
        } else if bp.len() > 1 && bp.ends_with('/') {
            out.push(Problem::new(
                "base_path",
                format!("{bp:?} must not end with '/'"),
            ));
        }
        if bp.starts_with("/_scimock") {
            out.push(Problem::new(
                "base_path",
                "/_scimock is the admin API's; a profile cannot be mounted there",
            ));
        }
        if bp.contains(['?', '#', ' ']) {
            out.push(Problem::new(
                "base_path",
                format!("{bp:?} must be a plain path (no '?', '#' or spaces)"),
            ));
        }
        for param in placeholders(bp) {
            if !self.path_params.contains_key(param) {
                out.push(Problem::new(
                    "path_params",
                    format!("base_path has {{{param}}} but path_params gives it no value"),
                ));
            }
        }
        for key in self.path_params.keys() {
            if !bp.contains(&format!("{{{key}}}")) {
                out.push(Problem::new(
                    format!("path_params.{key}"),
                    format!("base_path has no {{{key}}} segment to fill"),
                ));
            }
        }
        if let Some(spc) = &self.discovery.service_provider_config {
            if !spc.starts_with('/') {
                out.push(Problem::new(
                    "discovery.service_provider_config",
                    format!("{spc:?} is relative to the base path and must start with '/'"),
                ));
            }
        }
        for (path, v) in [
            ("media.response", &self.media.response),
            ("errors.content_type", &self.errors.content_type),
        ] {
            if v.trim().is_empty() {
                out.push(Problem::new(path, "must not be empty"));
            }
        }
        if self.errors.schema_keys.is_empty() {
            out.push(Problem::new(
                "errors.schema_keys",
                "must name at least one member for the Error URN (RFC 7644: \"schemas\")",
            ));
        }
        let named = [
            (
                "errors.schema_keys",
                self.errors.schema_keys.iter().collect::<Vec<_>>(),
            ),
            ("errors.request_id", self.errors.request_id.iter().collect()),
            (
                "errors.timestamp.field",
                self.errors.timestamp.iter().map(|t| &t.field).collect(),
            ),
        ];
        for (path, names) in named {
            if names.iter().any(|n| n.trim().is_empty()) {
                out.push(Problem::new(path, "a member name must not be empty"));
            }
        }
        if self.media.accepted.is_empty() {
            out.push(Problem::new(
                "media.accepted",
                "must name at least one media type",
            ));
        }
        if self.kind == ProfileKind::Scim && self.patch.operations_keys.is_empty() {
            out.push(Problem::new(
                "patch.operations_keys",
                "must name at least one key (RFC 7644: \"Operations\")",
            ));
        }
    }

    fn list_rules(&self, out: &mut Vec<Problem>) {
        let l = &self.list;
        if l.default_count == Some(0) {
            out.push(Problem::new(
                "list.default_count",
                "must be at least 1 (null: everything)",
            ));
        }
        if l.max_count == Some(0) {
            out.push(Problem::new(
                "list.max_count",
                "must be at least 1 (null: no cap)",
            ));
        }
        match (l.default_count, l.max_count) {
            (Some(d), Some(m)) if d > m => out.push(Problem::new(
                "list.max_count",
                format!("{m} is below list.default_count ({d}): the default page must fit the cap"),
            )),
            (None, Some(m)) if l.over_max == OverMax::Reject => out.push(Problem::new(
                "list.default_count",
                format!("null (everything) with list.over_max \"reject\" refuses every list without count: give a default page of at most {m}"),
            )),
            _ => {}
        }
        if l.cursor.as_ref().is_some_and(|c| c.timeout_secs == 0) {
            out.push(Problem::new(
                "list.cursor.timeout_secs",
                "must be at least 1",
            ));
        }
        if let Some(r) = &self.rate_limit {
            for (path, v) in [
                ("rate_limit.read_rps", r.read_rps),
                ("rate_limit.write_rps", r.write_rps),
            ] {
                if v == 0 {
                    out.push(Problem::new(path, "must be at least 1"));
                }
            }
        }
    }

    fn filter_rules(&self, out: &mut Vec<Problem>) {
        let f = &self.filter;
        for (kind, rules) in [("users", &f.users), ("groups", &f.groups)] {
            for (i, a) in rules.allow.iter().enumerate() {
                if a.attr.trim().is_empty() {
                    out.push(Problem::new(
                        format!("filter.{kind}.allow[{i}].attr"),
                        "must not be empty",
                    ));
                }
                for (j, op) in a.ops.iter().enumerate() {
                    if !FILTER_OPERATORS.contains(&op.to_ascii_lowercase().as_str()) {
                        out.push(Problem::new(
                            format!("filter.{kind}.allow[{i}].ops[{j}]"),
                            format!(
                                "{op:?} is not a filter operator; allowed values: {}",
                                FILTER_OPERATORS.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        if f.max_length == 0 {
            out.push(Problem::new("filter.max_length", "must be at least 1"));
        }
        if f.max_depth == 0 {
            out.push(Problem::new("filter.max_depth", "must be at least 1"));
        }
    }

    fn refusal_rules(&self, out: &mut Vec<Problem>) {
        let w = &self.writes;
        let mut refusals: Vec<(&str, &Refusal)> = vec![
            ("filter.refusal", &self.filter.refusal),
            ("writes.required_refusal", &w.required_refusal),
            ("writes.duplicate_refusal", &w.duplicate_refusal),
        ];
        if let Some(r) = &w.unverified_refusal {
            refusals.push(("writes.unverified_refusal", r));
        }
        if let Some(m) = &w.max_users {
            refusals.push(("writes.max_users.refusal", &m.refusal));
        }
        if let Some(r) = &w.role {
            refusals.push(("writes.role.last_holder_refusal", &r.last_holder_refusal));
        }
        if let Some(h) = &self.auth.required_headers {
            refusals.push(("auth.required_headers.refusal", &h.refusal));
            for name in &h.names {
                let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                if name.is_empty() || !name.chars().all(token) {
                    out.push(Problem::new(
                        "auth.required_headers.names",
                        format!("{name:?} is not an HTTP header name"),
                    ));
                }
            }
        }
        for (path, r) in refusals {
            if !(400..=599).contains(&r.status) {
                out.push(Problem::new(
                    format!("{path}.status"),
                    format!("{} is not an error status (400-599)", r.status),
                ));
            }
            if let Some(t) = r
                .scim_type
                .as_deref()
                .filter(|t| ScimType::parse(t).is_none())
            {
                out.push(Problem::new(
                    format!("{path}.scim_type"),
                    format!(
                        "{t:?} is not an RFC 7644 scimType; allowed values: {} (or null)",
                        ScimType::ALL.map(ScimType::as_str).join(", ")
                    ),
                ));
            }
        }
        if w.unverified_domain == UnverifiedDomain::Reject && w.unverified_refusal.is_none() {
            out.push(Problem::new(
                "writes.unverified_refusal",
                "writes.unverified_domain is \"reject\": give the refusal it answers with",
            ));
        }
    }

    fn shape_rules(&self, out: &mut Vec<Problem>) {
        let s = &self.shape;
        if s.schemas == SchemasRule::Fixed && s.fixed_schemas.is_empty() {
            out.push(Problem::new(
                "shape.fixed_schemas",
                "shape.schemas is \"fixed\": list the schemas every User carries",
            ));
        }
        if !self.etag.supported {
            for (path, fields) in [
                ("shape.meta_fields", Some(&s.meta_fields)),
                (
                    "groups.meta_fields",
                    self.groups.as_ref().map(|g| &g.meta_fields),
                ),
            ] {
                if let Some(i) = fields.and_then(|f| f.iter().position(|m| m == "version")) {
                    out.push(Problem::new(
                        format!("{path}[{i}]"),
                        "\"version\" needs etag.supported: true (meta.version is the ETag)",
                    ));
                }
            }
        }
        for (i, m) in s.mirrors.iter().enumerate() {
            if !s.extensions.iter().any(|e| e.eq_ignore_ascii_case(&m.urn)) {
                out.push(Problem::new(
                    format!("shape.mirrors[{i}].urn"),
                    format!("{:?} is not one of shape.extensions", m.urn),
                ));
            }
        }
        if let Some(role) = &self.writes.role {
            match s.vendor_attributes.get(&role.attr) {
                None => out.push(Problem::new(
                    "writes.role.attr",
                    format!("{:?} is not one of shape.vendor_attributes", role.attr),
                )),
                Some(allowed) if !allowed.is_empty() => {
                    for (path, v) in [
                        ("writes.role.fallback", Some(&role.fallback)),
                        ("writes.role.keep_one", role.keep_one.as_ref()),
                    ] {
                        if let Some(v) = v.filter(|v| !allowed.contains(v)) {
                            out.push(Problem::new(
                                path,
                                format!(
                                    "{v:?} is not an allowed value of {}; allowed values: {}",
                                    role.attr,
                                    allowed.join(", ")
                                ),
                            ));
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn unified_rules(&self, out: &mut Vec<Problem>) {
        match (self.kind, &self.unified) {
            (ProfileKind::Unified, None) => out.push(Problem::new(
                "unified",
                "kind is \"unified\": give the integrated accounts and limits",
            )),
            (ProfileKind::Scim, Some(_)) => out.push(Problem::new(
                "unified",
                "only a profile of kind \"unified\" has integrated accounts (use null)",
            )),
            (ProfileKind::Unified, Some(u)) => {
                if u.accounts.is_empty() {
                    out.push(Problem::new(
                        "unified.accounts",
                        "must list at least one integrated account",
                    ));
                }
                let mut ids = HashSet::new();
                for (i, a) in u.accounts.iter().enumerate() {
                    if !ids.insert(a.id.as_str()) {
                        out.push(Problem::new(
                            format!("unified.accounts[{i}].id"),
                            format!("{:?} is listed twice", a.id),
                        ));
                    }
                    if !is_scim_builtin(&a.vendor) {
                        out.push(Problem::new(
                            format!("unified.accounts[{i}].vendor"),
                            format!(
                                "{:?} is not a built-in SCIM profile; allowed values: {}",
                                a.vendor,
                                scim_builtins().join(", ")
                            ),
                        ));
                    }
                }
                if u.default_limit == 0 || u.default_limit > u.max_limit {
                    out.push(Problem::new(
                        "unified.default_limit",
                        format!("must be between 1 and unified.max_limit ({})", u.max_limit),
                    ));
                }
            }
            (ProfileKind::Scim, None) => {}
        }
    }

    fn quirk_rules(&self, out: &mut Vec<Problem>) {
        let doc = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut ids = HashSet::new();
        for (i, q) in self.quirks.iter().enumerate() {
            if !ids.insert(q.id.as_str()) {
                out.push(Problem::new(
                    format!("quirks[{i}].id"),
                    format!("{:?} is listed twice", q.id),
                ));
            }
            for (j, sw) in q.switches.iter().enumerate() {
                if !crate::field_exists(&doc, sw) {
                    out.push(Problem::new(
                        format!("quirks[{i}].switches[{j}]"),
                        format!("{sw:?} is not a field of the profile"),
                    ));
                }
            }
        }
    }
}

/// The `{name}` segments of a base path.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The kind a built-in declares, read from its document without loading it (a unified
/// profile's accounts are checked without loading the profiles they name, so no cycle can
/// recurse).
fn builtin_kind(name: &str) -> Option<String> {
    let doc = Profile::resolve_document(name, builtin_source(name)?).ok()?;
    doc.get("kind").and_then(Value::as_str).map(str::to_string)
}

fn is_scim_builtin(name: &str) -> bool {
    builtin_kind(name).as_deref() == Some("scim")
}

fn scim_builtins() -> Vec<&'static str> {
    PROFILE_NAMES
        .iter()
        .copied()
        .filter(|n| is_scim_builtin(n))
        .collect()
}
