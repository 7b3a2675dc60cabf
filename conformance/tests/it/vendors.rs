//! `scimock check` against every vendor mock reports zero failures, read-only and with writes;
//! a read-only run sends nothing but GET; writes leave no `scimock-check-` user behind; it works
//! on an empty tenant and on one with 20,000 users with a bounded number of requests.

use crate::common::*;
use scimock_conformance::Status;
use scimock_profile::{Pagination, ProfileKind};
use scimock_server::MockServer;
use serde_json::Value;

fn check_users_left(m: &MockServer) -> Vec<String> {
    let mut left = Vec::new();
    for t in m.app().all_tenants() {
        let store = t.read();
        for u in store.users.iter() {
            let name = u.str_attr("userName").unwrap_or_default();
            let active = u.to_value().get("active") != Some(&Value::Bool(false));
            // A vendor whose DELETE suspends keeps the user, inactive: that is its documented removal.
            if name.starts_with("scimock-check-") && active {
                left.push(format!("{}: {name}", t.profile.name));
            }
        }
    }
    left
}

fn check_groups_left(m: &MockServer) -> Vec<String> {
    let mut left = Vec::new();
    for t in m.app().all_tenants() {
        let store = t.read();
        for g in store.groups.iter() {
            let name = g.str_attr("displayName").unwrap_or_default();
            if name.starts_with("scimock-check-") {
                left.push(format!("{}: {name}", t.profile.name));
            }
        }
    }
    left
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vendor_mock_passes_read_only_with_get_requests_only() {
    for vendor in vendors() {
        let m = mock(vendor, None, &[]).await;
        if is_unified(vendor) {
            assert_facade_up(&m, vendor).await;
        }
        m.clear_requests();
        let r = check(config(&m, profile(vendor, &[]), false)).await;
        assert_eq!(r.summary.failed, 0, "{vendor}: {}", explain(&r));
        assert!(
            r.summary.passed >= 8,
            "{vendor}: only {} passed",
            r.summary.passed
        );
        let methods: Vec<String> = m
            .requests()
            .iter()
            .map(|e| e.method.clone())
            .filter(|x| x != "GET")
            .collect();
        assert!(
            methods.is_empty(),
            "{vendor}: a read-only run sent {methods:?}"
        );
        assert!(
            r.checks
                .iter()
                .filter(|c| c.id.starts_with("writes."))
                .all(|c| c.status == Status::Skip)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vendor_mock_passes_with_writes_and_no_test_user_remains() {
    for vendor in vendors() {
        let m = mock(vendor, None, &[]).await;
        if is_unified(vendor) {
            assert_facade_up(&m, vendor).await;
        }
        let r = check(config(&m, profile(vendor, &[]), true)).await;
        assert_eq!(r.summary.failed, 0, "{vendor}: {}", explain(&r));
        if !is_unified(vendor) {
            let create = result(&r, "writes.create");
            assert_eq!(create.status, Status::Pass, "{vendor}");
            // One user; and one group where the vendor documents creating and deleting groups.
            let (groups, users): (Vec<&String>, Vec<&String>) = r
                .cleanup
                .removed
                .iter()
                .partition(|n| n.starts_with("group "));
            assert_eq!(users.len(), 1, "{vendor}: {:?}", r.cleanup);
            let p = profile(vendor, &[]);
            let group_writes = p.groups.as_ref().is_some_and(|g| g.create && g.delete);
            assert_eq!(
                groups.len(),
                usize::from(group_writes),
                "{vendor}: {:?}",
                r.cleanup
            );
            if group_writes {
                assert_eq!(result(&r, "groups.create").status, Status::Pass, "{vendor}");
                assert_eq!(result(&r, "groups.delete").status, Status::Pass, "{vendor}");
            }
        } else {
            for id in [
                "unified.create",
                "unified.update",
                "unified.idempotency",
                "unified.delete",
            ] {
                let c = result(&r, id);
                assert_eq!(c.status, Status::Pass, "{vendor} {id}: {}", c.detail);
            }
        }
        assert!(
            r.cleanup.leftovers.is_empty(),
            "{vendor}: {:?}",
            r.cleanup.leftovers
        );
        assert_eq!(check_users_left(&m), Vec::<String>::new(), "{vendor}");
        assert_eq!(check_groups_left(&m), Vec::<String>::new(), "{vendor}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_tenant_skips_what_needs_users_and_fails_nothing() {
    for vendor in vendors_where(|p| p.kind == ProfileKind::Scim) {
        let m = MockServer::start_with(scimock_server::ServeConfig {
            vendor: scimock_server::VendorChoice::One(vendor.into()),
            listen: "127.0.0.1:0".parse().unwrap(),
            fixtures: Some(serde_json::json!({"users": [], "groups": []})),
            ..scimock_server::ServeConfig::default()
        })
        .await
        .unwrap();
        for writes in [false, true] {
            let r = check(config(&m, profile(vendor, &[]), writes)).await;
            assert_eq!(
                r.summary.failed,
                0,
                "{vendor} writes={writes}: {}",
                explain(&r)
            );
            let eq = result(&r, "filter.eq");
            assert_eq!(eq.status, Status::Skip);
            assert!(eq.detail.contains("no users"), "{}", eq.detail);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_users_are_checked_with_a_bounded_walk() {
    let paged =
        vendors_where(|p| p.kind == ProfileKind::Scim && p.list.pagination == Pagination::Index);
    for vendor in paged {
        let m = mock(vendor, Some(20_000), &[]).await;
        m.clear_requests();
        let r = check(config(&m, profile(vendor, &[]), false)).await;
        assert_eq!(r.summary.failed, 0, "{vendor}: {}", explain(&r));
        let n = m.requests().len();
        assert!(n < 200, "{vendor}: {n} requests");
        // A vendor that ignores startIndex (AWS) is walked by cursor instead.
        let walk = if profile(vendor, &[]).list.ignore_start_index {
            assert_eq!(result(&r, "list.pagination.walk").status, Status::Skip);
            result(&r, "list.pagination.cursor-walk")
        } else {
            result(&r, "list.pagination.walk")
        };
        // A walk is at most 50 pages (the default --max-pages) of at most the vendor's cap.
        let capped = profile(vendor, &[])
            .list
            .max_count
            .is_some_and(|cap| cap * 50 < 20_000);
        if capped {
            // 50 pages of at most the vendor's cap (Attio: 100) cannot cover 20,002 users: the
            // report says so.
            assert!(
                walk.detail.contains("walk capped at 50 pages"),
                "{}",
                walk.detail
            );
            let cap = result(&r, "list.pagination.cap");
            assert_eq!(cap.status, Status::Pass, "{}", cap.detail);
        } else {
            assert!(walk.detail.contains("each once"), "{}", walk.detail);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_at_its_user_limit_skips_the_write_checks() {
    // Every vendor that documents a user limit (Atlassian: 20,000).
    let limited = vendors_where(|p| p.writes.max_users.is_some());
    assert!(!limited.is_empty(), "no profile documents a user limit");
    for vendor in limited {
        let max = profile(vendor, &[])
            .writes
            .max_users
            .as_ref()
            .map_or(0, |l| l.max);
        let m = mock(vendor, Some(max as usize), &[]).await;
        let r = check(config(&m, profile(vendor, &[]), true)).await;
        assert_eq!(r.summary.failed, 0, "{vendor}: {}", explain(&r));
        let create = result(&r, "writes.create");
        assert_eq!(create.status, Status::Skip, "{vendor}: {}", create.detail);
        assert!(
            create
                .detail
                .contains(&format!("documented limit of {max}")),
            "{vendor}: {}",
            create.detail
        );
        assert!(
            m.requests().iter().all(|e| e.method == "GET"),
            "{vendor}: nothing written to a full directory"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_answered_204_is_accepted_as_rfc_7644_allows() {
    let o = [("patch.response", serde_json::json!("no_content"))];
    let m = mock("generic", None, &o).await;
    let r = check(config(&m, profile("generic", &o), true)).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let patch = result(&r, "writes.patch");
    assert_eq!(patch.status, Status::Pass);
    assert!(patch.detail.contains("204"), "{}", patch.detail);
    assert_eq!(patch.evidence[0].status, Some(204));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_that_cannot_be_removed_are_listed_as_leftovers() {
    let m = mock("generic", None, &[]).await;
    m.set_break(scimock_server::Break::DeleteIgnored, true);
    // Users only: the group checks' leftover is the next test's.
    let mut cfg = config(&m, profile("generic", &[]), true);
    cfg.skip = vec!["groups".into()];
    let r = check(cfg).await;
    assert_eq!(r.cleanup.leftovers.len(), 1, "{:?}", r.cleanup);
    assert!(
        r.cleanup.leftovers[0].starts_with("scimock-check-"),
        "{:?}",
        r.cleanup.leftovers
    );
    let human = scimock_conformance::report::render(scimock_conformance::report::Format::Human, &r);
    assert!(
        human.contains("could NOT remove") && human.contains(&r.cleanup.leftovers[0]),
        "{human}"
    );
    let md = scimock_conformance::report::render(scimock_conformance::report::Format::Markdown, &r);
    assert!(md.contains("could not remove"), "{md}");
    let junit = scimock_conformance::report::render(scimock_conformance::report::Format::Junit, &r);
    assert!(
        junit.contains("could not remove: scimock-check-"),
        "{junit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_the_run_created_are_removed_or_listed_as_leftovers() {
    let m = mock("generic", None, &[]).await;
    let r = check(config(&m, profile("generic", &[]), true)).await;
    assert_eq!(r.summary.failed, 0, "{}", explain(&r));
    let groups: Vec<&String> = r
        .cleanup
        .removed
        .iter()
        .filter(|n| n.starts_with("group scimock-check-"))
        .collect();
    assert_eq!(groups.len(), 1, "{:?}", r.cleanup);
    m.set_break(scimock_server::Break::DeleteIgnored, true);
    let mut cfg = config(&m, profile("generic", &[]), true);
    cfg.only = vec!["writes.create".into(), "groups".into()];
    let r = check(cfg).await;
    let left: Vec<&String> = r
        .cleanup
        .leftovers
        .iter()
        .filter(|l| l.starts_with("group scimock-check-"))
        .collect();
    assert_eq!(left.len(), 1, "{:?}", r.cleanup);
    assert!(
        left[0].contains("still readable after DELETE"),
        "{}",
        left[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_whose_create_answer_was_lost_counts_as_removed_only_once_the_lookup_answered() {
    use scimock_server::{FaultMatch, FaultRule};
    let fault = |method: &str, status: u16, times: Option<u32>| FaultRule {
        status: Some(status),
        times,
        matcher: FaultMatch {
            method: Some(method.into()),
            path_suffix: Some("/Users".into()),
            ..FaultMatch::default()
        },
        ..FaultRule::default()
    };
    let m = mock("generic", None, &[]).await;
    let mut cfg = config(&m, profile("generic", &[]), true);
    cfg.only = vec!["writes.create".into()];
    // The create is answered 500: the run cannot know whether the user exists. Every list,
    // including cleanup's userName lookup, answers 503.
    m.inject(fault("POST", 500, Some(1)));
    m.inject(fault("GET", 503, None));
    let r = check(cfg.clone()).await;
    assert!(r.cleanup.removed.is_empty(), "{:?}", r.cleanup);
    assert_eq!(r.cleanup.leftovers.len(), 1, "{:?}", r.cleanup);
    let l = &r.cleanup.leftovers[0];
    assert!(
        l.starts_with("scimock-check-") && l.contains("could not verify") && l.contains("503"),
        "{l}"
    );
    // With a lookup that answers (and finds nobody), the user is known to be absent.
    m.clear_faults();
    m.inject(fault("POST", 500, Some(1)));
    let r = check(cfg).await;
    assert_eq!(r.cleanup.removed.len(), 1, "{:?}", r.cleanup);
    assert!(r.cleanup.leftovers.is_empty(), "{:?}", r.cleanup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_and_skip_select_checks_by_glob_and_group() {
    let m = mock("generic", None, &[]).await;
    let mut cfg = config(&m, profile("generic", &[]), false);
    cfg.only = vec!["filter".into(), "list.pagination.*".into()];
    cfg.skip = vec!["*.cursor-*".into()];
    let r = check(cfg).await;
    let ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.iter()
            .all(|i| i.starts_with("filter.") || i.starts_with("list.pagination.")),
        "{ids:?}"
    );
    assert!(ids.contains(&"filter.eq") && ids.contains(&"list.pagination.walk"));
    assert!(!ids.iter().any(|i| i.contains("cursor")), "{ids:?}");
}
