//! Error format (RFC 7644 §3.12, RFC 7807, vendor envelopes): the body, its status member,
//! scimType and the content type, judged by the classifier against the profile.

use super::Probe;
use crate::classify::{self, BodyKind};
use crate::client::{Exchange, Request};
use crate::ctx::Ctx;
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use scimock_profile::ErrorFormat;

/// A request every target answers with an error: an unknown user (404), or for a unified API
/// a list without `integrated_account_id` (400).
async fn provoke(p: &mut Probe<'_>) -> (Exchange, u16) {
    if p.ctx.is_scim() {
        let id = super::resource::unknown_id();
        (p.send(Request::get(format!("/Users/{id}"))).await, 404)
    } else {
        (p.send(Request::get("").query("limit", "1")).await, 400)
    }
}

/// The error body is in the profile's format.
pub async fn format(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let (ex, status) = provoke(&mut p).await;
    p.require(ex.is(status), || {
        format!("expected HTTP {status}, got {}", ex.outcome())
    });
    let c = classify::classify(ex.header("content-type"), &ex.body);
    let want = BodyKind::of_format(ctx.profile().errors.format);
    p.require(c.kind == want, || {
        format!(
            "the error body is {}, the profile documents {}",
            c.kind.describe(),
            want.describe()
        )
    });
    for problem in classify::urn_key_problems(&c, &ctx.profile().errors) {
        p.problem(problem);
    }
    Ok(p.finish(format!("errors are {}", want.describe())))
}

/// The body's status member: a string equal to the HTTP code for SCIM, an integer otherwise.
pub async fn status(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let (ex, _) = provoke(&mut p).await;
    let Some(http) = ex.status else {
        p.problem(format!("no response: {}", ex.outcome()));
        return Ok(p.finish(""));
    };
    let c = classify::classify(ex.header("content-type"), &ex.body);
    for problem in classify::validate(&c, &ctx.profile().errors, http) {
        p.problem(problem);
    }
    let typed = match ctx.profile().errors.format {
        ErrorFormat::Scim => "a string",
        _ => "an integer",
    };
    Ok(p.finish(format!("status is {typed} equal to the HTTP status {http}")))
}

/// SCIM Errors for bad filters carry a scimType from RFC 7644 Table 9. RFC 7644 §3.12 makes
/// `scimType` OPTIONAL, so a 400 without one is a warning; one outside Table 9 fails.
pub async fn scim_type(ctx: &Ctx) -> Result<Outcome, Skip> {
    let errors = &ctx.profile().errors;
    skip_unless(
        errors.format == ErrorFormat::Scim && errors.scim_type,
        || SkipReason::NoScimType {
            vendor: ctx.profile().title.clone(),
        },
    )?;
    ctx.filters()?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::get("/Users").query("filter", super::filter::MALFORMED))
        .await;
    if !ex.is(400) {
        return Err(p.unobservable(format!(
            "the malformed filter was not refused with 400 ({}); see filter.malformed",
            ex.outcome()
        )));
    }
    let c = classify::classify(ex.header("content-type"), &ex.body);
    match c.scim_type.as_deref() {
        None => {
            let detail = format!(
                "the 400 for a malformed filter carries no scimType ({}); RFC 7644 §3.12 makes scimType OPTIONAL and Table 9 names invalidFilter for this case",
                super::probe::error_summary(&ex)
            );
            return Ok(p.warn(detail));
        }
        Some(t) => p.require(classify::SCIM_TYPES.contains(&t), || {
            format!("scimType {t:?} is not in RFC 7644 Table 9")
        }),
    }
    Ok(p.finish(format!(
        "the 400 carries a valid scimType: {}",
        super::probe::error_summary(&ex)
    )))
}

/// Errors are sent with the profile's error content type.
pub async fn content_type(ctx: &Ctx) -> Result<Outcome, Skip> {
    let mut p = Probe::new(ctx);
    let (ex, _) = provoke(&mut p).await;
    if ex.status.is_none_or(|s| s < 400) {
        return Err(p.unobservable(format!(
            "the probe got no error response ({}); see errors.format",
            ex.outcome()
        )));
    }
    let want = ctx.profile().errors.content_type.clone();
    let got = ex.header("content-type").map(str::to_string);
    p.require(classify::same_media_type(got.as_deref(), &want), || {
        format!(
            "the error's Content-Type is {}, the profile documents {want}",
            got.as_deref().unwrap_or("(none)")
        )
    });
    Ok(p.finish(format!("errors are sent as {want}")))
}
