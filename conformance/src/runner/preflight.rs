//! The first requests of a run: prove the target answers and accepts the credentials, read a
//! sample of users and the service provider configuration — the [`Plan`] the checks work from.

use super::RunError;
use crate::client::{Client, Request};
use crate::config::Config;
use crate::ctx::Plan;
use crate::lenient::Page;
use scimock_profile::{Pagination, ProfileKind};
use serde_json::Value;

/// The first list request: the unified list for the account, or the first page of /Users.
fn first_request(cfg: &Config, plan: &mut Plan) -> Result<Request, RunError> {
    let p = &cfg.profile;
    let n = cfg.sample_size.max(1).to_string();
    Ok(match p.kind {
        ProfileKind::Unified => {
            let account = cfg
                .account
                .clone()
                .or_else(|| {
                    p.unified
                        .as_ref()
                        .and_then(|u| u.accounts.first())
                        .map(|a| a.id.clone())
                })
                .ok_or(RunError::MissingAccount)?;
            plan.account = Some(account.clone());
            Request::get("")
                .query("integrated_account_id", account)
                .query("limit", n)
        }
        ProfileKind::Scim => match p.list.pagination {
            Pagination::Index => Request::get("/Users")
                .query("startIndex", "1")
                .query("count", n),
            Pagination::None => Request::get("/Users"),
        },
    })
}

/// Reads the first request's answer into the plan, or says why the run cannot happen.
pub(super) async fn preflight(client: &Client, cfg: &Config) -> Result<Plan, RunError> {
    let p = &cfg.profile;
    let mut plan = Plan::default();
    let ex = client.send(first_request(cfg, &mut plan)?).await;
    let Some(status) = ex.status else {
        return Err(RunError::Unreachable(format!(
            "GET {}: {}",
            ex.target,
            ex.error.clone().unwrap_or_else(|| "no response".into())
        )));
    };
    if status == 401 || status == 403 {
        return Err(RunError::AuthRejected(format!(
            "GET {} answered HTTP {status}; check --token / --header",
            ex.target
        )));
    }
    if let Some(v) = ex.json().filter(|_| ex.ok()) {
        match p.kind {
            ProfileKind::Unified => {
                plan.sample = v
                    .get("result")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
            }
            ProfileKind::Scim => {
                let page = Page::parse(&v);
                plan.total = page.total;
                plan.sample = page.resources;
            }
        }
        plan.sample.truncate(cfg.sample_size.max(1));
        plan.first_page = Some(v);
    }
    if let Some(path) = p
        .discovery
        .service_provider_config
        .as_deref()
        .filter(|_| p.kind == ProfileKind::Scim)
    {
        let ex = client.send(Request::get(path)).await;
        plan.spc = ex.json().filter(|v| ex.ok() && v.is_object());
    }
    Ok(plan)
}
