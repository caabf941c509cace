// SMPP 3.4 server end to end: our own herald with HERALD_SMPP_LISTEN, the npm `smpp` client as
// the ESME, raw sockets for malformed PDUs, and psql to look into (and, until the dispatcher
// of the engine branch is there, to finish) messages.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startHerald, createAccount, sql, connect, call, bind, next, closed, uniq } from './proc.mjs';

const PW = 'pass-word1';
let h;
const acct = {};

// Messages whose final status the test sets itself are scheduled a day ahead, so that no
// dispatcher (another role of the harness's herald) sends them meanwhile.
const LATER = '000001000000000R';

function phone() {
  return `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}

function storedText(id) {
  return sql(`SELECT text FROM messages WHERE id = ${Number(id)}`)[0][0];
}

// GSM 03.38 septets of a string made of basic-table characters plus € [ ] { } ^ ~ | \.
const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXT = { '€': 0x65, '[': 0x3c, ']': 0x3e, '{': 0x28, '}': 0x29, '^': 0x14, '~': 0x3d, '|': 0x40, '\\': 0x2f };
function septets(s) {
  const out = [];
  for (const ch of s) {
    if (ch in EXT) out.push(0x1b, EXT[ch]);
    else {
      const i = GSM.indexOf(ch);
      assert.ok(i >= 0, `not GSM: ${ch}`);
      out.push(i);
    }
  }
  return out;
}
function pack(sep, fillBits = 0) {
  const out = [];
  let acc = 0, bits = fillBits;
  for (const s of sep) {
    acc |= s << bits;
    bits += 7;
    while (bits >= 8) { out.push(acc & 0xff); acc >>= 8; bits -= 8; }
  }
  if (bits > 0) out.push(acc & 0xff);
  return Buffer.from(out);
}
function ucs2(s) {
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) b.writeUInt16BE(s.charCodeAt(i), i * 2);
  return b;
}

before(async () => {
  for (const k of ['main', 'rx', 'slow', 'off', 'net']) {
    acct[k] = uniq(`e2${k}`);
  }
  createAccount(acct.main, PW, { tps: 100000 });
  createAccount(acct.rx, PW, { tps: 100000 });
  createAccount(acct.slow, PW, { tps: 5 });
  createAccount(acct.off, PW);
  createAccount(acct.net, PW, { allow: '10.0.0.0/8' });
  sql(`UPDATE smpp_accounts SET enabled = false WHERE system_id = '${acct.off}'`);
  h = await startHerald();
});

after(async () => {
  if (!h) return;
  assert.equal(await h.stop(), 0, 'herald exits 0 on SIGTERM');
  assert.equal(h.sanitizer(), '', 'no sanitizer report');
});

describe('binds', () => {
  test('transmitter, receiver and transceiver with interface_version 0x33, 0x34, 0x50', async () => {
    for (const [mode, iv] of [['bind_transmitter', 0x33], ['bind_receiver', 0x34], ['bind_transceiver', 0x50]]) {
      const s = await connect(h.port);
      const r = await call(s, mode, { system_id: acct.main, password: PW, interface_version: iv });
      assert.equal(r.command_status, 0, mode);
      assert.equal(r.system_id, 'herald');
      const u = await call(s, 'unbind');
      assert.equal(u.command_status, 0);
      await closed(s);
    }
  });

  test('an unsupported interface_version is refused', async () => {
    const s = await connect(h.port);
    const r = await call(s, 'bind_transceiver', { system_id: acct.main, password: PW, interface_version: 0x40 });
    assert.equal(r.command_status, 0x0d);
    s.destroy();
  });

  test('a wrong password gets ESME_RINVPASWD, an unknown system_id too', async () => {
    const s = await connect(h.port);
    let r = await call(s, 'bind_transceiver', { system_id: acct.main, password: 'wrong-pass' });
    assert.equal(r.command_status, 0x0e);
    r = await call(s, 'bind_transceiver', { system_id: uniq('nobody'), password: PW });
    assert.equal(r.command_status, 0x0e);
    r = await call(s, 'bind_transceiver', { system_id: acct.main, password: PW });
    assert.equal(r.command_status, 0, 'the session can bind after a failure');
    r = await call(s, 'bind_transceiver', { system_id: acct.main, password: PW });
    assert.equal(r.command_status, 0x05, 'already bound');
    s.destroy();
  });

  test('a disabled account gets ESME_RBINDFAIL, an address outside allowed_cidrs ESME_RINVPASWD', async () => {
    const s = await connect(h.port);
    let r = await call(s, 'bind_transmitter', { system_id: acct.off, password: PW });
    assert.equal(r.command_status, 0x0d);
    r = await call(s, 'bind_transmitter', { system_id: acct.net, password: PW });
    assert.equal(r.command_status, 0x0e, 'the same answer as a wrong password (the log says why)');
    s.destroy();
  });

  test('enquire_link is answered before and after bind; requests before bind are refused', async () => {
    const s = await connect(h.port);
    let r = await call(s, 'enquire_link');
    assert.equal(r.command_status, 0);
    r = await call(s, 'submit_sm', { destination_addr: phone(), short_message: 'x' });
    assert.equal(r.command_status, 0x04);
    r = await call(s, 'bind_transceiver', { system_id: acct.main, password: PW });
    assert.equal(r.command_status, 0);
    r = await call(s, 'enquire_link');
    assert.equal(r.command_status, 0);
    s.destroy();
  });

  test('a receiver may not submit', async () => {
    const s = await bind(h.port, acct.main, PW, 'bind_receiver');
    const r = await call(s, 'submit_sm', { destination_addr: phone(), short_message: 'x' });
    assert.equal(r.command_status, 0x04);
    s.destroy();
  });

  test('50 binds at once each submit and are answered', async () => {
    const sessions = await Promise.all(Array.from({ length: 50 }, () => bind(h.port, acct.main, PW)));
    const rs = await Promise.all(sessions.map((s, i) =>
      call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`bind ${i}`, 'latin1') })));
    const ids = new Set();
    for (const r of rs) {
      assert.equal(r.command_status, 0);
      ids.add(r.message_id);
    }
    assert.equal(ids.size, 50);
    const n = sql(`SELECT count(*) FROM smpp_messages WHERE message_id IN (${[...ids].join(',')})`)[0][0];
    assert.equal(n, '50');
    await Promise.all(sessions.map((s) => call(s, 'unbind')));
  });
});

describe('submit_sm', () => {
  let s;
  before(async () => { s = await bind(h.port, acct.main, PW); });
  after(() => s.destroy());

  async function submit(opts) {
    return call(s, 'submit_sm', { destination_addr: phone(), ...opts });
  }

  test('GSM 7-bit unpacked with extension characters', async () => {
    const text = 'Price 5€ [ok] {a} ^~|\\ @£$_ Ä';
    const r = await submit({ data_coding: 0, short_message: Buffer.from(septets(text)) });
    assert.equal(r.command_status, 0);
    assert.match(r.message_id, /^[0-9]+$/);
    assert.equal(storedText(r.message_id), text);
  });

  test('GSM 7-bit packed', async () => {
    const text = 'Packed: hello ü € world!';
    const r = await submit({ data_coding: 0, short_message: pack(septets(text)) });
    assert.equal(r.command_status, 0);
    assert.equal(storedText(r.message_id), text);
  });

  test('Latin-1', async () => {
    const r = await submit({ data_coding: 3, short_message: Buffer.from('Café été ½', 'latin1') });
    assert.equal(r.command_status, 0);
    assert.equal(storedText(r.message_id), 'Café été ½');
  });

  test('UCS-2 Cyrillic and an emoji (surrogate pair)', async () => {
    const text = 'Привет, мир 👋🏽';
    const r = await submit({ data_coding: 8, short_message: ucs2(text) });
    assert.equal(r.command_status, 0);
    assert.equal(storedText(r.message_id), text);
  });

  test('message_payload instead of short_message', async () => {
    const text = 'Длинное сообщение '.repeat(40);
    const r = await submit({ data_coding: 8, message_payload: ucs2(text) });
    assert.equal(r.command_status, 0);
    assert.equal(storedText(r.message_id), text);
  });

  test('validation: destination, empty and too long text, bad data_coding, times', async () => {
    let r = await submit({ destination_addr: '89161234567', short_message: 'x' });
    assert.equal(r.command_status, 0x0b);
    r = await submit({ destination_addr: '7916', short_message: 'x' });
    assert.equal(r.command_status, 0x0b);
    r = await submit({ data_coding: 3, short_message: Buffer.alloc(0) });
    assert.equal(r.command_status, 0x01);
    r = await submit({ data_coding: 3, message_payload: Buffer.from('x'.repeat(4097)) });
    assert.equal(r.command_status, 0x01);
    r = await submit({ data_coding: 3, message_payload: Buffer.from('x'.repeat(4096)) });
    assert.equal(r.command_status, 0);
    r = await submit({ data_coding: 4, short_message: Buffer.from('bin') });
    assert.notEqual(r.command_status, 0);
    r = await submit({ data_coding: 3, short_message: Buffer.from('x'), validity_period: '991399000000000R' });
    assert.equal(r.command_status, 0x62);
    r = await submit({ data_coding: 3, short_message: Buffer.from('x'), schedule_delivery_time: 'garbage' });
    assert.equal(r.command_status, 0x61);
  });

  test('a destination on the stop list gets ESME_RINVDSTADR and nothing is stored', async () => {
    const listed = phone(), marker = uniq('STOP');
    sql(`INSERT INTO stoplist (phone, reason) VALUES ('${listed}', 'e2e')`);
    const text = Buffer.from(`stopped ${marker}`);
    let r = await submit({ destination_addr: listed, data_coding: 3, short_message: text });
    assert.equal(r.command_status, 0x0b);
    r = await submit({ destination_addr: `+${listed}`, data_coding: 3, short_message: text });
    assert.equal(r.command_status, 0x0b);
    assert.equal(sql(`SELECT count(*) FROM messages WHERE phone = '${listed}'`)[0][0], '0');
    r = await submit({ data_coding: 3, short_message: Buffer.from(`not stopped ${marker}`) });
    assert.equal(r.command_status, 0, 'the bind goes on');
    assert.equal(storedText(r.message_id), `not stopped ${marker}`);
  });

  test('a leading + on the destination is accepted; expires_at follows validity_period', async () => {
    const p = phone();
    const r = await submit({ destination_addr: `+${p}`, data_coding: 3, short_message: Buffer.from('plus'),
                             validity_period: '000000020000000R' });
    assert.equal(r.command_status, 0);
    const [[ph, secs]] = sql(`SELECT phone, round(extract(epoch FROM expires_at - created_at)) FROM messages WHERE id = ${r.message_id}`);
    assert.equal(ph, p);
    assert.ok(Math.abs(Number(secs) - 7200) <= 2, secs);
  });

  test('three parts with a UDH (8-bit and 16-bit reference) become one message', async () => {
    for (const iei of [0x00, 0x08]) {
      const dest = phone();
      const parts = ['Part one, ', 'part two, ', 'part three.'];
      const ref = Math.floor(Math.random() * 200);
      const rs = await Promise.all(parts.map((t, i) => {
        const udh = iei === 0 ? Buffer.from([5, 0, 3, ref, 3, i + 1]) : Buffer.from([6, 8, 4, 1, ref, 3, i + 1]);
        return submit({ destination_addr: dest, esm_class: 0x40, data_coding: 8,
                        short_message: Buffer.concat([udh, ucs2(t)]) });
      }));
      for (const r of rs) assert.equal(r.command_status, 0);
      assert.equal(new Set(rs.map((r) => r.message_id)).size, 1, 'every part answers with the one message id');
      assert.equal(storedText(rs[0].message_id), parts.join(''));
      assert.equal(sql(`SELECT parts FROM smpp_messages WHERE message_id = ${rs[0].message_id}`)[0][0], '3');
    }
  });

  test('three parts with sar_* TLVs, out of order, become one message', async () => {
    const dest = phone();
    const parts = ['Uno ', 'dos ', 'tres'];
    const order = [2, 0, 1];
    const rs = await Promise.all(order.map((i) => submit({
      destination_addr: dest, data_coding: 3, short_message: Buffer.from(parts[i], 'latin1'),
      sar_msg_ref_num: 4242, sar_total_segments: 3, sar_segment_seqnum: i + 1 })));
    for (const r of rs) assert.equal(r.command_status, 0);
    assert.equal(new Set(rs.map((r) => r.message_id)).size, 1);
    assert.equal(storedText(rs[0].message_id), parts.join(''));
  });

  test('packed GSM 7-bit parts with a UDH (fill bits)', async () => {
    const dest = phone();
    const parts = ['First half, ', 'second half €'];
    const rs = await Promise.all(parts.map((t, i) => submit({
      destination_addr: dest, esm_class: 0x40, data_coding: 0,
      // 6 octets of UDH = 48 bits; septets start at bit 49 (1 fill bit)
      short_message: Buffer.concat([Buffer.from([5, 0, 3, 77, 2, i + 1]), pack(septets(t), 1).subarray(0)]) })));
    for (const r of rs) assert.equal(r.command_status, 0);
    assert.equal(storedText(rs[0].message_id), parts.join(''));
  });

  test('query_sm tells the state of our own messages only', async () => {
    const r = await submit({ data_coding: 3, short_message: Buffer.from('query me'), schedule_delivery_time: LATER });
    let q = await call(s, 'query_sm', { message_id: r.message_id });
    assert.equal(q.command_status, 0);
    assert.equal(q.message_state, 1);   // ENROUTE
    sql(`UPDATE messages SET status = message_status('failed') WHERE id = ${r.message_id}`);
    q = await call(s, 'query_sm', { message_id: r.message_id });
    assert.equal(q.message_state, 5);   // UNDELIVERABLE
    assert.ok(q.final_date instanceof Date && Math.abs(q.final_date - Date.now()) < 60000, 'final_date is now');
    const other = await bind(h.port, acct.rx, PW);
    q = await call(other, 'query_sm', { message_id: r.message_id });
    assert.equal(q.command_status, 0x67);
    q = await call(other, 'query_sm', { message_id: 'abc' });
    assert.equal(q.command_status, 0x0c);
    other.destroy();
  });
});

describe('store failures', () => {
  test('a failed insert answers ESME_RSYSERR and stores nothing; the next submit works', async () => {
    const s = await bind(h.port, acct.main, PW);
    const marker = uniq('FAIL');
    sql(`ALTER TABLE smpp_messages ADD CONSTRAINT e2e_${marker} CHECK (source_addr <> '${marker}')`);
    try {
      const r = await call(s, 'submit_sm', { destination_addr: phone(), source_addr: marker, data_coding: 3,
                                             short_message: Buffer.from(`lost ${marker}`) });
      assert.equal(r.command_status, 0x08);
      assert.equal(sql(`SELECT count(*) FROM messages WHERE text = 'lost ${marker}'`)[0][0], '0');
    } finally {
      sql(`ALTER TABLE smpp_messages DROP CONSTRAINT e2e_${marker}`);
    }
    const r = await call(s, 'submit_sm', { destination_addr: phone(), source_addr: marker, data_coding: 3,
                                           short_message: Buffer.from(`kept ${marker}`) });
    assert.equal(r.command_status, 0);
    assert.equal(storedText(r.message_id), `kept ${marker}`);
    s.destroy();
  });
});

describe('delivery receipts', () => {
  test('sent, failed, expired and cancelled messages come back as deliver_sm', async () => {
    const s = await bind(h.port, acct.main, PW);
    const cases = [[2, 'DELIVRD', 2], [3, 'UNDELIV', 5], [4, 'EXPIRED', 3], [5, 'REJECTD', 8]];
    for (const [status, stat, state] of cases) {
      const r = await call(s, 'submit_sm', { destination_addr: phone(), source_addr: 'Shop', data_coding: 3,
                                             short_message: Buffer.from(`receipt ${stat} with a long text`),
                                             registered_delivery: 1, schedule_delivery_time: LATER });
      assert.equal(r.command_status, 0);
      const got = next(s, 'deliver_sm');
      sql(`UPDATE messages SET status = ${status}, sent_at = CASE WHEN ${status} = 2 THEN now() END WHERE id = ${r.message_id}`);
      const d = await got;
      s.send(d.response());
      assert.equal(d.esm_class, 0x04);
      assert.equal(d.destination_addr, 'Shop');
      assert.equal(d.receipted_message_id, r.message_id);
      assert.equal(d.message_state, state);
      assert.match(d.short_message.message,
        new RegExp(`^id:${r.message_id} sub:001 dlvrd:00[01] submit date:[0-9]{10} done date:[0-9]{10} stat:${stat} err:[0-9]{3} text:receipt ${stat} with$`));
    }
    await new Promise((r) => setTimeout(r, 300));
    s.destroy();
  });

  test('a provider that sends delivery reports: DELIVRD only after a delivered report, UNDELIV after undelivered', async () => {
    // the harness's herald (web role) takes the reports; the row is disabled so no dispatcher sends to it
    const [[pid]] = sql(`INSERT INTO providers (name, url, dlr_secret, enabled) VALUES ('${uniq('e2dlr')}',`
                        + ` 'http://127.0.0.1:1/v1', 'smpp-dlr-secret', false) RETURNING id`);
    const report = (id, status) => fetch(`${process.env.HERALD_TEST_URL}/api/v1/providers/${pid}/dlr`, {
      method: 'POST', headers: { Authorization: 'Bearer smpp-dlr-secret', 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: Number(id), status, error: status === 'undelivered' ? 'absent subscriber' : undefined }),
    });
    const s = await bind(h.port, acct.main, PW);
    const ids = [];
    for (const t of ['to be delivered', 'to be undelivered']) {
      const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(t),
                                             registered_delivery: 1, schedule_delivery_time: LATER });
      assert.equal(r.command_status, 0);
      ids.push(r.message_id);
    }
    // accepted by a provider that reports: no receipt yet, and query_sm says ENROUTE without a final date
    sql(`UPDATE messages SET status = message_status('sent'), sent_at = now(), provider_id = ${pid} WHERE id IN (${ids.join(',')})`);
    assert.equal(sql(`SELECT count(*) FROM smpp_receipts WHERE message_id IN (${ids.join(',')})`)[0][0], '0');
    let q = await call(s, 'query_sm', { message_id: ids[0] });
    assert.equal(q.message_state, 1);   // ENROUTE
    for (const [id, status, stat, state] of [[ids[0], 'delivered', 'DELIVRD', 2], [ids[1], 'undelivered', 'UNDELIV', 5]]) {
      const got = next(s, 'deliver_sm');
      const resp = await report(id, status);
      assert.equal(resp.status, 200, await resp.text());
      const d = await got;
      s.send(d.response());
      assert.equal(d.receipted_message_id, id);
      assert.equal(d.message_state, state);
      assert.match(d.short_message.message, new RegExp(`^id:${id} sub:001 dlvrd:00${state === 2 ? 1 : 0} .* stat:${stat} `));
      q = await call(s, 'query_sm', { message_id: id });
      assert.equal(q.message_state, state);
      assert.ok(q.final_date instanceof Date, 'a final date once reported');
    }
    // a second report of the same message changes nothing and sends no second receipt
    assert.equal((await report(ids[0], 'undelivered')).status, 409);
    assert.equal(sql(`SELECT message_status_name(status) FROM messages WHERE id = ${ids[0]}`)[0][0], 'delivered');
    s.destroy();
  });

  test('the receipt is marked delivered once deliver_sm_resp arrives; registered_delivery 0 gets none', async () => {
    const s = await bind(h.port, acct.main, PW);
    const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('ack me'),
                                           registered_delivery: 1, schedule_delivery_time: LATER });
    const quiet = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('no receipt'),
                                               registered_delivery: 0, schedule_delivery_time: LATER });
    const got = next(s, 'deliver_sm');
    sql(`UPDATE messages SET status = message_status('sent'), sent_at = now() WHERE id IN (${r.message_id}, ${quiet.message_id})`);
    const d = await got;
    assert.equal(d.receipted_message_id, r.message_id);
    s.send(d.response());
    let delivered = '';
    for (let i = 0; i < 50 && !delivered; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      delivered = sql(`SELECT delivered_at IS NOT NULL FROM smpp_receipts WHERE message_id = ${r.message_id}`)[0][0] === 't' ? 'yes' : '';
    }
    assert.equal(delivered, 'yes');
    assert.equal(sql(`SELECT count(*) FROM smpp_receipts WHERE message_id = ${quiet.message_id}`)[0][0], '0');
    s.destroy();
  });

  test('receipts wait durably while no receiver is bound, then go to a receiver', async () => {
    const tx = await bind(h.port, acct.rx, PW, 'bind_transmitter');
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(tx, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`queued ${i}`),
                                              registered_delivery: 1, schedule_delivery_time: LATER });
      ids.push(r.message_id);
    }
    sql(`UPDATE messages SET status = message_status('sent'), sent_at = now() WHERE id IN (${ids.join(',')})`);
    assert.equal(sql(`SELECT count(*) FROM smpp_receipts WHERE message_id IN (${ids.join(',')}) AND delivered_at IS NULL`)[0][0], '3');
    await new Promise((ok) => setTimeout(ok, 1500));
    const rx = await bind(h.port, acct.rx, PW, 'bind_receiver');
    const seen = new Set();
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${seen.size} receipts`)), 10000);
      rx.on('deliver_sm', (d) => {
        rx.send(d.response());
        seen.add(d.receipted_message_id);
        if (ids.every((id) => seen.has(id))) { clearTimeout(t); resolve(); }
      });
    });
    tx.destroy();
    rx.destroy();
  });
});

