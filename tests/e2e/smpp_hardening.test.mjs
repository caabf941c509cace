// SMPP server under hostile peers (API.md section 7: "Whatever a peer sends, and whether or not
// it reads the answers, herald's memory stays bounded and other peers are served"). Each test
// runs its own herald (settings through the environment), real TCP peers from node: raw
// sockets for the misbehaving ones, the npm `smpp` client for the well-behaved ones.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, createAccount, sql, call, bind, closed, uniq, rss, enquireLink, bindPdu, rawPeer, rawAnswer,
         closesWithin } from './proc.mjs';

const PW = 'pass-word1';
const acct = {};

function phone() {
  return `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A herald for one test; stopped (exit 0, no sanitizer report) when fn is done.
async function withHerald(env, fn) {
  const h = await startHerald({ env });
  try {
    await fn(h);
  } finally {
    assert.equal(await h.stop(), 0, 'herald exits 0 on SIGTERM');
    assert.equal(h.sanitizer(), '', 'no sanitizer report');
  }
}

// Writes enquire_link PDUs to sock as fast as it takes them for ms, reading nothing.
async function flood(sock, ms) {
  sock.pause();
  const chunk = Buffer.concat(Array.from({ length: 4096 }, (_, i) => enquireLink(1000 + i)));
  const end = Date.now() + ms;
  let sent = 0;
  while (Date.now() < end && !sock.destroyed) {
    if (sock.write(chunk)) {
      sent += chunk.length;
      if (sent % (chunk.length * 64) === 0) await sleep(0);
    } else {
      await Promise.race([new Promise((r) => sock.once('drain', r)), sleep(100)]);
    }
  }
  return sent;
}

before(() => {
  for (const k of ['main', 'other']) acct[k] = uniq(`hd${k}`);
  createAccount(acct.main, PW, { tps: 100000 });
  createAccount(acct.other, PW, { tps: 100000 });
});

test('a peer that floods enquire_link and never reads: memory stays bounded, others are served', async () => {
  await withHerald({}, async (h) => {
    const s = await bind(h.port, acct.main, PW);
    await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('warm up') });
    (await bind(h.port, acct.other, PW)).destroy();    // its password check is remembered from now on
    const base = rss(h.proc.pid);
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, rss(h.proc.pid)); }, 100);
    const flooder = await rawPeer(h.port);
    let served = 0, worst = 0, stop = false;
    const others = (async () => {
      while (!stop) {
        const t0 = Date.now();
        const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('during flood') });
        assert.equal(r.command_status, 0);
        const fresh = await bind(h.port, acct.other, PW);    // a new peer binds meanwhile
        assert.equal((await call(fresh, 'enquire_link')).command_status, 0);
        fresh.destroy();
        worst = Math.max(worst, Date.now() - t0);
        served++;
        await sleep(100);
      }
    })();
    let sent = 0;
    try {
      sent = await flood(flooder, 5000);
    } finally {
      stop = true;
      await others;
    }
    clearInterval(sampler);
    peak = Math.max(peak, rss(h.proc.pid));
    const grew = (peak - base) / 1048576;
    assert.ok(grew < 48, `RSS grew by ${grew.toFixed(1)} MiB while a peer sent ${(sent / 1048576).toFixed(0)} MiB`);
    assert.ok(served >= 5, `other peers were served ${served} times`);
    assert.ok(worst < 5000, `an answer took ${worst} ms`);
    flooder.destroy();
    s.destroy();
  });
});

test('a peer that does not bind in time is closed; a bound one stays', async () => {
  await withHerald({ HERALD_SMPP_BIND_TIMEOUT_S: '1' }, async (h) => {
    const idle = await rawPeer(h.port);
    const chatty = await rawPeer(h.port);
    const s = await bind(h.port, acct.main, PW);
    const keep = setInterval(() => chatty.write(enquireLink(7)), 200);
    try {
      assert.equal(await closesWithin(idle, 8000), true, 'a silent unbound peer is closed');
      assert.equal(await closesWithin(chatty, 8000), true, 'an unbound peer sending enquire_link is closed');
    } finally {
      clearInterval(keep);
    }
    await sleep(1500);
    assert.equal((await call(s, 'enquire_link')).command_status, 0, 'the bound session is still served');
    s.destroy();
  });
});

test('a bound peer whose output stays full is closed after the send timeout', async () => {
  await withHerald({ HERALD_SMPP_SEND_TIMEOUT_S: '2' }, async (h) => {
    const p = await rawPeer(h.port);
    p.write(bindPdu(2, acct.main, PW, 1));
    const r = await rawAnswer(p, 1);
    assert.equal(r && r.status, 0, 'bound');
    const done = closesWithin(p, 30000);
    await flood(p, 4000);
    const keep = setInterval(() => p.write(enquireLink(9)), 200);
    try {
      assert.equal(await done, true, 'closed while its answers pile up unread');
    } finally {
      clearInterval(keep);
    }
    const s = await bind(h.port, acct.main, PW);
    assert.equal((await call(s, 'enquire_link')).command_status, 0);
    s.destroy();
  });
});

test('connections are capped per address and in total', async () => {
  const env = { HERALD_SMPP_MAX_CONNECTIONS: '4', HERALD_SMPP_MAX_CONNECTIONS_PER_IP: '2' };
  await withHerald(env, async (h) => {
    async function served(addr, seq) {
      const p = await rawPeer(h.port, addr);
      p.write(enquireLink(seq));
      const r = await rawAnswer(p, seq, 3000);
      return { p, ok: r !== null && r.status === 0 };
    }
    const a1 = await served('127.0.0.1', 1);
    const a2 = await served('127.0.0.1', 2);
    assert.ok(a1.ok && a2.ok, 'two from one address');
    const a3 = await served('127.0.0.1', 3);
    assert.equal(a3.ok, false, 'a third from the same address is refused');
    assert.equal(await closesWithin(a3.p, 3000), true);
    const b = await served('127.0.0.2', 4);
    const c = await served('127.0.0.3', 5);
    assert.ok(b.ok && c.ok, 'other addresses up to the total');
    const d = await served('127.0.0.4', 6);
    assert.equal(d.ok, false, 'a fifth connection is refused');
    a1.p.destroy();
    await sleep(300);
    const again = await served('127.0.0.1', 7);
    assert.ok(again.ok, 'a freed place is taken again');
    for (const x of [a2, b, c, again]) x.p.destroy();
  });
});

test('SMPP 3.4 passwords of 1 to 8 characters are accepted by the CLI and bind', async () => {
  const short = uniq('hdpw1'), eight = uniq('hdpw8');
  createAccount(short, 'x');
  createAccount(eight, 'Pa$$w0rd');
  await withHerald({}, async (h) => {
    for (const [sid, pw] of [[short, 'x'], [eight, 'Pa$$w0rd']]) {
      const s = await bind(h.port, sid, pw);
      assert.equal((await call(s, 'enquire_link')).command_status, 0);
      s.destroy();
    }
  });
});

// Resolves true when the npm smpp session's socket closes within ms.
function sessionClosesWithin(session, ms) {
  return Promise.race([closed(session).then(() => true), sleep(ms).then(() => false)]);
}

test('disabling or deleting an account closes its binds; a deleted one never fails others\' submits', async () => {
  const off = uniq('hdoff'), gone = uniq('hdgone');
  createAccount(off, PW, { tps: 100000 });
  createAccount(gone, PW, { tps: 100000 });
  await withHerald({}, async (h) => {
    const a = await bind(h.port, off, PW);
    const b = await bind(h.port, gone, PW);
    const o = await bind(h.port, acct.main, PW);
    sql(`UPDATE smpp_accounts SET enabled = false WHERE system_id = '${off}'`);
    assert.equal(await sessionClosesWithin(a, 3000), true, 'the disabled account\'s bind is closed');
    sql(`DELETE FROM smpp_accounts WHERE system_id = '${gone}'`);
    const good = [];
    for (let i = 0; i < 20; i++) {
      call(b, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`stale ${i}`) }).catch(() => null);
      for (let k = 0; k < 5; k++)
        good.push(call(o, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`good ${i}.${k}`) }));
    }
    const rs = await Promise.all(good);
    assert.deepEqual(rs.filter((r) => r.command_status !== 0).map((r) => r.command_status), [],
                     'every submit of the other account is stored');
    assert.equal(await sessionClosesWithin(b, 3000), true, 'the deleted account\'s bind is closed');
    o.destroy();
  });
});

// Sends a bind on a new raw connection from addr; resolves with its command_status (null: none).
async function rawBind(port, systemId, password, addr = '127.0.0.1') {
  const p = await rawPeer(port, addr);
  p.write(bindPdu(2, systemId, password, 1));
  const r = await rawAnswer(p, 1, 20000);
  p.destroy();
  return r ? r.status : null;
}

test('parallel binds are counted as they arrive: at most 10 password checks a minute', async () => {
  await withHerald({}, async (h) => {
    const st = await Promise.all(Array.from({ length: 30 }, (_, i) => rawBind(h.port, acct.main, `wrong-${i}`)));
    const checked = st.filter((s) => s === 0x0e).length;
    assert.ok(checked <= 10, `${checked} wrong passwords were checked`);
    assert.equal(st.filter((s) => s === 0x0d).length, 30 - checked, 'the others are throttled');
    assert.equal(await rawBind(h.port, acct.main, PW), 0x0d, 'throttled even with the right password');
    assert.equal(await rawBind(h.port, acct.other, PW, '127.0.0.2'), 0, 'another account from another address binds');
  });
});

test('an unknown system_id and a bad address answer like a wrong password, in about the same time', async () => {
  const net = uniq('hdnet');
  createAccount(net, PW, { allow: '10.0.0.0/8' });
  await withHerald({}, async (h) => {
    assert.equal(await rawBind(h.port, net, PW), 0x0e, 'right password from outside the allowed networks');
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known = [], unknown = [];
    for (let i = 0; i < 4; i++) {
      let t0 = Date.now();
      assert.equal(await rawBind(h.port, acct.main, `wrong-${i}`, '127.0.0.3'), 0x0e);
      known.push(Date.now() - t0);
      t0 = Date.now();
      assert.equal(await rawBind(h.port, uniq('nobody'), `wrong-${i}`, '127.0.0.4'), 0x0e);
      unknown.push(Date.now() - t0);
    }
    assert.ok(median(unknown) >= 0.4 * median(known),
              `unknown system_id answered in ${median(unknown)} ms, a known one in ${median(known)} ms`);
  });
});

test('password guessing does not hold up other accounts\' submits', async () => {
  const victims = Array.from({ length: 4 }, (_, i) => uniq(`hdv${i}`));
  for (const v of victims) createAccount(v, PW);
  await withHerald({}, async (h) => {
    const s = await bind(h.port, acct.main, PW);
    let t0 = Date.now();
    assert.equal(await rawBind(h.port, victims[0], 'wrong', '127.0.1.250'), 0x0e);
    const oneCheck = Date.now() - t0;
    const storm = [];
    for (let i = 0; i < 40; i++) storm.push(rawBind(h.port, victims[i % 4], `guess-${i}`, `127.0.1.${i + 1}`));
    await sleep(50);
    t0 = Date.now();
    const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('not held up') });
    const took = Date.now() - t0;
    assert.equal(r.command_status, 0);
    await Promise.all(storm);
    assert.ok(took < Math.max(5 * oneCheck, 200), `a submit took ${took} ms during the storm (one password check: ${oneCheck} ms)`);
    s.destroy();
  });
});

test('a NUL inside a Latin-1 or UCS-2 text is refused (ESME_RSUBMITFAIL), trailing NULs are dropped', async () => {
  await withHerald({}, async (h) => {
    const s = await bind(h.port, acct.main, PW);
    const send = (dc, bytes) => call(s, 'submit_sm', { destination_addr: phone(), data_coding: dc, short_message: bytes });
    let r = await send(3, Buffer.from('ab\0cd', 'latin1'));
    assert.equal(r.command_status, 0x45, 'Latin-1 with a NUL inside');
    r = await send(8, Buffer.from([0, 0x41, 0, 0, 0, 0x42]));
    assert.equal(r.command_status, 0x45, 'UCS-2 with a NUL inside');
    r = await send(3, Buffer.from('padded\0\0', 'latin1'));
    assert.equal(r.command_status, 0);
    assert.equal(sql(`SELECT text FROM messages WHERE id = ${r.message_id}`)[0][0], 'padded');
    s.destroy();
  });
});

test('messages being reassembled are bounded per account, not only per bind', async () => {
  await withHerald({}, async (h) => {
    const sessions = await Promise.all(Array.from({ length: 5 }, () => bind(h.port, acct.other, PW)));
    const full = [];
    sessions.forEach((s, b) => {
      for (let i = 0; i < 16; i++) {
        const udh = Buffer.from([5, 0, 3, b * 16 + i, 2, 1]);
        s.submit_sm({ destination_addr: phone(), esm_class: 0x40, data_coding: 3,
                      short_message: Buffer.concat([udh, Buffer.from('first half')]) },
                    (pdu) => { if (pdu.command_status === 0x14) full.push(pdu); });
      }
    });
    await sleep(2000);
    assert.ok(full.length >= 80 - 64, `${full.length} of 80 first parts got ESME_RMSGQFUL`);
    for (const s of sessions) s.destroy();
  });
});

test('/metrics has the SMPP figures', async () => {
  const slow = uniq('hdslow');
  createAccount(slow, PW, { tps: 1 });
  const h = await startHerald({ roles: 'web,smpp' });
  try {
    const s = await bind(h.port, slow, PW);
    const rs = await Promise.all([0, 1, 2].map((i) =>
      call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`m${i}`) })));
    assert.ok(rs.some((r) => r.command_status === 0x58), 'one was throttled');
    const text = await (await fetch(`http://127.0.0.1:${h.httpPort}/metrics`)).text();
    const value = (name) => {
      const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
      assert.ok(m, `${name} in /metrics`);
      return Number(m[1]);
    };
    assert.equal(value('herald_smpp_binds'), 1);
    assert.ok(value('herald_smpp_connections') >= 1);
    assert.ok(value('herald_smpp_submits_total{result="ok"}') >= 1);
    assert.ok(value('herald_smpp_throttled_total') >= 1);
    assert.ok(value('herald_smpp_bind_failures_total') >= 0);
    assert.ok(value('herald_smpp_receipts_pending') >= 0);
    assert.match(text, /# TYPE herald_smpp_binds gauge/);
    assert.match(text, /# TYPE herald_smpp_submits_total counter/);
    s.destroy();
  } finally {
    assert.equal(await h.stop(), 0);
    assert.equal(h.sanitizer(), '');
  }
});
