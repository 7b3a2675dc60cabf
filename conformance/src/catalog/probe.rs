//! The probe a check sends its requests through: it keeps their evidence (at most
//! [`MAX_EVIDENCE`] exchanges), collects violations and notes, and turns them into an
//! [`Outcome`] (or a [`Skip`] that keeps the evidence gathered).

use crate::classify::{self, BodyKind};
use crate::client::{Exchange, Request};
use crate::ctx::Ctx;
use crate::model::Evidence;
use crate::outcome::{Outcome, Skip, SkipReason, Verdict};
use scimock_profile::ErrorFormat;
use serde_json::Value;

/// At most this many exchanges are kept as evidence per check.
pub const MAX_EVIDENCE: usize = 6;

/// What an error response carried, as details say it: `HTTP 400, a SCIM Error with scimType
/// "invalidFilter"`, `HTTP 400, an Attio error envelope`, `HTTP 400, a SCIM Error without
/// scimType`. Details describe what the server sent, never what was expected of it.
pub fn error_summary(ex: &Exchange) -> String {
    let c = classify::classify(ex.header("content-type"), &ex.body);
    let scim_type = match (c.kind, c.scim_type.as_deref()) {
        (BodyKind::ScimError, Some(t)) => format!(" with scimType {t:?}"),
        (BodyKind::ScimError, None) => " without scimType".to_string(),
        _ => String::new(),
    };
    format!("{}, {}{scim_type}", ex.outcome(), c.kind.describe())
}

/// Collects a check's evidence, problems and notes, and turns them into an [`Outcome`].
pub struct Probe<'a> {
    /// The run context.
    pub ctx: &'a Ctx,
    evidence: Vec<Evidence>,
    problems: Vec<String>,
    notes: Vec<String>,
    more: usize,
}

impl<'a> Probe<'a> {
    /// A probe for one check.
    pub fn new(ctx: &'a Ctx) -> Probe<'a> {
        Probe {
            ctx,
            evidence: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            more: 0,
        }
    }

    /// Sends a request and keeps its evidence.
    pub async fn send(&mut self, req: Request) -> Exchange {
        let ex = self.ctx.client.send(req).await;
        self.record(&ex);
        ex
    }

    /// Keeps an exchange's evidence.
    pub fn record(&mut self, ex: &Exchange) {
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(self.ctx.client.evidence(ex));
        } else {
            self.more += 1;
        }
    }

    /// Records a violation.
    pub fn problem(&mut self, p: impl Into<String>) {
        self.problems.push(p.into());
    }

    /// Records a violation unless `ok`.
    pub fn require(&mut self, ok: bool, p: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(p());
        }
    }

    /// Adds an observation to the detail.
    pub fn note(&mut self, n: impl Into<String>) {
        self.notes.push(n.into());
    }

    /// True when no violation was recorded so far.
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Expects a 2xx JSON response; records a problem otherwise. Returns the JSON.
    pub fn json_ok(&mut self, ex: &Exchange, what: &str) -> Option<Value> {
        if !ex.ok() {
            self.problem(format!(
                "{what}: {} {} answered {}",
                ex.method,
                ex.target,
                ex.outcome()
            ));
            return None;
        }
        match ex.json() {
            Some(v) => Some(v),
            None => {
                self.problem(format!(
                    "{what}: {} {} answered {} with a body that is not JSON",
                    ex.method,
                    ex.target,
                    ex.outcome()
                ));
                None
            }
        }
    }

    /// Expects the profile's documented error: this HTTP status, the profile's error format,
    /// and (for SCIM Errors) this `scimType`.
    pub fn expect_error(
        &mut self,
        ex: &Exchange,
        what: &str,
        status: u16,
        scim_type: Option<&str>,
    ) {
        if ex.status != Some(status) {
            self.problem(format!(
                "{what}: expected HTTP {status}, got {}",
                ex.outcome()
            ));
            return;
        }
        let errors = &self.ctx.profile().errors;
        let format = errors.format;
        let c = classify::classify(ex.header("content-type"), &ex.body);
        let want = BodyKind::of_format(format);
        if c.kind != want {
            self.problem(format!(
                "{what}: the error body is {}, the profile documents {}",
                c.kind.describe(),
                want.describe()
            ));
            return;
        }
        for problem in classify::urn_key_problems(&c, errors) {
            self.problem(format!("{what}: {problem}"));
        }
        // A profile whose SCIM Errors carry no scimType (AWS, `errors.scim_type`) is not held to one.
        let typed = format == ErrorFormat::Scim && errors.scim_type;
        if let (true, Some(t)) = (typed, scim_type) {
            if c.scim_type.as_deref() != Some(t) {
                self.problem(format!(
                    "{what}: scimType is {}, expected {t:?}",
                    c.scim_type
                        .as_deref()
                        .map_or_else(|| "absent".to_string(), |s| format!("{s:?}"))
                ));
            }
        }
    }

    /// Expects a 2xx JSON list page; records a problem otherwise. Returns the page.
    pub fn page_ok(&mut self, ex: &Exchange, what: &str) -> Option<crate::lenient::Page> {
        self.json_ok(ex, what)
            .map(|v| crate::lenient::Page::parse(&v))
    }

    /// Finishes: pass (with the notes) when nothing was violated, else fail (the runner warns
    /// instead for `may`).
    pub fn finish(self, pass: impl Into<String>) -> Outcome {
        let mut evidence = self.evidence;
        if self.more > 0 {
            if let Some(last) = evidence.last_mut() {
                last.response_excerpt
                    .push_str(&format!("\n[{} more requests not shown]", self.more));
            }
        }
        let (verdict, mut detail) = if self.problems.is_empty() {
            (Verdict::Pass, pass.into())
        } else {
            (Verdict::Fail, self.problems.join("; "))
        };
        for n in self.notes {
            detail.push_str("; ");
            detail.push_str(&n);
        }
        Outcome {
            verdict,
            detail,
            evidence,
        }
    }

    /// Finishes as a warning: the target gave an answer the reference allows but does not
    /// prefer (DESIGN §5: "accepts every allowed answer and at most warns"). Recorded problems
    /// still make it a failure.
    pub fn warn(self, detail: impl Into<String>) -> Outcome {
        if !self.problems.is_empty() {
            return self.finish("");
        }
        let mut o = self.finish("");
        o.verdict = Verdict::Warn;
        o.detail = detail.into();
        o
    }

    /// Finishes as a skip, keeping the evidence gathered.
    pub fn skip(self, reason: SkipReason) -> Skip {
        Skip {
            reason,
            evidence: self.evidence,
        }
    }

    /// Finishes as a skip for a check-specific circumstance, keeping the evidence gathered.
    pub fn unobservable(self, why: impl Into<String>) -> Skip {
        self.skip(SkipReason::Unobservable(why.into()))
    }
}
