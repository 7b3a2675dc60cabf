// The HTML report of `scimock check --format html` in a real browser: headless Chromium
// (Debian's package) driven by playwright-core. Run by scripts/browser-tests.sh, which makes
// the reports this test reads:
//
//   SCIMOCK_REPORT_HTML   the HTML report of a run against a mock with two breaks and a user
//                         whose attributes are markup (server-controlled text is hostile)
//   SCIMOCK_REPORT_JSON   the JSON report of the same run (same mock, same state)
//   SCIMOCK_HOSTILE       the hostile text the user carries
//   BROWSER_TEST_OUT      where screenshots go (under target/)
//   CHROMIUM              the browser (default /usr/bin/chromium)
//
// It loads the file, checks the counts against the JSON report, expands a failure and takes a
// screenshot, filters by status and by group, checks that nothing was fetched, no script of
// the target ran and the page's own style and script passed its Content-Security-Policy, and
// that print media shows every check expanded.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { env, openPage } = require('./harness.cjs');

test('the HTML report shows the run, expands a failure, filters, and is safe and printable', async (t) => {
  const htmlFile = path.resolve(env('SCIMOCK_REPORT_HTML'));
  const json = JSON.parse(fs.readFileSync(env('SCIMOCK_REPORT_JSON'), 'utf8'));
  const hostile = env('SCIMOCK_HOSTILE');
  const out = env('BROWSER_TEST_OUT');
  const { page, seen } = await openPage(t, { width: 1280, acceptDialogs: false });
  const { requests, problems, dialogs } = seen;
  const url = 'file://' + htmlFile;
  await page.goto(url);

  // The counts in the header are the JSON report's.
  const s = json.summary;
  assert.ok(s.failed >= 2, `the run has failures: ${JSON.stringify(s)}`);
  for (const [id, n] of [['n-passed', s.passed], ['n-failed', s.failed], ['n-skipped', s.skipped], ['n-warnings', s.warnings]]) {
    assert.equal(await page.locator(`#${id}`).innerText(), String(n), id);
    assert.ok(await page.locator(`#${id}`).isVisible(), `${id} is visible`);
  }
  assert.ok(await page.locator('svg.bar rect.failing').isVisible(), 'the bar shows the failures');
  const rows = page.locator('details.check');
  assert.equal(await rows.count(), json.checks.length, 'one row per check');

  // Failures first; the first failure starts collapsed and expands on a click.
  const failed = json.checks.filter((c) => c.status === 'fail');
  const first = rows.first();
  const firstId = await first.locator('code.id').innerText();
  assert.ok(failed.some((c) => c.id === firstId), `${firstId} is a failure, listed first`);
  const expected = failed.find((c) => c.id === firstId);
  const detail = first.locator('.detail');
  assert.equal(await detail.isVisible(), false, 'collapsed before the click');
  await first.locator('summary').click();
  assert.ok(await detail.isVisible(), 'the detail shows after the click');
  assert.equal((await detail.innerText()).trim(), expected.detail.trim());
  assert.ok(await first.locator('pre.curl').first().isVisible(), 'the curl line shows');
  assert.match(await first.locator('pre.curl').first().innerText(), /^curl -sS -H "Authorization: Bearer \$SCIM_TOKEN"/);
  await page.screenshot({ path: path.join(out, 'report-expanded.png'), fullPage: true });

  // The hostile user's markup is shown as text in the evidence, never run or rendered.
  const eqRow = page.locator('details#check-filter\\.eq');
  await eqRow.locator('summary').click();
  const excerpts = await eqRow.locator('pre.excerpt').allInnerTexts();
  assert.ok(excerpts.some((x) => x.includes(hostile)), 'the hostile text is shown verbatim');
  assert.equal(await page.evaluate(() => window.__scimockPwned), undefined, 'no script of the target ran');
  assert.equal(await page.locator('img').count(), 0, 'no markup of the target was rendered');
  assert.deepEqual(dialogs, []);

  // Filter by status: passes hidden, failures still there.
  const passes = page.locator('details.check[data-filter="pass"]');
  assert.ok((await passes.count()) > 0);
  assert.ok(await passes.first().isVisible());
  await page.locator('#filter-pass').uncheck();
  for (const r of await passes.all()) assert.equal(await r.isVisible(), false, 'a pass is hidden');
  assert.ok(await first.isVisible(), 'the failure stays');
  const shownAfter = await page.locator('#shown').innerText();
  assert.equal(shownAfter, `${json.checks.length - s.passed} of ${json.checks.length} checks shown`);
  // Filter by group: only the filter checks remain.
  await page.locator('#group').selectOption('filter');
  for (const r of await rows.all()) {
    const group = await r.getAttribute('data-group');
    const key = await r.getAttribute('data-filter');
    assert.equal(await r.isVisible(), group === 'filter' && key !== 'pass', `${group}/${key}`);
  }
  await page.screenshot({ path: path.join(out, 'report-filtered.png'), fullPage: true });

  // Printed: every check shows, expanded, without the filter controls.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('nav.filters').isVisible(), false, 'no controls on paper');
  for (const r of await rows.all()) {
    assert.ok(await r.isVisible(), 'every check is printed');
    assert.ok(await r.locator('.detail').isVisible(), 'and expanded');
  }
  await page.screenshot({ path: path.join(out, 'report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // Nothing but the file itself was requested, and the page's own style and script passed
  // its Content-Security-Policy (a violation is reported on the console).
  assert.deepEqual(requests.filter((r) => r !== url), [], 'no fetches');
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
});
