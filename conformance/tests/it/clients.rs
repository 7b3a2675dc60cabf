//! `--client entra|okta`: the identity providers' catalogs replace the profile's checks, an
//! Entra-ready mock passes all of them, and the RFC-strict generic mock fails exactly where
//! Entra ID's default shapes leave the RFC (`"value":"False"`).

use crate::common::*;
use scimock_conformance::config::{AAD_OPT_SCIM_062020, IdpClient};
use scimock_conformance::runner::plan;
use serde_json::json;

fn client_config(
    m: &scimock_server::MockServer,
    client: IdpClient,
    options: &[&str],
    overrides: &[(&str, serde_json::Value)],
) -> scimock_conformance::Config {
    let mut c = config(m, profile("generic", overrides), true);
    c.client = Some(client);
    c.client_options = options.iter().map(|o| o.to_string()).collect();
    c
}

#[test]
fn a_client_run_plans_only_its_own_checks_and_a_profile_run_none_of_them() {
    let mut cfg = scimock_conformance::Config::new("http://127.0.0.1:9", profile("generic", &[]));
    cfg.allow_writes = true;
    let ids =
        |cfg: &scimock_conformance::Config| plan(cfg).iter().map(|d| d.id).collect::<Vec<_>>();
    assert!(
        !ids(&cfg)
            .iter()
            .any(|i| i.starts_with("entra.") || i.starts_with("okta."))
    );
    cfg.client = Some(IdpClient::Entra);
    let entra = ids(&cfg);
    assert!(entra.len() >= 9 && entra.iter().all(|i| i.starts_with("entra.")));
    assert!(
        !entra.contains(&"entra.pathless-replace"),
        "only with the flag"
    );
    cfg.client_options = vec![AAD_OPT_SCIM_062020.into()];
    assert!(ids(&cfg).contains(&"entra.pathless-replace"));
    cfg.client = Some(IdpClient::Okta);
    assert!(ids(&cfg).iter().all(|i| i.starts_with("okta.")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entra_ready_mock_passes_every_client_check() {
    let ready = [("patch.string_booleans", json!(true))];
    let m = mock("generic", None, &ready).await;
    for (client, options) in [
        (IdpClient::Entra, vec![]),
        (IdpClient::Entra, vec![AAD_OPT_SCIM_062020]),
        (IdpClient::Okta, vec![]),
    ] {
        let before = fixture_users(&m);
        let r = check(client_config(&m, client, &options, &ready)).await;
        assert_eq!(
            r.summary.failed,
            0,
            "{client:?} {options:?}\n{}",
            explain(&r)
        );
        assert_eq!(
            r.summary.skipped,
            0,
            "{client:?} {options:?}\n{}",
            explain(&r)
        );
        assert!(r.checks.iter().all(|c| c.id.starts_with(client.name())));
        assert_eq!(
            fixture_users(&m),
            before,
            "the run touches only its own users"
        );
        assert!(r.cleanup.leftovers.is_empty(), "{:?}", r.cleanup);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rfc_strict_generic_mock_fails_only_entras_string_booleans() {
    let m = mock("generic", None, &[]).await;
    let r = check(client_config(&m, IdpClient::Entra, &[], &[])).await;
    assert_eq!(
        failed(&r),
        vec!["entra.disable", "entra.soft-delete"],
        "{}",
        explain(&r)
    );
    let disable = result(&r, "entra.disable");
    assert!(
        disable
            .detail
            .contains(r#"{"op":"Replace","path":"active","value":"False"}"#)
            && disable
                .detail
                .contains("Known issues and resolutions with SCIM 2.0 protocol compliance"),
        "the detail quotes the request and its source: {}",
        disable.detail
    );
    let r = check(client_config(
        &m,
        IdpClient::Entra,
        &[AAD_OPT_SCIM_062020],
        &[],
    ))
    .await;
    assert_eq!(failed(&r), Vec::<String>::new(), "{}", explain(&r));
    let r = check(client_config(&m, IdpClient::Okta, &[], &[])).await;
    assert_eq!(failed(&r), Vec::<String>::new(), "{}", explain(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_client_runs_send_only_gets_and_skip_the_writes() {
    let m = mock("generic", None, &[]).await;
    for client in IdpClient::ALL {
        let mut cfg = client_config(&m, *client, &[], &[]);
        cfg.allow_writes = false;
        m.clear_requests();
        let r = check(cfg).await;
        assert_eq!(r.summary.failed, 0, "{}", explain(&r));
        assert!(r.summary.passed >= 2);
        let methods: Vec<String> = m.requests().iter().map(|q| q.method.clone()).collect();
        assert!(methods.iter().all(|x| x == "GET"), "{methods:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_runs_send_a_user_agent_where_the_vendor_requires_one() {
    // GitHub refuses a request without User-Agent (D:G2): every client shape carries one.
    let ready = [
        ("patch.string_booleans", json!(true)),
        (
            "auth.required_headers",
            json!({"names": ["User-Agent"], "refusal": {"status": 403, "detail": "no {attr}"}}),
        ),
    ];
    let m = mock("generic", None, &ready).await;
    for client in [IdpClient::Entra, IdpClient::Okta] {
        let r = check(client_config(&m, client, &[], &ready)).await;
        assert_eq!(r.summary.failed, 0, "{client:?}\n{}", explain(&r));
    }
    let refused: Vec<_> = m
        .violations()
        .into_iter()
        .filter(|v| v.switch == "auth.required_headers")
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
}
