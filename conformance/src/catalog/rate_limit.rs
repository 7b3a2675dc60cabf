//! Rate limiting: the runner cannot make a live tenant throttle it, so this check judges every
//! 429 the run met: each must carry a Retry-After the client could honour, in the form the
//! vendor documents (Attio: an HTTP-date, D:A7).

use crate::ctx::Ctx;
use crate::model::Evidence;
use crate::outcome::{Outcome, Skip, SkipReason, Verdict, skip_unless};
use scimock_profile::RetryAfter;

/// Every 429 seen carried a usable Retry-After.
pub async fn retry_after(ctx: &Ctx) -> Result<Outcome, Skip> {
    let seen = ctx.client.throttles();
    skip_unless(!seen.is_empty(), || SkipReason::NoThrottling)?;
    let form = ctx.profile().rate_limit.as_ref().map(|r| r.retry_after);
    let mut problems = Vec::new();
    for t in &seen {
        match (&t.retry_after, t.parsed) {
            (None, _) => problems.push(format!(
                "{} answered 429 without Retry-After",
                t.evidence.request
            )),
            (Some(v), None) => problems.push(format!(
                "{} answered 429 with an unusable Retry-After {v:?}",
                t.evidence.request
            )),
            (Some(v), Some(_)) => match form {
                Some(RetryAfter::HttpDate) if !t.http_date => {
                    problems.push(format!(
                        "Retry-After {v:?} is delta-seconds; {} documents an HTTP-date",
                        ctx.profile().title
                    ));
                }
                Some(RetryAfter::Seconds) if t.http_date => {
                    problems.push(format!(
                        "Retry-After {v:?} is an HTTP-date; {} documents seconds",
                        ctx.profile().title
                    ));
                }
                _ => {}
            },
        }
    }
    let evidence: Vec<Evidence> = seen.iter().take(6).map(|t| t.evidence.clone()).collect();
    let (verdict, detail) = if problems.is_empty() {
        (
            Verdict::Pass,
            format!(
                "{} 429 response(s), each with a Retry-After the runner waited for",
                seen.len()
            ),
        )
    } else {
        (Verdict::Fail, problems.join("; "))
    };
    Ok(Outcome {
        verdict,
        detail,
        evidence,
    })
}
