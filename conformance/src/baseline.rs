//! Known deviations: fingerprints of findings, the baseline file (`--write-baseline`,
//! `--baseline`), and the gate that decides which findings fail a run (`--fail-on` and the
//! baseline together).
//!
//! A fingerprint names a finding, not a run: it is the check id and the check's detail with
//! its volatile parts masked (see [`normalise`]), hashed. The same deviation seen next week on
//! the same tenant has the same fingerprint; a different deviation of the same check has
//! another one, so a baseline never mutes a whole check.

use crate::identity::sha256_hex;
use crate::model::{
    BaselineMark, BaselineOutcome, CheckResult, EntryOutcome, EntryStatus, Report, Severity, Status,
};
use serde::{Deserialize, Serialize};

/// The version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// Masks for the volatile parts of a detail.
const UUID: &str = "<uuid>";
const TIME: &str = "<time>";
const TEST_USER: &str = "<test-user>";
const TOKEN: &str = "<token>";
const NUMBER: &str = "<n>";
const DURATION: &str = "<duration>";

/// The prefix of the users a run creates (their names are random).
const TEST_USER_PREFIX: &str = crate::ctx::TEST_USER_PREFIX;

/// A detail with its volatile parts masked, in this order:
///
/// - the run's own users (`scimock-check-…`, up to the next space, quote or comma) -> `<test-user>`
/// - UUIDs -> `<uuid>`
/// - RFC 3339 timestamps (`2026-01-02T03:04:05Z`, with fractions and offsets) -> `<time>`
/// - opaque tokens: runs of 16 or more letters, digits, `-`, `_`, `+`, `=` that hold both
///   a letter and a digit (cursors, hex and base64 ids; `/` separates) -> `<token>`
/// - durations (a number followed by `ms` or `s`) -> `<duration>`
/// - every other number (digits with at most one fraction, not glued to a letter before or
///   after it: `v2`, `user7` stay) except three-digit ones from 100 to 599 (HTTP statuses and
///   the like) -> `<n>`: ids, ports, counts, positions
/// - then a list of masks (`<n>, <n>, <n>`) collapses to one (`<n>`), and runs of whitespace
///   to one space.
pub fn normalise(detail: &str) -> String {
    let mut s = mask_test_users(detail);
    s = mask_uuids(&s);
    s = mask_timestamps(&s);
    s = mask_tokens(&s);
    s = mask_numbers(&s);
    collapse(&s)
}

/// The fingerprint of a finding of check `id` with `detail`: the first 16 hex digits of the
/// SHA-256 of `id`, a newline and the normalised detail.
pub fn fingerprint(id: &str, detail: &str) -> String {
    let text = format!("{id}\n{}", normalise(detail));
    sha256_hex(text.as_bytes())[..16].to_string()
}

/// The fingerprint a result carries: findings (`fail`, `warn`) only.
pub fn fingerprint_of(id: &str, status: Status, detail: &str) -> Option<String> {
    matches!(status, Status::Fail | Status::Warn).then(|| fingerprint(id, detail))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=' | '.' | '@')
}

fn mask_test_users(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(TEST_USER_PREFIX) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .char_indices()
            .find(|(_, c)| !is_token_char(*c))
            .map_or(tail.len(), |(j, _)| j);
        // A trailing dot ends a sentence, not the name.
        let end = tail[..end].trim_end_matches('.').len();
        out.push_str(TEST_USER);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces every maximal run of characters satisfying `part` for which `hit` holds.
fn replace_runs(
    s: &str,
    part: impl Fn(char) -> bool,
    hit: impl Fn(&str) -> Option<&'static str>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, run: &str| match hit(run) {
        Some(mask) => out.push_str(mask),
        None => out.push_str(run),
    };
    for (i, c) in s.char_indices() {
        if part(c) {
            if run_start.is_none() {
                run_start = Some(i);
            }
        } else {
            if let Some(st) = run_start.take() {
                flush(&mut out, &s[st..i]);
            }
            out.push(c);
        }
    }
    if let Some(st) = run_start {
        flush(&mut out, &s[st..]);
    }
    out
}

