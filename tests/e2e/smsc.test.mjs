// The upstream SMPP provider (issue 14 item 2, docs/smpp.md "Upstream SMSC"): a herald of the
// test's own, on a database of its own, binds to a real SMSC (the npm `smpp` package's server)
// as the providers row of kind smpp says, and delivers mailings through it: each message
// accepted once with its text and destination, long texts in message_payload; ESME_RTHROTTLED
// retried; a dropped link reconnected with only the messages whose answer was lost sent again
// (API.md 9.1); enquire_link both ways; a refused bind retried with a growing backoff and shown
// in provider_health; receipts answered; unbind on stop. The API takes the kind and refuses a
// url that does not fit it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import smpp from 'smpp';
import { BASE_URL, launch, signIn } from './browser.mjs';
import { HERALD, ROOT, startHerald } from './proc.mjs';

const DB = `smsc_${process.pid}_${randomBytes(3).toString('hex')}`;
const DBURL = `${process.env.DATABASE_URL} dbname=${DB}`;
const SYSTEM_ID = 'herald-up';
const PASSWORD = 'sec-pw1';
const LONG = 'Long text: ' + 'abcdefghij'.repeat(20);          // 211 septets: beyond one SMS
const CYR = 'Привет, мир! Доставка через SMSC.';               // UCS-2
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const smscs = [];   // closed after the tests, failed ones too (a listening one would keep node up)

