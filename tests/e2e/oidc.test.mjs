// OpenID Connect sign-in to the admin (API.md 9.7) against a real provider (tests/oidc_provider.mjs,
// npm oidc-provider) and a herald of its own configured for it, driven through Debian's
// chromium: the "Sign in with …" button, the provider's login and consent pages, the callback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './browser.mjs';
import { freePort, startHerald, sql, uniq } from './proc.mjs';
import { startProvider } from '../oidc_provider.mjs';

const CLIENT_ID = 'herald-admin', SECRET = 'herald-test-secret-0123456789';
let browser, herald, idp, base;

before(async () => {
  const idpPort = await freePort();
  herald = await startHerald({ roles: 'web,smpp', env: {
    HERALD_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`, HERALD_OIDC_CLIENT_ID: CLIENT_ID,
    HERALD_OIDC_CLIENT_SECRET: SECRET, HERALD_OIDC_ROLE_CLAIM: 'role', HERALD_OIDC_NAME: 'Test IdP' } });
  base = `http://127.0.0.1:${herald.httpPort}`;
  idp = await startProvider({ port: idpPort, clientId: CLIENT_ID, clientSecret: SECRET,
                              redirectUri: `${base}/admin/oidc/callback` });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await idp?.close();
  const code = await herald?.stop();
  assert.equal(herald?.sanitizer() ?? '', '', 'herald reported a sanitizer error');
  assert.equal(code, 0, `herald exited with ${code}: ${herald?.log()}`);
});

// Signs in through the provider as login in a new browser context. Resolves with the page
// where herald leaves the browser, the callback URL the provider sent it to, and the context.
async function viaProvider(login, lang = 'en') {
  const context = await browser.newContext({ extraHTTPHeaders: { 'Accept-Language': lang } });
  const page = await context.newPage();
  let callback;
  page.on('request', (r) => { if (r.url().startsWith(`${base}/admin/oidc/callback`)) callback = r.url(); });
  await page.goto(`${base}/admin/`);
  assert.match(page.url(), /\/admin\/login\?next=/);
  await page.getByRole('link', { name: `${lang === 'ru' ? 'Войти через' : 'Sign in with'} Test IdP` }).click();
  await page.waitForURL(/127\.0\.0\.1:\d+\/interaction\//);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'anything');
  // the provider's login page, then its consent page, both on the same /interaction/ URL
  for (let i = 0; i < 3 && !page.url().startsWith(base); i++)
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.ok(page.url().startsWith(base), `the provider did not return to herald: ${page.url()}`);
  await page.waitForLoadState('load');
  return { context, page, callback };
}

async function signedInAs(page, username, role) {
  await page.waitForURL(`${base}/admin/`);
  await assert.doesNotReject(page.locator('header .user').getByText(username).waitFor());
  assert.equal((await page.locator('header .user .role').textContent()).trim(), role);
}

test('the sign-in page offers the provider beside the password', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/admin/login?next=/admin/clients/`);
  assert.ok(await page.locator('input[name=password]').isVisible());
  const href = await page.getByRole('link', { name: 'Sign in with Test IdP' }).getAttribute('href');
  assert.equal(href, '/admin/oidc/login?next=%2Fadmin%2Fclients%2F');
  await screenshot(page, 'oidc-login');
  await context.close();
});

test('sign-in maps the role claim to a herald user, created once and updated each time', async () => {
  const login = uniq('ann');
  idp.roles.set(login, 'operator');
  const first = await viaProvider(login);
  await signedInAs(first.page, login, 'operator');
  await screenshot(first.page, 'oidc-signed-in');
  const rows = sql(`SELECT username, role, oidc_issuer, password_hash IS NULL FROM users WHERE oidc_subject = '${login}'`);
  assert.deepEqual(rows, [[login, 'operator', idp.issuer, 't']]);
  // a session like the password sign-in's: the pages of the role open, the admin's do not
  assert.equal((await first.page.goto(`${base}/admin/mailings/`)).status(), 200);
  assert.equal((await first.page.goto(`${base}/admin/users/`)).status(), 403);
  // no password here to change: the name is no link, and the password page says why
  assert.equal(await first.page.locator('header .user a[href="/admin/password"]').count(), 0);
  assert.equal((await first.page.goto(`${base}/admin/password`)).status(), 409);
  assert.match(await first.page.textContent('main'), /signs in through single sign-on/);
  await first.context.close();

  idp.roles.set(login, 'admin');
  const again = await viaProvider(login);
  await signedInAs(again.page, login, 'admin');
  assert.deepEqual(sql(`SELECT count(*), min(role) FROM users WHERE oidc_subject = '${login}'`), [['1', 'admin']]);
  assert.equal((await again.page.goto(`${base}/admin/users/`)).status(), 200);
  await again.context.close();
});

test('an account without a known role is refused, with no session and no user', async () => {
  for (const [login, role] of [[uniq('nobody'), null], [uniq('guest'), 'guest']]) {
    if (role) idp.roles.set(login, role);
    const { context, page } = await viaProvider(login);
    assert.match(page.url(), /\/admin\/oidc\/callback\?/);
    await assert.doesNotReject(page.getByRole('alert').getByText('gives you no role in herald').waitFor());
    assert.equal((await context.cookies()).filter((c) => /herald_session/.test(c.name)).length, 0);
    assert.deepEqual(sql(`SELECT count(*) FROM users WHERE oidc_subject = '${login}'`), [['0']]);
    if (!role) await screenshot(page, 'oidc-no-role');
    await context.close();
  }
});

for (const [mode, message] of [['audience', 'meant for another application'], ['expired', 'it has expired'],
                               ['signature', 'signature is not the issuer']]) {
  test(`an ID token refused: ${mode}`, async () => {
    const login = uniq(mode.slice(0, 6));
    idp.roles.set(login, 'admin');
    idp.setTamper(mode);
    try {
      const { context, page } = await viaProvider(login);
      await assert.doesNotReject(page.getByRole('alert').getByText(message).waitFor());
      assert.equal((await context.cookies()).filter((c) => /herald_session/.test(c.name)).length, 0);
      assert.deepEqual(sql(`SELECT count(*) FROM users WHERE oidc_subject = '${login}'`), [['0']]);
      await context.close();
    } finally {
      idp.setTamper('none');
    }
  });
}

test('why an ID token is refused is said in the user\'s language', async () => {
  const login = uniq('ruexp');
  idp.roles.set(login, 'admin');
  idp.setTamper('expired');
  try {
    const { context, page } = await viaProvider(login, 'ru');
    await assert.doesNotReject(page.getByRole('alert').getByText('ID-токен отклонён: срок его действия истёк').waitFor());
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    await context.close();
  } finally {
    idp.setTamper('none');
  }
});

test('a state is used once: a replayed callback is refused', async () => {
  const login = uniq('rita');
  idp.roles.set(login, 'viewer');
  const { context, page, callback } = await viaProvider(login);
  await signedInAs(page, login, 'viewer');
  assert.ok(callback, 'the provider sent the browser to the callback');
  const state = new URL(callback).searchParams.get('state');

  // the same browser replays it, with its state cookie back in place
  await context.clearCookies();
  await context.addCookies([{ name: 'herald_oidc_state', value: state, url: `${base}/admin/oidc/` }]);
  const replay = await page.goto(callback);
  assert.equal(replay.status(), 400);
  await assert.doesNotReject(page.getByRole('alert').getByText('already been used').waitFor());
  assert.equal((await context.cookies()).filter((c) => /herald_session/.test(c.name)).length, 0);
  await context.close();

  // another browser, without the cookie, gets nowhere either
  const other = await browser.newContext();
  const p2 = await other.newPage();
  assert.equal((await p2.goto(callback)).status(), 400);
  await assert.doesNotReject(p2.getByRole('alert').getByText('not started in this browser').waitFor());
  await other.close();
});

test('password sign-in still works beside it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=username]', 't_viewer');
  await page.fill('input[name=password]', 'password-viewer');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  await signedInAs(page, 't_viewer', 'viewer');
  assert.equal(await page.locator('header .user a[href="/admin/password"]').count(), 1);
  await context.close();
});
