//! The scimock mock SCIM provider.
//!
//! What it is for: an in-memory SCIM 2.0 service provider that behaves like a specific
//! vendor (a [`scimock_profile::Profile`]), with an admin API (request journal, fault
//! injection, break switches) and an in-process [`MockServer`] for Rust tests.
//!
//! What it is not for: checking other servers (that is `scimock-conformance`) or parsing
//! filters (that is `scimock-filter`).

pub mod admin;
pub mod app;
pub mod clock;
pub mod doc;
pub mod error;
pub mod faults;
pub mod generate;
pub mod idempotency;
pub mod journal;
pub mod json;
pub mod list;
pub mod middleware;
pub mod mock;
pub mod patch;
pub mod projection;
pub mod query;
pub mod respond;
pub mod routes;
pub mod schema;
pub mod shape;
pub mod state;
pub mod store;
pub mod tenant;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod truto;
pub mod vendor;

pub use app::{App, ServeConfig, VendorChoice};
pub use error::{ScimError, ScimResult, ScimType};
pub use faults::{Break, FaultMatch, FaultRule};
pub use mock::MockServer;