function q(query) {
  return execFileSync('psql', [DBURL, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' }).trim();
}

async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// An SMSC on a free port. bind(pdu, n) and submit(pdu, n) (n counts from 1) return the
// command_status to answer with, or null for no answer; every PDU is recorded.
async function startSmsc({ bind = () => 0, submit = () => 0 } = {}) {
  const smsc = { binds: [], submits: [], accepted: [], enquires: 0, enquireResps: 0, unbinds: 0, deliverResps: [], sessions: [] };
  let ids = 0;
  smsc.server = smpp.createServer((s) => {
    smsc.sessions.push(s);
    s.on('error', () => {});
    s.on('bind_transceiver', (pdu) => {
      smsc.binds.push({ at: Date.now(), system_id: pdu.system_id, password: pdu.password });
      const st = bind(pdu, smsc.binds.length);
      s.send(pdu.response({ command_status: st, system_id: 'fake-smsc' }));
    });
    s.on('submit_sm', (pdu) => {
      const text = (pdu.message_payload ?? pdu.short_message).message;
      const rec = { to: pdu.destination_addr, text, dc: pdu.data_coding, payload: !!pdu.message_payload,
                    dlr: pdu.registered_delivery };
      smsc.submits.push(rec);
      const st = submit(pdu, smsc.submits.length, s);
      if (st === null) return;
      if (st === 0) {
        rec.id = `smsc-${++ids}`;
        smsc.accepted.push(rec);
      }
      s.send(pdu.response({ command_status: st, message_id: rec.id ?? '' }));
    });
    s.on('enquire_link', (pdu) => { smsc.enquires++; s.send(pdu.response()); });
    s.on('enquire_link_resp', () => { smsc.enquireResps++; });
    s.on('deliver_sm_resp', (pdu) => { smsc.deliverResps.push(pdu); });
    s.on('unbind', (pdu) => { smsc.unbinds++; s.send(pdu.response()); });
  });
  await new Promise((r) => smsc.server.listen(0, '127.0.0.1', r));
  smscs.push(smsc);
  smsc.port = smsc.server.address().port;
  smsc.close = () => {
    for (const s of smsc.sessions) s.destroy();
    return new Promise((r) => smsc.server.close(r));
  };
  return smsc;
}

// The only provider: kind smpp at the SMSC, a window of `window`.
function provider(smsc, window = 10) {
  q('DELETE FROM providers');
  return q(`INSERT INTO providers (name, kind, url, token, concurrency)
            VALUES ('up', 'smpp', 'smpp://${SYSTEM_ID}@127.0.0.1:${smsc.port}', '${PASSWORD}', ${window}) RETURNING id`);
}

let code = 900;
// n clients of a new operator code and a mailing of text to them, started now.
function mailing(n, text) {
  code++;
  q(`INSERT INTO operators (code) VALUES ('${code}')`);
  q(`INSERT INTO clients (phone, operator_code, timezone) SELECT '7${code}' || lpad(g::text, 7, '0'), '${code}',
     'Europe/Moscow' FROM generate_series(1, ${n}) g`);
  const id = q(`INSERT INTO mailings (start_at, end_at, text, filter_operator_codes, filter_tags)
                VALUES (now(), now() + interval '1 hour', '${text.replaceAll("'", "''")}', '{${code}}', '{}') RETURNING id`);
  q(`SELECT pg_notify('herald_mailings', '${id}')`);
  return { id, phones: Array.from({ length: n }, (_, i) => `7${code}${String(i + 1).padStart(7, '0')}`) };
}

async function finished(m, ms = 60000) {
  await until(`mailing ${m.id} to finish`, () => q(`SELECT count(*) FILTER (WHERE status IN (message_status('pending'),
    message_status('sending'))) = 0 AND count(*) > 0 FROM messages WHERE mailing_id = ${m.id}`) === 't', ms);
  return q(`SELECT count(*) FROM messages WHERE mailing_id = ${m.id} AND status = message_status('sent')`);
}

async function withHerald(env, fn, roles = 'smpp,scheduler,dispatch') {
  const h = await startHerald({
    roles,
    env: { DATABASE_URL: DBURL, HERALD_PROVIDER_URL: '', HERALD_DISPATCH_WORKERS: '1', HERALD_RETRY_BASE_MS: '50',
           HERALD_RETRY_MAX_MS: '400', HERALD_PROVIDER_TIMEOUT_MS: '2000', ...env },
  });
  try {
    await fn(h);
  } finally {
    assert.equal(await h.stop(), 0, 'herald exits 0 on SIGTERM');
    assert.equal(h.sanitizer(), '', 'no sanitizer report');
  }
}

// Each phone accepted exactly once, with the text.
function acceptedOnce(smsc, m, text) {
  const got = smsc.accepted.filter((r) => m.phones.includes(r.to));
  assert.deepEqual(got.map((r) => r.to).sort(), [...m.phones].sort(), 'every message accepted exactly once');
  for (const r of got) assert.equal(r.text, text);
}

before(() => {
  execFileSync('psql', [process.env.DATABASE_URL, '-XAtq', '-c', `CREATE DATABASE ${DB}`]);
  execFileSync(HERALD, ['migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: DBURL, HERALD_LOG_DIR: os.tmpdir() },
                                     stdio: 'ignore' });
});

after(async () => {
  await Promise.all(smscs.map((s) => s.close()));
  execFileSync('psql', [process.env.DATABASE_URL, '-XAtq', '-c', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`]);
});

test('a mailing through the SMSC: bound with the row\'s system_id and password, each message once, long texts whole', async () => {
  const smsc = await startSmsc();
  const id = provider(smsc);
  await withHerald({}, async (h) => {
    const short = mailing(40, 'Hello "upstream" {x} €');
    const long = mailing(3, LONG);
    const cyr = mailing(3, CYR);
    for (const m of [short, long, cyr]) assert.equal(await finished(m), String(m.phones.length));
    assert.ok(smsc.binds.length >= 1);
    for (const b of smsc.binds) assert.deepEqual([b.system_id, b.password], [SYSTEM_ID, PASSWORD]);
    acceptedOnce(smsc, short, 'Hello "upstream" {x} €');
    acceptedOnce(smsc, long, LONG);
    acceptedOnce(smsc, cyr, CYR);
    assert.equal(smsc.submits.length, 46, 'no submit_sm beyond one per message');
    const by = (m) => smsc.submits.find((r) => r.to === m.phones[0]);
    assert.deepEqual([by(short).dc, by(short).payload, by(short).dlr], [0, false, 1], 'GSM 03.38 in short_message, a receipt asked');
    assert.deepEqual([by(long).dc, by(long).payload], [0, true], 'a long text goes whole in message_payload');
    assert.deepEqual([by(cyr).dc, by(cyr).payload], [8, false], 'UCS-2');
    // the SMSC's id of each message is kept for its receipts
    const refs = q(`SELECT string_agg(r.ref || '=' || m.phone, ',') FROM provider_refs r
                    JOIN messages m ON m.id = r.message_id WHERE r.provider_id = ${id}`).split(',');
    assert.deepEqual(refs.sort(), smsc.accepted.map((a) => `${a.id}=${a.to}`).sort());

    // the SMSC's receipts are the messages' delivery reports: DELIVRD delivered, UNDELIV
    // undelivered with the receipt's state as last_error; each answered ESME_ROK
    const s = smsc.sessions.at(-1);
    const [ok, bad] = smsc.accepted;
    const status = (a) => q(`SELECT message_status_name(m.status) || '|' || coalesce(m.last_error, '')
                               || '|' || (m.reported_at IS NOT NULL) FROM provider_refs r
                               JOIN messages m ON m.id = r.message_id WHERE r.provider_id = ${id} AND r.ref = '${a.id}'`);
    assert.equal(status(ok), 'sent||false', 'an SMSC sends receipts: sent awaits its report');
    s.deliver_sm({ source_addr: ok.to, esm_class: 4,
                   short_message: `id:${ok.id} sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:DELIVRD err:000 text:Hello`,
                   receipted_message_id: ok.id });
    s.deliver_sm({ source_addr: bad.to, esm_class: 4,
                   short_message: `id:${bad.id} sub:001 dlvrd:000 submit date:2611301200 done date:2611301201 stat:UNDELIV err:034 text:Hello` });
    await until('deliver_sm_resp', () => smsc.deliverResps.length === 2, 5000);
    assert.deepEqual(smsc.deliverResps.map((r) => r.command_status), [0, 0]);
    await until('the receipts applied', () => status(ok) === 'delivered||true' && status(bad) === 'undelivered|UNDELIV err:034|true', 10000);

    // a receipt that the message's report contradicts may have overtaken its message's outcome:
    // herald tries it again for two minutes, and counts it once, when it stops trying
    s.deliver_sm({ source_addr: ok.to, esm_class: 4,
                   short_message: `id:${ok.id} sub:001 dlvrd:000 submit date:2611301200 done date:2611301202 stat:UNDELIV err:001 text:Hello`,
                   receipted_message_id: ok.id });
    await until('deliver_sm_resp', () => smsc.deliverResps.length === 3, 5000);
    await sleep(2000);   // tried four times
    const text = await (await fetch(`http://127.0.0.1:${h.httpPort}/metrics`)).text();
    const counted = (o) => Number(text.match(new RegExp(`^herald_dlr_reports_total\\{outcome="${o}"\\} (\\d+)$`, 'm'))?.[1]);
    assert.deepEqual([counted('applied'), counted('not_sent')], [2, 0], 'each receipt counted once: two applied, the third not yet');
    assert.equal(status(ok), 'delivered||true', 'the report a message has is not undone');
  }, 'web,smpp,scheduler,dispatch');
  assert.ok(smsc.unbinds >= 1, 'herald unbinds when it stops');
  await smsc.close();
});

test('ESME_RTHROTTLED is retried: every message accepted once', async () => {
  const smsc = await startSmsc({ submit: (pdu, n) => (n % 3 === 1 ? 0x58 : 0) });
  provider(smsc);
  await withHerald({}, async () => {
    const m = mailing(30, 'throttled then sent');
    assert.equal(await finished(m), '30');
    acceptedOnce(smsc, m, 'throttled then sent');
    assert.ok(smsc.submits.length > 30, 'some were throttled first');
  });
  await smsc.close();
});

test('the SMSC drops the link mid-mailing: herald binds again; only messages whose answer was lost go again', async () => {
  let dying = null;
  const smsc = await startSmsc({
    submit: (pdu, n, s) => {
      if (s === dying) return null;               // what comes until the link is down is not answered
      if (n < 25 || dying) return 0;
      dying = s;
      setTimeout(() => s.destroy(), 50);
      return null;
    },
  });
  provider(smsc, 8);
  await withHerald({}, async () => {
    const m = mailing(120, 'through a dropped link');
    assert.equal(await finished(m), '120');
    acceptedOnce(smsc, m, 'through a dropped link');
    assert.ok(smsc.binds.length >= 2, 'herald bound again');
    const extra = smsc.submits.length - 120;
    assert.ok(extra >= 1 && extra <= 8, `only the window in flight at the drop went again (${extra})`);
  });
  await smsc.close();
});

test('enquire_link: sent when the link is idle, answered when the SMSC asks', async () => {
  const smsc = await startSmsc();
  provider(smsc);
  await withHerald({ HERALD_SMPP_ENQUIRE_LINK_S: '1' }, async () => {
    await until('a bind', () => smsc.binds.length === 1, 10000);
    await until('enquire_link from herald', () => smsc.enquires >= 2, 10000);
    smsc.sessions[0].enquire_link();
    await until('enquire_link_resp from herald', () => smsc.enquireResps === 1, 5000);
    assert.equal(smsc.binds.length, 1, 'the link stayed up');
  });
  await smsc.close();
});

test('a refused bind is retried with a growing backoff, shown in provider_health, then the mailing goes', async () => {
  let refuse = true;
  const smsc = await startSmsc({ bind: () => (refuse ? 0x0e : 0) });
  const id = provider(smsc);
  await withHerald({}, async (h) => {
    const m = mailing(10, 'after a refused bind');
    await until('three refused binds', () => smsc.binds.length >= 3, 15000);
    // an idle worker looks at its link at least once a second: each gap is its backoff to 1 s more
    const gaps = [1, 2].map((i) => smsc.binds[i].at - smsc.binds[i - 1].at);
    assert.ok(gaps[0] >= 900 && gaps[1] >= 1900, `backoff grows: ${gaps}`);
    const backoffs = () => [...h.log().matchAll(/"event":"provider.smpp_down".*?"retry_in_s":(\d+)/g)].map((x) => Number(x[1]));
    await until('the third refusal in the log', () => backoffs().length >= 3, 5000);
    assert.deepEqual(backoffs().slice(0, 3), [1, 2, 4], 'the log says each backoff');
    await until('provider_health shows failures', () =>
      q(`SELECT coalesce(sum(failures), 0) > 0 FROM provider_health WHERE provider_id = ${id}`) === 't', 15000);
    assert.equal(q(`SELECT count(*) FROM messages WHERE mailing_id = ${m.id} AND status = message_status('sent')`), '0');
    refuse = false;
    assert.equal(await finished(m), '10');
    acceptedOnce(smsc, m, 'after a refused bind');
  });
  await smsc.close();
});

test('the API takes kind smpp with an smpp:// url and refuses a url of the other kind', async () => {
  const api = (method, path, body) => fetch(`${process.env.HERALD_TEST_URL}${path}`, {
    method, headers: { Authorization: `Bearer ${process.env.HERALD_TEST_TOKEN_ADMIN}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const name = `smsc-${randomBytes(4).toString('hex')}`;
  let r = await api('POST', '/api/v1/providers', { name, kind: 'smpp', url: 'http://127.0.0.1:9/v1', enabled: false });
  assert.equal(r.status, 422);
  assert.ok((await r.json()).errors.url, 'the url is the field at fault');
  r = await api('POST', '/api/v1/providers', { name, kind: 'smpp', url: 'smpp://sys@127.0.0.1:2775', token: 'x'.repeat(65), enabled: false });
  assert.equal(r.status, 422, 'a bind password is at most 64 characters');
  r = await api('POST', '/api/v1/providers', { name, kind: 'smpp', url: 'smpp://sys@127.0.0.1:2775', token: 'pw', enabled: false });
  assert.equal(r.status, 201);
  const p = await r.json();
  assert.deepEqual([p.kind, p.url, p.token_set], ['smpp', 'smpp://sys@127.0.0.1:2775', true]);
  r = await api('PATCH', `/api/v1/providers/${p.id}`, { url: 'https://example.com/v1' });
  assert.equal(r.status, 422, 'a probe url on an smpp row');
  r = await api('PATCH', `/api/v1/providers/${p.id}`, { kind: 'probe', url: 'https://example.com/v1' });
  assert.equal(r.status, 200);
  assert.equal((await api('DELETE', `/api/v1/providers/${p.id}`)).status, 204);
});

test('the admin form takes kind smpp, in both languages, and says beside the url when it does not fit', async () => {
  const browser = await launch();
  try {
    for (const [lang, wrong] of [['en', /smpp:\/\/SYSTEM_ID@HOST:PORT/], ['ru', /smpp:\/\/SYSTEM_ID@ХОСТ:ПОРТ/]]) {
      const { page, problems } = await signIn(browser, 't_admin', 'password-admin',
        { extraHTTPHeaders: { 'Accept-Language': lang } });
      const name = `smsc-${lang}-${randomBytes(4).toString('hex')}`;
      await page.goto(`${BASE_URL}/admin/providers/add`);
      await page.fill('input[name=name]', name);
      await page.selectOption('select[name=kind]', 'smpp');
      await page.fill('input[name=url]', 'https://example.com/v1');
      await page.uncheck('input[name=enabled]');
      await page.click('main button[type=submit]');
      assert.match(await page.textContent('#err-url'), wrong);
      await page.fill('input[name=url]', 'smpp://herald@127.0.0.1:2775');
      await page.fill('input[name=token]', 'pw-SECRET');
      await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
      assert.match(new URL(page.url()).pathname, /^\/admin\/providers\/$/);
      assert.doesNotMatch(await page.content(), /SECRET/);
      const row = execFileSync('psql', [process.env.DATABASE_URL, '-XAtq', '-c',
        `SELECT kind || ' ' || url || ' ' || token || ' ' || enabled FROM providers WHERE name = '${name}'`], { encoding: 'utf8' }).trim();
      assert.equal(row, 'smpp smpp://herald@127.0.0.1:2775 pw-SECRET false');
      execFileSync('psql', [process.env.DATABASE_URL, '-XAtq', '-c', `DELETE FROM providers WHERE name = '${name}'`]);
      assert.deepEqual(problems.filter((p) => !/\b422\b/.test(p)), []);
    }
  } finally {
    await browser.close();
  }
});
