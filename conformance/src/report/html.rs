//! The HTML report: one self-contained page (inline CSS and script, system fonts, no request
//! of any kind), for people. A header with the counts and a bar, the target's identity and the
//! gate; then every check, failures first, each a `<details>` that expands to its detail,
//! reference, fingerprint and evidence (request, curl line, status, headers, response
//! excerpt); a filter by status and group; the baseline's entries and leftover users.
//!
//! Everything the target or the run supplies is escaped: evidence is server-controlled text,
//! treated as hostile. A Content-Security-Policy allows only this page's own style and script
//! (by hash), so even markup that slipped through could neither run nor fetch anything.
//! Printing expands every check and shows every row.

use super::{Standing, failures_first, known_reason};
use crate::identity::sha256_hex;
use crate::model::{CheckResult, EntryStatus, Evidence, Report};

const STYLE: &str = r#"
:root { --fail: #c62828; --known: #6a5acd; --below: #ad6800; --warn: #e08600; --pass: #2e7d32; --skip: #8a8a8a;
  --bg: #fff; --fg: #1d1d1f; --muted: #5f6368; --line: #dadce0; --code: #f4f5f7; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181c; --fg: #e8eaed; --muted: #a0a4aa; --line: #3c4043; --code: #23262b; } }
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: var(--bg); color: var(--fg); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
pre { background: var(--code); padding: 0.5rem 0.7rem; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.3rem 0; }
h1 { font-size: 1.5rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; }
.muted, .meta { color: var(--muted); }
.target code { overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin: 0.8rem 0 0.4rem; font-size: 1.05rem; }
.counts b { font-size: 1.35rem; }
.count.fail b { color: var(--fail); } .count.known b { color: var(--known); } .count.warn b { color: var(--warn); }
.count.pass b { color: var(--pass); } .count.skip b { color: var(--skip); }
svg.bar { display: block; width: 100%; height: 14px; border-radius: 7px; background: var(--line); }
svg.bar .failing, .badge.failing { fill: var(--fail); background: var(--fail); }
svg.bar .known, .badge.known { fill: var(--known); background: var(--known); }
svg.bar .below, .badge.below { fill: var(--below); background: var(--below); }
svg.bar .warning, .badge.warning { fill: var(--warn); background: var(--warn); }
svg.bar .passed, .badge.passed { fill: var(--pass); background: var(--pass); }
svg.bar .skipped, .badge.skipped { fill: var(--skip); background: var(--skip); }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.8rem 0; }
dl.identity dt { color: var(--muted); } dl.identity dd { margin: 0; overflow-wrap: anywhere; }
.gate { padding: 0.5rem 0.7rem; border-left: 4px solid var(--known); background: var(--code); }
nav.filters { display: none; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; margin: 1.2rem 0 0.6rem;
  padding: 0.5rem 0.7rem; border: 1px solid var(--line); border-radius: 6px; }
