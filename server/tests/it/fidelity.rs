//! Vendor fidelity: each mismatch the claim-by-claim audit found against the vendors'
//! documents, one test per finding, named after the claim and citing its source tag.

use crate::common::*;
use reqwest::Method;
use serde_json::{Value, json};

const ATTIO: &str = "0b5e7c1a-3f42-4d8e-9a61-7c2f1e9d4b30";
const ELFSQUAD: &str = "e1f7b3d9-8a24-4c6e-a0b5-3d9c7e1f5a48";

fn deactivate() -> Value {
    patch_op(json!([{"op": "replace", "path": "active", "value": false}]))
}

async fn truto_send(
    c: &Client,
    method: Method,
    at: &str,
    account: &str,
    body: Option<&Value>,
) -> Resp {
    let path = format!("{at}?integrated_account_id={account}");
    c.send_with(method, &path, body, &[("content-type", "application/json")])
        .await
}

/// `attio.delete.cancels-invite` — D:A8: DELETE "suspends active members and cancels pending
/// invites": afterwards the invite is gone (404) and no longer listed.
#[tokio::test]
async fn attio_delete_cancels_invite() {
    let c = start("attio", 0, &[]).await;
    let before = c.get("/Users").await.body["totalResults"].clone();
    let invite = c
        .post("/Users", &json!({"userName": "pend@gmail.com"}))
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let id = invite.body["id"].as_str().unwrap().to_string();
    assert_eq!(c.delete(&format!("/Users/{id}")).await.status, 204);
    assert_attio_error(&c.get(&format!("/Users/{id}")).await, 404, "not_found");
    assert_eq!(c.get("/Users").await.body["totalResults"], before);
}

/// `attio.patch.invite-deactivate-cancels` — D:A3, D:A4, D:A8: PATCH (or PUT) active:false
/// on a pending invite answers 204 and cancels it: GET is 404, the list no longer counts it.
#[tokio::test]
async fn attio_patch_invite_deactivate_cancels() {
    let c = start("attio", 0, &[]).await;
    let before = c.get("/Users").await.body["totalResults"].clone();
    for (n, put) in [(1, false), (2, true)] {
        let user_name = format!("pend{n}@gmail.com");
        let invite = c.post("/Users", &json!({"userName": user_name})).await;
        let id = invite.body["id"].as_str().unwrap().to_string();
        let at = format!("/Users/{id}");
        let r = if put {
            c.put(&at, &json!({"userName": user_name, "active": false}))
                .await
        } else {
            c.patch(&at, &deactivate()).await
        };
        assert_eq!(r.status, 204, "{}", r.text);
        assert_attio_error(&c.get(&at).await, 404, "not_found");
    }
    assert_eq!(c.get("/Users").await.body["totalResults"], before);
}

/// `truto.map.status-invite-cancelled` — D:A8, D:A3 through the Truto facade: cancelling an
/// Attio invite (PATCH status inactive, or DELETE) leaves no `invited` user; GET is a 404
/// remote error [I].
#[tokio::test]
async fn truto_map_status_invite_cancelled() {
    let c = start("truto", 0, &[]).await;
    for (n, delete) in [(1, false), (2, true)] {
        let body = json!({"username": format!("inv{n}@gmail.com")});
        let r = truto_send(&c, Method::POST, "", ATTIO, Some(&body)).await;
        assert_eq!(
            (r.status, &r.body["status"]),
            (201, &json!("invited")),
            "{}",
            r.text
        );
        let at = format!("/{}", r.body["id"].as_str().unwrap());
        let r = if delete {
            truto_send(&c, Method::DELETE, &at, ATTIO, None).await
        } else {
            truto_send(
                &c,
                Method::PATCH,
                &at,
                ATTIO,
                Some(&json!({"status": "inactive"})),
            )
            .await
        };
        assert_eq!(r.status, 200, "{}", r.text);
        assert_ne!(r.body["status"], "invited", "{}", r.text);
        let r = truto_send(&c, Method::GET, &at, ATTIO, None).await;
        assert_truto_error(&r, 404, true);
    }
    let list = truto_send(&c, Method::GET, "", ATTIO, None).await;
    let statuses: Vec<&Value> = list.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["status"])
        .collect();
    assert!(!statuses.contains(&&json!("invited")), "{statuses:?}");
}
