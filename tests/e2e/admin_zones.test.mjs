// Browser tests of per-user time zones (API.md 9.7): an admin sets a user's zone on the users
// form; that user's mailing form reads wall times in it (Asia/Vladivostok, +10; America/New_York
// with its summer time), the API answers the UTC instants, and the edit form, the list and the
// mailing's page show the same wall times with the offset; the messages list's date filter reads
// local days; a user without a zone has HERALD_DEFAULT_TIMEZONE (Europe/Moscow here).
// Screenshots go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BASE_URL, launch, screenshot, signIn } from './browser.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function sql(q) {
  return execFileSync('psql', [process.env.DATABASE_URL, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}

// A new operator made on the admin's users form, with zone set on its edit form (null: none);
// signed in.
async function zoneUser(zone) {
  const name = `zone_${randomBytes(4).toString('hex')}`;
  const admin = await signIn(browser, 't_admin', 'password-admin');
  await admin.page.goto(`${BASE_URL}/admin/users/add`);
  await admin.page.fill('input[name=username]', name);
  await admin.page.fill('input[name=password]', 'long-enough-1');
  await admin.page.selectOption('select[name=role]', 'operator');
  await Promise.all([admin.page.waitForNavigation(), admin.page.click('main button[type=submit]')]);
  if (zone) {
    await admin.page.goto(`${BASE_URL}/admin/users/${sql(`SELECT id FROM users WHERE username = '${name}'`)}`);
    await admin.page.fill('input[name=timezone]', zone);
    await Promise.all([admin.page.waitForNavigation(), admin.page.click('main button[type=submit]')]);
    assert.equal(sql(`SELECT timezone FROM users WHERE username = '${name}'`), zone);
  }
  await admin.context.close();
  return signIn(browser, name, 'long-enough-1');
}

async function apiMailing(id) {
  const r = await fetch(`${BASE_URL}/api/v1/mailings/${id}`, {
    headers: { Authorization: `Bearer ${process.env.HERALD_TEST_TOKEN_VIEWER}` },
  });
  assert.equal(r.status, 200);
  return r.json();
}

// Fills and sends the new-mailing form; the new mailing's id.
async function createMailing(page, start, end) {
  await page.goto(`${BASE_URL}/admin/mailings/add`);
  await page.fill('input[name=start_at]', start);
  await page.fill('input[name=end_at]', end);
  await page.fill('textarea[name=text]', `zoned ${randomBytes(4).toString('hex')}`);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/admin\/mailings\/\d+$/);
  return url.pathname.split('/').pop();
}

test('Vladivostok: a local 10:00 is stored at 00:00 UTC and shown back as 10:00', async () => {
  const { context, page } = await zoneUser('Asia/Vladivostok');
  await page.goto(`${BASE_URL}/admin/mailings/add`);
  assert.equal(await page.textContent('label[for=f-start_at]'), 'Start (Asia/Vladivostok, UTC+10:00) *');
  const id = await createMailing(page, '2099-06-01T10:00', '2099-06-02T10:00');
  const m = await apiMailing(id);
  assert.equal(m.start_at, '2099-06-01T00:00:00Z');
  assert.equal(m.end_at, '2099-06-02T00:00:00Z');
  assert.match(await page.textContent('main'), /2099-06-01 10:00 UTC\+10:00/);
  await screenshot(page, 'mailing-page-vladivostok');
  await page.goto(`${BASE_URL}/admin/mailings/${id}/edit`);
  assert.equal(await page.inputValue('input[name=start_at]'), '2099-06-01T10:00');
  assert.equal(await page.inputValue('input[name=end_at]'), '2099-06-02T10:00');
  await screenshot(page, 'mailing-edit-vladivostok');
  await page.goto(`${BASE_URL}/admin/mailings/?sort=-id`);
  const row = page.locator(`tr:has(a[href="/admin/mailings/${id}"])`);
  assert.match(await row.textContent(), /2099-06-01 10:00 UTC\+10:00[\s\S]*2099-06-02 10:00 UTC\+10:00/);
  await context.close();
});