fn is_uuid(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn mask_uuids(s: &str) -> String {
    // UUIDs inside longer words (`urn:uuid:…`, `/Users/…`) are found by scanning windows.
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
        if boundary_before
            && i + 36 <= bytes.len()
            && s.is_char_boundary(i + 36)
            && is_uuid(&s[i..i + 36])
            && bytes.get(i + 36).is_none_or(|c| !c.is_ascii_hexdigit())
        {
            out.push_str(UUID);
            i += 36;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

/// The length of an RFC 3339 timestamp starting at `s`, if one does.
fn timestamp_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16))
    {
        return None;
    }
    let mut n = 16;
    if b.get(n) == Some(&b':') && digits(n + 1..n + 3) {
        n += 3;
    }
    if b.get(n) == Some(&b'.') {
        n += 1;
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    match b.get(n) {
        Some(b'Z' | b'z') => n += 1,
        Some(b'+' | b'-')
            if digits(n + 1..n + 3) && b.get(n + 3) == Some(&b':') && digits(n + 4..n + 6) =>
        {
            n += 6
        }
        _ => {}
    }
    Some(n)
}

fn mask_timestamps(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let before_ok = i == 0 || !s.as_bytes()[i - 1].is_ascii_digit();
        if before_ok {
            if let Some(n) = timestamp_len(&s[i..]) {
                out.push_str(TIME);
                i += n;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

fn mask_tokens(s: &str) -> String {
    replace_runs(
        s,
        |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '='),
        |run| {
            let opaque = run.len() >= 16
                && run.chars().any(|c| c.is_ascii_digit())
                && run.chars().any(|c| c.is_ascii_alphabetic());
            opaque.then_some(TOKEN)
        },
    )
}

fn mask_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        let prev_alpha = k > 0 && (chars[k - 1].1.is_alphabetic() || chars[k - 1].1 == '_');
        if c.is_ascii_digit() && !prev_alpha {
            // A number: digits, optionally one fraction.
            let mut j = k;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            if j + 1 < chars.len() && chars[j].1 == '.' && chars[j + 1].1.is_ascii_digit() {
                j += 1;
                while j < chars.len() && chars[j].1.is_ascii_digit() {
                    j += 1;
                }
            }
            let end = chars.get(j).map_or(s.len(), |x| x.0);
            let number = &s[i..end];
            // A unit right after (optionally one space): a duration.
            let after = &s[end..];
            let unit = ["ms", "s"].iter().find_map(|u| {
                let spaced = after.strip_prefix(' ').unwrap_or(after);
                let gap = after.len() - spaced.len();
                spaced.strip_prefix(u).and_then(|rest| {
                    rest.chars()
                        .next()
                        .is_none_or(|n| !n.is_alphanumeric())
                        .then_some(gap + u.len())
                })
            });
            if let Some(unit_len) = unit {
                out.push_str(DURATION);
                let skip_to = end + unit_len;
                while k < chars.len() && chars[k].0 < skip_to {
                    k += 1;
                }
                continue;
            }
            let keep =
                number.len() == 3 && number.parse::<u16>().is_ok_and(|n| (100..600).contains(&n));
            // A word that continues after the digits (`3rd`, `v2beta`) is not a number.
            let glued = chars.get(j).is_some_and(|x| x.1.is_alphabetic());
            if keep || glued {
                out.push_str(number);
            } else {
                out.push_str(NUMBER);
            }
            k = j;
            continue;
        }
        out.push(c);
        k += 1;
    }
    out
}

/// Collapses lists of masks (their length is volatile too) and runs of whitespace.
fn collapse(s: &str) -> String {
    let mut out: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for mask in [UUID, TIME, TEST_USER, TOKEN, NUMBER, DURATION] {
        let pair = format!("{mask}, {mask}");
        while out.contains(&pair) {
            out = out.replace(&pair, mask);
        }
    }
    out
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The check id.
    pub check: String,
    /// The finding's fingerprint ([`fingerprint`]).
    pub fingerprint: String,
    /// Why it is accepted: for people to fill in (a vendor's documented deviation, a ticket).
    #[serde(default)]
    pub reason: String,
    /// The check's severity when it was recorded (for people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The check's title (for people).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The normalised detail the fingerprint was made from (for people).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// A baseline file: the findings a team accepts for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always 1 for this format.
    pub baseline_version: u32,
    /// `scimock`.
    #[serde(default)]
    pub tool: String,
    /// The version that wrote it.
    #[serde(default)]
    pub tool_version: String,
    /// The target of the run it was written from.
    #[serde(default)]
    pub target: String,
    /// The profile of that run.
    #[serde(default)]
    pub profile: String,
    /// When that run started (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// The accepted findings.
    pub entries: Vec<Entry>,
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// Not readable.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Not a baseline.
    #[error("{path} is not a scimock baseline: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said.
        reason: String,
    },
    /// A version this scimock does not know.
    #[error("{path}: baseline_version {version} is not supported (this scimock reads version 1)")]
    Version {
        /// The file.
        path: String,
        /// Its version.
        version: u32,
    },
}

