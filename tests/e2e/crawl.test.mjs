// Crawls the admin UI as each role: starts at /admin/, follows every same-site link under
// /admin/ (at most MAX_PAGES per role, a few query variants per path), and fails on a 5xx, a
// linked page that is missing (404) or refused (403), a console error, a failed request or a
// Content-Security-Policy violation. Seeds a client, a tag, a mailing and a batch of messages
// through the API first, so lists and object pages have something to link to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE_URL, api, launch, openPage, phone } from './browser.mjs';

const MAX_PAGES = 300;
const VARIANTS_PER_PATH = 6;   // pages per path pattern (/admin/mailings/{id}, a list's sorts and filters)
const ROLES = [['t_admin', 'password-admin'], ['t_operator', 'password-operator'], ['t_viewer', 'password-viewer']];
let browser;

before(async () => {
  const tag = `crawl-${randomBytes(3).toString('hex')}`;
  await api('POST', '/clients', { phone: phone(), tag, timezone: 'Europe/Moscow' });
  await api('POST', '/mailings', {
    start_at: '2099-04-01T09:00:00Z', end_at: '2099-04-02T09:00:00Z', text: 'Crawl <check> & "quotes"',
    filter: { operator_codes: [], tags: [tag] }, send_window: { start: '09:00', end: '21:00' },
  });
  await api('POST', '/messages/batch', { phones: [phone(), phone(), phone()], text: 'Crawl batch' });
  browser = await launch();
});

after(async () => { await browser?.close(); });

// Links to follow from the current page: same origin, under /admin/, no sign-out.
async function links(page) {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
  return hrefs.map((h) => new URL(h)).filter((u) => u.origin === new URL(BASE_URL).origin
    && u.pathname.startsWith('/admin/') && !u.pathname.startsWith('/admin/logout'));
}

for (const [user, password] of ROLES) {
  test(`crawl as ${user}: no 5xx, broken link, console error or CSP violation`, async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${BASE_URL}/admin/login`);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    assert.equal(new URL(page.url()).pathname, '/admin/');

    const seen = new Set();
    const perPath = new Map();
    const queue = [[new URL(`${BASE_URL}/admin/`), 'the start']];
    const failures = [];
    let visited = 0;
    while (queue.length && visited < MAX_PAGES) {
      const [url, from] = queue.shift();
      url.hash = '';
      const key = url.pathname + url.search;
      if (seen.has(key)) continue;
      const pattern = url.pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
      const n = perPath.get(pattern) || 0;
      if (n >= VARIANTS_PER_PATH) continue;
      seen.add(key);
      perPath.set(pattern, n + 1);
      const before = problems.length;
      visited++;
      if (/\.csv$/.test(url.pathname)) {
        // a download, not a page: fetched with the page's cookies and checked for its status
        const dl = await page.request.get(url.href);
        if (dl.status() >= 400) failures.push(`${dl.status()} ${key} (linked from ${from})`);
        continue;
      }
      const resp = await page.goto(url.href);
      const status = resp ? resp.status() : 0;
      if (status >= 400 || status === 0) failures.push(`${status} ${key} (linked from ${from})`);
      for (const p of problems.slice(before)) failures.push(`${key}: ${p}`);
      if (status === 200 && (resp.headers()['content-type'] || '').startsWith('text/html')) {
        for (const u of await links(page)) queue.push([u, key]);
      }
    }
    await context.close();
    assert.deepEqual(failures, [], failures.join('\n'));
    assert.ok(visited >= 8, `only ${visited} pages reached`);
  });
}
