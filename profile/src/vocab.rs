//! The SCIM vocabulary every crate shares: schema and message URNs (RFC 7643 §8.7, RFC 7644
//! §3), the `scimType` error values (RFC 7644 §3.12 Table 9, RFC 9865) and the two resource
//! types. Declared once here; other crates name these constants instead of spelling the
//! strings again.
//!
//! Vendor URNs (Elfsquad's or Atlassian's extensions) are not vocabulary: they are facts of
//! one vendor and live in its profile's `schemas`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// RFC 7643 §4.1 core User schema.
pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 §4.2 core Group schema.
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// RFC 7643 §4.3 Enterprise User extension (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
///
/// The filter crate knows it too (its built-in schema resolves the extension's attributes);
/// this is that one declaration, so the two cannot differ.
pub const ENTERPRISE_USER: &str = scimock_filter::schema::ENTERPRISE_USER_URN;
/// RFC 7643 §5 service provider configuration schema.
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// RFC 7643 §6 resource type schema.
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// RFC 7643 §7 schema of schema representations.
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// RFC 7644 §3.4.2 list response message.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// RFC 7644 §3.4.3 search request message (`POST .search`).
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// RFC 7644 §3.5.2 PATCH request message.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// RFC 7644 §3.12 error response message.
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The two resource types scimock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl ResourceKind {
    /// Both, in endpoint order.
    pub const ALL: [ResourceKind; 2] = [ResourceKind::User, ResourceKind::Group];

    /// `meta.resourceType`.
    pub fn resource_type(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    /// The endpoint segment.
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "Users",
            ResourceKind::Group => "Groups",
        }
    }

    /// The core schema URN of the resource type.
    pub fn core_schema(self) -> &'static str {
        match self {
            ResourceKind::User => CORE_USER,
            ResourceKind::Group => CORE_GROUP,
        }
    }
}

/// RFC 7644 §3.12 Table 9 `scimType` values, plus RFC 9865's pagination errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    /// The filter syntax was invalid or the filter is not supported.
    InvalidFilter,
    /// Too many results.
    TooMany,
    /// A unique attribute value is already in use.
    Uniqueness,
    /// An attempt to modify an immutable or read-only attribute.
    Mutability,
    /// The request body structure was invalid.
    InvalidSyntax,
    /// The path attribute was invalid or malformed.
    InvalidPath,
    /// The path did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing or a value was of the wrong type.
    InvalidValue,
    /// The SCIM protocol version is not supported.
    InvalidVers,
    /// The request cannot be completed due to sensitive information.
    Sensitive,
    /// RFC 9865: the cursor value is invalid.
    InvalidCursor,
    /// RFC 9865: the cursor has expired.
    ExpiredCursor,
    /// RFC 9865: the count value is invalid.
    InvalidCount,
}

impl ScimType {
    /// Every value, for validation and tests.
    pub const ALL: [ScimType; 13] = [
        ScimType::InvalidFilter,
        ScimType::TooMany,
        ScimType::Uniqueness,
        ScimType::Mutability,
        ScimType::InvalidSyntax,
        ScimType::InvalidPath,
        ScimType::NoTarget,
        ScimType::InvalidValue,
        ScimType::InvalidVers,
        ScimType::Sensitive,
        ScimType::InvalidCursor,
        ScimType::ExpiredCursor,
        ScimType::InvalidCount,
    ];

    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
        }
    }

    /// Parses the wire spelling (exact case, as the RFC spells it).
    pub fn parse(s: &str) -> Option<ScimType> {
        ScimType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not an RFC 7644 `scimType`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an RFC 7644 scimType")]
pub struct UnknownScimType(pub String);

impl FromStr for ScimType {
    type Err = UnknownScimType;

    fn from_str(s: &str) -> Result<ScimType, UnknownScimType> {
        ScimType::parse(s).ok_or_else(|| UnknownScimType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_types_round_trip_through_their_wire_spelling_and_serde() {
        for t in ScimType::ALL {
            assert_eq!(ScimType::parse(t.as_str()), Some(t));
            assert_eq!(t.as_str().parse::<ScimType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
            let json = serde_json::to_value(t).expect("serialises");
            assert_eq!(json, serde_json::Value::String(t.as_str().into()));
            assert_eq!(serde_json::from_value::<ScimType>(json).ok(), Some(t));
        }
        assert_eq!(ScimType::parse("InvalidFilter"), None);
        assert!("nope".parse::<ScimType>().is_err());
    }

    #[test]
    fn the_filter_crate_speaks_the_same_vocabulary() {
        let e = scimock_filter::parse_filter("userName eqq 1").expect_err("malformed");
        assert_eq!(
            ScimType::parse(e.scim_type()),
            Some(ScimType::InvalidFilter)
        );
        for kind in ResourceKind::ALL {
            assert!(scimock_filter::schema::is_core_urn(kind.core_schema()));
        }
        assert!(!scimock_filter::schema::is_core_urn(ENTERPRISE_USER));
    }
}
