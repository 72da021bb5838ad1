// A Baileys client (an independent implementation) against our server side: Noise handshake with
// our certificate chain (Baileys is told to trust our test root), then encrypted frames both ways:
// our pair-device iq must reach Baileys (it turns the refs into a QR code), and Baileys' reply iq
// must reach us. Checks that the keys our server saw are the ones Baileys holds.
// Usage: node --experimental-global-webcrypto baileys-handshake.mjs --server <test server> --peer baileys|baileys6
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const peer = args.peer ?? 'baileys';

let B;
let pino;
try {
  const require = createRequire(import.meta.url);
  B = peer === 'baileys' ? await import('baileys') : require('baileys6');
  pino = (await import('pino')).default;
} catch (e) {
  console.error(`${peer} is not installed (npm ci in tests/node): ${e.message}; skipping`);
  process.exit(77);
}
const makeWASocket = B.default?.default ?? B.default ?? B.makeWASocket;

const fail = (msg) => {
  console.error(`FAIL (${peer}): ${msg}`);
  process.exit(1);
};
setTimeout(() => fail('timed out'), 60000).unref();

// Our server, and its events.
const server = spawn(args.server, [], { stdio: ['pipe', 'pipe', 'inherit'] });
server.on('exit', (code) => code && fail(`test server exited with ${code}`));
const events = [];
const waiters = [];
const lines = createInterface({ input: server.stdout });
const first = new Promise((resolve) => {
  lines.on('line', (line) => {
    const ev = JSON.parse(line);
    if ('port' in ev) return resolve(ev);
    events.push(ev);
    for (const w of [...waiters]) w();
  });
});
const waitFor = (pred, what) => new Promise((resolve) => {
  const check = () => {
    const ev = events.find(pred);
    if (ev) {
      waiters.splice(waiters.indexOf(check), 1);
      resolve(ev);
    }
  };
  waiters.push(check);
  check();
});

const { port, root } = await first;

// Trust our test root instead of WhatsApp's: patch the loaded module's object, not the files.
B.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root, 'hex');
B.WA_CERT_DETAILS.SERIAL = 0;

const creds = B.initAuthCreds();
const keys = { get: async () => ({}), set: async () => {} };
const qrs = [];
let qrResolve;
const qrSeen = new Promise((r) => (qrResolve = r));
const sock = makeWASocket({
  waWebSocketUrl: `ws://127.0.0.1:${port}/ws/chat`,
  auth: { creds, keys },
  logger: pino({ level: 'silent' }),
  printQRInTerminal: false,
  markOnlineOnConnect: false,
  connectTimeoutMs: 20000,
});
sock.ev.on('connection.update', (u) => {
  if (u.qr) {
    qrs.push(u.qr);
    qrResolve(u.qr);
  }
});

// 1. The handshake completed on our side, with the keys Baileys holds.
const hs = await waitFor((e) => e.event === 'handshake' || e.event === 'handshake-failed');
if (hs.event !== 'handshake') fail(`handshake failed on our side: ${hs.error}`);
if (hs.clientStatic !== Buffer.from(creds.noiseKey.public).toString('hex')) fail('the client static key we saw is not Baileys\' noise key');
if (!hs.payloadParsed || !hs.registration || hs.passive) fail(`unexpected ClientPayload: ${JSON.stringify(hs)}`);
if (hs.identity !== Buffer.from(creds.signedIdentityKey.public).toString('hex')) fail('the identity key in the registration data is not Baileys\'');
const wantDict = peer === 'baileys' ? 3 : 2;
if (hs.dict !== wantDict) fail(`connection header announced dictionary ${hs.dict}, expected ${wantDict}`);

// 2. Server -> Baileys: our encrypted pair-device iq became a QR code with our first ref and its keys.
const qr = await qrSeen;
// Baileys 7 prefixes the link to the linked-devices page; Baileys 6 gives the bare string.
const parts = qr.slice(qr.indexOf('#') + 1).split(',');
if (parts[0] !== '2@switchboard-test-ref-1') fail(`QR does not start with our ref: ${qr}`);
if (parts[1] !== Buffer.from(creds.noiseKey.public).toString('base64')) fail('QR noise key differs');

// 3. Baileys -> server: its encrypted acknowledgement of our iq reached us and decoded.
const ack = await waitFor((e) => e.event === 'node' && e.tag === 'iq' && e.id === 'pair-1');
if (ack.type !== 'result') fail(`Baileys answered pair-device with ${ack.xml}`);

// 4. Clean end: Baileys closes, our side sees the connection end.
sock.end(undefined);
await waitFor((e) => e.event === 'closed');
console.log(`${peer}: handshake with our server OK (dictionary ${hs.dict}); pair-device delivered (QR ${parts[0]}), ` +
            `ack received (${ack.xml}); ${events.filter((e) => e.event === 'node').length} nodes from Baileys`);
server.stdin.end();
server.on('exit', () => process.exit(0));