impl Baseline {
    /// Parses a baseline file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Baseline, BaselineError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| BaselineError::Parse {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        if b.baseline_version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: path.to_string(),
                version: b.baseline_version,
            });
        }
        Ok(b)
    }

    /// Reads a baseline file.
    pub fn read(path: &std::path::Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        Baseline::parse(&text, &shown)
    }

    /// The baseline of a finished run: one entry per check that fails it (at the report's
    /// `--fail-on`, baseline aside). Reasons are kept from `previous` for the same findings.
    pub fn from_report(report: &Report, previous: Option<&Baseline>) -> Baseline {
        let entries = report
            .checks
            .iter()
            .filter(|c| Report::gates(c, report.fail_on))
            .map(|c| {
                let fp = c
                    .fingerprint
                    .clone()
                    .unwrap_or_else(|| fingerprint(&c.id, &c.detail));
                let reason = previous
                    .and_then(|p| p.find(&c.id, &fp))
                    .map(|e| e.reason.clone())
                    .unwrap_or_default();
                Entry {
                    check: c.id.clone(),
                    fingerprint: fp,
                    reason,
                    severity: Some(c.severity),
                    title: c.title.clone(),
                    detail: normalise(&c.detail),
                }
            })
            .collect();
        Baseline {
            baseline_version: BASELINE_VERSION,
            tool: "scimock".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            target: report.target.clone(),
            profile: report.profile.clone(),
            created_at: report.started_at.clone(),
            entries,
        }
    }

    /// The entry for a finding.
    pub fn find(&self, check: &str, fingerprint: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.check == check && e.fingerprint == fingerprint)
    }

    /// The file's text (pretty JSON, a final newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// What decides the exit status: the `--fail-on` threshold and, optionally, a baseline.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Findings below this severity do not fail the run.
    pub fail_on: Severity,
    /// Known findings, and the file they came from (as given).
    pub baseline: Option<(String, Baseline)>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            fail_on: Severity::Should,
            baseline: None,
        }
    }
}

impl Gate {
    /// Marks one result: its fingerprint (findings), and known or new when it would fail the
    /// run and a baseline is in use.
    pub fn judge(&self, r: &mut CheckResult) {
        if r.fingerprint.is_none() {
            r.fingerprint = fingerprint_of(&r.id, r.status, &r.detail);
        }
        r.baseline = match (&self.baseline, &r.fingerprint) {
            (Some((_, b)), Some(fp)) if Report::gates(r, self.fail_on) => {
                Some(if b.find(&r.id, fp).is_some() {
                    BaselineMark::Known
                } else {
                    BaselineMark::New
                })
            }
            _ => None,
        };
    }

    /// How each baseline entry fared among `results` (already judged).
    pub fn outcome(&self, results: &[CheckResult]) -> Option<BaselineOutcome> {
        let (file, b) = self.baseline.as_ref()?;
        let entries: Vec<EntryOutcome> = b
            .entries
            .iter()
            .map(|e| EntryOutcome {
                check: e.check.clone(),
                fingerprint: e.fingerprint.clone(),
                reason: e.reason.clone(),
                status: self.entry_status(e, results),
            })
            .collect();
        Some(BaselineOutcome {
            file: file.clone(),
            known: results
                .iter()
                .filter(|r| r.baseline == Some(BaselineMark::Known))
                .count(),
            new: results
                .iter()
                .filter(|r| r.baseline == Some(BaselineMark::New))
                .count(),
            fixed: entries
                .iter()
                .filter(|e| e.status == EntryStatus::Fixed)
                .count(),
            entries,
        })
    }

