// The dashboard (`GET /_scimock/ui`) in a real browser: headless Chromium (Debian's package)
// driven by playwright-core. Run by scripts/browser-tests.sh, which starts two mocks:
//
//   SCIMOCK_ORIGIN         `scimock serve --vendor all` (no admin token)
//   SCIMOCK_ADMIN_ORIGIN   `scimock serve --admin-token ...` (generic)
//   SCIMOCK_ADMIN_TOKEN    that mock's admin token
//   BROWSER_TEST_OUT       where screenshots go (under target/)
//   CHROMIUM               the browser (default /usr/bin/chromium)
//
// It opens the page, sends requests with a client (one carrying markup: what the server shows
// is hostile), sees the rows appear within a second or so, opens one and sees its body and curl
// line, adds a 429 fault from the form and sees the next request get 429, toggles a break
// switch, follows a violation to its request, searches the data, and checks that nothing was
// fetched from elsewhere and the Content-Security-Policy held. The second test opens the page
// of the mock with an admin token and checks that nothing loads until the token is typed.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { env, openPage } = require('./harness.cjs');

const HOSTILE = '<img src=x onerror=window.__scimockPwned=1>';
const SCIM = { Authorization: 'Bearer scimock-token', 'Content-Type': 'application/scim+json' };

async function browser(t) {
  return openPage(t, { width: 1400, acceptDialogs: true });
}

