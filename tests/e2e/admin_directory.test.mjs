// Browser tests of the admin's directory pages: clients (forms, bulk delete, CSV import and
// export), tags, SMPP accounts, messages and reports, against the server tests/run.sh started.
// Screenshots go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt, randomBytes } from 'node:crypto';
import { launch, openPage, screenshot, BASE_URL, ROOT } from './browser.mjs';
import { startHerald, freePort } from './proc.mjs';

const ADMIN_TOKEN = process.env.HERALD_TEST_TOKEN_ADMIN;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(username, password) {
  const s = await openPage(browser, { baseURL: BASE_URL, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await s.page.goto('/admin/login');
  await s.page.fill('input[name=username]', username);
  await s.page.fill('input[name=password]', password);
  await Promise.all([s.page.waitForNavigation(), s.page.click('main button[type=submit]')]);
  return s;
}

async function apiCall(method, path, body) {
  const r = await fetch(`${BASE_URL}${path}`, {
    method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: r.status === 204 ? null : await r.json() };
}

// A phone prefix (7 digits) that no other test uses.
const prefix = () => `79${String(randomInt(0, 100000)).padStart(5, '0')}`;
const word = (p) => `${p}${randomBytes(3).toString('hex')}`;

async function submit(page, selector = 'main form.form button[type=submit]') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('clients: errors beside the fields, create, edit, delete with its confirmation', async () => {
  const { context, page, problems } = await signIn('t_operator', 'password-operator');
  const phone = `${prefix()}0001`, tag = word('e2e');
  await page.goto('/admin/clients/add');
  await page.fill('input[name=phone]', '8900');
  await page.fill('input[name=tag]', tag);
  await page.fill('input[name=timezone]', 'Mars/Olympus');
  await page.click('main form.form button[type=submit]');
  assert.match(await page.textContent('#err-phone'), /11 digits/);
  assert.match(await page.textContent('#err-timezone'), /IANA/);
  assert.equal(await page.inputValue('input[name=tag]'), tag, 'input is kept');
  await screenshot(page, 'client-form-errors');

  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=timezone]', '');
  await submit(page);
  assert.match(await page.textContent('.notice'), /added/);
  await page.fill('input[name=q]', phone);
  await submit(page, 'form.search button');
  assert.ok(await page.isVisible(`a:has-text("${phone}")`));
  await screenshot(page, 'clients-list');

  await submit(page, `a:has-text("${phone}")`);
  assert.equal(await page.inputValue('input[name=tag]'), tag);
  await page.fill('input[name=timezone]', 'Asia/Tokyo');
  await submit(page);
  assert.match(await page.textContent('.notice'), /saved/);
  const list = await apiCall('GET', `/api/v1/clients?phone_prefix=${phone}`);
  assert.equal(list.json.results[0].timezone, 'Asia/Tokyo');

  const admin = await signIn('t_admin', 'password-admin');
  await admin.page.goto(`/admin/clients/${list.json.results[0].id}`);
  assert.ok(await admin.page.isVisible('section.history >> text=client.updated'));
  assert.ok(await admin.page.isVisible('section.history >> text=t_operator'));
  assert.match(await admin.page.textContent('section.history tbody tr'), /timezone: Europe\/Moscow → Asia\/Tokyo/);
  await screenshot(admin.page, 'client-edit-history');
  await admin.context.close();

  await page.goto(`/admin/clients/${list.json.results[0].id}/delete`);
  assert.match(await page.textContent('.confirm p'), /no pending messages/);
  await screenshot(page, 'client-delete');
  await submit(page, 'button.danger');
  assert.match(await page.textContent('.notice'), /deleted/);
  assert.equal((await apiCall('GET', `/api/v1/clients/${list.json.results[0].id}`)).status, 404);
  assert.deepEqual(problems.filter((p) => /CSP|page error/.test(p)), [], 'no script errors or CSP violations');
  await context.close();
});


test('clients: the attributes editor, its messages beside it and the client\'s page', async () => {
  const { context, page, problems } = await signIn('t_operator', 'password-operator');
  const phone = `${prefix()}0001`;
  await page.goto('/admin/clients/add');
  await page.fill('input[name=phone]', phone);
  await page.fill('textarea[name=attributes]', 'first_name = Anna\nno equals sign\nCity=Omsk');
  await page.click('main form.form button[type=submit]');
  const errors = await page.textContent('#err-attributes');
  assert.match(errors, /line 2: “no equals sign” is not key=value/);
  assert.match(errors, /line 3: “City” is not a key/);
  assert.equal(await page.inputValue('textarea[name=attributes]'), 'first_name = Anna\nno equals sign\nCity=Omsk',
    'the text typed is kept');
  await screenshot(page, 'client-attributes-errors');

  await page.fill('textarea[name=attributes]', 'first_name = Anna\ncity=Omsk');
  await submit(page);
  assert.match(await page.textContent('.notice'), /added/);
  const list = await apiCall('GET', `/api/v1/clients?phone_prefix=${phone}`);
  assert.deepEqual(list.json.results[0].attributes, { first_name: 'Anna', city: 'Omsk' });

  await page.goto(`/admin/clients/${list.json.results[0].id}`);
  assert.equal(await page.inputValue('textarea[name=attributes]'), 'city=Omsk\nfirst_name=Anna\n');
  await screenshot(page, 'client-attributes');
  assert.deepEqual(problems.filter((p) => /CSP|page error/.test(p)), [], 'no script errors or CSP violations');
  await context.close();
});
test('clients: filters, bulk delete of the selected rows', async () => {
  const pre = prefix(), tag = word('bulk');
  const made = await apiCall('POST', '/api/v1/clients/bulk',
    [0, 1, 2, 3].map((i) => ({ phone: `${pre}000${i}`, tag })));
  assert.equal(made.json.created, 4);
  const { context, page } = await signIn('t_operator', 'password-operator');
  await page.goto('/admin/clients/');
  await page.fill('#filter-tag', tag);
  await submit(page, 'form.search button');
  assert.equal(await page.locator('tbody tr').count(), 4);
  await page.check(`input[aria-label="Select ${(await apiCall('GET', `/api/v1/clients?phone_prefix=${pre}0000`)).json.results[0].id}"]`);
  await page.check(`input[aria-label="Select ${(await apiCall('GET', `/api/v1/clients?phone_prefix=${pre}0001`)).json.results[0].id}"]`);
  await screenshot(page, 'clients-bulk');
  await submit(page, '.bulk button');
  assert.match(await page.textContent('.notice'), /selected clients were deleted/);
  const left = await apiCall('GET', `/api/v1/clients?tag=${tag}`);
  assert.deepEqual(left.json.results.map((c) => c.phone).sort(), [`${pre}0002`, `${pre}0003`]);
  await context.close();
});

test('clients: CSV import with a per-line report, CSV export as a download', async () => {
  const pre = prefix(), tag = word('csv');
  const csv = `phone,operator_code,tag,timezone\n${pre}0001,,${tag},\n${pre}0002,12,${tag},\nnot-a-phone,,${tag},\n${pre}0003,,"=SUM(A1)",Asia/Tokyo\n`;
  const { context, page } = await signIn('t_operator', 'password-operator');
  await page.goto('/admin/clients/');
  await submit(page, 'a:has-text("Import CSV")');
  await page.setInputFiles('input[name=file]', { name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await submit(page, 'main form button[type=submit]');
  assert.match(await page.textContent('.import-result'), /4\s*rows read/);
  assert.match(await page.textContent('.import-result'), /2\s*created/);
  const rows = await page.locator('table.errors tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /^3operator_code/);
  assert.match(rows[1], /^4phone/);
  await screenshot(page, 'clients-import-report');

  await page.goto(`/admin/clients/?q=${pre}&sort=phone`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export CSV")')]);
  assert.equal(download.suggestedFilename(), 'clients.csv');
  const text = await readFile(await download.path(), 'utf8');
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'id,phone,operator_code,tag,timezone,created_at,updated_at');
  assert.equal(lines.length, 3);
  assert.match(lines[1], new RegExp(`,${pre}0001,${pre.slice(1, 4)},${tag},Europe/Moscow,`));
  assert.match(lines[2], new RegExp(`,${pre}0003,${pre.slice(1, 4)},"'=SUM\\(A1\\)",Asia/Tokyo,`));
  await context.close();
});

test('tags: create, rename, refused delete while used, delete', async () => {
  const name = word('tag');
  const { context, page } = await signIn('t_operator', 'password-operator');
  await page.goto('/admin/tags/add');
  await submit(page);
  assert.match(await page.textContent('#err-name'), /empty|required/);
  await page.fill('input[name=name]', name);
  await submit(page);
  assert.match(await page.textContent('.notice'), /added/);
  await page.goto(`/admin/tags/?q=${name}`);
  await submit(page, `a:has-text("${name}")`);
  await page.fill('input[name=name]', `${name}-renamed`);
  await submit(page);
  await page.goto(`/admin/tags/?q=${name}`);
  assert.ok(await page.isVisible(`a:has-text("${name}-renamed")`));
  await screenshot(page, 'tags-list');
  const id = new URL(await page.getAttribute(`a:has-text("${name}-renamed")`, 'href'), BASE_URL).pathname.split('/')[3];

  const client = await apiCall('POST', '/api/v1/clients', { phone: `${prefix()}0001`, tag: `${name}-renamed` });
  const resp = await page.goto(`/admin/tags/${id}/delete`);
  assert.equal(resp.status(), 200, "the page explains; only a POST is refused");
  assert.match(await page.textContent('.error-summary'), /cannot be deleted: 1 client uses it/);
  await screenshot(page, 'tag-delete-refused');
  await apiCall('DELETE', `/api/v1/clients/${client.json.id}`);
  await page.goto(`/admin/tags/${id}/delete`);
  await submit(page, 'button.danger');
  assert.match(await page.textContent('.notice'), /deleted/);
  await context.close();
});

test('SMPP accounts: admins create one, operators cannot see the page', async () => {
  const sid = word('esme').slice(0, 16);
  const { context, page } = await signIn('t_admin', 'password-admin');
  await page.goto('/admin/smpp-accounts/add');
  await page.fill('input[name=system_id]', sid);
  await page.fill('input[name=password]', 'has space');
  await page.click('main form.form button[type=submit]');
  assert.match(await page.textContent('#err-password'), /1 to 64/);
  await page.fill('input[name=password]', 'pw1');   // SMPP 3.4 passwords may be short
  await page.fill('input[name=throughput]', '300');
  await page.fill('input[name=allowed_cidrs]', '127.0.0.0/8');
  await screenshot(page, 'smpp-account-form');
  await submit(page);
  assert.match(await page.textContent('.notice'), /added/);
  assert.ok(await page.isVisible(`a:has-text("${sid}")`));
  await screenshot(page, 'smpp-accounts');
  await context.close();

  const op = await signIn('t_operator', 'password-operator');
  assert.equal(await op.page.isVisible('nav.nav >> text=SMPP accounts'), false);
  assert.equal((await op.page.goto('/admin/smpp-accounts/')).status(), 403);
  await op.context.close();
});

test('messages: filtered list and a read-only detail page', async () => {
  const phone = `${prefix()}0001`;
  const m = await apiCall('POST', '/api/v1/messages', { phone, text: 'Hello from the e2e test', send_at: '2099-01-01T00:00:00Z', end_at: '2099-01-02T00:00:00Z' });
  assert.equal(m.status, 202);
  const { context, page } = await signIn('t_viewer', 'password-viewer');
  await page.goto('/admin/messages/');
  await page.selectOption('#filter-status', 'pending');
  await page.fill('#filter-phone', phone);
  await submit(page, 'form.search button');
  assert.equal(await page.locator('tbody tr').count(), 1);
  await screenshot(page, 'messages-list');
  await submit(page, `a[href="/admin/messages/${m.json.id}"]`);
  assert.match(await page.textContent('pre.body'), /Hello from the e2e test/);
  assert.equal(await page.locator('main form').count(), 0, 'read-only');
  await screenshot(page, 'message-detail');
  await context.close();
});

test('reports: history, preview, and send now explains the missing SMTP setup', async () => {
  const { context, page } = await signIn('t_admin', 'password-admin');
  await page.goto('/admin/reports/');
  assert.match(await page.textContent('.error-summary'), /not sent/);
  await screenshot(page, 'reports');
  await submit(page, 'a:has-text("Preview the next report")');
  assert.ok((await page.textContent('pre.body')).length > 20);
  await screenshot(page, 'report-preview');
  const html = await context.request.get('/admin/reports/preview/html');
  assert.equal(html.status(), 200);
  assert.ok(html.headersArray().some((h) => h.name.toLowerCase() === 'content-security-policy' && h.value.startsWith('sandbox')));
  // the e-mail's HTML part as a mail client shows it: Russian by default, five headline figures
  await page.goto('/admin/reports/preview/html');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await page.locator('#headline tr[id^=headline-]').count(), 5);
  assert.match(await page.textContent('#headline-sent th'), /Отправлено сообщений/);
  await screenshot(page, 'report-email');
  await page.goto('/admin/reports/');
  const [resp] = await Promise.all([page.waitForNavigation(), page.click('button:has-text("Send a report now")')]);
  assert.equal(resp.status(), 503);
  assert.match(await page.textContent('.error-summary'), /The report was not sent: .*HERALD_SMTP_URL/);
  await screenshot(page, 'report-send-failed');
  await context.close();
});

test('reports: send now through a real SMTP server shows the sent report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-sink-'));
  const sink = spawn('/usr/bin/python3', [join(ROOT, 'tests/smtp_sink.py'), 'serve', dir, '--port-file', join(dir, 'port')],
    { stdio: 'ignore' });
  let smtpPort = 0;
  for (let i = 0; i < 100 && !smtpPort; i++) {
    smtpPort = Number(await readFile(join(dir, 'port'), 'utf8').catch(() => '0'));
    if (!smtpPort) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(smtpPort > 0, 'the SMTP sink listens');
  const httpPort = await freePort();
  const herald = await startHerald({ roles: 'web,smpp', env: {
    HERALD_LISTEN: `127.0.0.1:${httpPort}`, HERALD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    HERALD_REPORT_TO: 'ops@herald.test', HERALD_REPORT_FROM: 'reports@herald.test' } });
  try {
    const s = await openPage(browser, { baseURL: `http://127.0.0.1:${httpPort}` });
    await s.page.goto('/admin/login');
    await s.page.fill('input[name=username]', 't_admin');
    await s.page.fill('input[name=password]', 'password-admin');
    await submit(s.page, 'main button[type=submit]');
    await s.page.goto('/admin/reports/');
    assert.equal(await s.page.locator('.error-summary').count(), 0);
    await submit(s.page, 'button:has-text("Send a report now")');
    assert.match(new URL(s.page.url()).pathname, /^\/admin\/reports\/\d+$/);
    assert.match(await s.page.textContent('.notice'), /was sent/);
    assert.match(await s.page.textContent('.props'), /sent/);
    assert.match(await s.page.textContent('pre.body'), /Статистика herald/);
    await screenshot(s.page, 'report-sent');
    const mails = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    assert.equal(mails.length, 1);
    await s.context.close();
  } finally {
    await herald.stop();
    sink.kill('SIGTERM');
  }
});
