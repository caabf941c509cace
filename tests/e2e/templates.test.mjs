// Browser test of templates (issue 15 item 1): a template made on its admin page, a bad one
// redisplayed with the reason beside the field, a mailing made from it by name (an unknown name
// answered beside the field), its edit form showing the template, and the template's delete
// refused while that mailing is scheduled.
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

test('a template from its page to a mailing and back', async () => {
  const { context, page, problems } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${BASE_URL}/admin/login`);
  await page.fill('input[name=username]', 't_operator');
  await page.fill('input[name=password]', 'password-operator');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);

  const name = `tpl-${randomBytes(4).toString('hex')}`;
  await page.goto(`${BASE_URL}/admin/templates/add`);
  await page.fill('input[name=name]', name);
  await page.fill('textarea[name=text]', 'Hello {{#attributes.name}} never closed');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-text'), /line 1/);
  assert.equal(await page.inputValue('input[name=name]'), name, 'the name typed is kept');
  await page.fill('textarea[name=text]', 'Hello {{attributes.name}}, your code is {{attributes.code}}');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/admin\/templates\/$/);
  assert.match(await page.textContent("main table"), new RegExp(name), "the new template is listed");
  await screenshot(page, 'templates-list');

  await page.goto(`${BASE_URL}/admin/mailings/add`);
  await page.fill('input[name=start_at]', '2099-06-01T10:00');
  await page.fill('input[name=end_at]', '2099-06-02T10:00');
  await page.fill('input[name=template]', `${name}-missing`);
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('#err-template'), /no template/);
  await page.fill('input[name=template]', name);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/admin\/mailings\/\d+$/);
  assert.equal(await page.textContent('p.text'), 'Hello {{attributes.name}}, your code is {{attributes.code}}');
  assert.match(await page.textContent('#text-size'), /^1 SMS segment \(GSM 7-bit, \d+ characters\) as written/);
  const id = url.pathname.split('/').pop();
  assert.equal(sql(`SELECT (g.text IS NULL)::text || ' ' || t.name FROM mailings g JOIN templates t ON t.id = g.template_id WHERE g.id = ${id}`),
    `true ${name}`);

  await page.goto(`${BASE_URL}/admin/mailings/${id}/edit`);
  assert.equal(await page.inputValue('input[name=template]'), name);
  assert.equal(await page.inputValue('textarea[name=text]'), '');

  const tid = sql(`SELECT id FROM templates WHERE name = '${name}'`);
  await page.goto(`${BASE_URL}/admin/templates/${tid}/delete`);
  const answer = await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.equal(answer[0].status(), 409);
  assert.equal(sql(`SELECT count(*) FROM templates WHERE id = ${tid}`), '1');
  assert.deepEqual(problems.filter((p) => !/422|409/.test(p)), []);
  await context.close();
});
