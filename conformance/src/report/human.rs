//! The human reporter: progress while running (one line per check, a transient "running" line
//! on terminals), colour only on terminals without `NO_COLOR`, failures grouped at the end with
//! their evidence, the gate (`--fail-on`, baseline) when one is in use, and the exact last line
//! `N passed, N failed, N skipped`.

use super::Standing;
use super::junit::evidence_text;
use super::markdown::gate_text;
use crate::baseline::Gate;
use crate::model::{CheckResult, Cleanup, EntryStatus, Event, Report, Status, Summary};
use std::io::Write;

/// Writes events for people.
pub struct HumanReporter<W: Write> {
    out: W,
    colour: bool,
    live: bool,
    gate: Gate,
    results: Vec<CheckResult>,
}

/// True when colour should be used for a stream that `is_terminal`: never with `NO_COLOR` set.
pub fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl<W: Write> HumanReporter<W> {
    /// A reporter; `colour` adds ANSI colours, `live` draws a transient running line (terminals).
    pub fn new(out: W, colour: bool, live: bool) -> HumanReporter<W> {
        HumanReporter {
            out,
            colour,
            live,
            gate: Gate::default(),
            results: Vec::new(),
        }
    }

    /// Judges results by `gate` (`--fail-on`, baseline): known findings are marked as such and
    /// the end shows what the gate decided.
    pub fn with_gate(mut self, gate: Gate) -> HumanReporter<W> {
        self.gate = gate;
        self
    }

    /// Gives the writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, s: &str, code: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn label(&self, s: Status) -> String {
        match s {
            Status::Pass => self.paint("PASS", "32"),
            Status::Fail => self.paint("FAIL", "1;31"),
            Status::Skip => self.paint("SKIP", "33"),
            Status::Warn => self.paint("WARN", "35"),
        }
    }

    /// Handles one event. Write errors are ignored (a closed pipe must not stop the run).
    pub fn event(&mut self, e: &Event) {
        let _ = self.write_event(e);
    }

    fn write_event(&mut self, e: &Event) -> std::io::Result<()> {
        match e {
            Event::RunStarted {
                target,
                profile,
                client,
                planned,
                allow_writes,
            } => {
                let mode = if *allow_writes {
                    "with writes"
                } else {
                    "read-only"
                };
                let what = match client {
                    Some(c) => format!("--client {c}"),
                    None => format!("--profile {profile}"),
                };
                writeln!(
                    self.out,
                    "scimock check {target} {what}: {planned} checks, {mode}"
                )?;
            }
            Event::CheckStarted {
                index, total, id, ..
            } => {
                if self.live {
                    write!(self.out, "\r\x1b[2K[{index:>3}/{total}] RUN  {id}")?;
                    self.out.flush()?;
                }
            }
            Event::CheckFinished {
                index,
                total,
                result,
            } => {
                if self.live {
                    write!(self.out, "\r\x1b[2K")?;
                }
                let mut result = result.clone();
                self.gate.judge(&mut result);
                let mark = match Standing::of(&result, self.gate.fail_on) {
                    Standing::Known => "[known] ",
                    Standing::Below => "[below --fail-on] ",
                    _ => "",
                };
                let detail: String = result.detail.chars().take(110).collect();
                let more = if result.detail.chars().count() > 110 {
                    "…"
                } else {
                    ""
                };
                writeln!(
                    self.out,
                    "[{index:>3}/{total}] {} {:<36} {:>6} ms  {mark}{detail}{more}",
                    self.label(result.status),
                    result.id,
                    result.duration_ms
                )?;
                self.results.push(result);
            }
            Event::CleanupStarted { users } => {
                writeln!(self.out, "cleaning up {users} user(s) the run created…")?;
            }
            Event::RunFinished {
                summary,
                cleanup,
                interrupted,
                duration_ms,
            } => {
                self.finish(summary, cleanup, *interrupted, *duration_ms)?;
            }
        }
        self.out.flush()
    }

    fn finish(
        &mut self,
        summary: &Summary,
        cleanup: &Cleanup,
        interrupted: bool,
        duration_ms: u64,
    ) -> std::io::Result<()> {
        let failures: Vec<CheckResult> = self
            .results
            .iter()
            .filter(|r| matches!(r.status, Status::Fail | Status::Warn))
            .cloned()
            .collect();
        if !failures.is_empty() {
            writeln!(self.out)?;
            writeln!(self.out, "{}", self.paint("Failures and warnings:", "1"))?;
            for r in failures {
                writeln!(self.out)?;
                writeln!(
                    self.out,
                    "{} {} — {} [{}; {}]",
                    self.label(r.status),
                    r.id,
                    r.title,
                    r.severity.as_str(),
                    r.reference
                )?;
                let standing = Standing::of(&r, self.gate.fail_on);
                if let Some(n) = standing.note(&r, self.gate.fail_on, self.gate.reason(&r)) {
                    writeln!(self.out, "  ({n})")?;
                }
                writeln!(self.out, "  {}", r.detail)?;
                for line in evidence_text(&r.evidence).lines() {
                    writeln!(self.out, "    {line}")?;
                }
            }
        }
        writeln!(self.out)?;
        if !cleanup.removed.is_empty() {
            writeln!(
                self.out,
                "cleanup: removed {} user(s) the run created",
                cleanup.removed.len()
            )?;
        }
        if let Some(n) = &cleanup.note {
            writeln!(self.out, "cleanup: {n}")?;
        }
        if !cleanup.leftovers.is_empty() {
            writeln!(
                self.out,
                "{}",
                self.paint("cleanup: could NOT remove these users:", "1;31")
            )?;
            for l in &cleanup.leftovers {
                writeln!(self.out, "  - {l}")?;
            }
        }
        if interrupted {
            writeln!(
                self.out,
                "{}",
                self.paint("interrupted: the remaining checks did not run", "1;33")
            )?;
        }
        if summary.warnings > 0 {
            writeln!(self.out, "{} warning(s)", summary.warnings)?;
        }
        self.write_gate()?;
        writeln!(self.out, "finished in {:.1} s", duration_ms as f64 / 1000.0)?;
        writeln!(self.out, "{}", summary.line())
    }
}

