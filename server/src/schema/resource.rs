//! The schemas of one resource type for one profile ([`ResourceSchemas`]): the RFC 7643
//! common attributes and core schema, the profile's extensions, vendor attributes, mirrors
//! and read-only list; and where an attribute path points in them.

use crate::schema::defs::{AttrDef, SchemaDef, find_def, lookup_sub};
use scimock_filter::{AttrInfo, AttrKind, AttrPath, SchemaInfo};
use scimock_profile::{Mutability, Profile, SchemaAttributes, rfc7643};
use serde_json::Value;
use std::sync::LazyLock;

/// RFC 7643 §3.1 common attributes, converted once from the embedded data.
static COMMON: LazyLock<Vec<AttrDef>> = LazyLock::new(|| {
    rfc7643::common_attributes()
        .iter()
        .map(AttrDef::from)
        .collect()
});
/// RFC 7643 §4.1 User, converted once.
static CORE_USER: LazyLock<SchemaDef> = LazyLock::new(|| SchemaDef::from(rfc7643::core_user()));
/// RFC 7643 §4.2 Group, converted once.
static CORE_GROUP: LazyLock<SchemaDef> = LazyLock::new(|| SchemaDef::from(rfc7643::core_group()));

/// Keeps the attributes `keep` names (`title`, whole) or names members of (`name.givenName`:
/// `name` with only the listed sub-attributes).
fn keep_only(attrs: &mut Vec<AttrDef>, keep: &[String], prefix: &str, sep: char) {
    attrs.retain_mut(|a| {
        let full = format!("{prefix}{}", a.name);
        if keep.iter().any(|k| k.eq_ignore_ascii_case(&full)) {
            return true;
        }
        let member = format!("{full}{sep}");
        let subs: Vec<&str> = keep
            .iter()
            .filter_map(|k| {
                k.get(..member.len())
                    .filter(|h| h.eq_ignore_ascii_case(&member))
                    .and_then(|_| k.get(member.len()..))
            })
            .filter(|rest| !rest.is_empty())
            .collect();
        if subs.is_empty() {
            return false;
        }
        a.sub_attributes
            .retain(|s| subs.iter().any(|x| x.eq_ignore_ascii_case(&s.name)));
        true
    });
}

/// Where an attribute path points in a resource of one type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a> {
    /// The extension holding the attribute (`None`: top level of the resource).
    pub extension: Option<&'a SchemaDef>,
    /// The attribute (`None`: the whole extension object, a bare extension URN).
    pub attr: Option<&'a AttrDef>,
    /// The sub-attribute, when the path names one.
    pub sub: Option<&'a AttrDef>,
}

/// The schemas of one resource type: common attributes (§3.1), core schema, extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchemas {
    /// `User` or `Group`.
    pub resource_type: String,
    /// Endpoint relative to the base (`/Users`).
    pub endpoint: String,
    /// RFC 7643 §3.1 `id`, `externalId`, `meta`: part of every resource, not of the schema's
    /// §7 representation.
    pub common: Vec<AttrDef>,
    /// The core schema.
    pub core: SchemaDef,
    /// The extensions this resource type has, in the profile's order.
    pub extensions: Vec<SchemaDef>,
}