describe('silence', () => {
  test('after 30 s without traffic herald sends enquire_link and resends an unacknowledged receipt', async () => {
    const s = await bind(h.port, acct.main, PW);
    const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('resend me'),
                                           registered_delivery: 1, schedule_delivery_time: LATER });
    const first = next(s, 'deliver_sm');
    sql(`UPDATE messages SET status = message_status('sent'), sent_at = now() WHERE id = ${r.message_id}`);
    const d1 = await first;             // not acknowledged, and the link stays silent
    assert.equal(d1.receipted_message_id, r.message_id);
    const t0 = Date.now();
    const [enq, d2] = await Promise.all([next(s, 'enquire_link', 45000), next(s, 'deliver_sm', 45000)]);
    assert.ok(Date.now() - t0 > 20000, 'not before the silence');
    s.send(enq.response());
    assert.equal(d2.receipted_message_id, r.message_id);
    s.send(d2.response());
    const alive = await call(s, 'enquire_link');
    assert.equal(alive.command_status, 0);
    s.destroy();
  });
});

describe('throughput', () => {
  test('over the account throughput a submit gets ESME_RTHROTTLED', async () => {
    const s = await bind(h.port, acct.slow, PW);
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from(`t${i}`) })));
    const ok = rs.filter((r) => r.command_status === 0).length;
    const throttled = rs.filter((r) => r.command_status === 0x58).length;
    assert.ok(ok >= 1 && ok <= 6, `ok ${ok}`);
    assert.equal(ok + throttled, 20);
    await new Promise((r) => setTimeout(r, 1100));
    const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('later') });
    assert.equal(r.command_status, 0, 'the bucket refills');
    s.destroy();
  });
});