    fn entry_status(&self, e: &Entry, results: &[CheckResult]) -> EntryStatus {
        let Some(r) = results.iter().find(|r| r.id == e.check) else {
            return EntryStatus::Unobserved;
        };
        if r.status == Status::Skip {
            EntryStatus::Unobserved
        } else if r.fingerprint.as_deref() == Some(e.fingerprint.as_str()) {
            EntryStatus::Known
        } else if Report::gates(r, self.fail_on) {
            EntryStatus::Changed
        } else {
            EntryStatus::Fixed
        }
    }

    /// Applies the gate to a finished report: marks every result, records the threshold and
    /// the baseline's outcome, and counts the checks that fail the run.
    pub fn apply(&self, report: &mut Report) {
        for c in &mut report.checks {
            self.judge(c);
        }
        report.fail_on = self.fail_on;
        report.baseline = self.outcome(&report.checks);
        report.count_failing();
    }

    /// The gate a finished report was judged by (its threshold and its baseline's entries).
    pub fn of_report(report: &Report) -> Gate {
        Gate {
            fail_on: report.fail_on,
            baseline: report.baseline.as_ref().map(|o| {
                (
                    o.file.clone(),
                    Baseline {
                        baseline_version: BASELINE_VERSION,
                        tool: String::new(),
                        tool_version: String::new(),
                        target: String::new(),
                        profile: String::new(),
                        created_at: String::new(),
                        entries: o
                            .entries
                            .iter()
                            .map(|e| Entry {
                                check: e.check.clone(),
                                fingerprint: e.fingerprint.clone(),
                                reason: e.reason.clone(),
                                severity: None,
                                title: String::new(),
                                detail: String::new(),
                            })
                            .collect(),
                    },
                )
            }),
        }
    }

    /// The reason a baseline gives for a known finding.
    pub fn reason(&self, r: &CheckResult) -> Option<&str> {
        let (_, b) = self.baseline.as_ref()?;
        let fp = r.fingerprint.as_deref()?;
        b.find(&r.id, fp).map(|e| e.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cleanup, Summary};

    #[test]
    fn volatile_parts_are_masked() {
        let cases = [
            (
                "GET /Users/2819c223-7f76-453a-919d-413861904646 answered 404",
                "GET /Users/<uuid> answered 404",
            ),
            (
                "user scimock-check-k3j9x2@example.com was not removed.",
                "user <test-user> was not removed.",
            ),
            (
                "meta.lastModified 2026-03-01T10:11:12.345Z is before 2026-03-01T10:11:12+01:00",
                "meta.lastModified <time> is before <time>",
            ),
            (
                "cursor VGhpcyBpcyBhIGN1cnNvcjEyMw== was accepted",
                "cursor <token> was accepted",
            ),
            (
                "redirected to http://127.0.0.1:41237/scim/v2/Users",
                "redirected to http://<n>.<n>:<n>/scim/v2/Users",
            ),
            (
                "took 1234 ms, then 2.5 s",
                "took <duration>, then <duration>",
            ),
            (
                "walked 3 page(s) of 2 and found 5 distinct resources; totalResults says 6",
                "walked <n> page(s) of <n> and found <n> distinct resources; totalResults says <n>",
            ),
            (
                "resources returned twice across pages: 12, 13, 14",
                "resources returned twice across pages: <n>",
            ),
            (
                "HTTP 400 instead of HTTP 404",
                "HTTP 400 instead of HTTP 404",
            ),
            (
                "id ext-42 and user7@example.com",
                "id ext-<n> and user7@example.com",
            ),
            ("RFC 7644 v2beta", "RFC <n> v2beta"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise(raw), want, "{raw}");
        }
    }

    #[test]
    fn fingerprints_are_stable_across_runs_and_differ_between_findings() {
        let a = fingerprint(
            "writes.create",
            "POST answered 201 without Location for scimock-check-abc123@x.test in 35 ms",
        );
        let b = fingerprint(
            "writes.create",
            "POST answered 201 without Location for scimock-check-zz99@x.test in 412 ms",
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert_ne!(
            a,
            fingerprint("writes.replace", "POST answered 201 without Location")
        );
        assert_ne!(
            fingerprint("errors.status", "HTTP 400"),
            fingerprint("errors.status", "HTTP 500")
        );
    }

    fn result(id: &str, severity: Severity, status: Status, detail: &str) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: format!("{id} title"),
            severity,
            reference: "RFC 7644".into(),
            status,
            detail: detail.into(),
            duration_ms: 1,
            evidence: Vec::new(),
            fingerprint: fingerprint_of(id, status, detail),
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
            fail_on: Severity::Should,
            failing: 0,
            baseline: None,
        }
    }

