// The admin in Russian and English (API.md 9.7): crawls the admin's pages (every nav entry, the
// first object and the add form of each list, an edit form, forms redisplayed with validation
// messages, a delete confirmation, the dashboard, history, import, the account page and the
// sign-in page) in both languages. In Russian no visible text holds an English word beyond a
// small allowlist (names of things: herald, API, CSV, SMPP, ...); data the test created and
// content marked translate="no" (a provider's error, a report's body) are not the admin's
// words. In English every page says <html lang="en">. Then the order of the choice: a user's
// setting beats Accept-Language, which beats HERALD_LANGUAGE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BASE_URL, api, launch, openPage, phone, screenshot } from './browser.mjs';
import { HERALD, startHerald, sql } from './proc.mjs';

const RU = { 'Accept-Language': 'ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7' };
const EN = { 'Accept-Language': 'en-US,en;q=0.9' };
// Words that are names, not English sentences: the product, protocols and formats, the
// environment variables' and the API's own words, a language's own name.
const ALLOWED = new Set(['herald', 'API', 'CSV', 'SMPP', 'HTML', 'UTF', 'Windows', 'Excel', 'UTC', 'IANA',
  'Europe', 'Moscow', 'ASCII', 'CIDR', 'ESME', 'ID', 'Message', 'English', 'submit_sm', 'JavaScript', 'BOM',
  // what users type as it is: a text's placeholders ({{phone}}, {{tag}}, {{attributes.KEY}}),
  // an attribute's key in an example, an encoding's name, a time zone's name
  'phone', 'tag', 'attributes', 'KEY', 'first_name', 'SMS', 'GSM', 'UCS', 'Asia', 'Vladivostok',
  // a provider's protocol, its scheme and the name of the API it follows; a webhook's signature
  'HTTP', 'URL', 'http', 'https', 'probe', 'smpp', 'HMAC', 'SHA']);
const uniq = randomBytes(3).toString('hex');
const password = `password-${uniq}`;
const seeded = { tag: `lang-${uniq}`, text: `Проверка ${uniq}` };
let browser;

// A user of role (no language chosen) made through the command line, as run.sh makes its own.
function makeUser(name, role) {
  execFileSync(HERALD, ['user', 'create', name, '--role', role], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  return name;
}

before(async () => {
  await api('POST', '/clients', { phone: phone(), tag: seeded.tag, timezone: 'Europe/Moscow' });
  const m = await api('POST', '/mailings', {
    start_at: '2099-04-01T09:00:00Z', end_at: '2099-04-02T09:00:00Z', text: seeded.text,
    filter: { operator_codes: [], tags: [seeded.tag] }, send_window: { start: '09:00', end: '21:00' },
  });
  seeded.mailing = m.id;
  await api('POST', '/messages/batch', { phones: [phone(), phone()], text: seeded.text });
  seeded.admin = makeUser(`lang_admin_${uniq}`, 'admin');
  // the newest token, so that the tokens list's first row is one the test made
  execFileSync(HERALD, ['token', 'create', seeded.admin, `--name=${seeded.tag}`], { stdio: 'ignore' });
  // the newest webhook, with a delivery given up, so that its page shows the deliveries' table
  seeded.webhook = sql(`INSERT INTO webhooks (user_id, url, events, secret, enabled)
    SELECT id, 'http://127.0.0.1:9/${seeded.tag}', '{message.sent,mailing.finished}', 'lang-secret-${uniq}', false
      FROM users WHERE username = '${seeded.admin}' RETURNING id`)[0][0];
  sql(`INSERT INTO webhook_deliveries (webhook_id, event, status, attempts, last_code, last_answer)
       VALUES (${seeded.webhook}, 'webhook.test', 'failed', 3, 0, 'Could not connect to server')`);
  // and events waiting for it (it is disabled), so that its page says how many
  sql(`INSERT INTO webhook_events (webhook_id, event, object_ids) VALUES (${seeded.webhook}, 'message.sent', '{1,2,3}')`);
  browser = await launch();
});

after(async () => { await browser?.close(); });

async function signIn(headers, user = seeded.admin) {
  const s = await openPage(browser, { extraHTTPHeaders: headers });
  await s.page.goto(`${BASE_URL}/admin/login`);
  await s.page.fill('input[name=username]', user);
  await s.page.fill('input[name=password]', password);
  await Promise.all([s.page.waitForNavigation(), s.page.click('main button[type=submit]')]);
  assert.equal(new URL(s.page.url()).pathname, '/admin/');
  return s;
}

// The visible text of the page, without content that is not the admin's words: translate="no",
// code, pre, and hidden elements. Select options count: they are read when opened.
async function visibleText(page) {
  return page.evaluate(() => {
    const out = [];
    const skip = (el) => el.closest('[translate="no"], code, pre, script, style, template');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el) || !n.textContent.trim()) continue;
      if (el.tagName !== 'OPTION' && el.getClientRects().length === 0 && !el.closest('.visually-hidden')) continue;
      out.push(n.textContent.trim());
    }
    out.push(document.title);
    return out;
  });
}

