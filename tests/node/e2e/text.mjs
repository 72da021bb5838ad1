// Text both ways between a Baileys 7 client and an account run by the connector in the daemon, seen
// from outside only: what Baileys sends appears on `inbound` decrypted and complete; a command
// written to `outbound` (a text, then a reply quoting Baileys' message) reaches Baileys, which
// decrypts it; `results` says Sent with the id Baileys saw; Baileys' delivery and read receipts come
// back on `events`. A simulated phone sends too.
// Usage: node --experimental-global-webcrypto text.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir> [--peer baileys|baileys6]
import { args, fail, loadBaileys, pairClient, pairThroughDaemon, sleep, startWorld, until } from './lib.mjs';

setTimeout(() => fail('timed out'), 115000).unref();
const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
const [account, bobPhone, phone3] = ['15551230001', '15551230002', '15551230003'];
const world = await startWorld(args, { accounts: [account], peers: [bobPhone, phone3] });
const { sim, kafka } = world;
await pairThroughDaemon(sim, kafka, account);
const bob = await pairClient(lib, sim, bobPhone, 'Bob');
const accountJid = `${account}@s.whatsapp.net`;

const inboundOf = (networkId) => kafka.seen.inbound.filter((r) => r.body.networkId === networkId);
const check = (cond, what, got) => {
  if (!cond) fail(`${what}: ${JSON.stringify(got)}`);
};

// 1. Baileys -> connector: two texts on `inbound`, complete, one conversation, distinct stable ids.
const sent1 = await bob.sock.sendMessage(accountJid, { text: 'hello Switchboard ✓' });
const sent2 = await bob.sock.sendMessage(accountJid, { text: 'second line\nwith a break' });
const [r1] = await until('Baileys\' first text on inbound', () => inboundOf(sent1.key.id).length && inboundOf(sent1.key.id));
const [r2] = await until('Baileys\' second text on inbound', () => inboundOf(sent2.key.id).length && inboundOf(sent2.key.id));
for (const [r, text] of [[r1, 'hello Switchboard ✓'], [r2, 'second line\nwith a break']]) {
  const m = r.body;
  check(m.text === text, 'text', m);
  check(m.kind === 'MESSAGE_KIND_TEXT', 'kind', m);
  check(m.account === account && m.tenant === 'default', 'account and tenant', m);
  check(m.sender?.split(/[:@]/)[0] === bobPhone || m.chat?.split(/[:@]/)[0] === bobPhone, 'sender/chat is Bob', m);
  check(!m.fromMe && !m.isGroup, 'fromMe/isGroup', m);
  check(m.id && r.ceId === m.id, 'ce_id is the message id', { ceId: r.ceId, id: m.id });
  check(m.conversation && r.key === m.conversation, 'Kafka key is the conversation', { key: r.key, c: m.conversation });
  check(m.timestamp && Math.abs(Date.parse(m.timestamp) - Date.now()) < 120000, 'timestamp', m);
}
check(r1.body.conversation === r2.body.conversation, 'one conversation for Bob', [r1.body, r2.body]);
check(r1.body.id !== r2.body.id, 'distinct message ids', [r1.body.id, r2.body.id]);

// A simulated phone (Signal on the simulator's side) sends as well.
const phoneSent = (await sim.must('send', { phone: phone3, to: accountJid, text: 'from a simulated phone' })).messageId;
const [r3] = await until('the phone\'s text on inbound', () => inboundOf(phoneSent).length && inboundOf(phoneSent));
check(r3.body.text === 'from a simulated phone' && r3.body.conversation !== r1.body.conversation, 'phone text', r3.body);

// 2. `outbound` -> Baileys: a text, then a reply quoting Bob's first message.
const received = (id) => bob.messages.find((m) => m.key.id === id && bob.text(m) !== undefined);
const sentResult = (commandId) => kafka.results(commandId).find((r) => r.stage === 'RESULT_STAGE_SENT');
const run = `e2e-${process.pid}`;
await kafka.command({ commandId: `${run}-text`, account, sendText: { to: bobPhone, text: 'hello from Kafka' } });
const res1 = await until('Sent for the text command', () => sentResult(`${run}-text`));
check(res1.networkId, 'Sent result carries the network id', res1);
const got1 = await until('Baileys to decrypt the text command', () => received(res1.networkId));
check(bob.text(got1) === 'hello from Kafka' && !got1.key.fromMe, 'Baileys read', got1.message);
check(got1.key.remoteJid.split(/[:@]/)[0] === account || got1.key.remoteJidAlt?.split(/[:@]/)[0] === account,
      'Baileys sees the message from our account', got1.key);
const stages = kafka.results(`${run}-text`).map((r) => r.stage);
check(stages[0] === 'RESULT_STAGE_ACCEPTED', 'ACCEPTED comes first', stages);

await kafka.command({ commandId: `${run}-reply`, account,
                      sendText: { to: bobPhone, text: 'a reply', replyTo: sent1.key.id } });
const res2 = await until('Sent for the reply command', () => sentResult(`${run}-reply`));
const got2 = await until('Baileys to decrypt the reply', () => received(res2.networkId));
const ctx = got2.message?.extendedTextMessage?.contextInfo;
check(bob.text(got2) === 'a reply' && ctx?.stanzaId === sent1.key.id, 'the reply quotes Bob\'s message', got2.message);

// 3. Receipts: Baileys acknowledges delivery by itself; reading is Bob's action.
const receipt = (type, commandId) => kafka.events(type).find((e) => e.receipt?.commandId === commandId);
const delivered = await until('receipt.delivered on events', () => receipt('receipt.delivered', `${run}-text`));
check(delivered.subject === res1.networkId && delivered.receipt.networkId === res1.networkId &&
      delivered.account === account, 'delivered receipt', delivered);
await bob.sock.readMessages([got1.key, got2.key]);
const read = await until('receipt.read on events', () => receipt('receipt.read', `${run}-text`));
check(read.receipt.kind === 'KIND_READ', 'read receipt kind', read);
await until('receipt.read of the reply', () => receipt('receipt.read', `${run}-reply`));
await until('the Delivered and Read results', () => {
  const s = kafka.results(`${run}-text`).map((r) => r.stage);
  return s.includes('RESULT_STAGE_DELIVERED') && s.includes('RESULT_STAGE_READ');
});

// A repeated command id is executed once: no second message reaches Bob.
await kafka.command({ commandId: `${run}-text`, account, sendText: { to: bobPhone, text: 'hello from Kafka' } });
await sleep(2000);
const copies = bob.messages.filter((m) => bob.text(m) === 'hello from Kafka').length;
check(copies === 1, 'a repeated command id sends once', copies);

bob.stop();
await world.stop();
console.log(`${peer}: 2 texts from Baileys and 1 from a simulated phone on inbound, complete; a text and a reply ` +
            'from outbound decrypted by Baileys, Sent/Delivered/Read results, delivered and read receipts on events');
process.exit(0);
