// Commands across a crash: texts are written to `outbound` at a steady rate for a Baileys 7 client;
// the daemon is killed with SIGKILL while they are being sent, more are written while it is down,
// and it is started again on the same database. Every command reaches Baileys decrypted with its
// text, has a Sent (or Delivered) result, and a command sent twice arrives under one message id.
// Usage: node --experimental-global-webcrypto crash-outbound.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir> [--commands 60]
import { args, fail, loadBaileys, pairClient, pairThroughDaemon, sleep, startWorld, until } from './lib.mjs';

setTimeout(() => fail('timed out'), 170000).unref();
const total = Number(args.commands ?? 60);
const lib = await loadBaileys('baileys');
const [account, bobPhone] = ['15551230001', '15551230002'];
const world = await startWorld(args, { accounts: [account], peers: [bobPhone] });
const { sim, kafka } = world;
await pairThroughDaemon(sim, kafka, account);
const bob = await pairClient(lib, sim, bobPhone, 'Bob');

const run = `crash-${process.pid}`;
const commandId = (i) => `${run}-${i}`;
const textOf = (i) => `command ${i} across a crash`;
// Sent, or a later stage: when the crash falls between the stanza and the server's ack, the
// message went out but its Sent is never recorded; the recipient's receipt then says Delivered.
const SENT_OR_LATER = ['RESULT_STAGE_SENT', 'RESULT_STAGE_DELIVERED', 'RESULT_STAGE_READ'];
const sentResult = (i) => kafka.results(commandId(i)).find((r) => SENT_OR_LATER.includes(r.stage) && r.networkId);
let killedAfter = -1;
let sentAtKill = -1;
for (let i = 0; i < total; i++) {
  await kafka.command({ commandId: commandId(i), account, sendText: { to: bobPhone, text: textOf(i) } });
  await sleep(50);
  if (i === Math.floor(total / 3)) {
    killedAfter = i + 1;
    sentAtKill = Array.from({ length: i + 1 }, (_, j) => j).filter((j) => sentResult(j)).length;
    await world.daemon.kill('SIGKILL');
  }
  if (i === Math.floor((2 * total) / 3)) world.daemon = await world.startDaemon('daemon-after-kill');
}

// Every command: Sent (or later) at least once, its text at Bob under that network id, and only there.
const unsent = () => Array.from({ length: total }, (_, i) => i).filter((i) => !sentResult(i));
const end = Date.now() + 90000;
while (unsent().length && Date.now() < end) await sleep(200);
if (unsent().length) {
  const stages = unsent().map((i) => `${i}: [${kafka.results(commandId(i)).map((r) =>
    r.stage.replace('RESULT_STAGE_', '') + (r.errorCode ? ` ${r.errorCode} "${r.reason}"` : ''))}]`);
  fail(`${unsent().length} commands without a Sent result: ${stages.join(', ')}`);
}
const received = (text) => bob.messages.filter((m) => bob.text(m) === text);
await until('every text at Baileys', () => Array.from({ length: total }, (_, i) => i).every((i) => received(textOf(i)).length), 60000);
await sleep(1500);  // room for a late second copy
let copies = 0;
for (let i = 0; i < total; i++) {
  const got = received(textOf(i));
  const ids = new Set(got.map((m) => m.key.id));
  if (ids.size !== 1 || !ids.has(sentResult(i).networkId)) {
    fail(`command ${i}: Baileys got ids ${[...ids]}, Sent result says ${sentResult(i).networkId}`);
  }
  copies += got.length - 1;
  const failed = kafka.results(commandId(i)).filter((r) => r.stage === 'RESULT_STAGE_FAILED');
  if (failed.length) fail(`command ${i} failed: ${JSON.stringify(failed[0])}`);
}
const ids = new Set(Array.from({ length: total }, (_, i) => sentResult(i).networkId));
if (ids.size !== total) fail(`${ids.size} distinct message ids for ${total} commands`);

bob.stop();
await world.stop();
console.log(`${total} commands at 20/s, SIGKILL after ${killedAfter} written (${sentAtKill} Sent by then), ` +
            `${Math.floor((2 * total) / 3) - killedAfter + 1} written while down; all Sent and decrypted by Baileys, ` +
            `${copies} second copies (same id)`);
process.exit(0);
