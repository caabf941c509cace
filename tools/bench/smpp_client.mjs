// SMPP load client for tools/bench/smpp.sh: BINDS transmitter binds, each keeping WINDOW
// submit_sm in flight, TOTAL messages in all; prints one JSON line with the figures.
// Hand-encoded PDUs over plain sockets, so the client costs little CPU next to the server.
//   node tools/bench/smpp_client.mjs PORT SYSTEM_ID PASSWORD [TOTAL] [BINDS] [WINDOW]
import net from 'node:net';

const [port, systemId, password, total = 100000, binds = 4, windowSize = 10] = process.argv.slice(2)
  .map((v, i) => (i === 1 || i === 2 ? v : Number(v)));

function pdu(id, seq, body) {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(16 + body.length, 0); h.writeUInt32BE(id, 4); h.writeUInt32BE(0, 8); h.writeUInt32BE(seq, 12);
  return Buffer.concat([h, body]);
}
const z = (s) => Buffer.from(`${s}\0`, 'latin1');
function bindPdu(seq) {
  return pdu(2, seq, Buffer.concat([z(systemId), z(password), z(''), Buffer.from([0x34, 0, 0]), z('')]));
}
function submitPdu(seq, n) {
  const dest = `79${String(n % 1e9).padStart(9, '0')}`;
  const text = Buffer.from(`bench message ${n}`, 'latin1');
  return pdu(4, seq, Buffer.concat([z(''), Buffer.from([1, 1]), z('bench'), Buffer.from([1, 1]), z(dest),
    Buffer.from([0, 0, 0]), z(''), z(''), Buffer.from([0, 0, 3, 0, text.length]), text]));
}

let sent = 0, ok = 0, failed = 0;
const firstFail = {};
const t0 = process.hrtime.bigint();

function run() {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0), seq = 1, inflight = 0, bound = false;
    const pump = () => {
      const out = [];
      while (inflight < windowSize && sent < total) {
        out.push(submitPdu(++seq, sent++));
        inflight++;
      }
      if (out.length) sock.write(Buffer.concat(out));
      if (inflight === 0 && sent >= total) { sock.end(); resolve(); }
    };
    sock.on('connect', () => sock.write(bindPdu(seq)));
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 16 && buf.length >= buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0), id = buf.readUInt32BE(4), status = buf.readUInt32BE(8);
        buf = buf.subarray(len);
        if (id === 0x80000002) {
          if (status !== 0) return reject(new Error(`bind failed: ${status}`));
          bound = true;
        } else if (id === 0x80000004) {
          inflight--;
          if (status === 0) ok++;
          else { failed++; firstFail[status] = (firstFail[status] || 0) + 1; }
        }
      }
      if (bound) pump();
    });
    sock.on('error', reject);
  });
}

await Promise.all(Array.from({ length: binds }, run));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ total, ok, failed, statuses: firstFail, seconds: +secs.toFixed(3),
                             per_second: Math.round(ok / secs), binds, window: windowSize }));
