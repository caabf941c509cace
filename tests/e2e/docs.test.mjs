// Swagger UI at /docs/ renders the OpenAPI document in a real browser, under the server's CSP;
// and the repository's own documentation (README.md, docs/) holds together.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('/docs/ renders every API operation without console errors', async () => {
  const { context, page, problems } = await openPage(browser);
  try {
    const resp = await page.goto(`${BASE_URL}/docs/`, { waitUntil: 'load' });
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-security-policy'], /default-src 'self'/);
    await page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/clients$/ }).first().waitFor({ timeout: 20000 });
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    for (const p of ['/api/v1/operators/{code}', '/api/v1/tags/{id}', '/api/v1/clients/bulk',
      '/api/v1/mailings/{id}/retry-failed', '/api/v1/messages/batch', '/api/v1/stats/mailings'])
      assert.ok(paths.map((s) => s.replace(/\u200b/g, '')).includes(p), `${p} is not listed`);
    const title = await page.locator('.info .title').textContent();
    assert.match(title, /herald API/);
    assert.equal(await page.locator('.swagger-ui .errors-wrapper').count(), 0, 'Swagger UI reports errors in the document');
    await screenshot(page, 'docs');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('Try it out: an authorized request from Swagger UI reaches the API under the CSP', async () => {
  const token = process.env.HERALD_TEST_TOKEN_VIEWER;
  assert.ok(token, 'HERALD_TEST_TOKEN_VIEWER is not set: run the tests through tests/run.sh');
  const { context, page, problems } = await openPage(browser);
  try {
    await page.goto(`${BASE_URL}/docs/#/operators/listOperators`);
    await page.locator('.btn.authorize').first().click();
    // the API token's form (the other, dlrSecret, is the delivery reports' provider secret)
    const form = page.locator('.auth-container', { hasText: 'bearerAuth' });
    await form.locator('input').fill(token);
    await form.locator('.auth-btn-wrapper .authorize').click();
    await page.locator('.btn-done').first().click();
    const op = page.locator('#operations-operators-listOperators');
    if (!(await op.locator('.try-out__btn').isVisible())) await op.locator('.opblock-summary').click();
    await op.locator('.try-out__btn').click();
    const seen = page.waitForResponse((r) => r.url().includes('/api/v1/operators') && r.request().method() === 'GET');
    await op.locator('.execute').click();
    const resp = await seen;
    assert.equal(resp.status(), 200);
    assert.equal(resp.request().headers().authorization, `Bearer ${token}`);
    await op.locator('.live-responses-table .response-col_status', { hasText: '200' }).first().waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('/docs/problems anchors every problem type the server uses', async () => {
  const { context, page, problems } = await openPage(browser);
  try {
    const resp = await page.goto(`${BASE_URL}/docs/problems#validation-failed`);
    assert.equal(resp.status(), 200);
    for (const slug of ['bad-request', 'unauthorized', 'forbidden', 'not-found', 'method-not-allowed', 'conflict',
      'payload-too-large', 'unsupported-media-type', 'validation-failed', 'too-many-requests', 'unavailable',
      'internal-error', 'error'])
      assert.equal(await page.locator(`[id="${slug}"]`).count(), 1, `no anchor #${slug}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// The README and docs/: the README stays short, every docs/ file is linked from it, and every
// link is relative and resolves inside the repository, to a file and, with a #fragment, to one
// of its headings (GitHub's slugs).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function prose(text) {  // without fenced blocks and code spans, where links are not links
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function slugs(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} +(.+)$/gm)].map(([, h]) =>
    h.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

test('README and docs/: short README, every link relative and resolving', () => {
  const readme = path.join(ROOT, 'README.md');
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))
    .map((f) => path.join(ROOT, 'docs', f));
  const lines = fs.readFileSync(readme, 'utf8').split('\n').length - 1;
  assert.ok(lines <= 250, `README.md has ${lines} lines`);
  const linked = new Set();
  for (const file of [readme, ...docs]) {
    const rel = path.relative(ROOT, file);
    for (const [, target] of prose(fs.readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]*)\)/g)) {
      assert.doesNotMatch(target, /^[a-z][a-z0-9+.-]*:|^\/\//i, `${rel}: ${target} points outside the repository`);
      const [where, anchor] = target.split('#');
      const dest = where ? path.resolve(path.dirname(file), where) : file;
      assert.ok(!path.relative(ROOT, dest).startsWith('..'), `${rel}: ${target} leaves the repository`);
      assert.ok(fs.existsSync(dest), `${rel}: ${target} does not exist`);
      if (anchor !== undefined)
        assert.ok(slugs(dest).has(anchor), `${rel}: ${target} names no heading`);
      if (file === readme) linked.add(dest);
    }
  }
  for (const d of docs) assert.ok(linked.has(d), `${path.relative(ROOT, d)} is not linked from README.md`);
});
