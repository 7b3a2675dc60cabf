//! Every check can fail: for each row of `breaks.json`, turn on one break switch of the mock and
//! assert that exactly the listed checks fail. Every catalog id appears in some row's `fails`, or
//! in `unbreakable` with the reason the mock cannot break it.

use crate::common::*;
use scimock_conformance::catalog::CATALOG;
use scimock_server::{Break, FaultRule, MockServer};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Deserialize)]
struct Row {
    #[serde(rename = "break")]
    brk: String,
    profile: String,
    #[serde(default)]
    writes: bool,
    #[serde(default)]
    users: Option<usize>,
    #[serde(default)]
    fault: Option<FaultRule>,
    /// `--client`: the row runs that identity provider's checks instead of the profile's.
    #[serde(default)]
    client: Option<String>,
    /// `--client-option`s.
    #[serde(default)]
    client_options: Vec<String>,
    /// Profile overrides of the mock (`--set`), e.g. the string booleans Entra sends.
    #[serde(default)]
    set: BTreeMap<String, serde_json::Value>,
    fails: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Table {
    rows: Vec<Row>,
    unbreakable: BTreeMap<String, String>,
}

fn table() -> Table {
    serde_json::from_str(include_str!("../breaks.json")).expect("breaks.json parses")
}

#[test]
fn every_check_has_a_break_or_a_reason() {
    let t = table();
    let covered: BTreeSet<&str> = t
        .rows
        .iter()
        .flat_map(|r| r.fails.iter().map(String::as_str))
        .collect();
    for d in CATALOG {
        assert!(
            covered.contains(d.id) || t.unbreakable.contains_key(d.id),
            "{} has no break row and no reason in breaks.json",
            d.id
        );
    }
    for id in covered.iter().chain(
        t.unbreakable
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .iter(),
    ) {
        assert!(
            CATALOG.iter().any(|d| d.id == *id),
            "breaks.json names unknown check {id}"
        );
    }
    for r in &t.rows {
        assert!(
            Break::from_name(&r.brk).is_some(),
            "unknown break {}",
            r.brk
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_break_fails_exactly_the_checks_that_guard_it() {
    let t = table();
    let mut mocks: BTreeMap<(String, Option<usize>, String), MockServer> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for row in &t.rows {
        let overrides: Vec<(&str, serde_json::Value)> = row
            .set
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let key = (row.profile.clone(), row.users, format!("{:?}", row.set));
        if !mocks.contains_key(&key) {
            let m = mock(&row.profile, row.users, &overrides).await;
            if is_unified(&row.profile) {
                assert_facade_up(&m, &row.profile).await;
            }
            mocks.insert(key.clone(), m);
        }
        let m = &mocks[&key];
        m.clear_faults();
        for tn in m.app().all_tenants() {
            if tn.profile.kind == scimock_profile::ProfileKind::Scim {
                tn.reset().expect("reset");
            }
        }
        let b = Break::from_name(&row.brk).expect("known break");
        m.set_break(b, true);
        if let Some(f) = &row.fault {
            m.inject(f.clone());
        }
        let before = fixture_users(m);
        let mut cfg = config(m, profile(&row.profile, &overrides), row.writes);
        cfg.client = row
            .client
            .as_deref()
            .map(|c| scimock_conformance::config::IdpClient::from_name(c).expect("a known client"));
        cfg.client_options = row.client_options.clone();
        let r = check(cfg).await;
        let mut want = row.fails.clone();
        want.sort();
        let got = failed(&r);
        // Whatever the target breaks, the run touches no user but its own.
        let after = fixture_users(m);
        if after != before {
            let lost: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
            mismatches.push(format!(
                "{} on {} (writes {}): users that are not the run's own changed or vanished \
                 ({} before, {} after; gone: {lost:?}); cleanup: {:?}",
                row.brk,
                row.profile,
                row.writes,
                before.len(),
                after.len(),
                r.cleanup
            ));
        }
        if got != want {
            mismatches.push(format!(
                "{} on {} (writes {}, client {:?} {:?}): expected {want:?}, got {got:?}\n{}",
                row.brk,
                row.profile,
                row.writes,
                row.client,
                row.client_options,
                explain(&r)
            ));
        }
        m.clear_faults();
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}
