// Groups through the simulator: Alice creates a group with Bob and Carol (w:g2 create), everyone
// sends to it, everyone else decrypts (sender keys distributed pairwise, skmsg shared), and the
// members' phones receive the skmsg too. Group metadata comes from the simulator.
// Usage: node --experimental-global-webcrypto groups.mjs --sim <switchboard-wasim> [--peer baileys|baileys6]
import { args, fail, loadBaileys, pairClient, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
setTimeout(() => fail('timed out'), 200000).unref();

const sim = await startSimulator(args.sim);
const phones = { alice: '15551230001', bob: '15551230002', carol: '15551230003' };
const alice = await pairClient(lib, sim, phones.alice, 'Alice');
const bob = await pairClient(lib, sim, phones.bob, 'Bob');
const carol = await pairClient(lib, sim, phones.carol, 'Carol');
const clients = [alice, bob, carol];

const group = await alice.sock.groupCreate('Switchboard test', [`${phones.bob}@s.whatsapp.net`, `${phones.carol}@s.whatsapp.net`]);
if (!group.id.endsWith('@g.us') || group.participants.length !== 3) fail(`groupCreate returned ${JSON.stringify(group)}`);
const meta = await bob.sock.groupMetadata(group.id);
if (meta.subject !== 'Switchboard test' || meta.participants.length !== 3) fail(`Bob sees ${JSON.stringify(meta)}`);

const received = (client, id) => client.messages.find((m) => m.key.id === id && client.text(m) !== undefined);
for (const sender of clients) {
  for (let round = 0; round < 2; round++) {
    const text = `${sender.name} round ${round}`;
    const sent = await sender.sock.sendMessage(group.id, { text });
    for (const other of clients.filter((c) => c !== sender)) {
      const got = await until(`${other.name} to receive "${text}"`, () => received(other, sent.key.id));
      if (other.text(got) !== text) fail(`${other.name} read "${other.text(got)}" for "${text}"`);
      if (got.key.remoteJid !== group.id) fail(`${other.name} filed it under ${got.key.remoteJid}`);
    }
    // Every member's phone received the sender-key message as well.
    for (const [name, phone] of Object.entries(phones)) {
      if (name === sender.name.toLowerCase()) continue;
      await until(`${name}'s phone to receive ${sent.key.id}`, async () =>
        (await sim.must('inbox', { phone })).messages.some((m) => m.id === sent.key.id && m.from === group.id));
    }
  }
}
// Carol leaves; Alice's next message no longer reaches her companion or her phone.
await carol.sock.groupLeave(group.id);
const after = await alice.sock.sendMessage(group.id, { text: 'after Carol left' });
await until('Bob to receive the message after Carol left', () => received(bob, after.key.id));
const inbox = (await sim.must('inbox', { phone: phones.carol })).messages;
if (inbox.some((m) => m.id === after.key.id)) fail('a member who left still receives the group');
for (const c of clients) c.stop();
console.log(`${peer}: group ${group.id} created, 6 messages decrypted by every other member and their phones, leave honoured`);
await sim.stop();
process.exit(0);