.js nav.filters { display: flex; }
nav.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
nav.filters legend { float: left; margin-right: 0.5rem; color: var(--muted); }
button, select { font: inherit; }
details.check { border: 1px solid var(--line); border-left: 5px solid var(--skip); border-radius: 5px; margin: 0.35rem 0; }
details.check.failing { border-left-color: var(--fail); } details.check.known { border-left-color: var(--known); }
details.check.below { border-left-color: var(--below); } details.check.warning { border-left-color: var(--warn); }
details.check.passed { border-left-color: var(--pass); }
details.check > summary { cursor: pointer; padding: 0.45rem 0.7rem; display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2rem 0.6rem; }
details.check > summary .title { flex: 1 1 18rem; }
.badge { color: #fff; font-size: 0.75rem; font-weight: 700; letter-spacing: 0.04em; padding: 0.1rem 0.45rem; border-radius: 3px; min-width: 3.6rem; text-align: center; }
.sev { font-size: 0.8rem; color: var(--muted); }
.body { padding: 0.2rem 0.9rem 0.8rem; border-top: 1px solid var(--line); }
.note { font-weight: 600; }
.detail { white-space: pre-wrap; overflow-wrap: anywhere; }
ol.evidence { padding-left: 1.2rem; } ol.evidence > li { margin: 0.6rem 0; }
dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.8rem; margin: 0.2rem 0; font-size: 0.88em; }
dl.headers dt { color: var(--muted); } dl.headers dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; vertical-align: top; }
[hidden] { display: none !important; }
@media print {
  html { font-size: 11pt; } body { max-width: none; padding: 0; background: #fff; color: #000; }
  nav.filters, .js nav.filters { display: none; }
  details.check, details.check[hidden] { display: block !important; break-inside: avoid-page; }
  details.check > .body { display: block; }
  details.check::details-content { content-visibility: visible; display: block; }
  details.check > summary { list-style: none; }
  .badge, svg.bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  pre { border: 1px solid #ccc; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  document.documentElement.classList.add('js');
  var rows = Array.prototype.slice.call(document.querySelectorAll('details.check'));
  var boxes = Array.prototype.slice.call(document.querySelectorAll('nav.filters input[name="status"]'));
  var group = document.getElementById('group');
  var shown = document.getElementById('shown');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var g = group.value;
    var n = 0;
    rows.forEach(function (r) {
      var visible = on[r.getAttribute('data-filter')] === true && (g === '' || r.getAttribute('data-group') === g);
      r.hidden = !visible;
      if (visible) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' checks shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  group.addEventListener('change', apply);
  document.getElementById('expand').addEventListener('click', function () {
    rows.forEach(function (r) { if (!r.hidden) { r.open = true; } });
  });
  document.getElementById('collapse').addEventListener('click', function () {
    rows.forEach(function (r) { r.open = false; });
  });
  window.addEventListener('beforeprint', function () {
    rows.forEach(function (r) { if (!r.open) { r.setAttribute('data-print-opened', ''); r.open = true; } });
  });
  window.addEventListener('afterprint', function () {
    rows.forEach(function (r) {
      if (r.hasAttribute('data-print-opened')) { r.removeAttribute('data-print-opened'); r.open = false; }
    });
  });
  apply();
})();
"#;

/// Text escaped for HTML element content and attribute values (quoted).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not valid in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The CSP source of an inline block: `'sha256-BASE64'`.
fn csp_hash(block: &str) -> String {
    let hex = sha256_hex(block.as_bytes());
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    format!("'sha256-{}'", base64(&bytes))
}

/// The filter key of a row: what the status checkboxes select.
fn filter_key(s: Standing) -> &'static str {
    match s {
        Standing::Failing | Standing::Below => "fail",
        Standing::Known => "known",
        Standing::Warning => "warn",
        Standing::Passed => "pass",
        Standing::Skipped => "skip",
    }
}

fn class(s: Standing) -> &'static str {
    match s {
        Standing::Failing => "failing",
        Standing::Known => "known",
        Standing::Below => "below",
        Standing::Warning => "warning",
        Standing::Passed => "passed",
        Standing::Skipped => "skipped",
    }
}

fn badge(s: Standing, c: &CheckResult) -> &'static str {
    match s {
        Standing::Known => "KNOWN",
        _ => match c.status {
            crate::model::Status::Fail => "FAIL",
            crate::model::Status::Warn => "WARN",
            crate::model::Status::Pass => "PASS",
            crate::model::Status::Skip => "SKIP",
        },
    }
}

fn evidence_html(ev: &[Evidence]) -> String {
    if ev.is_empty() {
        return "<p class=\"muted\">No requests recorded for this check.</p>\n".into();
    }
    let mut out = String::from("<ol class=\"evidence\">\n");
    for e in ev {
        out.push_str("<li>");
        out.push_str(&format!(
            "<div class=\"req\"><code>{}</code></div>",
            escape(&e.request)
        ));
        out.push_str(&format!("<pre class=\"curl\">{}</pre>", escape(&e.curl)));
        let outcome = match (e.status, &e.error) {
            (Some(s), None) => format!("HTTP {s}"),
            (Some(s), Some(err)) => format!("HTTP {s} ({err})"),
            (None, Some(err)) => format!("no response: {err}"),
            (None, None) => "no response".into(),
        };
        out.push_str(&format!("<div class=\"status\">{}</div>", escape(&outcome)));
        if !e.headers.is_empty() {
            out.push_str("<dl class=\"headers\">");
            for (k, v) in &e.headers {
                out.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(k), escape(v)));
            }
            out.push_str("</dl>");
        }
        if !e.response_excerpt.is_empty() {
            out.push_str(&format!(
                "<pre class=\"excerpt\">{}</pre>",
                escape(&e.response_excerpt)
            ));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}

