// The crash test: simulated phones stream texts at a steady rate to an account run by the
// connector; the daemon is killed with SIGKILL in the middle of the stream (`--kills` times, evenly
// spaced) and started again on the same database and configuration. At the end every message the
// phones sent is on `inbound` with its text, none lost; a message that arrives twice carries the
// same id both times; each phone's messages are on `inbound` in the order it sent them.
// Usage: node --experimental-global-webcrypto crash.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir>
//          [--messages 2000] [--phones 20] [--rate 200] [--kills 2]
import { args, fail, pairThroughDaemon, sleep, startWorld, until } from './lib.mjs';

setTimeout(() => fail('timed out'), 170000).unref();
const total = Number(args.messages ?? 2000);
const phoneCount = Number(args.phones ?? 20);
const rate = Number(args.rate ?? 200);  // messages per second, all phones together
const kills = Number(args.kills ?? 2);
const account = '15551230001';
const phones = Array.from({ length: phoneCount }, (_, i) => `1555300${String(i).padStart(4, '0')}`);
const world = await startWorld(args, { accounts: [account], peers: phones });
const { sim, kafka } = world;
await pairThroughDaemon(sim, kafka, account);
const accountJid = `${account}@s.whatsapp.net`;
const t0 = Date.now();

// The stream: message i from phone i % phoneCount, paced against the clock (not against replies).
const sent = [];
const crashes = [];
const crash = (async () => {
  for (let k = 1; k <= kills; k++) {
    await until(`${k}/${kills + 1} of the stream sent`, () => sent.length >= (total * k) / (kills + 1), 120000, 5);
    const c = { sent: sent.length, onInbound: new Set(kafka.seen.inbound.map((r) => r.body.networkId)).size };
    const k0 = Date.now();
    await world.daemon.kill('SIGKILL');
    await sleep(1000);  // the phones keep sending while the daemon is down
    world.daemon = await world.startDaemon(`daemon-after-kill-${k}`);
    c.downMs = Date.now() - k0;
    crashes.push(c);
  }
})();
for (let i = 0; i < total; i++) {
  const due = t0 + (i * 1000) / rate;
  if (due > Date.now()) await sleep(due - Date.now());
  const text = `crash-test message ${i} from ${phones[i % phoneCount]}`;
  const r = await sim.command('send', { phone: phones[i % phoneCount], to: accountJid, text });
  if (!r.ok) fail(`phone send ${i}: ${JSON.stringify(r.error)}`);
  sent.push({ id: r.messageId, text });
}
const streamSeconds = (Date.now() - t0) / 1000;
await crash;

// Every sent id on `inbound`, with its text; copies of one message share its id.
const byNetworkId = () => {
  const m = new Map();
  for (const r of kafka.seen.inbound) {
    if (!m.has(r.body.networkId)) m.set(r.body.networkId, []);
    m.get(r.body.networkId).push(r);
  }
  return m;
};
const missing = () => {
  const seen = byNetworkId();
  return sent.filter((s) => !seen.has(s.id));
};
const drainStart = Date.now();
while (missing().length && Date.now() - drainStart < 90000) await sleep(250);
const lost = missing();
if (lost.length) fail(`${lost.length} of ${total} messages never reached inbound, e.g. ${JSON.stringify(lost.slice(0, 3))}`);
const seen = byNetworkId();
let duplicates = 0;
for (const s of sent) {
  const copies = seen.get(s.id);
  if (copies.some((r) => r.body.text !== s.text)) fail(`wrong text for ${s.id}: ${JSON.stringify(copies.map((r) => r.body.text))}`);
  const ids = new Set(copies.flatMap((r) => [r.body.id, r.ceId]));
  if (ids.size !== 1) fail(`copies of ${s.id} carry different ids: ${[...ids]}`);
  duplicates += copies.length - 1;
}
const ourIds = new Set(sent.map((s) => s.id));
const strangers = kafka.seen.inbound.filter((r) => !ourIds.has(r.body.networkId));
if (strangers.length) fail(`${strangers.length} inbound records nobody sent, e.g. ${JSON.stringify(strangers[0].body)}`);
const ids = new Set(kafka.seen.inbound.map((r) => r.body.id));
if (ids.size !== total) fail(`${ids.size} distinct message ids for ${total} messages`);
// Per phone (one conversation, one Kafka key) the first copies come in sending order.
const indexOf = new Map(sent.map((s, i) => [s.id, i]));
const lastOf = new Map();
const firstSeen = new Set();
for (const r of kafka.seen.inbound) {
  if (firstSeen.has(r.body.networkId)) continue;
  firstSeen.add(r.body.networkId);
  const i = indexOf.get(r.body.networkId);
  const phone = phones[i % phoneCount];
  if ((lastOf.get(phone) ?? -1) > i) fail(`${phone}: message ${i} on inbound after message ${lastOf.get(phone)}`);
  lastOf.set(phone, i);
}

await world.stop();
const killed = crashes.map((c) => `${c.sent} sent/${c.onInbound} on inbound, back in ${c.downMs} ms`).join('; ');
console.log(`crash test: ${total} messages from ${phoneCount} phones at ${rate}/s (stream ${streamSeconds.toFixed(1)} s); ` +
            `SIGKILL at: ${killed}; all ${total} on inbound ${((Date.now() - drainStart) / 1000).toFixed(1)} s ` +
            `after the stream ended; ${kafka.seen.inbound.length} records, ${duplicates} duplicates (same id), ` +
            '0 lost, each phone in order');
process.exit(0);
