// Browser test of the composer (issue 13 item 5): the recipient count and the SMS size follow
// what is typed in the mailing form; a mailing's preview for a sample client and for a phone
// written as people write it; a test send to that phone; cloning a mailing into a new form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function sql(q) {
  return execFileSync('psql', [process.env.DATABASE_URL, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}

test('the composer counts, measures, previews, sends a test and clones', async () => {
  const tag = `cmp${randomBytes(4).toString('hex')}`;
  const base = 7990000000 + Math.floor(Math.random() * 8999000);
  sql(`INSERT INTO operators (code) VALUES ('999') ON CONFLICT DO NOTHING`);
  sql(`INSERT INTO tags (name) VALUES ('${tag}')`);
  sql(`INSERT INTO clients (phone, operator_code, tag_id, timezone, attributes)
       SELECT '7' || (${base} + g), '999', (SELECT id FROM tags WHERE name = '${tag}'), 'Europe/Moscow',
              jsonb_build_object('name', 'Имя' || g) FROM generate_series(1, 3) g`);
  sql(`INSERT INTO stoplist (phone, reason) VALUES ('7' || (${base} + 3), 'composer test')`);
  const phone2 = `7${base + 2}`;

  const { context, page, problems } = await openPage(browser, { viewport: { width: 1280, height: 1000 } });
  await page.goto(`${BASE_URL}/admin/login`);
  await page.fill('input[name=username]', 't_operator');
  await page.fill('input[name=password]', 'password-operator');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);

  await page.goto(`${BASE_URL}/admin/mailings/add`);
  await page.locator('#f-tags').pressSequentially(tag, { delay: 5 });
  await page.waitForFunction(() => /^2 clients/.test(document.querySelector('#composer-recipients').textContent));
  await page.locator('#f-operator_codes').pressSequentially('9x', { delay: 5 });
  await page.waitForFunction(() => /once the filter is valid/.test(document.querySelector('#composer-recipients').textContent));
  await page.fill('#f-operator_codes', '');
  await page.locator('#f-operator_codes').pressSequentially('999', { delay: 5 });
  await page.waitForFunction(() => /^2 clients/.test(document.querySelector('#composer-recipients').textContent));

  await page.locator('#f-text').pressSequentially('я'.repeat(71), { delay: 1 });
  await page.waitForFunction(() => /^2 SMS segments \(UCS-2, 71 characters\)/.test(document.querySelector('#composer-size').textContent));
  await page.fill('#f-text', '');
  await page.locator('#f-text').pressSequentially('Привет, {{attributes.name}}!', { delay: 5 });
  await page.waitForFunction(() => /as written; each recipient/.test(document.querySelector('#composer-size').textContent));
  await screenshot(page, 'composer');

  await page.fill('input[name=start_at]', '2099-07-01T10:00');
  await page.fill('input[name=end_at]', '2099-07-02T10:00');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const self = new URL(page.url()).pathname;
  assert.match(self, /^\/admin\/mailings\/\d+$/);

  await page.click('a:text("Preview for a client and send a test")');
  assert.equal(await page.textContent('#preview-text'), 'Привет, Имя1!', 'the sample is the first recipient');
  await page.fill('#f-phone', `+7 (${String(base + 2).slice(0, 3)}) ${String(base + 2).slice(3, 6)}-${String(base + 2).slice(6, 8)}-${String(base + 2).slice(8)}`);
  await Promise.all([page.waitForNavigation(), page.click('main form[method=get] button[type=submit]')]);
  assert.equal(await page.textContent('#preview-text'), 'Привет, Имя2!');
  assert.match(await page.textContent('#preview-size'), /UCS-2/);
  await Promise.all([page.waitForNavigation(), page.click(`button:text("Send a test to ${phone2}")`)]);
  const notice = await page.textContent('.notice');
  const mid = notice.match(/message (\d+)/)[1];
  assert.equal(sql(`SELECT phone || ' ' || text || ' ' || coalesce(mailing_id, 0) FROM messages WHERE id = ${mid}`),
    `${phone2} Привет, Имя2! 0`);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'mailing.test_sent'
    AND object = 'mailing ${self.split('/').pop()}' AND detail->'after'->>'message_id' = '${mid}'`), '1', 'the test send is in the history');

  const stopped = `7${base + 3}`;
  await page.goto(`${BASE_URL}${self}/preview?phone=${stopped}`);
  const refused = await Promise.all([page.waitForNavigation(), page.click(`button:text("Send a test to ${stopped}")`)]);
  assert.equal(refused[0].status(), 422);
  assert.match(await page.textContent('#err-phone'), /stop list/);
  assert.equal(sql(`SELECT count(*) FROM messages WHERE phone = '${stopped}'`), '0');

  await page.goto(`${BASE_URL}${self}/preview?phone=12345`);
  assert.match(await page.textContent('#err-phone'), /not a phone number/);

  await page.goto(`${BASE_URL}${self}`);
  await Promise.all([page.waitForNavigation(), page.click('a:text("Clone")')]);
  assert.equal(await page.inputValue('#f-text'), 'Привет, {{attributes.name}}!');
  assert.equal(await page.inputValue('#f-tags'), tag);
  assert.equal(await page.inputValue('#f-start_at'), '');
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await context.close();
});
