// What the browser tests share: their environment, and a headless Chromium page (a fresh
// profile, removed after the test) that records what it fetched, the console errors and
// warnings (CSP violations among them), page errors and dialogs.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

/** The value of environment variable `name`, which scripts/browser-tests.sh sets. */
const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is set (run scripts/browser-tests.sh)`);
  return v;
};

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A page in headless Chromium for test `t`, `width` pixels wide; dialogs are accepted when
 * `acceptDialogs`, else dismissed. Returns { page, seen: { requests, problems, dialogs } }.
 */
async function openPage(t, { width, acceptDialogs }) {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scimock-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width, height: 900 },
  });
  t.after(async () => {
    await context.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  });
  const page = context.pages()[0] || (await context.newPage());
  const seen = { requests: [], problems: [], dialogs: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.problems.push(m.text());
  });
  page.on('pageerror', (e) => seen.problems.push(String(e)));
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await (acceptDialogs ? d.accept() : d.dismiss());
  });
  return { page, seen };
}

module.exports = { env, openPage };
