// Browser tests of spreadsheets at scale: an Excel CSV import (Windows-1251, semicolons, phones
// as typed) with what was normalised, a large import as a background job whose page refreshes
// itself until done, cancelling one, the Excel export as a download, and the messages list
// newest first with previous / next. Screenshots go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomInt, randomBytes } from 'node:crypto';
import { launch, openPage, screenshot, BASE_URL } from './browser.mjs';

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

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// "Клиенты" in Windows-1251, as Excel on a Russian Windows saves it.
const KLIENTY_1251 = Buffer.from([0xCA, 0xEB, 0xE8, 0xE5, 0xED, 0xF2, 0xFB]);

// A CSV of 10,000 rows per prefix of tag, each padded with an ignored column.
function bigCsv(prefixes, tag, pad) {
  const rows = ['phone,tag,created_at'];
  for (const p of prefixes)
    for (let i = 0; i < 10000; i++) rows.push(`${p}${String(i).padStart(4, '0')},${tag},${'x'.repeat(pad)}`);
  return Buffer.from(rows.join('\r\n') + '\r\n');
}

async function uploadCsv(page, name, buffer) {
  await page.goto('/admin/clients/import');
  await page.setInputFiles('input[name=file]', { name, mimeType: 'text/csv', buffer });
  await submit(page, 'main form button[type=submit]');
}

test('import: an Excel file in Windows-1251 with phones as typed', async () => {
  const pre = prefix();
  const csv = Buffer.concat([
    Buffer.from(`phone;tag\r\n+7 (${pre.slice(1, 4)}) ${pre.slice(4)}-00-01;`), KLIENTY_1251,
    Buffer.from(`\r\n8 ${pre.slice(1, 4)} ${pre.slice(4)} 00 02;`), KLIENTY_1251,
    Buffer.from(`\r\nnot a phone;x\r\n`)]);
  const { context, page, problems } = await signIn('t_operator', 'password-operator');
  await uploadCsv(page, 'excel.csv', csv);
  const result = await page.textContent('.import-result');
  assert.match(result, /3\s*rows read/);
  assert.match(result, /2\s*created/);
  assert.match(result, /Read as Windows-1251, semicolon-separated/);
  assert.match(result, /2 phones normalised/);
  assert.match(result, new RegExp(`8 ${pre.slice(1, 4)} ${pre.slice(4)} 00 02 → ${pre}0002`));
  assert.match(await page.textContent('table.errors tbody tr'), /^4phonemust be a Russian mobile phone/);
  await screenshot(page, 'import-excel');
  const list = await apiCall('GET', `/api/v1/clients?phone_prefix=${pre}`);
  assert.deepEqual(list.json.results.map((c) => c.tag), ['Клиенты', 'Клиенты']);
  assert.deepEqual(problems.filter((p) => !p.startsWith('HTTP')), []);
  await context.close();
});

test('import: a large file runs in the background; its page refreshes until done', async () => {
  const tag = word('bg'), pres = [prefix(), prefix()];
  const { context, page, problems } = await signIn('t_operator', 'password-operator');
  await uploadCsv(page, 'big.csv', bigCsv(pres, tag, 40));
  assert.match(page.url(), /\/admin\/clients\/import\/\d+\?done=queued$/);
  assert.match(await page.textContent('.notice'), /imported in the background/);
  assert.ok(await page.isVisible('#job progress'));
  await screenshot(page, 'import-job-running');
  // htmx swaps #job every 2 s while the job is open; no reload here
  await page.waitForSelector('#job [data-status=done]', { timeout: 120000 });
  assert.equal(await page.textContent('[data-n=created]'), '20000');
  assert.equal(await page.getAttribute('#job progress', 'value'), '100');
  assert.equal(await page.isVisible('button:has-text("Cancel import")'), false);
  await screenshot(page, 'import-job-done');
  await page.goto('/admin/clients/import');
  assert.ok(await page.isVisible('table.jobs >> text=done'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('import: a background import can be cancelled', async () => {
  const tag = word('cx'), pres = Array.from({ length: 8 }, prefix);
  const { context, page } = await signIn('t_operator', 'password-operator');
  await uploadCsv(page, 'big.csv', bigCsv(pres, tag, 0));
  await submit(page, 'button:has-text("Cancel import")');
  assert.match(await page.textContent('.notice'), /cancelled/);
  assert.equal(await page.textContent('#job .status'), 'cancelled');
  assert.equal(await page.isVisible('button:has-text("Cancel import")'), false);
  await screenshot(page, 'import-job-cancelled');
  await context.close();
});

test('export: Excel form as a download (BOM, semicolons, CRLF)', async () => {
  const pre = prefix();
  await apiCall('POST', '/api/v1/clients/bulk', [{ phone: `${pre}0001`, tag: 'a;b' }]);
  const { context, page } = await signIn('t_viewer', 'password-viewer');
  await page.goto(`/admin/clients/?q=${pre}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export for Excel")')]);
  const bytes = await readFile(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xEF, 0xBB, 0xBF]);
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], 'id;phone;operator_code;tag;timezone;created_at;updated_at');
  assert.match(lines[1], new RegExp(`;${pre}0001;${pre.slice(1, 4)};"a;b";Europe/Moscow;`));
  await context.close();
});

test('messages: newest first, next and previous pages, filters', async () => {
  const pre = prefix();
  const phones = Array.from({ length: 60 }, (_, i) => `${pre}${String(i).padStart(4, '0')}`);
  const b = await apiCall('POST', '/api/v1/messages/batch', { phones, text: 'e2e list', send_at: '2099-01-01T00:00:00Z' });
  assert.equal(b.status, 202);
  const { context, page, problems } = await signIn('t_viewer', 'password-viewer');
  await page.goto(`/admin/messages/?mailing_id=${b.json.mailing_id}`);
  assert.equal(await page.textContent('.pager .count'), '60 messages');
  const first = await page.locator('table tbody tr').allTextContents();
  assert.equal(first.length, 50);
  const ids = (rows) => rows.map((r) => Number(r.match(/\d+/)[0]));
  assert.deepEqual(ids(first), [...ids(first)].sort((x, y) => y - x), 'newest first');
  await submit(page, 'a[rel=next]');
  assert.equal((await page.locator('table tbody tr').allTextContents()).length, 10);
  await screenshot(page, 'messages-page-2');
  await submit(page, 'a[rel=prev]');
  assert.deepEqual(ids(await page.locator('table tbody tr').allTextContents()), ids(first));
  // the filters form: a phone as typed
  await page.fill('input[name=phone]', `+7 (${pre.slice(1, 4)}) ${pre.slice(4)}-00-59`);
  await submit(page, 'form.search button');
  assert.equal(await page.textContent('.pager .count'), '1 message');
  await screenshot(page, 'messages-filtered');
  assert.deepEqual(problems, []);
  await context.close();
});
