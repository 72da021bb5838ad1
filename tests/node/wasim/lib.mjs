// Shared by the simulator's Baileys tests: starts switchboard-wasim, talks its JSON line protocol,
// and makes Baileys clients (6 or 7, unmodified, from npm) that trust the simulator's root key and
// keep their credentials in memory across restarts.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

export const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

export const fail = (msg) => {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls `check` (async, returns a truthy value when done) until it succeeds or `ms` pass.
export async function until(what, check, ms = 30000, every = 100) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v) return v;
    await sleep(every);
  }
  fail(`timed out waiting for ${what}`);
}

export async function loadBaileys(peer = 'baileys') {
  try {
    const require = createRequire(import.meta.url);
    const B = peer === 'baileys' ? await import('baileys') : require('baileys6');
    const pino = (await import('pino')).default;
    return { B, pino, makeWASocket: B.default?.default ?? B.default ?? B.makeWASocket };
  } catch (e) {
    console.error(`${peer} is not installed (npm ci in tests/node): ${e.message}; skipping`);
    process.exit(77);
  }
}

/// The simulator process: command() sends one JSON command and resolves with its reply;
/// events holds every event line; waitEvent() resolves with the first matching one.
export async function startSimulator(binary, extraArgs = []) {
  const proc = spawn(binary, ['--exit-on-stdin-eof', ...extraArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
  proc.on('exit', (code, signal) => {
    if (!proc.stopping) fail(`simulator exited unexpectedly (${code ?? signal})`);
  });
  const pending = new Map();
  const events = [];
  const waiters = new Set();
  let nextId = 1;
  let started;
  const ready = new Promise((r) => (started = r));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.event === 'started') return started(msg);
    if (msg.event) {
      events.push(msg);
      for (const w of [...waiters]) w();
      return;
    }
    const p = pending.get(msg.id);
    if (p) {
      pending.delete(msg.id);
      p(msg);
    }
  });
  const info = await ready;
  const sim = {
    info,
    events,
    command(cmd, fields = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        proc.stdin.write(JSON.stringify({ cmd, id, ...fields }) + '\n');
      });
    },
    async must(cmd, fields = {}) {
      const r = await sim.command(cmd, fields);
      if (!r.ok) fail(`${cmd} ${JSON.stringify(fields)}: ${JSON.stringify(r.error)}`);
      return r;
    },
    waitEvent(pred, what, ms = 30000) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => fail(`timed out waiting for simulator event: ${what}`), ms);
        const check = () => {
          const e = events.find(pred);
          if (e) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e);
          }
        };
        waiters.add(check);
        check();
      });
    },
    stop() {
      proc.stopping = true;
      proc.stdin.end();
      return new Promise((r) => proc.on('exit', r));
    },
  };
  return sim;
}

/// In-memory Baileys auth state that survives socket restarts (what useMultiFileAuthState keeps on disk).
export function memoryAuth(B) {
  const creds = B.initAuthCreds();
  const store = {};
  const keys = {
    async get(type, ids) {
      const out = {};
      for (const id of ids) {
        let v = store[type]?.[id];
        if (v && type === 'app-state-sync-key') v = B.proto.Message.AppStateSyncKeyData.fromObject(v);
        if (v !== undefined) out[id] = v;
      }
      return out;
    },
    async set(data) {
      for (const type of Object.keys(data)) {
        store[type] ??= {};
        for (const [id, v] of Object.entries(data[type])) {
          if (v === null || v === undefined) delete store[type][id];
          else store[type][id] = v;
        }
      }
    },
  };
  return { creds, keys, store };
}

/// A Baileys client that reconnects by itself (as an application would) until closed for good.
/// onQr(qr) is called for each QR code; `log` collects connection updates and messages.
export function makeClient({ B, pino, makeWASocket }, sim, name, { onQr, logLevel = process.env.WASIM_LOG ?? 'silent', auth: given } = {}) {
  B.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.info.rootKey, 'hex');
  B.WA_CERT_DETAILS.SERIAL = 0;
  const auth = given ?? memoryAuth(B);
  const client = {
    name,
    auth,
    sock: null,
    opens: 0,
    closes: [],
    messages: [],
    updates: [],
    receipts: [],
    open: false,
    stopped: false,
    connect() {
      const sock = makeWASocket({
        waWebSocketUrl: sim.info.url,
        auth: { creds: auth.creds, keys: auth.keys },
        logger: pino({ level: logLevel }).child({ client: name }),
        printQRInTerminal: false,
        markOnlineOnConnect: true,
        connectTimeoutMs: 20000,
        syncFullHistory: false,
        fireInitQueries: true,
        getMessage: async () => undefined,
      });
      client.sock = sock;
      sock.ev.on('creds.update', (u) => Object.assign(auth.creds, u));
      sock.ev.on('connection.update', (u) => {
        if (u.qr && onQr) onQr(u.qr, client);
        if (u.connection === 'open') {
          client.open = true;
          client.opens += 1;
        }
        if (u.connection === 'close') {
          client.open = false;
          const code = u.lastDisconnect?.error?.output?.statusCode;
          client.closes.push(code);
          if (!client.stopped && code !== 401 && sock === client.sock) setTimeout(() => client.connect(), 200);
        }
      });
      sock.ev.on('messages.upsert', ({ messages, type }) => {
        for (const m of messages) client.messages.push({ ...m, upsertType: type });
      });
      sock.ev.on('messages.update', (updates) => client.updates.push(...updates));
      sock.ev.on('message-receipt.update', (r) => client.receipts.push(...r));
      return sock;
    },
    stop() {
      client.stopped = true;
      client.sock?.end(undefined);
    },
    text(m) {
      return m.message?.conversation || m.message?.extendedTextMessage?.text || undefined;
    },
  };
  return client;
}

/// Creates an account (when new), connects a Baileys client, scans its QR with the account's
/// phone and waits until the client is logged in after the 515 restart.
export async function pairClient(lib, sim, phone, name, options = {}) {
  const existing = (await sim.must('accounts')).accounts.find((a) => a.phone === phone);
  if (!existing) await sim.must('create_account', { phone, name });
  let scanned = false;
  const client = makeClient(lib, sim, name, {
    ...options,
    onQr: async (qr) => {
      if (scanned) return;
      scanned = true;
      const r = await sim.command('scan', { phone, qr });
      if (!r.ok) fail(`scan for ${name} refused: ${JSON.stringify(r.error)}`);
    },
  });
  client.connect();
  await until(`${name} to log in`, () => client.open, 60000);
  return client;
}

/// The same command()/must() interface over the simulator's HTTP control API (POST /v1/commands),
/// for processes that did not start the simulator themselves.
export function httpSimulator(controlUrl, info) {
  const sim = {
    info,
    async command(cmd, fields = {}) {
      const res = await fetch(`${controlUrl}/v1/commands`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ cmd, ...fields }),
      });
      return res.json();
    },
    async must(cmd, fields = {}) {
      const r = await sim.command(cmd, fields);
      if (!r.ok) fail(`${cmd} ${JSON.stringify(fields)}: ${JSON.stringify(r.error)}`);
      return r;
    },
  };
  return sim;
}
