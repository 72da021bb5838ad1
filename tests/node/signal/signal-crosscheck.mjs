// Signal interoperability of sb_wasignal (libsignal-protocol-c 2.3.3 underneath) with Baileys 7's
// own Signal code: makeLibSignalRepository (npm libsignal for pairwise sessions, Baileys'
// src/Signal/Group for sender keys), its padding helpers, and its prekey node helpers.
//   A. Baileys' prekey upload node -> our upload parser -> we start the session: pkmsgs delivered
//      out of order, msg replies, ratchet rounds with shuffled bursts both ways, duplicates.
//   B. our fetch-reply node -> Baileys parseAndInjectE2ESessions -> Baileys starts: pkmsgs out of
//      order, our one-time prekey used up, rounds both ways.
//   C. our retry-receipt <keys> -> Baileys extractE2ESessionFromRetryReceipt -> a working session.
//   D. sender keys both ways: SKDM, skmsgs (to us out of order; to Baileys in iteration order, its
//      own limit), duplicates, a flipped signature bit refused by both.
// Usage: node --experimental-global-webcrypto signal-crosscheck.mjs --tool <wasignal_interop_tool>
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

let B;
try {
  const utils = await import('baileys/lib/Utils/index.js');
  const { makeLibSignalRepository } = await import('baileys/lib/Signal/libsignal.js');
  const constants = await import('baileys/lib/WABinary/constants.js');
  const enc = await import('baileys/lib/WABinary/encode.js');
  const dec = await import('baileys/lib/WABinary/decode.js');
  B = { ...utils, makeLibSignalRepository, encode: (n) => Buffer.from(enc.encodeBinaryNode(n, constants, [])),
        decode: (b) => dec.decodeDecompressedBinaryNode(b, constants) };
} catch (e) {
  console.error(`Baileys is not installed (npm ci in tests/node): ${e.message}; skipping`);
  process.exit(77);
}