    #[test]
    fn fail_on_sets_the_lowest_severity_that_fails_the_run() {
        let checks = vec![
            result("a.must", Severity::Must, Status::Fail, "x"),
            result("b.should", Severity::Should, Status::Fail, "y"),
            result("c.may", Severity::May, Status::Warn, "z"),
            result("d.pass", Severity::Must, Status::Pass, "ok"),
        ];
        let count = |fail_on| {
            let mut r = report(checks.clone());
            Gate {
                fail_on,
                baseline: None,
            }
            .apply(&mut r);
            r.failing
        };
        assert_eq!(count(Severity::Must), 1);
        assert_eq!(count(Severity::Should), 2);
        assert_eq!(count(Severity::May), 3);
    }

    #[test]
    fn a_baseline_turns_known_findings_off_and_reports_new_fixed_changed_and_unobserved() {
        let first = report(vec![
            result("a.one", Severity::Must, Status::Fail, "broken in 12 ms"),
            result("b.two", Severity::Must, Status::Fail, "HTTP 500"),
            result("c.three", Severity::Should, Status::Fail, "wrong"),
            result("d.four", Severity::Must, Status::Fail, "gone"),
            result("e.five", Severity::Must, Status::Pass, "fine"),
        ]);
        let mut b = Baseline::from_report(&first, None);
        assert_eq!(b.entries.len(), 4);
        b.entries[0].reason = "vendor documents it".into();
        // Round trip through the file format.
        let b = Baseline::parse(&b.to_json(), "b.json").unwrap();
        let mut next = report(vec![
            result("a.one", Severity::Must, Status::Fail, "broken in 99 ms"),
            result("b.two", Severity::Must, Status::Fail, "HTTP 502"),
            result("c.three", Severity::Should, Status::Pass, "right"),
            result("e.five", Severity::Must, Status::Fail, "now broken"),
        ]);
        let gate = Gate {
            fail_on: Severity::Should,
            baseline: Some(("b.json".into(), b.clone())),
        };
        gate.apply(&mut next);
        let marks: Vec<_> = next.checks.iter().map(|c| c.baseline).collect();
        assert_eq!(
            marks,
            vec![
                Some(BaselineMark::Known),
                Some(BaselineMark::New),
                None,
                Some(BaselineMark::New)
            ]
        );
        assert_eq!(next.failing, 2);
        let o = next.baseline.as_ref().unwrap();
        let statuses: Vec<_> = o.entries.iter().map(|e| e.status).collect();
        assert_eq!(
            statuses,
            vec![
                EntryStatus::Known,
                EntryStatus::Changed,
                EntryStatus::Fixed,
                EntryStatus::Unobserved
            ]
        );
        assert_eq!((o.known, o.new, o.fixed), (1, 2, 1));
        assert_eq!(o.entries[0].reason, "vendor documents it");
        assert_eq!(gate.reason(&next.checks[0]), Some("vendor documents it"));
        // Rewriting keeps the reasons of findings that are still there.
        let rewritten = Baseline::from_report(&next, Some(&b));
        assert_eq!(rewritten.entries[0].reason, "vendor documents it");
        assert_eq!(rewritten.entries.len(), 3);
        // The gate a report was judged by judges the same way.
        let again = Gate::of_report(&next);
        let mut copy = next.clone();
        again.apply(&mut copy);
        assert_eq!(copy.failing, next.failing);
        assert_eq!(copy.baseline, next.baseline);
    }

    #[test]
    fn baselines_of_another_version_or_shape_are_refused() {
        assert!(matches!(
            Baseline::parse(r#"{"baseline_version":2,"entries":[]}"#, "b"),
            Err(BaselineError::Version { version: 2, .. })
        ));
        assert!(matches!(
            Baseline::parse(r#"{"checks":[]}"#, "b"),
            Err(BaselineError::Parse { .. })
        ));
        let ok = Baseline::parse(
            r#"{"baseline_version":1,"entries":[{"check":"a","fingerprint":"f"}]}"#,
            "b",
        )
        .unwrap();
        assert_eq!(ok.entries[0].reason, "");
    }
}
