//! The scimock mock SCIM provider.
//!
//! What it is for: an in-memory SCIM 2.0 service provider that behaves like a specific
//! vendor (a [`scimock_profile::Profile`]), with an admin API (request journal, fault
//! injection, break switches) and an in-process `MockServer` for Rust tests.
//!
//! What it is not for: checking other servers (that is `scimock-conformance`) or parsing
//! filters (that is `scimock-filter`).

pub mod error;
pub mod patch;
pub mod projection;
pub mod schema;

pub use error::{ScimError, ScimResult, ScimType};
