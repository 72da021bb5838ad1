// A simulated phone and a Baileys client exchange end-to-end encrypted text both ways: the phone
// of account B encrypts to every device of A (Baileys fetched nothing: the phone fetched Baileys'
// bundle from the simulator), Baileys decrypts and answers, the phone decrypts the answer. Also
// checks that Baileys' own phone decrypted the copy Baileys sent it, and that the phone's
// greeting after pairing (app-state key, no history) is encrypted and understood.
// Usage: node --experimental-global-webcrypto phone.mjs --sim <switchboard-wasim> [--peer baileys|baileys6]
import { args, fail, loadBaileys, pairClient, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
setTimeout(() => fail('timed out'), 150000).unref();

const sim = await startSimulator(args.sim);
const [pa, pb] = ['15551230001', '15551230002'];
const alice = await pairClient(lib, sim, pa, 'Alice');
await sim.must('create_account', { phone: pb, name: 'Bob' });

// The greeting went through Signal: Baileys stored the app-state key it carried.
await until('the app-state key from the phone', () => alice.auth.creds.myAppStateKeyId);

const inbox = async (phone) => (await sim.must('inbox', { phone })).messages;
const received = (client, id) => client.messages.find((m) => m.key.id === id && client.text(m) !== undefined);

for (let round = 0; round < 3; round++) {
  // Bob's phone -> Alice.
  const text = `from Bob's phone, round ${round}`;
  const { messageId: id } = await sim.must('send', { phone: pb, to: `${pa}@s.whatsapp.net`, text });
  const got = await until(`Alice to decrypt "${text}"`, () => received(alice, id));
  if (alice.text(got) !== text) fail(`Alice read "${alice.text(got)}"`);
  if (!got.key.remoteJid.startsWith(pb)) fail(`Alice filed it under ${got.key.remoteJid}`);
  // Alice's delivery receipt reached Bob's phone.
  await until(`the delivery receipt for ${id}`, async () =>
    (await inbox(pb)).some((m) => m.id === id && m.encType === 'receipt'));

  // Alice -> Bob's phone (Baileys fetched the phone's bundle).
  const reply = `Alice answers round ${round}`;
  const sent = await alice.sock.sendMessage(`${pb}@s.whatsapp.net`, { text: reply });
  const atBob = await until(`Bob's phone to decrypt "${reply}"`, async () =>
    (await inbox(pb)).find((m) => m.id === sent.key.id && m.text));
  if (atBob.text !== reply) fail(`Bob's phone read "${atBob.text}"`);
  await until('the phone\'s delivery receipt', () =>
    alice.updates.some((u) => u.key.id === sent.key.id && u.update.status >= 3));
  // Alice's own phone got (and decrypted) the copy of what she sent.
  await until(`Alice's phone to decrypt its copy of "${reply}"`, async () =>
    (await inbox(pa)).some((m) => m.id === sent.key.id && m.text === reply));
}
const failures = (await inbox(pb)).filter((m) => m.error);
if (failures.length) fail(`Bob's phone could not decrypt: ${JSON.stringify(failures)}`);
alice.stop();
console.log(`${peer}: three rounds between a simulated phone and Baileys, decrypted on both sides, receipts both ways`);
await sim.stop();
process.exit(0);
