//! The first requests of a run: prove the target answers, is the kind of endpoint the profile
//! says (a SCIM base, or a unified users endpoint with that account) and accepts the
//! credentials; then read a sample of users, the service provider configuration and the
//! resource types — the [`Plan`] the checks work from. A target that is not what the profile
//! says stops the run here with one line saying what was found (and, where it can tell, where
//! the SCIM base probably is), rather than failing every check on the same wrong page.

use super::RunError;
use crate::classify::{self, BodyKind};
use crate::client::{Client, ClientConfig, Exchange, Request};
use crate::config::Config;
use crate::ctx::Plan;
use crate::lenient::{Page, member};
use scimock_profile::{Pagination, ProfileKind};
use serde_json::Value;

/// Where SCIM bases usually live, tried (relative to the given URL and to its origin) to say
/// where the SCIM base probably is.
const LIKELY_BASES: &[&str] = &["/scim/v2", "/scim", "/v2", "/scim/2", ""];

const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

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

/// What a response body is, in a few words, for a one-line diagnosis.
fn describe(ex: &Exchange) -> String {
    let ct = ex
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let c = classify::classify(ex.header("content-type"), &ex.body);
    let what = match c.kind {
        BodyKind::Text if ct.contains("html") || ex.text().trim_start().starts_with('<') => {
            "an HTML page".to_string()
        }
        BodyKind::OtherJson if ex.ok() => "JSON that is not a SCIM ListResponse".to_string(),
        kind => kind.describe().to_string(),
    };
    match c.message.filter(|m| !m.is_empty()) {
        Some(m) => format!("{what} ({m:?})"),
        None => what,
    }
}

/// True when an answer says the resource is not there at all (404, 405, 410), or is a web page
/// (a 2xx `text/html`): what a plain HTTP server, or a server root that is not the SCIM base,
/// answers.
fn foreign(ex: &Exchange) -> bool {
    let html = ex
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"));
    matches!(ex.status, Some(404 | 405 | 410)) || (ex.ok() && html)
}

/// True when a body is a service provider configuration.
fn is_spc(v: &Value) -> bool {
    let urn = member(v, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(SPC_URN)));
    urn || (member(v, "patch").is_some() && member(v, "filter").is_some())
}

/// The origin (`scheme://host:port`) of a URL, without a path.
fn origin(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    let mut o = u.origin().ascii_serialization();
    if o == "null" {
        return None;
    }
    o.truncate(o.trim_end_matches('/').len());
    Some(o)
}

/// Looks for a ServiceProviderConfig at the usual SCIM bases under the given URL and under its
/// origin (same origin only, so the credentials go nowhere new). Returns the first base that
/// serves one.
async fn likely_base(client: &Client, cfg: &Config, ccfg: &ClientConfig) -> Option<String> {
    let base = client.base().to_string();
    let mut roots = vec![base.clone()];
    if let Some(o) = origin(&base).filter(|o| *o != base) {
        roots.push(o);
    }
    let mut tried: Vec<String> = Vec::new();
    for root in roots {
        let Ok(c) = Client::new(&root, cfg.credentials.clone(), ccfg.clone()) else {
            continue;
        };
        for suffix in LIKELY_BASES {
            let candidate = format!("{root}{suffix}");
            if candidate == base || tried.contains(&candidate) {
                continue;
            }
            tried.push(candidate.clone());
            let ex = c
                .send(Request::get(format!("{suffix}/ServiceProviderConfig")))
                .await;
            if ex.ok() && ex.json().is_some_and(|v| is_spc(&v)) {
                return Some(client.scrub(&candidate));
            }
        }
    }
    None
}

/// The one-line diagnosis of a target that is not a SCIM base.
async fn not_scim(client: &Client, cfg: &Config, ccfg: &ClientConfig, ex: &Exchange) -> RunError {
    let found = format!(
        "GET {} answered {} with {}",
        ex.url,
        ex.outcome(),
        describe(ex)
    );
    let hint = match likely_base(client, cfg, ccfg).await {
        Some(b) => format!(
            "; the SCIM base is probably {b} (its /ServiceProviderConfig answers): pass that as BASE_URL"
        ),
        None => format!(
            "; no ServiceProviderConfig was found at {} under it or its origin either",
            LIKELY_BASES
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    RunError::NotAnEndpoint(format!("not a SCIM endpoint: {found}{hint}"))
}

/// Reads the first request's answer into the plan, or says why the run cannot happen.
pub(super) async fn preflight(
    client: &Client,
    cfg: &Config,
    ccfg: &ClientConfig,
) -> Result<Plan, RunError> {
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
        let answered = format!("GET {} answered HTTP {status}", ex.target);
        if cfg.credentials.is_empty() {
            return Err(RunError::NoCredentials(answered));
        }
        return Err(RunError::AuthRejected(format!(
            "{answered}; check --token / --header"
        )));
    }
    let json = ex.json().filter(|_| ex.ok());
    match p.kind {
        ProfileKind::Scim if foreign(&ex) => {
            // Confirmed by a second request, so a SCIM server with one odd answer still runs
            // (and its checks say what is odd); a web page or a wrong base answers both alike.
            let spc = p
                .discovery
                .service_provider_config
                .as_deref()
                .unwrap_or("/ServiceProviderConfig");
            let second = client.send(Request::get(spc)).await;
            if foreign(&second) {
                return Err(not_scim(client, cfg, ccfg, &ex).await);
            }
        }
        ProfileKind::Scim => {}
        ProfileKind::Unified if status == 404 => {
            let account = plan.account.clone().unwrap_or_default();
            let c = classify::classify(ex.header("content-type"), &ex.body);
            if c.kind == BodyKind::Truto {
                return Err(RunError::NoSuchAccount {
                    account,
                    answer: format!("GET {} answered {}", ex.target, describe(&ex)),
                });
            }
            return Err(RunError::NotAnEndpoint(format!(
                "not the unified users endpoint: GET {} answered {} with {}",
                ex.url,
                ex.outcome(),
                describe(&ex)
            )));
        }
        ProfileKind::Unified => {}
    }
    if let Some(v) = json {
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
    if p.kind == ProfileKind::Scim {
        if let Some(path) = p.discovery.service_provider_config.as_deref() {
            let ex = client.send(Request::get(path)).await;
            plan.spc = ex.json().filter(|v| ex.ok() && v.is_object());
        }
        if p.discovery.resource_types {
            let ex = client.send(Request::get("/ResourceTypes")).await;
            plan.resource_types = ex
                .json()
                .filter(|_| ex.ok())
                .map(|v| Page::parse(&v))
                .filter(|pg| pg.has_resources)
                .map(|pg| pg.resources);
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configurations_are_told_from_other_json() {
        assert!(is_spc(&json!({"schemas": [SPC_URN]})));
        assert!(is_spc(&json!({"patch": {}, "filter": {}})));
        assert!(!is_spc(&json!({"Resources": []})));
        assert_eq!(
            origin("http://127.0.0.1:8080/a/b").as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
