//! The internal form of schemas: [`AttrDef`] and [`SchemaDef`], built from the RFC 7643 §7
//! data of `scimock_profile` (embedded RFC schemas and the profile's own), and written back
//! in §7 representation for `/Schemas`.

use crate::schema::SCHEMA_URN;
use scimock_filter::{AttrInfo, AttrKind};
use scimock_profile::{Mutability, Returned, Schema, SchemaAttribute, Uniqueness};
use serde_json::{Map, Value, json};

/// One attribute (or sub-attribute) with its RFC 7643 §7 characteristics.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDef {
    /// Name in the schema's spelling (`userName`).
    pub name: String,
    /// Data type.
    pub kind: AttrKind,
    /// `multiValued`.
    pub multi_valued: bool,
    /// `required`.
    pub required: bool,
    /// `caseExact`.
    pub case_exact: bool,
    /// `mutability`.
    pub mutability: Mutability,
    /// `returned`.
    pub returned: Returned,
    /// `uniqueness`.
    pub uniqueness: Uniqueness,
    /// `canonicalValues` (documented, not enforced).
    pub canonical_values: Vec<String>,
    /// `referenceTypes` of reference attributes.
    pub reference_types: Vec<String>,
    /// Human description.
    pub description: String,
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: Vec<AttrDef>,
}

impl AttrDef {
    /// A single-valued, optional, case-insensitive, readWrite attribute returned by default.
    pub fn new(name: &str, kind: AttrKind, description: &str) -> AttrDef {
        AttrDef {
            name: name.to_string(),
            kind,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: Vec::new(),
            reference_types: Vec::new(),
            description: description.to_string(),
            sub_attributes: Vec::new(),
        }
    }

    /// Makes it multi-valued.
    pub fn multi_valued(mut self) -> AttrDef {
        self.multi_valued = true;
        self
    }

    /// Makes it required.
    pub fn required(mut self) -> AttrDef {
        self.required = true;
        self
    }

    /// Makes it case-exact.
    pub fn case_exact(mut self) -> AttrDef {
        self.case_exact = true;
        self
    }

    /// Sets `mutability` (on the sub-attributes too when it is `readOnly`).
    pub fn mutability(mut self, m: Mutability) -> AttrDef {
        self.set_mutability(m);
        self
    }

    /// Sets `returned`.
    pub fn returned(mut self, r: Returned) -> AttrDef {
        self.returned = r;
        self
    }

    /// Sets `uniqueness`.
    pub fn uniqueness(mut self, u: Uniqueness) -> AttrDef {
        self.uniqueness = u;
        self
    }

    /// Sets `canonicalValues`.
    pub fn canonical(mut self, values: &[&str]) -> AttrDef {
        self.canonical_values = values.iter().map(|v| v.to_string()).collect();
        self
    }

    /// Sets `referenceTypes`.
    pub fn refs(mut self, types: &[&str]) -> AttrDef {
        self.reference_types = types.iter().map(|v| v.to_string()).collect();
        self
    }

    /// Sets the sub-attributes.
    pub fn subs(mut self, subs: Vec<AttrDef>) -> AttrDef {
        self.sub_attributes = subs;
        self
    }

    /// Sets `mutability` in place; `readOnly` propagates to the sub-attributes.
    pub fn set_mutability(&mut self, m: Mutability) {
        self.mutability = m;
        if m == Mutability::ReadOnly {
            for s in &mut self.sub_attributes {
                s.set_mutability(m);
            }
        }
    }

    /// True for `complex` attributes.
    pub fn is_complex(&self) -> bool {
        self.kind == AttrKind::Complex
    }

    /// True for `readOnly` attributes.
    pub fn is_read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }

    /// The facts the filter evaluator needs.
    pub fn info(&self) -> AttrInfo {
        AttrInfo {
            kind: self.kind,
            case_exact: self.case_exact,
            multi_valued: self.multi_valued,
        }
    }

    /// RFC 7643 §7 representation of this attribute.
    pub fn to_scim_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(self.kind.as_str()));
        m.insert("multiValued".into(), json!(self.multi_valued));
        m.insert("description".into(), json!(self.description));
        m.insert("required".into(), json!(self.required));
        m.insert("caseExact".into(), json!(self.case_exact));
        if !self.canonical_values.is_empty() {
            m.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if self.kind == AttrKind::Reference {
            m.insert("referenceTypes".into(), json!(self.reference_types));
        }
        m.insert("mutability".into(), json!(self.mutability.as_str()));
        m.insert("returned".into(), json!(self.returned.as_str()));
        m.insert("uniqueness".into(), json!(self.uniqueness.as_str()));
        if self.is_complex() {
            let subs: Vec<Value> = self
                .sub_attributes
                .iter()
                .map(AttrDef::to_scim_json)
                .collect();
            m.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(m)
    }
}

impl From<&SchemaAttribute> for AttrDef {
    /// The attribute as declared, characteristic by characteristic.
    fn from(a: &SchemaAttribute) -> AttrDef {
        AttrDef {
            name: a.name.clone(),
            kind: a.kind,
            multi_valued: a.multi_valued,
            required: a.required,
            case_exact: a.case_exact,
            mutability: a.mutability,
            returned: a.returned,
            uniqueness: a.uniqueness,
            canonical_values: a.canonical_values.clone(),
            reference_types: a.reference_types.clone(),
            description: a.description.clone(),
            sub_attributes: a.sub_attributes.iter().map(AttrDef::from).collect(),
        }
    }
}

/// The sub-attribute `sub` of `parent`, matched case-insensitively.
pub fn lookup_sub<'a>(parent: &'a AttrDef, sub: &str) -> Option<&'a AttrDef> {
    find_def(&parent.sub_attributes, sub)
}

/// The definition named `name` (case-insensitively) in `defs`.
pub(crate) fn find_def<'a>(defs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Equality with the attribute's case rules: strings of a non-`caseExact` attribute compare
/// case-insensitively, everything else as JSON.
pub fn values_equal(def: &AttrDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !def.case_exact => {
            x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}

/// One schema (core or extension) with its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDef {
    /// Schema URN.
    pub id: String,
    /// Short name (`User`, `EnterpriseUser`).
    pub name: String,
    /// Human description.
    pub description: String,
    /// Top-level attributes.
    pub attributes: Vec<AttrDef>,
}

impl SchemaDef {
    /// RFC 7643 §7 representation, with `meta.location` under `base_url`.
    pub fn to_scim_json(&self, base_url: &str) -> Value {
        let attrs: Vec<Value> = self.attributes.iter().map(AttrDef::to_scim_json).collect();
        json!({
            "schemas": [SCHEMA_URN],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": attrs,
            "meta": {
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", base_url.trim_end_matches('/'), self.id),
            },
        })
    }
}

impl From<&Schema> for SchemaDef {
    /// The schema as declared.
    fn from(s: &Schema) -> SchemaDef {
        SchemaDef {
            id: s.id.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            attributes: s.attributes.iter().map(AttrDef::from).collect(),
        }
    }
}

/// The wire spelling of an RFC 7643 §2.3 data type.
pub fn kind_str(kind: AttrKind) -> &'static str {
    kind.as_str()
}
