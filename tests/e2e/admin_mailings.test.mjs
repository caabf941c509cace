// Browser tests of the mailing pages: the form (error beside the field, input kept), edit, bulk
// cancel, retry-failed, delete with confirmation, the live refresh of a running mailing's page
// (statuses changed with psql; the numbers change without a reload, polling stops when it
// finishes), and a viewer without change buttons. Screenshots go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BASE_URL, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Runs SQL in the test database; returns the first column of the first row.
function sql(q) {
  return execFileSync('psql', [process.env.DATABASE_URL, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}

async function newMailing(text, status = 'scheduled') {
  const r = await fetch(`${BASE_URL}/api/v1/mailings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.HERALD_TEST_TOKEN_ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ start_at: '2099-05-01T09:00:00Z', end_at: '2099-05-03T09:00:00Z', text }),
  });
  assert.equal(r.status, 201);
  const { id } = await r.json();
  if (status !== 'scheduled') sql(`UPDATE mailings SET status = '${status}' WHERE id = ${id}`);
  return id;
}

// n messages of mailing id with status (a name: 'sent'), not due for 30 days (no engine sends them).
function addMessages(id, status, n) {
  sql(`INSERT INTO messages (mailing_id, client_id, phone, status, due_at, expires_at, sent_at)
       SELECT ${id}, b.n + g, '7999' || lpad((b.n + g)::text, 7, '0'), message_status('${status}'), now() + interval '30 days',
              now() + interval '31 days', CASE WHEN '${status}' = 'sent' THEN now() END
       FROM generate_series(1, ${n}) g,
            (SELECT coalesce(max(client_id), 0) AS n FROM messages WHERE mailing_id = ${id}) b`);
}

// Fails on recorded problems except those matching expected.
function noProblems(problems, expected = /^$/) {
  const real = problems.filter((p) => !expected.test(p));
  assert.deepEqual(real, [], real.join('\n'));
}

test('create through the form after an error beside the field, then edit', async () => {
  const { context, page, problems } = await signIn(browser, 't_operator', 'password-operator');
  const text = `Form test ${randomBytes(4).toString('hex')} <b>kept</b>`;
  await page.goto(`${BASE_URL}/admin/mailings/add`);
  await page.fill('input[name=start_at]', '2099-06-01T10:00');
  await page.fill('input[name=end_at]', '2099-06-01T09:00');
  await page.fill('textarea[name=text]', text);
  await page.fill('input[name=operator_codes]', '916, 9x6');
  await page.fill('input[name=window_start]', '09:00');
  await page.fill('input[name=window_end]', '21:00');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-end_at'), /must be after start_at/);
  assert.match(await page.textContent('#err-operator_codes'), /item 1/);
  assert.equal(await page.getAttribute('input[name=end_at]', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('textarea[name=text]'), text);
  assert.equal(await page.inputValue('input[name=operator_codes]'), '916, 9x6');
  await screenshot(page, 'mailing-form-errors');

  await page.fill('input[name=end_at]', '2099-06-02T09:00');
  await page.fill('input[name=operator_codes]', '916');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/admin\/mailings\/\d+$/);
  assert.equal(await page.textContent('.notice'), 'The mailing was created.');
  assert.equal(await page.textContent('p.text'), text);
  const id = url.pathname.split('/').pop();
  assert.equal(sql(`SELECT api_ts(start_at) || ' ' || window_start FROM mailings WHERE id = ${id}`),
    '2099-06-01T10:00:00Z 09:00:00');

  await page.click('a:text("Edit")');
  await page.fill('textarea[name=text]', `${text} edited`);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.equal(await page.textContent('.notice'), 'The mailing was saved.');
  assert.equal(await page.textContent('p.text'), `${text} edited`);
  noProblems(problems, /422/);   // the answer to the form with errors
  await context.close();
});

test('bulk cancel reports each mailing', async () => {
  const a = await newMailing('bulk cancel a');
  const b = await newMailing('bulk cancel b', 'finished');
  const { context, page, problems } = await signIn(browser, 't_operator', 'password-operator');
  await page.goto(`${BASE_URL}/admin/mailings/?sort=-id`);
  await page.check(`input[name=key][value="${a}"]`);
  await page.check(`input[name=key][value="${b}"]`);
  await page.selectOption('#bulk-action', 'cancel');
  await Promise.all([page.waitForNavigation(), page.click('.bulk button')]);
  assert.match(await page.textContent('.outcomes'), new RegExp(`Mailing ${a}: cancelled`));
  assert.match(await page.textContent('.outcomes'), new RegExp(`Mailing ${b}: not changed: the mailing is already finished`));
  assert.equal(sql(`SELECT status FROM mailings WHERE id = ${a}`), 'cancelled');
  assert.equal(sql(`SELECT status FROM mailings WHERE id = ${b}`), 'finished');
  noProblems(problems);
  await context.close();
});

test('all that match the filter, asked first, in Russian; a mailing\'s messages page back', async () => {
  const tag = `every${randomBytes(4).toString('hex')}`;
  sql(`INSERT INTO mailings (text, start_at, end_at) SELECT '${tag} ' || g, now() + interval '1 day',
       now() + interval '2 days' FROM generate_series(1, 55) g`);
  const { context, page, problems } = await signIn(browser, 't_operator', 'password-operator', { locale: 'ru-RU' });
  await page.goto(`${BASE_URL}/admin/mailings/?q=${tag}`);
  await page.getByLabel('Выбрать все, что подходят под фильтр').check();
  await page.selectOption('#bulk-action', 'cancel');
  await Promise.all([page.waitForNavigation(), page.click('.bulk button')]);
  assert.match(await page.textContent('main'), /«Отменить» для подходящих под фильтр: 55 рассылок\?/);
  assert.equal(sql(`SELECT count(*) FROM mailings WHERE text LIKE '${tag} %' AND status = 'cancelled'`), '0');
  await screenshot(page, 'mailings-all-confirm');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Применить ко всем' }).click()]);
  assert.match(await page.textContent('.outcomes'), /55 × отменена/);
  assert.equal(sql(`SELECT count(*) FROM mailings WHERE text LIKE '${tag} %' AND status = 'cancelled'`), '55');
  await screenshot(page, 'mailings-all-done');

  const id = await newMailing('paged messages', 'cancelled');
  addMessages(id, 'cancelled', 55);
  await page.goto(`${BASE_URL}/admin/mailings/${id}`);
  const first = await page.textContent('#messages tbody tr td, table tbody tr td');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Следующая страница »' }).click()]);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: '‹ Предыдущая страница' }).click()]);
  assert.equal(await page.textContent('#messages tbody tr td, table tbody tr td'), first);
  await screenshot(page, 'mailing-messages-back');
  noProblems(problems);
  await context.close();
});

test('retry-failed and delete with confirmation from the mailing page', async () => {
  const id = await newMailing('retry then delete', 'running');
  addMessages(id, 'failed', 3);
  const { context, page, problems } = await signIn(browser, 't_admin', 'password-admin');
  await page.goto(`${BASE_URL}/admin/mailings/${id}`);
  await Promise.all([page.waitForNavigation(), page.click('button:text("Retry failed")')]);
  assert.equal(await page.textContent('.notice'), 'Failed messages are pending again.');
  // the harness's herald sends what is due at once: each is pending again, or already sent again
  const counts = {};
  for (const s of ['pending', 'sending', 'sent', 'failed']) counts[s] = Number(await page.textContent(`[data-count=${s}]`));
  assert.equal(counts.pending + counts.sending + counts.sent, 3, JSON.stringify(counts));
  assert.equal(counts.failed, 0);

  await page.click('a:text("Delete…")');
  assert.equal(await page.textContent('.confirm p'),
    `Delete the mailing ${id}? It is running, and its 3 messages will be deleted with it. This cannot be undone. Sending stops.`);
  await Promise.all([page.waitForNavigation(), page.click('.confirm button')]);
  assert.equal(new URL(page.url()).pathname, '/admin/mailings/');
  assert.equal(await page.textContent('.notice'), 'The mailing was deleted with its messages.');
  assert.equal(sql(`SELECT count(*) FROM messages WHERE mailing_id = ${id}`), '0');
  noProblems(problems);
  await context.close();
});

test('a running mailing page updates itself and stops when finished', async () => {
  const id = await newMailing('live refresh', 'running');
  addMessages(id, 'pending', 20);
  sql(`INSERT INTO message_minutes (mailing_id, minute, sent, failed)
       SELECT ${id}, date_trunc('minute', now()) - (m || ' minutes')::interval, 10 + m % 5, m % 3
       FROM generate_series(0, 20) m`);
  const { context, page, problems } = await signIn(browser, 't_viewer', 'password-viewer');
  await page.goto(`${BASE_URL}/admin/mailings/${id}`);
  assert.equal(await page.textContent('[data-count=sent]'), '0');
  assert.equal(await page.getAttribute('#live', 'hx-trigger'), 'every 2s');
  await page.evaluate(() => { window.notReloaded = true; });

  sql(`UPDATE messages SET status = message_status('sent'), sent_at = now() WHERE mailing_id = ${id} AND client_id <= 12`);
  sql(`UPDATE messages SET status = message_status('failed'), last_error = 'refused' WHERE mailing_id = ${id} AND client_id > 17`);
  await page.waitForFunction(() => document.querySelector('[data-count=sent]')?.textContent === '12', null, { timeout: 8000 });
  assert.equal(await page.textContent('[data-count=failed]'), '3');
  assert.equal(await page.textContent('[data-done]'), '15');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await screenshot(page, 'mailing-page');

  sql(`UPDATE mailings SET status = 'finished' WHERE id = ${id}`);
  await page.waitForFunction(() => !document.querySelector('#live').hasAttribute('hx-get'), null, { timeout: 8000 });
  assert.equal(await page.textContent('#live [data-status]'), 'finished');
  assert.equal(await page.evaluate(() => window.notReloaded), true);

  // the viewer gets no change buttons
  assert.equal(await page.locator('button:text("Cancel mailing")').count(), 0);
  assert.equal(await page.locator('a:text("Edit")').count(), 0);
  assert.equal(await page.locator('a:text("Delete…")').count(), 0);
  noProblems(problems);
  await context.close();
});

test('the page works without JavaScript', async () => {
  const id = await newMailing('no script', 'running');
  addMessages(id, 'sent', 4);
  addMessages(id, 'pending', 1);   // one still pending: the scheduler does not finish the mailing
  const { context, page, problems } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(`${BASE_URL}/admin/login`);
  await page.fill('input[name=username]', 't_viewer');
  await page.fill('input[name=password]', 'password-viewer');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  await page.goto(`${BASE_URL}/admin/mailings/${id}`);
  assert.equal(await page.textContent('[data-count=sent]'), '4');
  assert.equal(await page.getAttribute('#live a:text("reload the page")', 'href'), `/admin/mailings/${id}`);
  noProblems(problems);
  await context.close();
});

test('screenshots: dashboard and mailings list', async () => {
  const { context, page, problems } = await signIn(browser, 't_admin', 'password-admin');
  await page.goto(`${BASE_URL}/admin/`);
  await screenshot(page, 'dashboard-mailings');
  await page.goto(`${BASE_URL}/admin/mailings/`);
  await screenshot(page, 'mailings-list');
  noProblems(problems);
  await context.close();
});