// The names of things in the database, longest first: data, shown as typed wherever they stand
// (a heading "SMPP-аккаунт esme-1", the history's "who"), whichever suite made them.
function names() {
  return sql(`SELECT username FROM users UNION SELECT system_id FROM smpp_accounts UNION SELECT name FROM api_tokens
              UNION SELECT name FROM tags UNION SELECT name FROM operators UNION SELECT url FROM webhooks`)
    .map((r) => r[0]).filter((n) => n.length >= 3).sort((a, b) => b.length - a.length);
}

// A name as a whole word (a tag "attr" is not part of "attributes").
function wholeWord(name) {
  return new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g');
}

// The English words of texts: Latin words of two letters or more that are not allowed, not data
// (names, what the test made), not identifiers (snake_case, HERALD_*, webhook events such as
// message.sent), not parts of addresses or
// file names.
function englishWords(texts) {
  const found = new Set();
  const data = names();
  for (const t of texts) {
    const cleaned = data.reduce((x, n) => x.replace(wholeWord(n), ' '), t).replaceAll(seeded.tag, ' ').replaceAll(uniq, ' ')
      .replace(/\b\S+\.(csv|html)\b/g, ' ').replace(/\b[A-Z]+_[A-Z_]+\b|\b\w+_\w+\b/g, ' ')
      .replace(/\b(message|mailing|webhook)\.[a-z]+\b/g, ' ');
    for (const w of cleaned.match(/[A-Za-z]{2,}/g) || []) if (!ALLOWED.has(w)) found.add(w);
  }
  return [...found];
}

// The admin's pages for a signed-in admin: every nav entry, each list's first object and add
// form, and the pages no list links to.
async function pages(page) {
  await page.goto(`${BASE_URL}/admin/`);
  const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
  const out = new Set(nav);
  for (const href of nav) {
    await page.goto(`${BASE_URL}${href}`);
    const first = await page.$$eval('main table.list tbody a[href]', (as) => as.slice(0, 1).map((a) => a.getAttribute('href')));
    const add = await page.$$eval('main .head-actions a.button.primary', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of [...first, ...add]) out.add(h);
  }
  const tag = sql(`SELECT id FROM tags WHERE name = '${seeded.tag}'`)[0][0];
  for (const h of ['/admin/account', '/admin/password', '/admin/clients/import', '/admin/history/',
    `/admin/mailings/${seeded.mailing}`, `/admin/mailings/${seeded.mailing}/edit`, `/admin/mailings/${seeded.mailing}/delete`,
    `/admin/tags/${tag}`, `/admin/tags/${tag}/delete`, `/admin/webhooks/${seeded.webhook}`, '/admin/reports/preview', '/admin/messages/?status=sent&error=x'])
    out.add(h);
  return [...out];
}

// Forms sent with bad values, each redisplayed with its messages: [path, fields].
const BAD_FORMS = [
  ['/admin/tags/add', { name: '' }],
  ['/admin/clients/add', { phone: '12', operator_code: 'x', timezone: 'Mars/Base' }],
  ['/admin/mailings/add', { start_at: '2099-01-02T10:00', end_at: '2099-01-01T10:00', text: '', operator_codes: '91' }],
  ['/admin/operators/add', { code: '1', name: '' }],
  ['/admin/providers/add', { name: '', url: 'ftp://x', operator_codes: '91', weight: '0' }],
  ['/admin/webhooks/add', { url: 'ftp://x', events: 'message.lost', secret: 'short' }],
  ['/admin/password', { current_password: 'wrong', new_password: 'a', new_password_again: 'b' }],
];

async function submitBad(page, path, fields) {
  await page.goto(`${BASE_URL}${path}`);
  for (const [name, value] of Object.entries(fields)) await page.fill(`[name="${name}"]`, value);
  await Promise.all([page.waitForNavigation(), page.click('main form.form button.primary')]);
  assert.ok(await page.locator('.field.invalid .error').count() > 0, `${path}: no message beside a field`);
}

