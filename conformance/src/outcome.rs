//! What a check concludes, before the runner adds its id, timing and redaction: an
//! [`Outcome`] (pass, fail or warn, with detail and evidence) when it could judge the target, or
//! a [`Skip`] with a typed [`SkipReason`] when it could not. Checks return
//! `Result<Outcome, Skip>`, so a precondition is one `?`.

use crate::model::{Evidence, Status};

/// A judgement on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The target does what the check guards.
    Pass,
    /// The target violates what the check guards.
    Fail,
    /// A finding that is reported, never a failure.
    Warn,
}

impl From<Verdict> for Status {
    fn from(v: Verdict) -> Status {
        match v {
            Verdict::Pass => Status::Pass,
            Verdict::Fail => Status::Fail,
            Verdict::Warn => Status::Warn,
        }
    }
}

/// A check's judgement with what supports it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Pass, fail or warn.
    pub verdict: Verdict,
    /// What was observed.
    pub detail: String,
    /// The requests that support the conclusion.
    pub evidence: Vec<Evidence>,
}

/// Why a check did not judge the target. The text of each reason is what reports show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Writes were not allowed.
    #[error("read-only run (pass --allow-writes to create, change and delete a user of its own)")]
    ReadOnly,
    /// A read that is sent as a POST (`/.search`) in a read-only run.
    #[error("read-only runs send GET only and .search is a POST (pass --allow-writes)")]
    SearchIsAPost,
    /// The tenant is at the vendor's user limit: no room for the run's own user.
    #[error(
        "the tenant holds {total} users, {vendor}'s documented limit of {max}: no room to create one"
    )]
    UserLimit {
        /// The profile's title.
        vendor: String,
        /// Users the tenant holds.
        total: u64,
        /// The documented limit.
        max: u64,
    },
    /// No credentials to withhold or falsify.
    #[error("no credentials were given, so there is nothing to withhold or falsify")]
    NoCredentials,
    /// The tenant has no users.
    #[error("the tenant has no users to read")]
    NoUsers,
    /// The tenant has no users to compare the configuration's claims with.
    #[error("the tenant has no users to read: nothing to compare the claims with")]
    NoUsersToCompare,
    /// `writes.create` did not create the run's user.
    #[error("no test user exists (writes.create did not create one)")]
    NoTestUser,
    /// The profile documents no such feature.
    #[error("{vendor} documents no {what}")]
    NotDocumented {
        /// The profile's title.
        vendor: String,
        /// The feature (`sorting`, `PATCH`, `/Schemas endpoint`).
        what: String,
    },
    /// The profile does not document a request parameter.
    #[error("{vendor} does not document {what}")]
    ParameterNotDocumented {
        /// The profile's title.
        vendor: String,
        /// The parameter (`the attributes parameter`).
        what: String,
    },
    /// The profile documents no paging.
    #[error("{vendor} documents no paging: startIndex/count are not offered")]
    NoPaging {
        /// The profile's title.
        vendor: String,
    },
    /// The profile does not filter on an attribute.
    #[error("{vendor} does not filter on {attr}")]
    NotFilterable {
        /// The profile's title.
        vendor: String,
        /// The attribute.
        attr: String,
    },
    /// The profile accepts every filter: none to refuse.
    #[error("{vendor} accepts every filter")]
    AcceptsEveryFilter {
        /// The profile's title.
        vendor: String,
    },
    /// The profile does not make attributes and excludedAttributes exclusive.
    #[error("{vendor} does not document attributes and excludedAttributes as exclusive")]
    ProjectionNotExclusive {
        /// The profile's title.
        vendor: String,
    },
    /// The profile's error format has no scimType.
    #[error("{vendor}'s error format carries no scimType")]
    NoScimType {
        /// The profile's title.
        vendor: String,
    },
    /// The profile does not allow PATCH on a path.
    #[error("{vendor} does not allow PATCH on {path}")]
    PatchPathNotAllowed {
        /// The profile's title.
        vendor: String,
        /// The PATCH path.
        path: String,
    },
    /// The profile's emails cannot be written.
    #[error("{vendor}'s emails are read-only: no value path to write")]
    EmailsReadOnly {
        /// The profile's title.
        vendor: String,
    },
    /// The service provider configuration denies a feature.
    #[error("the ServiceProviderConfig says {path} is false")]
    SpcDenies {
        /// The claim (`sort.supported`).
        path: String,
    },
    /// A readable configuration that does not advertise RFC 9865 cursors.
    #[error("the ServiceProviderConfig does not advertise pagination.cursor (RFC 9865 §5)")]
    CursorNotAdvertised,
    /// The configuration could not be read.
    #[error(
        "no service provider configuration could be read (see discovery.service-provider-config)"
    )]
    SpcUnreadable,
    /// The target sent no 429.
    #[error("the target sent no 429 during the run")]
    NoThrottling,
    /// The run was interrupted while the check ran.
    #[error("interrupted by a signal before it finished")]
    Interrupted,
    /// The tenant's data or the target's answers leave nothing to judge (check-specific).
    #[error("{0}")]
    Unobservable(String),
}

/// A check that did not judge the target: why, and the requests it sent before it knew.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct Skip {
    /// Why.
    pub reason: SkipReason,
    /// Requests sent before the check knew it could not judge.
    pub evidence: Vec<Evidence>,
}

impl Skip {
    /// A skip for a check-specific circumstance.
    pub fn unobservable(why: impl Into<String>) -> Skip {
        SkipReason::Unobservable(why.into()).into()
    }
}

impl From<SkipReason> for Skip {
    fn from(reason: SkipReason) -> Skip {
        Skip {
            reason,
            evidence: Vec::new(),
        }
    }
}

/// A check's precondition as one `?`: `Ok(())` when it `holds`, else a skip for `reason`.
pub fn skip_unless<S: Into<Skip>>(holds: bool, reason: impl FnOnce() -> S) -> Result<(), Skip> {
    if holds { Ok(()) } else { Err(reason().into()) }
}