fn check_html(report: &Report, c: &CheckResult) -> String {
    let standing = Standing::of(c, report.fail_on);
    let note = standing.note(c, report.fail_on, known_reason(report, c));
    let mut out = format!(
        "<details class=\"check {cls}\" data-filter=\"{key}\" data-group=\"{group}\" id=\"check-{id}\">\n\
         <summary><span class=\"badge {cls}\">{badge}</span> <code class=\"id\">{id}</code> \
         <span class=\"title\">{title}</span> <span class=\"sev\">{sev} · {ms} ms</span></summary>\n\
         <div class=\"body\">\n",
        cls = class(standing),
        key = filter_key(standing),
        group = escape(c.group()),
        id = escape(&c.id),
        badge = badge(standing, c),
        title = escape(&c.title),
        sev = c.severity.as_str(),
        ms = c.duration_ms,
    );
    if let Some(n) = note {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&n)));
    }
    out.push_str(&format!("<p class=\"detail\">{}</p>\n", escape(&c.detail)));
    let mut meta = format!("Reference: {}", escape(&c.reference));
    if let Some(fp) = &c.fingerprint {
        meta.push_str(&format!(" · fingerprint <code>{}</code>", escape(fp)));
    }
    out.push_str(&format!("<p class=\"meta\">{meta}</p>\n"));
    out.push_str(&evidence_html(&c.evidence));
    out.push_str("</div>\n</details>\n");
    out
}

/// The counts by standing, in bar order.
fn standings(report: &Report) -> Vec<(Standing, usize)> {
    [
        Standing::Failing,
        Standing::Known,
        Standing::Below,
        Standing::Warning,
        Standing::Passed,
        Standing::Skipped,
    ]
    .into_iter()
    .map(|s| {
        (
            s,
            report
                .checks
                .iter()
                .filter(|c| Standing::of(c, report.fail_on) == s)
                .count(),
        )
    })
    .collect()
}

fn bar(report: &Report) -> String {
    let total = report.checks.len().max(1);
    let present: Vec<(Standing, usize)> = standings(report)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut x = 0usize;
    let mut rects = String::new();
    let mut label = Vec::new();
    for (i, (s, n)) in present.iter().enumerate() {
        // The last segment takes what rounding left, so the bar is always full.
        let w = if i + 1 == present.len() {
            1000 - x
        } else {
            n * 1000 / total
        };
        rects.push_str(&format!(
            "<rect class=\"{c}\" x=\"{x}\" y=\"0\" width=\"{w}\" height=\"14\"><title>{n} {c}</title></rect>",
            c = class(*s)
        ));
        label.push(format!("{n} {}", class(*s)));
        x += w;
    }
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 1000 14\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">{rects}</svg>\n",
        escape(&label.join(", "))
    )
}

fn header(report: &Report) -> String {
    let s = &report.summary;
    let known = report.baseline.as_ref().map_or(0, |b| b.known);
    let mut out = format!(
        "<header>\n<h1>scimock check · {}</h1>\n<p class=\"target\">Target <code>{}</code> · {} · {} ms · started {}{}</p>\n",
        escape(&report.profile),
        escape(&report.target),
        if report.allow_writes {
            "with writes"
        } else {
            "read-only"
        },
        report.duration_ms,
        escape(&report.started_at),
        if report.interrupted {
            " · <strong>interrupted</strong>"
        } else {
            ""
        },
    );
    out.push_str(&format!(
        "<div class=\"counts\" id=\"counts\"><span class=\"count pass\"><b id=\"n-passed\">{}</b> passed</span>\
         <span class=\"count fail\"><b id=\"n-failed\">{}</b> failed</span>\
         <span class=\"count skip\"><b id=\"n-skipped\">{}</b> skipped</span>\
         <span class=\"count warn\"><b id=\"n-warnings\">{}</b> warnings</span>{}</div>\n",
        s.passed,
        s.failed,
        s.skipped,
        s.warnings,
        if report.baseline.is_some() {
            format!("<span class=\"count known\"><b id=\"n-known\">{known}</b> known</span>")
        } else {
            String::new()
        }
    ));
    out.push_str(&bar(report));
    out.push_str("<dl class=\"identity\">");
    let mut row = |k: &str, v: String| {
        out.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", escape(k)));
    };
    row(
        "tool",
        escape(&format!("{} {}", report.tool, report.tool_version)),
    );
    if let Some(id) = &report.identity {
        row(
            "profile digest",
            format!("<code>{}</code>", escape(&id.profile_digest)),
        );
        row(
            "ServiceProviderConfig",
            id.service_provider_config_sha256.as_deref().map_or_else(
                || "not fetched".into(),
                |d| format!("<code>{}</code>", escape(d)),
            ),
        );
    }
    row(
        "fails the run",
        format!(
            "<span id=\"n-failing\">{}</span> check(s) at --fail-on {}",
            report.failing,
            report.fail_on.as_str()
        ),
    );
    out.push_str("</dl>\n");
    if let Some(b) = &report.baseline {
        out.push_str(&format!(
            "<p class=\"gate\">Baseline <code>{}</code>: {} known, {} new, {} fixed.</p>\n",
            escape(&b.file),
            b.known,
            b.new,
            b.fixed
        ));
    }
    if report.credentials_rejected {
        out.push_str("<p class=\"gate\"><strong>The target rejected the credentials on every request of the checks.</strong></p>\n");
    }
    out.push_str("</header>\n");
    out
}