impl ResourceSchemas {
    /// The User schemas of a profile: RFC core User, the profile's extensions, its top-level
    /// vendor attributes and mirrors, with `writes.read_only` applied.
    pub fn user(profile: &Profile) -> ResourceSchemas {
        let mut core = CORE_USER.clone();
        let mut extensions: Vec<SchemaDef> =
            profile.extension_schemas().map(SchemaDef::from).collect();
        let keep = &profile.shape.stored_attributes;
        if profile.discovery.schema_attributes == SchemaAttributes::Documented && !keep.is_empty() {
            // J1: advertise what the vendor keeps, from the same list the writes use.
            keep_only(&mut core.attributes, keep, "", '.');
            for ext in &mut extensions {
                if !keep.iter().any(|k| k.eq_ignore_ascii_case(&ext.id)) {
                    let prefix = format!("{}:", ext.id);
                    ext.attributes.retain(|a| {
                        keep.iter()
                            .any(|k| k.eq_ignore_ascii_case(&format!("{prefix}{}", a.name)))
                    });
                }
            }
        }
        for (name, values) in &profile.shape.vendor_attributes {
            if find_def(&core.attributes, name).is_none() {
                let values: Vec<&str> = values.iter().map(String::as_str).collect();
                core.attributes.push(
                    AttrDef::new(name, AttrKind::String, "Vendor attribute.").canonical(&values),
                );
            }
        }
        for mirror in &profile.shape.mirrors {
            if find_def(&core.attributes, &mirror.top).is_some() {
                continue;
            }
            let def = extensions
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(&mirror.urn))
                .and_then(|e| find_def(&e.attributes, &mirror.sub))
                .cloned();
            if let Some(mut def) = def {
                def.name.clone_from(&mirror.top);
                core.attributes.push(def);
            }
        }
        let mut schemas = ResourceSchemas {
            resource_type: "User".into(),
            endpoint: "/Users".into(),
            common: COMMON.clone(),
            core,
            extensions,
        };
        for entry in &profile.writes.read_only {
            schemas.make_read_only(entry);
        }
        schemas
    }

    /// The Group schemas of a profile (RFC core Group; no extensions).
    pub fn group(profile: &Profile) -> ResourceSchemas {
        let _ = profile;
        ResourceSchemas {
            resource_type: "Group".into(),
            endpoint: "/Groups".into(),
            common: COMMON.clone(),
            core: CORE_GROUP.clone(),
            extensions: Vec::new(),
        }
    }

    /// Marks an attribute (`emails`, `name.givenName`, `urn:...:attr`) or a whole extension
    /// (its URN) read-only. Unknown entries are ignored.
    pub fn make_read_only(&mut self, entry: &str) {
        if let Some(ext) = self
            .extensions
            .iter_mut()
            .find(|e| e.id.eq_ignore_ascii_case(entry))
        {
            for a in &mut ext.attributes {
                a.set_mutability(Mutability::ReadOnly);
            }
            return;
        }
        let (defs, rest) = match self.split_urn(entry) {
            Some((Some(i), rest)) => (&mut self.extensions[i].attributes, rest),
            Some((None, rest)) => (&mut self.core.attributes, rest),
            None => (&mut self.core.attributes, entry),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        let Some(def) = defs.iter_mut().find(|d| d.name.eq_ignore_ascii_case(name)) else {
            return;
        };
        match sub {
            None => def.set_mutability(Mutability::ReadOnly),
            Some(s) => {
                if let Some(sd) = def
                    .sub_attributes
                    .iter_mut()
                    .find(|d| d.name.eq_ignore_ascii_case(s))
                {
                    sd.set_mutability(Mutability::ReadOnly);
                }
            }
        }
    }

    /// Splits `urn:...:attr` into (extension index or core, `attr`), when the prefix is one
    /// of this resource type's schema URNs.
    fn split_urn<'e>(&self, entry: &'e str) -> Option<(Option<usize>, &'e str)> {
        let (urn, rest) = entry.rsplit_once(':')?;
        if urn.eq_ignore_ascii_case(&self.core.id) {
            return Some((None, rest));
        }
        let i = self
            .extensions
            .iter()
            .position(|e| e.id.eq_ignore_ascii_case(urn))?;
        Some((Some(i), rest))
    }

    /// The extension with this URN (case-insensitive).
    pub fn extension(&self, urn: &str) -> Option<&SchemaDef> {
        self.extensions
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(urn))
    }

    /// True when `urn` is this resource type's core schema URN (case-insensitive).
    pub fn is_core_urn(&self, urn: &str) -> bool {
        urn.eq_ignore_ascii_case(&self.core.id)
    }

    /// A top-level (common or core) attribute by name, case-insensitively.
    pub fn top_level(&self, name: &str) -> Option<&AttrDef> {
        find_def(&self.common, name).or_else(|| find_def(&self.core.attributes, name))
    }

    /// Every top-level attribute: common ones, then the core schema's.
    pub fn top_level_attrs(&self) -> impl Iterator<Item = &AttrDef> {
        self.common.iter().chain(self.core.attributes.iter())
    }

    /// Where `path` points. A core-URN prefix means the core schema, an extension URN the
    /// extension, no URN the core schema only; `urn:...:Ext` with no further name (or a
    /// path whose `urn:name` spells an extension URN) is the whole extension.
    pub fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let Some(urn) = path.urn.as_deref() else {
            return self.resolve_in(None, &path.name, path.sub.as_deref());
        };
        if path.name.is_empty() {
            let ext = self.extension(urn)?;
            return Some(Resolved {
                extension: Some(ext),
                attr: None,
                sub: None,
            });
        }
        if self.is_core_urn(urn) {
            return self.resolve_in(None, &path.name, path.sub.as_deref());
        }
        if let Some(ext) = self.extension(urn) {
            return self.resolve_in(Some(ext), &path.name, path.sub.as_deref());
        }
        if path.sub.is_none() {
            let joined = format!("{urn}:{}", path.name);
            if let Some(ext) = self.extension(&joined) {
                return Some(Resolved {
                    extension: Some(ext),
                    attr: None,
                    sub: None,
                });
            }
        }
        None
    }

    fn resolve_in<'a>(
        &'a self,
        ext: Option<&'a SchemaDef>,
        name: &str,
        sub: Option<&str>,
    ) -> Option<Resolved<'a>> {
        let attr = match ext {
            Some(e) => find_def(&e.attributes, name)?,
            None => self.top_level(name)?,
        };
        let sub = match sub {
            Some(s) => Some(lookup_sub(attr, s)?),
            None => None,
        };
        Some(Resolved {
            extension: ext,
            attr: Some(attr),
            sub,
        })
    }

    /// The definition `path` names: the sub-attribute when it has one, else the attribute.
    pub fn lookup(&self, path: &AttrPath) -> Option<&AttrDef> {
        let r = self.resolve(path)?;
        r.sub.or(r.attr)
    }

    /// RFC 7643 §7 representations of the core schema and the extensions.
    pub fn to_scim_json(&self, base_url: &str) -> Vec<Value> {
        std::iter::once(&self.core)
            .chain(self.extensions.iter())
            .map(|s| s.to_scim_json(base_url))
            .collect()
    }
}

impl SchemaInfo for ResourceSchemas {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        self.lookup(path).map(AttrDef::info)
    }
}

/// True when `s` is a schema URN alone (`urn:NID:NSS`, nothing after it), for names the
/// attribute grammar cannot split (`urn:scim:schemas:extension:atlassian-external:1.0`).
pub fn is_bare_urn(s: &str) -> bool {
    s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        && s.split(':').count() >= 3
        && s.split(':').all(|seg| !seg.is_empty())
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '.' | '_' | '~' | '%' | '+')
        })
}

/// The path naming a whole schema (a bare URN): the URN with an empty attribute name.
pub fn urn_path(urn: &str) -> AttrPath {
    AttrPath {
        urn: Some(urn.to_string()),
        name: String::new(),
        sub: None,
    }
}