test('New York: summer and winter offsets, and a time the clocks skip', async () => {
  const { context, page } = await zoneUser('America/New_York');
  const id = await createMailing(page, '2099-07-01T10:00', '2099-12-01T10:00');
  const m = await apiMailing(id);
  assert.equal(m.start_at, '2099-07-01T14:00:00Z');
  assert.equal(m.end_at, '2099-12-01T15:00:00Z');
  await page.goto(`${BASE_URL}/admin/mailings/?sort=-id`);
  const row = page.locator(`tr:has(a[href="/admin/mailings/${id}"])`);
  assert.match(await row.textContent(), /2099-07-01 10:00 UTC-04:00[\s\S]*2099-12-01 10:00 UTC-05:00/);
  await page.goto(`${BASE_URL}/admin/mailings/${id}/edit`);
  assert.equal(await page.inputValue('input[name=start_at]'), '2099-07-01T10:00');
  assert.equal(await page.inputValue('input[name=end_at]'), '2099-12-01T10:00');
  await page.goto(`${BASE_URL}/admin/mailings/add`);
  await page.fill('input[name=start_at]', '2099-03-08T02:30');
  await page.fill('input[name=end_at]', '2099-03-09T10:00');
  await page.fill('textarea[name=text]', 'gap');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-start_at'), /2099-03-08 02:30 does not exist in America\/New_York/);
  assert.equal(await page.inputValue('input[name=start_at]'), '2099-03-08T02:30');
  await screenshot(page, 'mailing-form-dst-gap');
  await context.close();
});

test('the messages list filters local days', async () => {
  const { context, page } = await zoneUser('Asia/Vladivostok');
  const r = await fetch(`${BASE_URL}/api/v1/mailings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.HERALD_TEST_TOKEN_ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ start_at: '2099-05-01T09:00:00Z', end_at: '2099-05-03T09:00:00Z', text: 'zoned messages' }),
  });
  assert.equal(r.status, 201);
  const m = (await r.json()).id;
  // 15:00 UTC on March 1 is 01:00 on March 2 in Vladivostok
  sql(`INSERT INTO messages (mailing_id, phone, status, due_at, expires_at, created_at)
       VALUES (${m}, '79990000001', message_status('pending'), '2099-03-01Z', '2099-03-05Z', '2099-03-01T15:00:00Z')`);
  await page.goto(`${BASE_URL}/admin/messages/?mailing_id=${m}`);
  assert.match(await page.textContent('label[for=filter-from]'), /Created from \(Asia\/Vladivostok, UTC\+10:00\)/);
  await page.fill('#filter-from', '2099-03-02');
  await page.fill('#filter-to', '2099-03-02');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert.equal(await page.textContent('p.count'), '1 message');
  assert.match(await page.textContent('main table'), /2099-03-02 01:00 UTC\+10:00/);
  await page.fill('#filter-from', '2099-03-01');
  await page.fill('#filter-to', '2099-03-01');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert.equal(await page.textContent('p.count'), '0 messages');
  await context.close();
});

test('a user without a zone has HERALD_DEFAULT_TIMEZONE', async () => {
  const { context, page } = await zoneUser(null);
  const offset = sql(`SELECT utc_offset_text(now(), 'Europe/Moscow')`);
  await page.goto(`${BASE_URL}/admin/mailings/add`);
  assert.equal(await page.textContent('label[for=f-start_at]'), `Start (Europe/Moscow, ${offset}) *`);
  const id = await createMailing(page, '2099-06-01T10:00', '2099-06-02T10:00');
  assert.equal((await apiMailing(id)).start_at, '2099-06-01T07:00:00Z');
  assert.match(await page.textContent('main'), /2099-06-01 10:00 UTC\+03:00/);
  await context.close();
});