test('every admin page in Russian has no English words', async () => {
  const login = await openPage(browser, { extraHTTPHeaders: RU });
  await login.page.goto(`${BASE_URL}/admin/login`);
  const failures = [];
  const check = async (page, what) => {
    const lang = await page.getAttribute('html', 'lang');
    if (lang !== 'ru') failures.push(`${what}: <html lang="${lang}">`);
    const words = englishWords(await visibleText(page));
    if (words.length) failures.push(`${what}: ${words.join(', ')}`);
  };
  await check(login.page, '/admin/login');
  await login.context.close();

  const { context, page } = await signIn(RU);
  const list = await pages(page);
  assert.ok(list.length >= 25, `only ${list.length} pages`);
  for (const href of list) {
    await page.goto(`${BASE_URL}${href}`);
    await check(page, href);
  }
  for (const [path, fields] of BAD_FORMS) {
    await submitBad(page, path, fields);
    await check(page, `${path} with errors`);
  }
  await page.goto(`${BASE_URL}/admin/clients/`);
  await screenshot(page, 'lang-ru-clients');
  await context.close();
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('every admin page in English says lang="en"', async () => {
  const { context, page } = await signIn(EN);
  const failures = [];
  for (const href of await pages(page)) {
    await page.goto(`${BASE_URL}${href}`);
    const lang = await page.getAttribute('html', 'lang');
    if (lang !== 'en') failures.push(`${href}: <html lang="${lang}">`);
  }
  await submitBad(page, '/admin/tags/add', { name: '' });
  assert.match(await page.textContent('.field.invalid .error'), /may not be empty/);
  await context.close();
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('plural forms of counts in Russian', async () => {
  const { context, page } = await signIn(RU);
  await page.goto(`${BASE_URL}/admin/messages/?mailing_id=${2 ** 62}`);
  assert.equal((await page.textContent('.pager .count')).trim(), '0 сообщений');
  await page.goto(`${BASE_URL}/admin/tags/${sql(`SELECT id FROM tags WHERE name = '${seeded.tag}'`)[0][0]}/delete`);
  assert.match(await page.textContent('.error-summary'), /его использует 1 клиент\./);
  await context.close();
});

test('a user\'s setting beats Accept-Language, which beats HERALD_LANGUAGE', async () => {
  const lang = async (page, path) => {
    await page.goto(`${BASE_URL}${path}`);
    return page.getAttribute('html', 'lang');
  };
  const ru = await signIn(RU);
  assert.equal(await lang(ru.page, '/admin/'), 'ru');
  assert.equal((await ru.page.textContent('header nav')).includes('Клиенты'), true);
  // the account page: English chosen, whatever the browser asks
  await ru.page.goto(`${BASE_URL}/admin/account`);
  await ru.page.selectOption('select[name=language]', 'en');
  await Promise.all([ru.page.waitForNavigation(), ru.page.click('main form.form button.primary')]);
  assert.equal(new URL(ru.page.url()).pathname + new URL(ru.page.url()).search, '/admin/account?done=saved');
  assert.equal(await ru.page.getAttribute('html', 'lang'), 'en');
  assert.match(await ru.page.textContent('.notice'), /Your settings were saved/);
  assert.deepEqual(sql(`SELECT language FROM users WHERE username = '${seeded.admin}'`), [['en']]);
  assert.equal(await lang(ru.page, '/admin/clients/'), 'en');
  // "as the browser" again
  await ru.page.goto(`${BASE_URL}/admin/account`);
  await ru.page.selectOption('select[name=language]', '');
  await Promise.all([ru.page.waitForNavigation(), ru.page.click('main form.form button.primary')]);
  assert.equal(await ru.page.getAttribute('html', 'lang'), 'ru');
  assert.deepEqual(sql(`SELECT language IS NULL FROM users WHERE username = '${seeded.admin}'`), [['t']]);
  // an admin sets another user's language on the users form; that user's browser asks for English
  const other = makeUser(`lang_viewer_${uniq}`, 'viewer');
  const id = sql(`SELECT id FROM users WHERE username = '${other}'`)[0][0];
  await ru.page.goto(`${BASE_URL}/admin/users/${id}`);
  await ru.page.selectOption('select[name=language]', 'ru');
  await Promise.all([ru.page.waitForNavigation(), ru.page.click('main form.form button.primary')]);
  assert.deepEqual(sql(`SELECT language FROM users WHERE id = ${id}`), [['ru']]);
  await ru.context.close();
  const viewer = await signIn(EN, other);
  assert.equal(await lang(viewer.page, '/admin/'), 'ru');
  await viewer.context.close();
  // no user: the sign-in page follows Accept-Language, else HERALD_LANGUAGE (the suite's
  // herald: unset, Russian; one of our own: English)
  const signin = async (base, language) => {
    const r = await fetch(`${base}/admin/login`, { headers: { 'Accept-Language': language } });
    return /<html lang="(\w+)">/.exec(await r.text())[1];
  };
  assert.equal(await signin(BASE_URL, ''), 'ru');
  assert.equal(await signin(BASE_URL, 'de'), 'ru');
  assert.equal(await signin(BASE_URL, 'en'), 'en');
  assert.equal(await signin(BASE_URL, 'de-DE, en;q=0.5, ru;q=0.4'), 'en');
  const h = await startHerald({ roles: 'web,smpp', env: { HERALD_LANGUAGE: 'en' } });
  try {
    const base = `http://127.0.0.1:${h.httpPort}`;
    assert.equal(await signin(base, ''), 'en');
    assert.equal(await signin(base, 'de'), 'en');
    assert.equal(await signin(base, 'ru-RU,ru;q=0.9'), 'ru');
  } finally {
    await h.stop();
  }
});