fn filters(report: &Report) -> String {
    let counts = standings(report);
    let count = |keys: &[Standing]| -> usize {
        counts
            .iter()
            .filter(|(s, _)| keys.contains(s))
            .map(|(_, n)| n)
            .sum()
    };
    let mut out = String::from(
        "<nav class=\"filters\" aria-label=\"Filter checks\">\n<fieldset><legend>Status</legend>\n",
    );
    let options = [
        (
            "fail",
            "failed",
            count(&[Standing::Failing, Standing::Below]),
        ),
        ("known", "known", count(&[Standing::Known])),
        ("warn", "warnings", count(&[Standing::Warning])),
        ("pass", "passed", count(&[Standing::Passed])),
        ("skip", "skipped", count(&[Standing::Skipped])),
    ];
    for (key, label, n) in options {
        if key == "known" && report.baseline.is_none() {
            continue;
        }
        out.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"status\" value=\"{key}\" id=\"filter-{key}\" checked> {label} ({n})</label>\n"
        ));
    }
    out.push_str(
        "</fieldset>\n<label>Group <select id=\"group\"><option value=\"\">all groups</option>",
    );
    let mut groups: Vec<&str> = Vec::new();
    for c in &report.checks {
        if !groups.contains(&c.group()) {
            groups.push(c.group());
        }
    }
    for g in groups {
        out.push_str(&format!("<option value=\"{0}\">{0}</option>", escape(g)));
    }
    out.push_str(
        "</select></label>\n<button type=\"button\" id=\"expand\">Expand all</button>\
         <button type=\"button\" id=\"collapse\">Collapse all</button>\
         <span id=\"shown\" class=\"muted\" aria-live=\"polite\"></span>\n</nav>\n",
    );
    out
}

