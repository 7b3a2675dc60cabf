//! The server's integration tests, one binary (the server is linked once). Each module is
//! one area; `common` holds the HTTP helpers they share. Run one area with a filter:
//!
//! ```sh
//! cargo test -p scimock-server --test it vendor_quirks
//! PROPTEST_CASES=1000000 cargo test --release -p scimock-server --test it fuzz_patch
//! ```

mod common;

mod admin;
mod audit;
mod bad_input;
mod concurrency;
mod connections;
mod fidelity;
mod fuzz_patch;
mod generic_lists;
mod generic_resources;
mod golden;
mod mock_api;
mod network_faults;
mod quirk_cases;
mod truto;
mod ui;
mod vendor_quirks;
mod verify;
mod violations;
