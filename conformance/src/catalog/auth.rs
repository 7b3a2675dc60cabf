//! Authentication (RFC 7644 §2, RFC 6750): requests without or with a wrong token get 401 in
//! the profile's error format, with WWW-Authenticate where the profile documents it.

use super::Probe;
use crate::client::{Auth, Request};
use crate::ctx::Ctx;
use crate::outcome::{Outcome, Skip};

fn probe_request(ctx: &Ctx, auth: Auth) -> Request {
    let r = match &ctx.plan.account {
        Some(acct) => Request::get("")
            .query("integrated_account_id", acct.clone())
            .query("limit", "1"),
        None => Request::get("/Users"),
    };
    r.auth(auth)
}

async fn refused(ctx: &Ctx, auth: Auth, what: &str) -> Result<Outcome, Skip> {
    ctx.need_credentials()?;
    let mut p = Probe::new(ctx);
    let ex = p.send(probe_request(ctx, auth)).await;
    p.expect_error(&ex, what, 401, None);
    if ex.is(401) && ctx.profile().auth.www_authenticate.is_some() {
        p.require(ex.header("www-authenticate").is_some(), || {
            "the 401 has no WWW-Authenticate header (RFC 6750 §3)".into()
        });
    }
    Ok(p.finish(format!("{what} is refused with 401")))
}

/// No credentials: 401.
pub async fn missing_token(ctx: &Ctx) -> Result<Outcome, Skip> {
    refused(ctx, Auth::Missing, "a request without credentials").await
}

/// A wrong token: 401.
pub async fn wrong_token(ctx: &Ctx) -> Result<Outcome, Skip> {
    refused(ctx, Auth::Wrong, "a request with a wrong token").await
}
