//! Attribute definitions of Users and Groups (RFC 7643 §2, §3.1, §4, §8.7.1): the one
//! source for write validation, filter facts (type, `caseExact`) and the `/Schemas`
//! representation (§7).
//!
//! The RFC schemas are data (`fixtures/schemas/`, read by [`scimock_profile::rfc7643`]); a
//! profile adds its extensions (declared in its JSON, RFC 7643 §7), its top-level vendor
//! attributes and its read-only list. Nothing about a vendor is written here.
//!
//! - [`defs`]: the internal form ([`AttrDef`], [`SchemaDef`]) and its §7 rendering.
//! - [`resource`]: one resource type's schemas for a profile, and path resolution.
//! - [`validate`]: POST/PUT body cleaning, required and immutable checks, value checks.

pub mod defs;
pub mod resource;
pub mod validate;

#[cfg(test)]
mod tests;

pub use defs::{AttrDef, SchemaDef, kind_str, lookup_sub, values_equal};
pub use resource::{Resolved, ResourceSchemas, is_bare_urn, urn_path};
pub use scimock_profile::{Mutability, Returned, Uniqueness};
pub use validate::{MissingAttribute, WriteOptions, check_one_primary, check_value};

// Kept at their old paths; they live in `crate::json` now.
pub use crate::json::{MAX_DEPTH, check_depth, find_key, get_ci, has_value, is_primary};

use scimock_profile::vocab;

/// RFC 7643 §4.1 core User schema.
pub const CORE_USER_URN: &str = vocab::CORE_USER;
/// RFC 7643 §4.2 core Group schema.
pub const CORE_GROUP_URN: &str = vocab::CORE_GROUP;
/// RFC 7643 §4.3 Enterprise User extension.
pub const ENTERPRISE_USER_URN: &str = vocab::ENTERPRISE_USER;
/// RFC 7643 §7 schema of schema representations.
pub const SCHEMA_URN: &str = vocab::SCHEMA;
