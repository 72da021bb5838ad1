// Two Baileys 7 clients on two simulated accounts exchange end-to-end encrypted text both ways
// through the simulator, with delivery receipts; then one of them is dropped while messages for
// it are in flight and must get every one of them on reconnect, and none twice once acknowledged.
// Usage: node --experimental-global-webcrypto messages.mjs --sim <switchboard-wasim> [--peer baileys|baileys6]
import { args, fail, loadBaileys, pairClient, sleep, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
setTimeout(() => fail('timed out'), 170000).unref();

const sim = await startSimulator(args.sim);
const [pa, pb] = ['15551230001', '15551230002'];
const alice = await pairClient(lib, sim, pa, 'Alice');
const bob = await pairClient(lib, sim, pb, 'Bob');
const jidA = `${pa}@s.whatsapp.net`;
const jidB = `${pb}@s.whatsapp.net`;

const received = (client, id) => client.messages.find((m) => m.key.id === id && client.text(m) !== undefined);
const delivered = (client, id) => client.updates.some((u) => u.key.id === id && u.update.status >= 3);

// 1. Alice -> Bob, then Bob -> Alice, each decrypted by the other and confirmed delivered.
const m1 = await alice.sock.sendMessage(jidB, { text: 'hello Bob' });
const got1 = await until('Bob to receive Alice\'s message', () => received(bob, m1.key.id));
if (bob.text(got1) !== 'hello Bob') fail(`Bob read "${bob.text(got1)}"`);
if (got1.key.fromMe || !got1.key.remoteJid.startsWith(pa)) fail(`Bob's copy has key ${JSON.stringify(got1.key)}`);
await until('Alice to see the delivery', () => delivered(alice, m1.key.id));

const m2 = await bob.sock.sendMessage(jidA, { text: 'hi Alice' });
const got2 = await until('Alice to receive Bob\'s reply', () => received(alice, m2.key.id));
if (alice.text(got2) !== 'hi Alice') fail(`Alice read "${alice.text(got2)}"`);
await until('Bob to see the delivery', () => delivered(bob, m2.key.id));

// A second round uses the established sessions (msg, not pkmsg).
const m3 = await alice.sock.sendMessage(jidB, { text: 'second round' });
await until('the second round', () => received(bob, m3.key.id));

// 2. Bob drops while messages for him are queued: hold his frames, send, drop, reconnect.
await sim.must('delay', { phone: pb, device: 1, ms: 5000 });
const burst = [];
for (let i = 0; i < 5; i++) burst.push((await alice.sock.sendMessage(jidB, { text: `burst ${i}` })).key.id);
await until('the burst to be queued for Bob', async () =>
  (await sim.must('devices', { phone: pb })).devices[0].pending >= burst.length);
await sim.must('delay', { phone: pb, device: 1, ms: 0 });
const opensBefore = bob.opens;
await sim.must('fault', { phone: pb, device: 1, kind: 'drop' });
await until('Bob to reconnect', () => bob.opens > opensBefore && bob.open);
for (const id of burst) await until(`Bob to receive ${id} after reconnecting`, () => received(bob, id));
const texts = burst.map((id) => bob.text(received(bob, id)));
if (texts.join(',') !== 'burst 0,burst 1,burst 2,burst 3,burst 4') fail(`burst arrived as ${texts}`);
// Everything Bob got is acknowledged now; another reconnect must not bring anything back.
await until('Bob\'s queue to empty', async () => (await sim.must('devices', { phone: pb })).devices[0].pending === 0);
const countBefore = bob.messages.length;
await sim.must('fault', { phone: pb, device: 1, kind: 'drop' });
await until('Bob to reconnect again', () => bob.opens > opensBefore + 1 && bob.open);
await sleep(1500);
const again = bob.messages.slice(countBefore).filter((m) => burst.includes(m.key.id) || m.key.id === m1.key.id);
if (again.length) fail(`redelivered after ack: ${again.map((m) => m.key.id)}`);
for (const id of [m1.key.id, m3.key.id, ...burst]) {
  const n = bob.messages.filter((m) => m.key.id === id && bob.text(m) !== undefined).length;
  if (n !== 1) fail(`Bob has ${n} copies of ${id}`);
}
// Delivery receipts reached Alice for the burst too.
for (const id of burst) await until(`delivery of ${id}`, () => delivered(alice, id));

alice.stop();
bob.stop();
console.log(`${peer}: text both ways with delivery receipts; ${burst.length} messages queued across a drop, ` +
            'each received once after reconnecting, nothing redelivered after the acknowledgement');
await sim.stop();
process.exit(0);
