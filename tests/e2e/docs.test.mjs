// Swagger UI at /docs/ renders the OpenAPI document in a real browser, under the server's CSP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