test('the dashboard shows requests live, their detail, violations, data, and drives faults', async (t) => {
  const origin = env('SCIMOCK_ORIGIN');
  const out = env('BROWSER_TEST_OUT');
  const { page, seen } = await browser(t);
  await page.goto(origin + '/_scimock/ui');
  await page.locator('#conn', { hasText: 'live' }).waitFor({ timeout: 5000 });
  // The header lists every mounted profile with its base URL and its vendor reference.
  const attio = page.locator('#profiles tbody tr').filter({ has: page.locator('strong', { hasText: /^attio$/ }) });
  assert.ok((await attio.innerText()).includes(origin + '/attio/scim/v2'));
  assert.ok((await attio.innerText()).includes('docs/vendors.md#attio'));

  // A client creates a user whose name is markup; the row appears within about a second.
  const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dash.board@example.com', displayName: HOSTILE, externalId: 'dash-1' };
  const created = await fetch(origin + '/generic/scim/v2/Users', { method: 'POST', headers: SCIM, body: JSON.stringify(user) });
  assert.equal(created.status, 201);
  const sent = Date.now();
  const row = page.locator('#req-table tbody tr', { hasText: 'POST' }).filter({ hasText: '/generic/scim/v2/Users' });
  await row.first().waitFor({ timeout: 2500 });
  const lag = Date.now() - sent;
  assert.ok(lag < 2500, `the row appeared after ${lag} ms`);
  assert.match(await row.first().innerText(), /201/);

  // Its detail: headers with the credential redacted, the body pretty-printed, a curl line.
  await row.first().click();
  const detail = page.locator('#req-detail');
  await detail.locator('pre.body').first().waitFor();
  const body = await detail.locator('pre.body').first().innerText();
  assert.ok(body.includes('"userName": "dash.board@example.com"'), body);
  assert.ok(body.includes(HOSTILE), 'the markup is shown as text');
  // What the mock answered, pretty-printed too: the created user with its id.
  const answer = await detail.locator('pre.body').nth(1).innerText();
  const createdId = (await created.json()).id;
  assert.ok(answer.includes(`"id": "${createdId}"`), answer);
  assert.ok((await detail.innerText()).includes('[redacted]'));
  assert.ok(!(await detail.innerText()).includes('scimock-token'), 'no credential shown');
  const curl = await detail.locator('pre.curl').innerText();
  assert.ok(curl.startsWith(`curl -X POST '${origin}/generic/scim/v2/Users'`), curl);
  assert.ok(curl.includes('"authorization: Bearer $SCIMOCK_TOKEN"'), curl);
  await page.screenshot({ path: path.join(out, 'dashboard-requests.png') });

  // Keyboard: the rows take focus, Enter opens one.
  await fetch(origin + '/generic/scim/v2/Users?count=1', { headers: SCIM });
  const get = page.locator('#req-table tbody tr', { hasText: 'count=1' });
  await get.waitFor({ timeout: 2500 });
  await get.focus();
  await page.keyboard.press('Enter');
  await detail.locator('h3', { hasText: 'count=1' }).waitFor();

  // Filters: by method and by status.
  await page.locator('#f-method').selectOption('POST');
  assert.equal(await page.locator('#req-table tbody tr', { hasText: 'count=1' }).count(), 0);
  await page.locator('#f-method').selectOption('');
  await page.locator('#f-status').fill('2xx');
  assert.ok((await page.locator('#req-table tbody tr').count()) >= 2);
  await page.locator('#f-status').fill('');

  // Pause: new requests do not move the table, and are counted.
  await page.locator('#pause').click();
  await fetch(origin + '/generic/scim/v2/Groups', { headers: SCIM });
  await page.locator('#pending', { hasText: '1' }).waitFor({ timeout: 2500 });
  assert.ok(await page.locator('#paused').isVisible());
  assert.equal(await page.locator('#req-table tbody tr', { hasText: '/generic/scim/v2/Groups' }).count(), 0);
  await page.locator('#pause').click();
  await page.locator('#req-table tbody tr', { hasText: '/generic/scim/v2/Groups' }).waitFor({ timeout: 2500 });

  // A 429 from the form: the next matching request gets it.
  await page.locator('#tab-faults').click();
  await page.locator('#ff-status').fill('429');
  await page.locator('#ff-times').fill('1');
  await page.locator('#ff-retry').fill('3');
  await page.locator('#ff-path').fill('/Users');
  await page.locator('#ff-vendor').selectOption('generic');
  await page.locator('#fault-form button[type=submit]').click();
  await page.locator('#fault-table tbody tr', { hasText: '429' }).waitFor({ timeout: 2500 });
  const limited = await fetch(origin + '/generic/scim/v2/Users', { headers: SCIM });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '3');

  // A break switch, on and off.
  const box = page.locator('input[data-brk="list.total-results-wrong"]');
  await box.check();
  await page.waitForFunction(async (o) => (await (await fetch(o + '/_scimock/faults')).json()).breaks.includes('list.total-results-wrong'), origin, { timeout: 3000 });
  await page.screenshot({ path: path.join(out, 'dashboard-faults.png'), fullPage: true });
  await page.locator('input[data-brk="list.total-results-wrong"]').uncheck();
  await page.waitForFunction(async (o) => !(await (await fetch(o + '/_scimock/faults')).json()).breaks.includes('list.total-results-wrong'), origin, { timeout: 3000 });
  await page.locator('#clear-faults').click();
  await page.locator('#fault-empty').waitFor({ state: 'visible', timeout: 3000 });
  const back = await fetch(origin + '/generic/scim/v2/Users', { headers: SCIM });
  assert.equal(back.status, 200);

  // A violation, linked to its request.
  await fetch(origin + '/attio/scim/v2/Users?count=500', { headers: SCIM });
  await page.locator('#tab-violations').click();
  const viol = page.locator('#viol-table tbody tr', { hasText: 'list.max_count' });
  await viol.waitFor({ timeout: 2500 });
  assert.ok((await viol.innerText()).includes('--set attio.list.max_count'));
  await page.screenshot({ path: path.join(out, 'dashboard-violations.png') });
  await viol.locator('button').click();
  assert.ok(await page.locator('#view-requests').isVisible());
  await detail.locator('h3', { hasText: 'count=500' }).waitFor();
  assert.ok((await detail.innerText()).includes('list.max_count'));
  // The README's picture (docs/dashboard.png is a copy of it).
  await page.setViewportSize({ width: 1200, height: 640 });
  await page.evaluate(() => { document.getElementById('toast').textContent = ''; });
  await page.screenshot({ path: path.join(out, 'dashboard-readme.png') });
  await page.setViewportSize({ width: 1400, height: 900 });

  // Data: search the generic users, open one as JSON.
  await page.locator('#tab-data').click();
  await page.locator('#d-vendor').selectOption('generic');
  await page.locator('#d-q').fill('DASH-1');
  const found = page.locator('#data-table tbody tr', { hasText: 'dash.board@example.com' });
  await page.locator('#d-count', { hasText: /^1 of \d+ users$/ }).waitFor({ timeout: 2500 });
  await found.waitFor({ timeout: 2500 });
  assert.equal(await page.locator('#data-table tbody tr').count(), 1);
  await found.click();
  const json = page.locator('#data-detail pre');
  await json.waitFor();
  assert.equal(JSON.parse(await json.innerText()).externalId, 'dash-1');
  await page.screenshot({ path: path.join(out, 'dashboard-data.png') });
  // Bulk load, after a confirmation.
  await page.locator('#bulk-load').click();
  await page.locator('#bulk-msg', { hasText: 'Loaded 1' }).waitFor({ timeout: 2500 });
  assert.deepEqual(seen.dialogs, ['Clear every fault and turn every break switch off?', 'Load these users into generic?'], 'each write that destroys or adds data asks first');

  // Safe: the markup never ran or rendered, nothing came from elsewhere, the CSP held.
  assert.equal(await page.evaluate(() => window.__scimockPwned), undefined, 'no markup ran');
  assert.equal(await page.locator('img').count(), 0, 'no markup rendered');
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith(origin + '/_scimock/')), [], 'only the admin API');
  assert.deepEqual(seen.problems, [], 'no console errors or CSP violations');

  // Dark mode is readable too.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('#tab-requests').click();
  await page.screenshot({ path: path.join(out, 'dashboard-dark.png') });
});

