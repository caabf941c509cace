// Shared browser launch for the node:test suites: Debian's chromium driven by playwright-core.
// Never downloads a browser; the flags keep chromium from reaching for the (absent) network.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_URL = process.env.HERALD_TEST_URL;

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// Starts chromium; the caller closes it (browser.close()).
export async function launch() {
  if (!BASE_URL) throw new Error('HERALD_TEST_URL is not set: run the tests through tests/run.sh');
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// A new page that records console errors, uncaught page errors, failed requests and
// Content-Security-Policy violations into the returned `problems` array.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1600 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // net::ERR_ABORTED is the browser itself dropping a request when the page navigates away
  // (the favicon of a page left by a form submit): nothing the server did.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText;
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return { context, page, problems };
}

// openPage (a 1280x900 viewport, then options) signed in to the admin as user.
export async function signIn(browser, user, password, options = {}) {
  const opened = await openPage(browser, { viewport: { width: 1280, height: 900 }, ...options });
  const { page } = opened;
  await page.goto(`${BASE_URL}/admin/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  return opened;
}

// Writes a full-page screenshot to build/screenshots/NAME.png and returns its path.
export async function screenshot(page, name) {
  const dir = join(ROOT, 'build', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// A call of the JSON API as the suite's admin token; the answer's JSON (null when empty).
// Fails the test on a status of 300 or more.
export async function api(method, path, body) {
  const r = await fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${process.env.HERALD_TEST_TOKEN_ADMIN}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A random mobile phone in the stored form (79XXXXXXXXX).
export function phone() {
  return `79${String(randomBytes(5).readUIntBE(0, 5) % 1e9).padStart(9, '0')}`;
}
