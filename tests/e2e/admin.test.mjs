// Browser tests of the admin UI: Debian's chromium driven by playwright-core against the server
// the harness started (tests/run.sh: HERALD_TEST_URL, users t_admin/t_operator/t_viewer with
// passwords password-<role>, HERALD_TEST_TOKEN_ADMIN). Screenshots go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { chromium } from 'playwright-core';

const BASE = process.env.HERALD_TEST_URL;
const ROOT = process.env.HERALD_ROOT || process.cwd();
const SHOTS = join(ROOT, 'build', 'screenshots');
const ADMIN_TOKEN = process.env.HERALD_TEST_TOKEN_ADMIN;
let browser;

before(async () => {
  assert.ok(BASE, 'HERALD_TEST_URL is not set (run through tests/run.sh)');
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => { await browser?.close(); });

async function signIn(username, password) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto('/admin/');
  assert.match(page.url(), /\/admin\/login\?next=/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// An operator code nobody uses yet (checked through the API).
async function freeCode() {
  for (;;) {
    const code = String(randomInt(100, 1000));
    const r = await fetch(`${BASE}/api/v1/operators/${code}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (r.status === 404) return code;
  }
}

test('sign-in page, dashboard and navigation by role', async () => {
  const ctx = await browser.newContext({ baseURL: BASE });
  const p = await ctx.newPage();
  await p.goto('/admin/login');
  await shot(p, 'login');
  await ctx.close();

  const { context, page } = await signIn('t_admin', 'password-admin');
  assert.equal(new URL(page.url()).pathname, '/admin/');
  assert.equal(await page.textContent('h1'), 'Dashboard');
  assert.ok(await page.isVisible('nav.nav >> text=Users'));
  assert.ok(await page.isVisible('.user >> text=t_admin'));
  await shot(page, 'dashboard');
  await context.close();
});

test('operators: validation errors beside the field, create, edit, delete', async () => {
  const { context, page } = await signIn('t_admin', 'password-admin');
  const code = await freeCode();
  await page.goto('/admin/operators/add');
  await page.fill('input[name=code]', '12');
  await page.fill('input[name=name]', 'Kept <b>name</b>');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-code'), /3 digits/);
  assert.equal(await page.inputValue('input[name=name]'), 'Kept <b>name</b>');
  assert.equal(await page.getAttribute('input[name=code]', 'aria-invalid'), 'true');
  await shot(page, 'operator-form-errors');

  await page.fill('input[name=code]', code);
  await page.fill('input[name=name]', `E2E ${code}`);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/admin/operators/');
  assert.match(await page.textContent('.notice'), /added/);
  await page.fill('input[name=q]', code);
  await Promise.all([page.waitForNavigation(), page.click('form.search button')]);
  assert.ok(await page.isVisible(`td >> text=E2E ${code}`));
  await shot(page, 'operators-list');

  await Promise.all([page.waitForNavigation(), page.click(`a[href="/admin/operators/${code}"]`)]);
  assert.equal(await page.inputValue('input[name=name]'), `E2E ${code}`);
  await shot(page, 'operator-edit');
  await page.fill('input[name=name]', `Renamed ${code}`);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const api = await fetch(`${BASE}/api/v1/operators/${code}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal((await api.json()).name, `Renamed ${code}`);

  await page.goto(`/admin/operators/${code}/delete`);
  await shot(page, 'operator-delete');
  await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
  assert.match(await page.textContent('.notice'), /deleted/);
  const gone = await fetch(`${BASE}/api/v1/operators/${code}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(gone.status, 404);

  await page.goto(`/admin/history/?q=operator+${code}`);
  for (const action of ['operator.created', 'operator.updated', 'operator.deleted'])
    assert.ok(await page.isVisible(`td >> text=${action}`), action);
  await shot(page, 'history');
  await context.close();
});

test('a viewer can look but not change anything', async () => {
  const code = await freeCode();
  const made = await fetch(`${BASE}/api/v1/operators`, {
    method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, name: 'viewer sees me' }),
  });
  assert.equal(made.status, 201);
  const { context, page } = await signIn('t_viewer', 'password-viewer');
  assert.equal(await page.isVisible('nav.nav >> text=Users'), false);
  await page.goto('/admin/operators/');
  assert.equal(await page.isVisible('text=Add operator'), false);
  assert.equal(await page.locator('input[name=key]').count(), 0);
  await page.goto(`/admin/operators/${code}`);
  assert.equal(await page.getAttribute('input[name=name]', 'readonly'), '');
  assert.equal(await page.locator('button[type=submit]:has-text("Save")').count(), 0);
  await shot(page, 'operator-viewer');
  const resp = await page.goto('/admin/operators/add');
  assert.equal(resp.status(), 403);
  const users = await page.goto('/admin/users/');
  assert.equal(users.status(), 403);
  // even with a valid CSRF token a viewer's POST is refused
  const csrf = await page.getAttribute('input[name=csrf_token]', 'value');
  const post = await context.request.post(`/admin/operators/${code}`, { form: { csrf_token: csrf, name: 'changed' }, maxRedirects: 0 });
  assert.equal(post.status(), 403);
  await context.close();
});

test('a POST without a valid CSRF token gets 403', async () => {
  const { context, page } = await signIn('t_operator', 'password-operator');
  const code = await freeCode();
  const none = await context.request.post('/admin/operators/add', { form: { code, name: 'x' }, maxRedirects: 0 });
  assert.equal(none.status(), 403);
  const bad = await context.request.post('/admin/operators/add', { form: { code, name: 'x', csrf_token: 'a'.repeat(64) }, maxRedirects: 0 });
  assert.equal(bad.status(), 403);
  const api = await fetch(`${BASE}/api/v1/operators/${code}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(api.status, 404);
  await page.goto('/admin/operators/add');
  const csrf = await page.getAttribute('input[name=csrf_token]', 'value');
  const ok = await context.request.post('/admin/operators/add', { form: { code, name: 'x', csrf_token: csrf }, maxRedirects: 0 });
  assert.equal(ok.status(), 303);
  await fetch(`${BASE}/api/v1/operators/${code}`, { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  await context.close();
});

test('sign-in is throttled after repeated bad passwords', async () => {
  const name = `e2e_${randomBytes(4).toString('hex')}`;
  const { context, page } = await signIn('t_admin', 'password-admin');
  await page.goto('/admin/users/add');
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', 'correct-horse-1');
  await page.selectOption('select[name=role]', 'operator');
  await shot(page, 'user-add');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /added/);
  await page.goto(`/admin/users/?q=${name}`);
  assert.ok(await page.isVisible(`a >> text=${name}`));
  await shot(page, 'users-list');
  await context.close();

  const ctx = await browser.newContext({ baseURL: BASE });
  const p = await ctx.newPage();
  for (let i = 0; i < 5; i++) {
    await p.goto('/admin/login');
    await p.fill('input[name=username]', name);
    await p.fill('input[name=password]', `wrong-${i}-password`);
    await p.click('main button[type=submit]');
    assert.match(await p.textContent('.error-summary'), /not right/);
    assert.equal(await p.inputValue('input[name=username]'), name);
  }
  await p.goto('/admin/login');
  await p.fill('input[name=username]', name);
  await p.fill('input[name=password]', 'correct-horse-1');
  await p.click('main button[type=submit]');
  assert.match(await p.textContent('.error-summary'), /Too many failed attempts/);
  assert.match(new URL(p.url()).pathname, /\/admin\/login/);
  await shot(p, 'login-throttled');
  await ctx.close();
});

test('API token: create it once, use it, revoke it; then sign out', async () => {
  const { context, page } = await signIn('t_admin', 'password-admin');
  await page.goto('/admin/tokens/add');
  await page.fill('input[name=name]', 'e2e token');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const token = await page.inputValue('input.token');
  assert.match(token, /^hrd_[A-Za-z0-9_-]{43}$/);
  await shot(page, 'token-created');
  const r = await fetch(`${BASE}/api/v1/operators`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  assert.ok(Array.isArray((await r.json()).results));

  await page.goto('/admin/tokens/');
  assert.ok(await page.isVisible('td >> text=e2e token'));
  await shot(page, 'tokens-list');
  const href = await page.locator('tr', { hasText: 'e2e token' }).first().locator('a').first().getAttribute('href');
  await page.goto(href);
  await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
  assert.match(await page.textContent('.notice'), /revoked/);

  await Promise.all([page.waitForNavigation(), page.click('.user button')]);
  assert.equal(new URL(page.url()).pathname, '/admin/login');
  await page.goto('/admin/operators/');
  assert.match(page.url(), /\/admin\/login\?next=%2Fadmin%2Foperators%2F/);
  await context.close();
});

test('the dashboard refreshes its figures by itself', async () => {
  const { context, page } = await signIn('t_viewer', 'password-viewer');
  await page.goto('/admin/');
  const total = () => page.textContent('#dash #h-messages + .cards .stat .n');
  const before = Number(await total());
  const phones = Array.from({ length: 3 }, () => `79${String(randomInt(0, 1e9)).padStart(9, '0')}`);
  const r = await fetch(`${BASE}/api/v1/messages/batch`, {
    method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ phones, text: 'dashboard refresh', send_at: '2099-01-01T00:00:00Z' }),
  });
  assert.equal(r.status, 202);
  // no reload: htmx swaps #dash every 10 s
  await page.waitForFunction((n) => Number(document.querySelector('#dash #h-messages + .cards .stat .n').textContent) >= n,
    before + 3, { timeout: 25000 });
  assert.ok(Number(await total()) >= before + 3);
  await context.close();
});
