//! Schemas in RFC 7643 §7 representation: how a profile declares its extension schemas, and
//! how the RFC 7643 schemas themselves are stored (`fixtures/schemas/`).

use schemars::JsonSchema;
use scimock_filter::AttrKind;
use serde::{Deserialize, Serialize};

/// A schema in RFC 7643 §7 representation (as `/Schemas` lists it, without `schemas` and
/// `meta`, which the server fills in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The schema URN.
    pub id: String,
    /// Short name (`User`, `EnterpriseUser`).
    pub name: String,
    /// Human description.
    #[serde(default)]
    pub description: String,
    /// Top-level attributes, in wire order.
    pub attributes: Vec<SchemaAttribute>,
}

/// One attribute (or sub-attribute) in RFC 7643 §7 representation. Characteristics left out
/// take the RFC 7643 §2.2 defaults: `type` string, not multi-valued, not required, not
/// case-exact, `readWrite`, returned by `default`, uniqueness `none`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemaAttribute {
    /// Name in the schema's spelling (`userName`).
    pub name: String,
    /// RFC 7643 §2.3 data type.
    #[serde(rename = "type", default = "string_kind")]
    #[schemars(with = "AttrKindSchema")]
    pub kind: AttrKind,
    /// `multiValued`.
    #[serde(default)]
    pub multi_valued: bool,
    /// Human description.
    #[serde(default)]
    pub description: String,
    /// `required`.
    #[serde(default)]
    pub required: bool,
    /// `caseExact`.
    #[serde(default)]
    pub case_exact: bool,
    /// `canonicalValues` (documented, not enforced).
    #[serde(default, skip_serializing_if = "crate::is_empty")]
    pub canonical_values: Vec<String>,
    /// `referenceTypes` of a `reference` attribute.
    #[serde(default, skip_serializing_if = "crate::is_empty")]
    pub reference_types: Vec<String>,
    /// `mutability`.
    #[serde(default)]
    pub mutability: Mutability,
    /// `returned`.
    #[serde(default)]
    pub returned: Returned,
    /// `uniqueness`.
    #[serde(default)]
    pub uniqueness: Uniqueness,
    /// Sub-attributes of a `complex` attribute.
    #[serde(default, skip_serializing_if = "crate::is_empty")]
    pub sub_attributes: Vec<SchemaAttribute>,
}

fn string_kind() -> AttrKind {
    AttrKind::String
}

/// RFC 7643 §2.3 data type (`string` when left out). The JSON Schema's picture of
/// [`AttrKind`], which lives in `scimock-filter`; a test keeps the two spelled alike.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) enum AttrKindSchema {
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// A real number.
    Decimal,
    /// A whole number.
    Integer,
    /// An `xsd:dateTime` instant, compared as an instant.
    DateTime,
    /// A URI reference (`referenceTypes` says to what).
    Reference,
    /// Base64-encoded bytes.
    Binary,
    /// Sub-attributes (`subAttributes`).
    Complex,
}

/// RFC 7643 §2.2 `mutability`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Set by the service provider; client values are ignored (PUT/POST) or refused (PATCH).
    ReadOnly,
    /// Freely writable.
    #[default]
    ReadWrite,
    /// Writable once; a set value may not change.
    Immutable,
    /// Writable, never returned.
    WriteOnly,
}

impl Mutability {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §2.2 `returned`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded.
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

impl Returned {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// RFC 7643 §2.2 `uniqueness`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No uniqueness.
    #[default]
    None,
    /// Unique within the service provider's tenant.
    Server,
    /// Globally unique.
    Global,
}

impl Uniqueness {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}
