//! Rate limiting: the runner cannot make a live tenant throttle it, so this check judges every
//! 429 the run met: each must carry a Retry-After the client could honour, in the form the
//! vendor documents (Attio: an HTTP-date, D:A7).

use super::Outcome;
use crate::model::{Evidence, Status};
use crate::runner::Ctx;
use scimock_profile::RetryAfter;

/// Every 429 seen carried a usable Retry-After.
pub async fn retry_after(ctx: &Ctx) -> Outcome {
    let seen = ctx.client.throttles();
    if seen.is_empty() {
        return Outcome::skip("the target sent no 429 during the run");
    }
    let form = ctx.profile.rate_limit.as_ref().map(|r| r.retry_after);
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
                        ctx.profile.title
                    ));
                }
                Some(RetryAfter::Seconds) if t.http_date => {
                    problems.push(format!(
                        "Retry-After {v:?} is an HTTP-date; {} documents seconds",
                        ctx.profile.title
                    ));
                }
                _ => {}
            },
        }
    }
    let evidence: Vec<Evidence> = seen.iter().take(6).map(|t| t.evidence.clone()).collect();
    if problems.is_empty() {
        Outcome {
            status: Status::Pass,
            detail: format!(
                "{} 429 response(s), each with a Retry-After the runner waited for",
                seen.len()
            ),
            evidence,
        }
    } else {
        Outcome {
            status: Status::Fail,
            detail: problems.join("; "),
            evidence,
        }
    }
}