test('with --admin-token, nothing loads until the token is typed', async (t) => {
  const origin = env('SCIMOCK_ADMIN_ORIGIN');
  const token = env('SCIMOCK_ADMIN_TOKEN');
  const out = env('BROWSER_TEST_OUT');
  const { page, seen } = await browser(t);
  const answers = [];
  page.on('response', (r) => answers.push([new URL(r.url()).pathname, r.status()]));
  await fetch(origin + '/scim/v2/Users', { headers: SCIM });
  await page.goto(origin + '/_scimock/ui');
  await page.locator('#token-form').waitFor({ state: 'visible', timeout: 5000 });
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('#profiles tbody tr').count(), 0, 'no profile shown');
  assert.equal(await page.locator('#req-table tbody tr').count(), 0, 'no request shown');
  const data = answers.filter(([p]) => !p.startsWith('/_scimock/ui'));
  assert.ok(data.length > 0 && data.every(([, s]) => s === 401), JSON.stringify(answers));
  await page.screenshot({ path: path.join(out, 'dashboard-token.png') });
  // A wrong token is refused, and asked for again.
  await page.locator('#token-input').fill('not-it');
  await page.locator('#token-form button').click();
  await page.locator('#token-msg', { hasText: 'refused' }).waitFor({ timeout: 3000 });
  // The right one opens it.
  await page.locator('#token-input').fill(token);
  await page.locator('#token-form button').click();
  await page.locator('#conn', { hasText: 'live' }).waitFor({ timeout: 5000 });
  assert.ok(await page.locator('#token-form').isHidden());
  await page.locator('#req-table tbody tr', { hasText: '/scim/v2/Users' }).waitFor({ timeout: 2500 });
  assert.equal(await page.locator('#profiles tbody tr').count(), 1);
  assert.ok(!(await page.content()).includes(token), 'the token is not in the page');
  assert.deepEqual(seen.problems.filter((p) => !p.includes('401')), [], 'no console errors or CSP violations');
});
