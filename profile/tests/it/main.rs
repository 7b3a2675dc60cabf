//! The profile crate's integration tests, one binary. Run one area with a filter:
//!
//! ```sh
//! cargo test -p scimock-profile --test it profiles
//! ```

mod file_format;
mod profiles;
