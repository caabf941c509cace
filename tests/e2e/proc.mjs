// Helpers for node:test suites: spawn our own build/herald, create SMPP accounts through the
// CLI, run SQL with psql, and promise-based SMPP sessions over the npm `smpp` client.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import smpp from 'smpp';

export const ROOT = process.env.HERALD_ROOT || path.resolve(import.meta.dirname, '../..');
export const HERALD = path.join(ROOT, 'build/herald');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// Starts `herald serve --roles ROLES` with SMPP on a free port; resolves when it accepts.
export async function startHerald({ roles = 'smpp', env = {} } = {}) {
  const smppPort = await freePort();
  const httpPort = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  const proc = spawn(HERALD, ['serve', '--roles', roles], {
    cwd: ROOT,
    env: { ...process.env, HERALD_SMPP_LISTEN: `127.0.0.1:${smppPort}`,
           HERALD_LISTEN: `127.0.0.1:${httpPort}`, HERALD_LOG_DIR: logDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '', sanitizer = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20000);
    const m = /ERROR: (Address|Leak)Sanitizer|runtime error:/.exec(String(d));
    if (m && !sanitizer) sanitizer = String(d).slice(m.index, m.index + 4000);
  });
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`herald exited: ${stderr}`);
    if (await canConnect(smppPort)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: smppPort, httpPort, proc, logDir,
    log: () => stderr,
    sanitizer: () => sanitizer,    // the first sanitizer report, '' when none
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.once('exit', (code) => resolve(code));
      proc.kill('SIGTERM');
    }),
  };
}

export function uniq(prefix) {
  return `${prefix}${process.pid % 1000}${Math.floor(Math.random() * 1e6)}`.slice(0, 16);
}

// `herald smpp-account create` with the password on stdin.
export function createAccount(systemId, password, { tps, allow } = {}) {
  const args = ['smpp-account', 'create', systemId, '--password-stdin'];
  if (tps) args.push('--tps', String(tps));
  if (allow) args.push('--allow', allow);
  execFileSync(HERALD, args, { cwd: ROOT, input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'],
                                env: { ...process.env, HERALD_LOG_DIR: os.tmpdir() } });
}

// Runs SQL through psql; returns the rows as arrays of strings.
export function sql(query) {
  const out = execFileSync('psql', [process.env.DATABASE_URL, '-XAtq', '-F', '\t', '-c', query],
                           { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// A connected npm smpp session; rejects on connection errors.
export function connect(port) {
  return new Promise((resolve, reject) => {
    const s = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
    s.on('error', () => {});
  });
}

// Sends command and resolves with its response PDU.
export function call(session, command, options = {}) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${command}: no response`)), 10000);
    const ok = session[command](options, (pdu) => { clearTimeout(t); resolve(pdu); });
    if (!ok) { clearTimeout(t); reject(new Error(`${command}: socket not writable`)); }
  });
}

// A bound session (bind_transceiver unless told).
export async function bind(port, systemId, password, mode = 'bind_transceiver', extra = {}) {
  const s = await connect(port);
  const r = await call(s, mode, { system_id: systemId, password, ...extra });
  if (r.command_status !== 0) {
    s.destroy();
    throw new Error(`${mode} failed with status ${r.command_status}`);
  }
  return s;
}

// Resolves with the next PDU named command on session (e.g. deliver_sm), or rejects after ms.
export function next(session, command, ms = 10000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${command} within ${ms} ms`)), ms);
    session.once(command, (pdu) => { clearTimeout(t); resolve(pdu); });
  });
}

export function closed(session) {
  return new Promise((resolve) => {
    if (session.socket.destroyed) return resolve();
    session.socket.once('close', resolve);
  });
}

// Resident memory of process pid in bytes (VmRSS of /proc/PID/status).
export function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

// SMPP PDUs as raw bytes, for peers that misbehave on purpose.
export function pduHeader(len, id, status, seq) {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(len, 0); b.writeUInt32BE(id >>> 0, 4); b.writeUInt32BE(status, 8); b.writeUInt32BE(seq, 12);
  return b;
}
export function enquireLink(seq) {
  return pduHeader(16, 0x15, 0, seq);
}
export function bindPdu(command, systemId, password, seq = 1) {
  const body = Buffer.concat([Buffer.from(`${systemId}\0${password}\0\0`), Buffer.from([0x34, 0, 0]), Buffer.from('\0')]);
  return Buffer.concat([pduHeader(16 + body.length, command, 0, seq), body]);
}

// A raw TCP peer from localAddress (any 127.x.y.z works on Linux): resolves once connected.
// .pdus collects the headers of what it reads; .gone resolves when the socket closes.
export function rawPeer(port, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    sock.pdus = [];
    sock.gone = new Promise((ok) => sock.once('close', ok));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 16 && buf.length >= buf.readUInt32BE(0)) {
        const n = buf.readUInt32BE(0);
        sock.pdus.push({ id: buf.readUInt32BE(4), status: buf.readUInt32BE(8), seq: buf.readUInt32BE(12) });
        buf = buf.subarray(n);
      }
      sock.emit('pdus');
    });
    sock.on('error', () => {});
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

// Resolves with the raw peer's PDU of sequence number seq, or null after ms (or on close).
export function rawAnswer(sock, seq, ms = 5000) {
  return new Promise((resolve) => {
    const find = () => sock.pdus.find((p) => p.seq === seq);
    if (find()) return resolve(find());
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); sock.off('pdus', check); resolve(find() || null); }
    function check() { if (find()) done(); }
    sock.on('pdus', check);
    sock.gone.then(done);
  });
}

// Resolves true when sock closes within ms, false otherwise.
export function closesWithin(sock, ms) {
  return Promise.race([sock.gone.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
}
