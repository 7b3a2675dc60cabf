//! The scimock mock SCIM provider.
//!
//! What it is for: an in-memory SCIM 2.0 service provider that behaves like a specific
//! vendor (a [`scimock_profile::Profile`]), with an admin API (request journal, fault
//! injection, break switches) and an in-process [`MockServer`] for Rust tests.
//!
//! What it is not for: checking other servers (that is `scimock-conformance`) or parsing
//! filters (that is `scimock-filter`).

//!
//! A request flows one way through named stages: `middleware` (body limit, journal) ->
//! `gate` (faults, auth, rate limits) -> `extract` (query, body, conditional headers) ->
//! `select` (filter) -> `sort` -> `page` -> `render`, or `writes` for POST/PUT/PATCH/DELETE;
//! then `breaks` (the output-only break switches) and the error format. A `Tenant` is the data
//! they share.

pub mod admin;
pub mod app;
pub mod breaks;
pub mod clock;
pub mod cross_site;
pub mod discovery;
pub mod doc;
pub mod dotted;
pub mod durable;
pub mod error;
pub mod extract;
pub mod faults;
pub mod gate;
pub mod generate;
pub mod idempotency;
pub mod journal;
pub mod json;
pub mod middleware;
pub mod mock;
pub mod netfault;
pub mod offload;
pub mod page;
pub mod patch;
pub mod projection;
pub mod query;
pub mod render;
pub mod resource;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod select;
pub mod serve;
pub mod sort;
pub mod state;
pub mod store;
pub mod tenant;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod timeouts;
pub mod truto;
pub mod ui;
pub mod vendor;
pub mod verify;
pub mod violations;
pub mod writes;

pub use app::{App, BuildError, ServeConfig, VendorChoice};
pub use breaks::Break;
pub use error::{ScimError, ScimResult, ScimType};
pub use faults::{Distribution, FaultMatch, FaultRule, Latency, Network};
pub use mock::{ExpectationHandle, MockServer, Times, VerifyError};
pub use serve::ServeError;
pub use verify::{BodyMatcher, Matcher, NearMiss};
