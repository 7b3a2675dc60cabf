//! The filter parser's integration tests, one binary. Each module is one area; run one with
//! a filter:
//!
//! ```sh
//! cargo test -p scimock-filter --test it cases
//! PROPTEST_CASES=1000000 cargo test --release -p scimock-filter --test it prop
//! ```

mod api;
mod cases;
mod limits;
mod prop;
