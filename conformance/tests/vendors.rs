//! `scimock check` against every vendor mock reports zero failures, read-only and with writes,
//! and a read-only run sends nothing but GET.

mod common;
use common::*;
use scimock_conformance::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_dump() {
    for vendor in ["generic", "attio", "atlassian", "adra", "elfsquad", "truto"] {
        for writes in [false, true] {
            let m = mock(vendor, None, &[]).await;
            let r = check(config(&m, profile(vendor, &[]), writes)).await;
            println!("=== {vendor} writes={writes}: {}", r.summary.line());
            for c in &r.checks {
                if c.status != Status::Pass {
                    println!("  {:?} {}: {}", c.status, c.id, c.detail);
                }
            }
            println!("{}", explain(&r));
        }
    }
}