fn baseline_html(report: &Report) -> String {
    let Some(b) = &report.baseline else {
        return String::new();
    };
    let mut out = format!(
        "<section class=\"baseline\">\n<h2>Baseline <code>{}</code></h2>\n<table><thead><tr><th>Check</th><th>Fingerprint</th><th>Status</th><th>Reason</th></tr></thead><tbody>\n",
        escape(&b.file)
    );
    for e in &b.entries {
        let status = match e.status {
            EntryStatus::Fixed => "fixed: remove it from the baseline",
            EntryStatus::Changed => "changed: the check fails with another finding",
            EntryStatus::Known => "known",
            EntryStatus::Unobserved => "unobserved (not run or skipped)",
        };
        out.push_str(&format!(
            "<tr class=\"entry-{}\"><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            e.status.as_str(),
            escape(&e.check),
            escape(&e.fingerprint),
            status,
            escape(&e.reason)
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    out
}

fn cleanup_html(report: &Report) -> String {
    let c = &report.cleanup;
    if c.removed.is_empty() && c.leftovers.is_empty() && c.note.is_none() {
        return String::new();
    }
    let mut out = String::from("<section class=\"cleanup\">\n<h2>Cleanup</h2>\n");
    if !c.removed.is_empty() {
        out.push_str(&format!(
            "<p>Removed {} user(s) the run created.</p>\n",
            c.removed.len()
        ));
    }
    if let Some(n) = &c.note {
        out.push_str(&format!("<p>{}</p>\n", escape(n)));
    }
    if !c.leftovers.is_empty() {
        out.push_str("<p><strong>Could not remove these users:</strong></p>\n<ul>\n");
        for l in &c.leftovers {
            out.push_str(&format!("<li>{}</li>\n", escape(l)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The report as one self-contained HTML page.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    );
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>scimock check · {} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&csp),
        escape(&report.profile),
        escape(&s.line()),
    );
    out.push_str(&header(report));
    out.push_str(&filters(report));
    out.push_str("<main>\n<section class=\"checks\" id=\"checks\">\n<h2>Checks</h2>\n");
    for c in failures_first(report) {
        out.push_str(&check_html(report, c));
    }
    out.push_str("</section>\n");
    out.push_str(&baseline_html(report));
    out.push_str(&cleanup_html(report));
    out.push_str(&format!(
        "</main>\n<footer class=\"muted\"><p>{} · scimock {} · report_version {}</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(&s.line()),
        escape(&report.tool_version),
        report.report_version
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cleanup, Severity, Status, Summary};

    const HOSTILE: &str =
        "</pre><script>alert(1)</script><img src=\"http://evil.test/x\" onerror='x()'>&amp;";

    fn report() -> Report {
        let ev = Evidence {
            request: format!("GET /Users?filter={HOSTILE}"),
            curl: format!("curl -sS -H \"Authorization: Bearer $SCIM_TOKEN\" '{HOSTILE}'"),
            status: Some(200),
            headers: [("content-type".to_string(), HOSTILE.to_string())].into(),
            response_excerpt: HOSTILE.into(),
            error: None,
        };
        let check = |id: &str, status| CheckResult {
            id: id.into(),
            title: format!("{id} {HOSTILE}"),
            severity: Severity::Must,
            reference: HOSTILE.into(),
            status,
            detail: HOSTILE.into(),
            duration_ms: 1,
            evidence: vec![ev.clone()],
            fingerprint: crate::baseline::fingerprint_of(id, status, HOSTILE),
            baseline: None,
        };
        let checks = vec![
            check("list.envelope", Status::Pass),
            check("filter.eq", Status::Fail),
            check("auth.missing-token", Status::Skip),
        ];
        let mut summary = Summary::default();
        for c in &checks {
            summary.add(c.status);
        }
        Report {
            report_version: 1,
            tool: "scimock".into(),
            tool_version: "0".into(),
            target: format!("http://127.0.0.1:1/{HOSTILE}"),
            profile: "generic".into(),
            client: None,
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 5,
            summary,
            checks,
            allow_writes: false,
            interrupted: false,
            credentials_rejected: false,
            cleanup: Cleanup {
                removed: Vec::new(),
                leftovers: vec![HOSTILE.into()],
                note: None,
            },
            identity: None,
            fail_on: Severity::Should,
            failing: 1,
            baseline: None,
        }
    }

    #[test]
    fn server_controlled_text_is_escaped_everywhere() {
        let html = render(&report());
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the page's own script"
        );
        assert!(!html.contains("<img"), "no markup from the target");
        assert!(!html.contains("onerror='"));
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&amp;amp;"));
    }

    #[test]
    fn the_page_fetches_nothing_and_its_policy_allows_only_its_own_blocks() {
        let html = render(&report());
        for needle in ["src=\"http", "href=\"http", "@import", "url(", "<link"] {
            assert!(!html.contains(needle), "{needle}");
        }
        let policy = html
            .split("Content-Security-Policy\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert!(policy.starts_with("default-src &#39;none&#39;"), "{policy}");
        assert!(policy.contains(&escape(&csp_hash(SCRIPT))));
        assert!(policy.contains(&escape(&csp_hash(STYLE))));
        // The blocks in the page are byte for byte the hashed ones.
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
    }

    #[test]
    fn failures_come_first_and_counts_are_in_the_header() {
        let html = render(&report());
        let fail = html.find("id=\"check-filter.eq\"").unwrap();
        let pass = html.find("id=\"check-list.envelope\"").unwrap();
        assert!(fail < pass);
        assert!(
            html.contains("<b id=\"n-passed\">1</b>") && html.contains("<b id=\"n-failed\">1</b>")
        );
        assert!(html.contains("<b id=\"n-skipped\">1</b>"));
    }

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (raw, b64) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), b64);
        }
    }
}
