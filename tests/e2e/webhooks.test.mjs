// Browser test of webhooks (API.md 9.6, issue 14 item 4): a webhook added on its admin page (a
// bad URL redisplayed with the reason beside the field; the secret never shown again), then
// "send a test event" on its page: a real HTTP receiver in this process gets the event signed
// with the secret (HMAC-SHA256, checked here) under the delivery's id, and the page lists the
// delivery with its answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { BASE_URL, launch, screenshot, signIn } from './browser.mjs';
import { sql } from './proc.mjs';

const secret = `hook-secret-${randomBytes(8).toString('hex')}`;
const received = [];
let browser, server, url;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202, { 'Content-Type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/hook-${randomBytes(3).toString('hex')}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function until(what, cond, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100)))
    if (cond()) return;
  assert.fail(`${what} did not happen in ${ms} ms`);
}

test('a webhook from its page, and its test event arrives signed', async () => {
  const { context, page, problems } = await signIn(browser, 't_operator', 'password-operator');
  await page.goto(`${BASE_URL}/admin/webhooks/`);
  await Promise.all([page.waitForNavigation(), page.click('main .head-actions a.button.primary')]);
  assert.equal(new URL(page.url()).pathname, '/admin/webhooks/add');

  await page.fill('input[name=url]', 'ftp://example.org/x');
  await page.fill('input[name=events]', 'message.sent, mailing.finished');
  await page.fill('input[name=secret]', secret);
  await Promise.all([page.waitForNavigation(), page.click('main form.form button.primary')]);
  assert.match(await page.textContent('#err-url'), /http/);
  assert.equal(await page.inputValue('input[name=events]'), 'message.sent, mailing.finished', 'the events typed are kept');
  assert.ok(!(await page.content()).includes(secret), 'the secret is not sent back in the page');

  await page.fill('input[name=url]', url);
  await page.fill('input[name=secret]', secret);
  await Promise.all([page.waitForNavigation(), page.click('main form.form button.primary')]);
  assert.equal(new URL(page.url()).pathname, '/admin/webhooks/');
  assert.match(await page.textContent('main table'), new RegExp(url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const id = sql(`SELECT id FROM webhooks WHERE url = '${url}'`)[0][0];
  assert.equal(sql(`SELECT u.username || ' ' || h.secret || ' ' || array_to_string(h.events, ',') FROM webhooks h
                    JOIN users u ON u.id = h.user_id WHERE h.id = ${id}`)[0][0], `t_operator ${secret} message.sent,mailing.finished`);

  await page.goto(`${BASE_URL}/admin/webhooks/${id}`);
  assert.equal(await page.inputValue('input[name=secret]'), '', 'the secret is write-only');
  assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page');
  await Promise.all([page.waitForNavigation(), page.click('section.history form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, `/admin/webhooks/${id}`);

  await until('the test event', () => received.length > 0);
  const got = received[0];
  const body = JSON.parse(got.body);
  assert.equal(body.event, 'webhook.test');
  assert.equal(body.data.webhook_id, Number(id));
  assert.ok(body.occurred_at);
  assert.equal(got.headers['x-herald-signature'], `sha256=${createHmac('sha256', secret).update(got.body).digest('hex')}`);
  assert.equal(got.headers['x-herald-event-id'], sql(`SELECT id FROM webhook_deliveries WHERE webhook_id = ${id}`)[0][0]);
  assert.equal(got.headers['content-type'], 'application/json');

  await until('the delivery recorded', () => sql(`SELECT status FROM webhook_deliveries WHERE webhook_id = ${id}`)[0][0] === 'delivered');
  await page.reload();
  const row = await page.textContent('section.history tbody tr');
  assert.match(row, /webhook\.test/);
  assert.match(row, /202 thanks/);
  await screenshot(page, 'webhook-deliveries');
  sql(`DELETE FROM webhooks WHERE id = ${id}`);
  await context.close();
  assert.deepEqual(problems.filter((p) => !/\b422\b/.test(p)), [], 'only the bad form answered an error');
});
