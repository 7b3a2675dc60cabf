//! What the evaluator needs to know about attributes: type, case-sensitivity, multi-valuedness.

use crate::ast::AttrPath;
use serde::{Deserialize, Serialize};

/// RFC 7643 §2.3 attribute data types (serialised in the §7 spelling: `string`, `dateTime`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrKind {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `decimal`
    Decimal,
    /// `integer`
    Integer,
    /// `dateTime` (compared as instants)
    DateTime,
    /// `reference`
    Reference,
    /// `binary`
    Binary,
    /// `complex`
    Complex,
}

impl AttrKind {
    /// The RFC 7643 §7 spelling (`string`, `dateTime`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AttrKind::String => "string",
            AttrKind::Boolean => "boolean",
            AttrKind::Decimal => "decimal",
            AttrKind::Integer => "integer",
            AttrKind::DateTime => "dateTime",
            AttrKind::Reference => "reference",
            AttrKind::Binary => "binary",
            AttrKind::Complex => "complex",
        }
    }
}

/// Facts about one attribute (or sub-attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrInfo {
    /// Data type.
    pub kind: AttrKind,
    /// RFC 7643 `caseExact`.
    pub case_exact: bool,
    /// RFC 7643 `multiValued`.
    pub multi_valued: bool,
}

impl AttrInfo {
    /// The RFC 7643 default for an attribute nobody described: a case-insensitive single string.
    pub const DEFAULT: AttrInfo = AttrInfo {
        kind: AttrKind::String,
        case_exact: false,
        multi_valued: false,
    };
}

/// A source of attribute facts. `path` is absolute (value-path filters are resolved by the
/// evaluator, so `emails[type eq "work"]` asks about `emails.type`).
pub trait SchemaInfo: Send + Sync {
    /// Facts about `path`; `None` when the schema does not know it (the evaluator then uses
    /// [`AttrInfo::DEFAULT`] and infers the type from the value found).
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo>;
}

/// The core schema URN prefix: paths qualified with it (`urn:ietf:params:scim:schemas:core:2.0:User:userName`)
/// mean the same as unqualified ones.
pub const CORE_URN_PREFIX: &str = "urn:ietf:params:scim:schemas:core:2.0:";

/// The RFC 7643 §4.3 Enterprise User extension URN.
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// True when `urn` names a core schema (`...:core:2.0:User`, `...:core:2.0:Group`), compared case-insensitively.
pub fn is_core_urn(urn: &str) -> bool {
    urn.len() > CORE_URN_PREFIX.len()
        && urn.as_bytes()[..CORE_URN_PREFIX.len()].eq_ignore_ascii_case(CORE_URN_PREFIX.as_bytes())
}

/// RFC 7643 §4.1 User, §4.2 Group and §4.3 Enterprise User attributes, with the
/// `caseExact` values of the §8.7.1 schema representation and the §3.1 common attributes
/// (`id`, `externalId`, `meta.resourceType` and `meta.version` are case-exact).
/// Unqualified and core-URN-qualified paths resolve to User/Group attributes; the
/// enterprise URN resolves to the extension; any other URN is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreSchema;

impl SchemaInfo for CoreSchema {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        let table = match path.urn.as_deref() {
            None => CORE,
            Some(urn) if is_core_urn(urn) => CORE,
            Some(urn) if urn.eq_ignore_ascii_case(ENTERPRISE_USER_URN) => ENTERPRISE,
            Some(_) => return None,
        };
        let sub = path.sub.as_deref().unwrap_or("");
        table
            .iter()
            .flat_map(|rows| rows.iter())
            .find(|(name, s, _)| {
                name.eq_ignore_ascii_case(&path.name) && s.eq_ignore_ascii_case(sub)
            })
            .map(|&(_, _, info)| info)
    }
}

const fn info(kind: AttrKind, case_exact: bool, multi_valued: bool) -> AttrInfo {
    AttrInfo {
        kind,
        case_exact,
        multi_valued,
    }
}

const STR: AttrInfo = info(AttrKind::String, false, false);
const STR_EXACT: AttrInfo = info(AttrKind::String, true, false);
const REF: AttrInfo = info(AttrKind::Reference, false, false);
const BOOL: AttrInfo = info(AttrKind::Boolean, false, false);
const DATE: AttrInfo = info(AttrKind::DateTime, false, false);
const COMPLEX: AttrInfo = info(AttrKind::Complex, false, false);
const MULTI: AttrInfo = info(AttrKind::Complex, false, true);

/// `(attribute, sub-attribute or "", facts)`.
type Row = (&'static str, &'static str, AttrInfo);

/// The usual `value`/`display`/`type`/`primary` rows of a multi-valued attribute.
macro_rules! multi_valued {
    ($name:literal, $value:expr) => {
        [
            ($name, "", MULTI),
            ($name, "value", $value),
            ($name, "display", STR),
            ($name, "type", STR),
            ($name, "primary", BOOL),
        ]
    };
}

const CORE: &[&[Row]] = &[
    &[
        // RFC 7643 §3.1 common attributes.
        ("id", "", STR_EXACT),
        ("externalId", "", STR_EXACT),
        ("schemas", "", info(AttrKind::Reference, true, true)),
        ("meta", "", COMPLEX),
        ("meta", "resourceType", STR_EXACT),
        ("meta", "created", DATE),
        ("meta", "lastModified", DATE),
        ("meta", "location", REF),
        ("meta", "version", STR_EXACT),
        // RFC 7643 §4.1 User.
        ("userName", "", STR),
        ("name", "", COMPLEX),
        ("name", "formatted", STR),
        ("name", "familyName", STR),
        ("name", "givenName", STR),
        ("name", "middleName", STR),
        ("name", "honorificPrefix", STR),
        ("name", "honorificSuffix", STR),
        ("displayName", "", STR),
        ("nickName", "", STR),
        ("profileUrl", "", REF),
        ("title", "", STR),
        ("userType", "", STR),
        ("preferredLanguage", "", STR),
        ("locale", "", STR),
        ("timezone", "", STR),
        ("active", "", BOOL),
        ("password", "", STR),
    ],
    &multi_valued!("emails", STR),
    &multi_valued!("phoneNumbers", STR),
    &multi_valued!("ims", STR),
    &multi_valued!("photos", REF),
    &multi_valued!("entitlements", STR),
    &multi_valued!("roles", STR),
    &multi_valued!("x509Certificates", info(AttrKind::Binary, false, false)),
    &[
        ("addresses", "", MULTI),
        ("addresses", "formatted", STR),
        ("addresses", "streetAddress", STR),
        ("addresses", "locality", STR),
        ("addresses", "region", STR),
        ("addresses", "postalCode", STR),
        ("addresses", "country", STR),
        ("addresses", "type", STR),
        ("addresses", "primary", BOOL),
        ("groups", "", MULTI),
        ("groups", "value", STR),
        ("groups", "$ref", REF),
        ("groups", "display", STR),
        ("groups", "type", STR),
        // RFC 7643 §4.2 Group (displayName is shared with User).
        ("members", "", MULTI),
        ("members", "value", STR),
        ("members", "$ref", REF),
        ("members", "display", STR),
        ("members", "type", STR),
    ],
];

/// RFC 7643 §4.3 Enterprise User.
const ENTERPRISE: &[&[Row]] = &[&[
    ("employeeNumber", "", STR),
    ("costCenter", "", STR),
    ("organization", "", STR),
    ("division", "", STR),
    ("department", "", STR),
    ("manager", "", COMPLEX),
    ("manager", "value", STR),
    ("manager", "$ref", REF),
    ("manager", "displayName", STR),
]];
