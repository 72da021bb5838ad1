// The Baileys side of bench_connector: B Baileys 7 sockets in this one node process, each the
// linked device of its own simulated account (paired by QR through the simulator's control API,
// keys in memory: Baileys' fastest store), then the same load as the connector got: the customer
// phones send M messages round-robin over the accounts at R/s, and we count the messages the
// sockets decrypt (messages.upsert). Prints progress lines, then one JSON line:
// {"sockets","connected","kibPerIdleSocket","receivedPerSecond","rounds":[...]}.
//
// Usage: node --expose-gc baileys-load.mjs --control http://127.0.0.1:C --url ws://... --root-key HEX
//        --accounts B --first PHONE --customers C --first-customer PHONE --messages M --rate R --rounds K
import { args, fail, httpSimulator, loadBaileys, makeClient, sleep, until } from '../wasim/lib.mjs';

const B = Number(args.accounts ?? 10);
const customers = Number(args.customers ?? 10);
const messages = Number(args.messages ?? 1000);
const rate = Number(args.rate ?? 1000);
const rounds = Number(args.rounds ?? 3);
const phoneAt = (first, i) => String(BigInt(first) + BigInt(i));
const phones = Array.from({ length: B }, (_, i) => phoneAt(args.first, i));
const customerPhones = Array.from({ length: customers }, (_, i) => phoneAt(args['first-customer'], i));

const lib = await loadBaileys('baileys');
const sim = httpSimulator(args.control, { url: args.url, rootKey: args['root-key'] });

const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss / 1024;
};

for (const phone of phones) {
  const r = await sim.command('create_account', { phone });
  if (!r.ok && r.error?.code !== 'wasim.exists') fail(`create_account ${phone}: ${JSON.stringify(r.error)}`);
}
await sleep(500);
const rssBefore = rss();

// Received texts per round prefix.
let counting = null;
let received = 0;
const clients = [];
const t0 = Date.now();
// Pair a few at a time: each pairing is a QR scan, pair-device-sign and a 515 restart.
const concurrency = 10;
let next = 0;
async function worker() {
  while (next < phones.length) {
    const phone = phones[next++];
    let scanned = false;
    const client = makeClient(lib, sim, phone, {
      onQr: async (qr) => {
        if (scanned) return;
        scanned = true;
        const r = await sim.command('scan', { phone, qr });
        if (!r.ok) fail(`scan for ${phone} refused: ${JSON.stringify(r.error)}`);
      },
    });
    const sock = client.connect();
    client.messages = { push() {} };  // the bench keeps no message objects, as a lean application would
    const listen = (s) =>
      s.ev.on('messages.upsert', ({ messages: ms }) => {
        for (const m of ms) {
          const text = m.message?.conversation ?? m.message?.extendedTextMessage?.text;
          if (counting && text?.startsWith(counting)) received += 1;
        }
      });
    listen(sock);
    const connect = client.connect.bind(client);
    client.connect = () => {
      const s = connect();
      client.messages = { push() {} };
      listen(s);
      return s;
    };
    await until(`${phone} to log in`, () => client.open, 120000, 50);
    clients.push(client);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const loginSeconds = (Date.now() - t0) / 1000;
await sleep(5000);
const connected = clients.filter((c) => c.open).length;
const rssIdle = rss();
const kibPerIdleSocket = (rssIdle - rssBefore) / Math.max(1, connected);
console.log(`baileys: ${connected} of ${B} sockets open in ${loginSeconds.toFixed(1)} s; RSS ${rssBefore.toFixed(0)} -> ${rssIdle.toFixed(0)} KiB: ${kibPerIdleSocket.toFixed(1)} KiB per idle socket`);

const rates = [];
const perCpu = [];
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (let round = 0; round < rounds; round++) {
  counting = `round ${round} `;
  received = 0;
  const r0 = Date.now();
  const c0 = cpuSeconds();
  await sim.must('load_start', { senders: customerPhones, recipients: phones, rate, count: messages, text: `round ${round}` });
  const deadline = r0 + 60000 + messages * 10;
  while (received < messages && Date.now() < deadline) await sleep(50);
  const secs = (Date.now() - r0) / 1000;
  const cpu = cpuSeconds() - c0;
  rates.push(received / secs);
  perCpu.push(received / Math.max(0.001, cpu));
  console.log(`baileys round ${round + 1}: ${received} of ${messages} messages decrypted in ${secs.toFixed(2)} s: ${(received / secs).toFixed(0)} msg/s; ${cpu.toFixed(2)} CPU s: ${(received / Math.max(0.001, cpu)).toFixed(0)} msg per CPU second${received < messages ? ' [incomplete]' : ''}`);
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(JSON.stringify({ sockets: B, connected, loginSeconds, kibPerIdleSocket, receivedPerSecond: median(rates), perCpuSecond: median(perCpu), rounds: rates }));
for (const c of clients) c.stop();
await sleep(500);
process.exit(0);