// Raw bytes over a plain socket: reads PDUs until the socket closes or `until` says enough.
function raw(port, bytes, until) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const pdus = [];
    const t = setTimeout(() => { sock.destroy(); resolve({ pdus, closed: false }); }, 3000);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 16 && buf.length >= buf.readUInt32BE(0)) {
        const n = buf.readUInt32BE(0);
        pdus.push({ id: buf.readUInt32BE(4), status: buf.readUInt32BE(8), seq: buf.readUInt32BE(12), len: n });
        buf = buf.subarray(n);
      }
      if (until && until(pdus)) { clearTimeout(t); sock.destroy(); resolve({ pdus, closed: false }); }
    });
    sock.on('close', () => { clearTimeout(t); resolve({ pdus, closed: true }); });
    sock.on('error', reject);
  });
}
function header(len, id, status, seq) {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(len, 0); b.writeUInt32BE(id >>> 0, 4); b.writeUInt32BE(status, 8); b.writeUInt32BE(seq, 12);
  return b;
}

describe('malformed input', () => {
  test('command_length below 16 or above 64 KiB: generic_nack and close', async () => {
    for (const len of [8, 0x7fffffff, 70000]) {
      const { pdus, closed: c } = await raw(h.port, header(len, 0x15, 0, 7));
      assert.equal(c, true, `len ${len}`);
      assert.equal(pdus.length, 1);
      assert.equal(pdus[0].id, 0x80000000);
      assert.equal(pdus[0].status, 0x02);
    }
  });

  test('an unknown command gets generic_nack ESME_RINVCMDID and the link stays up', async () => {
    const bytes = Buffer.concat([header(16, 0x99, 0, 3), header(16, 0x15, 0, 4)]);
    const { pdus } = await raw(h.port, bytes, (p) => p.length >= 2);
    assert.deepEqual(pdus.map((p) => [p.id, p.status, p.seq]), [[0x80000000, 3, 3], [0x80000015, 0, 4]]);
  });

  test('a bind whose strings are not terminated gets bind_transceiver_resp with an error', async () => {
    const body = Buffer.from('abcdefghij');
    const { pdus } = await raw(h.port, Buffer.concat([header(16 + body.length, 9, 0, 5), body]), (p) => p.length >= 1);
    assert.equal(pdus[0].id, 0x80000009);
    assert.notEqual(pdus[0].status, 0);
  });

  test('a submit_sm with a short_message longer than the PDU is refused', async () => {
    const s = await bind(h.port, acct.main, PW);
    const sock = s.socket;
    const body = Buffer.concat([Buffer.from('\0'), Buffer.from([1, 1]), Buffer.from('src\0'), Buffer.from([1, 1]),
      Buffer.from('79161234567\0'), Buffer.from([0, 0, 0]), Buffer.from('\0\0'), Buffer.from([0, 0, 3, 0, 200]), Buffer.from('short')]);
    const got = new Promise((resolve) => s.once('pdu', resolve));
    sock.write(Buffer.concat([header(16 + body.length, 4, 0, 99), body]));
    const p = await got;
    assert.equal(p.sequence_number, 99);
    assert.equal(p.command_status, 0x02);
    const r = await call(s, 'enquire_link');
    assert.equal(r.command_status, 0);
    s.destroy();
  });

  test('truncated PDUs and garbage, then the server still serves', async () => {
    await raw(h.port, Buffer.from([0, 0, 0]));
    await raw(h.port, header(100, 4, 0, 1).subarray(0, 12));
    await raw(h.port, Buffer.concat([header(40, 4, 0, 1), Buffer.from('half')]));
    await raw(h.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const s = await bind(h.port, acct.main, PW);
    const r = await call(s, 'submit_sm', { destination_addr: phone(), data_coding: 3, short_message: Buffer.from('still here') });
    assert.equal(r.command_status, 0);
    s.destroy();
  });
});

describe('bind failures', () => {
  test('are throttled per system_id and address after 10 in a minute', async () => {
    const h2 = await startHerald();
    try {
      const s = await connect(h2.port);
      for (let i = 0; i < 10; i++) {
        const r = await call(s, 'bind_transmitter', { system_id: acct.main, password: `bad-${i}` });
        assert.equal(r.command_status, 0x0e);
      }
      const r = await call(s, 'bind_transmitter', { system_id: acct.main, password: PW });
      assert.equal(r.command_status, 0x0d, 'even the right password is refused while throttled');
      s.destroy();
    } finally {
      assert.equal(await h2.stop(), 0);
      assert.equal(h2.sanitizer(), '');
    }
  });
});
