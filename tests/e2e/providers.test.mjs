// Browser test of the providers' pages (issue 14 item 1): an admin adds a provider with a token
// and a delivery report secret, the list says the token is set, the edit form keeps both when
// its fields stay empty, and no page (list, edit, history) nor the database's history ever
// shows either; the pages in Russian. The provider is made disabled, so that the suite's herald
// keeps sending through its own provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BASE_URL, launch, screenshot, signIn } from './browser.mjs';

const TOKEN = `tok-SECRET-${randomBytes(4).toString('hex')}`;
const DLR = `dlr-SECRET-${randomBytes(4).toString('hex')}`;
let browser;

function sql(q) {
  return execFileSync('psql', [process.env.DATABASE_URL, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}

// What a page recorded, less the 422 of a form redisplayed with its messages.
const unexpected = (problems) => problems.filter((p) => !/\b422\b/.test(p));

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a provider from its page: secrets written, never shown', async () => {
  const { page, problems } = await signIn(browser, 't_admin', 'password-admin',
    { extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' } });
  const name = `prov-${randomBytes(4).toString('hex')}`;
  await page.goto(`${BASE_URL}/admin/providers/add`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=url]', 'ftp://example.invalid/v1');
  await page.fill('input[name=token]', TOKEN);
  await page.fill('input[name=dlr_secret]', DLR);
  await page.fill('input[name=operator_codes]', '916, 917');
  await page.fill('input[name=weight]', '2');
  await page.uncheck('input[name=enabled]');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-url'), /http/, 'a URL that is not http(s) is refused beside its field');
  assert.equal(await page.inputValue('input[name=token]'), '', 'a secret is never sent back, not even in a redisplayed form');
  await page.fill('input[name=url]', 'http://127.0.0.1:9/v1');
  await page.fill('input[name=token]', TOKEN);
  await page.fill('input[name=dlr_secret]', DLR);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/admin\/providers\/$/);
  const row = page.locator('main table tbody tr', { hasText: name });
  const cells = (await row.locator('td, th').allTextContents()).map((t) => t.trim());
  assert.ok(cells.includes('916, 917'), `the codes column: ${cells}`);
  assert.ok(cells.includes('set'), `the token column says "set": ${cells}`);
  assert.ok(cells.includes('no limit'), `the rate column says a rate of 0 has no limit: ${cells}`);
  assert.doesNotMatch(await page.content(), /SECRET/);
  await screenshot(page, 'providers-list');

  const id = sql(`SELECT id FROM providers WHERE name = '${name}'`);
  await page.goto(`${BASE_URL}/admin/providers/${id}`);
  assert.equal(await page.inputValue('input[name=operator_codes]'), '916, 917');
  assert.equal(await page.inputValue('input[name=token]'), '');
  assert.equal(await page.inputValue('input[name=dlr_secret]'), '');
  await page.fill('input[name=weight]', '3');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.equal(sql(`SELECT weight || ' ' || token || ' ' || dlr_secret || ' ' || enabled FROM providers WHERE id = ${id}`),
    `3 ${TOKEN} ${DLR} false`, 'empty secret fields keep the secrets');
  await page.goto(`${BASE_URL}/admin/providers/${id}`);
  assert.doesNotMatch(await page.content(), /SECRET/, 'the edit page and its history hold no secret');
  await page.goto(`${BASE_URL}/admin/history/`);
  assert.doesNotMatch(await page.content(), /SECRET/);

  // the dashboard shows each live instance's view of its providers (provider_health)
  sql(`INSERT INTO provider_health (instance, provider_id, state, requests, failures) VALUES ('e2e-host:1', ${id}, 'open', 42, 40)`);
  await page.goto(`${BASE_URL}/admin/`);
  const health = page.locator('#h-providers + div table tbody tr', { hasText: name });
  assert.deepEqual((await health.locator('td').allTextContents()).map((t) => t.trim()),
    [name, 'e2e-host:1', 'open (not sending)', '42', '40']);
  await screenshot(page, 'providers-dashboard');
  sql(`DELETE FROM provider_health WHERE instance = 'e2e-host:1'`);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE detail::text LIKE '%SECRET%'`), '0');
  assert.deepEqual(unexpected(problems), []);
});

test('the providers pages in Russian', async () => {
  const { page, problems } = await signIn(browser, 't_admin', 'password-admin',
    { extraHTTPHeaders: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
  await page.goto(`${BASE_URL}/admin/providers/`);
  assert.equal(await page.textContent('main h1'), 'Провайдеры');
  await page.goto(`${BASE_URL}/admin/providers/add`);
  assert.match(await page.textContent('main'), /Коды операторов/);
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-name'), /пуст|обязательн/);
  await screenshot(page, 'providers-add-ru');
  assert.deepEqual(unexpected(problems), []);
});