// --- the C++ peer ---------------------------------------------------------------------------------
const tool = spawn(args.tool, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const pending = new Map();
let nextId = 1;
createInterface({ input: tool.stdout }).on('line', (line) => {
  const answer = JSON.parse(line);
  pending.get(answer.id)?.(answer);
  pending.delete(answer.id);
});
tool.on('exit', (code) => {
  if (pending.size) {
    console.error(`interop tool exited (${code}) with ${pending.size} requests open`);
    process.exit(1);
  }
});
const call = (req) => new Promise((resolve) => {
  const id = nextId++;
  pending.set(id, resolve);
  tool.stdin.write(JSON.stringify({ ...req, id }) + '\n');
});
const hex = (b) => Buffer.from(b).toString('hex');

// --- a Baileys device -----------------------------------------------------------------------------
const silent = { level: 'silent', trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
silent.child = () => silent;

function baileysDevice() {
  const data = {};
  const keys = {
    get: async (type, ids) => Object.fromEntries(ids.filter((id) => data[type]?.[id] != null).map((id) => [id, data[type][id]])),
    set: async (update) => {
      for (const [type, items] of Object.entries(update)) {
        data[type] ??= {};
        for (const [id, value] of Object.entries(items)) {
          if (value == null) delete data[type][id];
          else data[type][id] = value;
        }
      }
    },
  };
  const creds = B.initAuthCreds();
  const txKeys = B.addTransactionCapability(keys, silent, { maxCommitRetries: 2, delayBetweenTriesMs: 10 });
  return { creds, keys: txKeys, data, repo: B.makeLibSignalRepository({ creds, keys: txKeys }, silent) };
}

// --- checks ---------------------------------------------------------------------------------------
let failures = 0;
let checks = 0;
const fail = (what) => {
  failures++;
  if (failures <= 20) console.error(`FAIL: ${what}`);
};
const expect = (cond, what) => {
  checks++;
  if (!cond) fail(what);
};
const text = (s) => Buffer.from(s, 'utf8');
const shuffle = (a) => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

async function cToBaileys(dev, peerJid, bdev, fromJid, msgs) {
  for (const m of msgs) {
    try {
      const plain = await bdev.repo.decryptMessage({ jid: fromJid, type: m.type, ciphertext: Buffer.from(m.data, 'hex') });
      expect(Buffer.from(B.unpadRandomMax16(plain)).toString() === m.text, `Baileys decrypted ${m.text} wrongly`);
    } catch (e) {
      fail(`Baileys cannot decrypt our ${m.type} "${m.text}": ${e.message}`);
    }
  }
}

async function cSend(dev, peer, s) {
  const r = await call({ op: 'encrypt', dev, peer, text: hex(text(s)) });
  if (!r.ok) fail(`we cannot encrypt to ${peer}: ${r.error}`);
  return { ...r, text: s };
}

async function bSend(bdev, toJid, s) {
  const { type, ciphertext } = await bdev.repo.encryptMessage({ jid: toJid, data: B.writeRandomPadMax16(text(s)) });
  return { type, data: hex(ciphertext), text: s };
}

async function cReceive(dev, peer, m, what) {
  const r = await call({ op: 'decrypt', dev, peer, type: m.type, data: m.data });
  expect(r.ok && Buffer.from(r.text, 'hex').toString() === m.text, `${what}: we fail on Baileys' ${m.type} "${m.text}": ${r.error ?? 'wrong text'}`);
  return r;
}

// Rounds of bursts in both directions, each burst delivered shuffled.
async function rounds(dev, cJid, bdev, bJid, n) {
  for (let round = 0; round < n; round++) {
    if (round % 2 === 0) {
      const burst = [];
      for (let i = 0; i < 4; i++) burst.push(await bSend(bdev, cJid, `b${round}.${i}`));
      expect(burst.every((m) => m.type === 'msg'), `Baileys still sends pkmsg in round ${round}`);
      for (const m of shuffle(burst)) await cReceive(dev, bJid, m, `round ${round}`);
    } else {
      const burst = [];
      for (let i = 0; i < 4; i++) burst.push(await cSend(dev, bJid, `c${round}.${i}`));
      expect(burst.every((m) => m.type === 'msg'), `we still send pkmsg in round ${round}`);
      await cToBaileys(dev, bJid, bdev, cJid, shuffle(burst));
    }
  }
}

// A. Baileys' upload, we initiate.
{
  const bdev = baileysDevice();
  const bJid = '100000000000001:4@lid';
  const cJid = '200000000000002:7@lid';
  await call({ op: 'init', dev: 'a', jid: cJid, prekeys: 3, regid: 4000000000 });
  const { node } = await B.getNextPreKeysNode({ creds: bdev.creds, keys: bdev.keys }, 5);
  const r = await call({ op: 'session_from_upload', dev: 'a', peer: bJid, node: hex(B.encode(node)), prekey: 2 });
  expect(r.ok && r.uploaded === 5, `our parser on Baileys' upload: ${r.error ?? r.uploaded}`);
  const first = [];
  for (let i = 0; i < 3; i++) first.push(await cSend('a', bJid, `pk${i}`));
  expect(first.every((m) => m.type === 'pkmsg'), 'our first messages are not pkmsg');
  await cToBaileys('a', bJid, bdev, cJid, [first[1], first[0], first[2]]);
  expect(bdev.data['pre-key']?.['2'] === undefined, 'Baileys kept the one-time prekey our pkmsg used');
  const reply = await bSend(bdev, cJid, 'reply');
  expect(reply.type === 'msg', `Baileys answers with ${reply.type}`);
  await cReceive('a', bJid, reply, 'A reply');
  const after = await cSend('a', bJid, 'after');
  expect(after.type === 'msg', 'we keep sending pkmsg after the answer');
  await cToBaileys('a', bJid, bdev, cJid, [after]);
  await rounds('a', cJid, bdev, bJid, 6);
  // Duplicates, both sides.
  const dup = await bSend(bdev, cJid, 'dup');
  await cReceive('a', bJid, dup, 'A dup first');
  const again = await call({ op: 'decrypt', dev: 'a', peer: bJid, type: dup.type, data: dup.data });
  expect(!again.ok && again.errc === 'duplicate_message', `our duplicate answer: ${again.errc}`);
  const ours = await cSend('a', bJid, 'dup2');
  await cToBaileys('a', bJid, bdev, cJid, [ours]);
  let refused = false;
  const quiet = console.error;
  console.error = () => {};  // npm libsignal logs the (expected) counter error itself
  try {
    await bdev.repo.decryptMessage({ jid: cJid, type: ours.type, ciphertext: Buffer.from(ours.data, 'hex') });
  } catch {
    refused = true;
  } finally {
    console.error = quiet;
  }
  expect(refused, 'Baileys accepted our message twice');
}

// B. Our fetch reply, Baileys initiates; C. our retry keys.
for (const form of ['bundle_node', 'retry_node']) {
  const bdev = baileysDevice();
  const bJid = '100000000000003:2@lid';
  const cJid = '200000000000004:0@lid';
  await call({ op: 'init', dev: 'b', jid: cJid, prekeys: 4 });
  const before = (await call({ op: 'prekey_count', dev: 'b' })).count;
  const r = await call({ op: form, dev: 'b', prekey: 3 });
  const node = B.decode(Buffer.from(r.node, 'hex'));
  try {
    if (form === 'bundle_node') {
      await B.parseAndInjectE2ESessions(node, bdev.repo);
    } else {
      const session = B.extractE2ESessionFromRetryReceipt(node);
      expect(session !== null, 'Baileys does not accept our retry <keys>');
      await bdev.repo.injectE2ESession({ jid: cJid, session });
    }
  } catch (e) {
    fail(`Baileys cannot start a session from our ${form}: ${e.message}`);
  }
  const first = [];
  for (let i = 0; i < 3; i++) first.push(await bSend(bdev, cJid, `${form}${i}`));
  expect(first.every((m) => m.type === 'pkmsg'), `Baileys' first messages after ${form} are not pkmsg`);
  for (const m of [first[2], first[0], first[1]]) await cReceive('b', bJid, m, form);
  const left = (await call({ op: 'prekey_count', dev: 'b' })).count;
  expect(left === before - 1, `our one-time prekey count went ${before} -> ${left}`);
  const reply = await cSend('b', bJid, 'reply');
  expect(reply.type === 'msg', `we answer a pkmsg with ${reply.type}`);
  await cToBaileys('b', bJid, bdev, cJid, [reply]);
  await rounds('b', cJid, bdev, bJid, 5);
}

// D. Sender keys both ways.
{
  const group = '120363000000000099@g.us';
  const bdev = baileysDevice();
  const bJid = '100000000000005:1@lid';
  const cJid = '200000000000006:3@lid';
  await call({ op: 'init', dev: 'g', jid: cJid, prekeys: 1 });
  // Baileys -> us.
  const sent = [];
  let skdm;
  for (let i = 0; i < 5; i++) {
    const { ciphertext, senderKeyDistributionMessage } = await bdev.repo.encryptGroupMessage({
      group, meId: bJid, data: B.writeRandomPadMax16(text(`g${i}`)) });
    skdm ??= senderKeyDistributionMessage;
    sent.push({ data: hex(ciphertext), text: `g${i}` });
  }
  const p = await call({ op: 'process_skdm', dev: 'g', group, sender: bJid, data: hex(skdm) });
  expect(p.ok, `we refuse Baileys' SKDM: ${p.error}`);
  for (const i of [0, 3, 1, 4, 2]) {
    const r = await call({ op: 'group_decrypt', dev: 'g', group, sender: bJid, data: sent[i].data });
    expect(r.ok && Buffer.from(r.text, 'hex').toString() === sent[i].text, `we fail on Baileys' skmsg ${i}: ${r.error}`);
  }
  const dup = await call({ op: 'group_decrypt', dev: 'g', group, sender: bJid, data: sent[2].data });
  expect(!dup.ok && dup.errc === 'duplicate_message', `our answer to a duplicate skmsg: ${dup.errc}`);
  // us -> Baileys, and a late joiner on our side.
  const ours = await call({ op: 'skdm', dev: 'g', group });
  await bdev.repo.processSenderKeyDistributionMessage({
    item: { groupId: group, axolotlSenderKeyDistributionMessage: Buffer.from(ours.data, 'hex') }, authorJid: cJid });
  for (let i = 0; i < 5; i++) {
    const m = await call({ op: 'group_encrypt', dev: 'g', group, text: hex(text(`h${i}`)) });
    if (i === 2) {
      const forged = Buffer.from(m.data, 'hex');
      forged[forged.length - 5] ^= 0x10;
      let refused = false;
      try {
        await bdev.repo.decryptGroupMessage({ group, authorJid: cJid, msg: forged });
      } catch {
        refused = true;
      }
      expect(refused, 'Baileys accepted our skmsg with a flipped signature bit');
    }
    try {
      const plain = await bdev.repo.decryptGroupMessage({ group, authorJid: cJid, msg: Buffer.from(m.data, 'hex') });
      expect(Buffer.from(B.unpadRandomMax16(plain)).toString() === `h${i}`, `Baileys decrypted our skmsg ${i} wrongly`);
    } catch (e) {
      fail(`Baileys cannot decrypt our skmsg ${i}: ${e.message}`);
    }
  }
  // Baileys' skmsg with a flipped signature bit is refused by us, and the state stays usable.
  const { ciphertext } = await bdev.repo.encryptGroupMessage({ group, meId: bJid, data: B.writeRandomPadMax16(text('late')) });
  const forged = Buffer.from(ciphertext);
  forged[forged.length - 3] ^= 0x04;
  const bad = await call({ op: 'group_decrypt', dev: 'g', group, sender: bJid, data: hex(forged) });
  expect(!bad.ok, 'we accepted a forged skmsg');
  const good = await call({ op: 'group_decrypt', dev: 'g', group, sender: bJid, data: hex(ciphertext) });
  expect(good.ok && Buffer.from(good.text, 'hex').toString() === 'late', `we fail after a forgery: ${good.error}`);
  // A late joiner gets our SKDM at a later iteration.
  await call({ op: 'init', dev: 'late', jid: '200000000000007:1@lid', prekeys: 1 });
  const again = await call({ op: 'skdm', dev: 'g', group });
  const late = await call({ op: 'process_skdm', dev: 'late', group, sender: cJid, data: again.data });
  expect(late.ok, `late joiner refuses our SKDM: ${late.error}`);
  const m = await call({ op: 'group_encrypt', dev: 'g', group, text: hex(text('for all')) });
  const r = await call({ op: 'group_decrypt', dev: 'late', group, sender: cJid, data: m.data });
  expect(r.ok && Buffer.from(r.text, 'hex').toString() === 'for all', `late joiner: ${r.error}`);
}

tool.stdin.end();
console.log(`Signal interop with Baileys: ${checks} checks, ${failures} failures`);
process.exit(failures ? 1 : 0);