impl<W: Write> HumanReporter<W> {
    /// What the gate decided: the baseline's entries whose finding is gone, and the count of
    /// checks that fail the run (only when a threshold other than the default or a baseline is
    /// in use).
    fn write_gate(&mut self) -> std::io::Result<()> {
        let fail_on = self.gate.fail_on;
        let failing = self
            .results
            .iter()
            .filter(|c| Standing::of(c, fail_on) == Standing::Failing)
            .count();
        let outcome = self.gate.outcome(&self.results);
        if let Some(b) = &outcome {
            for e in &b.entries {
                let what = match e.status {
                    EntryStatus::Fixed => "fixed",
                    EntryStatus::Changed => "changed (the check now fails with another finding)",
                    EntryStatus::Known | EntryStatus::Unobserved => continue,
                };
                writeln!(
                    self.out,
                    "baseline: {} {} {what}: remove it from {}",
                    e.check, e.fingerprint, b.file
                )?;
            }
        }
        if let Some(line) = gate_text(fail_on, failing, outcome.as_ref()) {
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }
}

/// The events a finished report stands for (to replay into a reporter).
pub fn events_of(report: &Report) -> Vec<Event> {
    let total = report.checks.len();
    let mut ev = vec![Event::RunStarted {
        target: report.target.clone(),
        profile: report.profile.clone(),
        client: report.client.clone(),
        planned: total,
        allow_writes: report.allow_writes,
    }];
    for (i, c) in report.checks.iter().enumerate() {
        ev.push(Event::CheckFinished {
            index: i + 1,
            total,
            result: c.clone(),
        });
    }
    ev.push(Event::RunFinished {
        summary: report.summary,
        cleanup: report.cleanup.clone(),
        interrupted: report.interrupted,
        duration_ms: report.duration_ms,
    });
    ev
}

/// The human report of a finished run, without colour (for `--output FILE`).
pub fn render(report: &Report) -> String {
    let mut r = HumanReporter::new(Vec::new(), false, false).with_gate(Gate::of_report(report));
    for e in events_of(report) {
        r.event(&e);
    }
    String::from_utf8_lossy(&r.into_inner()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Severity};

    fn result(id: &str, status: Status) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: "t".into(),
            severity: Severity::Must,
            reference: "RFC 7644 §3.4.2".into(),
            status,
            detail: format!("{id} detail"),
            duration_ms: 3,
            evidence: vec![Evidence {
                request: "GET /Users".into(),
                curl: "curl -sS -H \"Authorization: Bearer $SCIM_TOKEN\" 'http://x/Users'".into(),
                status: Some(200),
                headers: Default::default(),
                response_excerpt: "{}".into(),
                error: None,
            }],
            fingerprint: crate::baseline::fingerprint_of(id, status, &format!("{id} detail")),
            baseline: None,
        }
    }

    fn report(checks: Vec<CheckResult>) -> Report {
        let mut summary = Summary::default();
        for c in &checks {
            summary.add(c.status);
        }
        Report {
            report_version: 1,
            tool: "scimock".into(),
            tool_version: "0".into(),
            target: "http://x".into(),
            profile: "generic".into(),
            client: None,
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 5,
            summary,
            checks,
            allow_writes: false,
            interrupted: false,
            credentials_rejected: false,
            cleanup: Cleanup::default(),
            identity: None,
            fail_on: crate::model::Severity::Should,
            failing: 0,
            baseline: None,
        }
    }

    #[test]
    fn failures_are_grouped_at_the_end_and_the_last_line_is_the_summary() {
        let r = report(vec![
            result("a.one", Status::Pass),
            result("b.two", Status::Fail),
            result("c.three", Status::Skip),
        ]);
        let out = render(&r);
        assert_eq!(out.lines().last(), Some("1 passed, 1 failed, 1 skipped"));
        let grouped = out
            .split("Failures and warnings:")
            .nth(1)
            .expect("a failure section");
        assert!(
            grouped.contains("FAIL b.two")
                && grouped.contains("> GET /Users")
                && !grouped.contains("a.one")
        );
        assert!(!out.contains('\x1b'), "no colour without a terminal");
    }

    #[test]
    fn colour_is_only_for_terminals_and_live_lines_only_when_asked() {
        assert!(!use_colour(false));
        let mut h = HumanReporter::new(Vec::new(), true, false);
        h.event(&Event::CheckFinished {
            index: 1,
            total: 1,
            result: result("a.one", Status::Pass),
        });
        let s = String::from_utf8(h.into_inner()).unwrap();
        assert!(s.contains("\x1b[32mPASS\x1b[0m") && !s.contains('\r'));
    }
}
