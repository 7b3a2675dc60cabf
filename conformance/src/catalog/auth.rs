//! Authentication (RFC 7644 §2, RFC 6750): requests without or with a wrong token get 401 in
//! the profile's error format, with WWW-Authenticate where the profile documents it.

use super::{Outcome, Probe};
use crate::client::{Auth, Request};
use crate::runner::Ctx;

fn probe_request(ctx: &Ctx, auth: Auth) -> Request {
    let r = match &ctx.plan.account {
        Some(acct) => Request::get("")
            .query("integrated_account_id", acct.clone())
            .query("limit", "1"),
        None => Request::get("/Users"),
    };
    r.auth(auth)
}

async fn refused(ctx: &Ctx, auth: Auth, what: &str) -> Outcome {
    if ctx.cfg.credentials.is_empty() {
        return Outcome::skip(
            "no credentials were given, so there is nothing to withhold or falsify",
        );
    }
    let mut p = Probe::new(ctx);
    let ex = p.send(probe_request(ctx, auth)).await;
    p.expect_error(&ex, what, 401, None);
    if ex.is(401) && ctx.profile.auth.www_authenticate.is_some() {
        p.require(ex.header("www-authenticate").is_some(), || {
            "the 401 has no WWW-Authenticate header (RFC 6750 §3)".into()
        });
    }
    p.finish(format!("{what} is refused with 401"))
}

/// No credentials: 401.
pub async fn missing_token(ctx: &Ctx) -> Outcome {
    refused(ctx, Auth::Missing, "a request without credentials").await
}

/// A wrong token: 401.
pub async fn wrong_token(ctx: &Ctx) -> Outcome {
    refused(ctx, Auth::Wrong, "a request with a wrong token").await
}
